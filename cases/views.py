"""Web pages of cases: queues, the case page with its steps, set-up, the dashboard, and the public intake.

Every page reads through `visible_to`; every step posts to `case_step`, which calls the service
of that step, so the page, the API and the CLI share one set of rules.
"""
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import can, paths_for
from cases import forms as f
from cases import intake, services
from cases.filters import CaseFilter
from cases.models import (
    Attachment,
    Case,
    DeadlineRule,
    Department,
    Dispatch,
    Expert,
    MediationRoom,
    Referral,
    Status,
)
from core.audit import history
from core.forms import add_service_errors
from core.htmx import render_page
from core.pagination import paginate
from core.personal import may_see, reveal
from core.scoping import CHANGE, VIEW, get_visible_or_404
from orgs.models import Organization

HANDLING = {Status.ACCEPTED, Status.ASSIGNED, Status.DISPATCHED, Status.MEDIATING}
DONE = {Status.RESOLVED, Status.NOT_RESOLVED, Status.CLOSED, Status.DECLINED}


def _style_filters(filterset):
    for field in filterset.form.fields.values():
        css = "form-select" if hasattr(field, "choices") else "form-control"
        field.widget.attrs.setdefault("class", css)
        if field.__class__.__name__ == "DateField":
            field.widget.input_type = "date"
    return filterset


@login_required
def case_list(request):
    """The queues: my cases, my department, overdue, unassigned, with filters and full-text search."""
    qs = Case.objects.visible_to(request.user).select_related("org", "assignee").order_by("-submitted_at", "-pk")
    filterset = _style_filters(CaseFilter(request.GET, queryset=qs, request=request))
    page = paginate(filterset.qs, request.GET.get("page"))
    return render_page(request, "cases/case_list.html",
                       {"section": "cases", "filter": filterset, "page": page,
                        "may_add": paths_for(request.user, CHANGE) != [], "queue": request.GET.get("queue", "")},
                       partial="results")


@login_required
def case_create(request):
    """Register a case taken at the counter, by phone, in a mediation room or by referral."""
    form = f.CaseForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "attachment"}
        uploads = [form.cleaned_data["attachment"]] if form.cleaned_data.get("attachment") else []
        try:
            case = services.create_case(by=request.user, attachments=uploads, **data)
        except (ValidationError, PermissionDenied) as e:
            add_service_errors(form, e if isinstance(e, ValidationError) else ValidationError(str(e)))
        else:
            messages.success(request, _("已登记诉求 %(n)s。") % {"n": case.number})
            return redirect("cases:case-detail", case.pk)
    return render(request, "cases/case_form.html", {"section": "cases", "form": form})


def _steps(case, user):
    """Which step forms the page offers, by status and grant."""
    if not can(user, CHANGE, case.org):
        return {}
    s = case.status
    forms = {
        "accept": s == Status.SUBMITTED and f.NoteForm(prefix="accept"),
        "decline": s == Status.SUBMITTED and f.ReasonForm(prefix="decline"),
        "assign": s in HANDLING and f.AssignForm(prefix="assign", case=case, user=user),
        "dispatch": s in HANDLING and f.DispatchForm(prefix="dispatch", user=user),
        "session": s in HANDLING and f.SessionForm(prefix="session", user=user,
                                                   initial={"held_on": dt.date.today(), "room": case.room_id}),
        "refer": s in HANDLING and f.ReferForm(prefix="refer", user=user),
        "resolve": s in HANDLING and f.ResolveForm(prefix="resolve"),
        "not_resolved": s in HANDLING and f.NotResolvedForm(prefix="not_resolved"),
        "close": s in {Status.RESOLVED, Status.NOT_RESOLVED, Status.DECLINED} and f.NoteForm(prefix="close"),
        "satisfaction": s in {Status.RESOLVED, Status.NOT_RESOLVED, Status.CLOSED} and f.SatisfactionForm(
            prefix="satisfaction"),
        "reopen": s in DONE and f.ReasonForm(prefix="reopen"),
        "reply": f.ReplyForm(prefix="reply"),
        "attachment": f.AttachmentForm(prefix="attachment"),
    }
    return {k: v for k, v in forms.items() if v}


@login_required
def case_detail(request, pk):
    """One case: facts, applicant (masked; hidden from liaisons), timeline, dispatches, sessions, the steps."""
    user = request.user
    case = get_visible_or_404(Case.objects.select_related("org", "assignee", "room"), user, pk=pk)
    officer_view = can(user, VIEW, case.org)
    dispatches = list(case.dispatches.select_related("department").prefetch_related("department__liaisons"))
    mine = [d for d in dispatches if any(u.pk == user.pk for u in d.department.liaisons.all())]
    context = {
        "section": "cases", "case": case, "officer_view": officer_view,
        "dispatches": dispatches if officer_view else mine,
        "my_dispatches": [(d, f.AnswerForm(prefix=f"answer{d.pk}")) for d in mine if not d.answered_at],
        "events": case.events.select_related("by") if officer_view else case.events.filter(public=True),
        "sessions": case.sessions.select_related("room").prefetch_related("mediators") if officer_view else [],
        "referrals": case.referrals.select_related("expert") if officer_view else [],
        "attachments": case.attachments.all() if officer_view else [],
        "mediators": case.mediators.all(),
        "steps": _steps(case, user),
        "may_reveal": may_see(user, case),
        "history": history(case) if officer_view else [],
    }
    return render(request, "cases/case_detail.html", context)


def _step_call(step, request, case):
    """Validate the step's form and call its service."""
    user, post, files = request.user, request.POST, request.FILES
    form_class, kwargs = {
        "accept": (f.NoteForm, {}), "decline": (f.ReasonForm, {}),
        "assign": (f.AssignForm, {"case": case, "user": user}), "dispatch": (f.DispatchForm, {"user": user}),
        "session": (f.SessionForm, {"user": user}), "refer": (f.ReferForm, {"user": user}),
        "referral_result": (f.ReferralResultForm, {}), "resolve": (f.ResolveForm, {}),
        "not_resolved": (f.NotResolvedForm, {}), "close": (f.NoteForm, {}),
        "satisfaction": (f.SatisfactionForm, {}), "reopen": (f.ReasonForm, {}), "reply": (f.ReplyForm, {}),
        "attachment": (f.AttachmentForm, {}), "spam": (f.NoteForm, {}), "not_spam": (f.NoteForm, {}),
    }[step]
    form = form_class(post, files, prefix=step if step not in ("spam", "not_spam", "referral_result") else None,
                      **kwargs)
    if not form.is_valid():
        raise ValidationError(form.errors.as_text())
    d = form.cleaned_data
    calls = {
        "accept": lambda: services.accept(by=user, case=case, note=d["note"]),
        "decline": lambda: services.decline(by=user, case=case, reason=d["reason"]),
        "assign": lambda: services.assign(by=user, case=case, assignee=d["assignee"],
                                          mediators=list(d["mediators"]) or None, room=d["room"]),
        "dispatch": lambda: services.dispatch(by=user, case=case, departments=d["departments"], note=d["note"]),
        "session": lambda: services.record_session(by=user, case=case, held_on=d["held_on"], room=d["room"],
                                                   mediators=d["mediators"], parties_present=d["parties_present"],
                                                   result=d["result"]),
        "refer": lambda: services.refer(by=user, case=case, kind=d["kind"], expert=d["expert"], body=d["body"],
                                        note=d["note"]),
        "referral_result": lambda: services.record_referral_result(
            by=user, referral=get_visible_or_404(Referral.objects.filter(case=case), user, pk=d["referral"]),
            result=d["result"]),
        "resolve": lambda: services.resolve(by=user, case=case, agreement=d["agreement"],
                                            amount_recovered=d["amount_recovered"]),
        "not_resolved": lambda: services.not_resolve(by=user, case=case, reason=d["reason"],
                                                     referred_to=d["referred_to"]),
        "close": lambda: services.close(by=user, case=case, note=d["note"]),
        "satisfaction": lambda: services.record_satisfaction(by=user, case=case, score=d["score"],
                                                             comment=d["comment"]),
        "reopen": lambda: services.reopen(by=user, case=case, reason=d["reason"]),
        "reply": lambda: services.reply(by=user, case=case, text=d["text"], public=d["public"]),
        "attachment": lambda: services.add_attachment(by=user, case=case, upload=d["file"]),
        "spam": lambda: services.mark_spam(by=user, case=case, spam=True),
        "not_spam": lambda: services.mark_spam(by=user, case=case, spam=False),
    }
    return calls[step]()


STEP_DONE = {
    "accept": _("已受理。"), "decline": _("已不予受理。"), "assign": _("已分派。"), "dispatch": _("已吹哨。"),
    "session": _("已记录调解。"), "refer": _("已转交。"), "referral_result": _("已记录转交结果。"),
    "resolve": _("已记录化解。"), "not_resolved": _("已记录未化解。"), "close": _("已办结。"),
    "satisfaction": _("已记录回访。"), "reopen": _("已重新办理。"), "reply": _("已回复。"),
    "attachment": _("已上传附件。"), "spam": _("已标记为垃圾信息。"), "not_spam": _("已取消垃圾信息标记。"),
}


@login_required
@require_POST
def case_step(request, pk, step):
    """Take one step of the workflow on a case (the service checks the grant and the status)."""
    if step not in STEP_DONE:
        raise Http404
    case = get_visible_or_404(Case.objects.select_related("org", "room"), request.user, pk=pk)
    try:
        _step_call(step, request, case)
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, " ".join(getattr(e, "messages", [str(e)])))
    else:
        messages.success(request, str(STEP_DONE[step]))
    return redirect("cases:case-detail", pk)


@login_required
@require_POST
def dispatch_step(request, pk, step):
    """A department's liaison acknowledges (报到) or answers a dispatch."""
    d = get_visible_or_404(Dispatch.objects.select_related("case", "department"), request.user, pk=pk)
    try:
        if step == "acknowledge":
            services.acknowledge(by=request.user, dispatch=d)
            messages.success(request, _("已报到。"))
        elif step == "answer":
            form = f.AnswerForm(request.POST, prefix=f"answer{d.pk}")
            if not form.is_valid():
                raise ValidationError(form.errors.as_text())
            services.answer(by=request.user, dispatch=d, text=form.cleaned_data["text"],
                            public=form.cleaned_data["public"])
            messages.success(request, _("已答复。"))
        else:
            raise Http404
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, " ".join(getattr(e, "messages", [str(e)])))
    return redirect("cases:case-detail", d.case_id)


@login_required
@require_POST
def case_reveal(request, pk):
    """The applicant's personal data after the user states a purpose; logged (htmx fragment)."""
    case = get_visible_or_404(Case, request.user, pk=pk)
    form = f.RevealForm(request.POST)
    if not form.is_valid():
        return HttpResponse('<div class="text-danger">' + _("请说明查看用途。") + "</div>", status=400)
    values = reveal(request.user, case, list(Case.personal_fields), form.cleaned_data["purpose"])
    rows = [(Case._meta.get_field(k).verbose_name, k, v) for k, v in values.items()]
    return render(request, "registry/_revealed.html", {"rows": rows})


@login_required
def attachment_download(request, pk):
    """An attachment, for the officers of the case's organization only (never to a liaison)."""
    att = get_visible_or_404(Attachment.objects.select_related("case"), request.user, pk=pk)
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name, content_type=att.content_type)


@login_required
def setup(request):
    """Departments and their liaisons, the expert pool, mediation rooms and their rota."""
    user = request.user
    kinds = {"department": (f.DepartmentForm, services.create_department),
             "expert": (f.ExpertForm, services.create_expert), "room": (f.RoomForm, services.create_room)}
    bound = {}
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "deadline":
                form = f.DeadlineForm(request.POST, prefix="deadline", user=user)
                bound["deadline"] = form
                if form.is_valid():
                    services.set_deadline(by=user, **form.cleaned_data)
                    messages.success(request, _("已保存办理时限。"))
                    return redirect("cases:setup")
            elif which == "shift":
                form = f.ShiftForm(request.POST, prefix="shift", user=user)
                bound["shift"] = form
                if form.is_valid():
                    services.set_shift(by=user, **form.cleaned_data)
                    messages.success(request, _("已保存值班。"))
                    return redirect("cases:setup")
            elif which in kinds:
                form_class, create = kinds[which]
                form = form_class(request.POST, prefix=which, user=user)
                bound[which] = form
                if form.is_valid():
                    data = dict(form.cleaned_data)
                    if which == "department":
                        data["liaisons"] = list(data.pop("liaisons")) or None
                    create(by=user, **data)
                    messages.success(request, _("已添加。"))
                    return redirect("cases:setup")
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, " ".join(getattr(e, "messages", [str(e)])))
    context = {
        "section": "cases",
        "departments": Department.objects.visible_to(user).select_related("org").prefetch_related("liaisons"),
        "experts": Expert.objects.visible_to(user).select_related("org"),
        "rooms": MediationRoom.objects.visible_to(user).prefetch_related("shifts__mediators"),
        "today": dt.date.today(),
        "may_change": paths_for(user, CHANGE) != [],
        "department_form": bound.get("department") or f.DepartmentForm(prefix="department", user=user),
        "expert_form": bound.get("expert") or f.ExpertForm(prefix="expert", user=user),
        "room_form": bound.get("room") or f.RoomForm(prefix="room", user=user),
        "shift_form": bound.get("shift") or f.ShiftForm(prefix="shift", user=user),
        "deadline_form": bound.get("deadline") or f.DeadlineForm(prefix="deadline", user=user),
        "deadlines": DeadlineRule.objects.visible_to(user).select_related("org").order_by("org__path", "step"),
        "may_manage": paths_for(user, "manage") != [],
    }
    return render(request, "cases/setup.html", context)


DASHBOARD = ["cases.received", "cases.resolved", "cases.resolution_rate", "cases.on_time_rate",
             "cases.amount_involved", "cases.amount_recovered", "cases.satisfaction.average"]


@login_required
def dashboard(request):
    """The figures of cases for a subtree and a year, with the year before, a chart by kind, links to the cases."""
    from stats.indicators import evaluate

    user = request.user
    year = int(request.GET.get("year") or dt.date.today().year)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    code = request.GET.get("org", "")
    org = Organization.objects.visible_to(user).filter(code=code).first() if code else None
    base = {"org": org.code} if org else {}

    def link(key):
        from urllib.parse import urlencode

        period = ({"submitted_from": start, "submitted_to": end} if key in ("cases.received", "cases.amount_involved")
                  else {"decided_from": start, "decided_to": end})
        if key in ("cases.resolved", "cases.amount_recovered"):
            period["outcome"] = "resolved"
        return reverse("cases:case-list") + "?" + urlencode({**base, **period})

    figures = [(evaluate(k, user=user, org=org, start=start, end=end), link(k)) for k in DASHBOARD]
    by_kind = evaluate("cases.received.by_kind", user=user, org=org, start=start, end=end)
    resolved_by_kind = evaluate("cases.resolved.by_kind", user=user, org=org, start=start, end=end)
    from cases.models import Kind

    labels = dict(Kind.choices)
    chart = {
        "kinds": [str(labels[k]) for k in Kind.values],
        "received": [by_kind.value.get(k, 0) for k in Kind.values],
        "resolved": [resolved_by_kind.value.get(k, 0) for k in Kind.values],
        "received_label": _("受理"), "resolved_label": _("化解"),
    }
    return render(request, "cases/dashboard.html", {
        "section": "cases", "figures": figures, "chart": chart, "year": year, "org": org,
        "years": list(range(dt.date.today().year, dt.date.today().year - 6, -1)),
        "orgs": Organization.objects.visible_to(user).filter(depth__lte=3).order_by("path")[:200],
    })


# ---------------------------------------------------------------- public pages (no login)


def _fresh_intake_form(data=None, files=None):
    question, token = intake.make_challenge()
    form = f.PublicIntakeForm(data, files, initial={"challenge": token})
    if data is not None:
        form.data = form.data.copy()
        form.data["challenge"] = token
    return form, question


def public_intake(request, code=None):
    """The public request form: no login, phone first, Chinese or English; answers a number and a secret."""
    org = intake.intake_org(code)
    if org is None:
        raise Http404
    if request.method != "POST":
        form, question = _fresh_intake_form()
        return render(request, "cases/public_intake.html", {"form": form, "question": question, "org": org})
    if not intake.allowed(request, intake.IntakeThrottle):
        return render(request, "cases/public_message.html",
                      {"message": _("提交过于频繁，请稍后再试。")}, status=429)
    posted = f.PublicIntakeForm(request.POST, request.FILES)
    if posted.is_valid():
        d = posted.cleaned_data
        verdict = intake.check_challenge(d["challenge"], d["answer"])
        if verdict in ("ok", "spam"):
            try:
                case, secret = services.submit_public(
                    org=org, kind=d["kind"], subject=d["subject"], description=d["description"],
                    applicant_name=d["applicant_name"], phone=d["phone"], email=d["email"],
                    other_party=d["other_party"], amount_involved=d["amount_involved"],
                    language=translation.get_language() or "zh-hans",
                    is_spam=verdict == "spam" or bool(d["website"]),
                    attachments=[d["attachment"]] if d.get("attachment") else [])
            except ValidationError as e:
                add_service_errors(posted, e)
            else:
                response = render(request, "cases/public_done.html", {"case": case, "secret": secret})
                response["Cache-Control"] = "no-store"
                return response
        else:
            posted.add_error("answer", _("验证答案不正确，请重新计算。"))
    form, question = _fresh_intake_form(request.POST, request.FILES)
    form._errors = posted.errors
    return render(request, "cases/public_intake.html", {"form": form, "question": question, "org": org},
                  status=400)


def public_track(request):
    """Follow a request by number and secret: its status and the public replies, nothing else."""
    form = f.TrackForm(request.POST or None, initial={"number": request.GET.get("number", "")})
    status_info, code = None, 200
    if request.method == "POST":
        if not intake.allowed(request, intake.TrackThrottle):
            return render(request, "cases/public_message.html",
                          {"message": _("查询过于频繁，请稍后再试。")}, status=429)
        if form.is_valid():
            case = services.track(form.cleaned_data["number"], form.cleaned_data["secret"])
            if case is None:
                form.add_error(None, _("编号或查询码不正确。"))
                code = 404
            else:
                status_info = intake.public_status(case)
    response = render(request, "cases/public_track.html", {"form": form, "info": status_info}, status=code)
    response["Cache-Control"] = "no-store"
    return response
