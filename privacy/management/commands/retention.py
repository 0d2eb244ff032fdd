"""`manage.py retention apply [--dry-run] [--format json]`: anonymise or delete records past their period.

Meant for cron, e.g. every night at 02:30:
    30 2 * * * cd /srv/shanghui && .venv/bin/python manage.py retention apply --format json >> var/retention.log
`manage.py retention show` lists the periods (settings.PRIVACY_RETENTION_DAYS).
"""
import json

from django.core.management.base import BaseCommand

from core.management.acting import acting_user
from privacy import retention


class Command(BaseCommand):
    """Apply the retention periods through the privacy services (audited)."""

    help = "Apply (or show) the retention period of each kind of record."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["apply", "show"])
        parser.add_argument("--dry-run", action="store_true", help="count what is due, change nothing")
        parser.add_argument("--user", help="act as this user (default: the superuser)")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, action, dry_run, user, format, **options):
        if action == "show":
            report = {"kinds": [{"kind": r.key, "title": str(r.title), "days": r.days,
                                 "action": "delete" if r.delete else "anonymise"} for r in retention.rules()]}
        else:
            report = retention.apply(by=acting_user(user), dry_run=dry_run)
        if format == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        for k in report["kinds"]:
            line = f"{k['kind']}: {k['days']} days ({k['action']})"
            if "due" in k:
                line += f", due {k['due']}, applied {k['applied']}"
            self.stdout.write(line)
