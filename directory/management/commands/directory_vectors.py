"""`manage.py directory_vectors [--encode-missing] [--build]`: compute missing vectors, write the vector files."""
from django.core.management.base import BaseCommand

from directory import services, vectors
from directory.models import Product


class Command(BaseCommand):
    """Encode products without a vector, then (re)write the memory-mapped files matching reads."""

    help = "Encode products that have no vector (--encode-missing) and rebuild the vector files (--build)."

    def add_arguments(self, parser):
        """--encode-missing and --build."""
        parser.add_argument("--encode-missing", action="store_true")
        parser.add_argument("--build", action="store_true")

    def handle(self, *args, encode_missing, build, **options):
        """Encode in batches of 500 (one write per batch), then build."""
        if encode_missing:
            done = 0
            while batch := list(Product.objects.filter(vector__isnull=True).order_by("pk")[:500]):
                services.vectorize(batch)
                if batch[0].vector is None:
                    self.stderr.write("no encoder available")
                    break
                Product.objects.bulk_update(batch, ["vector"])
                done += len(batch)
                self.stderr.write(f"{done:,} encoded")
        if build or not encode_missing:
            self.stdout.write(str(vectors.build()))
