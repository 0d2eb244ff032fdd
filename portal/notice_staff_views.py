"""Staff pages for notices to members: list, write, edit, publish and unpublish, within the staff's subtrees."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import can, paths_for
from core.forms import add_service_errors
from core.pagination import paginate
from core.scoping import CHANGE, get_visible_or_404
from portal import notices
from portal.forms_association import NoticeFilter, NoticeForm
from portal.models import Notice


def _style(filterset):
    for field in filterset.form.fields.values():
        field.widget.attrs.setdefault("class", "form-select" if hasattr(field, "choices") else "form-control")
    return filterset


@login_required
def notice_list(request):
    """Notices of the organizations in the user's subtrees, drafts included."""
    qs = Notice.objects.visible_to(request.user).select_related("org").order_by("-created_at", "-pk")
    filterset = _style(NoticeFilter(request.GET, queryset=qs, request=request))
    return render(request, "portal/association/staff_notice_list.html", {
        "section": "members", "filter": filterset, "page": paginate(filterset.qs, request.GET.get("page")),
        "may_add": paths_for(request.user, CHANGE) != [],
    })


def _save(request, form, notice=None):
    publish = "publish" in request.POST
    try:
        if notice is None:
            notice = notices.create_notice(by=request.user, publish=publish, **form.cleaned_data)
        else:
            notice = notices.update_notice(by=request.user, notice=notice, **form.cleaned_data)
            if publish and notice.published_at is None:
                notices.publish_notice(by=request.user, notice=notice)
    except (ValidationError, PermissionDenied) as e:
        add_service_errors(form, e if isinstance(e, ValidationError) else ValidationError(str(e)))
        return None
    messages.success(request, _("已发布。") if notice.published_at else _("已保存为草稿。"))
    return redirect("member-notices:edit", notice.pk)


@login_required
def notice_create(request):
    """Write a notice: save it as a draft or publish it at once."""
    if not paths_for(request.user, CHANGE) and not request.user.is_superuser:
        raise PermissionDenied
    form = NoticeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form)
        if response is not None:
            return response
    return render(request, "portal/association/staff_notice_form.html",
                  {"section": "members", "form": form, "notice": None, "may_change": True})


@login_required
def notice_edit(request, pk):
    """A notice: read it, and edit it when the user may change its organization's records."""
    notice = get_visible_or_404(Notice.objects.select_related("org"), request.user, pk=pk)
    may_change = can(request.user, CHANGE, notice.org)
    initial = {f: getattr(notice, f) for f in ("org", "kind", "title", "body", "council_only")}
    form = NoticeForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if form.is_valid():
            response = _save(request, form, Notice.objects.get(pk=notice.pk))
            if response is not None:
                return response
    return render(request, "portal/association/staff_notice_form.html",
                  {"section": "members", "form": form, "notice": notice, "may_change": may_change})


@login_required
@require_POST
def notice_publish(request, pk):
    """Publish a draft now, or take a published notice back to draft."""
    notice = get_visible_or_404(Notice, request.user, CHANGE, pk=pk)
    try:
        if request.POST.get("action") == "unpublish":
            notices.unpublish_notice(by=request.user, notice=notice)
            messages.success(request, _("已撤回为草稿。"))
        else:
            notices.publish_notice(by=request.user, notice=notice)
            messages.success(request, _("已发布。"))
    except PermissionDenied as e:
        messages.error(request, str(e))
    return redirect("member-notices:edit", pk)
