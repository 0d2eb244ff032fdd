"""Export to .xlsx: the import sheet's headers, masking by grant, scope, filters, audit, re-import."""
import json

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command

from core import exporting
from core.importing.pipeline import run_import
from registry import services
from registry.models import Person
from tests import factories as f
from tests.importing import read_xlsx


@pytest.fixture
def people(users, tree):
    """Two people in 杭州 (one in 上城区) and one in 温州."""
    by = users["zj_admin"]
    return {
        "wang": services.create_person(by=by, org=tree["hz"], name="王小明", category="overseas_chinese", country="IT",
                                       id_number=f.id_number(), phone="13812345678", is_new_overseas=True),
        "li": services.create_person(by=by, org=tree["sc"], name="李华", category="relative", country="ES",
                                     id_number=f.id_number(), email="li@example.com"),
        "chen": services.create_person(by=by, org=tree["wz"], name="陈静", category="relative",
                                       id_number=f.id_number()),
    }


def rows_by_name(path):
    rows = read_xlsx(path)
    head = rows[0]
    return head, {r[head.index("姓名")]: dict(zip(head, r, strict=True)) for r in rows[1:]}


def test_masked_without_personal_grant_and_scoped(users, people, tmp_path):
    out = tmp_path / "p.xlsx"
    summary = exporting.export("people", users["hz_staff"], out)
    head, rows = rows_by_name(out)
    assert head[:3] == ["组织代码", "姓名", "类别"] and summary["rows"] == 2 and summary["revealed"] == 0
    assert set(rows) == {"王小明", "李华"}  # 陈静 is in 温州, outside the scope
    wang = rows["王小明"]
    number = people["wang"].id_number
    assert wang["身份证号"] == number[:2] + "*" * 14 + number[-2:] and wang["手机"] == "138****5678"
    assert wang["出生日期"] == "1985-**-**"
    assert (wang["类别"], wang["居住国"], wang["新侨"], wang["组织代码"]) == ("华侨", "IT", "是", "hz")
    assert not LogEntry.objects.filter(additional_data__action="core.personal_data.revealed").exists()


def test_revealed_with_personal_grant_and_logged(users, people, tmp_path):
    out = tmp_path / "p.xlsx"
    exporting.export("people", users["hz_admin"], out, {"category": "overseas_chinese"}, purpose="侨情核查")
    _head, rows = rows_by_name(out)
    assert set(rows) == {"王小明"}
    assert rows["王小明"]["身份证号"] == people["wang"].id_number and rows["王小明"]["手机"] == "+8613812345678"
    entry = LogEntry.objects.get(additional_data__action="core.export.completed")
    assert entry.actor == users["hz_admin"]
    assert entry.additional_data | {"kind": "people"} == entry.additional_data
    assert entry.additional_data["rows"] == 1 and entry.additional_data["filters"] == {"category": "overseas_chinese"}
    reveal = LogEntry.objects.get(additional_data__action="core.personal_data.revealed")
    assert reveal.actor == users["hz_admin"] and reveal.additional_data["rows"] == 1
    assert reveal.additional_data["purpose"] == entry.additional_data["purpose"] == "侨情核查"


def test_filters_search_and_subtree(users, people, tmp_path):
    out = tmp_path / "p.xlsx"
    assert exporting.export("people", users["zj_admin"], out, {"org": "hz"})["rows"] == 2
    assert exporting.export("people", users["zj_admin"], out, {"q": "小明"})["rows"] == 1
    assert exporting.export("people", users["zj_admin"], out, {"country": "ES"})["rows"] == 1
    assert exporting.export("people", users["nobody"], out)["rows"] == 0


def test_round_trip_export_then_import_updates_the_same_records(users, tree, people, tmp_path):
    out = tmp_path / "p.xlsx"
    exporting.export("people", users["zj_admin"], out, purpose="年度核对")
    Person.objects.filter(pk=people["wang"].pk).update(country="FR", phone="")
    report = run_import("people", out, by=users["zj_admin"], org=None)
    assert (report.rows, report.created, report.updated, report.rejected) == (3, 0, 3, [])
    wang = Person.objects.get(pk=people["wang"].pk)
    assert (wang.country, wang.phone, wang.is_new_overseas) == ("IT", "+8613812345678", True)
    assert Person.objects.count() == 3


def test_enterprises_and_organizations(users, tree, tmp_path):
    services.create_enterprise(by=users["zj_admin"], org=tree["hz"], name="华联贸易", credit_code=f.credit_code(),
                               industry="F", phone="13812345678")
    out = tmp_path / "e.xlsx"
    exporting.export("enterprises", users["hz_staff"], out)
    rows = read_xlsx(out)
    assert rows[1][1:3][0] == "华联贸易" and rows[1][rows[0].index("行业门类")] == "批发和零售业"
    assert rows[1][rows[0].index("联系电话")] == "138****5678"
    exporting.export("organizations", users["hz_staff"], out)
    rows = read_xlsx(out)
    parents = {r[0]: r[rows[0].index("上级单位代码")] for r in rows[1:]}
    assert parents == {"hz": "zj", "hz-sc": "hz"}
    # Exported organizations re-import as updates.
    report = run_import("organizations", out, by=users["hz_admin"], org=tree["hz"])
    assert (report.created, report.updated, report.rejected) == (0, 2, [])


def test_cli_export_json(users, people, tmp_path, capsys):
    out = tmp_path / "cli.xlsx"
    call_command("export", "people", "--out", str(out), "--org", "hz", "--user", "hz_staff", "--format", "json")
    assert json.loads(capsys.readouterr().out) == {"kind": "people", "rows": 2, "file": str(out)}
    f.user("root", superuser=True)
    call_command("export", "people", "--out", str(out), "--format", "json", "--purpose", "备份核对")
    assert json.loads(capsys.readouterr().out)["rows"] == 3
    assert read_xlsx(out)[1][rows_head_index(out, "身份证号")].count("*") == 0


def rows_head_index(path, header):
    return read_xlsx(path)[0].index(header)
