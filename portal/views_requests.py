"""Portal pages of "my requests": file a request or dispute, follow it, answer the satisfaction follow-up.

Requests go through cases.services with channel "member_portal"; the member sees of its cases
what the public tracking page shows (the status and the public entries), never internal notes.
"""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from cases import services as case_services
from cases.models import Status
from core.forms import add_service_errors
from portal import association as mine
from portal.access import member_required
from portal.forms_association import RequestForm, SatisfactionForm


@member_required
def request_list(request):
    """The member's cases with their status, newest first."""
    return render(request, "portal/requests/request_list.html", {
        "section": "requests", "cases": mine.cases_of(request.member)[:200],
    })


@member_required
def request_create(request):
    """File a request or dispute with one of the member's associations."""
    member = request.member
    form = RequestForm(request.POST or None, request.FILES or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            case = case_services.submit_member(by=request.user, **form.service_fields())
        except (ValidationError, PermissionDenied) as e:
            add_service_errors(form, e if isinstance(e, ValidationError) else ValidationError(str(e)))
        else:
            messages.success(request, _("诉求已提交，编号 %(n)s。您可以在这里查看办理进展。") % {"n": case.number})
            return redirect("portal:request", case.pk)
    return render(request, "portal/requests/request_form.html", {"section": "requests", "form": form})


def _may_rate(case) -> bool:
    return case.status == Status.CLOSED and case.satisfaction is None


@member_required
def request_detail(request, pk):
    """One of the member's cases: status and the entries the applicant may see; the follow-up once closed."""
    case = get_object_or_404(mine.cases_of(request.member), pk=pk)
    return render(request, "portal/requests/request_detail.html", {
        "section": "requests", "case": case, "info": mine.case_status(case),
        "form": SatisfactionForm() if _may_rate(case) else None,
    })


@member_required
def request_satisfaction(request, pk):
    """Answer the satisfaction follow-up of a closed case (once)."""
    case = get_object_or_404(mine.cases_of(request.member), pk=pk)
    if request.method != "POST":
        return redirect("portal:request", pk)
    form = SatisfactionForm(request.POST)
    if form.is_valid():
        try:
            case_services.member_satisfaction(by=request.user, case=case, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            add_service_errors(form, e if isinstance(e, ValidationError) else ValidationError(str(e)))
        else:
            messages.success(request, _("感谢您的评价。"))
            return redirect("portal:request", pk)
    return render(request, "portal/requests/request_detail.html", {
        "section": "requests", "case": case, "info": mine.case_status(case), "form": form,
    }, status=400)
