"""Writes of the activities app: activities and sessions, registrations and the waiting list,
check-in, outcomes, investment projects, volunteer teams and services.

Every function is atomic, takes the acting user as keyword `by`, checks the grant on the
record's organization and leaves an audit entry (field diffs, and named actions such as
`activities.registration.promoted`). Public registrations come with `by=None` and are
checked against the activity's audience instead.
"""
from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from activities.models import (
    Activity,
    ActivityFile,
    Attendance,
    Audience,
    Channel,
    Method,
    Outcome,
    OutcomeKind,
    Project,
    ProjectFollowUp,
    Registration,
    RegStatus,
    Service,
    Session,
    Stage,
    Volunteer,
    VolunteerTeam,
)
from cases.services import CONTENT_TYPES, check_upload
from core.audit import acting, log_action
from core.scoping import CHANGE
from core.services import apply_fields, require

ACTIVITY_FIELDS = {"org", "number", "kind", "title", "start", "end", "city", "country", "destinations", "capacity",
                   "audience", "description", "agenda", "registration_open"}
PROJECT_FIELDS = {"org", "name", "investor_person", "investor_enterprise", "investor_name", "region", "sector",
                  "amount", "landed_amount", "activity", "staff", "notes"}
TOKEN_SALT = "activities.checkin"
STAGE_ORDER = [Stage.LEAD, Stage.INTENTION, Stage.SIGNED, Stage.LANDED]


def _save(obj, by, action=None, data=None, exclude=None):
    obj.full_clean(exclude=exclude)
    with transaction.atomic(), acting(by):
        obj.save()
        if action:
            log_action(obj, action, by, data)
    return obj


# Activities and sessions ---------------------------------------------------------------

def _clean_destinations(activity: Activity) -> None:
    activity.destinations = ",".join(activity.destination_list())
    activity.country = (activity.country or "").upper()


def create_activity(*, by, co_organizers=(), **fields) -> Activity:
    """Create an activity in an organization where `by` may change records."""
    activity = Activity()
    apply_fields(activity, fields, ACTIVITY_FIELDS)
    require(by, CHANGE, activity.org)
    _clean_destinations(activity)
    with transaction.atomic():
        _save(activity, by, "activities.activity.created", {"title": activity.title})
        if co_organizers:
            activity.co_organizers.set(co_organizers)
    return activity


def update_activity(*, by, activity: Activity, co_organizers=None, **fields) -> Activity:
    """Change an activity; moving it to another organization needs a grant on both."""
    require(by, CHANGE, activity.org)
    changed = apply_fields(activity, fields, ACTIVITY_FIELDS)
    if "org" in changed:
        require(by, CHANGE, activity.org)
    _clean_destinations(activity)
    with transaction.atomic():
        _save(activity, by)
        if "org" in changed:
            for model in (Session, Registration, Outcome):
                model.objects.filter(activity=activity).update(org=activity.org)
            Attendance.objects.filter(session__activity=activity).update(org=activity.org)
        if co_organizers is not None:
            activity.co_organizers.set(co_organizers)
    return activity


def add_session(*, by, activity: Activity, date: dt.date, hours=Decimal("0"), title: str = "",
                number: int | None = None) -> Session:
    """Add a session (课次) to an activity; numbered after the last one unless given."""
    require(by, CHANGE, activity.org)
    if number is None:
        number = (activity.sessions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    session = Session(org=activity.org, activity=activity, number=number, date=date, hours=hours, title=title)
    return _save(session, by)


def default_session(activity: Activity, by=None) -> Session:
    """The activity's first session, made on its first day when it has none (one-day events)."""
    session = activity.sessions.order_by("number").first()
    if session is None:
        session = Session(org=activity.org, activity=activity, number=1, date=activity.start)
        with acting(by):
            session.save()
    return session


# Registration and the waiting list -----------------------------------------------------

def _may_register(by, activity: Activity, channel: str) -> None:
    if channel == Channel.PUBLIC:
        if activity.audience != Audience.PUBLIC:
            raise PermissionDenied(_("此活动不接受公开报名。"))
    elif channel == Channel.PORTAL:
        if not getattr(by, "is_authenticated", False):
            raise PermissionDenied(_("请先登录。"))
    else:
        require(by, CHANGE, activity.org)


def register(*, by, activity: Activity, name: str = "", person=None, phone: str = "", company: str = "",
             channel: str = Channel.STAFF) -> Registration:
    """Register a participant; when the activity is full the registration goes on the waiting list.

    The activity row is locked while places are counted, so two registrations for the last
    place cannot both get it.
    """
    _may_register(by, activity, channel)
    if channel != Channel.STAFF and not activity.registration_open:
        raise ValidationError(_("报名已截止。"))
    if person is not None:
        name = name or person.name
        phone = phone or (person.phone or "")
    reg = Registration(org=activity.org, activity=activity, person=person, name=(name or "").strip(),
                       phone=phone, company=company, channel=channel)
    if not reg.name:
        raise ValidationError({"name": _("请填写姓名。")})
    with transaction.atomic(), acting(by):
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        active = Registration.objects.filter(activity=locked).exclude(status=RegStatus.CANCELLED)
        if person is not None and active.filter(person=person).exists():
            raise ValidationError({"person": _("此人已报名。")})
        taken = active.filter(status=RegStatus.REGISTERED).count()
        full = locked.capacity is not None and taken >= locked.capacity
        reg.status = RegStatus.WAITLISTED if full else RegStatus.REGISTERED
        reg.full_clean(exclude=["org", "activity", "person"])
        reg.save()
        log_action(reg, f"activities.registration.{reg.status}", by, {"activity": activity.pk, "channel": channel})
    return reg


def cancel_registration(*, by, registration: Registration) -> Registration | None:
    """Cancel a registration; the first on the waiting list takes the freed place (returned)."""
    require(by, CHANGE, registration.org)
    return _cancel(registration, by)


def cancel_own_registration(*, by, registration: Registration) -> Registration | None:
    """A member cancels its own registration from the portal; the waiting list moves up as for staff."""
    from portal.access import member_of

    member = member_of(by)
    if member is None or registration.person_id is None or registration.person_id != member.person_id:
        raise PermissionDenied(_("只能取消自己的报名。"))
    return _cancel(registration, by)


def _cancel(registration: Registration, by) -> Registration | None:
    with transaction.atomic(), acting(by):
        Activity.objects.select_for_update().get(pk=registration.activity_id)
        reg = Registration.objects.get(pk=registration.pk)
        if reg.status == RegStatus.CANCELLED:
            return None
        freed = reg.status == RegStatus.REGISTERED
        reg.status = RegStatus.CANCELLED
        reg.save(update_fields=["status"])
        log_action(reg, "activities.registration.cancelled", by)
        registration.status = reg.status
        if freed:
            return _promote(reg.activity, by)
    return None


def _promote(activity: Activity, by) -> Registration | None:
    """Move the earliest waiting registration up, if a place is free (inside the caller's lock)."""
    taken = activity.registrations.filter(status=RegStatus.REGISTERED).count()
    if activity.capacity is not None and taken >= activity.capacity:
        return None
    nxt = activity.registrations.filter(status=RegStatus.WAITLISTED).order_by("created_at", "pk").first()
    if nxt is not None:
        nxt.status = RegStatus.REGISTERED
        nxt.save(update_fields=["status"])
        log_action(nxt, "activities.registration.promoted", by)
    return nxt


def set_capacity(*, by, activity: Activity, capacity: int | None) -> list[Registration]:
    """Change the number of places; a larger one lets the waiting list move up (the promoted are returned)."""
    require(by, CHANGE, activity.org)
    promoted = []
    with transaction.atomic(), acting(by):
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        locked.capacity = capacity
        locked.save(update_fields=["capacity"])
        activity.capacity = capacity
        while (p := _promote(locked, by)) is not None:
            promoted.append(p)
    return promoted


# Check-in ------------------------------------------------------------------------------

def checkin_token(registration: Registration) -> str:
    """The signed code printed as the participant's QR code: it names the registration and nothing else."""
    return signing.dumps(registration.pk, salt=TOKEN_SALT, compress=True)


def registration_for_token(token: str, activity: Activity) -> Registration:
    """The registration a scanned code stands for, if the code is genuine and belongs to this activity."""
    try:
        pk = signing.loads((token or "").strip(), salt=TOKEN_SALT)
    except signing.BadSignature:
        raise ValidationError(_("无效的签到码。")) from None
    reg = Registration.objects.filter(pk=pk, activity=activity).first()
    if reg is None:
        raise ValidationError(_("此签到码不属于本活动。"))
    return reg


def check_in(*, by, session: Session, registration: Registration | None = None, token: str = "",
             method: str = Method.LIST) -> tuple[Attendance, bool]:
    """Record a participant present at a session (by a scanned code or a ticked name).

    Returns (attendance, created); a second scan of the same code is not counted twice.
    """
    require(by, CHANGE, session.org)
    if registration is None:
        registration = registration_for_token(token, session.activity)
        method = Method.QR
    if registration.activity_id != session.activity_id:
        raise ValidationError(_("此人未报名本活动。"))
    if registration.status != RegStatus.REGISTERED:
        raise ValidationError(_("%(n)s 的报名状态为“%(s)s”，不能签到。")
                              % {"n": registration.name, "s": registration.get_status_display()})
    with transaction.atomic(), acting(by):
        attendance, created = Attendance.objects.get_or_create(
            registration=registration, session=session,
            defaults={"org": session.org, "method": method, "checked_in_by": by})
        if created:
            recount(session.activity)
    return attendance, created


def undo_check_in(*, by, session: Session, registration: Registration) -> None:
    """Take back a check-in ticked by mistake."""
    require(by, CHANGE, session.org)
    with transaction.atomic(), acting(by):
        deleted, _n = Attendance.objects.filter(session=session, registration=registration).delete()
        if deleted:
            log_action(registration, "activities.attendance.undone", by, {"session": session.number})
            recount(session.activity)


def recount(activity: Activity) -> None:
    """Recompute an activity's people, person-times (one per session attended) and person-hours."""
    att = Attendance.objects.filter(session__activity=activity)
    totals = att.aggregate(people=Count("registration", distinct=True), times=Count("id"),
                           hours=Sum("session__hours"))
    Activity.objects.filter(pk=activity.pk).update(participants=totals["people"], person_times=totals["times"],
                                                   hours=totals["hours"] or 0)
    activity.participants, activity.person_times = totals["people"], totals["times"]
    activity.hours = totals["hours"] or Decimal("0")


# Outcomes ------------------------------------------------------------------------------

def add_outcome(*, by, activity: Activity, kind: str, title: str, amount=Decimal("0"), date=None,
                notes: str = "") -> Outcome:
    """Record an outcome of an activity: a signed project, an intention or a follow-up."""
    require(by, CHANGE, activity.org)
    outcome = Outcome(org=activity.org, activity=activity, kind=kind, title=title, amount=amount or 0,
                      date=date, notes=notes)
    return _save(outcome, by, "activities.outcome.added", {"kind": kind})


# Investment projects -------------------------------------------------------------------

def _check_project(p: Project) -> None:
    if not (p.investor_person_id or p.investor_enterprise_id or p.investor_name):
        raise ValidationError({"investor_name": _("请填写投资方，或选择登记的人员或企业。")})
    if not p.investor_name:
        p.investor_name = str(p.investor_enterprise or p.investor_person)


def create_project(*, by, **fields) -> Project:
    """Record a project lead (or a later stage) brought by an organization."""
    stage = fields.pop("stage", Stage.LEAD)
    project = Project()
    apply_fields(project, fields, PROJECT_FIELDS)
    require(by, CHANGE, project.org)
    _check_project(project)
    with transaction.atomic():
        _save(project, by, "activities.project.created", {"name": project.name})
        if stage != Stage.LEAD:
            advance_project(by=by, project=project, stage=stage,
                            date=project.activity.start if project.activity_id else None)
    return project


def update_project(*, by, project: Project, **fields) -> Project:
    """Change a project's details (its stage moves through `advance_project`)."""
    require(by, CHANGE, project.org)
    changed = apply_fields(project, fields, PROJECT_FIELDS)
    if "org" in changed:
        require(by, CHANGE, project.org)
    _check_project(project)
    with transaction.atomic():
        _save(project, by)
        if project.stage in (Stage.SIGNED, Stage.LANDED):
            _sync_outcome(project, by)
        if "org" in changed:
            ProjectFollowUp.objects.filter(project=project).update(org=project.org)
    return project


def _sync_outcome(project: Project, by) -> None:
    """A project signed at an activity is among that activity's outcomes, with its amount."""
    existing = Outcome.objects.filter(project=project).first()
    if project.activity_id is None or project.stage not in (Stage.SIGNED, Stage.LANDED):
        if existing is not None:
            existing.delete()
        return
    outcome = existing or Outcome(project=project, kind=OutcomeKind.SIGNED)
    outcome.org_id, outcome.activity_id = project.activity.org_id, project.activity_id
    outcome.title, outcome.amount, outcome.date = project.name, project.amount, project.signed_on
    with acting(by):
        outcome.save()


def advance_project(*, by, project: Project, stage: str, date: dt.date | None = None, reason: str = "",
                    notes: str = "") -> Project:
    """Move a project along lead → intention → signed → landed, or drop it with a reason.

    Each move leaves a follow-up entry; a signed project at an activity becomes its outcome.
    """
    require(by, CHANGE, project.org)
    date = date or dt.date.today()
    if stage not in Stage.values:
        raise ValidationError({"stage": _("未知的阶段。")})
    if stage == Stage.DROPPED:
        if not reason.strip():
            raise ValidationError({"drop_reason": _("终止项目须说明原因。")})
        project.drop_reason = reason.strip()
    elif project.stage == Stage.DROPPED:
        project.drop_reason = ""
    if stage in (Stage.SIGNED, Stage.LANDED) and project.signed_on is None:
        project.signed_on = date
    if stage == Stage.LANDED and project.landed_on is None:
        project.landed_on = date
        if not project.landed_amount:
            project.landed_amount = project.amount
    old = project.stage
    project.stage = stage
    with transaction.atomic(), acting(by):
        project.full_clean()
        project.save()
        ProjectFollowUp.objects.create(org=project.org, project=project, date=date, stage=stage, by=by,
                                       notes=notes or reason or _("阶段：%(a)s → %(b)s") % {
                                           "a": Stage(old).label, "b": Stage(stage).label})
        _sync_outcome(project, by)
        log_action(project, f"activities.project.{stage}", by, {"from": old})
    return project


def add_project_follow_up(*, by, project: Project, date: dt.date, notes: str) -> ProjectFollowUp:
    """Record a contact with the investor."""
    require(by, CHANGE, project.org)
    return _save(ProjectFollowUp(org=project.org, project=project, date=date, notes=notes, by=by), by)


# Volunteers ----------------------------------------------------------------------------

def create_team(*, by, org, name: str, description: str = "", founded_on=None) -> VolunteerTeam:
    """Create a volunteer team of an organization."""
    require(by, CHANGE, org)
    return _save(VolunteerTeam(org=org, name=name, description=description, founded_on=founded_on), by,
                 "activities.team.created")


def update_team(*, by, team: VolunteerTeam, **fields) -> VolunteerTeam:
    """Change a team's name or description."""
    require(by, CHANGE, team.org)
    apply_fields(team, fields, {"name", "description", "founded_on"})
    return _save(team, by)


def add_volunteer(*, by, team: VolunteerTeam, person, joined_on=None) -> Volunteer:
    """Enrol a registry person in a team."""
    require(by, CHANGE, team.org)
    if Volunteer.objects.filter(team=team, person=person).exists():
        raise ValidationError({"person": _("此人已在该服务队。")})
    return _save(Volunteer(org=team.org, team=team, person=person, joined_on=joined_on), by,
                 "activities.volunteer.joined")


def set_volunteer_active(*, by, volunteer: Volunteer, active: bool) -> Volunteer:
    """Mark a volunteer as having left the team (or back)."""
    require(by, CHANGE, volunteer.org)
    volunteer.active = active
    return _save(volunteer, by)


def log_service(*, by, volunteer: Volunteer, date: dt.date, hours, description: str, activity=None) -> Service:
    """Log a service with its hours; the volunteer's total follows."""
    require(by, CHANGE, volunteer.org)
    hours = Decimal(str(hours))
    if hours <= 0 or hours > 24:
        raise ValidationError({"hours": _("服务时长应在 0 到 24 小时之间。")})
    service = Service(org=volunteer.org, volunteer=volunteer, date=date, hours=hours, description=description,
                      activity=activity)
    with transaction.atomic():
        _save(service, by)
        total = Service.objects.filter(volunteer=volunteer).aggregate(t=Sum("hours"))["t"] or 0
        Volunteer.objects.filter(pk=volunteer.pk).update(hours=total)
        volunteer.hours = total
    return service


# Corrections ---------------------------------------------------------------------------

def update_session(*, by, session: Session, **fields) -> Session:
    """Correct a session's title or hours (the activity's person-hours follow)."""
    require(by, CHANGE, session.org)
    changed = apply_fields(session, fields, {"title", "hours"})
    with transaction.atomic():
        _save(session, by)
        if "hours" in changed:
            recount(session.activity)
    return session


def update_registration(*, by, registration: Registration, **fields) -> Registration:
    """Correct a participant's name, phone or company (the status moves by registering and cancelling)."""
    require(by, CHANGE, registration.org)
    apply_fields(registration, fields, {"name", "phone", "company"})
    return _save(registration, by)


def update_outcome(*, by, outcome: Outcome, **fields) -> Outcome:
    """Correct an outcome; one that stands for a signed project follows the project instead."""
    require(by, CHANGE, outcome.org)
    if outcome.project_id:
        raise ValidationError(_("签约项目的成果随项目更新。"))
    apply_fields(outcome, fields, {"kind", "title", "amount", "date", "notes"})
    return _save(outcome, by)


def add_file(*, by, activity: Activity, upload, caption: str = "") -> ActivityFile:
    """Attach a photo or document to an activity (type, size and leading bytes checked like case attachments)."""
    require(by, CHANGE, activity.org)
    ext = check_upload(upload)
    f = ActivityFile(org=activity.org, activity=activity, name=upload.name.replace("/", "_")[-100:],
                     content_type=CONTENT_TYPES[ext], size=upload.size, caption=caption,
                     uploaded_by=by if getattr(by, "is_authenticated", False) else None)
    with transaction.atomic(), acting(by):
        f.file.save(f"{secrets.token_hex(8)}.{ext}", upload, save=False)
        f.save()
        log_action(activity, "activities.file.added", by, {"file": f.name})
    return f
