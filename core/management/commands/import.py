"""`manage.py import KIND FILE [--org CODE] [--dry-run] [--valid-only] [--format json]`: import a sheet.

Also `manage.py import --list` (the kinds) and `manage.py import KIND --template FILE` (the blank sheet).
Runs the pipeline in this process, as the superuser or `--user NAME`.
"""
import json
import sys
import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.importing import sheets
from core.importing.pipeline import run_import
from core.importing.reader import UnreadableSheet
from core.management.acting import acting_user, organization


class Command(BaseCommand):
    """Import a sheet (people, enterprises, organizations, memberships, dues)."""

    help = "Import an .xlsx, .xls or .csv sheet; --list shows the kinds, --template writes a blank sheet."

    def add_arguments(self, parser):
        parser.add_argument("kind", nargs="?")
        parser.add_argument("file", nargs="?")
        parser.add_argument("--list", action="store_true", help="list the sheet kinds")
        parser.add_argument("--template", metavar="FILE", help="write the blank sheet of KIND to FILE")
        parser.add_argument("--org", help="default organization (code) of rows without 组织代码")
        parser.add_argument("--user", help="act as this user (default: the superuser)")
        parser.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
        parser.add_argument("--valid-only", action="store_true", help="write the valid rows even if some are rejected")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, kind, file, list, template, org, user, dry_run, valid_only, format, **options):
        if list:
            return self._list(format)
        if not kind:
            raise CommandError("KIND is required (see --list)")
        try:
            sheet_kind = sheets.get(kind)
        except ValueError as e:
            raise CommandError(str(e)) from None
        if template:
            from core.importing.workbooks import write_template  # openpyxl only when a workbook is written
            write_template(sheet_kind, template)
            if format == "json":
                self.stdout.write(json.dumps({"kind": kind, "template": template}, ensure_ascii=False))
            else:
                self.stdout.write(f"{template}")
            return
        if not file:
            raise CommandError("FILE is required")
        by = acting_user(user)
        progress = self._progress_bar() if format == "text" else None
        try:
            report = run_import(kind, file, by=by, org=organization(org), dry_run=dry_run, valid_only=valid_only,
                                progress=progress)
        except (ValidationError, UnreadableSheet, PermissionDenied) as e:
            raise CommandError(" ".join(getattr(e, "messages", [str(e)]))) from None
        if format == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            self._summary(report)
        if report.rejected and not valid_only:
            sys.exit(1)

    def _list(self, format):
        items = [{"kind": k.kind, "title": str(k.title), "columns": [str(c.header) for c in k.columns]}
                 for k in sheets.kinds()]
        if format == "json":
            self.stdout.write(json.dumps(items, ensure_ascii=False))
        else:
            for k in items:
                self.stdout.write(f"{k['kind']:15} {k['title']}: {'、'.join(k['columns'])}")

    def _progress_bar(self):
        """A progress bar on a terminal; on a pipe, a line every few seconds on stderr."""
        tty = sys.stderr.isatty()
        state = {"total": None, "last": 0.0}

        def progress(done, total=None, final=False):
            if total is not None:
                state["total"] = total
            now = time.monotonic()
            if not final and now - state["last"] < (0.2 if tty else 2.0):
                return
            state["last"] = now
            total_ = state["total"] or 0
            if tty:
                width = 30
                filled = int(width * done / total_) if total_ else 0
                pct = int(100 * done / total_) if total_ else 0
                sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {pct:3d}% {done}/{total_}")
                if final and done and done >= total_:
                    sys.stderr.write("\n")
            else:
                sys.stderr.write(f"progress {done}/{total_}\n")
            sys.stderr.flush()

        return progress

    def _summary(self, report):
        state = "dry run, nothing written" if report.dry_run else ("written" if report.written else "nothing written")
        self.stdout.write(f"rows {report.rows}, created {report.created}, updated {report.updated}, "
                          f"rejected rows {report.rejected_rows} ({state})")
        for r in report.rejected[:200]:
            self.stdout.write(f"  row {r['row']} {r['column']} “{r['value']}”: {r['message']}")
        if len(report.rejected) > 200:
            self.stdout.write(f"  … {len(report.rejected) - 200} more")
