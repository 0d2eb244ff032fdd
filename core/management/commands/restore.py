"""`manage.py restore IN [--noinput] [--format json]`: replace the database and MEDIA_ROOT with a backup.

The configured database may be empty (freshly created) or in use: everything in it is replaced.
Refused, with the reason, when the archive is damaged, of the other database vendor, or made at
another migration state than this code. `manage.py restore IN --check` only reads and checks it.
"""
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from core import backup


class Command(BaseCommand):
    """Restore a backup made by `manage.py backup`."""

    help = "Restore a backup (database and uploaded files), replacing what is there."

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="IN", help="the archive written by `manage.py backup`")
        parser.add_argument("--database", default="default")
        parser.add_argument("--check", action="store_true", help="check the archive and compatibility only")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="do not ask for confirmation")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, path, database, check, interactive, format, **options):
        try:
            manifest = backup.read_manifest(path)
            backup.check_compatible(manifest, using=database)
            if check:
                report = {"ok": True, "created_at": manifest["created_at"], "vendor": manifest["vendor"],
                          "rows": sum(manifest["tables"].values()), "media_files": manifest["media_files"]}
            else:
                if interactive and sys.stdin.isatty():
                    answer = input(f"Replace the database and the uploaded files with {path} "
                                   f"({manifest['created_at']})? Type 'yes': ")
                    if answer.strip() != "yes":
                        raise CommandError("restore cancelled")
                report = backup.restore(path, using=database)
                backup.close_all()
        except backup.BackupError as e:
            raise CommandError(str(e)) from None
        if format == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        elif check:
            self.stdout.write(f"{path}: OK ({report['rows']} rows, {report['media_files']} files)")
        else:
            self.stdout.write(f"restored {path}: {report['rows']} rows in {report['tables']} tables, "
                              f"{report['media_files']} files")
            if report["count_mismatches"]:
                self.stderr.write(f"row counts differ from the manifest: {report['count_mismatches']}")
