"""Background jobs: queued for the real database worker, progress, outcome, cancel, pages."""
import pytest
from django.core.management import call_command
from django.urls import reverse

from core import jobs
from core.models import Job, JobStatus

# The worker commits and closes connections as in production, so these tests run outside
# the test-case transaction (the worker would close a connection stuck in one).
pytestmark = pytest.mark.django_db(transaction=True)


def run_worker():
    """Let django-tasks' database worker run everything queued, then return."""
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.fixture
def slow_job():
    """A job kind whose handler reports progress 5 times."""
    calls = []

    @jobs.handler("test-count")
    def count(job, ctx):
        for i in range(5):
            ctx.progress(i + 1, 5, force=True)
            calls.append(i)
        return {"counted": len(calls)}

    yield calls
    jobs.HANDLERS.pop("test-count")


def test_reindex_job_runs_in_the_worker(users, tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start("reindex", by=users["zj_admin"], title="重建索引")
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result["reindexed"]["orgs.organization"] == 5
    assert job.percent == 100


def test_progress_and_outcome_are_kept(users, slow_job, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start("test-count", by=users["hz_staff"], title="计数")
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.result) == (JobStatus.SUCCEEDED, 5, 5, {"counted": 5})


def test_cancel_while_running_stops_at_the_next_report(users, django_capture_on_commit_callbacks):
    seen = []

    @jobs.handler("test-cancel")
    def cancel_self(job, ctx):
        for i in range(10):
            if i == 3:
                jobs.cancel(job, by=job.created_by)
            ctx.progress(i, 10, force=True)
            seen.append(i)
        return {}

    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = jobs.start("test-cancel", by=users["hz_staff"], title="取消")
        run_worker()
    finally:
        jobs.HANDLERS.pop("test-cancel")
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and seen == [0, 1, 2]


def test_failure_is_recorded(users, django_capture_on_commit_callbacks):
    @jobs.handler("test-fail")
    def fail(job, ctx):
        raise ValueError("表格第 3 行无法读取")

    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = jobs.start("test-fail", by=users["hz_staff"], title="失败")
        run_worker()
    finally:
        jobs.HANDLERS.pop("test-fail")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "第 3 行" in job.error


def test_job_pages_are_private_and_cancel_works(client, users, slow_job):
    job = jobs.start("test-count", by=users["hz_staff"], title="计数")
    client.force_login(users["wz_staff"])
    assert client.get(reverse("job-detail", args=[job.pk])).status_code == 404
    assert client.post(reverse("job-cancel", args=[job.pk])).status_code == 404
    client.force_login(users["hz_staff"])
    body = client.get(reverse("job-detail", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in body
    client.post(reverse("job-cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    body = client.get(reverse("job-detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "every 1s" not in body and 'data-status="cancelled"' in body


def test_a_finished_jobs_outcome_is_named_in_the_users_language(client, users):
    """The job's page names each figure (行数, not rows), shows yes/no for flags and links to what the job
    made; the rejected rows stay in their own table."""
    job = Job.objects.create(kind="import", title="导入人员", created_by=users["hz_staff"], status=JobStatus.SUCCEEDED,
                             result={"rows": 3, "created": 2, "dry_run": False, "url": "/registry/people/",
                                     "rejected": [{"row": 4, "column": "姓名", "value": "", "message": "必填"}]})
    client.force_login(users["hz_staff"])
    body = client.get(reverse("job-detail", args=[job.pk])).content.decode()
    outcome = body.split('id="job-outcome"')[1].split("</dl>")[0]
    assert "行数" in outcome and "新增" in outcome and "试运行" in outcome and "否" in outcome
    assert "rows" not in outcome and "dry_run" not in outcome and "url" not in outcome
    assert 'href="/registry/people/" id="job-result-link"' in body
    assert 'id="rejected-rows"' in body and "必填" in body
    client.cookies["django_language"] = "en"
    english = client.get(reverse("job-detail", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Rows" in english.split('id="job-outcome"')[1].split("</dl>")[0]
