"""Background jobs: large imports, exports and reindexing run by the worker (`manage.py db_worker`).

An app registers a handler for a kind of job; `start()` records the job and enqueues it
after the transaction commits; the handler reports progress through `JobContext.progress()`,
which also raises `Cancelled` once the user has asked to stop. The job row keeps the outcome.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
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
    """The job with its latest progress from the cache, for the page that polls it."""
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
        result = HANDLERS[job.kind](job, JobContext(job))
    except Cancelled:
        Job.objects.filter(pk=job.pk).update(status=JobStatus.CANCELLED, finished_at=timezone.now())
    except Exception as e:  # the outcome is kept on the job's page, whatever went wrong
        log.exception("job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error=str(e)[:2000],
                                             finished_at=timezone.now())
    else:
        latest = cache.get(_progress_key(job)) or {}
        Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, result=result or {},
                                             done=latest.get("done", job.done), total=latest.get("total", job.total),
                                             finished_at=timezone.now())
    job.refresh_from_db()
    return job


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
