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
    from django.contrib.auth import get_user_model

    n = next(_n)
    user = get_user_model().objects.create_user(f"member-{n}", password="x" * 16)
    return pm.MemberAccount.objects.create(user=user, person=_person(org, by, label))


def _invitation(org, by, label):
    return pm.Invitation.objects.create(
        person=_person(org, by, label), channel="email", address=f"m{next(_n)}@example.com",
        token_hash=f"{next(_n):064d}", expires_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
    )


def _profile_change(org, by, label):
    return pm.ProfileChange.objects.create(person=_person(org, by, label), changes={"name": ["甲", "乙"]})


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
