"""Web pages of the registry: people and enterprises, lists, details, forms, reveal, memberships."""
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import can, paths_for
from core.audit import history
from core.forms import add_service_errors
from core.htmx import render_page
from core.pagination import paginate
from core.personal import may_see, reveal
from core.scoping import CHANGE, get_visible_or_404
from registry import services
from registry.filters import EnterpriseFilter, PersonFilter
from registry.forms import (
    DuesRateForm,
    EnterpriseForm,
    MembershipForm,
    MergeForm,
    PaymentForm,
    PersonForm,
    RevealForm,
)
from registry.holdings import holds
from registry.models import Enterprise, Membership, Person

# What a row of the people list shows: the rest of a person (encrypted numbers, notes …) stays in the table.
LIST_COLUMNS = ("name", "foreign_name", "category", "is_new_overseas", "country", "home_region", "phone",
                "org__name", "org__short_name")


@login_required
def person_list(request):
    """People in the user's scope with filters, sorting and pages (no COUNT over the table)."""
    qs = (Person.objects.visible_to(request.user).active().select_related("org").only(*LIST_COLUMNS)
          .order_by("-id"))
    filterset = PersonFilter(request.GET, queryset=qs, request=request)
    page = paginate(filterset.qs, request.GET.get("page"))
    return render_page(request, "registry/person_list.html",
                       {"section": "people", "filter": filterset, "page": page,
                        "may_add": paths_for(request.user, CHANGE) != []},
                       partial="results")


@login_required
def person_detail(request, pk):
    """One person: facts, masked personal data, memberships, positions, enterprises, dues, history."""
    user = request.user
    # A merged record's target is read only for a merged record (rare), not joined to every visit.
    person = get_visible_or_404(Person.objects.select_related("org"), user, pk=pk)
    memberships = person.memberships.visible_to(user).select_related("org").order_by("-joined_on") \
        if holds(person, "registry.memberships") else []
    context = {
        "section": "people",
        "person": person,
        "memberships": memberships,
        "tags": person.tags.all() if holds(person, "registry.tags") else [],
        "positions": person.positions.visible_to(user).select_related("council__term", "org")
        if holds(person, "orgs.positions") else [],
        "enterprises": person.enterprises.visible_to(user) if holds(person, "registry.enterprises") else [],
        "dues": services.dues_statements(memberships, dt.date.today().year),
        "history": history(person),
        "may_change": can(user, CHANGE, person.org),
        "may_reveal": may_see(user, person),
        "reveal_form": RevealForm(),
        "payment_form": PaymentForm(initial={"year": dt.date.today().year, "paid_on": dt.date.today()}),
        "merge_form": MergeForm(),
    }
    return render(request, "registry/person_detail.html", context)


def _person_fields(form):
    data = dict(form.cleaned_data)
    return data.pop("tags", None), data


@login_required
def person_create(request):
    """Register a person; a duplicate shows the existing record instead of adding it twice."""
    form = PersonForm(request.POST or None, user=request.user)
    duplicates = None
    if request.method == "POST" and form.is_valid():
        tags, data = _person_fields(form)
        try:
            person = services.create_person(by=request.user, tags=tags, **data)
        except services.DuplicateFound as e:
            duplicates = [p for p in e.existing if p in Person.objects.visible_to(request.user)]
            form.add_error(None, e.reason)
        except (ValidationError, PermissionDenied) as e:
            add_service_errors(form, e if isinstance(e, ValidationError) else ValidationError(str(e)))
        else:
            messages.success(request, _("已登记 %(name)s。") % {"name": person.name})
            return redirect("registry:person-detail", person.pk)
    return render(request, "registry/person_form.html",
                  {"section": "people", "form": form, "duplicates": duplicates})


@login_required
def person_edit(request, pk):
    """Edit a person's record."""
    person = get_visible_or_404(Person, request.user, CHANGE, pk=pk)
    form = PersonForm(request.POST or None, instance=person, user=request.user)
    if request.method == "POST" and form.is_valid():
        tags, data = _person_fields(form)
        try:
            services.update_person(by=request.user, person=Person.objects.get(pk=pk), tags=tags, **data)
        except (ValidationError, PermissionDenied) as e:
            add_service_errors(form, e if isinstance(e, ValidationError) else ValidationError(str(e)))
        else:
            messages.success(request, _("已保存。"))
            return redirect("registry:person-detail", pk)
    return render(request, "registry/person_form.html", {"section": "people", "form": form, "person": person})


def _validate_field(request, form_class, instance=None):
    """Validate the posted form and answer the errors of the field that changed (htmx)."""
    form = form_class(request.POST, user=request.user, instance=instance)
    form.is_valid()
    name = request.htmx.trigger_name if request.htmx else None
    errors = form.errors.get(name, []) if name else []
    if name == "id_number" and not errors and form.cleaned_data.get("id_number"):
        probe = Person(id_number=form.cleaned_data["id_number"])
        services.normalize_person(probe)
        existing, reason = services.find_duplicates(probe)
        if existing:
            errors = [reason]
    return render(request, "core/_errors.html", {"errors": errors})


@login_required
@require_POST
def person_validate(request):
    """Inline validation of one field of the person form."""
    return _validate_field(request, PersonForm)


@login_required
@require_POST
def person_reveal(request, pk):
    """Show a person's personal data after the user states a purpose; logged (htmx fragment)."""
    person = get_visible_or_404(Person, request.user, pk=pk)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return HttpResponse('<div class="text-danger">' + _("请说明查看用途。") + "</div>", status=400)
    values = reveal(request.user, person, list(Person.personal_fields), form.cleaned_data["purpose"])
    rows = [(Person._meta.get_field(f).verbose_name, f, v) for f, v in values.items()]
    return render(request, "registry/_revealed.html", {"rows": rows, "person": person})


@login_required
@require_http_methods(["GET", "POST"])
def membership_add(request, pk, kind):
    """Enrol the person or enterprise of the page in an organization.

    GET gives the enrolment form, which the page loads when the secretary opens it: its select lists every
    organization the user may change (hundreds in a province), too much to build on every visit of a page.
    """
    model = Person if kind == "person" else Enterprise
    member = get_visible_or_404(model, request.user, pk=pk)
    if request.method == "GET":
        return render(request, "registry/_membership_form.html",
                      {"membership_form": MembershipForm(user=request.user), "membership_action": request.path})
    form = MembershipForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.add_membership(by=request.user, **{kind: member}, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, " ".join(getattr(e, "messages", [str(e)])))
        else:
            messages.success(request, _("已入会。"))
    else:
        messages.error(request, form.errors.as_text())
    return redirect(f"registry:{kind}-detail", pk)


@login_required
def enterprise_list(request):
    """Enterprises in the user's scope with filters, sorting and pages."""
    qs = Enterprise.objects.visible_to(request.user).select_related("org").order_by("-id")
    filterset = EnterpriseFilter(request.GET, queryset=qs, request=request)
    page = paginate(filterset.qs, request.GET.get("page"))
    return render_page(request, "registry/enterprise_list.html",
                       {"section": "enterprises", "filter": filterset, "page": page}, partial="results")


@login_required
def enterprise_detail(request, pk):
    """One enterprise: facts, legal representative, memberships, dues, history."""
    user = request.user
    enterprise = get_visible_or_404(Enterprise.objects.select_related("org", "legal_person"), user, pk=pk)
    memberships = enterprise.memberships.visible_to(user).select_related("org").order_by("-joined_on")
    context = {
        "section": "enterprises",
        "enterprise": enterprise,
        "memberships": memberships,
        "dues": services.dues_statements(memberships, dt.date.today().year),
        "history": history(enterprise),
        "may_change": can(user, CHANGE, enterprise.org),
        "payment_form": PaymentForm(initial={"year": dt.date.today().year, "paid_on": dt.date.today()}),
    }
    return render(request, "registry/enterprise_detail.html", context)


def _enterprise_save(request, form, enterprise=None):
    data = dict(form.cleaned_data)
    tags = data.pop("tags", None)
    if enterprise is None:
        return services.create_enterprise(by=request.user, tags=tags, **data)
    return services.update_enterprise(by=request.user, enterprise=enterprise, tags=tags, **data)


@login_required
def enterprise_create(request):
    """Register an enterprise."""
    form = EnterpriseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = _enterprise_save(request, form)
        except (ValidationError, PermissionDenied) as e:
            add_service_errors(form, e if isinstance(e, ValidationError) else ValidationError(str(e)))
        else:
            messages.success(request, _("已登记 %(name)s。") % {"name": enterprise.name})
            return redirect("registry:enterprise-detail", enterprise.pk)
    return render(request, "registry/enterprise_form.html", {"section": "enterprises", "form": form})


@login_required
def enterprise_edit(request, pk):
    """Edit an enterprise."""
    enterprise = get_visible_or_404(Enterprise, request.user, CHANGE, pk=pk)
    form = EnterpriseForm(request.POST or None, instance=enterprise, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            _enterprise_save(request, form, Enterprise.objects.get(pk=pk))
        except (ValidationError, PermissionDenied) as e:
            add_service_errors(form, e if isinstance(e, ValidationError) else ValidationError(str(e)))
        else:
            messages.success(request, _("已保存。"))
            return redirect("registry:enterprise-detail", pk)
    return render(request, "registry/enterprise_form.html",
                  {"section": "enterprises", "form": form, "enterprise": enterprise})


@login_required
@require_POST
def enterprise_validate(request):
    """Inline validation of one field of the enterprise form."""
    return _validate_field(request, EnterpriseForm)


def _form_errors(request, form) -> None:
    for errors in form.errors.values():
        for e in errors:
            messages.error(request, e)


@login_required
@require_POST
def person_merge(request, pk):
    """Fold a duplicate record (given by number) into the person on the page."""
    keep = get_visible_or_404(Person.objects.active(), request.user, CHANGE, pk=pk)
    form = MergeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("registry:person-detail", pk)
    drop = Person.objects.active().visible_to(request.user, CHANGE).filter(pk=form.cleaned_data["drop"]).first()
    if drop is None:
        messages.error(request, _("找不到编号为 %(n)s 的人员，或您无权修改。") % {"n": form.cleaned_data["drop"]})
        return redirect("registry:person-detail", pk)
    try:
        services.merge_people(by=request.user, keep=keep, drop=drop)
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, " ".join(getattr(e, "messages", [str(e)])))
    else:
        messages.success(request, _("已将 %(d)s 合并到本记录。") % {"d": drop.name})
    return redirect("registry:person-detail", pk)


@login_required
@require_POST
def payment_add(request, pk):
    """Record a dues payment for a membership, then return to the member's page."""
    membership = get_visible_or_404(Membership, request.user, CHANGE, pk=pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            services.record_payment(by=request.user, membership=membership, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, " ".join(getattr(e, "messages", [str(e)])))
        else:
            messages.success(request, _("已登记会费。"))
    else:
        _form_errors(request, form)
    if membership.person_id:
        return redirect("registry:person-detail", membership.person_id)
    return redirect("registry:enterprise-detail", membership.enterprise_id)


@login_required
@require_POST
def dues_rate_set(request, org_pk):
    """Set the yearly fee of a position in an organization."""
    from orgs.models import Organization

    org = get_visible_or_404(Organization, request.user, CHANGE, pk=org_pk)
    form = DuesRateForm(request.POST)
    if form.is_valid():
        services.set_dues_rate(by=request.user, org=org, **form.cleaned_data)
        messages.success(request, _("已保存会费标准。"))
    else:
        _form_errors(request, form)
    return redirect("orgs:detail", org.pk)
