"""`manage.py security_log [--since DATE] [--until DATE] [--user U] [--kind K] [--limit N] [--format json]`."""
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import SecurityEvent, SecurityEventKind
from accounts.queries import event_dict, filter_events


def _date(value: str | None, name: str):
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("%(n)s 须为日期 YYYY-MM-DD，收到“%(v)s”。") % {"n": name, "v": value}) from None


class Command(BaseCommand):
    """Print the security log, oldest first, as text or JSON lines (one event per line)."""

    help = _("输出安全日志（登录、退出、失败、锁定、拒绝访问、会话等），可按日期、用户、事件筛选。")

    def add_arguments(self, parser):
        """--since, --until, --user, --kind, --limit and --format."""
        parser.add_argument("--since", help=_("起始日期 YYYY-MM-DD（含）"))
        parser.add_argument("--until", help=_("截止日期 YYYY-MM-DD（含）"))
        parser.add_argument("--user", default="", help=_("用户名"))
        parser.add_argument("--kind", default="", help=_("事件：%(k)s") % {"k": ", ".join(SecurityEventKind.values)})
        parser.add_argument("--limit", type=int, default=0, help=_("最多输出条数（0 为不限）"))
        parser.add_argument("--format", choices=["text", "json"], default="text",
                            help=_("输出格式（json：每行一个事件）"))

    def handle(self, *args, since, until, user, kind, limit, format, **options):
        """Filter and stream the events."""
        if kind and kind not in SecurityEventKind.values:
            raise CommandError(_("事件“%(k)s”不存在，可选：%(c)s。") % {"k": kind, "c": "、".join(SecurityEventKind.values)})
        qs = filter_events(SecurityEvent.objects.all(), username=user, kind=kind,
                           since=_date(since, "--since"), until=_date(until, "--until")).order_by("at", "id")
        if limit:
            qs = qs[:limit]
        for event in qs.iterator():
            if format == "json":
                self.stdout.write(json.dumps(event_dict(event), ensure_ascii=False))
            else:
                at = timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S")
                self.stdout.write(f"{at}\t{event.kind}\t{event.username or '-'}\t{event.ip or '-'}\t{event.path}"
                                  + (f"\t{json.dumps(event.detail, ensure_ascii=False)}" if event.detail else ""))
