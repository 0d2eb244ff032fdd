"""Backup and restore: a round trip through every app's records, the raw search tables, the hash-chained
logs and the uploaded files, compared table by table and row by row; refusals of damaged and foreign archives.

Runs on the configured database (SQLite by default, PostgreSQL with DATABASE_URL, as in CI): on SQLite the
database is emptied by a flush (restore into an existing database), on PostgreSQL its schema is dropped
(restore into an empty database).
"""
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse

from core import backup
from core.search import search_ids
from registry.models import Person
from tests.test_isolation import BUILDERS

pytestmark = pytest.mark.django_db(transaction=True)


def _tables() -> dict[str, list]:
    """Every table of the database, every row, in a stable order."""
    out = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            out[table] = sorted((tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                                 for row in cursor.fetchall()), key=repr)
    return out


def _files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def media(settings, tmp_path):
    """MEDIA_ROOT in the test's own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def filled(users, tree, media):
    """One record of every scoped model of every app (the isolation test's builders, through the services)."""
    by = users["zj_admin"]
    for build in BUILDERS.values():
        build(tree["sc"], by, "杭州")
    return media


def _wipe(media: Path):
    """Empty the database (SQLite: flush, tables kept; PostgreSQL: schema dropped) and mess up MEDIA_ROOT."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        connection.close()
    else:
        call_command("flush", "--noinput", "--include-logs", verbosity=0)
    for p in media.rglob("*"):
        if p.is_file():
            p.unlink()
    (media / "stray.txt").write_text("not in the backup")


def test_round_trip_restores_every_table_row_by_row_and_the_files(filled, users, tmp_path):
    before = _tables()
    files = _files(filled)
    assert files, "the builders upload attachments and photos"
    assert before["core_searchentry"] and before["auditlog_logentry"]
    assert sum(1 for rows in before.values() if rows) > 60  # every app has rows

    archive = tmp_path / "backups" / "b.tar.gz"
    out = io.StringIO()
    call_command("backup", str(archive), "--format", "json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["rows"] == sum(len(r) for r in before.values()) and summary["media_files"] == len(files)

    manifest = backup.read_manifest(archive)
    assert manifest["migrations"] == backup.code_migrations()
    assert manifest["tables"] == {t: len(rows) for t, rows in before.items()}

    _wipe(filled)
    assert _tables() != before

    out = io.StringIO()
    call_command("restore", str(archive), "--noinput", "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["count_mismatches"] == {}

    after = _tables()
    assert set(after) == set(before)
    for table, rows in before.items():
        assert after[table] == rows, table
    assert _files(filled) == files  # the stray file is gone, every upload is back

    # The search index and the hash-chained logs work at once.
    assert search_ids(Person.objects.all(), users["zj_admin"], "杭州隔离人员")
    out = io.StringIO()
    call_command("audit", "verify", "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["ok"] is True


def test_a_session_opened_after_the_backup_does_not_outlive_the_restore(users, media, tmp_path):
    archive = tmp_path / "b.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    browser = Client()
    browser.force_login(users["hz_staff"])
    assert browser.get(reverse("home")).status_code == 200
    call_command("restore", str(archive), "--noinput", stdout=io.StringIO())
    assert browser.get(reverse("home")).status_code == 302  # to the login page


def _rewrite(src: Path, dst: Path, change_manifest=None, change_member=None, extra=None):
    """Copy an archive, changing its manifest or one member's bytes, adding the members `extra` (name: bytes)."""
    with tarfile.open(src, "r:gz") as tin, tarfile.open(dst, "w:gz") as tout:
        for member in tin.getmembers():
            data = tin.extractfile(member).read()
            if member.name == "manifest.json" and change_manifest:
                manifest = json.loads(data)
                change_manifest(manifest)
                data = json.dumps(manifest).encode()
            elif member.name != "manifest.json" and change_member:
                data = change_member(member.name, data)
            member.size = len(data)
            tout.addfile(member, io.BytesIO(data))
        for name, data in (extra or {}).items():
            member = tarfile.TarInfo(name)
            member.size = len(data)
            tout.addfile(member, io.BytesIO(data))


def test_restore_refuses_another_migration_state_and_a_damaged_archive(users, tree, media, tmp_path):
    (media / "a.txt").write_text("upload")
    good = tmp_path / "good.tar.gz"
    call_command("backup", str(good), stdout=io.StringIO())
    Person.objects.create(org=tree["hz"], name="备份之后", category="relative")

    older = tmp_path / "older.tar.gz"
    _rewrite(good, older, change_manifest=lambda m: m["migrations"].remove("privacy.0001_initial"))
    with pytest.raises(CommandError, match="another migration state") as e:
        call_command("restore", str(older), "--noinput", stdout=io.StringIO())
    assert "privacy.0001_initial" in str(e.value)

    newer = tmp_path / "newer.tar.gz"
    _rewrite(good, newer, change_manifest=lambda m: m["migrations"].append("registry.9999_future"))
    with pytest.raises(CommandError, match="unknown to this code: registry.9999_future"):
        call_command("restore", str(newer), "--noinput", stdout=io.StringIO())

    damaged = tmp_path / "damaged.tar.gz"
    _rewrite(good, damaged, change_member=lambda name, data: data + b"x" if name == "media/a.txt" else data)
    with pytest.raises(CommandError, match="checksum mismatch: media/a.txt"):
        call_command("restore", str(damaged), "--noinput", stdout=io.StringIO())

    escaping = tmp_path / "escaping.tar.gz"  # a member listed in the manifest, but outside the extraction
    _rewrite(good, escaping, change_manifest=lambda m: m["checksums"].update({"../../escaped.txt": "0"}),
             extra={"../../escaped.txt": b"outside"})
    with pytest.raises(CommandError, match="unexpected member in the backup: ../../escaped.txt"):
        call_command("restore", str(escaping), "--noinput", stdout=io.StringIO())

    foreign = tmp_path / "foreign.tar.gz"
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    _rewrite(good, foreign, change_manifest=lambda m: m.update(vendor=other))
    with pytest.raises(CommandError, match=f"backup is of a {other} database"):
        call_command("restore", str(foreign), "--noinput", stdout=io.StringIO())

    (tmp_path / "junk.tar.gz").write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="not a Shanghui backup"):
        call_command("restore", str(tmp_path / "junk.tar.gz"), "--noinput", stdout=io.StringIO())

    # Nothing was touched by the refusals.
    assert Person.objects.filter(name="备份之后").exists()
    assert (media / "a.txt").read_text() == "upload"
    out = io.StringIO()
    call_command("restore", str(good), "--check", "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["ok"] is True
