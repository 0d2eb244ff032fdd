"""Web pages of the privacy app: requests (list, record, handle), the person's copy, consents."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import PERSONAL, can, paths_for
from core.audit import history
from core.forms import add_service_errors
from core.htmx import render_page
from core.pagination import paginate
from core.scoping import CHANGE, get_visible_or_404
from privacy import services
from privacy.export import filename, zip_response
from privacy.filters import RequestFilter
from privacy.forms import ConsentForm, CorrectionForm, PurposeForm, RefuseForm, RequestForm, WithdrawForm
from privacy.models import Consent, SubjectRequest
from registry.models import Person


def _errors(form, e):
    add_service_errors(form, e if isinstance(e, ValidationError) else ValidationError(str(e)))


def _error_text(e) -> str:
    """A service's error as one line: 'field: message' for each."""
    if isinstance(e, ValidationError) and hasattr(e, "error_dict"):
        return "；".join(f"{k}: {m}" for k, ms in e.message_dict.items() for m in ms)
    return "；".join(e.messages) if isinstance(e, ValidationError) else str(e)


def _form_errors(form) -> str:
    """A form's errors as one line, naming each field."""
    return "；".join(f"{form.fields[k].label if k in form.fields else ''}: {m}"
                     for k, ms in form.errors.items() for m in ms)



@login_required
def request_list(request):
    """Requests in the user's subtrees, soonest due first; the form to record one."""
    form = RequestForm(request.POST or None, initial={"person": request.GET.get("person")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        person = Person.objects.visible_to(request.user).filter(pk=data.pop("person")).first()
        if person is None:
            form.add_error("person", _("找不到该人员，或您无权查看。"))
        else:
            try:
                obj = services.receive(by=request.user, person=person, **data)
            except (ValidationError, PermissionDenied) as e:
                _errors(form, e)
            else:
                messages.success(request, _("已登记，答复期限 %(d)s。") % {"d": obj.due_on})
                return redirect("privacy:request-detail", obj.pk)
    qs = SubjectRequest.objects.visible_to(request.user).select_related("person", "org")
    filterset = RequestFilter(request.GET, queryset=qs, request=request)
    for field in filterset.form.fields.values():
        field.widget.attrs.setdefault("class", "form-select" if hasattr(field, "choices") else "form-control")
    return render_page(request, "privacy/request_list.html", {
        "section": "privacy", "filter": filterset, "page": paginate(filterset.qs, request.GET.get("page")),
        "overdue": SubjectRequest.objects.visible_to(request.user).overdue().count(),
        "form": form, "may_add": paths_for(request.user, CHANGE) != [],
    }, partial="results")


@login_required
def request_detail(request, pk):
    """One request with what can be done about it."""
    obj = get_visible_or_404(SubjectRequest.objects.select_related("person", "org", "handled_by"), request.user,
                             pk=pk)
    return render(request, "privacy/request_detail.html", {
        "section": "privacy", "obj": obj, "history": history(obj),
        "may_change": can(request.user, CHANGE, obj.org),
        "may_personal": can(request.user, PERSONAL, obj.org),
        "correction_form": CorrectionForm(), "withdraw_form": WithdrawForm(), "refuse_form": RefuseForm(),
        "portal_channel": services.PORTAL_CHANNEL,
    })


@login_required
@require_POST
def request_handle(request, pk, step):
    """Carry out a request: `fulfil` (the copy, downloaded), `correct`, `erase`, `withdraw` or `refuse`."""
    obj = get_visible_or_404(SubjectRequest.objects.select_related("person", "org"), request.user, CHANGE, pk=pk)
    forms = {"correct": CorrectionForm, "withdraw": WithdrawForm, "refuse": RefuseForm}
    form = forms[step](request.POST) if step in forms else None
    if form is not None and not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("privacy:request-detail", obj.pk)
    try:
        if step == "fulfil":
            content, obj = services.fulfil_access(by=request.user, request=obj)
            return zip_response(content, filename(obj.person))
        if step == "correct":
            services.correct(by=request.user, request=obj, **form.changes())
        elif step == "erase":
            services.erase(by=request.user, request=obj)
        elif step == "withdraw":
            services.withdraw(by=request.user, request=obj, purposes=form.cleaned_data["purposes"])
        elif step == "refuse":
            services.refuse(by=request.user, request=obj, reason=form.cleaned_data["reason"])
        else:
            raise ValidationError(_("未知的操作。"))
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, _error_text(e))
    else:
        messages.success(request, _("已办结。"))
    return redirect("privacy:request-detail", obj.pk)


@login_required
@require_POST
def person_export(request, pk):
    """Download everything held about a person (personal-data grant and a purpose; logged)."""
    person = get_visible_or_404(Person.objects.select_related("org"), request.user, pk=pk)
    form = PurposeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("导出个人信息须说明用途。"))
        return redirect("registry:person-detail", pk)
    try:
        content, _data = services.export_person(by=request.user, person=person, purpose=form.cleaned_data["purpose"])
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, _error_text(e))
        return redirect("registry:person-detail", pk)
    return zip_response(content, filename(person))


@login_required
@require_POST
def consent_add(request, pk):
    """Record a consent of the person."""
    person = get_visible_or_404(Person.objects.select_related("org"), request.user, CHANGE, pk=pk)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("registry:person-detail", pk)
    try:
        services.give_consent(by=request.user, person=person, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, _error_text(e))
    else:
        messages.success(request, _("已记录同意。"))
    return redirect("registry:person-detail", pk)


@login_required
@require_POST
def consent_withdraw(request, pk):
    """Record the withdrawal of a consent."""
    consent = get_visible_or_404(Consent, request.user, CHANGE, pk=pk)
    try:
        services.withdraw_consent(by=request.user, consent=consent)
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, _error_text(e))
    else:
        messages.success(request, _("已记录撤回。"))
    return redirect("registry:person-detail", consent.person_id)

