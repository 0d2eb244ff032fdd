"""`manage.py backup OUT [--format json]`: the database and MEDIA_ROOT's files in one archive (core/backup.py).

OUT is a .tar.gz; a directory, or a name ending in /, gets shanghui-YYYYmmdd-HHMMSS.tar.gz inside it.
Cron, every night at 01:30, keeping the archives in /var/backups/shanghui:
    30 1 * * * cd /srv/shanghui && .venv/bin/python manage.py backup /var/backups/shanghui/ --format json
"""
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core import backup


class Command(BaseCommand):
    """Write a backup archive with its manifest (migrations, row counts, checksums)."""

    help = "Back up the database (SQLite online backup or pg_dump -Fc) and the uploaded files."

    def add_arguments(self, parser):
        parser.add_argument("out", help="archive to write (.tar.gz), or a directory")
        parser.add_argument("--database", default="default")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, out, database, format, **options):
        path = Path(out)
        if out.endswith("/") or path.is_dir():
            path = path / f"shanghui-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
        try:
            manifest = backup.create(path, using=database)
        except backup.BackupError as e:
            raise CommandError(str(e)) from None
        summary = {"file": str(path), "bytes": path.stat().st_size, "vendor": manifest["vendor"],
                   "tables": len(manifest["tables"]), "rows": sum(manifest["tables"].values()),
                   "media_files": manifest["media_files"], "migrations": len(manifest["migrations"]),
                   "app_version": manifest["app_version"]}
        if format == "json":
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            self.stdout.write(f"{summary['file']}: {summary['rows']} rows in {summary['tables']} tables, "
                              f"{summary['media_files']} files ({summary['bytes']} bytes)")
