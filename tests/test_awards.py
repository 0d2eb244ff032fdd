"""Awards: rubric rules, nominations with locked figures, conflicts, blind scoring, aggregation, ties,
publication, certificates and certifications."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from awards import services as aw
from awards.models import CampaignStatus, Certification, Figure, Judge, Score
from awards.ranking import rank_campaign
from registry import services as reg
from tests import factories as f

YEAR = 2024


@pytest.fixture
def chambers(tree):
    """Three chambers under 杭州市侨联 (the organizer)."""
    hz = tree["hz"]
    return [f.org(f"hz-c{i}", f"杭州{name}商会", hz, kind="hometown_chamber")
            for i, name in enumerate(["泉州", "温州", "宁波"], start=1)]


def _campaign(users, tree, *, mode="points", drop=False, places=2, **kw):
    by = users["hz_admin"]
    c = aw.create_campaign(by=by, org=tree["hz"], code=kw.pop("code", f"hz-{YEAR}"), year=kw.pop("year", YEAR),
                           title="年度优秀商会", scoring_mode=mode, drop_extremes=drop, places=places, **kw)
    return c


def _rubric(c, by, weights=(60, 40)):
    aw.add_criterion(by=by, campaign=c, group="经济建设", title="会员企业发展", max_score=60, weight=weights[0])
    aw.add_criterion(by=by, campaign=c, group="组织建设", title="会员发展与党建", max_score=40, weight=weights[1])
    return list(c.criteria.all())


def _judge(c, by, name, **kw):
    return aw.add_judge(by=by, campaign=c, user=f.user(name), name=name, **kw)


@pytest.fixture
def running(users, tree, chambers):
    """A campaign in scoring with three submitted chambers, three judges assigned to every one."""
    by = users["hz_admin"]
    c = _campaign(users, tree)
    crit = _rubric(c, by)
    aw.open_nominations(by=by, campaign=c)
    noms = [aw.submit_nomination(by=by, nomination=aw.nominate(by=by, campaign=c, nominee=ch)) for ch in chambers]
    judges = [_judge(c, by, f"judge{i}") for i in range(3)]
    aw.start_scoring(by=by, campaign=c)
    aw.assign_all(by=by, campaign=c)
    return {"c": c, "crit": crit, "noms": noms, "judges": judges, "by": by}


def _score(running, judge, nomination, a, b):
    assignment = judge.assignments.get(nomination=nomination)
    crit = running["crit"]
    return aw.score(by=judge.user, assignment=assignment,
                    values={crit[0]: {"value": a, "comment": "好"}, crit[1]: {"value": b}})


def test_weights_must_add_up_and_maximums_hold(users, tree, chambers):
    by = users["hz_admin"]
    c = _campaign(users, tree, mode="weighted")
    _rubric(c, by, weights=(60, 30))
    with pytest.raises(ValidationError, match="合计须为100"):
        aw.open_nominations(by=by, campaign=c)
    with pytest.raises(ValidationError):
        aw.add_criterion(by=by, campaign=c, group="x", title="负分", max_score=0)
    with pytest.raises(ValidationError):
        aw.add_criterion(by=by, campaign=c, group="x", title="权重", max_score=10, weight=120)
    aw.update_criterion(by=by, criterion=c.criteria.last(), weight=40)
    aw.open_nominations(by=by, campaign=c)
    with pytest.raises(ValidationError):  # the rubric is fixed once nominations open
        aw.add_criterion(by=by, campaign=c, group="x", title="晚加", max_score=10)


def test_score_within_maximum_and_changes_audited(running):
    from auditlog.models import LogEntry

    judge, nom = running["judges"][0], running["noms"][0]
    with pytest.raises(ValidationError, match="0到60"):
        _score(running, judge, nom, 61, 10)
    with pytest.raises(ValidationError):
        _score(running, judge, nom, -1, 10)
    _score(running, judge, nom, 50, 30)
    _score(running, judge, nom, 55, 30)
    changes = [e.additional_data for e in LogEntry.objects.get_for_object(nom)
               if (e.additional_data or {}).get("action") == "awards.score.changed"]
    assert {"old": "50.00", "new": "55"}.items() <= changes[0].items()
    assert len(changes) == 3  # two criteria, then one changed


def test_weighted_total(users, tree, chambers):
    by = users["hz_admin"]
    c = _campaign(users, tree, mode="weighted")
    crit = _rubric(c, by)
    aw.open_nominations(by=by, campaign=c)
    n = aw.submit_nomination(by=by, nomination=aw.nominate(by=by, campaign=c, nominee=chambers[0]))
    j = _judge(c, by, "wj")
    aw.start_scoring(by=by, campaign=c)
    aw.assign(by=by, judge=j, nominations=[n])
    aw.score(by=j.user, assignment=j.assignments.get(), values={crit[0]: {"value": 30}, crit[1]: {"value": 40}})
    (row,) = rank_campaign(c)
    assert row.score == Decimal("70.000")  # 30/60×60 + 40/40×40


def test_judge_never_scores_own_chamber(running, users, tree, chambers):
    by, c = running["by"], running["c"]
    # Detected through grants: staff of the chamber.
    staff = _judge(c, by, "chamber-staff")
    from accounts.models import Grant

    Grant.objects.create(user=staff.user, org=chambers[0], role="staff")
    with pytest.raises(ValidationError, match="任职"):
        aw.assign(by=by, judge=staff, nominations=[running["noms"][0]])
    # Detected through the registry: a member of the chamber.
    person = reg.create_person(by=by, org=chambers[1], name="王评委", category="relative")
    reg.add_membership(by=by, org=chambers[1], person=person)
    member = _judge(c, by, "member-judge", person=person)
    with pytest.raises(ValidationError, match="会员"):
        aw.assign(by=by, judge=member, nominations=[running["noms"][1]])
    # Declared; assign_all skips every conflict.
    declared = _judge(c, by, "declared", conflicts=[chambers[2]])
    assigned, skipped = aw.assign_all(by=by, campaign=c)
    assert skipped == 3 and assigned == 6
    assert not declared.assignments.filter(nomination=running["noms"][2]).exists()
    # A conflict arising after assignment blocks scoring too.
    judge = running["judges"][0]
    Grant.objects.create(user=judge.user, org=chambers[0], role="viewer")
    with pytest.raises(PermissionDenied):
        _score(running, judge, running["noms"][0], 10, 10)


def test_only_the_assigned_judge_scores(running):
    j0, j1, nom = running["judges"][0], running["judges"][1], running["noms"][0]
    with pytest.raises(PermissionDenied):
        aw.score(by=j1.user, assignment=j0.assignments.get(nomination=nom), values={})


def test_blind_until_close(running, users):
    j0, j1, nom = running["judges"][0], running["judges"][1], running["noms"][0]
    _score(running, j0, nom, 50, 30)
    _score(running, j1, nom, 40, 20)
    assert {s.assignment.judge for s in aw.visible_scores(j1.user, nom)} == {j1}
    assert not aw.visible_scores(users["hz_admin"], nom).exclude(assignment__judge__user=users["hz_admin"]).exists()
    for nomination in running["noms"]:
        for j in running["judges"]:
            _score(running, j, nomination, 30, 20)
    aw.close_scoring(by=running["by"], campaign=running["c"])
    assert aw.visible_scores(users["hz_admin"], nom).count() == 6
    assert aw.visible_scores(j1.user, nom).count() == 2  # a judge without grants still sees only its own


def test_drop_highest_and_lowest(running):
    c, nom = running["c"], running["noms"][0]
    c.drop_extremes = True
    c.save()
    for j, (a, b) in zip(running["judges"], [(60, 40), (30, 20), (10, 5)], strict=True):
        _score(running, j, nom, a, b)
    row = next(r for r in rank_campaign(c) if r.nomination == nom)
    assert row.score == Decimal("50.000")  # 100 and 15 dropped
    assert row.mean_all == Decimal("55.000")
    c.drop_extremes = False
    c.save()
    assert next(r for r in rank_campaign(c) if r.nomination == nom).score == Decimal("55.000")


def test_ties_broken_by_first_criterion_then_shared(running):
    c, (n1, n2, n3) = running["c"], running["noms"]
    for j in running["judges"]:
        _score(running, j, n1, 40, 40)  # 80, first criterion 40
        _score(running, j, n2, 50, 30)  # 80, first criterion 50: wins the tie
        _score(running, j, n3, 40, 40)  # same as n1: shares the rank
    rows = aw.close_scoring(by=running["by"], campaign=c)
    assert [(r.nomination, r.rank) for r in rows][0] == (n2, 1)
    assert {(r.nomination, r.rank) for r in rows[1:]} == {(n1, 2), (n3, 2)}
    # Two places, the tie on the second place selects both.
    assert all(r.selected for r in rows)


def test_figures_equal_the_indicators_and_are_locked(users, tree, chambers):
    from stats.indicators import evaluate

    by = users["hz_admin"]
    chamber = chambers[0]
    for i in range(3):
        p = reg.create_person(by=by, org=chamber, name=f"会员{i}", category="relative")
        reg.add_membership(by=by, org=chamber, person=p, joined_on=dt.date(YEAR, 3, 1 + i))
    c = _campaign(users, tree)
    _rubric(c, by)
    aw.open_nominations(by=by, campaign=c)
    n = aw.nominate(by=by, campaign=c, nominee=chamber)
    figures = {fig.key: fig for fig in n.figures.all()}
    assert "registry.members.current" in figures and len(figures) >= 4
    for key, fig in figures.items():
        result = evaluate(key, user=by, org=chamber, start=dt.date(YEAR, 1, 1), end=dt.date(YEAR, 12, 31))
        assert fig.value == Decimal(str(result.value)), key
    assert figures["registry.members.joined"].value == 3
    with pytest.raises(ValidationError):  # the self-report cannot carry a figure
        aw.save_report(by=by, nomination=n, entries={c.criteria.first(): {"value": 999}})
    aw.save_report(by=by, nomination=n, entries={c.criteria.first(): {"text": "会员增长", "self_score": 50}})
    with pytest.raises(ValidationError):
        aw.save_report(by=by, nomination=n, entries={c.criteria.first(): {"self_score": 61}})
    aw.submit_nomination(by=by, nomination=n)
    with pytest.raises(ValidationError):
        aw.save_report(by=by, nomination=n, entries={c.criteria.first(): {"text": "改"}})
    assert Figure.objects.filter(nomination=n).count() == len(figures)


def test_nomination_permission_and_eligibility(users, tree, chambers):
    by = users["hz_admin"]
    c = _campaign(users, tree, required_certification="four_good", required_level="provincial",
                  eligible_kinds=["hometown_chamber"])
    _rubric(c, by)
    aw.open_nominations(by=by, campaign=c)
    with pytest.raises(ValidationError, match="四好"):
        aw.nominate(by=by, campaign=c, nominee=chambers[0])
    aw.certify(by=by, kind="four_good", title="四好商会", level="city", year=2023, holder_org=chambers[0])
    with pytest.raises(ValidationError, match="四好"):  # a city-level certificate is below the required level
        aw.nominate(by=by, campaign=c, nominee=chambers[0])
    aw.certify(by=by, kind="four_good", title="四好商会", level="national", year=2020,
               expires_on=dt.date(2021, 12, 31), holder_org=chambers[0])
    with pytest.raises(ValidationError, match="四好"):  # expired
        aw.nominate(by=by, campaign=c, nominee=chambers[0])
    aw.certify(by=by, kind="four_good", title="全国四好商会", level="national", year=2024, holder_org=chambers[0])
    with pytest.raises(PermissionDenied):  # 温州's staff cannot nominate a 杭州 chamber
        aw.nominate(by=users["wz_staff"], campaign=c, nominee=chambers[0])
    with pytest.raises(ValidationError, match="下级范围"):
        aw.nominate(by=users["zj_admin"], campaign=c, nominee=tree["wzc"])
    n = aw.nominate(by=by, campaign=c, nominee=chambers[0])
    assert n.by_organizer and n.org == chambers[0]
    staff = f.user("c-staff", (chambers[1], "staff"))
    assert c in aw.open_campaigns_for(staff)
    assert c not in aw.open_campaigns_for(users["wz_staff"])


def test_copy_rubric_from_last_year(users, tree):
    by = users["hz_admin"]
    last = _campaign(users, tree, code="hz-2023", year=2023, mode="weighted", drop=True)
    _rubric(last, by)
    this = _campaign(users, tree, code="hz-2024", year=2024)
    copies = aw.copy_rubric(by=by, campaign=this)
    assert [(x.group, x.title, x.max_score, x.weight) for x in copies] == \
           [(x.group, x.title, x.max_score, x.weight) for x in last.criteria.all()]
    this.refresh_from_db()
    assert this.scoring_mode == "weighted" and this.drop_extremes
    assert last.criteria.count() == 2


def test_progress_reminders_publicity_and_publication(running, mailoutbox, django_capture_on_commit_callbacks):
    c, by = running["c"], running["by"]
    j0 = running["judges"][0]
    for i, nom in enumerate(running["noms"]):
        _score(running, j0, nom, 50 - i, 30)
    rows = {r["judge"].name: r for r in aw.progress(c)}
    assert rows["judge0"]["completed"] == 3 and not rows["judge0"]["late"] and rows["judge1"]["late"]
    with django_capture_on_commit_callbacks(execute=True):
        late = aw.remind_late(by=by, campaign=c)
    assert {j.name for j in late} == {"judge1", "judge2"}
    assert len(mailoutbox) == 0 or all("评审提醒" in m.subject for m in mailoutbox)
    aw.close_scoring(by=by, campaign=c)
    c.refresh_from_db()
    assert c.status == CampaignStatus.PUBLICITY
    nom = running["noms"][0]
    aw.raise_objection(nomination=nom, text="材料不实")
    aw.publish(by=by, campaign=c)
    assert Certification.objects.filter(campaign=c).count() == 2
    with pytest.raises(ValidationError):
        aw.raise_objection(nomination=nom, text="晚了")
    assert Score.objects.filter(assignment__nomination__campaign=c).count() == 6


def test_certificate_pdf_has_chinese_text(running):
    import io

    from pypdf import PdfReader

    from awards.certificates import certificate_pdf

    for nom in running["noms"]:
        for j in running["judges"]:
            _score(running, j, nom, 50, 30)
    aw.close_scoring(by=running["by"], campaign=running["c"])
    aw.publish(by=running["by"], campaign=running["c"])
    nom = running["noms"][0]
    nom.refresh_from_db()
    text = PdfReader(io.BytesIO(certificate_pdf(nom))).pages[0].extract_text()
    assert "杭州泉州商会" in text and "年度优秀商会" in text


def test_cli_rank_json(running):
    import json

    from django.core.management import call_command

    for i, nom in enumerate(running["noms"]):
        for j in running["judges"]:
            _score(running, j, nom, 50 - i, 30)
    out = io_out()
    call_command("awards", "rank", running["c"].code, "--format", "json", stdout=out)
    doc = json.loads(out.getvalue())
    assert [r["rank"] for r in doc["ranking"]] == [1, 2, 3]
    assert doc["ranking"][0]["name"] == "杭州泉州商会" and doc["ranking"][0]["score"] == "80.000"
    assert [r["selected"] for r in doc["ranking"]] == [True, True, False]


def io_out():
    import io

    return io.StringIO()


def test_api_campaign_flow(api, users, running):
    c, nom = running["c"], running["noms"][0]
    judge = running["judges"][0]
    staff = api("hz_staff")
    r = staff.get(f"/api/awards/campaigns/{c.pk}/")
    assert r.status_code == 200 and len(r.json()["criteria"]) == 2
    assert api("wz_staff").get(f"/api/awards/campaigns/{c.pk}/").status_code == 404
    assert staff.get(f"/api/awards/campaigns/{c.pk}/ranking/").status_code == 403  # blind until the close
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    jc = APIClient()
    jc.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=judge.user).key}")
    rows = jc.get("/api/awards/assignments/").json()
    assert len(rows) == 3
    a = next(row for row in rows if row["nomination"] == nom.pk)
    crit = running["crit"]
    r = jc.post(f"/api/awards/assignments/{a['id']}/scores/",
                {"scores": [{"criterion": crit[0].pk, "value": 70}]}, format="json")
    assert r.status_code == 400
    r = jc.post(f"/api/awards/assignments/{a['id']}/scores/",
                {"scores": [{"criterion": crit[0].pk, "value": 55, "comment": "优"},
                            {"criterion": crit[1].pk, "value": 35}]}, format="json")
    assert r.status_code == 200, r.content
    other = running["judges"][1].assignments.get(nomination=nom)
    assert jc.post(f"/api/awards/assignments/{other.pk}/scores/", {"scores": []}, format="json").status_code == 404
    assert staff.get(f"/api/awards/nominations/{nom.pk}/scores/").json() == []
    r = staff.post(f"/api/awards/campaigns/{c.pk}/close-scoring/")
    assert r.status_code == 200 and r.json()["status"] == "publicity"
    ranking = staff.get(f"/api/awards/campaigns/{c.pk}/ranking/").json()
    assert ranking[0]["nomination"] == nom.pk and ranking[0]["score"] == "90.000"
    assert staff.post(f"/api/awards/campaigns/{c.pk}/publish/").status_code == 200
    r = staff.get(f"/api/awards/nominations/{nom.pk}/certificate/")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def _login(client, user):
    client.force_login(user)
    return client


def test_pages_scoped_and_rendered(client, users, tree, chambers, running):
    c, nom = running["c"], running["noms"][0]
    hz = _login(client, users["hz_staff"])
    assert hz.get("/awards/").status_code == 200
    r = hz.get(f"/awards/{c.pk}/")
    assert r.status_code == 200 and "会员企业发展" in r.content.decode()
    r = hz.get(f"/awards/nominations/{nom.pk}/")
    assert r.status_code == 200 and "🔒" in r.content.decode()
    client.force_login(users["wz_staff"])
    assert client.get(f"/awards/{c.pk}/").status_code == 404
    assert client.get(f"/awards/nominations/{nom.pk}/").status_code == 404
    assert client.post(f"/awards/{c.pk}/step/close_scoring/").status_code == 404
    # A judge without any grant reaches only its own assignments.
    judge = running["judges"][0]
    client.force_login(judge.user)
    assert client.get(f"/awards/nominations/{nom.pk}/").status_code == 404
    a = judge.assignments.get(nomination=nom)
    assert client.get(f"/awards/judging/{a.pk}/").status_code == 200
    other = running["judges"][1].assignments.get(nomination=nom)
    assert client.get(f"/awards/judging/{other.pk}/").status_code == 404


def test_certification_on_the_org_page(client, users, chambers):
    aw.certify(by=users["hz_admin"], kind="four_good", title="省级四好示范商会", level="provincial", year=2024,
               issuer="浙江省工商联", expires_on=dt.date(2027, 12, 31), holder_org=chambers[0])
    _login(client, users["hz_viewer"])
    body = client.get(f"/orgs/{chambers[0].pk}/").content.decode()
    assert "省级四好示范商会" in body and "浙江省工商联" in body and "2027" in body
    client.force_login(users["wz_staff"])
    assert client.get("/awards/certifications/").content.decode().count("四好示范") == 0


def test_nominate_from_the_page_by_the_chamber_itself(client, users, tree, chambers):
    by = users["hz_admin"]
    c = _campaign(users, tree)
    _rubric(c, by)
    aw.open_nominations(by=by, campaign=c)
    staff = f.user("chamber-own", (chambers[0], "staff"))
    client.force_login(staff)
    assert client.get(f"/awards/{c.pk}/").status_code == 200  # open to its chamber, though run above it
    r = client.post(f"/awards/{c.pk}/nominate/", {"org_code": chambers[0].code})
    n = c.nominations.get()
    assert r.status_code == 302 and not n.by_organizer
    crit = c.criteria.first()
    client.post(f"/awards/nominations/{n.pk}/", {"summary": "总体", f"text-{crit.pk}": "发展会员", "submit": "1"})
    n.refresh_from_db()
    assert n.status == "submitted" and n.entries.get(criterion=crit).text == "发展会员"
    assert client.post(f"/awards/{c.pk}/nominate/", {"org_code": chambers[1].code}).status_code == 302
    assert c.nominations.count() == 1  # another chamber is not its to nominate


def test_public_list_and_objection(client, running):
    c, by = running["c"], running["by"]
    for i, nom in enumerate(running["noms"]):
        for j in running["judges"]:
            _score(running, j, nom, 50 - i, 30)
    assert client.get(f"/awards/list/{c.code}/").status_code == 404  # nothing public before the close
    aw.close_scoring(by=by, campaign=c)
    body = client.get(f"/awards/list/{c.code}/").content.decode()
    assert "杭州泉州商会" in body and "杭州宁波商会" not in body
    r = client.post(f"/awards/list/{c.code}/", {"nomination": running["noms"][0].pk, "text": "数据有误"})
    assert r.status_code == 302 and running["noms"][0].objections.count() == 1


def test_indicators(users, tree, chambers):
    from stats.indicators import evaluate

    by = users["hz_admin"]
    aw.certify(by=by, kind="four_good", title="四好商会", level="city", year=2023, holder_org=chambers[0])
    aw.certify(by=by, kind="four_good", title="四好商会", level="national", year=2024, holder_org=chambers[0])
    aw.certify(by=by, kind="plaque", title="中国浙菜海外体验店", level="provincial", year=2024,
               expires_on=dt.date(2024, 6, 30), holder_org=chambers[1])
    args = {"user": by, "org": tree["hz"], "start": dt.date(2025, 1, 1), "end": dt.date(2025, 12, 31)}
    assert evaluate("awards.certifications.valid", **args).value == 2
    assert evaluate("awards.certifications.four_good", **args).value == 1
    assert evaluate("awards.certifications.four_good", **{**args, "user": users["wz_staff"]}).value == 0


def test_evidence_for_the_nomination_and_its_judges_only(client, users, tree, chambers, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    by = users["hz_admin"]
    c = _campaign(users, tree)
    _rubric(c, by)
    aw.open_nominations(by=by, campaign=c)
    n = aw.nominate(by=by, campaign=c, nominee=chambers[0])
    ev = aw.add_evidence(by=by, nomination=n, upload=SimpleUploadedFile("党建.pdf", b"%PDF-1.4\n"), title="党建")
    judge = _judge(c, by, "ev-judge")
    aw.submit_nomination(by=by, nomination=n)
    aw.assign(by=by, judge=judge, nominations=[n])
    client.force_login(judge.user)
    assert client.get(f"/awards/evidence/{ev.pk}/").status_code == 200
    client.force_login(users["wz_staff"])
    assert client.get(f"/awards/evidence/{ev.pk}/").status_code == 404


def test_judge_declares_conflict_and_organizer_answers_objection(client, running):
    c, by, judge, nom = running["c"], running["by"], running["judges"][0], running["noms"][0]
    a = judge.assignments.get(nomination=nom)
    client.force_login(judge.user)
    assert client.post(f"/awards/judging/{a.pk}/conflict/").status_code == 302
    assert not judge.assignments.filter(nomination=nom).exists()
    for n in running["noms"]:
        for j in running["judges"][1:]:
            _score(running, j, n, 50, 30 if n == nom else 20)
    aw.close_scoring(by=by, campaign=c)
    o = aw.raise_objection(nomination=nom, text="材料不实")
    client.force_login(by)
    r = client.post(f"/awards/nominations/{nom.pk}/objections/{o.pk}/", {"response": "经核实属实", "deselect": "1"})
    assert r.status_code == 302
    nom.refresh_from_db()
    o.refresh_from_db()
    assert not nom.selected and o.response == "经核实属实"
    assert "材料不实" in client.get(f"/awards/nominations/{nom.pk}/").content.decode()


def test_campaign_page_queries_do_not_grow_with_judges(client, running, django_assert_max_num_queries):
    c, by = running["c"], running["by"]
    for i, nom in enumerate(running["noms"]):
        for j in running["judges"]:
            _score(running, j, nom, 50 - i, 30)
    aw.close_scoring(by=by, campaign=c)
    client.force_login(by)
    client.get(f"/awards/{c.pk}/")
    with django_assert_max_num_queries(25):
        assert client.get(f"/awards/{c.pk}/").status_code == 200
    for i in range(5):
        Judge.objects.create(org=c.org, campaign=c, user=f.user(f"extra{i}"), name=f"extra{i}")
    with django_assert_max_num_queries(25):
        assert client.get(f"/awards/{c.pk}/").status_code == 200


def test_assign_one_judge_from_the_page(client, running, users):
    from accounts.models import Grant

    c, by = running["c"], running["by"]
    judge = _judge(c, by, "late-judge")
    Grant.objects.create(user=judge.user, org=running["noms"][1].nominee_org, role="viewer")
    client.force_login(by)
    url = f"/awards/{c.pk}/judges/{judge.pk}/assign/"
    client.post(url, {"nominations": [running["noms"][0].pk]})
    assert list(judge.assignments.values_list("nomination", flat=True)) == [running["noms"][0].pk]
    r = client.post(url, {"nominations": [running["noms"][1].pk]}, follow=True)
    assert "任职" in r.content.decode() and judge.assignments.count() == 1
    client.force_login(users["wz_staff"])
    assert client.post(url, {"nominations": [running["noms"][2].pk]}).status_code == 404


def test_person_campaign_by_category(users, tree, chambers):
    by = users["hz_admin"]
    c = _campaign(users, tree, code="aixin-2024", nominee_kind="person", eligible_kinds=["overseas_chinese"])
    _rubric(c, by)
    aw.open_nominations(by=by, campaign=c)
    merchant = reg.create_person(by=by, org=chambers[0], name="陈侨商", category="overseas_chinese")
    relative = reg.create_person(by=by, org=chambers[0], name="林侨眷", category="relative")
    with pytest.raises(ValidationError, match="类型"):
        aw.nominate(by=by, campaign=c, nominee=relative)
    with pytest.raises(ValidationError, match="推选对象"):
        aw.nominate(by=by, campaign=c, nominee=chambers[0])
    n = aw.nominate(by=by, campaign=c, nominee=merchant)
    assert n.nominee_person == merchant and n.org == chambers[0]
    assert {fig.key for fig in n.figures.all()} == {"person.donations", "person.person_times",
                                                     "person.volunteer_hours", "person.pairs"}
    judge = _judge(c, by, "self-judge", person=merchant)
    aw.submit_nomination(by=by, nomination=n)
    with pytest.raises(ValidationError, match="自己"):
        aw.assign(by=by, judge=judge, nominations=[n])


def test_enterprise_and_person_nominees_get_their_own_figures_locked(users, tree, chambers):
    from charity import services as charity

    by = users["hz_admin"]
    fund = charity.create_fund(by=by, org=tree["hz"], code="aixin", name="爱心基金", kind="student_aid")
    merchant = reg.create_person(by=by, org=chambers[0], name="陈侨商", category="overseas_chinese")
    company = reg.create_enterprise(by=by, org=chambers[0], name="义乌市小商品贸易有限公司")
    for value, year in (("3000", YEAR), ("2000", YEAR), ("4000", YEAR - 1)):
        charity.receive_donation(by=by, fund=fund, donor_name="陈侨商", donor_person=merchant, value=value,
                                 received_on=dt.date(year, 5, 1))
    charity.receive_donation(by=by, fund=fund, donor_name=company.name, donor_kind="enterprise",
                             donor_enterprise=company, value="10000", received_on=dt.date(YEAR, 6, 1))

    people = _campaign(users, tree, code="aixin-2024", nominee_kind="person")
    _rubric(people, by)
    aw.open_nominations(by=by, campaign=people)
    n = aw.nominate(by=by, campaign=people, nominee=merchant)
    donations = n.figures.get(key="person.donations")
    assert (donations.value, donations.previous, donations.change) == (Decimal("5000"), Decimal("4000"), 25.0)
    assert n.figures.get(key="person.person_times").value == 0

    firms = _campaign(users, tree, code="brand-2024", nominee_kind="enterprise")
    _rubric(firms, by)
    aw.open_nominations(by=by, campaign=firms)
    e = aw.nominate(by=by, campaign=firms, nominee=company)
    given = e.figures.get(key="enterprise.donations")
    assert (given.value, given.previous, given.change) == (Decimal("10000"), Decimal("0"), None)
    # Locked: the self-report cannot carry a figure's key, and the figure is recomputed, never typed.
    charity.receive_donation(by=by, fund=fund, donor_name=company.name, donor_kind="enterprise",
                             donor_enterprise=company, value="500", received_on=dt.date(YEAR, 7, 1))
    aw.fill_figures(e, by=by)
    assert e.figures.get(key="enterprise.donations").value == Decimal("10500")


def test_remove_a_judge_who_has_not_scored_but_not_one_who_has(running, client, users):
    c, by = running["c"], running["by"]
    j0, j1 = running["judges"][:2]
    _score(running, j0, running["noms"][0], 50, 30)
    with pytest.raises(ValidationError, match="已经评分"):
        aw.remove_judge(by=by, judge=j0)
    with pytest.raises(PermissionDenied):
        aw.remove_judge(by=users["wz_staff"], judge=j1)
    client.force_login(by)
    page = client.get(f"/awards/{c.pk}/")
    assert f"/awards/{c.pk}/judges/{j1.pk}/remove/" in page.content.decode()
    assert f"/awards/{c.pk}/judges/{j0.pk}/remove/" not in page.content.decode()  # it has scored
    client.post(f"/awards/{c.pk}/judges/{j1.pk}/remove/")
    assert not Judge.objects.filter(pk=j1.pk).exists()
    assert {r["judge"].name for r in aw.progress(c)} == {"judge0", "judge2"}
    from auditlog.models import LogEntry

    assert LogEntry.objects.filter(additional_data__action="awards.judge.removed").count() == 1


def test_certification_corrected_in_the_web_ui_holder_fixed(client, users, chambers):
    cert = aw.certify(by=users["hz_admin"], kind="four_good", title="四好商会", level="city", year=2024,
                      holder_org=chambers[0])
    client.force_login(users["wz_staff"])
    assert client.get(f"/awards/certifications/{cert.pk}/").status_code == 404
    client.force_login(users["hz_staff"])
    assert f"/awards/certifications/{cert.pk}/" in client.get("/awards/certifications/").content.decode()
    r = client.post(f"/awards/certifications/{cert.pk}/", {"kind": "four_good", "title": "省级四好商会",
                                                            "level": "provincial", "issuer": "浙江省工商联",
                                                            "year": 2024, "expires_on": "2027-12-31"})
    assert r.status_code == 302
    cert.refresh_from_db()
    assert (cert.title, cert.level, str(cert.expires_on), cert.holder_org) == \
           ("省级四好商会", "provincial", "2027-12-31", chambers[0])
    bad = client.post(f"/awards/certifications/{cert.pk}/", {"kind": "four_good", "title": "x", "level": "galactic",
                                                              "year": 2024})
    assert bad.status_code == 200 and "galactic" in bad.content.decode()


@pytest.mark.parametrize("region,level", [("330000", "provincial"), ("330100", "city"), ("330102", "county")])
def test_certificate_level_follows_the_organizers_region(region, level, tree):
    from awards.services import _level_of

    org = f.org(f"lvl-{region}", "评优主办单位", tree["hz"], region=region)
    assert _level_of(org) == level
