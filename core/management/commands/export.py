"""`manage.py export KIND --out FILE [--org CODE] [--user NAME] [--purpose TEXT] [--format json]`: export to .xlsx.

Personal data is masked unless the user may see it and `--purpose` states why it is exported
(logged with the export).
"""
import json

from django.core.management.base import BaseCommand, CommandError

from core import exporting
from core.importing import sheets
from core.management.acting import acting_user, organization


class Command(BaseCommand):
    """Export the records of a kind visible to the user (masked personal data unless allowed)."""

    help = "Export people, enterprises, organizations, memberships or dues to .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("kind")
        parser.add_argument("--out", required=True, help="the .xlsx file to write")
        parser.add_argument("--org", help="only this organization's subtree (code)")
        parser.add_argument("--user", help="act as this user (default: the superuser)")
        parser.add_argument("--purpose", default="",
                            help="why personal data is exported in clear (logged); without it, it is masked")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, kind, out, org, user, purpose, format, **options):
        try:
            sheet_kind = sheets.get(kind)
        except ValueError as e:
            raise CommandError(str(e)) from None
        by = acting_user(user)
        filters = {}
        if org:
            filters[sheet_kind.org_filter] = organization(org).code
        summary = exporting.export(kind, by, out, filters, purpose=purpose)
        if format == "json":
            self.stdout.write(json.dumps({"kind": kind, "rows": summary["rows"], "file": out}, ensure_ascii=False))
        else:
            self.stdout.write(f"{summary['rows']} rows → {out}")
