"""`manage.py reseal_changes [--format json]`: re-encrypt the ID and passport numbers held in members'
proposed changes (portal.ProfileChange.changes) under the current data key. `rotate_keys` does this
too; this command does it alone."""
import json

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from portal.fields import reseal_changes


class Command(BaseCommand):
    """Save again every change holding a sealed value not under the current key (idempotent)."""

    help = _("用当前数据密钥重新加密会员资料修改申请中的身份证号和护照号（rotate_keys 也会做）。")

    def add_arguments(self, parser):
        """--format and --batch."""
        parser.add_argument("--format", choices=["text", "json"], default="text", help=_("输出格式"))
        parser.add_argument("--batch", type=int, default=500, help=_("每批行数"))

    def handle(self, *args, format, batch, **options):
        """Report rows read, rows re-encrypted and the key ids found before the run."""
        counts = reseal_changes(batch)
        if format == "json":
            self.stdout.write(json.dumps(counts))
        else:
            self.stdout.write(_("已检查 %(r)d 条资料修改申请，重新加密 %(s)d 条；运行前的密钥：%(k)s") % {
                "r": counts["rows"], "s": counts["resealed"], "k": counts["keys_before"] or "—"})
