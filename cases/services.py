"""Writes to cases: intake, the workflow steps, departments, experts, rooms, deadlines, attachments.

Every step is atomic, takes the acting user as keyword `by`, checks the grant (or, for a
department's steps, that `by` is one of its liaisons), refuses a step the case's status does
not allow, appends to the case's timeline, writes a named audit entry (`cases.case.dispatched`)
and queues its notifications for after the commit.
"""
from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from accounts.access import can
from cases import deadlines
from cases.models import (
    OPEN_STATUSES,
    Attachment,
    Case,
    CaseEvent,
    Channel,
    DeadlineRule,
    Department,
    Dispatch,
    DutyShift,
    Expert,
    MediationRoom,
    MediationSession,
    Referral,
    ReferralKind,
    Status,
)
from core import uploads
from core.audit import acting, log_action
from core.notifications import notify
from core.scoping import CHANGE, MANAGE
from core.services import apply_fields, require
from core.validators import normalize_phone, validate_id_number

CASE_FIELDS = {
    "org", "kind", "channel", "priority", "applicant_person", "applicant_enterprise", "applicant_name",
    "id_number", "phone", "email", "language", "other_party", "subject", "description", "amount_involved",
    "room",
}
HANDLING = (Status.ACCEPTED, Status.ASSIGNED, Status.DISPATCHED, Status.MEDIATING)
DONE = (Status.RESOLVED, Status.NOT_RESOLVED, Status.CLOSED, Status.DECLINED)
_SECRET_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


# ---------------------------------------------------------------- helpers


def _check_status(case: Case, allowed, step: str) -> None:
    if case.status not in allowed:
        raise ValidationError(
            _("诉求当前状态为“%(status)s”，不能%(step)s。") % {"status": case.get_status_display(), "step": step},
            code="invalid_transition",
        )


def _event(case: Case, action: str, by, *, note: str = "", public: bool = False, data: dict | None = None):
    """Append to the timeline and write the named audit entry."""
    CaseEvent.objects.create(org_id=case.org_id, case=case, action=action, by=_user(by), status=case.status,
                             note=note, public=public, data=data or {})
    log_action(case, f"cases.case.{action}", by, {"status": case.status, **(data or {})})


def _user(by):
    return by if getattr(by, "is_authenticated", False) else None


def _today() -> dt.date:
    return timezone.localdate()


def _case_url(case: Case) -> str:
    return f"{getattr(settings, 'SITE_URL', '')}/cases/{case.pk}/"


def _notify_applicant(case: Case, subject: str, body: str) -> None:
    person = case.applicant_person
    emails = [case.email or (person.email if person else "")]
    phones = [case.phone or (person.phone if person else "")]
    notify(emails=emails, phones=phones, subject=subject,
           body=body + "\n" + _("查询编号：%(n)s") % {"n": case.number})


def _notify_users(users, subject: str, body: str) -> None:
    notify(emails=[u.email for u in users if u and u.email], subject=subject, body=body)


def supervisors(org):
    """Users holding an administrator grant on the organization or above it (escalations go to them)."""
    from django.contrib.auth import get_user_model

    ancestors = [org.path[:i] for i in range(org.steplen, len(org.path) + 1, org.steplen)]
    return list(get_user_model().objects.filter(grants__org__path__in=ancestors, grants__role="administrator",
                                                is_active=True).distinct())


def _require_liaison_or_officer(by, dispatch: Dispatch) -> None:
    if can(by, CHANGE, dispatch.org):
        return
    if getattr(by, "is_authenticated", False) and dispatch.department.liaisons.filter(pk=by.pk).exists():
        return
    raise PermissionDenied(_("只有承办部门的联络员可以报到和答复。"))


def _lock(case: Case) -> Case:
    """Re-read the case inside the transaction, locked, so two steps never interleave."""
    return Case.objects.select_for_update().get(pk=case.pk)


def _refresh(target: Case, source: Case) -> Case:
    target.__dict__.update({k: v for k, v in source.__dict__.items() if not k.startswith("_")})
    return target


def normalize_case(case: Case) -> None:
    """Normalise contact fields (phone to E.164, ID checksum) and check the applicant is named."""
    errors = {}
    if case.phone:
        try:
            case.phone = normalize_phone(case.phone)
        except ValidationError as e:
            errors["phone"] = e.messages
    if case.id_number:
        try:
            case.id_number = validate_id_number(case.id_number)
        except ValidationError as e:
            errors["id_number"] = e.messages
    if not case.applicant_name:
        applicant = case.applicant_person or case.applicant_enterprise
        case.applicant_name = applicant.name if applicant else ""
    if case.amount_involved is not None and case.amount_involved < 0:
        errors["amount_involved"] = [_("金额不能为负数。")]
    if errors:
        raise ValidationError(errors)


def _assign_number(case: Case) -> None:
    if not case.number:
        case.number = f"{timezone.localtime(case.submitted_at):%Y}{case.pk:07d}"
        Case.objects.filter(pk=case.pk).update(number=case.number)


def _hash_secret(secret: str) -> str:
    return salted_hmac("cases.tracking", secret.strip().upper()).hexdigest()


# ---------------------------------------------------------------- intake


def create_case(*, by, attachments=(), **fields) -> Case:
    """Register a case taken by staff (hotline, walk-in, mediation room, referral, member portal)."""
    case = Case(created_by=_user(by))
    apply_fields(case, fields, CASE_FIELDS)
    require(by, CHANGE, case.org)
    for related in (case.applicant_person, case.applicant_enterprise, case.room):
        if related is not None and not can(by, "view", related.org):
            raise ValidationError(_("申请人或调解室不在您的范围内。"))
    normalize_case(case)
    case.accept_due = deadlines.due_date(case.org, case.kind, "accept", timezone.localdate(case.submitted_at))
    case.full_clean(exclude=["number"])
    with transaction.atomic(), acting(by):
        case.save()
        _assign_number(case)
        for upload in attachments:
            _store_attachment(case, upload, by)
        _event(case, "submitted", by, public=True, note=_("已收到您的诉求。"),
               data={"channel": case.channel})
    return case


def submit_public(*, org, kind: str, subject: str, description: str, applicant_name: str, phone: str = "",
                  email: str = "", language: str = "zh-hans", other_party: str = "", amount_involved=None,
                  is_spam: bool = False, attachments=(), by=None) -> tuple[Case, str]:
    """File a request from the public form (no login); returns the case and its tracking secret.

    The secret is shown once and stored only as a keyed hash. A submission the intake flagged
    (honeypot filled, sent too fast) is stored marked as spam, outside the officers' queues.
    """
    case = Case(org=org, kind=kind, subject=subject, description=description, applicant_name=applicant_name,
                phone=phone, email=email, language=language, other_party=other_party,
                amount_involved=amount_involved, channel=Channel.PUBLIC_WEB, is_spam=is_spam)
    normalize_case(case)
    if not case.phone and not case.email:
        raise ValidationError({"phone": _("请留下手机号或电子邮箱，以便联系您。")})
    case.accept_due = deadlines.due_date(org, kind, "accept", _today())
    case.full_clean(exclude=["number"])
    secret = "".join(secrets.choice(_SECRET_ALPHABET) for _i in range(8))
    case.tracking_secret_hash = _hash_secret(secret)
    with transaction.atomic(), acting(None):
        case.save()
        _assign_number(case)
        for upload in attachments:
            _store_attachment(case, upload, None)
        _event(case, "submitted", None, public=True, note=_("已收到您的诉求。"), data={"channel": case.channel})
        if not is_spam:
            _notify_applicant(case, _("诉求已提交"), _("我们已收到您的诉求“%(s)s”，将尽快受理。") % {"s": subject})
    return case, secret


def track(number: str, secret: str) -> Case | None:
    """The case with this tracking number and secret, or None (wrong number and wrong secret look alike)."""
    case = Case.objects.filter(number=(number or "").strip()).first()
    if case is None or not case.tracking_secret_hash:
        _hash_secret(secret or "")  # same work either way, so timing tells nothing
        return None
    return case if constant_time_compare(case.tracking_secret_hash, _hash_secret(secret or "")) else None


def _member_person(by):
    """The registry person behind a member's login, or PermissionDenied for anyone else."""
    from portal.access import member_of

    member = member_of(by)
    if member is None:
        raise PermissionDenied(_("只有会员账号可以在会员服务中提交诉求。"))
    return member


def submit_member(*, by, org, kind: str, subject: str, description: str = "", other_party: str = "",
                  amount_involved=None, attachments=()) -> Case:
    """File a request from the member portal: the member's own person is the applicant.

    The member may file only with an organization it currently belongs to; the case comes
    with channel "member_portal" and the member follows it in the portal (no tracking secret).
    """
    from portal.access import my_orgs

    member = _member_person(by)
    if org is None or not my_orgs(member).filter(pk=org.pk).exists():
        raise ValidationError({"org": _("请选择您所属的商会。")})
    person = member.person
    case = Case(org=org, kind=kind, subject=(subject or "").strip(), description=(description or "").strip(),
                other_party=(other_party or "").strip(), amount_involved=amount_involved,
                channel=Channel.MEMBER_PORTAL, applicant_person=person, applicant_name=person.name,
                phone=person.phone or "", email=person.email or "", language=member.language or "zh-hans",
                created_by=_user(by))
    normalize_case(case)
    case.accept_due = deadlines.due_date(org, kind, "accept", _today())
    case.full_clean(exclude=["number"])
    with transaction.atomic(), acting(by):
        case.save()
        _assign_number(case)
        for upload in attachments:
            _store_attachment(case, upload, by)
        _event(case, "submitted", by, public=True, note=_("已收到您的诉求。"), data={"channel": case.channel})
        _notify_applicant(case, _("诉求已提交"), _("我们已收到您的诉求“%(s)s”，将尽快受理。") % {"s": case.subject})
    return case


def member_satisfaction(*, by, case: Case, score: int, comment: str = "") -> Case:
    """The applicant answers the satisfaction follow-up of its own closed case, once, from the portal."""
    member = _member_person(by)
    if case.applicant_person_id != member.person_id:
        raise PermissionDenied(_("只能评价自己的诉求。"))
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if score not in range(1, 6):
        raise ValidationError({"score": _("满意度为 1 至 5 分。")})
    with transaction.atomic(), acting(by):
        case = _refresh(case, _lock(case))
        if case.status != Status.CLOSED:
            raise ValidationError({"score": _("诉求办结后才能评价。")}, code="invalid_transition")
        if case.satisfaction is not None:
            raise ValidationError({"score": _("您已评价过此诉求。")})
        case.satisfaction, case.satisfaction_comment = score, (comment or "").strip()
        case.save(update_fields=["satisfaction", "satisfaction_comment"])
        _event(case, "satisfaction_recorded", by, note=case.satisfaction_comment,
               data={"score": score, "by_applicant": True})
    return case


def update_case(*, by, case: Case, **fields) -> Case:
    """Correct a case's facts (kind, parties, subject, amounts …); the status moves only through the steps."""
    require(by, CHANGE, case.org)
    changed = apply_fields(case, fields, CASE_FIELDS - {"channel"})
    if "org" in changed:
        require(by, CHANGE, case.org)
    normalize_case(case)
    case.full_clean()
    with transaction.atomic(), acting(by):
        case.save()
        if changed:
            _event(case, "updated", by, data={"fields": sorted(changed)})
    return case


def mark_spam(*, by, case: Case, spam: bool = True) -> Case:
    """Mark a submission as spam (it leaves the queues) or put it back."""
    require(by, CHANGE, case.org)
    with transaction.atomic(), acting(by):
        case = _refresh(case, _lock(case))
        case.is_spam = spam
        case.save(update_fields=["is_spam"])
        _event(case, "marked_spam" if spam else "unmarked_spam", by)
    return case


# ---------------------------------------------------------------- workflow


def accept(*, by, case: Case, note: str = "") -> Case:
    """Accept a submitted case; the resolution deadline starts now; a mediation-room case goes to the pair on duty."""
    require(by, CHANGE, case.org)
    with transaction.atomic(), acting(by):
        case = _refresh(case, _lock(case))
        _check_status(case, [Status.SUBMITTED], _("受理"))
        now = timezone.now()
        case.status, case.accepted_at, case.is_spam = Status.ACCEPTED, now, False
        case.due_on = deadlines.due_date(case.org, case.kind, "resolve", timezone.localdate(now))
        case.save(update_fields=["status", "accepted_at", "due_on", "is_spam"])
        _event(case, "accepted", by, note=note or _("您的诉求已受理。"), public=True,
               data={"due_on": case.due_on.isoformat()})
        _notify_applicant(case, _("诉求已受理"), _("您的诉求“%(s)s”已受理。") % {"s": case.subject})
        if case.room_id and not case.assignee_id:
            on_duty = case.room.on_duty(_today())
            if on_duty:
                _assign(case, by, assignee=next((e.user for e in on_duty if e.user_id), None), mediators=on_duty)
    return case


def decline(*, by, case: Case, reason: str) -> Case:
    """Decline a submitted case, with the reason the applicant will read."""
    require(by, CHANGE, case.org)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写不予受理的原因。")})
    with transaction.atomic(), acting(by):
        case = _refresh(case, _lock(case))
        _check_status(case, [Status.SUBMITTED], _("不予受理"))
        case.status, case.decline_reason, case.decided_at = Status.DECLINED, reason.strip(), timezone.now()
        case.save(update_fields=["status", "decline_reason", "decided_at"])
        _event(case, "declined", by, note=case.decline_reason, public=True)
        _notify_applicant(case, _("诉求不予受理"), case.decline_reason)
    return case


def _assign(case: Case, by, *, assignee=None, mediators=None, room=None) -> None:
    if assignee is not None and not can(assignee, CHANGE, case.org):
        raise ValidationError({"assignee": _("承办人须有本组织的办理权限。")})
    for expert in mediators or []:
        if not can(by, "view", expert.org):
            raise ValidationError({"mediators": _("调解员不在您的范围内。")})
    if room is not None:
        case.room = room
    case.assignee = assignee
    if case.status == Status.ACCEPTED:
        case.status = Status.ASSIGNED
    case.save(update_fields=["assignee", "status", "room"])
    if mediators is not None:
        case.mediators.set(mediators)
    names = [str(assignee)] if assignee else []
    names += [m.name for m in mediators or []]
    _event(case, "assigned", by, note="、".join(names),
           data={"assignee": getattr(assignee, "pk", None), "mediators": [m.pk for m in mediators or []]})
    body = _("诉求“%(s)s”已分派给您办理：%(u)s") % {"s": case.subject, "u": _case_url(case)}
    _notify_users([assignee] + [m.user for m in mediators or [] if m.user_id], _("新分派的诉求"), body)
    notify(emails=[m.email for m in mediators or []], phones=[m.phone for m in mediators or []],
           subject=_("新分派的诉求"), body=body)


def assign(*, by, case: Case, assignee=None, mediators=None, room=None) -> Case:
    """Assign the case to a case officer and/or mediators (the pair on duty in `room` when none are named)."""
    require(by, CHANGE, case.org)
    if room is not None and mediators is None and assignee is None:
        mediators = room.on_duty(_today())
        assignee = next((e.user for e in mediators if e.user_id), None)
    if assignee is None and not mediators:
        raise ValidationError({"assignee": _("请选择承办人或调解员。")})
    with transaction.atomic(), acting(by):
        case = _refresh(case, _lock(case))
        _check_status(case, HANDLING, _("分派"))
        _assign(case, by, assignee=assignee, mediators=mediators, room=room)
    return case


def dispatch(*, by, case: Case, departments, note: str = "") -> list[Dispatch]:
    """Dispatch the case to one or more departments (吹哨); each must acknowledge and answer by its deadlines."""
    require(by, CHANGE, case.org)
    departments = list(departments)
    if not departments:
        raise ValidationError({"departments": _("请选择承办部门。")})
    for d in departments:
        if not d.active or not can(by, "view", d.org):
            raise ValidationError({"departments": _("承办部门“%(d)s”不可用。") % {"d": d}})
    with transaction.atomic(), acting(by):
        case = _refresh(case, _lock(case))
        _check_status(case, HANDLING, _("吹哨"))
        today = _today()
        made = []
        for d in departments:
            if case.dispatches.filter(department=d, answered_at__isnull=True).exists():
                raise ValidationError({"departments": _("已向“%(d)s”吹哨，尚未答复。") % {"d": d}})
            made.append(Dispatch.objects.create(
                org_id=case.org_id, case=case, department=d, note=note, dispatched_by=_user(by),
                acknowledge_due=deadlines.due_date(case.org, case.kind, "acknowledge", today),
                answer_due=deadlines.due_date(case.org, case.kind, "answer", today),
            ))
            notify(emails=[d.email, *d.liaisons.values_list("email", flat=True)], phones=[d.phone],
                   subject=_("吹哨：请报到并办理"),
                   body=_("诉求“%(s)s”已派至%(d)s，请于 %(a)s 前报到，%(b)s 前答复。") % {
                       "s": case.subject, "d": d.name, "a": made[-1].acknowledge_due, "b": made[-1].answer_due})
        case.status = Status.DISPATCHED
        case.save(update_fields=["status"])
        # The note is an instruction to the departments; the applicant reads only that the case went to them.
        _event(case, "dispatched", by, note=_("已转交承办部门办理。"), public=True,
               data={"departments": [d.pk for d in departments], "names": [d.name for d in departments],
                     "note": note})
    return made


def acknowledge(*, by, dispatch: Dispatch) -> Dispatch:
    """The department reports that it has taken the case (报到)."""
    _require_liaison_or_officer(by, dispatch)
    with transaction.atomic(), acting(by):
        dispatch = Dispatch.objects.select_for_update().select_related("case", "department").get(pk=dispatch.pk)
        case = dispatch.case
        _check_status(case, OPEN_STATUSES, _("报到"))
        if dispatch.acknowledged_at:
            raise ValidationError(_("该部门已经报到。"), code="invalid_transition")
        dispatch.acknowledged_at, dispatch.acknowledged_by = timezone.now(), _user(by)
        dispatch.save(update_fields=["acknowledged_at", "acknowledged_by"])
        _event(case, "acknowledged", by, note=dispatch.department.name, data={"dispatch": dispatch.pk})
    return dispatch


def answer(*, by, dispatch: Dispatch, text: str, public: bool = False) -> Dispatch:
    """The department answers; a public answer is shown to the applicant."""
    _require_liaison_or_officer(by, dispatch)
    if not (text or "").strip():
        raise ValidationError({"answer": _("请填写答复内容。")})
    with transaction.atomic(), acting(by):
        dispatch = Dispatch.objects.select_for_update().select_related("case", "department").get(pk=dispatch.pk)
        case = dispatch.case
        _check_status(case, OPEN_STATUSES, _("答复"))
        if not dispatch.acknowledged_at:
            raise ValidationError(_("请先报到再答复。"), code="invalid_transition")
        if dispatch.answered_at:
            raise ValidationError(_("该部门已经答复。"), code="invalid_transition")
        dispatch.answer, dispatch.answer_public = text.strip(), public
        dispatch.answered_at, dispatch.answered_by = timezone.now(), _user(by)
        dispatch.save(update_fields=["answer", "answer_public", "answered_at", "answered_by"])
        _event(case, "answered", by, note=dispatch.answer, public=public,
               data={"dispatch": dispatch.pk, "department": dispatch.department.name})
        if case.assignee_id:
            _notify_users([case.assignee], _("部门已答复"),
                          _("%(d)s 已答复诉求“%(s)s”。") % {"d": dispatch.department.name, "s": case.subject})
        if public:
            _notify_applicant(case, _("诉求有新的答复"), dispatch.answer)
    return dispatch


def update_dispatch(*, by, dispatch: Dispatch, **fields) -> Dispatch:
    """Move a dispatch's deadlines (the case officer's call, e.g. after the department asks for more time)."""
    require(by, CHANGE, dispatch.org)
    changed = apply_fields(dispatch, fields, {"acknowledge_due", "answer_due", "note"})
    dispatch.full_clean()
    with transaction.atomic(), acting(by):
        dispatch.save()
        if changed:
            _event(dispatch.case, "dispatch_changed", by, data={"dispatch": dispatch.pk, "fields": sorted(changed)})
    return dispatch


def record_session(*, by, case: Case, held_on: dt.date, room=None, mediators=(), parties_present: str = "",
                   result: str = "") -> MediationSession:
    """Record a mediation session (date, room, mediators, parties present, result)."""
    require(by, CHANGE, case.org)
    if held_on > _today():
        raise ValidationError({"held_on": _("调解日期不能晚于今天。")})
    with transaction.atomic(), acting(by):
        case = _refresh(case, _lock(case))
        _check_status(case, HANDLING, _("记录调解"))
        session = MediationSession.objects.create(org_id=case.org_id, case=case, held_on=held_on, room=room,
                                                  parties_present=parties_present, result=result,
                                                  recorded_by=_user(by))
        session.mediators.set(mediators)
        case.status = Status.MEDIATING
        case.save(update_fields=["status"])
        _event(case, "session_recorded", by, note=result, data={"session": session.pk, "held_on": held_on.isoformat()})
    return session


def refer(*, by, case: Case, kind: str, expert: Expert | None = None, body: str = "", note: str = "") -> Referral:
    """Refer the case to an expert, or hand it over to a court's or another body's mediation (诉调对接)."""
    require(by, CHANGE, case.org)
    if kind == ReferralKind.EXPERT and expert is None:
        raise ValidationError({"expert": _("请选择专家。")})
    if kind != ReferralKind.EXPERT and not (body or "").strip():
        raise ValidationError({"body": _("请填写接收机构。")})
    if expert is not None and not can(by, "view", expert.org):
        raise ValidationError({"expert": _("专家不在您的范围内。")})
    with transaction.atomic(), acting(by):
        case = _refresh(case, _lock(case))
        _check_status(case, HANDLING, _("转交"))
        referral = Referral.objects.create(org_id=case.org_id, case=case, kind=kind, expert=expert,
                                           body=body.strip(), note=note)
        _event(case, "referred", by, note=str(expert or body), data={"referral": referral.pk, "kind": kind})
        if expert is not None:
            notify(emails=[expert.email, getattr(expert.user, "email", "")], phones=[expert.phone],
                   subject=_("诉求转交"), body=_("诉求“%(s)s”已转交给您。") % {"s": case.subject})
    return referral


def record_referral_result(*, by, referral: Referral, result: str) -> Referral:
    """Record what came of a referral or hand-over."""
    require(by, CHANGE, referral.org)
    if not (result or "").strip():
        raise ValidationError({"result": _("请填写结果。")})
    with transaction.atomic(), acting(by):
        referral.result, referral.result_at = result.strip(), timezone.now()
        referral.save(update_fields=["result", "result_at"])
        _event(referral.case, "referral_result", by, note=referral.result, data={"referral": referral.pk})
    return referral


def resolve(*, by, case: Case, agreement: str, amount_recovered: Decimal | None = None) -> Case:
    """Record the case as resolved (agreement reached), with the amount recovered."""
    require(by, CHANGE, case.org)
    if not (agreement or "").strip():
        raise ValidationError({"agreement": _("请填写调解协议或处理结果。")})
    if amount_recovered is not None and amount_recovered < 0:
        raise ValidationError({"amount_recovered": _("金额不能为负数。")})
    with transaction.atomic(), acting(by):
        case = _refresh(case, _lock(case))
        _check_status(case, HANDLING, _("化解"))
        case.status, case.agreement, case.decided_at = Status.RESOLVED, agreement.strip(), timezone.now()
        case.amount_recovered, case.outcome = amount_recovered, "resolved"
        case.save(update_fields=["status", "agreement", "decided_at", "amount_recovered", "outcome"])
        _event(case, "resolved", by, note=_("您的诉求已化解。"), public=True,
               data={"amount_recovered": str(amount_recovered) if amount_recovered is not None else None})
        _notify_applicant(case, _("诉求已化解"), _("您的诉求“%(s)s”已化解。") % {"s": case.subject})
    return case


def not_resolve(*, by, case: Case, reason: str, referred_to: str = "") -> Case:
    """Record that mediation failed, why, and where the parties were referred (arbitration, court …)."""
    require(by, CHANGE, case.org)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写未化解的原因。")})
    if referred_to and referred_to not in ReferralKind.values:
        raise ValidationError({"referred_to": _("去向无效。")})
    with transaction.atomic(), acting(by):
        case = _refresh(case, _lock(case))
        _check_status(case, HANDLING, _("结束调解"))
        case.status, case.not_resolved_reason, case.referred_to = Status.NOT_RESOLVED, reason.strip(), referred_to
        case.decided_at, case.outcome = timezone.now(), "not_resolved"
        case.save(update_fields=["status", "not_resolved_reason", "referred_to", "decided_at", "outcome"])
        _event(case, "not_resolved", by, note=case.not_resolved_reason, public=True, data={"referred_to": referred_to})
        _notify_applicant(case, _("诉求办理结果"), case.not_resolved_reason)
    return case


def close(*, by, case: Case, note: str = "") -> Case:
    """Close (办结) a case that has an outcome or was declined."""
    require(by, CHANGE, case.org)
    with transaction.atomic(), acting(by):
        case = _refresh(case, _lock(case))
        _check_status(case, [Status.RESOLVED, Status.NOT_RESOLVED, Status.DECLINED], _("办结"))
        case.status, case.closed_at = Status.CLOSED, timezone.now()
        case.save(update_fields=["status", "closed_at"])
        _event(case, "closed", by, note=note or _("诉求已办结。"), public=True)
        _notify_applicant(case, _("诉求已办结"), _("您的诉求“%(s)s”已办结，欢迎对办理情况评价。") % {"s": case.subject})
    return case


def record_satisfaction(*, by, case: Case, score: int, comment: str = "") -> Case:
    """Record the follow-up call's satisfaction score (1–5) and comment (满意度回访)."""
    require(by, CHANGE, case.org)
    if score not in range(1, 6):
        raise ValidationError({"score": _("满意度为 1 至 5 分。")})
    with transaction.atomic(), acting(by):
        case = _refresh(case, _lock(case))
        _check_status(case, [Status.RESOLVED, Status.NOT_RESOLVED, Status.CLOSED], _("回访"))
        case.satisfaction, case.satisfaction_comment = score, comment
        case.save(update_fields=["satisfaction", "satisfaction_comment"])
        _event(case, "satisfaction_recorded", by, note=comment, data={"score": score})
    return case


def reopen(*, by, case: Case, reason: str) -> Case:
    """Reopen a finished case with a reason; the resolution deadline starts again."""
    require(by, CHANGE, case.org)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写重新办理的原因。")})
    with transaction.atomic(), acting(by):
        case = _refresh(case, _lock(case))
        _check_status(case, DONE, _("重新办理"))
        case.status = Status.ACCEPTED if case.accepted_at else Status.SUBMITTED
        case.decided_at = case.closed_at = None
        case.due_on = deadlines.due_date(case.org, case.kind, "resolve", _today()) if case.accepted_at else None
        case.escalated_at, case.outcome = None, ""
        case.save(update_fields=["status", "decided_at", "closed_at", "due_on", "escalated_at", "outcome"])
        _event(case, "reopened", by, note=reason.strip(), public=True)
    return case


def reply(*, by, case: Case, text: str, public: bool = True) -> CaseEvent:
    """Write a reply to the applicant (public) or an internal note on the timeline."""
    if not can(by, CHANGE, case.org):
        raise PermissionDenied(_("您无权在此诉求上留言。"))
    if not (text or "").strip():
        raise ValidationError({"text": _("请填写内容。")})
    with transaction.atomic(), acting(by):
        _event(case, "replied" if public else "noted", by, note=text.strip(), public=public)
        if public:
            _notify_applicant(case, _("诉求有新的回复"), text.strip())
    return case.events.order_by("-pk").first()


def escalate_overdue(*, by=None, today: dt.date | None = None) -> dict:
    """Notify supervisors of overdue cases and departments of overdue dispatches, once each (督办)."""
    today = today or _today()
    cases = dispatches = 0
    with transaction.atomic(), acting(by):
        late = Case.objects.queue().filter(escalated_at__isnull=True).filter(
            status__in=OPEN_STATUSES).select_related("org")
        for case in late.iterator():
            due = case.accept_due if case.status == Status.SUBMITTED else case.due_on
            if not due or due >= today:
                continue
            Case.objects.filter(pk=case.pk).update(escalated_at=timezone.now())
            _event(case, "escalated", by, data={"due": due.isoformat()})
            _notify_users(supervisors(case.org), _("诉求超期督办"),
                          _("诉求 %(n)s“%(s)s”已超过期限 %(d)s。") % {"n": case.number, "s": case.subject, "d": due})
            cases += 1
        from django.db.models import Q

        late_d = Dispatch.objects.filter(escalated_at__isnull=True, case__status__in=OPEN_STATUSES).filter(
            Q(acknowledged_at__isnull=True, acknowledge_due__lt=today) | Q(answered_at__isnull=True, answer_due__lt=today)
        ).select_related("case__org", "department")
        for d in late_d:
            Dispatch.objects.filter(pk=d.pk).update(escalated_at=timezone.now())
            _event(d.case, "dispatch_escalated", by, note=d.department.name, data={"dispatch": d.pk})
            body = _("%(d)s 办理诉求 %(n)s 已超期。") % {"d": d.department.name, "n": d.case.number}
            _notify_users(supervisors(d.case.org), _("部门超期督办"), body)
            notify(emails=[d.department.email, *d.department.liaisons.values_list("email", flat=True)],
                   subject=_("部门超期督办"), body=body)
            dispatches += 1
    return {"cases": cases, "dispatches": dispatches}


# ---------------------------------------------------------------- attachments

CONTENT_TYPES = {ext: uploads.TYPES[ext][0] for ext in uploads.KINDS["document"].extensions}


def max_attachment_bytes() -> int:
    """The largest attachment accepted (CASES_MAX_ATTACHMENT_BYTES, else UPLOAD_MAX_BYTES["document"])."""
    return getattr(settings, "CASES_MAX_ATTACHMENT_BYTES", None) or uploads.limit("document", "max_bytes")


def check_upload(upload) -> str:
    """Check an uploaded file's extension, size and content (core.uploads); return the extension to store it under."""
    return uploads.check(upload, "document", field="attachments", max_bytes=max_attachment_bytes()).ext


def _store_attachment(case: Case, upload, by) -> Attachment:
    ext = check_upload(upload)
    safe_name = (upload.name.replace("/", "_").replace("\\", "_"))[-100:]
    att = Attachment(org_id=case.org_id, case=case, name=safe_name, content_type=CONTENT_TYPES[ext],
                     size=upload.size, uploaded_by=_user(by))
    att.file.save(f"{secrets.token_hex(8)}.{ext}", upload, save=False)
    att.save()
    return att


def add_attachment(*, by, case: Case, upload) -> Attachment:
    """Attach a checked file to the case."""
    require(by, CHANGE, case.org)
    limit = getattr(settings, "CASES_MAX_ATTACHMENTS", 10)
    if case.attachments.count() >= limit:
        raise ValidationError({"attachments": _("附件最多 %(n)s 个。") % {"n": limit}})
    with transaction.atomic(), acting(by):
        att = _store_attachment(case, upload, by)
        _event(case, "attachment_added", by, note=att.name, data={"attachment": att.pk})
    return att


# ---------------------------------------------------------------- departments, experts, rooms, deadlines

DEPARTMENT_FIELDS = {"org", "name", "kind", "contact_name", "email", "phone", "active"}
EXPERT_FIELDS = {"org", "name", "kind", "fields", "languages", "available", "phone", "email", "user", "notes"}
ROOM_FIELDS = {"org", "name", "location", "active"}


def _save_simple(obj, by, fields: dict, allowed: set, liaisons=None, action: str = ""):
    require(by, CHANGE, obj.org) if obj.org_id else None
    changed = apply_fields(obj, fields, allowed)
    require(by, MANAGE if isinstance(obj, Department) and liaisons is not None else CHANGE, obj.org)
    if isinstance(obj, Department | Expert) and obj.phone:
        obj.phone = normalize_phone(obj.phone)
    obj.full_clean()
    with transaction.atomic(), acting(by):
        obj.save()
        if liaisons is not None:
            obj.liaisons.set(liaisons)
        if action:
            log_action(obj, action, by, {"fields": sorted(changed)})
    return obj


def create_department(*, by, liaisons=None, **fields) -> Department:
    """Add a department cases can be dispatched to; naming its liaisons needs the administrator role."""
    return _save_simple(Department(), by, fields, DEPARTMENT_FIELDS, liaisons, "cases.department.created")


def update_department(*, by, department: Department, liaisons=None, **fields) -> Department:
    """Change a department; changing its liaisons needs the administrator role."""
    require(by, CHANGE, department.org)
    return _save_simple(department, by, fields, DEPARTMENT_FIELDS, liaisons, "cases.department.changed")


def create_expert(*, by, **fields) -> Expert:
    """Add an expert to the pool."""
    return _save_simple(Expert(), by, fields, EXPERT_FIELDS, action="cases.expert.created")


def update_expert(*, by, expert: Expert, **fields) -> Expert:
    """Change an expert's profile or availability."""
    require(by, CHANGE, expert.org)
    return _save_simple(expert, by, fields, EXPERT_FIELDS, action="cases.expert.changed")


def create_room(*, by, **fields) -> MediationRoom:
    """Add a mediation room."""
    return _save_simple(MediationRoom(), by, fields, ROOM_FIELDS, action="cases.room.created")


def update_room(*, by, room: MediationRoom, **fields) -> MediationRoom:
    """Change a mediation room."""
    require(by, CHANGE, room.org)
    return _save_simple(room, by, fields, ROOM_FIELDS, action="cases.room.changed")


def set_shift(*, by, room: MediationRoom, date: dt.date, mediators) -> DutyShift:
    """Put mediators (normally a pair) on duty in a room on a date, replacing that day's shift."""
    require(by, CHANGE, room.org)
    mediators = list(mediators)
    if not mediators:
        raise ValidationError({"mediators": _("请选择值班调解员。")})
    for m in mediators:
        if not can(by, "view", m.org):
            raise ValidationError({"mediators": _("调解员不在您的范围内。")})
    with transaction.atomic(), acting(by):
        shift, _created = DutyShift.objects.get_or_create(room=room, date=date, defaults={"org_id": room.org_id})
        shift.mediators.set(mediators)
        log_action(shift, "cases.shift.set", by, {"mediators": [m.pk for m in mediators]})
    return shift


def set_deadline(*, by, org, step: str, working_days: int, kind: str = "") -> DeadlineRule:
    """Configure the deadline of a step (for one kind or all) in an organization's subtree."""
    require(by, MANAGE, org)
    rule = DeadlineRule.objects.filter(org=org, kind=kind, step=step).first() or DeadlineRule(
        org=org, kind=kind, step=step)
    rule.working_days = working_days
    rule.full_clean(validate_unique=False)
    with transaction.atomic(), acting(by):
        rule.save()
        log_action(rule, "cases.deadline.set", by, {"working_days": working_days})
    return rule
