"""`manage.py reindex [MODEL …]`: rebuild the Chinese search index."""
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from core import search


class Command(BaseCommand):
    """Rebuild the search entries of every indexed model, or of the models named."""

    help = "Rebuild the search index (all models, or e.g. registry.person)."

    def add_arguments(self, parser):
        parser.add_argument("models", nargs="*", help="model labels, e.g. registry.person")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, models, format, **options):
        unknown = [m for m in models if m.lower() not in search.REGISTRY]
        if unknown:
            raise CommandError(f"unknown model(s): {', '.join(unknown)}; indexed: {', '.join(search.REGISTRY)}")
        counts = {}
        for label in [m.lower() for m in models] or list(search.REGISTRY):
            def progress(n, label=label):
                if format == "text" and sys.stdout.isatty():
                    self.stdout.write(f"\r{label}: {n}", ending="")
            counts[label] = search.reindex([label], progress=progress)
            if format == "text":
                self.stdout.write(f"\r{label}: {counts[label]}")
        if format == "json":
            self.stdout.write(json.dumps({"reindexed": counts}))
