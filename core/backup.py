"""Backup and restore of the whole installation: the database and the uploaded files (MEDIA_ROOT).

One archive (`.tar.gz`) holds
- `manifest.json`: format, Shanghui's version, the database vendor and server version, the applied
  migrations, the row count of every table, and the SHA-256 of every other member;
- the database in its own native form, because each is exact and fast where a portable dump is neither:
  SQLite's online backup API (`sqlite3.Connection.backup`, a consistent page copy taken while the
  site runs, FTS5 index and triggers included) as `database.sqlite3`; PostgreSQL's `pg_dump -Fc`
  (one consistent snapshot; the generated tsvector column, GIN index and triggers come back as they
  were) as `database.pgdump`. Django's `dumpdata` would skip the raw search tables and the log
  triggers and takes minutes per million rows;
- `media/…`: every file under MEDIA_ROOT (attachments, photos, job files).

Restore checks every checksum, refuses a backup of another vendor or another migration state (the
schema would not match the code), then replaces the whole database — an empty one or an existing one
alike: SQLite pages are overwritten by the backup API, PostgreSQL objects are dropped and recreated
by `pg_restore --clean --if-exists` in one transaction — and replaces MEDIA_ROOT's files. The search
entries, the audit and security logs and their hash chain are restored byte for byte, so search works
and `manage.py audit verify` passes at once.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import connection, connections
from django.utils import timezone

from core import search

FORMAT = 1
DB_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """A backup that cannot be made or restored, with a message for the operator."""


def app_version() -> str:
    """Shanghui's version (the installed package's)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("shanghui")
    except PackageNotFoundError:
        return "unknown"


def applied_migrations(using: str = "default") -> list[str]:
    """'app.name' of every migration applied to the database, sorted."""
    from django.db.migrations.recorder import MigrationRecorder

    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connections[using]).applied_migrations())


def code_migrations() -> list[str]:
    """'app.name' of every migration this code ships, sorted."""
    from django.db.migrations.loader import MigrationLoader

    return sorted(f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def table_counts(using: str = "default") -> dict[str, int]:
    """Rows of every table of the database (the search index's raw tables included)."""
    conn = connections[using]
    counts = {}
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _vendor(using: str = "default") -> str:
    vendor = connections[using].vendor
    if vendor not in DB_MEMBER:
        raise BackupError(f"unsupported database {vendor!r}: only SQLite and PostgreSQL")
    return vendor


# --- PostgreSQL's tools -----------------------------------------------------------------------


def _pg_env_args(conn) -> tuple[dict, list[str]]:
    s = conn.settings_dict
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    args = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if s.get(key):
            args += [flag, str(s[key])]
    return env, args


def pg_tool(name: str, conn) -> str:
    """The path of pg_dump or pg_restore, refused when it is older than the server (it could not read it)."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client of the server's major version "
                          f"(Debian: postgresql-client-{conn.pg_version // 10000})")
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+)(?:\.(\d+))?", out)
    major = int(match.group(1)) if match else 0
    server = conn.pg_version // 10000
    if major < server:
        raise BackupError(f"{name} {major} is older than the PostgreSQL server {server}: "
                          f"install postgresql-client-{server}")
    return path


def _run(cmd: list[str], env: dict) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {result.stderr.strip()[-2000:]}")


# --- backup -----------------------------------------------------------------------------------


def _dump_database(target: Path, using: str) -> None:
    conn = connections[using]
    if _vendor(using) == "sqlite":
        conn.ensure_connection()
        dest = sqlite3.connect(target)
        try:
            conn.connection.backup(dest)
        finally:
            dest.close()
        return
    env, args = _pg_env_args(conn)
    _run([pg_tool("pg_dump", conn), "-Fc", "--no-owner", "--no-privileges", *args, "-f", str(target),
          conn.settings_dict["NAME"]], env)


def media_files(root: Path) -> list[Path]:
    """Every file under MEDIA_ROOT, sorted (links and special files left out)."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def create(out: str | Path, using: str = "default") -> dict:
    """Write the backup archive to `out`; returns its manifest."""
    out = Path(out)
    vendor = _vendor(using)
    conn = connections[using]
    if conn.in_atomic_block:
        raise BackupError("backup cannot run inside a transaction")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="shanghui-backup-") as tmp:
        db_file = Path(tmp) / DB_MEMBER[vendor]
        # The counts and the migrations are read around the dump; a write in between shows as a
        # count mismatch at restore, never as silent loss (the dump itself is one snapshot).
        counts = table_counts(using)
        _dump_database(db_file, using)
        files = media_files(media_root)
        manifest = {
            "format": FORMAT,
            "app_version": app_version(),
            "created_at": timezone.now().isoformat(),
            "vendor": vendor,
            "server_version": _server_version(conn),
            "database": conn.settings_dict["NAME"] if vendor == "postgresql" else Path(
                str(conn.settings_dict["NAME"])).name,
            "migrations": applied_migrations(using),
            "tables": counts,
            "media_files": len(files),
            "checksums": {DB_MEMBER[vendor]: _sha256(db_file),
                          **{f"media/{p.relative_to(media_root).as_posix()}": _sha256(p) for p in files}},
        }
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=DB_MEMBER[vendor])
            for p in files:
                tar.add(p, arcname=f"media/{p.relative_to(media_root).as_posix()}")
        partial.replace(out)
    return manifest


def _server_version(conn) -> str:
    if conn.vendor == "sqlite":
        return sqlite3.sqlite_version
    return str(conn.pg_version)


# --- restore ----------------------------------------------------------------------------------


def read_manifest(path: str | Path) -> dict:
    """The manifest of a backup archive (nothing is extracted)."""
    try:
        with tarfile.open(path, "r:*") as tar:
            member = tar.extractfile("manifest.json")
            return json.loads(member.read())
    except (OSError, tarfile.TarError, KeyError, ValueError) as e:
        raise BackupError(f"{path}: not a Shanghui backup ({e})") from None


def check_compatible(manifest: dict, using: str = "default") -> None:
    """Refuse a backup this installation cannot take: another format, vendor or migration state."""
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')} is not {FORMAT}")
    vendor = _vendor(using)
    if manifest.get("vendor") != vendor:
        raise BackupError(f"this backup is of a {manifest.get('vendor')} database; the configured database is "
                          f"{vendor}. Restore it into a {manifest.get('vendor')} database.")
    theirs, ours = set(manifest.get("migrations", [])), set(code_migrations())
    if theirs != ours:
        missing, extra = sorted(ours - theirs), sorted(theirs - ours)
        lines = ["the backup was made at another migration state than this code "
                 f"(backup: Shanghui {manifest.get('app_version')}, code: {app_version()})."]
        if missing:
            lines.append("not applied in the backup: " + ", ".join(missing[:20]) + (" …" if len(missing) > 20 else ""))
        if extra:
            lines.append("unknown to this code: " + ", ".join(extra[:20]) + (" …" if len(extra) > 20 else ""))
        lines.append("Restore with the Shanghui version that made the backup, then upgrade and migrate.")
        raise BackupError("\n".join(lines))


def _extract(path: Path, manifest: dict, into: Path) -> None:
    """Extract every member and check its checksum; refuse unexpected or missing members."""
    expected = dict(manifest["checksums"])
    root = into.resolve()
    with tarfile.open(path, "r:*") as tar:
        for member in tar.getmembers():
            if member.name == "manifest.json":
                continue
            target = (root / member.name).resolve()
            if member.name not in expected or not member.isfile() or not target.is_relative_to(root):
                raise BackupError(f"unexpected member in the backup: {member.name}")
            # Contents only, written by hand: tarfile's extraction filters came in Python 3.11.4, and
            # Debian 12's Python 3.11 is 3.11.2.
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
    for name, digest in expected.items():
        target = into / name
        if not target.is_file():
            raise BackupError(f"missing from the backup: {name}")
        if _sha256(target) != digest:
            raise BackupError(f"checksum mismatch: {name} (the backup is damaged)")


def _restore_database(db_file: Path, using: str) -> None:
    conn = connections[using]
    if conn.in_atomic_block:
        raise BackupError("restore cannot run inside a transaction")
    if conn.vendor == "sqlite":
        conn.ensure_connection()
        source = sqlite3.connect(db_file)
        try:
            source.backup(conn.connection)
        finally:
            source.close()
        return
    env, args = _pg_env_args(conn)
    tool = pg_tool("pg_restore", conn)
    # Our own connection must not hold a lock on the tables pg_restore drops.
    conn.close()
    _run([tool, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", *args, "-d", conn.settings_dict["NAME"], str(db_file)], env)
    conn.close()


def _restore_media(source: Path, root: Path) -> None:
    """Replace MEDIA_ROOT's files with the backup's (the old ones are removed only once the new are in)."""
    root.mkdir(parents=True, exist_ok=True)
    staged = root.parent / f".{root.name}.restoring"
    old = root.parent / f".{root.name}.replaced"
    for p in (staged, old):
        shutil.rmtree(p, ignore_errors=True)
    if source.is_dir():
        shutil.copytree(source, staged)
    else:
        staged.mkdir()
    # Keep the MEDIA_ROOT directory itself (it may be a mount point): swap its contents.
    old.mkdir()
    for child in list(root.iterdir()):
        shutil.move(str(child), old / child.name)
    for child in list(staged.iterdir()):
        shutil.move(str(child), root / child.name)
    shutil.rmtree(staged, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)


def restore(path: str | Path, using: str = "default") -> dict:
    """Restore a backup into the configured database (empty or not) and MEDIA_ROOT; returns a report."""
    path = Path(path)
    manifest = read_manifest(path)
    check_compatible(manifest, using)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="shanghui-restore-") as tmp:
        tmp = Path(tmp)
        _extract(path, manifest, tmp)
        _restore_database(tmp / DB_MEMBER[manifest["vendor"]], using)
        # Sessions are read from the cache first (cached_db): none may outlive the database that held it.
        caches[settings.SESSION_CACHE_ALIAS].clear()
        search.changed()  # candidates kept by any process belong to the database that was replaced
        _restore_media(tmp / "media", media_root)
    counts = table_counts(using)
    differ = {t: {"backup": n, "restored": counts.get(t)} for t, n in manifest["tables"].items() if counts.get(t) != n}
    return {"restored": str(path), "created_at": manifest["created_at"], "app_version": manifest["app_version"],
            "tables": len(counts), "rows": sum(counts.values()), "media_files": manifest["media_files"],
            "count_mismatches": differ}


def close_all() -> None:
    """Close every database connection (after a restore, cached state must not survive)."""
    connection.close()
    for conn in connections.all():
        conn.close()
