"""Web pages of the organization tree: the expandable tree, the list, details, create, edit, move."""
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import can
from core.audit import history
from core.forms import add_service_errors
from core.htmx import render_page
from core.pagination import paginate
from core.scoping import CHANGE, MANAGE, get_visible_or_404
from orgs import services
from orgs.filters import OrganizationFilter
from orgs.forms import AppointForm, MilestoneForm, MoveForm, OrganizationForm, TermForm
from orgs.models import Organization
from registry.forms import DuesRateForm
from registry.models import Person


def _tree_roots(user):
    """The top nodes of what the user may see: the roots, or the organizations granted."""
    visible = Organization.objects.visible_to(user)
    if user.is_superuser:
        return visible.filter(depth=1)
    granted = sorted(set(Organization.objects.filter(grants__user=user).values_list("path", flat=True)))
    tops = [p for p in granted if not any(p != o and p.startswith(o) for o in granted)]
    return visible.filter(path__in=tops)


@login_required
def tree(request):
    """The supervision tree, expandable node by node."""
    return render(request, "orgs/tree.html", {"section": "orgs", "nodes": _tree_roots(request.user)})


@login_required
def children(request, pk):
    """The children of one node (htmx fragment)."""
    org = get_visible_or_404(Organization, request.user, pk=pk)
    nodes = Organization.objects.visible_to(request.user).filter(
        path__startswith=org.path, depth=org.depth + 1
    )
    return render(request, "orgs/tree.html#nodes", {"nodes": nodes})


@login_required
def org_list(request):
    """Organizations in the user's scope, filtered, sorted and paginated."""
    qs = Organization.objects.visible_to(request.user)
    filterset = OrganizationFilter(request.GET, queryset=qs, request=request)
    page = paginate(filterset.qs, request.GET.get("page"))
    return render_page(request, "orgs/list.html",
                       {"section": "orgs", "filter": filterset, "page": page}, partial="results")


@login_required
def detail(request, pk):
    """One organization: its facts, parent and children, terms, positions, congresses, history."""
    user = request.user
    org = get_visible_or_404(Organization, user, pk=pk)
    parent = Organization.objects.get_parent(org)
    if parent and not can(user, "view", parent):
        parent = None
    terms = org.terms.prefetch_related("councils__positions__person")
    counts = org.memberships.aggregate(
        current=Count("id", filter=Q(left_on__isnull=True)), total=Count("id")
    )
    context = {
        "section": "orgs",
        "org": org,
        "parent": parent,
        "children": Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1),
        "ancestors": [a for a in Organization.objects.get_ancestors(org) if can(user, "view", a)],
        "terms": terms,
        "congresses": org.congresses.all(),
        "milestones": org.milestones.all(),
        "members": counts,
        "history": history(org),
        "may_change": can(user, CHANGE, org),
        "may_manage": can(user, MANAGE, org),
        "move_form": MoveForm(user=user) if can(user, MANAGE, org) else None,
        "dues_rates": org.dues_rates.order_by("-year", "role")[:60],
        "dues_rate_form": DuesRateForm(initial={"year": dt.date.today().year}),
        "term_form": TermForm(),
        "appoint_form": AppointForm(org=org),
        "milestone_form": MilestoneForm(),
    }
    return render(request, "orgs/detail.html", context)


@login_required
def create(request, parent_pk):
    """Add an organization under a parent."""
    parent = get_visible_or_404(Organization, request.user, MANAGE, pk=parent_pk)
    form = OrganizationForm(request.POST or None, initial={"country": parent.country, "region": parent.region})
    if request.method == "POST" and form.is_valid():
        try:
            org = services.create_organization(by=request.user, parent=parent, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("已添加 %(name)s。") % {"name": org.name})
            return redirect("orgs:detail", org.pk)
    return render(request, "orgs/form.html", {"section": "orgs", "form": form, "parent": parent})


@login_required
def edit(request, pk):
    """Edit an organization's facts."""
    org = get_visible_or_404(Organization, request.user, CHANGE, pk=pk)
    form = OrganizationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organization(by=request.user, org=org, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("已保存。"))
            return redirect("orgs:detail", org.pk)
    return render(request, "orgs/form.html", {"section": "orgs", "form": form, "org": org})


@login_required
def move(request, pk):
    """Move an organization with its subtree under another parent."""
    org = get_visible_or_404(Organization, request.user, MANAGE, pk=pk)
    form = MoveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.move_organization(by=request.user, org=org, new_parent=form.cleaned_data["parent"])
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, " ".join(getattr(e, "messages", [str(e)])))
        else:
            messages.success(request, _("已移动到 %(p)s 之下。") % {"p": form.cleaned_data["parent"]})
    return redirect("orgs:detail", org.pk)


def _governance_post(request, pk, form_class, write, form_kwargs=None):
    """Validate a small governance form from the organization page and call its service."""
    org = get_visible_or_404(Organization, request.user, CHANGE, pk=pk)
    form = form_class(request.POST, **(form_kwargs(org) if form_kwargs else {}))
    if form.is_valid():
        try:
            write(org, form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, " ".join(getattr(e, "messages", [str(e)])))
        else:
            messages.success(request, _("已保存。"))
    else:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    return redirect("orgs:detail", org.pk)


@login_required
@require_POST
def term_add(request, pk):
    """Open a term with its council and supervisory board."""
    return _governance_post(request, pk, TermForm,
                            lambda org, d: services.add_term(by=request.user, org=org, **d))


@login_required
@require_POST
def position_add(request, pk):
    """Appoint a registered person (by number) to a position of a term."""

    def write(org, d):
        person = Person.objects.visible_to(request.user).active().filter(pk=d["person"]).first()
        if person is None:
            raise ValidationError(_("找不到编号为 %(n)s 的人员。") % {"n": d["person"]})
        services.appoint(by=request.user, term=d["term"], person=person, role=d["role"], kind=d["kind"])

    return _governance_post(request, pk, AppointForm, write, form_kwargs=lambda org: {"org": org})


@login_required
@require_POST
def milestone_add(request, pk):
    """Add an event to the organization's history."""
    return _governance_post(request, pk, MilestoneForm,
                            lambda org, d: services.add_milestone(by=request.user, org=org, **d))
