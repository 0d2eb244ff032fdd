"""Web pages of pairing: programmes and their dashboard, participants, runs and proposals, pairs, follow-ups."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import can, paths_for
from core.audit import history
from core.forms import add_service_errors
from core.htmx import render_page
from core.pagination import paginate
from core.scoping import CHANGE, get_visible_or_404
from pairing import services
from pairing.filters import PairFilter, ParticipantFilter, ProgramFilter, ProposalFilter
from pairing.forms import (
    EndPairForm,
    FollowUpForm,
    ManualPairForm,
    ParticipantForm,
    ProgramForm,
    RuleForm,
    RunForm,
)
from pairing.indicators import program_figures
from pairing.models import FollowUp, Pair, PairRule, Participant, Program, Proposal, Run, Side
from pairing.scoring import COMPONENTS


def _style(filterset):
    for field in filterset.form.fields.values():
        field.widget.attrs.setdefault("class", "form-select" if hasattr(field, "choices") else "form-control")
    return filterset


def _errors(request, e) -> None:
    messages.error(request, " ".join(getattr(e, "messages", [str(e)])))


@login_required
def program_list(request):
    """Programmes in the user's scope."""
    qs = Program.objects.visible_to(request.user).select_related("org").order_by("-pk")
    filterset = _style(ProgramFilter(request.GET, queryset=qs, request=request))
    return render_page(request, "pairing/program_list.html",
                       {"section": "pairing", "filter": filterset, "page": paginate(filterset.qs, request.GET.get("page")),
                        "may_add": paths_for(request.user, CHANGE) != []}, partial="results")


def _program_form(request, program=None):
    form = ProgramForm(request.POST or None, instance=program, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if program is None:
                program = services.create_program(by=request.user, **form.service_fields())
            else:
                services.update_program(by=request.user, program=Program.objects.get(pk=program.pk),
                                        **form.service_fields())
        except (ValidationError, PermissionDenied) as e:
            add_service_errors(form, e if isinstance(e, ValidationError) else ValidationError(str(e)))
        else:
            messages.success(request, _("已保存。"))
            return redirect("pairing:program-detail", program.pk)
    return render(request, "pairing/program_form.html", {"section": "pairing", "form": form, "program": program})


@login_required
def program_create(request):
    """Create a programme."""
    return _program_form(request)


@login_required
def program_edit(request, pk):
    """Edit a programme's rules and weights."""
    return _program_form(request, get_visible_or_404(Program, request.user, CHANGE, pk=pk))


def _monthly_chart(program) -> list[dict]:
    """Results per month (funds, orders, income) as bar heights for the dashboard's chart."""
    rows = list(FollowUp.objects.filter(pair__program=program).annotate(month=TruncMonth("date"))
                .values("month").annotate(funds=Sum("funds_delivered"), orders=Sum("orders_amount"),
                                          income=Sum("income_increase")).order_by("month"))[-12:]
    top = max([float(r[k] or 0) for r in rows for k in ("funds", "orders", "income")] or [0]) or 1
    return [{"month": r["month"], **{k: float(r[k] or 0) for k in ("funds", "orders", "income")},
             **{f"{k}_h": round(float(r[k] or 0) * 100 / top, 1) for k in ("funds", "orders", "income")}}
            for r in rows]


@login_required
def program_detail(request, pk):
    """A programme's dashboard: rules, figures with a chart, participants, runs, locks and prohibitions."""
    program = get_visible_or_404(Program.objects.select_related("org"), request.user, pk=pk)
    counts = {side: program.participants.filter(side=side, active=True).count() for side in Side.values}
    context = {
        "section": "pairing", "program": program, "counts": counts, "figures": program_figures(program),
        "chart": _monthly_chart(program), "runs": program.runs.order_by("-number")[:10],
        "rules": PairRule.objects.filter(program=program).select_related("helper", "beneficiary"),
        "weights": [(label, program.weight(name)) for name, label in COMPONENTS.items()],
        "may_change": can(request.user, CHANGE, program.org), "run_form": RunForm(),
        "rule_form": RuleForm(program=program), "pair_form": ManualPairForm(program=program),
        "history": history(program),
    }
    return render(request, "pairing/program_detail.html", context)


@login_required
def participant_list(request, pk):
    """A programme's helpers and beneficiaries, with filters."""
    program = get_visible_or_404(Program, request.user, pk=pk)
    qs = Participant.objects.visible_to(request.user).filter(program=program).order_by("side", "name")
    filterset = _style(ParticipantFilter(request.GET, queryset=qs, request=request))
    for name in ("program", "org"):
        filterset.form.fields.pop(name, None)
    return render_page(request, "pairing/participant_list.html",
                       {"section": "pairing", "program": program, "filter": filterset,
                        "page": paginate(filterset.qs, request.GET.get("page")),
                        "may_change": can(request.user, CHANGE, program.org)}, partial="results")


@login_required
def participant_form(request, pk, participant_pk=None):
    """Add a participant entered by hand, or edit one."""
    program = get_visible_or_404(Program, request.user, CHANGE, pk=pk)
    participant = None
    if participant_pk:
        participant = get_visible_or_404(Participant.objects.filter(program=program), request.user, CHANGE,
                                         pk=participant_pk)
    form = ParticipantForm(request.POST or None, instance=participant, user=request.user,
                           initial={"side": request.GET.get("side", Side.BENEFICIARY)})
    if request.method == "POST" and form.is_valid():
        try:
            if participant is None:
                services.add_participant(by=request.user, program=program, **form.cleaned_data)
            else:
                services.update_participant(by=request.user, participant=Participant.objects.get(pk=participant.pk),
                                            **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            add_service_errors(form, e if isinstance(e, ValidationError) else ValidationError(str(e)))
        else:
            messages.success(request, _("已保存。"))
            return redirect("pairing:participant-list", program.pk)
    return render(request, "pairing/participant_form.html",
                  {"section": "pairing", "program": program, "form": form, "participant": participant})


@login_required
@require_POST
def rule_add(request, pk):
    """Lock or forbid a pair."""
    program = get_visible_or_404(Program, request.user, CHANGE, pk=pk)
    form = RuleForm(request.POST, program=program)
    if form.is_valid():
        try:
            services.add_rule(by=request.user, program=program, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            _errors(request, e)
        else:
            messages.success(request, _("已保存结对规则。"))
    else:
        messages.error(request, form.errors.as_text())
    return redirect("pairing:program-detail", program.pk)


@login_required
@require_POST
def pair_create(request, pk):
    """Pair two participants by hand; the pair is locked like a confirmed proposal."""
    program = get_visible_or_404(Program, request.user, CHANGE, pk=pk)
    form = ManualPairForm(request.POST, program=program)
    if form.is_valid():
        try:
            pair = services.create_pair(by=request.user, program=program, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            _errors(request, e)
        else:
            messages.success(request, _("已结对。"))
            return redirect("pairing:pair-detail", pair.pk)
    else:
        messages.error(request, form.errors.as_text())
    return redirect("pairing:program-detail", program.pk)


@login_required
@require_POST
def rule_delete(request, pk):
    """Remove a lock or a prohibition."""
    rule = get_visible_or_404(PairRule, request.user, CHANGE, pk=pk)
    services.delete_rule(by=request.user, rule=rule)
    messages.success(request, _("已删除结对规则。"))
    return redirect("pairing:program-detail", rule.program_id)


@login_required
@require_POST
def run_start(request, pk):
    """Run the optimizer: at once for an ordinary programme, as a background job for a large one."""
    program = get_visible_or_404(Program, request.user, CHANGE, pk=pk)
    form = RunForm(request.POST)
    k = form.cleaned_data.get("k") if form.is_valid() else None
    run = services.run_or_start(by=request.user, program=program, k=k)
    if run.job_id:
        messages.info(request, _("项目较大，已在后台运行，完成后可查看结果。"))
        return redirect("job-detail", run.job_id)
    return redirect("pairing:run-detail", run.pk)


@login_required
def run_detail(request, pk):
    """A run's proposals with their score components, filters and bulk confirm; the unpaired with reasons."""
    run = get_visible_or_404(Run.objects.select_related("program"), request.user, pk=pk)
    qs = Proposal.objects.visible_to(request.user).filter(run=run).select_related("helper", "beneficiary")
    filterset = _style(ProposalFilter(request.GET, queryset=qs, request=request))
    for name in ("run", "org"):
        filterset.form.fields.pop(name, None)
    context = {
        "section": "pairing", "run": run, "program": run.program, "filter": filterset,
        "page": paginate(filterset.qs, request.GET.get("page"), per_page=100),
        "components": list(COMPONENTS.items()), "unpaired": services.unpaired_rows(run, limit=200),
        "unpaired_total": len(run.result.get("unpaired", [])),
        "may_change": can(request.user, CHANGE, run.org),
    }
    return render_page(request, "pairing/run_detail.html", context, partial="results")


@login_required
@require_POST
def run_decide(request, pk):
    """Confirm or reject the ticked proposals (or confirm every pending one)."""
    run = get_visible_or_404(Run, request.user, CHANGE, pk=pk)
    ids = [int(x) for x in request.POST.getlist("proposal") if x.isdigit()]
    action = request.POST.get("action")
    try:
        if action == "confirm_all":
            pairs = services.confirm_proposals(by=request.user, run=run)
            messages.success(request, _("已确认 %(n)d 对结对。") % {"n": len(pairs)})
        elif action == "reject":
            n = services.reject_proposals(by=request.user, run=run, proposals=ids)
            messages.success(request, _("已否决 %(n)d 条建议。") % {"n": n})
        else:
            pairs = services.confirm_proposals(by=request.user, run=run, proposals=ids)
            messages.success(request, _("已确认 %(n)d 对结对。") % {"n": len(pairs)})
    except (ValidationError, PermissionDenied) as e:
        _errors(request, e)
    return redirect("pairing:run-detail", run.pk)


@login_required
def proposal_explain(request, pk):
    """Why the optimizer proposed this pair: each component, its weight and what it adds (htmx fragment)."""
    proposal = get_visible_or_404(Proposal.objects.select_related("run__program", "helper", "beneficiary"),
                                  request.user, pk=pk)
    return render(request, "pairing/_explain.html", _explanation(proposal.run.program, proposal))


def _explanation(program, item) -> dict:
    rows = []
    for name, label in COMPONENTS.items():
        value, weight = float(item.components.get(name, 0)), program.weight(name)
        rows.append({"name": name, "label": label, "value": value, "weight": weight, "points": value * weight})
    return {"item": item, "rows": rows, "helper": item.helper, "beneficiary": item.beneficiary}


@login_required
def pair_list(request):
    """Pairs in the user's scope, with filters."""
    qs = Pair.objects.visible_to(request.user).select_related("helper", "beneficiary", "program").order_by("-pk")
    filterset = _style(PairFilter(request.GET, queryset=qs, request=request))
    return render_page(request, "pairing/pair_list.html",
                       {"section": "pairing", "filter": filterset,
                        "page": paginate(filterset.qs, request.GET.get("page"))}, partial="results")


@login_required
def pair_detail(request, pk):
    """A pair: score components, follow-ups with results, lock and end."""
    pair = get_visible_or_404(Pair.objects.select_related("program", "helper", "beneficiary"), request.user, pk=pk)
    context = {
        "section": "pairing", "pair": pair, "follow_ups": pair.follow_ups.select_related("recorded_by"),
        "explain": _explanation(pair.program, pair), "may_change": can(request.user, CHANGE, pair.org),
        "follow_up_form": FollowUpForm(), "end_form": EndPairForm(), "history": history(pair),
    }
    return render(request, "pairing/pair_detail.html", context)


@login_required
@require_POST
def pair_action(request, pk):
    """Lock, unlock, complete or end a pair; or record a follow-up."""
    pair = get_visible_or_404(Pair, request.user, CHANGE, pk=pk)
    action = request.POST.get("action")
    try:
        if action in ("lock", "unlock"):
            services.set_pair_locked(by=request.user, pair=pair, locked=action == "lock")
        elif action == "end":
            form = EndPairForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors.as_text())
            services.end_pair(by=request.user, pair=pair, status=form.cleaned_data["status"],
                              reason=form.cleaned_data["reason"])
        elif action == "follow_up":
            form = FollowUpForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors.as_text())
            services.add_follow_up(by=request.user, pair=pair, **form.cleaned_data)
        messages.success(request, _("已保存。"))
    except (ValidationError, PermissionDenied) as e:
        _errors(request, e)
    return redirect("pairing:pair-detail", pair.pk)
