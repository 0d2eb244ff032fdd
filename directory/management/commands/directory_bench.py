"""`manage.py directory_bench [--products N] [--repeat N] [--format json]`: the directory's benchmark alone.

Runs on the database of DATABASE_URL (never the demo's: without DATABASE_URL it refuses).
"""
import json
import os

from django.core.management.base import BaseCommand, CommandError

from directory import bench


class Command(BaseCommand):
    """Fill synthetic products up to N and time search, facets, matching and the catalogue."""

    help = "Directory benchmark: search, faceted search, matching, public catalogue at N products."

    def add_arguments(self, parser):
        """--products, --repeat, --format."""
        parser.add_argument("--products", type=int, default=int(os.environ.get("BENCH_PRODUCTS", 100_000)))
        parser.add_argument("--repeat", type=int, default=40)
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, products, repeat, format, **options):
        """Run and print."""
        if not os.environ.get("DATABASE_URL"):
            raise CommandError("set DATABASE_URL to a benchmark database (never the demo's)")
        report = bench.run(products, repeat, log=lambda m: self.stderr.write(m))
        if format == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            for line in bench.lines(report):
                self.stdout.write(line)
