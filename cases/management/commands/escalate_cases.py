"""`manage.py escalate_cases`: notify supervisors of overdue cases and departments (run daily from cron)."""
import json

from django.core.management.base import BaseCommand

from cases import services


class Command(BaseCommand):
    """Escalate every overdue case and dispatch once (督办)."""

    help = "Notify supervisors of overdue cases and departments of overdue dispatches, once each."

    def add_arguments(self, parser):
        """--format json prints one JSON document."""
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, format, **options):
        """Run the escalation through cases.services.escalate_overdue."""
        counts = services.escalate_overdue()
        if format == "json":
            self.stdout.write(json.dumps(counts))
        else:
            self.stdout.write(f"cases: {counts['cases']}, dispatches: {counts['dispatches']}")
