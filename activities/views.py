"""Web pages of activities: lists and details, registration (staff and public link), check-in on a phone,
outcomes, investment projects, volunteer teams and services."""
import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import can, paths_for
from activities import services
from activities.filters import ActivityFilter, ProjectFilter, ServiceFilter, TeamFilter
from activities.forms import (
    ActivityForm,
    AdvanceForm,
    FollowUpForm,
    OutcomeForm,
    ProjectForm,
    RegisterForm,
    ServiceForm,
    SessionForm,
    TeamForm,
    VolunteerForm,
)
from activities.models import (
    Activity,
    ActivityFile,
    Attendance,
    Audience,
    Channel,
    Project,
    Registration,
    RegStatus,
    Service,
    Volunteer,
    VolunteerTeam,
)
from core.audit import history
from core.forms import add_service_errors
from core.htmx import render_page
from core.pagination import paginate
from core.scoping import CHANGE, get_visible_or_404

PUBLIC_SALT = "activities.public"


def _style(filterset):
    for field in filterset.form.fields.values():
        field.widget.attrs.setdefault("class", "form-select" if hasattr(field, "choices") else "form-control")
    return filterset


def _fail(request, e):
    messages.error(request, " ".join(getattr(e, "messages", [str(e)])))


def qr_data_uri(text: str) -> str:
    """A QR code as an SVG data URI (allowed by the CSP's img-src data:)."""
    return segno.make(text, error="m").svg_data_uri(scale=6, border=2)


def public_link_token(activity) -> str:
    """The signed part of an activity's public registration link."""
    return signing.dumps(activity.pk, salt=PUBLIC_SALT)


# Activities ----------------------------------------------------------------------------

@login_required
def activity_list(request):
    """Activities in the user's scope."""
    qs = Activity.objects.visible_to(request.user).select_related("org").order_by("-start", "-pk")
    filterset = _style(ActivityFilter(request.GET, queryset=qs, request=request))
    return render_page(request, "activities/activity_list.html",
                       {"section": "activities", "filter": filterset,
                        "page": paginate(filterset.qs, request.GET.get("page")),
                        "may_add": paths_for(request.user, CHANGE) != []}, partial="results")


def _activity_form(request, activity=None):
    form = ActivityForm(request.POST or None, instance=activity, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if activity is None:
                activity = services.create_activity(by=request.user, **form.service_fields())
            else:
                activity = services.update_activity(by=request.user, activity=Activity.objects.get(pk=activity.pk),
                                                    **form.service_fields())
        except (ValidationError, PermissionDenied) as e:
            add_service_errors(form, e if isinstance(e, ValidationError) else ValidationError(str(e)))
        else:
            messages.success(request, _("已保存。"))
            return redirect("activities:activity-detail", activity.pk)
    return render(request, "activities/form.html", {
        "section": "activities", "form": form, "title": activity.title if activity else _("新建活动"),
        "cancel": reverse("activities:activity-detail", args=[activity.pk]) if activity
        else reverse("activities:activity-list")})


@login_required
def activity_create(request):
    """Create an activity."""
    return _activity_form(request)


@login_required
def activity_edit(request, pk):
    """Edit an activity."""
    return _activity_form(request, get_visible_or_404(Activity, request.user, CHANGE, pk=pk))


@login_required
def activity_detail(request, pk):
    """An activity: figures, sessions, registrations and waiting list, outcomes and projects."""
    activity = get_visible_or_404(Activity.objects.select_related("org"), request.user, pk=pk)
    regs = activity.registrations.exclude(status=RegStatus.CANCELLED).order_by("status", "created_at", "pk")
    public_url = (request.build_absolute_uri(reverse("activities:public-register",
                                                     args=[public_link_token(activity)]))
                  if activity.audience == Audience.PUBLIC else None)
    return render(request, "activities/activity_detail.html", {
        "section": "activities", "activity": activity, "sessions": activity.sessions.all(),
        "registered": [r for r in regs if r.status == RegStatus.REGISTERED],
        "waiting": [r for r in regs if r.status == RegStatus.WAITLISTED],
        "outcomes": activity.outcomes.select_related("project"), "files": activity.files.all(), "projects": activity.projects.all(),
        "may_change": can(request.user, CHANGE, activity.org), "session_form": SessionForm(),
        "register_form": RegisterForm(user=request.user), "outcome_form": OutcomeForm(),
        "public_url": public_url, "history": history(activity)})


@login_required
@require_POST
def session_add(request, pk):
    """Add a session."""
    activity = get_visible_or_404(Activity, request.user, CHANGE, pk=pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            services.add_session(by=request.user, activity=activity, **form.cleaned_data)
        except ValidationError as e:
            _fail(request, e)
    else:
        _fail(request, ValidationError(list(form.errors.values())[0]))
    return redirect("activities:activity-detail", pk)


@login_required
@require_POST
def register_staff(request, pk):
    """Register a participant on the staff's side."""
    activity = get_visible_or_404(Activity, request.user, CHANGE, pk=pk)
    form = RegisterForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            reg = services.register(by=request.user, activity=activity, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            _fail(request, e)
        else:
            if reg.status == RegStatus.WAITLISTED:
                messages.warning(request, _("名额已满，%(n)s 已列入候补。") % {"n": reg.name})
            else:
                messages.success(request, _("%(n)s 已报名。") % {"n": reg.name})
    else:
        _fail(request, ValidationError([e for errs in form.errors.values() for e in errs]))
    return redirect("activities:activity-detail", pk)


@login_required
@require_POST
def registration_cancel(request, pk):
    """Cancel a registration; the first waiting takes the place."""
    reg = get_visible_or_404(Registration, request.user, CHANGE, pk=pk)
    promoted = services.cancel_registration(by=request.user, registration=reg)
    if promoted:
        messages.info(request, _("%(n)s 已由候补转为报名。") % {"n": promoted.name})
    return redirect("activities:activity-detail", reg.activity_id)


@login_required
def registration_pass(request, pk):
    """A participant's check-in code as a QR code, to print or send."""
    reg = get_visible_or_404(Registration.objects.select_related("activity"), request.user, pk=pk)
    token = services.checkin_token(reg)
    return render(request, "activities/pass.html", {"section": "activities", "reg": reg, "token": token,
                                                    "qr": qr_data_uri(token)})


@login_required
@require_POST
def file_add(request, pk):
    """Upload a photo or document."""
    activity = get_visible_or_404(Activity, request.user, CHANGE, pk=pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择文件。"))
    else:
        try:
            services.add_file(by=request.user, activity=activity, upload=upload,
                              caption=request.POST.get("caption", "")[:200])
        except ValidationError as e:
            _fail(request, e)
    return redirect("activities:activity-detail", pk)


@login_required
def file_download(request, pk):
    """A file of an activity, for users who may see the activity."""
    f = get_visible_or_404(ActivityFile, request.user, pk=pk)
    return FileResponse(f.file.open("rb"), as_attachment=not f.is_photo, filename=f.name,
                        content_type=f.content_type)


@login_required
@require_POST
def outcome_add(request, pk):
    """Record an outcome."""
    activity = get_visible_or_404(Activity, request.user, CHANGE, pk=pk)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        services.add_outcome(by=request.user, activity=activity, **form.cleaned_data)
    else:
        _fail(request, ValidationError([e for errs in form.errors.values() for e in errs]))
    return redirect("activities:activity-detail", pk)


# Check-in ------------------------------------------------------------------------------

def _session(request, activity):
    number = request.GET.get("session") or request.POST.get("session")
    if number:
        session = activity.sessions.filter(number=number).first()
        if session is None:
            raise Http404
        return session
    return services.default_session(activity, request.user)


def _checkin_context(request, activity, session, result=None):
    regs = list(activity.registrations.filter(status=RegStatus.REGISTERED).order_by("name", "pk"))
    present = set(Attendance.objects.filter(session=session).values_list("registration_id", flat=True))
    return {"section": "activities", "activity": activity, "session": session, "sessions": activity.sessions.all(),
            "rows": [(r, r.pk in present) for r in regs], "present": len(present), "total": len(regs),
            "result": result}


@login_required
def checkin(request, pk):
    """The check-in page, made for a phone: scan or type a participant's code, or tick the list."""
    activity = get_visible_or_404(Activity, request.user, CHANGE, pk=pk)
    session = _session(request, activity)
    return render(request, "activities/checkin.html", _checkin_context(request, activity, session))


@login_required
@require_POST
def checkin_code(request, pk):
    """Check in by a scanned or typed code; answers the updated panel (htmx) or the page."""
    activity = get_visible_or_404(Activity, request.user, CHANGE, pk=pk)
    session = _session(request, activity)
    try:
        attendance, created = services.check_in(by=request.user, session=session,
                                                token=request.POST.get("code", ""))
        name = attendance.registration.name
        result = ("success", _("%(n)s 签到成功。") % {"n": name}) if created else (
            "info", _("%(n)s 已签到过。") % {"n": name})
    except ValidationError as e:
        result = ("danger", " ".join(e.messages))
    context = _checkin_context(request, activity, session, result)
    if getattr(request, "htmx", False):
        return render(request, "activities/checkin.html#panel", context)
    return render(request, "activities/checkin.html", context)


@login_required
@require_POST
def checkin_tick(request, pk, reg_pk):
    """Tick (or untick) a name on the list."""
    activity = get_visible_or_404(Activity, request.user, CHANGE, pk=pk)
    session = _session(request, activity)
    reg = get_visible_or_404(Registration.objects.filter(activity=activity), request.user, pk=reg_pk)
    result = None
    try:
        if request.POST.get("undo"):
            services.undo_check_in(by=request.user, session=session, registration=reg)
        else:
            services.check_in(by=request.user, session=session, registration=reg)
    except ValidationError as e:
        result = ("danger", " ".join(e.messages))
    context = _checkin_context(request, activity, session, result)
    if getattr(request, "htmx", False):
        return render(request, "activities/checkin.html#panel", context)
    return redirect(f"{reverse('activities:checkin', args=[pk])}?session={session.number}")


# Public registration -------------------------------------------------------------------

def public_register(request, token):
    """The public registration page of an activity open to the public (no login)."""
    try:
        activity = Activity.objects.get(pk=signing.loads(token, salt=PUBLIC_SALT), audience=Audience.PUBLIC)
    except (signing.BadSignature, Activity.DoesNotExist):
        raise Http404 from None
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reg = services.register(by=None, activity=activity, channel=Channel.PUBLIC, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            add_service_errors(form, e if isinstance(e, ValidationError) else ValidationError(str(e)))
        else:
            return redirect("activities:public-pass", services.checkin_token(reg))
    return render(request, "activities/public_register.html", {"activity": activity, "form": form})


def public_pass(request, token):
    """The participant's own page with their QR code (the signed code is the link)."""
    try:
        reg = Registration.objects.select_related("activity").get(pk=signing.loads(token, salt=services.TOKEN_SALT))
    except (signing.BadSignature, Registration.DoesNotExist):
        raise Http404 from None
    return render(request, "activities/pass.html", {"reg": reg, "token": token, "qr": qr_data_uri(token),
                                                    "public": True})


# Investment projects -------------------------------------------------------------------

@login_required
def project_list(request):
    """Investment projects in the user's scope."""
    qs = Project.objects.visible_to(request.user).select_related("org").order_by("-pk")
    filterset = _style(ProjectFilter(request.GET, queryset=qs, request=request))
    return render_page(request, "activities/project_list.html",
                       {"section": "activities", "filter": filterset,
                        "page": paginate(filterset.qs, request.GET.get("page")),
                        "may_add": paths_for(request.user, CHANGE) != []}, partial="results")


def _project_form(request, project=None):
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if project is None:
                project = services.create_project(by=request.user, **form.cleaned_data)
            else:
                project = services.update_project(by=request.user, project=Project.objects.get(pk=project.pk),
                                                  **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            add_service_errors(form, e if isinstance(e, ValidationError) else ValidationError(str(e)))
        else:
            return redirect("activities:project-detail", project.pk)
    return render(request, "activities/form.html", {
        "section": "activities", "form": form, "title": project.name if project else _("新建招商项目"),
        "cancel": reverse("activities:project-list")})


@login_required
def project_create(request):
    """Record a project."""
    return _project_form(request)


@login_required
def project_edit(request, pk):
    """Edit a project."""
    return _project_form(request, get_visible_or_404(Project, request.user, CHANGE, pk=pk))


@login_required
def project_detail(request, pk):
    """A project with its stage, follow-ups and the activity it was signed at."""
    project = get_visible_or_404(Project.objects.select_related("org", "activity"), request.user, pk=pk)
    return render(request, "activities/project_detail.html", {
        "section": "activities", "project": project, "follow_ups": project.follow_ups.all(),
        "may_change": can(request.user, CHANGE, project.org), "advance_form": AdvanceForm(),
        "follow_up_form": FollowUpForm(), "history": history(project)})


@login_required
@require_POST
def project_action(request, pk):
    """Advance the project or record a follow-up."""
    project = get_visible_or_404(Project, request.user, CHANGE, pk=pk)
    try:
        if "stage" in request.POST:
            form = AdvanceForm(request.POST)
            if form.is_valid():
                services.advance_project(by=request.user, project=project, **form.cleaned_data)
        else:
            form = FollowUpForm(request.POST)
            if form.is_valid():
                services.add_project_follow_up(by=request.user, project=project, **form.cleaned_data)
        if not form.is_valid():
            _fail(request, ValidationError([e for errs in form.errors.values() for e in errs]))
    except ValidationError as e:
        _fail(request, e)
    return redirect("activities:project-detail", pk)


# Volunteers ----------------------------------------------------------------------------

@login_required
def team_list(request):
    """Volunteer teams in the user's scope."""
    qs = VolunteerTeam.objects.visible_to(request.user).select_related("org").order_by("name")
    filterset = _style(TeamFilter(request.GET, queryset=qs, request=request))
    form = TeamForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.create_team(by=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            add_service_errors(form, e if isinstance(e, ValidationError) else ValidationError(str(e)))
        else:
            return redirect("activities:team-detail", team.pk)
    return render_page(request, "activities/team_list.html",
                       {"section": "activities", "filter": filterset, "form": form,
                        "page": paginate(filterset.qs, request.GET.get("page")),
                        "may_add": paths_for(request.user, CHANGE) != []}, partial="results")


@login_required
def team_detail(request, pk):
    """A team: its volunteers with their hours, and recent services."""
    team = get_visible_or_404(VolunteerTeam.objects.select_related("org"), request.user, pk=pk)
    may_change = can(request.user, CHANGE, team.org)
    volunteer_form = VolunteerForm(user=request.user)
    service_form = ServiceForm(team=team)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        try:
            if "person" in request.POST:
                volunteer_form = VolunteerForm(request.POST, user=request.user)
                if volunteer_form.is_valid():
                    services.add_volunteer(by=request.user, team=team, **volunteer_form.cleaned_data)
                    return redirect("activities:team-detail", pk)
            else:
                service_form = ServiceForm(request.POST, team=team)
                if service_form.is_valid():
                    services.log_service(by=request.user, **service_form.cleaned_data)
                    return redirect("activities:team-detail", pk)
        except ValidationError as e:
            _fail(request, e)
    return render(request, "activities/team_detail.html", {
        "section": "activities", "team": team, "may_change": may_change,
        "volunteers": Volunteer.objects.filter(team=team).select_related("person").order_by("-hours"),
        "services": Service.objects.filter(volunteer__team=team).select_related("volunteer__person")[:50],
        "volunteer_form": volunteer_form, "service_form": service_form})


@login_required
def service_list(request):
    """Volunteer services in the user's scope (the rows behind the volunteer figures)."""
    qs = Service.objects.visible_to(request.user).select_related("volunteer__person", "volunteer__team")
    filterset = _style(ServiceFilter(request.GET, queryset=qs.order_by("-date", "-pk"), request=request))
    return render_page(request, "activities/service_list.html",
                       {"section": "activities", "filter": filterset,
                        "page": paginate(filterset.qs, request.GET.get("page"))}, partial="results")
