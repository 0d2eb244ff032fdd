"""The first stage of an import: each row's cells read and normalised, in a second process for large sheets.

Reading a row of an .xlsx and normalising its cells (dates, ID numbers, phone numbers through
libphonenumber, countries) is half of an import's work, and needs no database; matching, building
and writing the records is the other half. A large sheet is therefore read and normalised by a
forked child process while the importing process matches and writes the rows the child has
already cleaned, so that an import uses both cores. The standard library's multiprocessing does
the fork and the pipe; what is written here is only which work goes where.

The child inherits the row iterator (already past the header) and the kind's columns by the fork,
sends its rows back in chunks through a bounded queue (at most AHEAD chunks ahead, so memory stays
flat), and never touches the database: the parent's connections, inherited
by the fork, are set aside in the child without being closed, since closing a PostgreSQL
connection there would end the parent's session.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import queue
import signal
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Sheets with fewer data rows than this are cleaned in the importing process: a fork and a pipe cost
# a few tens of milliseconds, nothing beside a large sheet but most of a small one's import.
PARALLEL_ROWS = 10_000
SEND_ROWS = 1000
# How many chunks of SEND_ROWS the child may run ahead: the importing process reads none while it writes
# a chunk of its own (CHUNK rows), and a child held to one chunk ahead would wait through every write.
AHEAD = 8


class ReaderFailed(RuntimeError):
    """The process reading the sheet ended without finishing it (killed, or out of memory)."""


def clean_row(cells, mapping, kind):
    """Normalise one row's cells: (values, fields rejected, rejections), or (None, None, None) for an empty row.

    A rejection is (field, raw value, message); the importing process turns it into the report's line.
    """
    if not any(c not in (None, "") and str(c).strip() for c in cells):
        return None, None, None
    values = {}
    bad = set()
    rejections = []
    for i, col in mapping.items():
        raw = cells[i] if i < len(cells) else None
        if col.personal and isinstance(raw, str) and "**" in raw:
            # A masked export (33**************34) read back must not overwrite or invent data.
            rejections.append((col.field, raw, _("“%(h)s”是脱敏后的值，不能导入：请填写完整的值，或用说明用途的明文导出。")
                               % {"h": col.header}))
            bad.add(col.field)
            continue
        try:
            value = col.normalize(raw)
        except ValidationError as e:
            rejections.append((col.field, raw, " ".join(e.messages)))
            bad.add(col.field)
            continue
        if col.required and value in (None, ""):
            rejections.append((col.field, raw, _("“%(h)s”为必填项。") % {"h": col.header}))
            bad.add(col.field)
            continue
        values[col.field] = value
    return values, bad, rejections


def cleaned_rows(rows, mapping, kind, *, data_rows: int) -> Iterator[tuple]:
    """(row number, values, fields rejected, rejections, hints) for every non-empty row of `rows`.

    Hints (`SheetKind.hints`) are worked out only by a child, where they cost the importing process nothing.

    With `data_rows` of at least PARALLEL_ROWS and more than one core, a child process does the work;
    close the iterator (or let it run out) to end the child.
    """
    # A daemonic process (a multiprocessing worker) may not have children of its own; Windows cannot fork.
    if (data_rows >= PARALLEL_ROWS and (os.cpu_count() or 1) > 1 and not multiprocessing.current_process().daemon
            and "fork" in multiprocessing.get_all_start_methods()):
        return _in_child(rows, mapping, kind)
    return _here(rows, mapping, kind)


def _here(rows, mapping, kind, hints: bool = False):
    for number, cells in rows:
        values, bad, rejections = clean_row(cells, mapping, kind)
        if values is not None:
            yield number, values, bad, rejections, kind.hints(values) if hints and not bad else None


def _in_child(rows, mapping, kind):
    context = multiprocessing.get_context("fork")
    chunks = context.Queue(maxsize=AHEAD)
    # The collector's passes write to every object they visit, so that in either process they would copy each
    # page of the heap the fork shares: the heap is frozen while the child lives, left out of those passes (as
    # in granian's workers, shanghui/startup.py), and given back to the collector after, unless it was frozen
    # already. Child at 200,000 rows: 167 MB PSS frozen in the child only, 132 MB frozen in both.
    already_frozen = gc.get_freeze_count()
    gc.freeze()
    child = context.Process(target=_clean_and_send, args=(rows, mapping, kind, chunks), name="shanghui-import-reader",
                            daemon=True)
    try:
        child.start()
    except BaseException:  # no child (out of memory, too many processes): the heap given back, the error raised
        if not already_frozen:
            gc.unfreeze()
        raise
    try:
        while True:
            try:
                message = chunks.get(timeout=1)
            except queue.Empty:
                if child.is_alive():
                    continue
                try:  # what the child sent just before it ended, if it ended normally
                    message = chunks.get(timeout=1)
                except queue.Empty:
                    raise ReaderFailed(_("读取表格的进程意外退出，导入未完成，未写入任何数据。")) from None
            if message is None:
                return
            if isinstance(message, BaseException):
                raise message
            yield from message
    finally:
        # SIGKILL: the child was forked with the importing process's signal handlers until it reset them,
        # and a job worker's SIGTERM handler only asks for a stop after the current job.
        if child.is_alive():
            child.kill()
        child.join()
        chunks.close()
        if not already_frozen:
            gc.unfreeze()


_set_aside: list = []


class _Orphaned(Exception):
    """The importing process is gone (killed): nobody will read what the child sends."""


def _clean_and_send(rows, mapping, kind, chunks) -> None:
    """In the child: clean every row and send them in chunks, then None; or the exception that stopped it."""
    from django.db import connections

    # Ctrl-C reaches the whole process group: the importing process handles it and ends this one.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for connection in connections.all(initialized_only=True):
        _set_aside.append(connection.connection)
        connection.connection = None
    parent = os.getppid()

    def send(item):
        while True:
            try:
                chunks.put(item, timeout=1)
                return
            except queue.Full:
                if os.getppid() != parent:
                    raise _Orphaned from None

    chunk = []
    try:
        for item in _here(rows, mapping, kind, hints=True):
            chunk.append(item)
            if len(chunk) >= SEND_ROWS:
                send(chunk)
                chunk = []
        if chunk:
            send(chunk)
        send(None)
    except _Orphaned:
        chunks.cancel_join_thread()  # what is still queued would wait forever for its reader
    except Exception as e:  # sent to the importing process, which raises it as if it had read the row itself
        try:
            pickle.dumps(e)
        except Exception:  # an exception that does not pickle still says what it was
            e = ReaderFailed(str(e))
        try:
            send(e)
        except _Orphaned:
            chunks.cancel_join_thread()
