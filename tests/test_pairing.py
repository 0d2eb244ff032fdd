"""Pairing through the services, the API, the CLI and the pages: runs, locks, confirmations, scope."""
import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from pairing import services
from pairing.models import Decision, Pair, PairStatus, Proposal, RunStatus
from stats.indicators import evaluate


@pytest.fixture
def program(users, tree):
    """大企帮小店 in 上城区: two enterprises (capacity 2) and four shops with needs."""
    by = users["hz_staff"]
    p = services.create_program(by=by, org=tree["sc"], code="sc-2024", name="上城大企帮小店", kind="enterprise_shop",
                                capacity=2, max_helpers=1, same_county=True)
    add = services.add_participant
    p.h_ecom = add(by=by, program=p, side="helper", name="电商龙头", region="330102", industry="F", size="large",
                   strengths="电商,物流")
    p.h_law = add(by=by, program=p, side="helper", name="律所", region="330102", industry="L", size="medium",
                  strengths="法律")
    p.b = [add(by=by, program=p, side="beneficiary", name=f"小店{i}", region="330102", industry="F", size="micro",
               needs=needs) for i, needs in enumerate(["电商", "法律", "电商,物流", "资金"])]
    p.b_far = add(by=by, program=p, side="beneficiary", name="外县小店", region="330782", needs="电商")
    return p


def test_run_proposes_the_optimum_and_explains_the_unpaired(program, users):
    run = services.run_program(by=users["hz_staff"], program=program)
    assert run.status == RunStatus.DONE and run.pairs == 4
    made = {(p.helper.name, p.beneficiary.name) for p in run.proposals.select_related("helper", "beneficiary")}
    assert ("电商龙头", "小店2") in made and ("律所", "小店1") in made
    assert run.objective >= run.greedy_objective
    reasons = {row["name"]: row["reason"] for row in services.unpaired_rows(run)}
    assert reasons == {"外县小店": "no_candidate"}
    prop = run.proposals.get(helper=program.h_ecom, beneficiary=program.b[2])
    assert prop.components["needs"] == 1.0 and prop.components["region"] == 1.0


def test_confirmed_pairs_stay_until_unlocked(program, users):
    by = users["hz_staff"]
    run = services.run_program(by=by, program=program)
    first = run.proposals.get(beneficiary=program.b[3])
    services.confirm_proposals(by=by, run=run, proposals=[first])
    assert Pair.objects.filter(status=PairStatus.ACTIVE).count() == 1
    # Make the confirmed pair unattractive: the next run still keeps it, locked.
    services.add_participant(by=by, program=program, side="helper", name="资金方", region="330102",
                             strengths="资金", capacity=1)
    run2 = services.run_program(by=by, program=program)
    kept = run2.proposals.get(beneficiary=program.b[3])
    assert kept.locked and kept.helper_id == first.helper_id
    # Unlocked, the next run may re-pair the shop with the lender, and confirming ends the old pair.
    pair = Pair.objects.get(beneficiary=program.b[3])
    services.set_pair_locked(by=by, pair=pair, locked=False)
    run3 = services.run_program(by=by, program=program)
    moved = run3.proposals.get(beneficiary=program.b[3])
    assert not moved.locked and moved.helper.name == "资金方"
    services.confirm_proposals(by=by, run=run3)
    pair.refresh_from_db()
    assert pair.status == PairStatus.ENDED and "第3次" in pair.end_reason
    assert Proposal.objects.filter(run=run3, decision=Decision.PENDING).count() == 0


def test_forbidden_and_locked_rules(program, users):
    by = users["hz_staff"]
    services.add_rule(by=by, program=program, kind="forbid", helper=program.h_ecom, beneficiary=program.b[2])
    services.add_rule(by=by, program=program, kind="lock", helper=program.h_law, beneficiary=program.b[3])
    run = services.run_program(by=by, program=program)
    pairs = set(run.proposals.values_list("helper_id", "beneficiary_id", "locked"))
    assert (program.h_law.pk, program.b[3].pk, True) in pairs
    assert not any(h == program.h_ecom.pk and b == program.b[2].pk for h, b, _l in pairs)


def test_locks_beyond_capacity_are_explained(program, users):
    by = users["hz_staff"]
    for b in program.b[:3]:
        services.add_rule(by=by, program=program, kind="lock", helper=program.h_law, beneficiary=b)
    run = services.run_program(by=by, program=program)
    assert run.status == RunStatus.FAILED and "律所" in run.result["error"]


def test_capacity_exhausted_is_the_reason(program, users):
    by = users["hz_staff"]
    services.update_program(by=by, program=program, capacity=1)
    run = services.run_program(by=by, program=program)
    reasons = {row["name"]: row["reason"] for row in services.unpaired_rows(run)}
    assert run.pairs == 2
    assert sorted(r for n, r in reasons.items() if n != "外县小店") == ["capacity_exhausted", "capacity_exhausted"]


def test_top_k_is_said_in_the_run(program, users):
    run = services.run_program(by=users["hz_staff"], program=program, k=1)
    assert run.pruned_k == 1 and run.result["pruned"] and run.candidates == 4


def test_confirm_checks_capacity_and_follow_ups_feed_indicators(program, users):
    by = users["hz_staff"]
    run = services.run_program(by=by, program=program)
    pairs = services.confirm_proposals(by=by, run=run)
    assert len(pairs) == 4
    extra = services.add_participant(by=by, program=program, side="beneficiary", name="新店", region="330102")
    with pytest.raises(ValidationError):
        services.create_pair(by=by, program=program, helper=program.h_ecom, beneficiary=extra)
    today = dt.date.today()
    services.add_follow_up(by=by, pair=pairs[0], date=today, funds_delivered=Decimal("50000"),
                           orders_amount=Decimal("1200"), people_trained=3)
    services.end_pair(by=by, pair=pairs[1], status="ended", reason="店铺关闭")
    with pytest.raises(ValidationError):
        services.end_pair(by=by, pair=pairs[2], status="ended", reason="")
    hz = users["hz_viewer"]
    assert evaluate("pairing.pairs.made", user=hz).value == 4
    assert evaluate("pairing.funds_delivered", user=hz).value == Decimal("50000")
    assert evaluate("pairing.beneficiaries.reached", user=hz).value == 4
    assert evaluate("pairing.pairs.active", user=hz).value == 3
    assert evaluate("pairing.pairs.made", user=users["wz_staff"]).value == 0


def test_permissions(program, users):
    with pytest.raises(PermissionDenied):
        services.run_program(by=users["hz_viewer"], program=program)
    with pytest.raises(PermissionDenied):
        services.add_participant(by=users["wz_staff"], program=program, side="helper", name="越权")


def test_cli_prints_objective_pairs_and_unpaired(program, users):
    out = StringIO()
    call_command("pairing", "run", "sc-2024", "--format", "json", "--user", "hz_staff", stdout=out)
    body = json.loads(out.getvalue())
    assert body["pairs_made"] == 4 and body["objective"] > 0 and body["greedy_objective"] > 0
    assert body["unpaired"] == [{"id": program.b_far.pk, "name": "外县小店", "side": "beneficiary",
                                 "reason": "no_candidate", "explanation": "在约束条件内没有可结对的对象"}]


def test_api_run_confirm_and_scope(program, api):
    c = api("hz_staff")
    r = c.post("/api/pairing/runs/", {"program": program.pk}, format="json")
    assert r.status_code == 201, r.content
    run = r.json()
    assert run["pairs"] == 4 and run["result"]["unpaired"][0][2] == "no_candidate"
    props = c.get(f"/api/pairing/proposals/?run={run['id']}").json()["results"]
    assert len(props) == 4 and set(props[0]["components"]) == {"needs", "region", "industry", "distance", "size",
                                                               "past"}
    r = c.post(f"/api/pairing/runs/{run['id']}/confirm/", {"proposals": [props[0]["id"]]}, format="json")
    assert r.status_code == 200 and len(r.json()) == 1
    pair_id = r.json()[0]["id"]
    assert c.patch(f"/api/pairing/pairs/{pair_id}/", {"status": "ended"}, format="json").status_code == 400
    r = c.post("/api/pairing/follow-ups/", {"pair": pair_id, "date": "2024-05-01", "funds_delivered": "1000"},
               format="json")
    assert r.status_code == 201, r.content
    # Viewers read but do not run; the other city sees nothing.
    assert api("hz_viewer").post("/api/pairing/runs/", {"program": program.pk}, format="json").status_code == 403
    assert api("wz_staff").get(f"/api/pairing/runs/{run['id']}/").status_code == 404
    assert api("wz_staff").post("/api/pairing/runs/", {"program": program.pk}, format="json").status_code == 400


def test_pages(program, users, client):
    client.force_login(users["hz_staff"])
    assert client.get("/pairing/").status_code == 200
    assert client.get(f"/pairing/programs/{program.pk}/").status_code == 200
    assert client.get(f"/pairing/programs/{program.pk}/participants/").status_code == 200
    r = client.post(f"/pairing/programs/{program.pk}/run/", {})
    assert r.status_code == 302
    run_url = r["Location"]
    page = client.get(run_url)
    assert page.status_code == 200 and "外县小店" in page.content.decode()
    prop = Proposal.objects.first()
    assert "需求匹配" in client.get(f"/pairing/proposals/{prop.pk}/explain/").content.decode()
    assert client.post(run_url + "decide/", {"action": "confirm_all"}).status_code == 302
    pair = Pair.objects.first()
    assert client.get(f"/pairing/pairs/{pair.pk}/").status_code == 200
    client.post(f"/pairing/pairs/{pair.pk}/action/", {"action": "follow_up", "date": "2024-06-01", "kind": "visit",
                                                       "funds_delivered": "10", "orders_amount": "0",
                                                       "income_increase": "0", "people_trained": "0"})
    assert pair.follow_ups.count() == 1
    assert client.get(f"/pairing/programs/{program.pk}/").status_code == 200
    # A participant linked to a registered enterprise by its credit code takes its name and region.
    from registry import services as reg
    from tests import factories as f

    code = f.credit_code("330102")
    reg.create_enterprise(by=users["hz_staff"], org=program.org, name="登记企业", credit_code=code, region="330102")
    r = client.post(f"/pairing/programs/{program.pk}/participants/new/", {"side": "helper", "credit_code": code,
                                                                          "past_results": "0", "active": "on"})
    assert r.status_code == 302, r.content.decode()[:3000]
    linked = program.participants.get(enterprise__credit_code=code)
    assert (linked.name, linked.region) == ("登记企业", "330102")
    # A pair made by hand.
    r = client.post(f"/pairing/programs/{program.pk}/pairs/new/", {"helper": linked.pk,
                                                                    "beneficiary": program.b_far.pk})
    assert Pair.objects.filter(helper=linked, beneficiary=program.b_far, locked=True).exists()
    client.force_login(users["wz_staff"])
    assert client.get(f"/pairing/programs/{program.pk}/").status_code == 404
    assert client.get(f"/pairing/pairs/{pair.pk}/").status_code == 404


def test_participants_import_through_the_shared_pipeline(program, users, tree, tmp_path):
    from core.importing.pipeline import run_import

    sheet = tmp_path / "participants.csv"
    sheet.write_text(
        "项目代码,方向,名称,编号,所在地区,行业门类,需求,优势,结对上限,纬度,经度\n"
        "sc-2024,帮扶方,大企业A,H1,330102,批发和零售业,,电商、外贸,3,30.25,120.17\n"
        "sc-2024,受助方,小店甲,B1,上城区,F,电商,,,30.26,120.18\n"
        "nope,受助方,小店丙,B3,330102,F,电商,,,,\n", encoding="utf-8")
    report = run_import("pairing_participants", sheet, by=users["hz_staff"], org=tree["hz"])
    assert report.rejected and report.created == 0  # all or nothing: the unknown programme stops the write
    assert [r["column"] for r in report.as_dict()["rejected"]] == ["项目代码"]
    report = run_import("pairing_participants", sheet, by=users["hz_staff"], org=tree["hz"], valid_only=True)
    assert report.created == 2
    helper = program.participants.get(external_key="H1")
    assert (helper.side, helper.strengths, helper.capacity, helper.org_id) == ("helper", "电商,外贸", 3, tree["sc"].pk)
    # Importing again updates by programme, side and 编号; the other city cannot write here.
    report = run_import("pairing_participants", sheet, by=users["hz_staff"], org=tree["hz"], valid_only=True)
    assert (report.created, report.updated) == (0, 2)
    report = run_import("pairing_participants", sheet, by=users["wz_staff"], org=tree["wz"], valid_only=True)
    assert report.created == 0 and report.updated == 0


@pytest.mark.django_db(transaction=True)
def test_large_runs_go_to_the_worker_with_progress(users, tree, django_capture_on_commit_callbacks):
    from core.models import Job, JobStatus
    from tests.test_jobs import run_worker

    by = users["hz_staff"]
    p = services.create_program(by=by, org=tree["hz"], code="hz-big", name="大项目", kind="liaison", capacity=3)
    for i in range(3):
        services.add_participant(by=by, program=p, side="helper", name=f"理事{i}", strengths="培训")
    for i in range(7):
        services.add_participant(by=by, program=p, side="beneficiary", name=f"会员{i}", needs="培训")
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_run(by=by, program=p, k=2)
    run_worker()
    run.refresh_from_db()
    job = Job.objects.get(pk=run.job_id)
    # Equal scores: with K = 2 every member keeps the same two directors (6 places) and one stays out.
    assert job.status == JobStatus.SUCCEEDED and job.result["pairs"] == 6 and job.total == 7
    assert run.status == RunStatus.DONE and run.pruned_k == 2 and run.pairs == 6
    assert [(r["side"], r["reason"]) for r in services.unpaired_rows(run)] == [
        ("helper", "pruned"), ("beneficiary", "capacity_exhausted")]


def test_past_results_count_in_the_next_programme(program, users, tree):
    by = users["hz_staff"]
    run = services.run_program(by=by, program=program)
    pairs = services.confirm_proposals(by=by, run=run)
    ecom = [p for p in pairs if p.helper_id == program.h_ecom.pk]
    services.add_follow_up(by=by, pair=ecom[0], date=dt.date(2024, 5, 1), orders_amount=Decimal("800"))
    for p in ecom:
        services.end_pair(by=by, pair=p, status="completed")
    assert services.past_results(program) == {program.h_ecom.pk: 0.5}


def test_per_helper_capacity_override(program, users):
    by = users["hz_staff"]
    services.update_participant(by=by, participant=program.h_ecom, capacity=1)
    run = services.run_program(by=by, program=program)
    assert run.proposals.filter(helper=program.h_ecom).count() == 1
    assert run.proposals.filter(helper=program.h_law).count() == 2


def test_run_page_queries_do_not_grow_with_proposals(program, users, client, django_assert_max_num_queries):
    by = users["hz_staff"]
    for i in range(30):
        services.add_participant(by=by, program=program, side="beneficiary", name=f"加店{i}", region="330102",
                                 needs="电商")
    services.update_program(by=by, program=program, capacity=40)
    run = services.run_program(by=by, program=program)
    assert run.pairs == 34
    client.force_login(users["hz_staff"])
    with django_assert_max_num_queries(12):
        assert client.get(f"/pairing/runs/{run.pk}/").status_code == 200
