"""Masking everywhere; reveals and clear exports only with the grant AND a stated purpose, logged."""
import io
import json

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from core import exporting, jobs
from core.personal import mask_audit, mask_value, reveal
from registry import services
from registry.models import Person
from tests import factories as f
from tests.importing import read_xlsx

REVEALED = "core.personal_data.revealed"


@pytest.fixture
def wang(users, tree):
    """王小明 in 杭州, with an ID number, a passport number and a phone."""
    return services.create_person(by=users["zj_admin"], org=tree["hz"], name="王小明", category="overseas_chinese",
                                  id_number=f.id_number(), passport_number="E12345678", phone="13812345678")


def exported(path) -> dict:
    rows = read_xlsx(path)
    return dict(zip(rows[0], rows[1], strict=True))


def test_mask_formats():
    assert mask_value("id_number", "330782198503050012") == "33**************12"
    assert mask_value("phone", "+8613812345678") == "138****5678"
    assert mask_value("passport_number", "E12345678") == "E1*****78"
    assert mask_value("guardian_phone", "+393331234567") == "+39 333***4567"
    assert mask_audit("330782198503050012") == "33**************12"
    assert mask_audit("+8613812345678") == "138****5678"
    assert mask_audit("1985-03-05") == "1985-**-**" and mask_audit("None") == "None"


def test_reveal_needs_the_grant_and_a_purpose_and_is_logged(users, wang):
    with pytest.raises(PermissionDenied):
        reveal(users["hz_admin"], wang, ["id_number"], "   ")
    with pytest.raises(PermissionDenied):
        reveal(users["hz_staff"], wang, ["id_number"], "核实身份")
    assert not LogEntry.objects.filter(additional_data__action=REVEALED).exists()
    values = reveal(users["hz_admin"], wang, ["id_number", "passport_number"], "核实身份")
    assert values == {"id_number": wang.id_number, "passport_number": "E12345678"}
    entry = LogEntry.objects.get(additional_data__action=REVEALED)
    assert entry.actor == users["hz_admin"] and entry.additional_data["purpose"] == "核实身份"
    assert entry.additional_data["fields"] == ["id_number", "passport_number"]


def test_export_in_clear_needs_grant_and_purpose(users, wang, tmp_path):
    out = tmp_path / "p.xlsx"
    number = wang.id_number
    masked = number[:2] + "*" * 14 + number[-2:]

    # The grant without a purpose: masked, and no reveal logged.
    summary = exporting.export("people", users["hz_admin"], out)
    row = exported(out)
    assert (row["身份证号"], row["护照号"], row["手机"]) == (masked, "E1*****78", "138****5678")
    assert summary["revealed"] == 0 and not LogEntry.objects.filter(additional_data__action=REVEALED).exists()
    # A purpose without the grant: masked too.
    exporting.export("people", users["hz_staff"], out, purpose="核对名单")
    assert exported(out)["身份证号"] == masked
    assert not LogEntry.objects.filter(additional_data__action=REVEALED).exists()
    # Both: clear, and the reveal is logged with the purpose.
    summary = exporting.export("people", users["hz_admin"], out, purpose="侨情年报核对")
    row = exported(out)
    assert (row["身份证号"], row["护照号"], row["手机"]) == (number, "E12345678", "+8613812345678")
    assert summary["revealed"] == 1
    entry = LogEntry.objects.get(additional_data__action=REVEALED)
    assert entry.actor == users["hz_admin"] and entry.additional_data["purpose"] == "侨情年报核对"
    assert "id_number" in entry.additional_data["fields"] and entry.additional_data["via"] == "export"
    purposes = [e.additional_data["purpose"] for e in
                LogEntry.objects.filter(additional_data__action="core.export.completed").order_by("pk")]
    assert purposes == ["", "核对名单", "侨情年报核对"]


def test_export_job_from_the_web_carries_the_purpose(client, users, wang, django_capture_on_commit_callbacks):
    from core.models import Job

    client.force_login(users["hz_admin"])
    page = client.get(reverse("registry:person-list")).content.decode()
    assert 'name="export_purpose"' in page
    client.post(reverse("export-start", args=["people"]), {"export_purpose": "走访慰问"})
    job = jobs.run(Job.objects.get(kind="export"))
    assert job.params["purpose"] == "走访慰问" and job.result["revealed"] == 1, job.error
    client.post(reverse("export-start", args=["people"]), {})
    plain = jobs.run(Job.objects.filter(kind="export").latest("pk"))
    assert "purpose" not in plain.params and plain.result["revealed"] == 0
    entry = LogEntry.objects.get(additional_data__action=REVEALED)
    assert entry.additional_data["purpose"] == "走访慰问"


def test_cli_export_needs_a_purpose_for_clear_data(users, wang, tmp_path):
    out = tmp_path / "cli.xlsx"
    call_command("export", "people", "--out", str(out), "--user", "hz_admin", "--format", "json",
                 stdout=io.StringIO())
    assert exported(out)["身份证号"].count("*") == 14
    buffer = io.StringIO()
    call_command("export", "people", "--out", str(out), "--user", "hz_admin", "--purpose", "统计核对",
                 "--format", "json", stdout=buffer)
    assert json.loads(buffer.getvalue())["rows"] == 1 and exported(out)["身份证号"] == wang.id_number
    assert LogEntry.objects.get(additional_data__action=REVEALED).additional_data["purpose"] == "统计核对"


def test_edit_form_shows_masks_and_keeps_values_posted_back_unchanged(client, users, wang):
    client.force_login(users["hz_admin"])
    url = reverse("registry:person-edit", args=[wang.pk])
    page = client.get(url).content.decode()
    assert wang.id_number not in page and "E12345678" not in page and "13812345678" not in page
    assert wang.id_number[:2] + "*" * 14 + wang.id_number[-2:] in page and "138****5678" in page
    form = {"org": wang.org_id, "name": "王小明", "category": "overseas_chinese", "gender": wang.gender,
            "birth_date": mask_value("birth_date", wang.birth_date), "country": "IT",
            "id_number": mask_value("id_number", wang.id_number), "passport_number": "E1*****78",
            "phone": "138****5678", "notes": "改了备注"}
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    again = Person.objects.get(pk=wang.pk)
    assert (again.id_number, again.passport_number, again.phone, again.birth_date, again.notes) == (
        wang.id_number, "E12345678", "+8613812345678", wang.birth_date, "改了备注")
    # A new value typed in replaces the stored one; a bad one is refused without echoing the stored one.
    response = client.post(url, form | {"passport_number": "G7654321"})
    assert response.status_code == 302 and Person.objects.get(pk=wang.pk).passport_number == "G7654321"
    response = client.post(url, form | {"id_number": "330782198503050011", "name": ""})
    assert response.status_code == 200 and wang.id_number not in response.content.decode()


def test_change_history_masks_numbers_and_omits_hashes(users, wang):
    number = wang.id_number
    services.update_person(by=users["zj_admin"], person=Person.objects.get(pk=wang.pk), passport_number="G7654321")
    text = json.dumps([e.changes for e in LogEntry.objects.get_for_object(wang)], ensure_ascii=False)
    assert number not in text and "E12345678" not in text and "G7654321" not in text
    assert number[:2] + "*" * 14 + number[-2:] in text and "G7****21" in text
    assert "_hash" not in text


def test_a_masked_export_read_back_is_refused_not_written(users, wang, tmp_path):
    from core.importing.pipeline import run_import

    out = tmp_path / "masked.xlsx"
    exporting.export("people", users["hz_admin"], out)
    report = run_import("people", out, by=users["hz_admin"], org=None, valid_only=True)
    assert report.created == report.updated == 0
    assert {r["column"] for r in report.rejected} >= {"身份证号", "护照号", "手机"}
    assert all("脱敏" in r["message"] for r in report.rejected if r["column"] == "护照号")
    again = Person.objects.get(pk=wang.pk)
    assert (again.passport_number, again.phone) == ("E12345678", "+8613812345678") and Person.objects.count() == 1
