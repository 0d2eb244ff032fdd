"""Staff pages for member accounts: invite a person, list invitations, approve or refuse proposed changes."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import can
from core.pagination import paginate
from core.scoping import CHANGE, get_visible_or_404
from portal import services
from portal.forms_account import InviteForm, RejectForm
from portal.models import ChangeStatus, Invitation, ProfileChange
from registry.models import Person


@login_required
@require_POST
def invite(request, person_pk):
    """Send a person an invitation link (needs a change grant on the person's organization)."""
    person = get_visible_or_404(Person, request.user, CHANGE, pk=person_pk)
    form = InviteForm(request.POST, person=person)
    if form.is_valid():
        try:
            invitation, link = services.invite(by=request.user, person=person, channel=form.cleaned_data["channel"],
                                               base_url=request.build_absolute_uri("/"))
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, "；".join(e.messages) if isinstance(e, ValidationError) else str(e))
        else:
            messages.success(request, _("邀请已发送至 %(a)s，%(d)d天内有效。链接（仅显示一次）：%(l)s") % {
                "a": invitation.address, "d": services.invitation_days(), "l": link})
    else:
        messages.error(request, "；".join(m for errs in form.errors.values() for m in errs))
    return redirect("registry:person-detail", person.pk)


@login_required
def invitation_list(request):
    """Invitations in the user's subtrees, newest first, with whether they were accepted."""
    qs = Invitation.objects.visible_to(request.user).select_related("person", "person__org", "created_by")
    return render(request, "portal/account/staff_invitations.html",
                  {"section": "people", "page": paginate(qs, request.GET.get("page"))})


@login_required
def change_list(request):
    """Proposed changes in the user's subtrees: pending by default, or applied / rejected."""
    status = request.GET.get("status") or ChangeStatus.PENDING
    if status not in ChangeStatus.values:
        status = ChangeStatus.PENDING
    qs = (
        ProfileChange.objects.visible_to(request.user).filter(status=status)
        .select_related("person", "person__org", "enterprise", "decided_by")
    )
    person = request.GET.get("person")
    if person and person.isdigit():
        qs = qs.filter(person_id=int(person))
    return render(request, "portal/account/staff_changes.html", {
        "section": "people", "page": paginate(qs, request.GET.get("page")), "status": status,
        "statuses": ChangeStatus.choices,
    })


@login_required
def change_detail(request, pk):
    """One proposed change: before and after, the record's current value, approve or refuse."""
    change = get_visible_or_404(ProfileChange.objects.select_related("person", "person__org", "enterprise"),
                                request.user, pk=pk)
    target_org = change.enterprise.org if change.enterprise_id else change.person.org
    return render(request, "portal/account/staff_change_detail.html", {
        "section": "people", "change": change, "rows": services.change_rows(change, request.user, reveal=True),
        "may_decide": change.status == ChangeStatus.PENDING and can(request.user, CHANGE, target_org),
        "reject_form": RejectForm(),
    })


@login_required
@require_POST
def change_approve(request, pk):
    """Apply the proposed values to the record (through the registry's services)."""
    change = get_visible_or_404(ProfileChange, request.user, CHANGE, pk=pk)
    try:
        services.approve_change(by=request.user, change=change)
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, "；".join(e.messages) if isinstance(e, ValidationError) else str(e))
        return redirect("members:change-detail", pk)
    messages.success(request, _("已通过 %(p)s 的资料修改。") % {"p": change.person.name})
    return redirect("members:change-list")


@login_required
@require_POST
def change_reject(request, pk):
    """Refuse the proposed change with a reason; the record is not touched."""
    change = get_visible_or_404(ProfileChange, request.user, CHANGE, pk=pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写驳回理由。"))
        return redirect("members:change-detail", pk)
    try:
        services.reject_change(by=request.user, change=change, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, "；".join(e.messages) if isinstance(e, ValidationError) else str(e))
        return redirect("members:change-detail", pk)
    messages.success(request, _("已驳回 %(p)s 的资料修改。") % {"p": change.person.name})
    return redirect("members:change-list")
