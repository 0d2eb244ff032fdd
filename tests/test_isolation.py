"""Isolation: two users in disjoint subtrees (杭州, 温州) never see, count, search or change each other's records.

Generic on purpose: it walks every scoped model (`core.scoping.scoped_models()`) and every
endpoint registered in the API router, so a new model or endpoint is covered the day it
appears. A new scoped model needs a builder in BUILDERS below, or `test_every_scoped_model_has_a_builder`
fails.
"""
import datetime as dt
import itertools
from decimal import Decimal

import pytest

from accounts.models import Grant
from activities import models as am
from activities import services as act_services
from awards import models as awm
from awards import services as award_services
from cases import models as cm
from cases import services as case_services
from charity import models as chm
from charity import services as charity_services
from core.scoping import scoped_models
from directory import models as dm
from directory import services as directory_services
from orgs import services as org_services
from orgs.models import Congress, Council, Milestone, Organization, Position, Term
from pairing import services as pairing_services
from pairing.models import FollowUp, Pair, PairRule, Participant, Program, Proposal, Run
from portal import models as pm
from portal import services as portal_services
from privacy import models as prm
from privacy import services as privacy_services
from registry import services as reg_services
from registry.models import DuesPayment, DuesRate, Enterprise, Membership, Person
from shanghui.api_urls import router
from stats import services as stats_services
from stats.models import ReviewTemplate, Snapshot, Submission
from tests import factories as f

_n = itertools.count(1)

# Each builder makes one record owned by `org` (or, for Organization, one node under it);
# `label` ("杭州"/"温州") goes into names so that a search for one side's records is specific.


def _org(org, by, label):
    n = next(_n)
    return f.org(f"iso-{n}", f"{label}隔离单位{n}", org)


def _person(org, by, label):
    return reg_services.create_person(by=by, org=org, name=f"{label}隔离人员{next(_n)}", category="relative")


def _enterprise(org, by, label):
    return reg_services.create_enterprise(by=by, org=org, name=f"{label}隔离企业{next(_n)}")


def _membership(org, by, label):
    return reg_services.add_membership(by=by, org=org, person=_person(org, by, label))


def _term(org, by, label):
    return org_services.add_term(by=by, org=org, number=next(_n))


def _council(org, by, label):
    return _term(org, by, label).councils.get(kind="council")


def _position(org, by, label):
    return org_services.appoint(by=by, term=_term(org, by, label), person=_person(org, by, label), role="director")


def _congress(org, by, label):
    return Congress.objects.create(org=org, number=next(_n), title=f"{label}隔离代表大会")


def _milestone(org, by, label):
    return org_services.add_milestone(by=by, org=org, date=dt.date(2020, 1, 1), title=f"{label}隔离事件")


def _dues_rate(org, by, label):
    return reg_services.set_dues_rate(by=by, org=org, year=2000 + next(_n), role="member", amount=Decimal("100"))


def _dues_payment(org, by, label):
    return reg_services.record_payment(by=by, membership=_membership(org, by, label), year=2024,
                                       amount=Decimal("100"), paid_on=dt.date(2024, 3, 1))


def _snapshot(org, by, label):
    return Snapshot.objects.create(org=org, key="registry.people.count", start=dt.date(2025, 1, 1),
                                   end=dt.date(2025, 12, 31), value=next(_n))


def _review_template(org, by, label):
    return stats_services.save_template(by=by, org=org, title=f"{label}隔离回眸", body="# 概况\n{registry.people.count}")


def _submission(org, by, label):
    return stats_services.submit(by=by, org=org, period=str(1000 + next(_n)))


def _grant(org, by, label):
    return Grant.objects.create(user=f.user(f"iso-user-{next(_n)}"), org=org, role="viewer")


def _program(org, by, label):
    n = next(_n)
    return pairing_services.create_program(by=by, org=org, code=f"iso-{n}", name=f"{label}隔离结对项目{n}",
                                           kind="enterprise_shop", capacity=2)


def _participant(org, by, label, side="helper", program=None):
    return pairing_services.add_participant(by=by, program=program or _program(org, by, label), side=side,
                                            name=f"{label}隔离参与方{next(_n)}", strengths="电商", needs="电商")


def _two_sides(org, by, label):
    program = _program(org, by, label)
    return (program, _participant(org, by, label, "helper", program),
            _participant(org, by, label, "beneficiary", program))


def _pair_rule(org, by, label):
    program, h, b = _two_sides(org, by, label)
    return pairing_services.add_rule(by=by, program=program, kind="forbid", helper=h, beneficiary=b)


def _run(org, by, label):
    program, _h, _b = _two_sides(org, by, label)
    return pairing_services.run_program(by=by, program=program)


def _proposal(org, by, label):
    return _run(org, by, label).proposals.get()


def _pair(org, by, label):
    program, h, b = _two_sides(org, by, label)
    return pairing_services.create_pair(by=by, program=program, helper=h, beneficiary=b)


def _follow_up(org, by, label):
    return pairing_services.add_follow_up(by=by, pair=_pair(org, by, label), date=dt.date(2024, 5, 1),
                                          notes=f"{label}隔离回访")


def _case(org, by, label):
    return case_services.create_case(by=by, org=org, kind="consumer_dispute", applicant_name=f"{label}申请人",
                                     subject=f"{label}隔离诉求{next(_n)}", phone="13812345678")


def _department(org, by, label):
    return case_services.create_department(by=by, org=org, name=f"{label}隔离部门{next(_n)}")


def _dispatch(org, by, label):
    case = case_services.accept(by=by, case=_case(org, by, label))
    return case_services.dispatch(by=by, case=case, departments=[_department(org, by, label)])[0]


def _expert(org, by, label):
    return case_services.create_expert(by=by, org=org, name=f"{label}隔离专家{next(_n)}", kind="lawyer")


def _room(org, by, label):
    return case_services.create_room(by=by, org=org, name=f"{label}隔离调解室{next(_n)}")


def _shift(org, by, label):
    return case_services.set_shift(by=by, room=_room(org, by, label), date=dt.date(2025, 1, 2),
                                   mediators=[_expert(org, by, label)])


def _deadline(org, by, label):
    return case_services.set_deadline(by=by, org=org, step="resolve", working_days=next(_n) % 30 + 1)


def _session(org, by, label):
    case = case_services.accept(by=by, case=_case(org, by, label))
    return case_services.record_session(by=by, case=case, held_on=dt.date(2025, 1, 2), result=f"{label}调解")


def _referral(org, by, label):
    case = case_services.accept(by=by, case=_case(org, by, label))
    return case_services.refer(by=by, case=case, kind="court_mediation", body=f"{label}法院")


def _attachment(org, by, label):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(f"{label}.pdf", b"%PDF-1.4\n", content_type="application/pdf")
    return case_services.add_attachment(by=by, case=_case(org, by, label), upload=upload)


def _event(org, by, label):
    return _case(org, by, label).events.get()


def _activity(org, by, label):
    return act_services.create_activity(by=by, org=org, kind="training", title=f"{label}隔离活动{next(_n)}",
                                        start=dt.date(2025, 3, 1), capacity=10)


def _act_session(org, by, label):
    return act_services.add_session(by=by, activity=_activity(org, by, label), date=dt.date(2025, 3, 1), hours=2)


def _registration(org, by, label):
    return act_services.register(by=by, activity=_activity(org, by, label), name=f"{label}隔离学员{next(_n)}")


def _attendance(org, by, label):
    reg = _registration(org, by, label)
    return act_services.check_in(by=by, session=act_services.default_session(reg.activity), registration=reg)[0]


def _outcome(org, by, label):
    return act_services.add_outcome(by=by, activity=_activity(org, by, label), kind="intention",
                                    title=f"{label}隔离意向{next(_n)}", amount=Decimal("100"))


def _project(org, by, label):
    return act_services.create_project(by=by, org=org, name=f"{label}隔离项目{next(_n)}", investor_name="投资方")


def _project_follow_up(org, by, label):
    return act_services.add_project_follow_up(by=by, project=_project(org, by, label), date=dt.date(2025, 1, 1),
                                              notes=f"{label}隔离跟进")


def _team(org, by, label):
    return act_services.create_team(by=by, org=org, name=f"{label}隔离服务队{next(_n)}")


def _volunteer(org, by, label):
    return act_services.add_volunteer(by=by, team=_team(org, by, label), person=_person(org, by, label))


def _service(org, by, label):
    return act_services.log_service(by=by, volunteer=_volunteer(org, by, label), date=dt.date(2025, 1, 1),
                                    hours=2, description=f"{label}隔离服务")


def _activity_file(org, by, label):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(f"{label}.pdf", b"%PDF-1.4\n", content_type="application/pdf")
    return act_services.add_file(by=by, activity=_activity(org, by, label), upload=upload)


def _fund(org, by, label):
    n = next(_n)
    return charity_services.create_fund(by=by, org=org, code=f"iso-{n}", name=f"{label}隔离基金{n}", kind="relief")


def _donation(org, by, label):
    return charity_services.receive_donation(by=by, fund=_fund(org, by, label), donor_name=f"{label}隔离捐赠人",
                                             value=Decimal("500"), received_on=dt.date(2025, 1, 1))


def _beneficiary(org, by, label):
    return charity_services.create_beneficiary(by=by, org=org, kind="student", name=f"{label}隔离学生{next(_n)}",
                                               phone="13812345678")


def _disbursement(org, by, label):
    fund = _donation(org, by, label).fund
    return charity_services.request_disbursement(by=by, fund=fund, beneficiary=_beneficiary(org, by, label),
                                                 amount=Decimal("100"), purpose=f"{label}隔离助学")


def _honor(org, by, label):
    return charity_services.award_honor(by=by, org=org, title=f"{label}爱心侨商奖", year=2025,
                                        person=_person(org, by, label))



def _product(org, by, label, name=None):
    enterprise = _enterprise(org, by, label)
    return directory_services.create_product(by=by, enterprise=enterprise, name=name or f"{label}隔离产品{next(_n)}")


def _photo(org, by, label):
    import io

    from PIL import Image

    data = io.BytesIO()
    Image.new("RGB", (20, 20)).save(data, "PNG")
    return directory_services.add_photo(by=by, product=_product(org, by, label), data=data.getvalue(), name="p.png")


def _demand(org, by, label, title=None):
    return directory_services.post_demand(by=by, org=org, buyer=f"{label}采购方", language="zh",
                                          title=title or f"{label}隔离需求{next(_n)}")


def _match(org, by, label):
    title = f"{label}隔离围巾{next(_n)}"
    product = _product(org, by, label, name=title)
    return dm.Match.objects.get(demand=_demand(org, by, label, title=title), product=product)


def _inquiry(org, by, label):
    return directory_services.open_inquiry(by=None, product=_product(org, by, label), buyer_name=f"{label}采购方",
                                           message=f"{label}询价")


def _campaign(org, by, label):
    n = next(_n)
    return award_services.create_campaign(by=by, org=org, code=f"iso-{n}", year=2024, title=f"{label}隔离评优{n}")


def _open_campaign(org, by, label):
    campaign = _campaign(org, by, label)
    award_services.add_criterion(by=by, campaign=campaign, group="组织建设", title="会员发展", max_score=10)
    return award_services.open_nominations(by=by, campaign=campaign)


def _nomination(org, by, label):
    campaign = _open_campaign(org, by, label)
    n = next(_n)
    return award_services.nominate(by=by, campaign=campaign, nominee=f.org(f"iso-{n}", f"{label}隔离商会{n}", org,
                                                                           kind="chamber"))


def _judge(org, by, label):
    return award_services.add_judge(by=by, campaign=_campaign(org, by, label), user=f.user(f"iso-judge-{next(_n)}"),
                                    name=f"{label}隔离评委")


def _certification(org, by, label):
    return award_services.certify(by=by, kind="four_good", title=f"{label}四好商会", level="city", year=2024,
                                  holder_org=org)


def _member_account(org, by, label):
    return portal_services.accept_invitation(token=_token(_invitation(org, by, label)), password="Milano-Seta-2024")


def _token(invitation):
    return invitation.link.rstrip("/").rsplit("/", 1)[-1]


def _invitation(org, by, label):
    person = reg_services.create_person(by=by, org=org, name=f"{label}隔离会员{next(_n)}", category="relative",
                                        email=f"m{next(_n)}@example.com")
    invitation, invitation.link = portal_services.invite(by=by, person=person)
    return invitation


def _profile_change(org, by, label):
    member = _member_account(org, by, label)
    return portal_services.propose_changes(by=member.user, target=member.person, fields={"name": f"{label}改名"})[0]


def _notice(org, by, label):
    return pm.Notice.objects.create(org=org, title=f"{label}通知{next(_n)}", body="…")


def _subject_request(org, by, label):
    return privacy_services.receive(by=by, person=_person(org, by, label), kind="access", details=f"{label}隔离请求")


def _consent(org, by, label):
    return privacy_services.give_consent(by=by, person=_person(org, by, label), purpose="directory")


BUILDERS = {
    Organization: _org,
    Person: _person,
    Enterprise: _enterprise,
    Membership: _membership,
    Term: _term,
    Council: _council,
    Position: _position,
    Congress: _congress,
    Milestone: _milestone,
    DuesRate: _dues_rate,
    DuesPayment: _dues_payment,
    Grant: _grant,
    Snapshot: _snapshot,
    ReviewTemplate: _review_template,
    Submission: _submission,
    cm.Case: _case,
    cm.Department: _department,
    cm.Dispatch: _dispatch,
    cm.Expert: _expert,
    cm.MediationRoom: _room,
    cm.DutyShift: _shift,
    cm.DeadlineRule: _deadline,
    cm.MediationSession: _session,
    cm.Referral: _referral,
    cm.Attachment: _attachment,
    cm.CaseEvent: _event,
    dm.Product: _product,
    dm.Photo: _photo,
    dm.Demand: _demand,
    dm.Match: _match,
    dm.Inquiry: _inquiry,
    Program: _program,
    Participant: _participant,
    PairRule: _pair_rule,
    Run: _run,
    Proposal: _proposal,
    Pair: _pair,
    FollowUp: _follow_up,
    am.Activity: _activity,
    am.Session: _act_session,
    am.Registration: _registration,
    am.Attendance: _attendance,
    am.Outcome: _outcome,
    am.Project: _project,
    am.ProjectFollowUp: _project_follow_up,
    am.VolunteerTeam: _team,
    am.Volunteer: _volunteer,
    am.Service: _service,
    am.ActivityFile: _activity_file,
    chm.Fund: _fund,
    chm.Donation: _donation,
    chm.Beneficiary: _beneficiary,
    chm.Disbursement: _disbursement,
    chm.Honor: _honor,
    awm.Campaign: _campaign,
    awm.Nomination: _nomination,
    awm.Judge: _judge,
    awm.Certification: _certification,
    pm.MemberAccount: _member_account,
    pm.Invitation: _invitation,
    pm.ProfileChange: _profile_change,
    pm.Notice: _notice,
    prm.SubjectRequest: _subject_request,
    prm.Consent: _consent,
}

SIDES = {"hz_staff": "hz", "wz_staff": "wz"}  # user → the root of their subtree in the `tree` fixture


def _label(model):
    return model._meta.label


def _build_both(model, users, tree):
    """One record in the 杭州 subtree (under 上城区) and one in the 温州 subtree (under 温州市侨商会)."""
    build, by = BUILDERS[model], users["zj_admin"]
    return {"hz_staff": build(tree["sc"], by, "杭州"), "wz_staff": build(tree["wzc"], by, "温州")}


def _other(name):
    return "wz_staff" if name == "hz_staff" else "hz_staff"


def test_every_scoped_model_has_a_builder():
    missing = sorted(_label(m) for m in scoped_models() if m not in BUILDERS)
    assert not missing, f"add a builder to tests/test_isolation.py for the scoped models {missing}"


@pytest.mark.parametrize("model", [m for m in scoped_models() if m in BUILDERS], ids=_label)
def test_visible_to_separates_the_subtrees(model, users, tree):
    records = _build_both(model, users, tree)
    for name, root in SIDES.items():
        user, own, other = users[name], records[name], records[_other(name)]
        visible = model.objects.visible_to(user)
        assert visible.filter(pk=own.pk).exists()
        assert not visible.filter(pk=other.pk).exists()
        # Counts: exactly the records under the user's own subtree, nothing from the other one.
        in_subtree = model.objects.filter(**{f"{model.scope_path}__startswith": tree[root].path})
        assert visible.count() == in_subtree.count()
        assert not visible.filter(**{f"{model.scope_path}__startswith": tree[SIDES[_other(name)]].path}).exists()


ENDPOINTS = [(prefix, viewset) for prefix, viewset, _basename in router.registry]


def _model_of(viewset):
    return viewset.serializer_class.Meta.model


def test_every_endpoint_model_has_a_builder():
    missing = sorted(p for p, v in ENDPOINTS if _model_of(v) not in BUILDERS)
    assert not missing, f"add a builder to tests/test_isolation.py for the models of endpoints {missing}"


def _list_ids(client, url):
    """Every id over all pages of a list."""
    seen, count = set(), None
    while url:
        r = client.get(url)
        assert r.status_code == 200, r.content
        body = r.json()
        count = body["count"] if count is None else count
        seen |= {row["id"] for row in body["results"]}
        url = body["next"]
    return seen, count


@pytest.mark.parametrize("prefix,viewset", ENDPOINTS, ids=[p for p, _v in ENDPOINTS])
def test_api_endpoint_separates_the_subtrees(prefix, viewset, api, users, tree):
    model = _model_of(viewset)
    records = _build_both(model, users, tree)
    # Read-only detail actions (a product's demands) are probed with GET, the others with POST.
    detail_actions = [(a.url_path, "post" if "post" in a.mapping else "get")
                      for a in viewset.get_extra_actions() if a.detail]
    for name in SIDES:
        client, own, other = api(name), records[name], records[_other(name)]
        listed, count = _list_ids(client, f"/api/{prefix}/")
        assert own.pk in listed and other.pk not in listed
        assert count == model.objects.visible_to(users[name]).count() == len(listed)

        search = getattr(other, "name", None) or getattr(other, "title", None) or str(other)
        found, found_count = _list_ids(client, f"/api/{prefix}/?q={search}")
        assert other.pk not in found
        assert found_count == len(found)

        # Filtering on the other subtree's code finds nothing either.
        other_code = tree[SIDES[_other(name)]].code
        assert _list_ids(client, f"/api/{prefix}/?org={other_code}&under={other_code}") == (set(), 0)

        assert client.get(f"/api/{prefix}/{other.pk}/").status_code == 404
        before = model.objects.filter(pk=other.pk).values().get()
        assert client.patch(f"/api/{prefix}/{other.pk}/", {"name": "越权修改"}, format="json").status_code == 404
        assert client.put(f"/api/{prefix}/{other.pk}/", {"name": "越权修改"}, format="json").status_code == 404
        for url_path, method in detail_actions:
            r = getattr(client, method)(f"/api/{prefix}/{other.pk}/{url_path}/", {"purpose": "越权"}, format="json")
            assert r.status_code == 404
        assert model.objects.filter(pk=other.pk).values().get() == before

        # The own record is reachable, so the 404s above are about scope, not a broken URL.
        assert client.get(f"/api/{prefix}/{own.pk}/").status_code == 200


# --- Exports, searches, indicators, jobs and files (Trust issue, item 6) ---------------------------
# Each walks a registry (sheet kinds, search index, indicators, every FileField of every model), so a
# new kind, index, indicator or file is covered the day it is registered; a missing builder or file
# URL fails loudly.

HZ_MARKS, WZ_MARKS = ("杭州", "上城区"), ("温州",)  # every builder puts its side's label into names
MARKS = {"hz_staff": WZ_MARKS, "wz_staff": HZ_MARKS}  # what must never reach each user


def _sheet_kinds():
    from core.importing import sheets

    return sorted(sheets.kinds(), key=lambda k: k.kind)


def _cells(data: bytes) -> list[str]:
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [str(v) for ws in wb.worksheets for row in ws.iter_rows(min_row=2, values_only=True)
            for v in row if v is not None]


def test_every_export_kind_has_a_builder():
    missing = sorted(k.kind for k in _sheet_kinds() if k.model not in BUILDERS)
    assert not missing, f"add a builder to tests/test_isolation.py for the models of export kinds {missing}"


@pytest.mark.parametrize("kind", [k for k in _sheet_kinds() if k.model in BUILDERS], ids=lambda k: k.kind)
def test_exports_never_carry_the_other_subtree(kind, users, tree):
    import io

    from core import exporting

    records = _build_both(kind.model, users, tree)
    for name in SIDES:
        user = users[name]
        out = io.BytesIO()
        summary = exporting.export(kind.kind, user, out, purpose="隔离测试")
        cells = _cells(out.getvalue())
        expected = exporting.filtered_queryset(kind, user)
        assert summary["rows"] == expected.count() >= 1
        assert expected.filter(pk=records[name].pk).exists()
        assert not expected.filter(pk=records[_other(name)].pk).exists()
        leaked = [c for c in cells if any(m in c for m in MARKS[name])]
        assert not leaked, f"{name}'s export of {kind.kind} shows the other subtree: {leaked[:5]}"
        # Asking for the other subtree by its code brings none of its rows either.
        other_code = tree[SIDES[_other(name)]].code
        try:
            filtered = exporting.filtered_queryset(kind, user, {kind.org_filter: other_code})
        except ValueError:  # the filter refuses an organization outside the user's scope: as good
            continue
        assert not filtered.filter(pk=records[_other(name)].pk).exists()
        assert not filtered.exclude(pk__in=expected.values("pk")).exists()


def _searchable():
    from core import search

    return sorted(search.REGISTRY.values(), key=lambda e: e.label)


def test_every_searched_model_has_a_builder():
    missing = sorted(e.label for e in _searchable() if e.model not in BUILDERS)
    assert not missing, f"add a builder to tests/test_isolation.py for the searched models {missing}"


@pytest.mark.parametrize("entry", [e for e in _searchable() if e.model in BUILDERS], ids=lambda e: e.label)
def test_search_never_finds_the_other_subtree(entry, users, tree):
    from core import search

    model = entry.model
    records = _build_both(model, users, tree)
    for name in SIDES:
        user, own, other = users[name], records[name], records[_other(name)]
        other_names = [n for n in entry.names(other) if n]
        assert other_names, f"{entry.label}: the builder's record has no searchable name"
        for query in {other_names[0], other_names[0][:2], MARKS[name][0]}:
            found = search.search_ids(model.objects.all(), user, query)
            assert other.pk not in found, f"{name} finds the other subtree's {entry.label} by {query!r}"
            assert set(found) <= set(model.objects.visible_to(user).values_list("pk", flat=True))
        own_name = [n for n in entry.names(own) if n][0]
        assert own.pk in search.search_ids(model.objects.all(), user, own_name)


PERIOD = {"start": dt.date(2000, 1, 1), "end": dt.date(2030, 12, 31)}
# Figures of public reference data rather than of records: the same for anyone who names the region.
REFERENCE_INDICATORS = {"orgs.coverage.counties": "counties of a region in GB/T 2260"}


def _indicator_value(key, **kwargs):
    from stats.indicators import evaluate

    return evaluate(key, **PERIOD, **kwargs).as_dict()["value"]


def test_indicators_count_only_the_users_subtree(users, tree, api):
    """With one record of every model on both sides, every indicator a staff member computes equals the
    province's figure for their own subtree, and their figure for the other subtree is nobody's figure."""
    from stats.indicators import REGISTRY

    for model in BUILDERS:
        _build_both(model, users, tree)
    province, differs, wrong = users["zj_admin"], [], []
    for key in sorted(REGISTRY):
        for name, root in SIDES.items():
            mine = _indicator_value(key, user=users[name])
            if mine != _indicator_value(key, user=province, org=tree[root]):
                wrong.append((key, name, "own view differs from the province's view of the subtree"))
            if key not in REFERENCE_INDICATORS and _indicator_value(
                    key, user=users[name], org=tree[SIDES[_other(name)]]) != _indicator_value(key, user=users["nobody"]):
                wrong.append((key, name, "the other subtree is not empty"))
        if _indicator_value(key, user=province) != _indicator_value(key, user=users["hz_staff"]):
            differs.append(key)
    assert not wrong, wrong
    assert differs, "no indicator reflects the records built on the 温州 side: the test data misses them"
    # Through the API, an organization outside the caller's subtree is not found.
    client = api("hz_staff")
    for key in sorted(REGISTRY):
        assert client.get(f"/api/indicators/{key}/", {"org": tree["wz"].code}).status_code in (403, 404), key
        assert client.get(f"/api/indicators/{key}/", {"org": tree["hz"].code}).status_code == 200, key


def test_statistics_pages_of_another_subtree_are_not_found(client, users, tree):
    """Every statistics page named by an organization's code (dashboard, sheet, review, reports …)."""
    from django.urls import reverse

    from stats.urls import app_name, urlpatterns

    by_code = [p.name for p in urlpatterns if set(p.pattern.converters) == {"code"}]
    assert by_code
    client.force_login(users["hz_staff"])
    for name in by_code:
        other = reverse(f"{app_name}:{name}", kwargs={"code": tree["wz"].code})
        own = reverse(f"{app_name}:{name}", kwargs={"code": tree["hz"].code})
        statuses = {client.get(other).status_code, client.post(other).status_code}
        assert statuses <= {404, 405} and 404 in statuses, (name, statuses)
        client.raise_request_exception = False  # the own page's own faults belong to the stats tests
        assert client.get(own).status_code != 404, name  # the URL is right: the 404 above is about scope
        client.raise_request_exception = True


def _job(user, name="out.xlsx"):
    from django.core.files.base import ContentFile

    from core.models import Job

    job = Job.objects.create(kind="export", title=f"{user.username}的导出", created_by=user, status="succeeded")
    job.output_file.save(name, ContentFile(b"PK-isolation"), save=True)
    return job


def test_jobs_refuse_another_user(client, users, tree):
    from core.models import Job

    mine, theirs = _job(users["hz_staff"]), _job(users["hz_admin"])  # same subtree, another person's job
    running = Job.objects.create(kind="export", title="运行中", created_by=users["hz_admin"], status="running")
    client.force_login(users["hz_staff"])
    for job in (theirs, running):
        assert client.get(f"/jobs/{job.pk}/").status_code == 404
        assert client.get(f"/jobs/{job.pk}/download/").status_code == 404
        assert client.post(f"/jobs/{job.pk}/cancel/").status_code == 404
        assert client.post(f"/jobs/{job.pk}/retry/").status_code == 404
    running.refresh_from_db()
    assert not running.cancel_requested and running.status == "running"
    assert Job.objects.count() == 3  # no retry was queued
    assert theirs.title not in client.get("/jobs/").content.decode()
    assert client.get(f"/jobs/{mine.pk}/").status_code == 200
    r = client.get(f"/jobs/{mine.pk}/download/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"PK-isolation"


def _evidence(org, by, label):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(f"{label}.pdf", b"%PDF-1.4\n", content_type="application/pdf")
    return award_services.add_evidence(by=by, nomination=_nomination(org, by, label), upload=upload)


# Every FileField of every model: how to build a record on each side, the staff URL that serves it and
# the method. A model with a FileField and no entry here fails `test_every_file_field_has_a_download_url`.
FILE_URLS = {
    cm.Attachment: (_attachment, lambda o: f"/cases/attachments/{o.pk}/", "get"),
    am.ActivityFile: (_activity_file, lambda o: f"/activities/files/{o.pk}/", "get"),
    awm.Evidence: (_evidence, lambda o: f"/awards/evidence/{o.pk}/", "get"),
    # Product photos are public once the product is published (the catalogue); staff may remove them.
    dm.Photo: (_photo, lambda o: f"/directory/photos/{o.pk}/delete/", "post"),
}
# Generated on request rather than stored, but files all the same.
GENERATED_FILE_URLS = {
    chm.Donation: lambda o: f"/charity/donations/{o.pk}/receipt/",
}


def _file_models():
    from django.apps import apps
    from django.db import models as dj

    from core.models import Job

    return sorted({m for m in apps.get_models() for f in m._meta.concrete_fields
                   if isinstance(f, dj.FileField) and m is not Job}, key=_label)  # jobs: test above


def test_every_file_field_has_a_download_url():
    missing = sorted(_label(m) for m in _file_models() if m not in FILE_URLS)
    assert not missing, f"add the download URL of {missing} to FILE_URLS in tests/test_isolation.py"


@pytest.mark.parametrize("model", [*[m for m in _file_models() if m in FILE_URLS], *GENERATED_FILE_URLS],
                         ids=_label)
def test_files_are_served_only_inside_the_subtree(model, client, users, tree):
    method = "get"
    if model in FILE_URLS:
        build, url, method = FILE_URLS[model]
        by = users["zj_admin"]
        records = {"hz_staff": build(tree["sc"], by, "杭州"), "wz_staff": build(tree["wzc"], by, "温州")}
    else:
        url, records = GENERATED_FILE_URLS[model], _build_both(model, users, tree)
    stored = [getattr(r, f.attname).name for r in records.values() for f in r._meta.concrete_fields
              if getattr(getattr(r, f.attname, None), "name", None)]
    for name in SIDES:
        client.force_login(users[name])
        assert getattr(client, method)(url(records[_other(name)])).status_code == 404
        assert model.objects.filter(pk=records[_other(name)].pk).exists()
    for name in SIDES:  # the own record is served (or its action works): the 404s above are about scope
        client.force_login(users[name])
        own = getattr(client, method)(url(records[name]))
        if method == "get":
            assert own.status_code == 200
            assert b"".join(own.streaming_content if own.streaming else [own.content])
        else:
            assert own.status_code == 302 and not model.objects.filter(pk=records[name].pk).exists()
    # Stored files are never served straight from the storage's URL.
    for name in stored:
        assert client.get(f"/media/{name}").status_code == 404


# --- Roles beyond staff: a case liaison, an awards judge, a member -----------------------------------


def _token_client(user):
    from django.core.cache import cache
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    cache.clear()
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return c


def _upload(label):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(f"{label}.pdf", b"%PDF-1.4\n", content_type="application/pdf")


def test_a_case_liaison_sees_only_the_cases_dispatched_to_their_department(client, users, tree, settings):
    settings.SECURE_SSL_REDIRECT = False
    by = users["zj_admin"]
    liaison = f.user(f"iso-liaison-{next(_n)}")  # no grant at all: the department is their only door
    department = case_services.create_department(by=by, org=tree["sc"], name="杭州隔离承办部门", liaisons=[liaison])
    mine = case_services.accept(by=by, case=_case(tree["sc"], by, "杭州"))
    dispatch = case_services.dispatch(by=by, case=mine, departments=[department])[0]
    attachment = case_services.add_attachment(by=by, case=mine, upload=_upload("杭州"))
    same_org = _case(tree["sc"], by, "杭州")  # not dispatched to the department
    elsewhere = _dispatch(tree["sc"], by, "杭州")  # dispatched to another department of the same org
    other_side = _dispatch(tree["wzc"], by, "温州")
    assert set(cm.Case.objects.visible_to(liaison)) == {mine}
    assert set(cm.Dispatch.objects.visible_to(liaison)) == {dispatch}
    client.force_login(liaison)
    page = client.get("/cases/").content.decode()
    assert mine.subject in page
    assert all(c.subject not in page for c in (same_org, elsewhere.case, other_side.case))
    assert client.get(f"/cases/{mine.pk}/").status_code == 200
    for case in (same_org, elsewhere.case, other_side.case):
        assert client.get(f"/cases/{case.pk}/").status_code == 404
    for d in (elsewhere, other_side):
        assert client.post(f"/cases/dispatches/{d.pk}/acknowledge/").status_code == 404
    assert client.get(f"/cases/attachments/{attachment.pk}/").status_code == 404  # never to a liaison
    listed, count = _list_ids(_token_client(liaison), "/api/cases/")
    assert listed == {mine.pk} and count == 1
    assert _token_client(liaison).get(f"/api/cases/{same_org.pk}/").status_code == 404


def test_an_awards_judge_sees_only_the_nominations_assigned_to_them(client, users, tree, settings):
    settings.SECURE_SSL_REDIRECT = False
    by = users["zj_admin"]
    campaign = _open_campaign(tree["sc"], by, "杭州")

    def nominate(org, camp, label):
        n = next(_n)
        nominee = f.org(f"iso-{n}", f"{label}隔离被推荐商会{n}", org, kind="chamber")
        nomination = award_services.nominate(by=by, campaign=camp, nominee=nominee)
        award_services.add_evidence(by=by, nomination=nomination, upload=_upload(label))
        return nomination

    assigned, unassigned = nominate(tree["sc"], campaign, "杭州"), nominate(tree["sc"], campaign, "杭州")
    other_campaign = _open_campaign(tree["wzc"], by, "温州")
    other_side = nominate(tree["wzc"], other_campaign, "温州")
    judge_user, colleague_user = f.user(f"iso-judge-{next(_n)}"), f.user(f"iso-judge-{next(_n)}")
    judge = award_services.add_judge(by=by, campaign=campaign, user=judge_user, name="杭州评委")
    colleague = award_services.add_judge(by=by, campaign=campaign, user=colleague_user, name="杭州评委二")
    other_judge = award_services.add_judge(by=by, campaign=other_campaign, user=f.user(f"iso-judge-{next(_n)}"),
                                           name="温州评委")
    own = award_services.assign(by=by, judge=judge, nominations=[assigned])[0]
    theirs = award_services.assign(by=by, judge=colleague, nominations=[unassigned])[0]
    far = award_services.assign(by=by, judge=other_judge, nominations=[other_side])[0]
    assert set(award_services.judge_assignments(judge_user)) == {own}
    client.force_login(judge_user)
    page = client.get("/awards/judging/").content.decode()
    assert assigned.nominee.name in page
    assert unassigned.nominee.name not in page and other_side.nominee.name not in page
    assert client.get(f"/awards/judging/{own.pk}/").status_code == 200
    for a in (theirs, far):
        assert client.get(f"/awards/judging/{a.pk}/").status_code == 404
        assert client.post(f"/awards/judging/{a.pk}/", {}).status_code == 404
    assert client.get(f"/awards/evidence/{assigned.evidence.get().pk}/").status_code == 200
    for n in (unassigned, other_side):
        assert client.get(f"/awards/evidence/{n.evidence.get().pk}/").status_code == 404
        assert client.get(f"/awards/nominations/{n.pk}/").status_code == 404
    listed, _count = _list_ids(_token_client(judge_user), "/api/awards/nominations/")
    assert not listed & {unassigned.pk, other_side.pk}


def test_a_member_reaches_no_staff_record(users, tree):
    """A member account (portal) has no grant: every staff endpoint lists nothing and finds nothing.

    The member's own portal pages are tests/test_portal_isolation.py's."""
    by = users["zj_admin"]
    account = _member_account(tree["sc"], by, "杭州")
    client = _token_client(account.user)
    for prefix, viewset in ENDPOINTS:
        record = BUILDERS[_model_of(viewset)](tree["sc"], by, "杭州")  # in the member's own association
        r = client.get(f"/api/{prefix}/")
        if r.status_code in (401, 403):
            continue
        assert r.status_code == 200, (prefix, r.status_code)
        assert r.json()["count"] == 0, f"a member lists {prefix}"
        assert client.get(f"/api/{prefix}/{record.pk}/").status_code in (401, 403, 404), prefix
