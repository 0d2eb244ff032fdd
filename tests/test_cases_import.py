"""A year of historical cases imported through the shared pipeline; `manage.py indicator` reproduces its figures."""
import datetime as dt
import io
import json
import random
from decimal import Decimal

import pytest
from django.core.management import call_command

from cases.models import Case
from tests.importing import write_xlsx

pytestmark = pytest.mark.django_db

HEADER = ["编号", "类型", "来源渠道", "受理日期", "申请人", "联系电话", "对方当事人", "事由", "涉及金额",
          "办理结果", "挽回金额", "办结日期", "办结期限", "满意度"]
KINDS = {"消费纠纷": "consumer_dispute", "经营纠纷": "business_dispute", "劳资纠纷": "labour_dispute",
         "法律咨询": "legal_consultation"}


def _ledger(n=260, seed=2024):
    """Rows of an old ledger from late 2023 to early 2025, and the rows as facts for the expected figures."""
    rnd = random.Random(seed)
    rows, facts = [HEADER], []
    for i in range(n):
        submitted = dt.date(2023, 12, 1) + dt.timedelta(days=rnd.randrange(0, 420))
        kind = rnd.choice(list(KINDS))
        involved = Decimal(rnd.randrange(100, 50000))
        result = rnd.choice(["已化解", "已化解", "已化解", "未化解", "不予受理", ""])
        decided = submitted + dt.timedelta(days=rnd.randrange(0, 40)) if result else None
        due = submitted + dt.timedelta(days=28)
        recovered = (involved * rnd.randrange(0, 101) / 100).quantize(Decimal("0.01")) if result == "已化解" else None
        score = rnd.choice([None, 3, 4, 5, 5]) if result in ("已化解", "未化解") else None
        rows.append([f"YW-{i:04d}", kind, "调解室", submitted.isoformat(), f"当事人{i}", "13812345678", "某商行",
                     f"{kind}{i}", str(involved), result, str(recovered) if recovered is not None else "",
                     decided.isoformat() if decided else "", due.isoformat(), score or ""])
        facts.append({"submitted": submitted, "kind": KINDS[kind], "involved": involved, "result": result,
                      "decided": decided, "due": due, "recovered": recovered, "score": score})
    return rows, facts


def _expected(facts, start, end):
    def inside(d):
        return d is not None and start <= d <= end

    received = [f for f in facts if inside(f["submitted"])]
    decided = [f for f in facts if f["result"] in ("已化解", "未化解") and inside(f["decided"])]
    resolved = [f for f in decided if f["result"] == "已化解"]
    on_time = [f for f in decided if f["decided"] <= f["due"]]
    scores = [f["score"] for f in decided if f["score"]]

    def pct(a, b):
        return float((Decimal(a) * 100 / Decimal(b)).quantize(Decimal("0.01"))) if b else 0

    def num(x):
        return float(x) if x != x.to_integral_value() else int(x)

    by_kind = {}
    for f in received:
        by_kind[f["kind"]] = by_kind.get(f["kind"], 0) + 1
    return {
        "cases.received": len(received),
        "cases.received.by_kind": dict(sorted(by_kind.items())),
        "cases.resolved": len(resolved),
        "cases.resolution_rate": pct(len(resolved), len(decided)),
        "cases.on_time_rate": pct(len(on_time), len(decided)),
        "cases.amount_involved": num(sum((f["involved"] for f in received), Decimal(0))),
        "cases.amount_recovered": num(sum((f["recovered"] for f in resolved), Decimal(0))),
        "cases.satisfaction.average": float((Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.01"))),
    }


def _json(*args):
    out = io.StringIO()
    try:
        call_command(*args, "--format", "json", stdout=out, stderr=io.StringIO())
    except SystemExit:  # `import` exits 1 when it rejected rows, after printing its report
        pass
    return json.loads(out.getvalue())


def test_a_year_of_cases_and_its_figures(users, tree, tmp_path):
    rows, facts = _ledger()
    path = write_xlsx(tmp_path / "诉求台账.xlsx", rows)
    report = _json("import", "cases", str(path), "--org", "hz", "--user", "hz_staff")
    assert report["rejected"] == [] and report["created"] == len(facts)
    assert Case.objects.filter(org=tree["hz"]).count() == len(facts)
    # Importing the same ledger again updates the same cases (matched by 编号).
    again = _json("import", "cases", str(path), "--org", "hz", "--user", "hz_staff")
    assert again["created"] == 0 and again["updated"] == len(facts)

    expected = _expected(facts, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    for key, value in expected.items():
        got = _json("indicator", key, "--org", "hz", "--from", "2024-01-01", "--to", "2024-12-31")
        assert got["value"] == value, key
    # The province sees the same figures (one subtree), 温州 none of them.
    assert _json("indicator", "cases.received", "--org", "zj", "--from", "2024-01-01",
                 "--to", "2024-12-31")["value"] == expected["cases.received"]
    assert _json("indicator", "cases.received", "--org", "wz", "--from", "2024-01-01",
                 "--to", "2024-12-31")["value"] == 0


def test_bad_rows_are_rejected_with_their_columns(users, tree, tmp_path):
    rows = [HEADER,
            ["", "不存在的类型", "", "2024-01-05", "甲", "", "", "事由", "", "", "", "", "", ""],
            ["", "消费纠纷", "", "2024-02-05", "乙", "", "", "事由", "", "已化解", "", "2024-02-01", "", ""],
            ["", "消费纠纷", "", "2024-02-05", "丙", "", "", "事由", "100", "已化解", "80", "2024-02-08", "", "9"]]
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    report = _json("import", "cases", str(path), "--org", "hz", "--user", "hz_staff", "--dry-run")
    columns = sorted((r["row"], r["column"]) for r in report["rejected"])
    assert columns == [(2, "类型"), (3, "办结日期"), (4, "满意度")]


def test_export_reads_back_through_the_import(users, tree, tmp_path):
    rows, facts = _ledger(n=20)
    _json("import", "cases", str(write_xlsx(tmp_path / "in.xlsx", rows)), "--org", "hz", "--user", "hz_staff")
    out = tmp_path / "out.xlsx"
    call_command("export", "cases", "--out", str(out), "--user", "hz_admin", "--purpose", "台账核对", stdout=io.StringIO(),
                 stderr=io.StringIO())
    from tests.importing import read_xlsx

    exported = read_xlsx(out)
    assert "编号" in exported[0] and len(exported) >= 21
    again = _json("import", "cases", str(out), "--org", "hz", "--user", "hz_staff")
    assert again["rejected"] == [] and again["created"] == 0 and again["updated"] == 20
