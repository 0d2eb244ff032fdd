"""`manage.py reseal_changes [--format json]`: re-encrypt the ID and passport numbers held in members'
proposed changes (portal.ProfileChange.changes) under the current data key, after `rotate_keys`."""
import json
from collections import Counter

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from core import crypto
from portal.fields import MARK, SEALED_KEYS


class Command(BaseCommand):
    """Save again every change holding a sealed value not under the current key (idempotent)."""

    help = _("密钥轮换后，用当前数据密钥重新加密会员资料修改申请中的身份证号和护照号。")

    def add_arguments(self, parser):
        """--format and --batch."""
        parser.add_argument("--format", choices=["text", "json"], default="text", help=_("输出格式"))
        parser.add_argument("--batch", type=int, default=500, help=_("每批行数"))

    def handle(self, *args, format, batch, **options):
        """Report rows read, rows re-encrypted and the key ids found before the run."""
        from django.db.models import Q

        from portal.models import ProfileChange

        current = crypto.keyring().current_id
        keys_before: Counter = Counter()
        counts = {"rows": 0, "resealed": 0}
        qs = ProfileChange.objects.filter(Q(changes__has_key="id_number") | Q(changes__has_key="passport_number"))
        pks = list(qs.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), batch):
            with transaction.atomic():
                for change in ProfileChange.objects.filter(pk__in=pks[start:start + batch]).select_for_update():
                    counts["rows"] += 1
                    kids = self._stored_keys(change.pk)
                    keys_before.update(kids)
                    if any(k != current for k in kids):
                        change.save(update_fields=["changes"])
                        counts["resealed"] += 1
        counts["keys_before"] = dict(keys_before)
        if format == "json":
            self.stdout.write(json.dumps(counts))
        else:
            self.stdout.write(_("已检查 %(r)d 条资料修改申请，重新加密 %(s)d 条；运行前的密钥：%(k)s") % {
                "r": counts["rows"], "s": counts["resealed"], "k": counts["keys_before"] or "—"})

    @staticmethod
    def _stored_keys(pk) -> list[str]:
        """The key ids of the sealed values as stored (read without opening them)."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT changes FROM portal_profilechange WHERE id = %s", [pk])
            raw = cursor.fetchone()[0]
        data = json.loads(raw) if isinstance(raw, str) else raw
        return [crypto.key_id_of(v[MARK]) for key in SEALED_KEYS for v in (data or {}).get(key) or []
                if isinstance(v, dict) and MARK in v]
