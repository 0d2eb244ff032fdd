"""The case workflow through cases.services: every step, every refused step, scope, deadlines, notifications."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from cases import deadlines, services
from cases.models import Case, CaseEvent, Dispatch, Status
from core.personal import masked, reveal
from tests import cases_factories as cf

pytestmark = pytest.mark.django_db


@pytest.fixture
def immediate_tasks(settings):
    """Run notification tasks in-process, as soon as they are enqueued (after commit)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SMS_BACKEND = "core.notifications.LocmemSMSBackend"
    from core.notifications import LocmemSMSBackend

    LocmemSMSBackend.outbox.clear()
    return LocmemSMSBackend.outbox


def _actions(case):
    return list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))


def test_the_whole_workflow_leaves_a_timeline(users, tree):
    staff = users["hz_staff"]
    liaison, dept = cf.liaison(tree["hz"], users["hz_admin"])
    room, pair = cf.room_with_pair(tree["hz"], staff, dt.date.today())
    c = cf.case(tree["sc"], staff)
    assert c.status == Status.SUBMITTED and c.number.startswith(str(dt.date.today().year))
    services.accept(by=staff, case=c)
    services.assign(by=staff, case=c, assignee=staff, mediators=pair, room=room)
    assert c.status == Status.ASSIGNED and c.assignee == staff
    (d,) = services.dispatch(by=staff, case=c, departments=[dept], note="请市场监管部门核查")
    assert c.status == Status.DISPATCHED
    services.acknowledge(by=liaison, dispatch=d)
    services.answer(by=liaison, dispatch=d, text="已约谈商家，同意退货。", public=True)
    services.record_session(by=staff, case=c, held_on=dt.date.today(), room=room, mediators=pair,
                            parties_present="申请人、商家", result="达成协议")
    assert c.status == Status.MEDIATING
    referral = services.refer(by=staff, case=c, kind="court_mediation", body="义乌市人民法院诉调对接中心")
    services.record_referral_result(by=staff, referral=referral, result="法院确认调解协议")
    services.resolve(by=staff, case=c, agreement="商家退款 1000 元", amount_recovered=Decimal("1000"))
    assert c.status == Status.RESOLVED
    services.close(by=staff, case=c)
    services.record_satisfaction(by=staff, case=c, score=5, comment="满意")
    services.reopen(by=staff, case=c, reason="商家未按协议退款")
    c.refresh_from_db()
    assert c.status == Status.ACCEPTED and c.closed_at is None and c.due_on
    assert _actions(c) == [
        "submitted", "accepted", "assigned", "dispatched", "acknowledged", "answered", "session_recorded",
        "referred", "referral_result", "resolved", "closed", "satisfaction_recorded", "reopened",
    ]
    from auditlog.models import LogEntry

    named = {e.additional_data.get("action") for e in LogEntry.objects.get_for_object(c) if e.additional_data}
    assert {"cases.case.dispatched", "cases.case.resolved", "cases.case.reopened"} <= named


def test_decline_and_not_resolved(users, tree):
    staff = users["hz_staff"]
    c = services.decline(by=staff, case=cf.case(tree["hz"], staff), reason="不属于本会受理范围")
    assert c.status == Status.DECLINED
    services.close(by=staff, case=c)
    c2 = cf.accepted(tree["hz"], staff)
    services.not_resolve(by=staff, case=c2, reason="对方拒绝调解", referred_to="arbitration")
    assert c2.status == Status.NOT_RESOLVED and c2.referred_to == "arbitration"


@pytest.mark.parametrize("step", ["dispatch", "assign", "resolve", "record_session", "accept", "decline", "refer"])
def test_a_closed_case_refuses_handling_steps(step, users, tree):
    staff = users["hz_staff"]
    dept = cf.department(tree["hz"], users["hz_admin"])
    c = services.close(by=staff, case=cf.resolved(tree["hz"], staff))
    calls = {
        "dispatch": lambda: services.dispatch(by=staff, case=c, departments=[dept]),
        "assign": lambda: services.assign(by=staff, case=c, assignee=staff),
        "resolve": lambda: services.resolve(by=staff, case=c, agreement="x"),
        "record_session": lambda: services.record_session(by=staff, case=c, held_on=dt.date.today()),
        "accept": lambda: services.accept(by=staff, case=c),
        "decline": lambda: services.decline(by=staff, case=c, reason="x"),
        "refer": lambda: services.refer(by=staff, case=c, kind="court", body="法院"),
    }
    with pytest.raises(ValidationError) as e:
        calls[step]()
    assert e.value.code == "invalid_transition"
    assert Case.objects.get(pk=c.pk).status == Status.CLOSED
    assert not Dispatch.objects.filter(case=c).exists()


def test_other_refused_transitions(users, tree):
    staff = users["hz_staff"]
    liaison, dept = cf.liaison(tree["hz"], users["hz_admin"])
    submitted = cf.case(tree["hz"], staff)
    for call in (
        lambda: services.dispatch(by=staff, case=submitted, departments=[dept]),
        lambda: services.resolve(by=staff, case=submitted, agreement="x"),
        lambda: services.close(by=staff, case=submitted),
        lambda: services.record_satisfaction(by=staff, case=submitted, score=4),
        lambda: services.reopen(by=staff, case=submitted, reason="x"),
    ):
        with pytest.raises(ValidationError):
            call()
    c, d = cf.dispatched(tree["hz"], staff, dept)
    with pytest.raises(ValidationError):  # an answer needs the acknowledgement first
        services.answer(by=liaison, dispatch=d, text="答复")
    services.acknowledge(by=liaison, dispatch=d)
    with pytest.raises(ValidationError):
        services.acknowledge(by=liaison, dispatch=d)
    with pytest.raises(ValidationError):  # still unanswered: no second dispatch to the same department
        services.dispatch(by=staff, case=c, departments=[dept])
    with pytest.raises(ValidationError):
        services.record_satisfaction(by=staff, case=cf.resolved(tree["hz"], staff), score=6)
    with pytest.raises(ValidationError):
        services.decline(by=staff, case=cf.case(tree["hz"], staff), reason=" ")


def test_permissions(users, tree):
    c = cf.case(tree["hz"], users["hz_staff"])
    for name in ("hz_viewer", "wz_staff", "nobody"):
        with pytest.raises(PermissionDenied):
            services.accept(by=users[name], case=c)
    liaison, dept = cf.liaison(tree["hz"], users["hz_admin"])
    with pytest.raises(PermissionDenied):
        services.accept(by=liaison, case=c)
    with pytest.raises(PermissionDenied):  # liaisons are named by an administrator
        cf.department(tree["hz"], users["hz_staff"], liaison=users["hz_viewer"])


def test_liaisons_see_only_their_departments_cases_and_no_personal_data(users, tree):
    staff = users["hz_staff"]
    liaison_a, dept_a = cf.liaison(tree["hz"], users["hz_admin"])
    liaison_b, dept_b = cf.liaison(tree["hz"], users["hz_admin"])
    case_a, dispatch_a = cf.dispatched(tree["hz"], staff, dept_a)
    case_b, dispatch_b = cf.dispatched(tree["hz"], staff, dept_b)
    undispatched = cf.accepted(tree["hz"], staff)
    assert list(Case.objects.visible_to(liaison_a)) == [case_a]
    assert list(Case.objects.visible_to(liaison_b)) == [case_b]
    assert not Case.objects.visible_to(liaison_a).filter(pk__in=[case_b.pk, undispatched.pk]).exists()
    assert list(Dispatch.objects.visible_to(liaison_a)) == [dispatch_a]
    # Seeing a case is not changing it.
    assert not Case.objects.visible_to(liaison_a, "change").exists()
    with pytest.raises(PermissionDenied):
        services.acknowledge(by=liaison_a, dispatch=dispatch_b)
    with pytest.raises(PermissionDenied):
        reveal(liaison_a, case_a, ["id_number"], "核实身份")
    assert "*" in masked(case_a, "id_number") and case_a.id_number not in masked(case_a, "id_number")
    assert reveal(users["hz_admin"], case_a, ["id_number"], "核实身份") == {"id_number": case_a.id_number}


def test_deadlines_skip_national_day_and_count_make_up_days():
    # 2025: 1–8 October off; Sunday 28 September and Saturday 11 October are working days.
    assert not deadlines.is_working_day(dt.date(2025, 10, 1))
    assert deadlines.is_working_day(dt.date(2025, 9, 28))
    assert deadlines.is_working_day(dt.date(2025, 10, 11))
    assert deadlines.add_working_days(dt.date(2025, 9, 26), 1) == dt.date(2025, 9, 28)
    assert deadlines.add_working_days(dt.date(2025, 9, 30), 1) == dt.date(2025, 10, 9)
    assert deadlines.add_working_days(dt.date(2025, 9, 30), 3) == dt.date(2025, 10, 11)
    assert deadlines.add_working_days(dt.date(2025, 9, 30), 5) == dt.date(2025, 10, 14)
    # Beyond the published calendars: Monday to Friday.
    assert deadlines.add_working_days(dt.date(2099, 1, 2), 1) == dt.date(2099, 1, 5)


def test_case_deadlines_across_national_day(users, tree, monkeypatch):
    staff = users["hz_staff"]
    services.set_deadline(by=users["zj_admin"], org=tree["zj"], step="resolve", working_days=10)
    services.set_deadline(by=users["hz_admin"], org=tree["hz"], step="resolve", working_days=5,
                          kind="consumer_dispute")
    services.set_deadline(by=users["hz_admin"], org=tree["hz"], step="answer", working_days=3)
    eve = timezone.make_aware(dt.datetime(2025, 9, 30, 10, 0))
    monkeypatch.setattr(timezone, "now", lambda: eve)
    dept = cf.department(tree["hz"], users["hz_admin"])
    c, d = cf.dispatched(tree["sc"], staff, dept)  # consumer dispute, under 杭州
    assert c.due_on == dt.date(2025, 10, 14)
    assert d.acknowledge_due == dt.date(2025, 10, 9) and d.answer_due == dt.date(2025, 10, 11)
    other = cf.accepted(tree["sc"], staff, kind="labour_dispute")  # the province's rule for every kind
    assert other.due_on == dt.date(2025, 10, 21)


def test_overdue_cases_and_departments_are_escalated_once(users, tree, immediate_tasks,
                                                           django_capture_on_commit_callbacks):
    staff, admin = users["hz_staff"], users["hz_admin"]
    admin.email = "admin@hz.example"
    admin.save()
    liaison, dept = cf.liaison(tree["hz"], admin, email="liaison@dept.example")
    c, d = cf.dispatched(tree["sc"], staff, dept)
    assert not c.is_overdue and not d.is_overdue
    later = dt.date.today() + dt.timedelta(days=60)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.escalate_overdue(today=later) == {"cases": 1, "dispatches": 1}
    to = sorted(a for m in mail.outbox for a in m.to)
    assert to == ["admin@hz.example", "admin@hz.example", "liaison@dept.example"]
    assert services.escalate_overdue(today=later) == {"cases": 0, "dispatches": 0}
    assert Case.objects.overdue(later).filter(pk=c.pk).exists()


def test_notifications_are_sent_after_commit_only(users, tree, immediate_tasks, django_capture_on_commit_callbacks):
    staff = users["hz_staff"]
    staff.email = "officer@hz.example"
    staff.save()
    liaison, dept = cf.liaison(tree["hz"], users["hz_admin"], email="liaison@dept.example")
    c = cf.case(tree["hz"], staff, email="applicant@example.com")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.accept(by=staff, case=c)
    assert mail.outbox == [] and callbacks  # nothing is sent inside the transaction
    for callback in callbacks:  # the notification, and the search's generation renewed (core.search.changed)
        callback()
    assert mail.outbox[-1].to == ["applicant@example.com"] and c.number in mail.outbox[-1].body
    assert immediate_tasks[-1][0] == c.phone
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.assign(by=staff, case=c, assignee=staff)
        services.dispatch(by=staff, case=c, departments=[dept])
    assert sorted(a for m in mail.outbox for a in m.to) == ["liaison@dept.example", "officer@hz.example"]
    # A step that rolls back sends nothing.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.resolve(by=staff, case=c, agreement="协议")
            raise RuntimeError
    assert mail.outbox == []
    assert Case.objects.get(pk=c.pk).status == Status.DISPATCHED


def test_mediation_room_cases_go_to_the_pair_on_duty(users, tree):
    staff = users["hz_staff"]
    room, pair = cf.room_with_pair(tree["hz"], staff, dt.date.today(), users=(users["hz_admin"], None))
    c = cf.accepted(tree["hz"], staff, channel="mediation_room", room=room)
    assert c.status == Status.ASSIGNED and c.assignee == users["hz_admin"]
    assert set(c.mediators.all()) == set(pair)


def _pdf(name="证据.pdf", size=None):
    body = b"%PDF-1.4\n" + b"0" * (size or 100)
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def test_attachments_are_checked_by_type_content_and_size(users, tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CASES_MAX_ATTACHMENT_BYTES = 1000
    staff = users["hz_staff"]
    c = cf.case(tree["hz"], staff)
    att = services.add_attachment(by=staff, case=c, upload=_pdf())
    assert att.content_type == "application/pdf" and att.size > 100
    for bad in (
        SimpleUploadedFile("病毒.exe", b"MZ\x90\x00", content_type="application/octet-stream"),
        SimpleUploadedFile("伪装.pdf", b"MZ\x90\x00" + b"0" * 50, content_type="application/pdf"),
        _pdf(size=5000),
    ):
        with pytest.raises(ValidationError):
            services.add_attachment(by=staff, case=c, upload=bad)
    assert c.attachments.count() == 1


def test_public_submission_and_tracking(tree):
    c, secret = services.submit_public(org=tree["hz"], kind="consumer_dispute", subject="网购商品未发货",
                                       description="付款后一直未发货", applicant_name="李四", phone="13912345678")
    assert c.channel == "public_web" and len(secret) == 8 and secret not in c.tracking_secret_hash
    assert services.track(c.number, secret) == c
    assert services.track(c.number, secret.lower()) == c
    assert services.track(c.number, "WRONG123") is None
    assert services.track("nope", secret) is None
    with pytest.raises(ValidationError):
        services.submit_public(org=tree["hz"], kind="consumer_dispute", subject="x", description="",
                               applicant_name="无联系方式")
    spam, _s = services.submit_public(org=tree["hz"], kind="other", subject="buy cheap", description="",
                                      applicant_name="bot", email="bot@example.com", is_spam=True)
    assert spam in Case.objects.all() and spam not in Case.objects.queue()


def test_escalate_command(users, tree):
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("escalate_cases", "--format", "json", stdout=out)
    assert json.loads(out.getvalue()) == {"cases": 0, "dispatches": 0}


def test_the_applicant_never_reads_internal_notes_and_the_timeline_is_append_only(users, tree):
    from cases.intake import public_status

    staff = users["hz_staff"]
    dept = cf.department(tree["hz"], users["hz_admin"])
    c = cf.accepted(tree["hz"], staff)
    services.dispatch(by=staff, case=c, departments=[dept], note="内部：商户有前科")
    services.reply(by=staff, case=c, text="内部备注", public=False)
    shown = str(public_status(c))
    assert "前科" not in shown and "内部备注" not in shown and "已转交承办部门办理" in shown
    event = c.events.first()
    event.note = "改写"
    with pytest.raises(ValueError):
        event.save()
