"""Web pages of charity: funds and their ledgers, donations and PDF receipts, beneficiaries with reveal,
disbursements with approvals, honours."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import can, paths_for
from charity import services
from charity.filters import BeneficiaryFilter, DisbursementFilter, DonationFilter, FundFilter, HonorFilter
from charity.forms import BeneficiaryForm, DisbursementForm, DonationForm, FundForm, HonorForm
from charity.models import Beneficiary, Disbursement, Donation, Fund, Honor
from charity.receipts import receipt_pdf
from core.audit import history
from core.forms import add_service_errors
from core.htmx import render_page
from core.pagination import paginate
from core.personal import masked, may_see, reveal
from core.scoping import CHANGE, MANAGE, get_visible_or_404
from registry.forms import RevealForm


def _style(filterset):
    for field in filterset.form.fields.values():
        field.widget.attrs.setdefault("class", "form-select" if hasattr(field, "choices") else "form-control")
    return filterset


def _list(request, model, filter_class, template, extra=None, related=("org",)):
    qs = model.objects.visible_to(request.user).select_related(*related)
    filterset = _style(filter_class(request.GET, queryset=qs, request=request))
    return render_page(request, template, {
        "section": "charity", "filter": filterset, "page": paginate(filterset.qs, request.GET.get("page")),
        "may_add": paths_for(request.user, CHANGE) != [], **(extra or {})}, partial="results")


def _service_error(form, e):
    add_service_errors(form, e if isinstance(e, ValidationError) else ValidationError(str(e)))


@login_required
def fund_list(request):
    """Funds with their balances."""
    form = FundForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            fund = services.create_fund(by=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            _service_error(form, e)
        else:
            return redirect("charity:fund-detail", fund.pk)
    return _list(request, Fund, FundFilter, "charity/fund_list.html", {"form": form})


@login_required
def fund_detail(request, pk):
    """A fund: balance, rules, donations, disbursements; forms to receive and to request."""
    fund = get_visible_or_404(Fund.objects.select_related("org"), request.user, pk=pk)
    may_change = can(request.user, CHANGE, fund.org)
    donation_form = DonationForm(user=request.user)
    disbursement_form = DisbursementForm(user=request.user)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if "purpose" in request.POST:
            disbursement_form = DisbursementForm(request.POST, user=request.user)
            if disbursement_form.is_valid():
                try:
                    services.request_disbursement(by=request.user, fund=fund, **disbursement_form.cleaned_data)
                    messages.success(request, _("拨付申请已提交，待审批。"))
                    return redirect("charity:fund-detail", pk)
                except (ValidationError, PermissionDenied) as e:
                    _service_error(disbursement_form, e)
        else:
            donation_form = DonationForm(request.POST, user=request.user)
            if donation_form.is_valid():
                try:
                    d = services.receive_donation(by=request.user, fund=fund, **donation_form.cleaned_data)
                    messages.success(request, _("已登记，收据编号 %(n)s。") % {"n": d.receipt_number})
                    return redirect("charity:fund-detail", pk)
                except (ValidationError, PermissionDenied) as e:
                    _service_error(donation_form, e)
    return render(request, "charity/fund_detail.html", {
        "section": "charity", "fund": fund, "may_change": may_change,
        "may_approve": can(request.user, MANAGE, fund.org),
        "donations": fund.donations.order_by("-received_on", "-pk")[:20],
        "disbursements": fund.disbursements.select_related("beneficiary").order_by("-pk")[:20],
        "donation_form": donation_form, "disbursement_form": disbursement_form, "history": history(fund)})


@login_required
def donation_list(request):
    """Donations (the rows behind the donation figures)."""
    return _list(request, Donation, DonationFilter, "charity/donation_list.html", related=("fund",))


@login_required
def donation_receipt(request, pk):
    """The donation's receipt as PDF."""
    donation = get_visible_or_404(Donation.objects.select_related("fund", "org"), request.user, pk=pk)
    response = HttpResponse(receipt_pdf(donation), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{donation.receipt_number}.pdf"'
    return response


@login_required
def beneficiary_list(request):
    """Beneficiaries, minors' names masked."""
    form = BeneficiaryForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            b = services.create_beneficiary(by=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            _service_error(form, e)
        else:
            return redirect("charity:beneficiary-detail", b.pk)
    return _list(request, Beneficiary, BeneficiaryFilter, "charity/beneficiary_list.html", {"form": form})


@login_required
def beneficiary_detail(request, pk):
    """A beneficiary with masked personal data, the reveal form and what they received."""
    b = get_visible_or_404(Beneficiary.objects.select_related("org"), request.user, pk=pk)
    rows = [(Beneficiary._meta.get_field(f).verbose_name, f, masked(b, f)) for f in Beneficiary.personal_fields]
    return render(request, "charity/beneficiary_detail.html", {
        "section": "charity", "b": b, "rows": rows, "may_reveal": may_see(request.user, b),
        "reveal_form": RevealForm(), "disbursements": b.disbursements.select_related("fund")})


@login_required
@require_POST
def beneficiary_reveal(request, pk):
    """Show the clear personal data after a stated purpose; the reveal is logged."""
    b = get_visible_or_404(Beneficiary, request.user, pk=pk)
    form = RevealForm(request.POST)
    purpose = form.cleaned_data["purpose"] if form.is_valid() else ""
    values = reveal(request.user, b, list(Beneficiary.personal_fields), purpose)
    rows = [(_("姓名"), "name", b.name)] + [
        (Beneficiary._meta.get_field(f).verbose_name, f, values[f]) for f in Beneficiary.personal_fields]
    return render(request, "registry/_revealed.html", {"rows": rows})


@login_required
def disbursement_list(request):
    """Disbursements (the rows behind the disbursed amount)."""
    return _list(request, Disbursement, DisbursementFilter, "charity/disbursement_list.html",
                 related=("fund", "beneficiary"))


@login_required
@require_POST
def disbursement_decide(request, pk):
    """Approve or reject a requested disbursement (administrators)."""
    d = get_visible_or_404(Disbursement, request.user, CHANGE, pk=pk)
    try:
        if request.POST.get("decision") == "reject":
            services.reject_disbursement(by=request.user, disbursement=d, note=request.POST.get("note", ""))
        else:
            services.approve_disbursement(by=request.user, disbursement=d, note=request.POST.get("note", ""))
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, " ".join(getattr(e, "messages", [str(e)])))
    return redirect("charity:fund-detail", d.fund_id)


@login_required
def honor_list(request):
    """Honours awarded; the form awards one."""
    form = HonorForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.award_honor(by=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            _service_error(form, e)
        else:
            return redirect("charity:honor-list")
    return _list(request, Honor, HonorFilter, "charity/honor_list.html", {"form": form},
                 related=("org", "person", "enterprise", "recipient_org"))
