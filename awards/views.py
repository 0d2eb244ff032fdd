"""Web pages of awards: campaigns (rubric, steps, judges, progress, ranking), nominations (self-report,
figures, evidence), the judge's scoring pages, certifications, and the public list with objections."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import can, paths_for
from awards import services
from awards.certificates import certificate_pdf
from awards.filters import CampaignFilter, CertificationFilter
from awards.forms import (
    CampaignForm,
    CertificationEditForm,
    CertificationForm,
    CriterionForm,
    EvidenceForm,
    JudgeForm,
    NominateForm,
    ObjectionForm,
)
from awards.models import Campaign, CampaignStatus, Certification, Evidence, Nomination, NominationStatus
from awards.ranking import rank_campaign
from cases.intake import IntakeThrottle, allowed
from core.audit import history
from core.forms import add_service_errors
from core.htmx import render_page
from core.pagination import paginate
from core.scoping import CHANGE, get_visible_or_404


class ObjectionThrottle(IntakeThrottle):
    """Public objections per client address (AWARDS_OBJECTION_RATE, default 5/hour)."""

    scope = "awards_objection"

    def get_rate(self):
        """The configured rate."""
        return getattr(settings, "AWARDS_OBJECTION_RATE", "5/hour")


def _style(filterset):
    for field in filterset.form.fields.values():
        field.widget.attrs.setdefault("class", "form-select" if hasattr(field, "choices") else "form-control")
    return filterset


def _errors(form, e):
    add_service_errors(form, e if isinstance(e, ValidationError) else ValidationError(str(e)))


def _flash(request, e):
    messages.error(request, " ".join(getattr(e, "messages", None) or [str(e) or _("无权进行此操作。")]))


@login_required
def campaign_list(request):
    """Campaigns the user may see, campaigns open to its organizations, and the form to start one."""
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            c = services.create_campaign(by=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            _errors(form, e)
        else:
            return redirect("awards:campaign-detail", c.pk)
    qs = Campaign.objects.visible_to(request.user).select_related("org")
    filterset = _style(CampaignFilter(request.GET, queryset=qs, request=request))
    return render_page(request, "awards/campaign_list.html", {
        "section": "awards", "filter": filterset, "page": paginate(filterset.qs, request.GET.get("page")),
        "open_campaigns": services.open_campaigns_for(request.user),
        "assignments": services.judge_assignments(request.user).exists(),
        "may_add": paths_for(request.user, CHANGE) != [], "form": form}, partial="results")


def _campaign_for(request, pk):
    """The campaign if visible, or open to one of the user's organizations for nominating."""
    c = Campaign.objects.visible_to(request.user).select_related("org").filter(pk=pk).first()
    if c is None:
        c = next((x for x in services.open_campaigns_for(request.user) if x.pk == pk), None)
    if c is None:
        raise Http404
    return c


@login_required
def campaign_detail(request, pk):
    """A campaign: settings, rubric, steps, nominations, judges and their progress, ranking after the close."""
    c = _campaign_for(request, pk)
    organizer = can(request.user, CHANGE, c.org)
    nominations = Nomination.objects.visible_to(request.user).filter(campaign=c).select_related("org")
    ctx = {"section": "awards", "c": c, "organizer": organizer, "criteria": list(c.criteria.all()),
           "nominations": nominations, "rubric_problems": services.rubric_problems(c)}
    if organizer:
        ctx.update({
            "progress": services.progress(c),
            "submitted": [n for n in nominations if n.status == NominationStatus.SUBMITTED],
            "criterion_form": CriterionForm(), "judge_form": JudgeForm(user=request.user),
            "previous": services.previous_campaign(c) if c.status == CampaignStatus.DRAFT else None,
            "history": history(c, 20)})
        if c.scores_disclosed:
            ctx["ranking"] = rank_campaign(c)
    if c.status == CampaignStatus.NOMINATING:
        ctx["nominate_form"] = NominateForm(user=request.user, campaign=c)
    return render(request, "awards/campaign_detail.html", ctx)


@login_required
def campaign_edit(request, pk):
    """Change a campaign's settings."""
    c = get_visible_or_404(Campaign, request.user, CHANGE, pk=pk)
    form = CampaignForm(request.POST or None, instance=c, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            fields = {k: v for k, v in form.cleaned_data.items() if k != "org"}
            services.update_campaign(by=request.user, campaign=Campaign.objects.get(pk=c.pk), **fields)
        except (ValidationError, PermissionDenied) as e:
            _errors(form, e)
        else:
            return redirect("awards:campaign-detail", c.pk)
    return render(request, "awards/campaign_form.html", {"section": "awards", "form": form, "c": c})


STEPS = {
    "open": services.open_nominations, "start_scoring": services.start_scoring,
    "close_scoring": services.close_scoring, "publish": services.publish,
    "assign_all": services.assign_all, "remind": services.remind_late, "copy_rubric": services.copy_rubric,
}


@login_required
@require_POST
def campaign_step(request, pk, step):
    """One step of the campaign: open, start scoring, close scoring, publish, assign, remind, copy the rubric."""
    c = get_visible_or_404(Campaign, request.user, pk=pk)
    fn = STEPS.get(step)
    if fn is None:
        raise Http404
    try:
        result = fn(by=request.user, campaign=c)
    except (ValidationError, PermissionDenied) as e:
        _flash(request, e)
    else:
        if step == "assign_all":
            messages.success(request, _("已分配 %(a)s 项，因回避跳过 %(s)s 项。") % {"a": result[0], "s": result[1]})
        elif step == "remind":
            messages.success(request, _("已提醒 %(n)s 位评委。") % {"n": len(result)})
        else:
            messages.success(request, _("已完成。"))
    return redirect("awards:campaign-detail", pk)


@login_required
@require_POST
def judge_assign(request, pk, judge):
    """Assign chosen nominations to one judge (conflicts refused with the reason)."""
    c = get_visible_or_404(Campaign, request.user, CHANGE, pk=pk)
    j = get_object_or_404(c.judges, pk=judge)
    nominations = list(c.nominations.filter(pk__in=request.POST.getlist("nominations")))
    try:
        made = services.assign(by=request.user, judge=j, nominations=nominations)
    except (ValidationError, PermissionDenied) as e:
        _flash(request, e)
    else:
        messages.success(request, _("已分配 %(a)s 项。") % {"a": len(made)})
    return redirect("awards:campaign-detail", pk)


@login_required
@require_POST
def criterion_add(request, pk):
    """Add a criterion to the rubric."""
    c = get_visible_or_404(Campaign, request.user, CHANGE, pk=pk)
    form = CriterionForm(request.POST)
    if form.is_valid():
        try:
            services.add_criterion(by=request.user, campaign=c, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            _flash(request, e)
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("awards:campaign-detail", pk)


@login_required
@require_POST
def judge_add(request, pk):
    """Put a user on the panel."""
    c = get_visible_or_404(Campaign, request.user, CHANGE, pk=pk)
    form = JudgeForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.add_judge(by=request.user, campaign=c, user=form.cleaned_data["username"],
                               person=form.cleaned_data["person"], name=form.cleaned_data["name"])
        except (ValidationError, PermissionDenied) as e:
            _flash(request, e)
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("awards:campaign-detail", pk)


@login_required
@require_POST
def judge_remove(request, pk, judge):
    """Take a judge who has not scored off the panel."""
    c = get_visible_or_404(Campaign, request.user, CHANGE, pk=pk)
    j = get_object_or_404(c.judges, pk=judge)
    try:
        services.remove_judge(by=request.user, judge=j)
    except (ValidationError, PermissionDenied) as e:
        _flash(request, e)
    else:
        messages.success(request, _("已移除评委“%(n)s”。") % {"n": j.name})
    return redirect("awards:campaign-detail", pk)


@login_required
@require_POST
def nominate(request, pk):
    """Nominate (the nominee's own staff, or the organizer on its behalf)."""
    c = _campaign_for(request, pk)
    form = NominateForm(request.POST, user=request.user, campaign=c)
    if form.is_valid():
        try:
            n = services.nominate(by=request.user, campaign=c, nominee=form.nominee())
        except (ValidationError, PermissionDenied) as e:
            _flash(request, e)
        else:
            return redirect("awards:nomination-detail", n.pk)
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("awards:campaign-detail", pk)


@login_required
def nomination_detail(request, pk):
    """A nomination: figures from Shanghui (locked), the self-report per criterion, evidence, submit."""
    n = get_visible_or_404(Nomination.objects.select_related("campaign__org", "org"), request.user, pk=pk)
    c = n.campaign
    may_edit = (can(request.user, CHANGE, n.org) and c.status == CampaignStatus.NOMINATING
                and n.status == NominationStatus.DRAFT)
    entries = {e.criterion_id: e for e in n.entries.all()}
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        values = {cr: {"text": request.POST.get(f"text-{cr.pk}", ""),
                       "self_score": request.POST.get(f"self-{cr.pk}") or None} for cr in c.criteria.all()}
        try:
            services.save_report(by=request.user, nomination=n, entries=values,
                                 summary=request.POST.get("summary", ""))
            if request.POST.get("submit"):
                services.submit_nomination(by=request.user, nomination=n)
                messages.success(request, _("申报已提交。"))
            else:
                messages.success(request, _("已保存。"))
        except (ValidationError, PermissionDenied) as e:
            _flash(request, e)
        return redirect("awards:nomination-detail", pk)
    rows = [(cr, entries.get(cr.pk)) for cr in c.criteria.all()]
    return render(request, "awards/nomination_detail.html", {
        "section": "awards", "n": n, "c": c, "rows": rows, "figures": n.figures.all(), "may_edit": may_edit,
        "evidence": n.evidence.select_related("criterion"), "evidence_form": EvidenceForm(),
        "scores": services.visible_scores(request.user, n), "objections": n.objections.all(),
        "organizer": can(request.user, CHANGE, c.org), "may_withdraw": can(request.user, CHANGE, n.org)})


@login_required
@require_POST
def evidence_add(request, pk):
    """Upload a supporting file to a nomination."""
    n = get_visible_or_404(Nomination, request.user, CHANGE, pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_evidence(by=request.user, nomination=n, upload=form.cleaned_data["file"],
                                  title=form.cleaned_data["title"])
        except (ValidationError, PermissionDenied) as e:
            _flash(request, e)
    return redirect("awards:nomination-detail", pk)


@login_required
def evidence_download(request, pk):
    """An evidence file: for those who see the nomination, and for the judges assigned to it."""
    ev = Evidence.objects.select_related("nomination").filter(pk=pk).first()
    if ev is None or not (
            Nomination.objects.visible_to(request.user).filter(pk=ev.nomination_id).exists()
            or services.judge_assignments(request.user).filter(nomination_id=ev.nomination_id).exists()):
        raise Http404
    name = ev.file.name.rsplit("/", 1)[-1]
    return FileResponse(ev.file.open("rb"), as_attachment=True, filename=name)


@login_required
def certificate(request, pk):
    """The certificate of a selected nominee of a published campaign (PDF)."""
    n = get_visible_or_404(Nomination.objects.select_related("campaign__org"), request.user, pk=pk)
    try:
        pdf = certificate_pdf(n)
    except ValidationError:
        raise Http404 from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{n.pk}.pdf"'
    return response


@login_required
def judging(request):
    """The judge's own assignments across campaigns."""
    return render(request, "awards/judging.html", {
        "section": "awards", "assignments": services.judge_assignments(request.user)})


@login_required
def score(request, pk):
    """Score one assignment: each criterion within its maximum, with a comment; only one's own scores show."""
    assignment = services.judge_assignments(request.user).filter(pk=pk).first()
    if assignment is None:
        raise Http404
    n, c = assignment.nomination, assignment.judge.campaign
    criteria = list(c.criteria.all())
    if request.method == "POST":
        values = {cr: {"value": request.POST.get(f"score-{cr.pk}", ""), "comment": request.POST.get(
            f"comment-{cr.pk}", "")} for cr in criteria if request.POST.get(f"score-{cr.pk}", "") != ""}
        try:
            services.score(by=request.user, assignment=assignment, values=values)
        except (ValidationError, PermissionDenied) as e:
            _flash(request, e)
        else:
            messages.success(request, _("评分已保存。"))
            return redirect("awards:judging")
    own = {s.criterion_id: {"value": s.value, "comment": s.comment} for s in assignment.scores.all()}
    if request.method == "POST":  # a refused form comes back with what the judge typed
        own = {cr.pk: {"value": request.POST.get(f"score-{cr.pk}", ""),
                       "comment": request.POST.get(f"comment-{cr.pk}", "")} for cr in criteria}
    entries = {e.criterion_id: e for e in n.entries.all()}
    return render(request, "awards/score.html", {
        "section": "awards", "a": assignment, "n": n, "c": c, "figures": n.figures.all(),
        "evidence": n.evidence.all(), "may_score": c.status == CampaignStatus.SCORING,
        "rows": [(cr, entries.get(cr.pk), own.get(cr.pk)) for cr in criteria]})


@login_required
@require_POST
def declare_conflict(request, pk):
    """The judge declares a conflict with the nominee of an assignment; unscored, it is taken off the judge."""
    assignment = services.judge_assignments(request.user).filter(pk=pk).first()
    if assignment is None or assignment.nomination.nominee_org is None:
        raise Http404
    services.declare_conflict(by=request.user, judge=assignment.judge, org=assignment.nomination.nominee_org)
    messages.success(request, _("已申明回避。"))
    return redirect("awards:judging")


@login_required
@require_POST
def withdraw(request, pk):
    """Withdraw a nomination before scoring starts."""
    n = get_visible_or_404(Nomination, request.user, CHANGE, pk=pk)
    try:
        services.withdraw_nomination(by=request.user, nomination=n)
    except (ValidationError, PermissionDenied) as e:
        _flash(request, e)
    return redirect("awards:nomination-detail", pk)


@login_required
@require_POST
def objection_answer(request, pk, objection):
    """The organizer records how an objection was handled, optionally taking the nominee off the list."""
    n = get_visible_or_404(Nomination.objects.select_related("campaign__org"), request.user, pk=pk)
    o = get_object_or_404(n.objections, pk=objection)
    try:
        services.answer_objection(by=request.user, objection=o, response=request.POST.get("response", ""),
                                  deselect=bool(request.POST.get("deselect")))
    except (ValidationError, PermissionDenied) as e:
        _flash(request, e)
    return redirect("awards:nomination-detail", pk)


@login_required
def certification_list(request):
    """Certifications and plaques; the form records one."""
    form = CertificationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.certify(by=request.user, **form.service_fields())
        except (ValidationError, PermissionDenied) as e:
            _errors(form, e)
        else:
            return redirect("awards:certification-list")
    qs = Certification.objects.visible_to(request.user).select_related(
        "org", "holder_org", "holder_enterprise", "holder_person")
    filterset = _style(CertificationFilter(request.GET, queryset=qs, request=request))
    return render_page(request, "awards/certification_list.html", {
        "section": "awards", "filter": filterset, "page": paginate(filterset.qs, request.GET.get("page")),
        "may_add": paths_for(request.user, CHANGE) != [], "form": form}, partial="results")


@login_required
def certification_edit(request, pk):
    """Correct a certification's title, level, issuer, year or expiry (its holder is fixed)."""
    cert = get_visible_or_404(Certification, request.user, CHANGE, pk=pk)
    form = CertificationEditForm(request.POST or None, instance=cert)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_certification(by=request.user, certification=Certification.objects.get(pk=cert.pk),
                                          **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            _errors(form, e)
        else:
            messages.success(request, _("已保存。"))
            return redirect("awards:certification-list")
    return render(request, "awards/certification_form.html", {
        "section": "awards", "form": form, "cert": cert, "history": history(cert)})


def public_list(request, code):
    """The public list: during publicity with the objection form, then the published list."""
    c = get_object_or_404(Campaign.objects.select_related("org"), code=code,
                          status__in=[CampaignStatus.PUBLICITY, CampaignStatus.PUBLISHED])
    form = ObjectionForm(request.POST or None)
    if request.method == "POST":
        n = c.nominations.filter(pk=request.POST.get("nomination"), selected=True).first()
        if n is None:
            raise Http404
        if not allowed(request, ObjectionThrottle):
            return HttpResponse(_("提交过于频繁，请稍后再试。"), status=429)
        if form.is_valid():
            try:
                services.raise_objection(nomination=n, **form.cleaned_data)
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, _("异议已收到，我们将核实处理。"))
                return redirect("awards:public", code)
    return render(request, "awards/public.html", {
        "c": c, "selected": c.nominations.filter(selected=True).order_by("rank", "name"), "form": form})
