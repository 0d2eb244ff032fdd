"""The member's own data-subject requests (PIPL arts. 44–47, 50) on the portal: /my/privacy/.

A member asks for a copy of its data, a correction, a deletion or the withdrawal of its consents,
follows each request to its deadline, and downloads the copy once staff answered an access request.
Requests are written by privacy.services (the same path as staff use); every query starts from the
member's own person record, so another member's request answers 404.
"""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.forms import add_service_errors
from portal.access import member_required
from privacy import services
from privacy.export import filename, zip_response
from privacy.forms import MemberRequestForm


@member_required
def privacy(request):
    """File a request about my personal data; my requests with their status, deadline and copy."""
    form = MemberRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            obj = services.member_receive(by=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as e:
            add_service_errors(form, e if isinstance(e, ValidationError) else ValidationError(str(e)))
        else:
            messages.success(request, _("请求已提交，我们将在 %(d)s 前答复您。") % {"d": obj.due_on})
            return redirect("portal:privacy")
    rows = [(r, services.export_available(r), services.export_until(r))
            for r in services.member_requests(request.member)[:100]]
    return render(request, "portal/privacy/privacy.html", {
        "section": "privacy", "form": form, "rows": rows, "days": services.response_days(),
        "export_days": services.export_days(),
    }, status=400 if form.is_bound and form.errors else 200)


@member_required
def privacy_download(request, pk):
    """Download my copy of an answered access request (built now, logged)."""
    obj = get_object_or_404(services.member_requests(request.member), pk=pk)
    if request.method != "GET":
        return redirect("portal:privacy")
    try:
        content, _data = services.member_export(by=request.user, request=obj)
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, "；".join(e.messages) if isinstance(e, ValidationError) else str(e))
        return redirect("portal:privacy")
    return zip_response(content, filename(obj.person))
