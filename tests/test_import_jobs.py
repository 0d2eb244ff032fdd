"""Import and export as background jobs through the real database worker, and their pages."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from core import jobs
from core.importing.tasks import start_import
from core.models import Job, JobStatus
from registry.models import Person
from tests.importing import FIXTURES

# The worker commits and closes connections as in production (see tests/test_jobs.py).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Job progress and cancel flags live in the cache, keyed by job id, and ids repeat between tests."""
    from django.core.cache import cache

    cache.clear()


def run_worker():
    """Let django-tasks' database worker run everything queued, then return."""
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def upload(name="people_messy.xlsx"):
    """The fixture as an uploaded file."""
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes())


def test_import_job_reports_rejected_rows_and_annotates_the_sheet(users, tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(by=users["hz_staff"], kind="people", upload=upload(), org=tree["hz"], mode="valid_only")
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert (job.result["rows"], job.result["created"], job.result["updated"]) == (10, 4, 0)
    assert {r["row"] for r in job.result["rejected"]} == {6, 7, 8, 9, 10, 11}
    assert job.done == job.total == 11 and job.percent == 100
    assert Person.objects.count() == 4

    wb = load_workbook(job.output_file.path)
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][-1] == "错误说明" and rows[0][0] == "2024年义乌市侨情登记表"
    assert rows[5][0] == "赵错号" and "校验位" in rows[5][-1]
    assert rows[2][-1] is None  # a valid row carries no note
    bad = ws.cell(row=6, column=3)
    assert bad.fill.fgColor.rgb.endswith("FFC7CE") and "校验位" in bad.comment.text


def test_all_or_nothing_job_writes_nothing(users, tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(by=users["hz_staff"], kind="people", upload=upload("people_messy.xls"), org=tree["hz"])
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result["created"] == 0 and not job.result["written"]
    assert not Person.objects.exists() and job.output_file


def test_cancelled_import_writes_nothing(users, tree, django_capture_on_commit_callbacks, monkeypatch):
    from core.importing import pipeline

    real = pipeline._write_chunk

    def cancel_after_first_chunk(kind, chunk, by, *args):
        real(kind, chunk, by, *args)
        jobs.cancel(Job.objects.get(kind="import"), by=by)

    monkeypatch.setattr(pipeline, "_write_chunk", cancel_after_first_chunk)
    monkeypatch.setattr(pipeline, "CHUNK", 1)
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(by=users["hz_staff"], kind="people", upload=upload(), org=tree["hz"], mode="valid_only")
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and not Person.objects.exists()


def test_import_page_starts_the_job(client, users, tree, django_capture_on_commit_callbacks):
    client.force_login(users["hz_staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import"), {"kind": "people", "org": tree["hz"].pk, "mode": "valid_only",
                                                   "file": upload()})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job-detail", args=[job.pk])
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    page = client.get(reverse("job-detail", args=[job.pk])).content.decode()
    assert 'id="rejected-rows"' in page and "与第 3 行重复" in page and 'id="job-download"' in page
    download = client.get(reverse("job-download", args=[job.pk]))
    assert download.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert wb.worksheets[0].max_row == 13
    # Another user cannot see the job, nor import into an organization outside their scope.
    client.force_login(users["wz_staff"])
    assert client.get(reverse("job-download", args=[job.pk])).status_code == 404
    response = client.post(reverse("import"), {"kind": "people", "org": tree["hz"].pk, "mode": "all",
                                               "file": upload()})
    assert response.status_code == 200 and Job.objects.count() == 1


def test_import_page_refuses_other_files(client, users):
    client.force_login(users["hz_staff"])
    response = client.post(reverse("import"), {"kind": "people", "mode": "all",
                                               "file": SimpleUploadedFile("a.pdf", b"%PDF")})
    assert response.status_code == 200 and ".xlsx" in response.content.decode() and not Job.objects.exists()


@pytest.mark.parametrize("list_name,kind", [("registry:person-list", "people"),
                                            ("registry:enterprise-list", "enterprises"), ("orgs:list", "organizations")])
def test_export_button_on_lists(client, users, list_name, kind):
    client.force_login(users["hz_staff"])
    page = client.get(reverse(list_name), {"country": "IT", "page": "2"}).content.decode()
    assert f'action="/export/{kind}/"' in page and "导出 Excel" in page
    assert '<input type="hidden" name="country" value="IT">' in page and 'name="page"' not in page.split("export-form")[1][:400]


def test_export_job_from_the_list_page(client, users, tree, django_capture_on_commit_callbacks):
    from registry import services

    services.create_person(by=users["zj_admin"], org=tree["hz"], name="王小明", category="overseas_chinese",
                           country="IT")
    services.create_person(by=users["zj_admin"], org=tree["hz"], name="李华", category="relative", country="ES")
    services.create_person(by=users["zj_admin"], org=tree["wz"], name="陈静", category="relative", country="IT")
    client.force_login(users["hz_staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("export-start", args=["people"]), {"country": "IT", "bogus": "1"})
    job = Job.objects.get(kind="export")
    assert response.status_code == 302 and job.params == {"kind": "people", "filters": {"country": "IT"}}
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result["rows"] == 1, job.error
    download = client.get(reverse("job-download", args=[job.pk]))
    rows = list(load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0].iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["王小明"]


def test_unreadable_sheet_fails_the_job_with_a_reason(users, tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(by=users["hz_staff"], kind="people", org=tree["hz"],
                           upload=SimpleUploadedFile("a.csv", "名字,年龄\n王,3\n".encode()))
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == "表格缺少必填列：类别。"
