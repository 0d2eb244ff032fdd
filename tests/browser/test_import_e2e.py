"""End to end in Chromium: upload a sheet with bad rows, watch the job's progress bar, download the annotated sheet."""
import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect

from registry.models import Person
from tests.browser.conftest import log_in
from tests.importing import FIXTURES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_imports_a_sheet_and_downloads_the_rejected_rows(page, users, tree):
    from django.core.cache import cache

    cache.clear()
    log_in(page, "hz_staff", "pw-hz_staff-123")
    page.click("nav >> text=导入")
    expect(page.locator("#template-people")).to_be_visible()
    page.select_option("#id_kind", "people")
    page.select_option("#id_org", label="杭州市侨联（hz）")
    page.set_input_files("#id_file", str(FIXTURES / "people_messy.xlsx"))
    page.check("input[name=mode][value=valid_only]")
    page.click("#import-form button[type=submit]")

    # The job page: queued, polling every second.
    expect(page.locator("h1")).to_contain_text("导入人员")
    expect(page.locator("#job-status")).to_have_attribute("data-status", "queued")
    expect(page.locator(".progress-bar")).to_have_text("0%")

    # The worker runs in this thread (the in-memory test database is shared with the live server only).
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    expect(page.locator("#job-status")).to_have_attribute("data-status", "succeeded", timeout=15_000)
    expect(page.locator(".progress-bar")).to_have_text("100%")
    table = page.locator("#rejected-rows")
    expect(table.locator("tbody tr")).to_have_count(6)
    expect(table).to_contain_text("与第 3 行重复")
    expect(table).to_contain_text("校验位")
    assert Person.objects.filter(org=tree["hz"]).count() == 4

    with page.expect_download() as download:
        page.click("#job-download")
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as f:
        ws = load_workbook(f).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][-1] == "错误说明"
    assert rows[2][0] == "王小明" and rows[2][-1] is None
    assert rows[10][0] == "吴外地" and "组织代码" in rows[10][-1]
    assert ws.cell(row=7, column=5).comment is not None  # 钱电话's phone cell is marked
