"""`manage.py stats_snapshots [--org CODE] [--year Y]`: pre-compute the dashboards' figures."""
import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from orgs.models import Organization
from stats.jobs import snapshot_orgs
from stats.management.commands.indicator import Command as IndicatorCommand
from stats.services import refresh_snapshots


class Command(BaseCommand):
    """Recompute the snapshots of the upper levels of the tree (or of one organization's subtree)."""

    help = "Refresh the statistics snapshots (run nightly, or from the dashboard's button)."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="organization code (default: the whole tree)")
        parser.add_argument("--year", type=int, default=dt.date.today().year)

    def handle(self, *args, org, year, **options):
        root = None
        if org:
            root = Organization.objects.filter(code=org).first()
            if root is None:
                raise CommandError(_("没有代码为 %(c)s 的组织。") % {"c": org})
        started = time.monotonic()
        n = refresh_snapshots(by=IndicatorCommand()._user(None), orgs=snapshot_orgs(root), year=year)
        self.stdout.write(_("已刷新 %(n)s 个组织的统计快照，用时 %(s).1f 秒。")
                          % {"n": n, "s": time.monotonic() - started})
