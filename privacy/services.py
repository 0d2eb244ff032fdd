"""Writes of the privacy app: data-subject requests from receipt to answer, consents and their withdrawal.

Every function is atomic, takes the acting user as keyword `by`, checks the grant and leaves an
audit entry. Handling an access or deletion request also needs the personal-data grant.
"""
from __future__ import annotations

import datetime as dt
import os

from auditlog.models import LogEntry
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import PERSONAL, can
from core.audit import acting, log_action
from core.scoping import CHANGE
from core.services import require
from privacy.models import Consent, ConsentMethod, Purpose, RequestKind, RequestStatus, SubjectRequest


def response_days() -> int:
    """Days allowed to answer a request (PRIVACY_RESPONSE_DAYS, 15 by default)."""
    return int(getattr(settings, "PRIVACY_RESPONSE_DAYS", 15))


def due_date(received_at: dt.datetime) -> dt.date:
    """The date by which a request received at `received_at` must be answered."""
    return timezone.localtime(received_at).date() + dt.timedelta(days=response_days())


def require_personal(by, org) -> None:
    """Raise PermissionDenied unless `by` may see personal data of `org`'s records."""
    if not can(by, PERSONAL, org):
        raise PermissionDenied(_("您没有处理个人信息的权限。"))


def _create(*, by, person, kind: str, details: str, channel: str, received_at) -> SubjectRequest:
    """The one write path of a new request (staff and member alike): validated, saved, audited."""
    if kind not in RequestKind.values:
        raise ValidationError({"kind": _("请求类型“%(k)s”无效。") % {"k": kind}})
    received_at = received_at or timezone.now()
    if received_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"received_at": _("收到时间不能晚于现在。")})
    request = SubjectRequest(org=person.org, person=person, kind=kind, details=(details or "").strip(),
                             channel=channel, received_at=received_at, due_on=due_date(received_at),
                             created_by=by if getattr(by, "is_authenticated", False) else None)
    request.full_clean()
    with transaction.atomic(), acting(by):
        request.save()
        log_action(request, "privacy.request.received", by, {"kind": kind, "person": person.pk, "channel": channel})
    return request


def receive(*, by, person, kind: str, details: str = "", channel: str = "", received_at=None) -> SubjectRequest:
    """Record a request of `person` about their data; it is due PRIVACY_RESPONSE_DAYS after receipt."""
    if person is None:
        raise ValidationError({"person": _("请选择提出请求的人员。")})
    require(by, CHANGE, person.org)
    return _create(by=by, person=person, kind=kind, details=details, channel=channel, received_at=received_at)


# --- the member's own requests (member portal, /my/privacy/ and /api/my/privacy/) -------------------

PORTAL_CHANNEL = "会员门户"
MEMBER_KINDS = (RequestKind.ACCESS, RequestKind.CORRECTION, RequestKind.DELETION, RequestKind.WITHDRAWAL)


def export_days() -> int:
    """Days a member may download the copy of an access request after staff answered it (PRIVACY_EXPORT_DAYS, 30)."""
    return int(getattr(settings, "PRIVACY_EXPORT_DAYS", None) or os.environ.get("PRIVACY_EXPORT_DAYS") or 30)


def _member(by):
    from portal.access import member_of

    member = member_of(by)
    if member is None:
        raise PermissionDenied(_("只有会员本人可以提出或查看自己的个人信息请求。"))
    return member


def member_requests(member):
    """The requests about the member's own person record, newest first."""
    return SubjectRequest.objects.filter(person_id=member.person_id).order_by("-received_at", "-pk")


def member_receive(*, by, kind: str, details: str = "") -> SubjectRequest:
    """A member's own request about its data, filed on the portal (channel 会员门户), due like any other.

    A correction must say what to correct. A second open request of the same kind is refused
    (the first one is still being handled), so repeated clicks do not pile up.
    """
    member = _member(by)
    if kind not in MEMBER_KINDS:
        raise ValidationError({"kind": _("请求类型“%(k)s”无效。") % {"k": kind}})
    details = (details or "").strip()
    if kind == RequestKind.CORRECTION and not details:
        raise ValidationError({"details": _("请说明需要更正或补充的内容。")})
    if member_requests(member).open().filter(kind=kind).exists():
        raise ValidationError({"kind": _("您已有一项同类请求正在处理中，请等待答复。")}, code="duplicate")
    return _create(by=by, person=member.person, kind=kind, details=details, channel=PORTAL_CHANNEL,
                   received_at=None)


def export_available(request: SubjectRequest, now=None) -> bool:
    """Whether the member may download the copy: an access request answered by staff, within PRIVACY_EXPORT_DAYS."""
    until = export_until(request)
    return until is not None and request.person_id is not None and (now or timezone.now()) <= until


def export_until(request: SubjectRequest):
    """Until when the copy can be downloaded (None when there is none)."""
    if request.kind != RequestKind.ACCESS or request.status != RequestStatus.DONE:
        return None
    return (request.handled_at or request.received_at) + dt.timedelta(days=export_days())


def member_export(*, by, request: SubjectRequest) -> tuple[bytes, dict]:
    """The member's own copy (privacy.export) once staff answered the access request; logged like a staff download.

    Built when downloaded from the data held at that moment (never stored), and only for the
    member whose record it is.
    """
    from privacy.export import export_zip

    member = _member(by)
    if request.person_id != member.person_id:
        raise PermissionDenied(_("只能下载自己的个人信息副本。"))
    if not export_available(request):
        raise ValidationError(_("该请求没有可下载的个人信息副本（尚未办结、不是查阅请求，或已超过 %(n)d 天下载期限）。")
                              % {"n": export_days()}, code="not_available")
    content, data = export_zip(request.person)
    LogEntry.objects.log_create(
        request.person, action=LogEntry.Action.ACCESS, actor=by, changes={}, force_log=True,
        additional_data={"action": "privacy.export.downloaded", "purpose": _("本人下载（请求 #%(n)s）") % {"n": request.pk},
                         "request": request.pk, "by_subject": True,
                         "records": sum(len(r) for r in data["records"].values())},
    )
    return content, data


def _open_request(request: SubjectRequest, kind: str | None = None) -> None:
    if request.status != RequestStatus.OPEN:
        raise ValidationError({"status": _("该请求已办结，不能再办理。")})
    if kind and request.kind != kind:
        raise ValidationError({"kind": _("该请求的类型是“%(k)s”。") % {"k": request.get_kind_display()}})
    if request.person is None:
        raise ValidationError({"person": _("该请求的人员记录已不存在。")})


def _close(request: SubjectRequest, *, by, outcome: str, result: dict, status=RequestStatus.DONE) -> SubjectRequest:
    request.status = status
    request.outcome = outcome
    request.result = result
    request.handled_by = by if getattr(by, "is_authenticated", False) else None
    request.handled_at = timezone.now()
    with acting(by):
        request.save()
    log_action(request, f"privacy.request.{status}", by, {"kind": request.kind, **result})
    return request


def export_person(*, by, person, purpose: str) -> tuple[bytes, dict]:
    """The person's data as a zip (see privacy.export); needs the personal-data grant and a purpose; logged."""
    from privacy.export import export_zip

    require_personal(by, person.org)
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError({"purpose": _("导出个人信息须说明用途。")})
    content, data = export_zip(person)
    LogEntry.objects.log_create(
        person, action=LogEntry.Action.ACCESS, actor=by, changes={}, force_log=True,
        additional_data={"action": "privacy.export.downloaded", "purpose": purpose,
                         "records": sum(len(r) for r in data["records"].values())},
    )
    return content, data


def fulfil_access(*, by, request: SubjectRequest) -> tuple[bytes, SubjectRequest]:
    """Answer an access request with the person's copy; the request closes with what it held."""
    from privacy.export import counts

    _open_request(request, RequestKind.ACCESS)
    require(by, CHANGE, request.org)
    with transaction.atomic():
        content, data = export_person(by=by, person=request.person,
                                      purpose=_("个人信息查阅请求 #%(n)s") % {"n": request.pk})
        _close(request, by=by, outcome=_("已提供个人信息副本。"), result={"records": counts(data)})
    return content, request


def correct(*, by, request: SubjectRequest, **fields) -> SubjectRequest:
    """Answer a correction request by changing the person's fields (registry.services.update_person, audited)."""
    from registry import services as registry_services

    _open_request(request, RequestKind.CORRECTION)
    if not fields:
        raise ValidationError({"fields": _("请填写需要更正的字段。")})
    with transaction.atomic():
        registry_services.update_person(by=by, person=request.person, **fields)
        _close(request, by=by, outcome=_("已更正：%(f)s") % {"f": "、".join(sorted(fields))},
               result={"fields": sorted(fields)})
    return request


def erase(*, by, request: SubjectRequest) -> SubjectRequest:
    """Answer a deletion request by anonymising the person (privacy.erasure)."""
    from privacy.erasure import anonymise_person

    _open_request(request, RequestKind.DELETION)
    require(by, CHANGE, request.org)
    require_personal(by, request.org)
    with transaction.atomic():
        summary = anonymise_person(request.person, by=by, reason="request", request=request)
        _close(request, by=by, outcome=_("已删除（匿名化）个人信息；依法保留的财务和审计记录已去除身份信息。"),
               result=summary)
    return request


def withdraw(*, by, request: SubjectRequest, purposes: list[str] | None = None) -> SubjectRequest:
    """Answer a withdrawal request: the person's consents to `purposes` (all when omitted) end now."""
    _open_request(request, RequestKind.WITHDRAWAL)
    require(by, CHANGE, request.org)
    unknown = sorted(set(purposes or []) - set(Purpose.values))
    if unknown:
        raise ValidationError({"purposes": _("用途无效：%(p)s") % {"p": "、".join(unknown)}})
    with transaction.atomic():
        n = withdraw_all(request.person, by=by, purposes=purposes, note=_("请求 #%(n)s") % {"n": request.pk})
        _close(request, by=by, outcome=_("已撤回 %(n)s 项同意。") % {"n": n}, result={"withdrawn": n})
    return request


def refuse(*, by, request: SubjectRequest, reason: str) -> SubjectRequest:
    """Refuse a request, giving the reason the person is owed (PIPL art. 50)."""
    if request.status != RequestStatus.OPEN:
        raise ValidationError({"status": _("该请求已办结，不能再办理。")})
    require(by, CHANGE, request.org)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("不予办理须说明理由。")})
    with transaction.atomic():
        _close(request, by=by, outcome=reason.strip(), result={}, status=RequestStatus.REFUSED)
    return request


def give_consent(*, by, person, purpose: str, method: str = ConsentMethod.WRITTEN, given_at=None,
                 note: str = "") -> Consent:
    """Record the person's consent to one purpose; a consent already in force is not given twice."""
    require(by, CHANGE, person.org)
    consent = Consent(org=person.org, person=person, purpose=purpose, method=method,
                      given_at=given_at or timezone.now(), note=note,
                      recorded_by=by if getattr(by, "is_authenticated", False) else None)
    consent.full_clean(validate_constraints=False)
    if Consent.objects.active().filter(person=person, purpose=purpose).exists():
        raise ValidationError({"purpose": _("该用途的同意已在有效期内。")})
    with transaction.atomic(), acting(by):
        consent.save()
    return consent


def withdraw_consent(*, by, consent: Consent, at=None) -> Consent:
    """Record the withdrawal of one consent (the record stays, with its withdrawal time)."""
    require(by, CHANGE, consent.org)
    if consent.withdrawn_at:
        raise ValidationError({"withdrawn_at": _("该同意已撤回。")})
    consent.withdrawn_at = at or timezone.now()
    with transaction.atomic(), acting(by):
        consent.save(update_fields=["withdrawn_at"])
    return consent


def withdraw_all(person, *, by, purposes: list[str] | None = None, note: str = "") -> int:
    """End every consent of the person in force (for `purposes` only when given); returns how many."""
    qs = Consent.objects.active().filter(person=person)
    if purposes:
        qs = qs.filter(purpose__in=purposes)
    n = 0
    with transaction.atomic(), acting(by):
        for consent in qs.select_for_update():
            consent.withdrawn_at = timezone.now()
            consent.note = (consent.note + " " + note).strip()[:300]
            consent.save(update_fields=["withdrawn_at", "note"])
            n += 1
    return n


def has_consent(person, purpose: str) -> bool:
    """Whether the person's consent to `purpose` is in force (for the apps that publish or notify)."""
    return Consent.objects.active().filter(person=person, purpose=purpose).exists()
