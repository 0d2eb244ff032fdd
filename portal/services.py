"""The portal's writes: invitations and accepting them, language, password reset links, profile changes.

Notices are in `portal/notices.py`. Every function is atomic, takes the acting user as keyword `by` (None on the command line
where the function allows it) and leaves an audit entry.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from core.audit import acting, log_action
from core.notifications import notify
from core.scoping import CHANGE
from core.services import require
from portal.backends import members_by_identifier
from portal.models import Invitation, InvitationChannel, MemberAccount

INVITATION_DAYS = 7


def invitation_days() -> int:
    """How long an invitation link stays valid (PORTAL_INVITATION_DAYS, default 7)."""
    return int(getattr(settings, "PORTAL_INVITATION_DAYS", INVITATION_DAYS))


def site_url(base_url: str | None = None) -> str:
    """The address links in messages start with: the request's, else SITE_URL, else the local server."""
    return (base_url or getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000").rstrip("/")


def hash_token(token: str) -> str:
    """The stored form of an invitation token (SHA-256, hex)."""
    return hashlib.sha256(token.encode()).hexdigest()


def member_username(person) -> str:
    """The internal, stable username of a person's member account (members log in by phone or e-mail)."""
    return f"m{person.pk}"


def _both_languages(text_for) -> str:
    """A message in Chinese and in English, for members at home and abroad who have not chosen yet."""
    parts = []
    for code in ("zh-hans", "en"):
        with translation.override(code):
            parts.append(str(text_for()))
    return "\n".join(dict.fromkeys(parts))  # once only while a language lacks its translation


def login_taken(kind: str, value: str, person) -> bool:
    """Whether another member account already logs in with this phone or e-mail."""
    if not value:
        return False
    return members_by_identifier(value).exclude(member_account__person=person).exists()


def invite(*, by, person, channel: str | None = None, base_url: str | None = None) -> tuple[Invitation, str]:
    """Invite a person to the portal: a one-time link by e-mail or SMS; returns (invitation, link).

    Needs a change grant on the person's organization (by=None: the command line). Earlier open
    invitations of the same person stop working. Only the token's hash is stored; the link is
    returned once and sent.
    """
    if by is not None:
        require(by, CHANGE, person.org)
    if MemberAccount.objects.filter(person=person).exists():
        raise ValidationError({"person": _("%(name)s 已有会员账号。") % {"name": person.name}})
    channel = channel or (InvitationChannel.EMAIL if person.email else InvitationChannel.SMS)
    if channel not in InvitationChannel.values:
        raise ValidationError({"channel": _("发送方式只能是 email 或 sms。")})
    address = person.email if channel == InvitationChannel.EMAIL else person.phone
    if not address:
        raise ValidationError({"channel": _("%(name)s 没有登记%(what)s，无法发送邀请。") % {
            "name": person.name, "what": _("电子邮箱") if channel == InvitationChannel.EMAIL else _("手机号")}})
    if login_taken(channel, address, person):
        raise ValidationError({"channel": _("%(a)s 已用于另一个会员账号的登录，请先更正人员信息。") % {"a": address}})
    token = secrets.token_urlsafe(32)
    link = site_url(base_url) + reverse("portal:invite-accept", args=[token])
    now = timezone.now()
    with transaction.atomic(), acting(by):
        Invitation.objects.filter(person=person, accepted_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        invitation = Invitation.objects.create(
            person=person, channel=channel, address=address, token_hash=hash_token(token),
            expires_at=now + dt.timedelta(days=invitation_days()), created_by=by if getattr(by, "pk", None) else None,
        )
        log_action(invitation, "portal.invitation.sent", by, {"channel": channel})
        org = person.org.name
        days = invitation_days()
        # The link once, at the end: an SMS holds about 300 characters and must keep it whole.
        body = _both_languages(lambda: _(
            "%(name)s，您好：%(org)s邀请您使用会员服务，请在%(days)d天内打开以下链接设置密码。"
        ) % {"name": person.name, "org": org, "days": days}) + "\n" + link
        if channel == InvitationChannel.EMAIL:
            subject = _both_languages(lambda: _("会员服务邀请")).replace("\n", " / ")
            notify(emails=[address], subject=subject, body=body)
        else:  # an SMS starts with its subject: one language there leaves room for the link
            notify(phones=[address], subject=_("会员服务邀请"), body=body)
    return invitation, link


def find_invitation(token: str) -> Invitation:
    """The open invitation of a token; a ValidationError says whether it is unknown, used or expired."""
    invitation = (
        Invitation.objects.select_related("person", "person__org").filter(token_hash=hash_token(token or "")).first()
    )
    if invitation is None:
        raise ValidationError(_("邀请链接无效，请核对链接或联系秘书处重新邀请。"), code="invalid")
    if invitation.accepted_at:
        raise ValidationError(_("此邀请链接已经使用过，请直接登录。"), code="used")
    if invitation.expires_at <= timezone.now():
        raise ValidationError(_("此邀请链接已过期，请联系秘书处重新邀请。"), code="expired")
    return invitation


def accept_invitation(*, token: str, password: str, language: str | None = None, request=None) -> MemberAccount:
    """Create the member's login from an invitation: checks the password, marks the link used.

    The member is the actor of its own account's creation; `invitation_accepted` goes to
    the security log. The caller logs the new user in.
    """
    from accounts.security import log_event

    User = get_user_model()
    with transaction.atomic():
        invitation = find_invitation(token)
        Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
        person = invitation.person
        if MemberAccount.objects.filter(person=person).exists():
            raise ValidationError(_("%(name)s 已有会员账号，请直接登录。") % {"name": person.name}, code="used")
        user = User(username=member_username(person), email=person.email or "", first_name=person.name[:150])
        try:
            password_validation.validate_password(password, user)
        except ValidationError as e:
            raise ValidationError({"password1": e.messages}) from None
        user.set_password(password)
        user.save()
        language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        with acting(user):
            member = MemberAccount.objects.create(user=user, person=person, language=language)
            invitation.accepted_at = timezone.now()
            invitation.save(update_fields=["accepted_at"])
            log_action(invitation, "portal.invitation.accepted", user, {"member": member.pk})
        log_event("invitation_accepted", request, user=user, invitation=invitation.pk, person=person.pk)
    return member


def set_language(*, by, member: MemberAccount, language: str) -> MemberAccount:
    """Remember the member's language (zh-hans or en); only the member itself changes it."""
    if getattr(by, "pk", None) != member.user_id:
        raise PermissionDenied(_("只能修改自己的语言设置。"))
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("不支持的语言：%(l)s。") % {"l": language}})
    if member.language != language:
        member.language = language
        with transaction.atomic(), acting(by):
            member.save(update_fields=["language"])
    return member


def send_password_reset(identifier: str, *, base_url: str | None = None) -> int:
    """Send a reset link to the member(s) who log in with this phone or e-mail; returns how many.

    An e-mail address gets an e-mail, a phone number an SMS. The answer to the member is the same
    whether or not the account exists, so the count is for tests and the command line only.
    """
    sent = 0
    for user in members_by_identifier(identifier).filter(is_active=True).select_related("member_account__person"):
        person, member = user.member_account.person, user.member_account
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        link = site_url(base_url) + reverse("portal:password-reset-confirm",
                                            args=[uid, default_token_generator.make_token(user)])
        with translation.override(member.language):
            subject = _("重设会员服务密码")
            body = _("%(name)s，您好：请打开以下链接重设密码（如非本人操作请忽略）：%(link)s") % {
                "name": person.name, "link": link}
        if "@" in identifier:
            notify(emails=[person.email], subject=subject, body=body)
        else:
            notify(phones=[person.phone], subject=subject, body=body)
        sent += 1
    return sent


def notify_member(member: MemberAccount, subject_for, body_for) -> None:
    """Tell a member something in its own language, by e-mail and SMS where it has them."""
    with translation.override(member.language):
        subject, body = str(subject_for()), str(body_for())
    person = member.person
    notify(emails=[person.email] if person.email else [], phones=[person.phone] if person.phone else [],
           subject=subject, body=body)


# --- profile changes -------------------------------------------------------------------------

# Fields a member may change on its own records. Verified ones wait for the secretariat.
MEMBER_PERSON_FIELDS = ("name", "id_number", "foreign_name", "passport_number", "phone", "email", "wechat",
                        "address", "country", "languages")
MEMBER_ENTERPRISE_FIELDS = ("name", "credit_code", "phone", "address", "main_products", "industry", "size")
VERIFIED_FIELDS = {"person": {"name", "id_number"}, "enterprise": {"name", "credit_code"}}


def _kind(target) -> str:
    from registry.models import Enterprise, Person

    if isinstance(target, Person):
        return "person"
    if isinstance(target, Enterprise):
        return "enterprise"
    raise TypeError(target)


def member_fields(target) -> tuple[str, ...]:
    """The fields a member may propose on this record."""
    return MEMBER_PERSON_FIELDS if _kind(target) == "person" else MEMBER_ENTERPRISE_FIELDS


def is_verified(target, field: str) -> bool:
    """Whether a change to this field waits for the secretariat's approval."""
    return field in VERIFIED_FIELDS[_kind(target)]


def member_of_user(by) -> MemberAccount:
    """The acting user's member account, or PermissionDenied."""
    from portal.access import member_of

    member = member_of(by)
    if member is None:
        raise PermissionDenied(_("只有会员本人可以修改自己的资料。"))
    return member


def _require_own(member: MemberAccount, target) -> None:
    """A member changes its own person record and the enterprises it represents, nothing else."""
    from portal.access import my_enterprises

    own = (target.pk == member.person_id) if _kind(target) == "person" else (
        my_enterprises(member).filter(pk=target.pk).exists())
    if not own:
        raise PermissionDenied(_("只能修改自己的资料。"))


def _json(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _validated_values(target, fields: dict) -> dict:
    """Normalise and check the proposed values on a copy of the record; errors name the field."""
    import copy

    from core.services import apply_fields
    from registry import services as registry
    from registry.models import Enterprise, Person

    kind = _kind(target)
    allowed = set(member_fields(target))
    probe = copy.copy(target)
    apply_fields(probe, fields, allowed)
    (registry.normalize_person if kind == "person" else registry.normalize_enterprise)(probe)
    if kind == "person" and not probe.name:
        raise ValidationError({"name": _("姓名不能为空。")})
    if kind == "enterprise" and not (probe.name or "").strip():
        raise ValidationError({"name": _("名称不能为空。")})
    others = [f.name for f in probe._meta.fields if f.name not in fields]
    probe.full_clean(exclude=others, validate_unique=False)
    errors = {}
    if kind == "person" and "id_number" in fields and probe.id_number:
        if Person.objects.exclude(pk=target.pk).filter(id_number=probe.id_number).exists():
            errors["id_number"] = [_("身份证号相同的人员已经登记，请联系秘书处。")]
    if kind == "enterprise" and "credit_code" in fields and probe.credit_code:
        if Enterprise.objects.exclude(pk=target.pk).filter(credit_code=probe.credit_code).exists():
            errors["credit_code"] = [_("该统一社会信用代码已登记为另一家企业，请联系秘书处。")]
    if kind == "person":
        for field in ("phone", "email"):
            if field in fields and login_taken(field, getattr(probe, field), target):
                errors[field] = [_("已用于另一个会员账号的登录，不能使用。")]
        if ("phone" in fields or "email" in fields) and not probe.phone and not probe.email:
            errors["phone"] = [_("手机号和电子邮箱至少保留一项，用于登录。")]
    if errors:
        raise ValidationError(errors)
    return {name: getattr(probe, name) for name in fields}


def propose_changes(*, by, target, fields: dict) -> list:
    """A member's changes to its own person or enterprise record.

    Verified fields (name, ID number; enterprise name, credit code) become a pending
    ProfileChange for the secretariat; the others apply at once and are kept as an applied
    ProfileChange. Returns the changes written (applied first). The member is the audit actor.
    """
    from portal.models import ChangeStatus, ProfileChange

    member = member_of_user(by)
    _require_own(member, target)
    new = _validated_values(target, fields)
    changed = {f: (getattr(target, f), v) for f, v in new.items() if (getattr(target, f) or None) != (v or None)}
    if not changed:
        raise ValidationError(_("没有修改任何内容。"), code="unchanged")
    kind = _kind(target)
    now = timezone.now()
    person = member.person
    enterprise = target if kind == "enterprise" else None
    written = []
    with transaction.atomic(), acting(by):
        immediate = {f: ov for f, ov in changed.items() if not is_verified(target, f)}
        verified = {f: ov for f, ov in changed.items() if is_verified(target, f)}
        if immediate:
            fresh = type(target).objects.select_for_update().get(pk=target.pk)
            for name, (_old, value) in immediate.items():
                setattr(fresh, name, value)
            fresh.save(update_fields=[*immediate, "updated_at"])
            for name, (_old, value) in immediate.items():
                setattr(target, name, value)
            written.append(ProfileChange.objects.create(
                person=person, enterprise=enterprise, status=ChangeStatus.APPLIED, proposed_by=by, decided_at=now,
                changes={f: [_json(o), _json(v)] for f, (o, v) in immediate.items()},
            ))
        if verified:
            # A newer proposal for the same record replaces the older one still waiting.
            older = ProfileChange.objects.filter(person=person, enterprise=enterprise, status=ChangeStatus.PENDING)
            for change in older:
                change.status, change.decided_at = ChangeStatus.REJECTED, now
                change.reason = _("已被新的修改申请取代。")
                change.save(update_fields=["status", "decided_at", "reason"])
            written.append(ProfileChange.objects.create(
                person=person, enterprise=enterprise, status=ChangeStatus.PENDING, proposed_by=by,
                changes={f: [_json(o), _json(v)] for f, (o, v) in verified.items()},
            ))
        for change in written:
            log_action(change, f"portal.profile_change.{change.status}", by, {"fields": sorted(change.changes)})
    return written


def _pending(change):
    from portal.models import ChangeStatus

    if change.status != ChangeStatus.PENDING:
        raise ValidationError(_("此申请已处理（%(s)s）。") % {"s": change.get_status_display()}, code="decided")


def _target_org(change):
    return change.enterprise.org if change.enterprise_id else change.person.org


def approve_change(*, by, change):
    """Apply a pending change through the registry's services (the approver is the actor); tell the member."""
    from portal.models import ChangeStatus
    from registry import services as registry

    require(by, CHANGE, _target_org(change))
    _pending(change)
    values = {f: after for f, (_before, after) in change.changes.items()}
    with transaction.atomic():
        if change.enterprise_id:
            registry.update_enterprise(by=by, enterprise=change.enterprise, **values)
        else:
            registry.update_person(by=by, person=change.person, **values)
        with acting(by):
            change.status, change.decided_by, change.decided_at = ChangeStatus.APPLIED, by, timezone.now()
            change.save(update_fields=["status", "decided_by", "decided_at"])
            log_action(change, "portal.profile_change.approved", by, {"fields": sorted(change.changes)})
        _tell_member(change)
    return change


def reject_change(*, by, change, reason: str):
    """Refuse a pending change with a reason; the record stays as it was; tell the member."""
    from portal.models import ChangeStatus

    require(by, CHANGE, _target_org(change))
    _pending(change)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写驳回理由。")})
    with transaction.atomic(), acting(by):
        change.status, change.decided_by, change.decided_at = ChangeStatus.REJECTED, by, timezone.now()
        change.reason = reason[:300]
        change.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        log_action(change, "portal.profile_change.rejected", by, {"reason": change.reason})
        _tell_member(change)
    return change


def _tell_member(change) -> None:
    member = MemberAccount.objects.filter(person_id=change.person_id).select_related("person").first()
    if member is None:
        return
    labels = lambda: "、".join(str(change_field_label(change, f)) for f in change.changes)  # noqa: E731
    if change.status == "applied":
        notify_member(member, lambda: _("资料修改已通过"),
                      lambda: _("您申请修改的%(f)s已审核通过。") % {"f": labels()})
    else:
        notify_member(member, lambda: _("资料修改未通过"),
                      lambda: _("您申请修改的%(f)s未通过审核：%(r)s") % {"f": labels(), "r": change.reason})


def change_field_label(change, field: str) -> str:
    """The verbose name of a changed field of a ProfileChange (person or enterprise field)."""
    from registry.models import Enterprise, Person

    model = Enterprise if change.enterprise_id else Person
    try:
        return model._meta.get_field(field).verbose_name
    except Exception:
        return field


def change_rows(change, user, reveal: bool = False) -> list[tuple]:
    """(field, label, before, after, current) of a change for staff.

    Personal values (ID and passport numbers, phone …) are masked, except with `reveal` for a user
    holding the personal-data grant on the record: then they are in clear and the reveal is logged
    like any other (`core.personal_data.revealed`, ACCESS, on the person or enterprise, naming the
    change). Lists never reveal (one entry per record shown would flood the log).
    """
    from core.personal import mask_value, may_see

    target = change.enterprise if change.enterprise_id else change.person
    personal = set(target.personal_fields)
    shown = sorted(f for f, pair in change.changes.items()
                   if f in personal and any(v not in (None, "") for v in (*pair, getattr(target, f, None))))
    clear = reveal and bool(shown) and may_see(user, target)
    if clear:
        log_change_reveal(user, change, target, shown)
    rows = []
    for field, (before, after) in change.changes.items():
        current = getattr(target, field, None)
        if field in personal and not clear:
            before, after, current = (mask_value(field, v) for v in (before, after, current))
        rows.append((field, change_field_label(change, field), before, after, current))
    return rows


def log_change_reveal(user, change, target, fields: list[str]) -> None:
    """Record that `user` saw the personal values of a proposed change in clear (who, whose, which, why)."""
    from auditlog.models import LogEntry

    LogEntry.objects.log_create(
        target, action=LogEntry.Action.ACCESS, actor=user, changes={}, force_log=True,
        additional_data={"action": "core.personal_data.revealed", "fields": fields, "profile_change": change.pk,
                         "purpose": _("审核资料修改申请 #%(n)s") % {"n": change.pk}},
    )
