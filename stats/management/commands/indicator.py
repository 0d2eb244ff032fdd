"""`manage.py indicator KEY [--org CODE] [--from DATE] [--to DATE] [--format json]`, `--list`."""
import datetime as dt
import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from orgs.models import Organization
from stats.indicators import REGISTRY, evaluate


def _date(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("日期“%(v)s”应写作 YYYY-MM-DD。") % {"v": value}) from None


class Command(BaseCommand):
    """Print one indicator for an organization's subtree and a period, or list every indicator."""

    help = "Compute a named indicator, or list them with --list."

    def add_arguments(self, parser):
        parser.add_argument("key", nargs="?")
        parser.add_argument("--list", action="store_true")
        parser.add_argument("--org", help="organization code (default: everything)")
        parser.add_argument("--from", dest="start", type=_date)
        parser.add_argument("--to", dest="end", type=_date)
        parser.add_argument("--user", help="compute as this user (default: as a superuser)")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, key, list, org, start, end, user, format, **options):
        if list:
            rows = [{"key": k, "title": str(i.title), "unit": str(i.unit), "description": str(i.description)}
                    for k, i in sorted(REGISTRY.items())]
            if format == "json":
                self.stdout.write(json.dumps(rows, ensure_ascii=False))
            else:
                for r in rows:
                    self.stdout.write(f"{r['key']}\t{r['title']}（{r['unit']}）")
            return
        if not key:
            raise CommandError(_("请给出指标名，或用 --list 列出全部指标。"))
        if key not in REGISTRY:
            raise CommandError(_("没有名为 %(k)s 的指标；用 --list 查看全部。") % {"k": key})
        node = None
        if org:
            node = Organization.objects.filter(code=org).first()
            if node is None:
                raise CommandError(_("没有代码为 %(c)s 的组织。") % {"c": org})
        who = self._user(user)
        result = evaluate(key, user=who, org=node, start=start, end=end).as_dict()
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            change = "" if result["change"] is None else f"（同比 {result['change']:+.2f}%）"
            self.stdout.write(f"{result['title']}：{result['value']} {result['unit']}{change}")

    def _user(self, username):
        User = get_user_model()
        if username:
            found = User.objects.filter(username=username).first()
            if found is None:
                raise CommandError(_("没有用户 %(u)s。") % {"u": username})
            return found
        # The CLI runs with the operator's full view, like a superuser.
        return User(username="cli", is_superuser=True, is_active=True)
