"""The import pipeline on messy sheets written by LibreOffice, CSV in two encodings, and every mode."""
import datetime as dt
import json

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse

from core.importing.pipeline import run_import
from core.models import SearchEntry
from registry import services
from registry.models import DuesPayment, Enterprise, Membership, Person
from tests import factories as f
from tests.importing import FIXTURES, read_xlsx, write_csv, write_xlsx

PEOPLE_HEAD = ["姓名", "类别", "身份证号", "手机", "居住国", "组织代码"]


@pytest.mark.parametrize("name", ["people_messy.xlsx", "people_messy.xls"])
def test_messy_sheet_from_libreoffice(users, tree, name):
    report = run_import("people", FIXTURES / name, by=users["hz_staff"], org=tree["hz"], valid_only=True)
    rejected = {(r["row"], r["column"]) for r in report.rejected}
    assert rejected == {(6, "身份证号码"), (7, "手机号"), (8, "国家"), (9, "出生日期"), (10, "身份证号码"),
                        (11, "组织代码")}
    assert (report.rows, report.created, report.updated) == (10, 4, 0)
    by_row = {r["row"]: r for r in report.rejected}
    assert "校验位" in by_row[6]["message"] and "1033"[-1] in by_row[6]["message"]
    assert by_row[10]["message"] == "与第 3 行重复。"
    assert by_row[11]["value"] == "wz" and "管理范围" in by_row[11]["message"]

    wang = Person.objects.get(name="王小明")
    assert (wang.id_number, wang.phone, wang.country, wang.home_region, wang.is_new_overseas, wang.org) == (
        "33078219850305009X", "+393331234567", "IT", "330782", True, tree["hz"])
    assert wang.birth_date == dt.date(1985, 3, 5) and wang.gender == "M"
    chen = Person.objects.get(name="陈静")
    assert (chen.id_number, chen.phone, chen.home_region, chen.is_new_overseas) == (
        "330782198503051017", "+8613812345678", "330782", False)
    li = Person.objects.get(name="李华")
    assert (li.id_number, li.phone, li.country, li.foreign_name, li.birth_date) == (
        "330782198503051025", "+8613912345678", "IT", "Lin Mei", dt.date(1985, 3, 5))
    assert Person.objects.get(name="郑全角").foreign_name == "Cheng Li"
    # Imported people are searchable at once.
    assert SearchEntry.objects.filter(model="registry.person").count() == 4


def test_all_or_nothing_writes_nothing_when_a_row_is_rejected(users, tree):
    report = run_import("people", FIXTURES / "people_messy.xlsx", by=users["hz_staff"], org=tree["hz"])
    assert report.rejected and (report.created, report.updated) == (0, 0) and not report.written
    assert not Person.objects.exists() and not SearchEntry.objects.filter(model="registry.person").exists()


def test_dry_run_writes_nothing_but_counts(users, tree, tmp_path):
    path = write_csv(tmp_path / "p.csv", [PEOPLE_HEAD, ["王一", "华侨", f.id_number(), "13812345678", "IT", ""]])
    report = run_import("people", path, by=users["hz_staff"], org=tree["hz"], dry_run=True)
    assert (report.rows, report.created, report.rejected, report.dry_run) == (1, 1, [], True)
    assert not Person.objects.exists()
    assert not LogEntry.objects.filter(additional_data__action="core.import.completed").exists()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(users, tree, tmp_path, encoding):
    path = write_csv(tmp_path / "p.csv", [PEOPLE_HEAD, ["陳靜怡", "侨眷", "", "１３８ １２３４ ５６７８", "意大利", ""]],
                     encoding=encoding)
    report = run_import("people", path, by=users["hz_staff"], org=tree["hz"])
    assert report.rejected == [] and report.created == 1
    assert Person.objects.get().name == "陳靜怡" and Person.objects.get().phone == "+8613812345678"


def test_existing_people_are_updated_not_duplicated(users, tree, tmp_path):
    number = f.id_number()
    person = services.create_person(by=users["hz_staff"], org=tree["hz"], name="王小明", category="relative",
                                    id_number=number, email="wang@example.com")
    path = write_xlsx(tmp_path / "p.xlsx", [PEOPLE_HEAD, ["王小明", "华侨", number.lower(), "13812345678", "Italy", ""],
                                             ["新人", "华侨", f.id_number(), "", "", ""]])
    report = run_import("people", path, by=users["hz_staff"], org=tree["hz"])
    assert (report.created, report.updated, report.rejected) == (1, 1, [])
    person.refresh_from_db()
    assert (person.category, person.phone, person.country, person.email) == (
        "overseas_chinese", "+8613812345678", "IT", "wang@example.com")
    assert Person.objects.filter(id_number=number).count() == 1


def test_existing_enterprises_matched_by_credit_code(users, tree):
    ent = services.create_enterprise(by=users["hz_staff"], org=tree["hz"], name="旧名称", credit_code="913307820000007PBJ")
    report = run_import("enterprises", FIXTURES / "enterprises_messy.xlsx", by=users["hz_staff"], org=tree["hz"],
                        valid_only=True)
    assert (report.rows, report.created, report.updated) == (3, 1, 1)
    assert [(r["row"], r["column"]) for r in report.rejected] == [(4, "统一社会信用代码")]
    ent.refresh_from_db()
    assert (ent.name, ent.industry, ent.phone, ent.region) == ("义乌华联贸易有限公司", "F", "+8657985123456", "330782")
    shop = Enterprise.objects.get(credit_code="913307820000007PCM")
    assert (shop.kind, shop.industry, shop.region) == ("sole_proprietor", "F", "330782")


def test_xls_enterprises(users, tree):
    report = run_import("enterprises", FIXTURES / "enterprises_messy.xls", by=users["hz_staff"], org=tree["hz"],
                        valid_only=True)
    assert (report.created, len(report.rejected)) == (2, 1)


def test_record_in_another_subtree_cannot_be_updated(users, tree, tmp_path):
    number = f.id_number()
    services.create_person(by=users["wz_staff"], org=tree["wz"], name="温州人", category="relative", id_number=number)
    path = write_csv(tmp_path / "p.csv", [PEOPLE_HEAD, ["改名", "华侨", number, "", "", ""]])
    report = run_import("people", path, by=users["hz_staff"], org=tree["hz"])
    assert [r["column"] for r in report.rejected] == ["身份证号"] and "无权" in report.rejected[0]["message"]
    assert Person.objects.get(id_number=number).name == "温州人"


def test_rows_name_their_org_and_default_org_needs_a_grant(users, tree, tmp_path):
    path = write_csv(tmp_path / "p.csv", [PEOPLE_HEAD, ["甲", "华侨", "", "", "", "hz-sc"], ["乙", "华侨", "", "", "", ""],
                                          ["丙", "华侨", "", "", "", "nosuch"]])
    report = run_import("people", path, by=users["hz_staff"], org=None, valid_only=True)
    assert {(r["row"], r["column"]) for r in report.rejected} == {(3, "组织代码"), (4, "组织代码")}
    assert Person.objects.get().org == tree["sc"]
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run_import("people", path, by=users["hz_staff"], org=tree["wz"])
    with pytest.raises(PermissionDenied):
        run_import("people", path, by=users["hz_viewer"], org=tree["hz"])


def test_missing_required_column_and_unknown_header(users, tree, tmp_path):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="类别"):
        run_import("people", write_csv(tmp_path / "a.csv", [["姓名"], ["王"]]), by=users["hz_staff"], org=tree["hz"])
    with pytest.raises(ValidationError, match="表头"):
        run_import("people", write_csv(tmp_path / "b.csv", [["x", "y"], ["1", "2"]]), by=users["hz_staff"],
                   org=tree["hz"])


def test_audit_entry_per_import(users, tree, tmp_path):
    path = write_csv(tmp_path / "p.csv", [PEOPLE_HEAD, ["王一", "华侨", "", "", "", ""], ["王二", "华侨", "", "", "", ""]])
    run_import("people", path, by=users["hz_staff"], org=tree["hz"])
    entry = LogEntry.objects.get(additional_data__action="core.import.completed")
    assert entry.actor == users["hz_staff"] and entry.object_pk == str(tree["hz"].pk)
    assert {k: entry.additional_data[k] for k in ("kind", "rows", "created", "updated")} == {
        "kind": "people", "rows": 2, "created": 2, "updated": 0}


def test_memberships_and_dues(users, tree, tmp_path):
    p1 = services.create_person(by=users["hz_staff"], org=tree["hz"], name="甲", category="relative",
                                id_number=f.id_number())
    ent = services.create_enterprise(by=users["hz_staff"], org=tree["hz"], name="乙公司", credit_code=f.credit_code())
    stranger = services.create_person(by=users["wz_staff"], org=tree["wz"], name="丙", category="relative",
                                      id_number=f.id_number())
    path = write_xlsx(tmp_path / "m.xlsx", [
        ["组织代码", "身份证号", "统一社会信用代码", "职务", "入会日期"],
        ["hz", p1.id_number, "", "副会长", "2020年1月1日"],
        ["hz", "", ent.credit_code, "", dt.date(2021, 5, 1)],
        ["hz", stranger.id_number, "", "", ""],
        ["hz", p1.id_number, "", "理事", ""],
    ])
    report = run_import("memberships", path, by=users["hz_staff"], valid_only=True)
    assert {(r["row"], r["column"]) for r in report.rejected} == {(4, "身份证号"), (5, "身份证号")}
    assert report.created == 2
    m = Membership.objects.get(person=p1)
    assert (m.role, m.joined_on) == ("vice_president", dt.date(2020, 1, 1))
    # A second import updates the current membership instead of adding another.
    again = write_xlsx(tmp_path / "m2.xlsx", [["组织代码", "身份证号", "职务"], ["hz", p1.id_number, "会长"]])
    report = run_import("memberships", again, by=users["hz_staff"])
    assert (report.created, report.updated) == (0, 1) and Membership.objects.get(person=p1).role == "president"

    dues = write_xlsx(tmp_path / "d.xlsx", [
        ["组织代码", "身份证号", "统一社会信用代码", "年度", "金额", "缴费日期", "收据号"],
        ["hz", p1.id_number, "", "2024年", "2,000.00", "2024/3/1", "R-001"],
        ["hz", "", ent.credit_code, 2024, 500, "2024-04-01", "R-002"],
        ["hz", p1.id_number, "", 2024, "-5", "2024-04-01", "R-003"],
    ])
    report = run_import("dues", dues, by=users["hz_staff"], valid_only=True)
    assert report.created == 2 and [r["column"] for r in report.rejected] == ["金额"]
    fix = write_xlsx(tmp_path / "d2.xlsx", [["组织代码", "身份证号", "年度", "金额", "缴费日期", "收据号"],
                                            ["hz", p1.id_number, 2024, 2500, "2024-03-01", "R-001"]])
    report = run_import("dues", fix, by=users["hz_staff"])
    assert (report.created, report.updated) == (0, 1)
    assert DuesPayment.objects.get(receipt_number="R-001").amount == 2500


def test_organizations_sheet_builds_a_subtree(users, tree, tmp_path):
    from orgs.models import Organization

    path = write_xlsx(tmp_path / "o.xlsx", [
        ["代码", "名称", "上级单位代码", "类型", "成立日期"],
        ["hz-it", "杭州意大利侨团", "", "海外侨团", "2001-05-01"],
        ["hz-it-mi", "米兰联络站", "hz-it", "overseas_station", ""],
        ["wz-x", "温州某会", "wz", "商会", ""],
        ["hz", "杭州市归国华侨联合会", "", "侨联", ""],
    ])
    report = run_import("organizations", path, by=users["hz_admin"], org=tree["hz"], valid_only=True)
    assert (report.created, report.updated) == (2, 1)
    assert [(r["row"], r["column"]) for r in report.rejected] == [(4, "上级单位代码")]
    child = Organization.objects.get(code="hz-it-mi")
    assert child.path.startswith(Organization.objects.get(code="hz-it").path)
    assert Organization.objects.get(code="hz").name == "杭州市归国华侨联合会"


def test_cli_json_list_and_template(users, tree, tmp_path, capsys):
    path = write_csv(tmp_path / "p.csv", [PEOPLE_HEAD, ["王一", "华侨", "", "", "", ""],
                                          ["王二", "火星人", "", "", "", ""]])
    with pytest.raises(SystemExit) as exit_:
        call_command("import", "people", str(path), "--org", "hz", "--user", "hz_staff", "--format", "json")
    assert exit_.value.code == 1
    out = json.loads(capsys.readouterr().out)
    assert out == {"rows": 2, "created": 0, "updated": 0,
                   "rejected": [{"row": 3, "column": "类别", "value": "火星人", "message": out["rejected"][0]["message"]}]}
    assert "华侨" in out["rejected"][0]["message"]

    call_command("import", "people", str(path), "--org", "hz", "--user", "hz_staff", "--format", "json",
                 "--valid-only")
    assert json.loads(capsys.readouterr().out)["created"] == 1

    call_command("import", "--list", "--format", "json")
    kinds = {k["kind"] for k in json.loads(capsys.readouterr().out)}
    assert {"people", "enterprises", "organizations", "memberships", "dues"} <= kinds

    template = tmp_path / "blank.xlsx"
    call_command("import", "people", "--template", str(template))
    rows = read_xlsx(template)
    assert rows[0][:3] == ["组织代码", "姓名", "类别"]
    from openpyxl import load_workbook

    assert load_workbook(template).sheetnames[1] == "填写说明"
    # The blank template imports as an empty sheet.
    assert run_import("people", template, by=users["hz_staff"], org=tree["hz"]).rows == 0


def test_template_download_and_import_page_access(client, users):
    client.force_login(users["hz_viewer"])
    assert client.get(reverse("import")).status_code == 403
    assert "导入" not in client.get(reverse("home")).content.decode().split("<main")[0].replace("导入表格", "")
    client.force_login(users["hz_staff"])
    page = client.get(reverse("import")).content.decode()
    assert 'href="/import/template/people/"' in page
    response = client.get(reverse("import-template", args=["enterprises"]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [c.value for c in wb.worksheets[0][1]][:3] == ["组织代码", "名称", "统一社会信用代码"]
    assert client.get(reverse("import-template", args=["nosuch"])).status_code == 404
