"""Portal pages of "my associations": notices, council, activities with registration and my QR code, dues.

Every page starts from `request.member` through `portal.association`; a record outside the
member's own (another member's registration, another organization's notice) answers 404.
"""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities import services as activity_services
from activities.models import Channel, RegStatus
from activities.views import qr_data_uri
from portal import association as mine
from portal.access import member_required, my_memberships, my_orgs


def _errors(request, e):
    messages.error(request, " ".join(getattr(e, "messages", None) or [str(e)]))


@member_required
def org_list(request):
    """The member's associations with its memberships in each."""
    member = request.member
    memberships = list(my_memberships(member).order_by("org__path"))
    return render(request, "portal/association/org_list.html", {
        "section": "orgs", "memberships": memberships, "council": mine.council_org_ids(member),
    })


@member_required
def org_detail(request, pk):
    """One association: its latest notices, the council and its terms, upcoming activities, my dues there."""
    member = request.member
    org = mine.org_for(member, pk)
    return render(request, "portal/association/org_detail.html", {
        "section": "orgs", "org": org,
        "notices": mine.notices_for(member, org)[:10],
        "terms": mine.terms_of(org),
        "activities": mine.activities_for(member, org)[:20],
        "dues": mine.dues_of(member, org),
        "in_council": org.pk in mine.council_org_ids(member),
    })


@member_required
def notice_list(request):
    """News and notices of all the member's associations, newest first."""
    return render(request, "portal/association/notice_list.html", {
        "section": "notices", "notices": mine.notices_for(request.member)[:100],
    })


@member_required
def notice_detail(request, pk):
    """One notice published to the member (404 for drafts, other organizations and council-only ones)."""
    notice = get_object_or_404(mine.notices_for(request.member), pk=pk)
    return render(request, "portal/association/notice_detail.html", {"section": "notices", "notice": notice})


@member_required
def activity_list(request):
    """Upcoming activities of the member's associations, with its own registration state on each."""
    member = request.member
    activities = list(mine.activities_for(member)[:100])
    mine_by_activity = {
        r.activity_id: r for r in mine.registrations_of(member).filter(activity__in=activities)
        .exclude(status=RegStatus.CANCELLED)
    }
    rows = [(a, mine_by_activity.get(a.pk)) for a in activities]
    return render(request, "portal/association/activity_list.html", {"section": "activities", "rows": rows})


@member_required
def activity_detail(request, pk):
    """An upcoming activity: what, when, where, places left, and the register button."""
    member = request.member
    activity = get_object_or_404(mine.activities_for(member), pk=pk)
    taken = activity.registrations.filter(status=RegStatus.REGISTERED).count()
    left = None if activity.capacity is None else max(activity.capacity - taken, 0)
    return render(request, "portal/association/activity_detail.html", {
        "section": "activities", "activity": activity, "left": left,
        "registration": mine.active_registration(member, activity),
    })


@member_required
@require_POST
def activity_register(request, pk):
    """Register the member for an activity; when it is full the registration goes on the waiting list."""
    member = request.member
    activity = get_object_or_404(mine.activities_for(member), pk=pk)
    try:
        reg = activity_services.register(by=request.user, activity=activity, person=member.person,
                                         channel=Channel.PORTAL)
    except (ValidationError, PermissionDenied) as e:
        _errors(request, e)
        return redirect("portal:activity", pk)
    if reg.status == RegStatus.WAITLISTED:
        messages.warning(request, _("名额已满，您已进入候补名单；有人取消时按报名先后递补。"))
    else:
        messages.success(request, _("报名成功。活动当天请出示签到二维码。"))
    return redirect("portal:registration", reg.pk)


@member_required
def registration_list(request):
    """The member's registrations, each with a link to its check-in code."""
    return render(request, "portal/association/registration_list.html", {
        "section": "registrations", "registrations": mine.registrations_of(request.member)[:200],
    })


@member_required
def registration_detail(request, pk):
    """The member's check-in pass: the QR code the organizer scans on the day (the same as activities' pass)."""
    reg = get_object_or_404(mine.registrations_of(request.member), pk=pk)
    token = mine.pass_token(reg)
    return render(request, "portal/association/registration_detail.html", {
        "section": "registrations", "reg": reg, "token": token,
        "qr": qr_data_uri(token) if reg.status != RegStatus.CANCELLED else "",
        "pass_url": request.build_absolute_uri(reverse("activities:public-pass", args=[token])),
    })


@member_required
@require_POST
def registration_cancel(request, pk):
    """Cancel the member's own registration; the first on the waiting list takes the place."""
    reg = get_object_or_404(mine.registrations_of(request.member), pk=pk)
    try:
        activity_services.cancel_own_registration(by=request.user, registration=reg)
    except (ValidationError, PermissionDenied) as e:
        _errors(request, e)
    else:
        messages.success(request, _("报名已取消。"))
    return redirect("portal:registrations")


@member_required
def dues(request):
    """The member's dues in each association: per year, what was due, what was paid, what is owed."""
    rows = mine.dues_of(request.member)
    return render(request, "portal/association/dues.html", {
        "section": "dues", "rows": rows, "total_owed": sum((r["owed"] for r in rows), 0),
        "has_orgs": my_orgs(request.member).exists(),
    })
