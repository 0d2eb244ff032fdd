"""`manage.py directory_import SHEET [--photos ZIP] [--user NAME] [--dry-run] [--format json]`: products and photos.

The sheet goes through the shared import pipeline (kind "products"); then the photos its 图片
column names are read from ZIP, by default the .zip of the same name beside the sheet.
"""
import json
import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.importing.pipeline import run_import
from core.management.acting import acting_user
from directory.services import attach_photos_from_zip


class Command(BaseCommand):
    """Import a products sheet, then its photos from a zip."""

    help = "Import a products sheet (shared pipeline), then the photos it names from a zip beside it."

    def add_arguments(self, parser):
        """SHEET, --photos, --user, --dry-run, --format."""
        parser.add_argument("sheet")
        parser.add_argument("--photos", help="zip of photos (default: SHEET with .zip)")
        parser.add_argument("--user", help="act as this user (default: the superuser)")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, sheet, photos, user, dry_run, format, **options):
        """Run the import, then attach photos when the import was written."""
        by = acting_user(user)
        try:
            report = run_import("products", sheet, by=by, dry_run=dry_run)
        except (ValidationError, PermissionDenied) as e:
            raise CommandError(" ".join(getattr(e, "messages", [str(e)]))) from None
        out = report.as_dict()
        zip_path = Path(photos) if photos else Path(sheet).with_suffix(".zip")
        if report.written and zip_path.exists():
            out["photos"] = attach_photos_from_zip(by=by, sheet_path=sheet, zip_path=zip_path)
        if format == "json":
            self.stdout.write(json.dumps(out, ensure_ascii=False, default=str))
        else:
            self.stdout.write(f"rows {out['rows']}, created {out['created']}, updated {out['updated']}, "
                              f"rejected {len(out['rejected'])}, photos {out.get('photos', {}).get('attached', 0)}")
        if report.rejected:
            sys.exit(1)
