"""`flush [--include-logs]`: Django's flush, which empties the append-only log tables only when asked.

The triggers of core/chain.py refuse DELETE (SQLite) and TRUNCATE (PostgreSQL) on the audit and
security logs, so a plain flush of a database that has logs fails with "… is append-only".
`--include-logs` (or the setting AUDIT_FLUSH_ALLOWED, on in the test settings, since Django's
test runner flushes after every transactional test) runs it inside `core.chain.unlocked()`.
"""
from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.utils.translation import gettext as _

from core import chain


class Command(flush.Command):
    """Django's flush, run inside `core.chain.unlocked()` with --include-logs or AUDIT_FLUSH_ALLOWED."""

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--include-logs", action="store_true",
                            help="also empty the append-only audit and security logs")

    def handle(self, **options):
        """Flush, opening the log tables' gate only when asked to."""
        if not (options.get("include_logs") or getattr(settings, "AUDIT_FLUSH_ALLOWED", False)):
            using = options["database"]
            if any(log.model.objects.using(using).exists() for log in chain.LOGS.values()):
                raise CommandError(_("审计日志和安全日志是只追加的（append-only），flush 不能删除它们；"
                                     "确需清空整个数据库（测试或基准数据库）请加 --include-logs。"))
            return super().handle(**options)
        with chain.unlocked(options["database"]):
            return super().handle(**options)
