"""Audit integrity: the audit and security logs as hash chains, append-only in the database.

Every new entry of a chained log (django-auditlog's LogEntry, accounts' SecurityEvent) gets a
`core.ChainLink` in the same transaction: its sequence number in that log, the hash of the
previous link and its own hash, SHA-256 over the previous hash and the entry's canonical JSON
(every column). Appending is serialised (PostgreSQL: a transaction-level advisory lock; SQLite:
its single writer), so two writers cannot fork a chain.

Triggers (installed by migration core 0003 and again after every `migrate`) refuse UPDATE and
DELETE on the log tables and the chain tables. Two exceptions:

* the user column (LogEntry.actor, SecurityEvent.user) may be set to NULL and nothing else
  changed, which is what deleting a user does (on_delete=SET_NULL). The link keeps the user id
  that was hashed (`ChainLink.user_ref`), so the entry still verifies, and `verify` checks that
  the user really is gone;
* `prune` (retention) deletes the oldest entries inside `unlocked()`, which opens a gate only
  its own transaction can see (PostgreSQL: `SET LOCAL shanghui.prune`; SQLite: a row in the
  unmanaged table `shanghui_chain_gate`), and records a `core.ChainCheckpoint` so verification
  starts from the last pruned hash.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

GENESIS = "0" * 64
MIN_RETENTION_DAYS = 180
ADVISORY_LOCK = 0x5348_4348  # "SHCH": one lock for every chain, so appends never deadlock
GATE_TABLE = "shanghui_chain_gate"


@dataclass(frozen=True)
class ChainedLog:
    """One chained log: its name, model label and the user column a user deletion may clear."""

    name: str
    model_label: str
    user_field: str

    @property
    def model(self):
        """The log's model class."""
        return apps.get_model(self.model_label)


LOGS = {
    "audit": ChainedLog("audit", "auditlog.LogEntry", "actor"),
    "security": ChainedLog("security", "accounts.SecurityEvent", "user"),
}


def log_of(model) -> ChainedLog | None:
    """The chained log kept in `model`'s table, if any."""
    label = model._meta.label
    return next((log for log in LOGS.values() if log.model_label == label), None)


def retention_days() -> int:
    """Days the logs are kept (AUDIT_RETENTION_DAYS, default 365); refuses fewer than 180."""
    days = int(getattr(settings, "AUDIT_RETENTION_DAYS", 365))
    if days < MIN_RETENTION_DAYS:
        raise ValueError(_("AUDIT_RETENTION_DAYS 为 %(days)s 天，少于法定的最少 %(min)s 天")
                         % {"days": days, "min": MIN_RETENTION_DAYS})
    return days


# --- canonical form and hashing ---------------------------------------------------------------


def _plain(field, value):
    """`value` of `field` as stored and read back, in a JSON-able, backend-independent form."""
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return json.loads(json.dumps(value, cls=field.encoder))
    if isinstance(field, models.DateTimeField):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, dt.UTC)
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    value = field.to_python(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def _columns(log: ChainedLog):
    """The entry's concrete fields other than the user column (hashed through the link)."""
    user_attname = log.model._meta.get_field(log.user_field).attname
    return [f for f in log.model._meta.concrete_fields if f.attname != user_attname]


def canonical(log: ChainedLog, row: dict, user_ref) -> dict:
    """The entry as hashed: every column (by attname) with the user id recorded in its link."""
    data = {f.attname: _plain(f, row[f.attname]) for f in _columns(log)}
    data[log.model._meta.get_field(log.user_field).attname] = user_ref
    return data


def link_hash(log: ChainedLog, seq: int, prev_hash: str, data: dict) -> str:
    """SHA-256 over the previous hash, the log, the sequence number and the entry's canonical JSON."""
    body = json.dumps({"log": log.name, "seq": seq, "entry": data}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


# --- appending --------------------------------------------------------------------------------


def _lock(using: str) -> None:
    """Serialise appends to every chain until the transaction ends (SQLite's writer lock already does)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])


def append(log: ChainedLog, entry, using: str = "default"):
    """Link a new `entry` of `log` to the end of its chain, in the current transaction."""
    from core.models import ChainLink

    row = {f.attname: f.value_from_object(entry) for f in log.model._meta.concrete_fields}
    user_ref = row[log.model._meta.get_field(log.user_field).attname]
    with transaction.atomic(using=using, savepoint=False):
        _lock(using)
        last = ChainLink.objects.using(using).filter(log=log.name).order_by("-seq").values("seq", "hash").first()
        if last is None:
            checkpoint = latest_checkpoint(log, using)
            last = {"seq": checkpoint.seq, "hash": checkpoint.hash} if checkpoint else {"seq": 0, "hash": GENESIS}
        seq = last["seq"] + 1
        return ChainLink.objects.using(using).create(
            log=log.name, seq=seq, entry_id=entry.pk, user_ref=user_ref, prev_hash=last["hash"],
            hash=link_hash(log, seq, last["hash"], canonical(log, row, user_ref)),
        )


def _on_save(sender, instance, created, raw=False, using="default", **kwargs):
    """post_save: chain every new entry (loaddata/restore brings its links along, so raw saves are skipped)."""
    log = log_of(sender)
    if created and not raw and log is not None:
        append(log, instance, using)


def check_retention(app_configs=None, **kwargs):
    """System check: AUDIT_RETENTION_DAYS below 180 days is an error (`manage.py check`, every start)."""
    from django.core import checks

    try:
        retention_days()
    except (TypeError, ValueError) as e:
        return [checks.Error(str(e), hint=_("把 AUDIT_RETENTION_DAYS 设为 180 或更多（默认 365）。"),
                             id="core.E101")]
    return []


def connect() -> None:
    """Chain new entries of every chained log, keep the triggers installed after `migrate`, check retention."""
    from django.core import checks
    from django.db.models.signals import post_migrate, post_save

    checks.register(check_retention, checks.Tags.security)

    for log in LOGS.values():
        post_save.connect(_on_save, sender=log.model, dispatch_uid=f"core.chain.{log.name}")
    post_migrate.connect(_after_migrate, sender=apps.get_app_config("core"), dispatch_uid="core.chain.triggers")


def latest_checkpoint(log: ChainedLog, using: str = "default"):
    """The newest checkpoint left by pruning `log`, or None."""
    from core.models import ChainCheckpoint

    return ChainCheckpoint.objects.using(using).filter(log=log.name).order_by("-seq").first()


# --- verification -----------------------------------------------------------------------------


@dataclass
class Break:
    """The first place where a chain does not hold, and why."""

    seq: int | None
    entry_id: int | None
    problem: str

    def as_dict(self) -> dict:
        """JSON-able form."""
        return {"seq": self.seq, "entry_id": self.entry_id, "problem": self.problem}


@dataclass
class Report:
    """The outcome of verifying one log."""

    log: str
    checked: int
    first_seq: int | None
    last_seq: int | None
    broken: Break | None

    @property
    def ok(self) -> bool:
        """Whether the whole chain held."""
        return self.broken is None

    def as_dict(self) -> dict:
        """JSON-able form."""
        return {"log": self.log, "ok": self.ok, "checked": self.checked, "first_seq": self.first_seq,
                "last_seq": self.last_seq, "first_broken": self.broken.as_dict() if self.broken else None}


def _links(log: ChainedLog, from_seq: int, using: str, chunk: int = 2000) -> Iterator[tuple]:
    """(link, entry row or None) in sequence order from `from_seq`, fetched in chunks."""
    from core.models import ChainLink

    model = log.model
    attnames = [f.attname for f in model._meta.concrete_fields]
    after = from_seq - 1
    while True:
        links = list(ChainLink.objects.using(using).filter(log=log.name, seq__gt=after).order_by("seq")[:chunk])
        if not links:
            return
        rows = {r[model._meta.pk.attname]: r for r in
                model.objects.using(using).filter(pk__in=[lk.entry_id for lk in links]).values(*attnames)}
        for link in links:
            yield link, rows.get(link.entry_id)
        after = links[-1].seq


def verify(log: ChainedLog, using: str = "default") -> Report:
    """Walk `log`'s chain from its last checkpoint and name the first entry or link that does not hold."""
    from core.models import ChainLink

    checkpoint = latest_checkpoint(log, using)
    prev, expected = (checkpoint.hash, checkpoint.seq + 1) if checkpoint else (GENESIS, 1)
    first_seq, checked = expected, 0
    user_model = log.model._meta.get_field(log.user_field).related_model
    user_attname = log.model._meta.get_field(log.user_field).attname
    report = Report(log.name, 0, None, None, None)

    def broken(seq, entry_id, problem):
        report.checked, report.broken = checked, Break(seq, entry_id, problem)
        return report

    for link, row in _links(log, expected, using):
        if link.seq != expected:
            return broken(expected, None, _("链条缺少第 %(seq)s 号（日志记录或其链接被删除）") % {"seq": expected})
        if link.prev_hash != prev:
            return broken(link.seq, link.entry_id, _("链接的前一哈希与上一条不符（链接被改动）"))
        if row is None:
            return broken(link.seq, link.entry_id, _("日志记录已被删除"))
        if link_hash(log, link.seq, prev, canonical(log, row, link.user_ref)) != link.hash:
            return broken(link.seq, link.entry_id, _("日志记录内容已被改动（哈希不符）"))
        current_user = row[user_attname]
        if current_user != link.user_ref and (
            current_user is not None or user_model.objects.using(using).filter(pk=link.user_ref).exists()
        ):
            return broken(link.seq, link.entry_id, _("日志记录的用户已被改动"))
        prev, expected, checked = link.hash, expected + 1, checked + 1
        report.last_seq = link.seq
    report.checked = checked
    report.first_seq = first_seq if checked else None
    unlinked = (log.model.objects.using(using)
                .exclude(pk__in=ChainLink.objects.using(using).filter(log=log.name).values("entry_id"))
                .order_by("pk").values_list("pk", flat=True).first())
    if unlinked is not None:
        return broken(None, unlinked, _("日志记录不在链条中（绕过 Shanghui 写入）"))
    missing = missing_triggers(using)
    if missing:
        return broken(None, None, _("缺少只追加触发器：%(tables)s") % {"tables": ", ".join(missing)})
    return report


# --- pruning ----------------------------------------------------------------------------------


def prune(log: ChainedLog, days: int, using: str = "default", chunk: int = 5000) -> dict:
    """Delete the entries of `log` older than `days` (≥ 180) from the start of its chain, leaving checkpoints.

    Works in chunks, one transaction each, so an interrupted prune leaves a chain that verifies.
    """
    from core.audit import log_action
    from core.models import ChainCheckpoint, ChainLink

    if days < MIN_RETENTION_DAYS:
        raise ValueError(_("保留天数 %(days)s 少于法定的最少 %(min)s 天") % {"days": days, "min": MIN_RETENTION_DAYS})
    cutoff = timezone.now() - dt.timedelta(days=days)
    kept = ChainLink.objects.using(using).filter(log=log.name, created_at__gte=cutoff).order_by("seq").first()
    old = ChainLink.objects.using(using).filter(log=log.name, created_at__lt=cutoff)
    if kept is not None:
        old = old.filter(seq__lt=kept.seq)
    deleted, checkpoints = 0, []
    while True:
        with transaction.atomic(using=using):
            _lock(using)
            links = list(old.order_by("seq").values("seq", "entry_id", "hash")[:chunk])
            if not links:
                break
            with unlocked(using):
                log.model.objects.using(using).filter(pk__in=[lk["entry_id"] for lk in links])._raw_delete(using)
                ChainLink.objects.using(using).filter(log=log.name, seq__lte=links[-1]["seq"])._raw_delete(using)
            checkpoint = ChainCheckpoint.objects.using(using).create(
                log=log.name, seq=links[-1]["seq"], hash=links[-1]["hash"], pruned=len(links), before=cutoff)
            deleted += len(links)
            checkpoints.append(checkpoint)
    if checkpoints:
        log_action(checkpoints[-1], "core.audit.pruned", by=None,
                   data={"log": log.name, "deleted": deleted, "before": cutoff.isoformat(), "days": days})
    return {"log": log.name, "deleted": deleted, "before": cutoff.isoformat(),
            "checkpoint_seq": checkpoints[-1].seq if checkpoints else None}


# --- export -----------------------------------------------------------------------------------


def export(log: ChainedLog, since: dt.datetime | None = None, using: str = "default") -> Iterator[dict]:
    """The entries of `log` linked since `since`, in chain order, each with its hash and previous hash."""
    from core.models import ChainLink

    start = 1
    if since is not None:
        first = (ChainLink.objects.using(using).filter(log=log.name, created_at__gte=since)
                 .order_by("seq").values_list("seq", flat=True).first())
        if first is None:
            return
        start = first
    for link, row in _links(log, start, using):
        yield {"log": log.name, "seq": link.seq, "entry_id": link.entry_id, "linked_at": _plain(
            ChainLink._meta.get_field("created_at"), link.created_at), "prev_hash": link.prev_hash,
            "hash": link.hash, "entry": canonical(log, row, link.user_ref) if row is not None else None}


# --- database triggers ------------------------------------------------------------------------

# table → the column a user deletion may set to NULL ("" for none)
def _protected(using: str) -> dict[str, str]:
    from core.models import ChainCheckpoint, ChainLink

    tables = {log.model._meta.db_table: log.model._meta.get_field(log.user_field).column for log in LOGS.values()}
    tables[ChainLink._meta.db_table] = ""
    tables[ChainCheckpoint._meta.db_table] = ""
    return tables


_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION shanghui_append_only() RETURNS trigger AS $$
DECLARE
    nullable text := TG_ARGV[0];
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
        IF current_setting('shanghui.prune', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'shanghui: % is append-only: % refused', TG_TABLE_NAME, lower(TG_OP)
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF nullable <> '' AND (to_jsonb(NEW) ->> nullable) IS NULL
       AND (to_jsonb(NEW) - nullable) = (to_jsonb(OLD) - nullable) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'shanghui: % is append-only: update refused', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql
"""


def _trigger_names(table: str) -> tuple[str, str]:
    """The triggers guarding `table`: (update, delete) on SQLite, (row, truncate) on PostgreSQL."""
    return f"{table}_append_only_upd", f"{table}_append_only_del"


def install_triggers(using: str = "default") -> None:
    """(Re)create the append-only triggers on every chained table that exists (idempotent)."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION)
        elif connection.vendor == "sqlite":
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {GATE_TABLE} (name TEXT PRIMARY KEY)")
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            raise NotImplementedError(connection.vendor)
        for table, nullable in _protected(using).items():
            if table not in existing:
                continue
            upd, dele = _trigger_names(table)
            q = connection.ops.quote_name
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {upd} ON {q(table)}")
                cursor.execute(f"DROP TRIGGER IF EXISTS {dele} ON {q(table)}")
                cursor.execute(f"CREATE TRIGGER {upd} BEFORE UPDATE OR DELETE ON {q(table)} FOR EACH ROW "
                               f"EXECUTE FUNCTION shanghui_append_only('{nullable}')")
                cursor.execute(f"CREATE TRIGGER {dele} BEFORE TRUNCATE ON {q(table)} FOR EACH STATEMENT "
                               f"EXECUTE FUNCTION shanghui_append_only('')")
                continue
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            same = " AND ".join(f"OLD.{q(c)} IS NEW.{q(c)}" for c in columns if c != nullable)
            allowed = f"NEW.{q(nullable)} IS NULL AND {same}" if nullable else "0"
            cursor.execute(f"DROP TRIGGER IF EXISTS {upd}")
            cursor.execute(f"DROP TRIGGER IF EXISTS {dele}")
            cursor.execute(f"CREATE TRIGGER {upd} BEFORE UPDATE ON {q(table)} FOR EACH ROW WHEN NOT ({allowed}) "
                           f"BEGIN SELECT RAISE(ABORT, 'shanghui: {table} is append-only: update refused'); END")
            cursor.execute(f"CREATE TRIGGER {dele} BEFORE DELETE ON {q(table)} FOR EACH ROW "
                           f"WHEN NOT EXISTS (SELECT 1 FROM {GATE_TABLE}) "
                           f"BEGIN SELECT RAISE(ABORT, 'shanghui: {table} is append-only: delete refused'); END")


def missing_triggers(using: str = "default") -> list[str]:
    """Chained tables whose append-only triggers are missing (a table rebuilt by a migration drops them)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        have = {r[0] for r in cursor.fetchall()}
    return [t for t in _protected(using) if not set(_trigger_names(t)) <= have]


def seal_existing(using: str = "default") -> int:
    """Chain the entries written before the chain existed (a log with no link and no checkpoint yet)."""
    from core.models import ChainCheckpoint, ChainLink

    sealed = 0
    for log in LOGS.values():
        if (ChainLink.objects.using(using).filter(log=log.name).exists()
                or ChainCheckpoint.objects.using(using).filter(log=log.name).exists()):
            continue
        for entry in log.model.objects.using(using).order_by("pk").iterator(chunk_size=2000):
            append(log, entry, using)
            sealed += 1
    return sealed


def _after_migrate(sender, using="default", **kwargs):
    """post_migrate: reinstall the triggers (a migration that rebuilds a SQLite table drops them)
    and chain the entries of a log that has no chain yet (an upgraded installation)."""
    from core.models import ChainLink

    if ChainLink._meta.db_table not in connections[using].introspection.table_names():
        return
    install_triggers(using)
    seal_existing(using)


@contextlib.contextmanager
def unlocked(using: str = "default"):
    """Let this transaction delete from the chained tables (retention pruning, test flush, restore).

    PostgreSQL: a transaction-local setting the trigger checks; SQLite: a row in the gate table,
    written inside the transaction so no other connection sees it.
    """
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        # On an error the transaction rolls back, which closes the gate too.
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL shanghui.prune = 'on'")
            yield
            cursor.execute("SET LOCAL shanghui.prune = 'off'")
        else:
            cursor.execute(f"INSERT OR IGNORE INTO {GATE_TABLE} (name) VALUES ('open')")
            yield
            cursor.execute(f"DELETE FROM {GATE_TABLE}")
