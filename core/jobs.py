"""Background jobs: large imports, exports and reindexing run by the worker (`manage.py worker`, which outlives a database restart).

An app registers a handler for a kind of job; `start()` records the job and enqueues it
after the transaction commits; the handler reports progress through `JobContext.progress()`,
which also raises `Cancelled` once the user has asked to stop. The job row keeps the outcome.
"""
from __future__ import annotations

import errno
import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from core.models import Job, JobStatus

log = logging.getLogger(__name__)
HANDLERS: dict[str, Callable] = {}


class Cancelled(Exception):
    """Raised inside a handler when its job was cancelled; the handler's transaction rolls back."""


def handler(kind: str):
    """Register `fn(job, ctx) -> dict` as the handler of jobs of `kind`."""

    def register(fn):
        HANDLERS[kind] = fn
        return fn

    return register


def _job_key(job: Job) -> str:
    # The creation time keeps a reused id (SQLite reuses the highest deleted one) from
    # inheriting an earlier job's progress or cancel flag.
    return f"shanghui:job:{job.pk}:{job.created_at.timestamp():.6f}"


def _progress_key(job: Job) -> str:
    return _job_key(job) + ":progress"


def _cancel_key(job: Job) -> str:
    return _job_key(job) + ":cancel"


def _beat_key(job: Job) -> str:
    return _job_key(job) + ":beat"


def heartbeat_seconds() -> float:
    """How often a running job says it is alive (JOB_HEARTBEAT_SECONDS, default 5)."""
    return float(getattr(settings, "JOB_HEARTBEAT_SECONDS", 5))


def stale_seconds() -> float:
    """How long without a heartbeat before a running job counts as dead (JOB_STALE_SECONDS, default 60)."""
    return float(getattr(settings, "JOB_STALE_SECONDS", 60))


class _Heartbeat:
    """A daemon thread that stamps the cache while a job runs, so a dead worker can be told from a slow one.

    The job row cannot carry the heartbeat: an all-or-nothing import holds SQLite's only
    write lock until it ends (see JobContext). The thread dies with its process, so a
    killed worker leaves a heartbeat that stops ageing.
    """

    def __init__(self, job: Job):
        self.key, self.stop = _beat_key(job), threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name=f"job-{job.pk}-heartbeat")

    def _run(self):
        while True:
            cache.set(self.key, time.time(), 86400)
            if self.stop.wait(heartbeat_seconds()):
                return

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=5)
        cache.delete(self.key)


class JobContext:
    """What a handler uses to report progress and learn of a cancel request.

    Live progress and the cancel flag travel through the cache, not the job row: an
    all-or-nothing import holds its write transaction (on SQLite, the database's only
    write lock) until the end, and neither the web process nor the handler could see or
    write the row in the meantime.
    """

    def __init__(self, job: Job):
        self.job = job
        self._last = 0.0

    def progress(self, done: int, total: int | None = None, force: bool = False) -> None:
        """Record how far the job is; raise Cancelled if the user asked to stop."""
        now = time.monotonic()
        if not force and now - self._last < 0.3:
            return
        self._last = now
        if total is not None:
            self.job.total = total
        self.job.done = done
        cache.set(_progress_key(self.job), {"done": done, "total": self.job.total}, 86400)
        if not connection.in_atomic_block:
            Job.objects.filter(pk=self.job.pk).update(done=done, total=self.job.total)
        if cache.get(_cancel_key(self.job)):
            raise Cancelled


def live(job: Job) -> Job:
    """The job with its latest progress from the cache, for the page that polls it.

    A running job whose worker died is marked failed here, so the page stops waiting.
    """
    if is_stale(job) and _fail_stale(job):
        job.refresh_from_db()
    if not job.finished:
        latest = cache.get(_progress_key(job))
        if latest:
            job.done, job.total = latest["done"], latest["total"]
    return job


def start(kind: str, *, by, title: str, params: dict | None = None, input_file=None) -> Job:
    """Record a job and queue it for the worker once the current transaction commits."""
    if kind not in HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    job = Job(kind=kind, title=title, created_by=by, params=params or {})
    if input_file is not None:
        job.input_file.save(getattr(input_file, "name", "upload"), input_file, save=False)
    job.save()
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def run(job: Job) -> Job:
    """Run a job in this process (the worker's task, or the CLI when it waits for the outcome)."""
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    job.refresh_from_db()
    try:
        if job.cancel_requested:
            raise Cancelled
        with _Heartbeat(job):
            result = HANDLERS[job.kind](job, JobContext(job))
    except Cancelled:
        Job.objects.filter(pk=job.pk).update(status=JobStatus.CANCELLED, finished_at=timezone.now())
    except Exception as e:  # the outcome is kept on the job's page, whatever went wrong
        log.exception("job %s failed", job.pk)
        _record_failure(job, e)
    else:
        latest = cache.get(_progress_key(job)) or {}
        Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, result=result or {},
                                             done=latest.get("done", job.done), total=latest.get("total", job.total),
                                             finished_at=timezone.now())
    job.refresh_from_db()
    return job


def failure_message(error: BaseException) -> str:
    """What the job's page says about an error: a known fault in the user's words, else the error itself."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return _("磁盘空间不足，任务未完成，未写入任何数据。请清理磁盘后重新运行。")
    if isinstance(error, OperationalError | InterfaceError):
        return _("数据库连接中断，任务未完成，未写入任何数据。请稍后重新运行。") + f" ({str(error)[:300]})"
    return str(error)[:2000]


def _record_failure(job: Job, error: BaseException) -> None:
    """Mark the job failed; if the database itself went away, reconnect once and try again."""
    values = {"status": JobStatus.FAILED, "error": failure_message(error), "finished_at": timezone.now()}
    try:
        Job.objects.filter(pk=job.pk).update(**values)
    except DatabaseError:
        # The connection that failed is unusable; a fresh one may work once the server is back.
        connection.close()
        try:
            Job.objects.filter(pk=job.pk).update(**values)
        except DatabaseError:
            log.exception("job %s: could not record its failure; `manage.py jobs recover` will", job.pk)


def is_stale(job: Job, now: float | None = None) -> bool:
    """A running job whose worker stopped beating (killed, crashed, machine restarted)."""
    if job.status != JobStatus.RUNNING:
        return False
    now = time.time() if now is None else now
    beat = cache.get(_beat_key(job))
    if beat is not None:
        return now - beat > stale_seconds()
    started = job.started_at.timestamp() if job.started_at else job.created_at.timestamp()
    return now - started > stale_seconds()


def recover_stale() -> list[int]:
    """Mark every running job whose worker is gone as failed (resumable with `retry`); return their ids."""
    return [job.pk for job in Job.objects.filter(status=JobStatus.RUNNING) if is_stale(job) and _fail_stale(job)]


def _fail_stale(job: Job) -> bool:
    """Mark a job whose worker is gone as failed, unless it finished meanwhile."""
    return bool(Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        status=JobStatus.FAILED, finished_at=timezone.now(),
        error=_("后台进程中断（可能被终止或机器重启），任务未完成，未写入任何数据。可重新运行。")))


def retry(job: Job, *, by) -> Job:
    """Run a failed or cancelled job again, as a new job with the same kind, parameters and uploaded file.

    Jobs write all-or-nothing, so a job that died wrote nothing and running it again resumes it.
    """
    if job.created_by_id != by.pk and not by.is_superuser:
        raise PermissionDenied(_("只能重新运行自己发起的任务。"))
    if job.status not in (JobStatus.FAILED, JobStatus.CANCELLED):
        raise PermissionDenied(_("只有失败或已取消的任务可以重新运行。"))
    again = Job(kind=job.kind, title=job.title, created_by=job.created_by,
                params={**job.params, "retry_of": job.pk})
    if job.input_file:
        again.input_file.name = job.input_file.name  # the same stored upload, not a copy
    again.save()
    transaction.on_commit(lambda: run_job.enqueue(again.pk))
    return again


@task()
def run_job(job_id: int) -> str:
    """The django-tasks task: run the job with this id."""
    job = Job.objects.get(pk=job_id)
    return run(job).status


def visible_jobs(user):
    """Jobs a user may see: their own (superusers see all)."""
    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    return Job.objects.all() if user.is_superuser else Job.objects.filter(created_by=user)


def cancel(job: Job, *, by) -> Job:
    """Ask a job to stop; a queued job stops before it starts, a running one at its next report."""
    if job.created_by_id != by.pk and not by.is_superuser:
        raise PermissionDenied(_("只能取消自己发起的任务。"))
    cache.set(_cancel_key(job), True, 86400)
    Job.objects.filter(pk=job.pk).update(cancel_requested=True)
    Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.CANCELLED, finished_at=timezone.now())
    job.refresh_from_db()
    return job


@handler("reindex")
def _reindex(job: Job, ctx: JobContext) -> dict:
    """Rebuild the search index in the background."""
    from core import search

    labels = job.params.get("models") or list(search.REGISTRY)
    counts = {label: search.reindex([label], progress=lambda n: ctx.progress(n)) for label in labels}
    return {"reindexed": counts}
