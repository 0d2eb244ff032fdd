"""Audit integrity: the audit and security logs are hash chains, append-only in the database.

An attacker is simulated by switching the triggers off (as a database owner could) and editing
or deleting rows; `audit verify` must then name the first broken entry.
"""
import contextlib
import datetime as dt
import io
import json

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, ManagementUtility, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import SecurityEvent
from accounts.security import log_event
from core import chain
from core.models import ChainCheckpoint, ChainLink
from registry import services as reg_services

AUDIT, SECURITY = chain.LOGS["audit"], chain.LOGS["security"]


@contextlib.contextmanager
def _triggers_off():
    """What a database owner could do: drop the append-only triggers (restored afterwards)."""
    with connection.cursor() as cursor:
        for table in chain._protected("default"):
            upd, dele = chain._trigger_names(table)
            if connection.vendor == "postgresql":
                cursor.execute(f'DROP TRIGGER IF EXISTS {upd} ON "{table}"')
                cursor.execute(f'DROP TRIGGER IF EXISTS {dele} ON "{table}"')
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {upd}")
                cursor.execute(f"DROP TRIGGER IF EXISTS {dele}")
    yield
    chain.install_triggers()


def _tamper(sql, params=()):
    with _triggers_off(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _write(users, tree, n=3):
    """n audit entries through a real service and n security events through log_event."""
    for i in range(n):
        reg_services.create_person(by=users["hz_admin"], org=tree["sc"], name=f"链条测试{i}", category="relative")
        log_event("login", user=users["hz_staff"], attempt=i)


def _verify_json(*args):
    out = io.StringIO()
    try:
        call_command("audit", "verify", "--format", "json", *args, stdout=out)
        failed = None
    except CommandError as e:
        failed = str(e)
    return json.loads(out.getvalue()), failed


def _refused(callable_):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        callable_()


def test_every_new_entry_is_linked_in_order_and_verifies(users, tree):
    _write(users, tree)
    for log in (AUDIT, SECURITY):
        links = list(ChainLink.objects.filter(log=log.name).order_by("seq"))
        assert [lk.seq for lk in links] == list(range(1, len(links) + 1))
        assert links[0].prev_hash == chain.GENESIS
        assert all(b.prev_hash == a.hash for a, b in itertools_pairwise(links))
        assert {lk.entry_id for lk in links} == set(log.model.objects.values_list("pk", flat=True))
    assert SecurityEvent.objects.count() >= 3 and LogEntry.objects.count() >= 3
    body, failed = _verify_json()
    assert failed is None and body["ok"] is True
    assert {r["log"]: r["checked"] for r in body["logs"]} == {
        "audit": LogEntry.objects.count(), "security": SecurityEvent.objects.count()}


def itertools_pairwise(items):
    return zip(items, items[1:], strict=False)


def test_updates_and_deletes_are_refused_by_the_database(users, tree):
    _write(users, tree, 1)
    entry, event = LogEntry.objects.first(), SecurityEvent.objects.first()
    link, other = ChainLink.objects.first(), users["hz_viewer"]
    _refused(lambda: LogEntry.objects.filter(pk=entry.pk).update(object_repr="改过"))
    _refused(lambda: LogEntry.objects.filter(pk=entry.pk).update(actor=other))
    _refused(lambda: LogEntry.objects.filter(pk=entry.pk).update(actor=None, object_repr="改过"))
    _refused(lambda: LogEntry.objects.filter(pk=entry.pk).delete())
    _refused(lambda: SecurityEvent.objects.filter(pk=event.pk).update(kind="logout"))
    _refused(lambda: SecurityEvent.objects.filter(pk=event.pk).delete())
    _refused(lambda: ChainLink.objects.filter(pk=link.pk).update(hash="0" * 64))
    _refused(lambda: ChainLink.objects.filter(pk=link.pk).delete())
    _refused(lambda: event.save())  # a save of an existing entry is an UPDATE of every column
    assert not chain.missing_triggers()
    assert _verify_json()[1] is None


def test_a_flush_without_include_logs_is_refused(users, tree, settings):
    _write(users, tree, 1)
    settings.AUDIT_FLUSH_ALLOWED = False
    with pytest.raises(CommandError, match="append-only"):
        call_command("flush", "--noinput", verbosity=0, inhibit_post_migrate=True)
    assert LogEntry.objects.exists()


@pytest.mark.parametrize("what", ["audit", "security"])
def test_an_edited_entry_is_named(what, users, tree):
    _write(users, tree)
    log = chain.LOGS[what]
    link = ChainLink.objects.get(log=what, seq=2)
    table = log.model._meta.db_table
    column = "object_repr" if what == "audit" else "path"
    _tamper(f"UPDATE {table} SET {column} = %s WHERE id = %s", ["篡改", link.entry_id])
    body, failed = _verify_json("--log", what)
    assert body["ok"] is False
    assert body["logs"][0]["first_broken"] == {"seq": 2, "entry_id": link.entry_id,
                                               "problem": "日志记录内容已被改动（哈希不符）"}
    assert f"序号 2，记录 {link.entry_id}" in failed


def test_a_deleted_entry_and_a_deleted_link_are_named(users, tree):
    _write(users, tree)
    first, second = ChainLink.objects.filter(log="security").order_by("seq")[1:3]
    _tamper("DELETE FROM accounts_securityevent WHERE id = %s", [first.entry_id])
    report = chain.verify(SECURITY)
    assert (report.broken.seq, report.broken.entry_id, report.broken.problem) == (
        first.seq, first.entry_id, "日志记录已被删除")
    # Removing the link as well leaves a gap in the sequence.
    _tamper("DELETE FROM core_chainlink WHERE id = %s", [first.pk])
    report = chain.verify(SECURITY)
    assert report.broken.seq == first.seq and "缺少" in report.broken.problem
    # Renumbering the later links to close the gap breaks the previous-hash chain instead.
    _tamper("UPDATE core_chainlink SET seq = seq - 1 WHERE log = 'security' AND seq > %s", [first.seq])
    report = chain.verify(SECURITY)
    assert (report.broken.seq, report.broken.entry_id) == (first.seq, second.entry_id)
    assert "前一哈希" in report.broken.problem
    assert chain.verify(AUDIT).ok


def test_an_entry_written_around_the_chain_is_named(users, tree):
    _write(users, tree, 1)
    SecurityEvent.objects.bulk_create([SecurityEvent(kind="login", username="ghost")])  # no post_save
    ghost = SecurityEvent.objects.get(username="ghost")
    report = chain.verify(SECURITY)
    assert report.broken.entry_id == ghost.pk and "不在链条" in report.broken.problem


def test_a_rewritten_chain_tail_is_still_named_at_the_edit(users, tree):
    """Recomputing the edited link's hash moves the break to the next link, never hides it."""
    _write(users, tree)
    link = ChainLink.objects.get(log="audit", seq=1)
    _tamper("UPDATE auditlog_logentry SET object_repr = %s WHERE id = %s", ["篡改", link.entry_id])
    row = LogEntry.objects.filter(pk=link.entry_id).values().get()
    forged = chain.link_hash(AUDIT, 1, chain.GENESIS, chain.canonical(AUDIT, row, link.user_ref))
    _tamper("UPDATE core_chainlink SET hash = %s WHERE id = %s", [forged, link.pk])
    report = chain.verify(AUDIT)
    assert report.broken.seq == 2 and "前一哈希" in report.broken.problem


def test_deleting_a_user_keeps_the_chain_and_a_changed_actor_is_named(users, tree):
    _write(users, tree)
    staff_events = list(SecurityEvent.objects.filter(user=users["hz_staff"]).values_list("pk", flat=True))
    admin_entries = list(LogEntry.objects.filter(actor=users["hz_admin"]).values_list("pk", flat=True))
    assert staff_events and admin_entries
    users["hz_staff"].delete()  # SET_NULL on the security log: the one update the triggers allow
    users["hz_admin"].delete()  # SET_NULL on the audit log's actor
    assert not SecurityEvent.objects.filter(pk__in=staff_events, user__isnull=False).exists()
    assert not LogEntry.objects.filter(pk__in=admin_entries, actor__isnull=False).exists()
    assert chain.verify(AUDIT).ok and chain.verify(SECURITY).ok
    # Pinning an entry on someone else is named.
    entry = admin_entries[0]
    _tamper("UPDATE auditlog_logentry SET actor_id = %s WHERE id = %s", [users["zj_admin"].pk, entry])
    report = chain.verify(AUDIT)
    assert report.broken.entry_id == entry and "用户" in report.broken.problem


def test_clearing_the_user_of_a_living_user_is_named(users, tree):
    _write(users, tree, 1)
    event = SecurityEvent.objects.get(user=users["hz_staff"])
    SecurityEvent.objects.filter(pk=event.pk).update(user=None)  # allowed by the trigger …
    report = chain.verify(SECURITY)
    assert report.broken.entry_id == event.pk and "用户" in report.broken.problem  # … but not by verify


def _age(log, seqs, days):
    """Make the links `seqs` of `log` look `days` old (the link time decides retention)."""
    when = timezone.now() - dt.timedelta(days=days)
    _tamper("UPDATE core_chainlink SET created_at = %s WHERE log = %s AND seq IN ({})".format(
        ",".join("%s" for _ in seqs)), [when, log, *seqs])


def test_prune_keeps_the_retention_period_and_verification_passes_after_it(users, tree, settings):
    _write(users, tree, 4)
    total = SecurityEvent.objects.count()
    _age("security", [1, 2, 3], 400)
    _age("security", [5], 400)  # an old link after a young one is kept: only the start of a chain is pruned
    pruned_ids = list(ChainLink.objects.filter(log="security", seq__lte=3).values_list("entry_id", flat=True))
    out = io.StringIO()
    call_command("audit", "prune", "--log", "security", "--format", "json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["days"] == 365 and result["logs"][0]["deleted"] == 3
    assert not SecurityEvent.objects.filter(pk__in=pruned_ids).exists()
    assert SecurityEvent.objects.count() == total - 3
    checkpoint = ChainCheckpoint.objects.get(log="security")
    assert (checkpoint.seq, checkpoint.pruned) == (3, 3)
    # The prune itself is in the audit log, and both chains still verify; new entries continue the chain.
    assert LogEntry.objects.filter(additional_data__action="core.audit.pruned").exists()
    log_event("logout", user=users["hz_viewer"])
    body, failed = _verify_json()
    assert failed is None and body["ok"]
    assert [r for r in body["logs"] if r["log"] == "security"][0]["first_seq"] == 4
    # Deleting the first kept entry after the checkpoint is named.
    first_kept = ChainLink.objects.get(log="security", seq=4)
    _tamper("DELETE FROM core_chainlink WHERE id = %s", [first_kept.pk])
    assert chain.verify(SECURITY).broken.seq == 4


def test_prune_refuses_less_than_180_days(users, tree, settings):
    with pytest.raises(CommandError, match="180"):
        call_command("audit", "prune", "--days", "179")
    settings.AUDIT_RETENTION_DAYS = 100
    with pytest.raises(CommandError, match="AUDIT_RETENTION_DAYS"):
        call_command("audit", "prune")
    with pytest.raises(ValueError, match="180"):
        chain.retention_days()
    assert [e.id for e in chain.check_retention()] == ["core.E101"]
    settings.AUDIT_RETENTION_DAYS = 180
    assert chain.check_retention() == [] and chain.retention_days() == 180


def test_prune_of_a_whole_chain_then_new_entries(users, tree):
    _write(users, tree, 2)
    seqs = list(ChainLink.objects.filter(log="security").values_list("seq", flat=True))
    _age("security", seqs, 200)
    assert chain.prune(SECURITY, 180)["deleted"] == len(seqs)
    assert not ChainLink.objects.filter(log="security").exists()
    log_event("login", user=users["hz_viewer"])
    link = ChainLink.objects.get(log="security")
    assert link.seq == max(seqs) + 1 and link.prev_hash == ChainCheckpoint.objects.get(log="security").hash
    assert chain.verify(SECURITY).ok


def test_export_writes_json_lines_with_the_hashes(users, tree, tmp_path):
    _write(users, tree, 2)
    out = tmp_path / "security.jsonl"
    call_command("audit", "export", "--log", "security", "--out", str(out), stdout=io.StringIO())
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    links = list(ChainLink.objects.filter(log="security").order_by("seq"))
    assert [(r["seq"], r["entry_id"], r["hash"], r["prev_hash"]) for r in rows] == [
        (lk.seq, lk.entry_id, lk.hash, lk.prev_hash) for lk in links]
    assert rows[0]["entry"]["kind"] == "login" and rows[0]["entry"]["detail"] == {"attempt": 0}
    # A receiver can recompute every hash from the exported lines alone.
    prev = chain.GENESIS
    for r in rows:
        assert chain.link_hash(SECURITY, r["seq"], prev, r["entry"]) == r["hash"]
        prev = r["hash"]
    # --since: only what was linked from then on.
    _age("security", [1], 10)
    since = (timezone.now() - dt.timedelta(days=1)).date().isoformat()
    stdout = io.StringIO()
    call_command("audit", "export", "--log", "security", "--since", since, stdout=stdout)
    assert [json.loads(line)["seq"] for line in stdout.getvalue().splitlines()] == [lk.seq for lk in links[1:]]
    with pytest.raises(CommandError, match="--since"):
        call_command("audit", "export", "--log", "security", "--since", "昨天")


def test_existing_entries_are_sealed_once(users, tree):
    _write(users, tree, 1)
    with _triggers_off():
        ChainLink.objects.all().delete()  # as before the upgrade: entries without a chain
    assert chain.seal_existing() == SecurityEvent.objects.count() + LogEntry.objects.count()
    assert chain.seal_existing() == 0
    assert chain.verify(AUDIT).ok and chain.verify(SECURITY).ok


@pytest.mark.django_db(transaction=True)
def test_flush_with_logs_and_concurrent_writers_keep_one_chain(tree, users):
    """Writers in several threads (own connections) never fork a chain; the test flush afterwards succeeds."""
    import threading

    from django.db import close_old_connections

    errors = []

    def writer(i):
        try:
            for j in range(5):
                log_event("login", username=f"thread-{i}-{j}")
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            close_old_connections()
            connection.close()

    # SQLite serialises writers by itself (BEGIN IMMEDIATE) and its shared in-memory test database
    # refuses a second writer outright ("table is locked") instead of waiting: one thread there.
    threads = [threading.Thread(target=writer, args=(i,))
               for i in range(4 if connection.vendor == "postgresql" else 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report = chain.verify(SECURITY)
    assert report.ok and report.checked == SecurityEvent.objects.count() >= 5 * len(threads)
    # The exit status is what a monitoring job sees: 0 while intact, 1 at the first broken entry.
    ManagementUtility(["manage.py", "audit", "verify"]).execute()
    _tamper("UPDATE accounts_securityevent SET username = 'x' WHERE id = %s",
            [ChainLink.objects.get(log="security", seq=3).entry_id])
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "audit", "verify", "--log", "security"]).execute()
    assert exited.value.code == 1
    call_command("flush", "--noinput", verbosity=0)  # AUDIT_FLUSH_ALLOWED in the test settings
    assert not SecurityEvent.objects.exists() and not ChainLink.objects.exists()
    assert not chain.missing_triggers()
