"""`manage.py audit verify|prune|export`: the hash-chained audit and security logs (core/chain.py).

    audit verify [--log audit|security] [--format text|json]   exit status 1 at the first broken entry
    audit prune [--days N] [--log …] [--format …]               N ≥ 180, default AUDIT_RETENTION_DAYS
    audit export --log audit|security [--since DATE] [--out FILE] [--format jsonl]
"""
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from core import chain


def _since(value: str | None) -> dt.datetime | None:
    """An ISO date or date-time; a date means its midnight in the current time zone."""
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(_("--since：“%(value)s”不是日期（应为 2026-01-31 或 2026-01-31T08:00）")
                               % {"value": value})
        moment = dt.datetime.combine(day, dt.time())
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    """Verify, prune or export the hash-chained audit and security logs."""

    help = "Verify, prune (retention) or export the hash-chained audit and security logs."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="check every chain; exit status 1 at the first broken entry")
        prune = sub.add_parser("prune", help="delete entries older than the retention period")
        prune.add_argument("--days", type=int, help="keep this many days (≥ 180; default AUDIT_RETENTION_DAYS)")
        for p in (verify, prune):
            p.add_argument("--log", choices=sorted(chain.LOGS), help="only this log (default: both)")
            p.add_argument("--format", choices=["text", "json"], default="text")
        export = sub.add_parser("export", help="write a log as JSON lines for an external log system")
        export.add_argument("--log", choices=sorted(chain.LOGS), required=True)
        export.add_argument("--since", help="entries linked from this date or date-time on (ISO 8601)")
        export.add_argument("--out", help="file to write (default: standard output)")
        export.add_argument("--format", choices=["jsonl"], default="jsonl")

    def handle(self, *args, action, **options):
        return getattr(self, f"_{action}")(**options)

    def _logs(self, name):
        return [chain.LOGS[name]] if name else list(chain.LOGS.values())

    def _verify(self, log, format, **options):
        reports = [chain.verify(lg) for lg in self._logs(log)]
        if format == "json":
            self.stdout.write(json.dumps({"ok": all(r.ok for r in reports),
                                          "logs": [r.as_dict() for r in reports]}, ensure_ascii=False))
        else:
            for r in reports:
                if r.ok:
                    self.stdout.write(_("%(log)s：%(n)s 条完好（序号 %(first)s–%(last)s）")
                                      % {"log": r.log, "n": r.checked, "first": r.first_seq or "-",
                                         "last": r.last_seq or "-"})
        broken = [r for r in reports if not r.ok]
        if broken:
            b = broken[0].broken
            raise CommandError(_("%(log)s 日志链断裂：序号 %(seq)s，记录 %(entry)s：%(problem)s")
                               % {"log": broken[0].log, "seq": b.seq if b.seq is not None else "-",
                                  "entry": b.entry_id if b.entry_id is not None else "-", "problem": b.problem})

    def _prune(self, log, format, days, **options):
        try:
            days = chain.retention_days() if days is None else days
            results = [chain.prune(lg, days) for lg in self._logs(log)]
        except ValueError as e:
            raise CommandError(str(e)) from None
        if format == "json":
            self.stdout.write(json.dumps({"days": days, "logs": results}, ensure_ascii=False))
            return
        for r in results:
            self.stdout.write(_("%(log)s：删除 %(n)s 条 %(before)s 之前的记录") % {
                "log": r["log"], "n": r["deleted"], "before": r["before"]})

    def _export(self, log, since, out, format, **options):
        stream = open(out, "w", encoding="utf-8") if out else self.stdout  # noqa: SIM115
        n = 0
        try:
            for row in chain.export(chain.LOGS[log], _since(since)):
                stream.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
                n += 1
        finally:
            if out:
                stream.close()
        if out:
            self.stdout.write(_("%(n)s 条 → %(out)s") % {"n": n, "out": out})
