"""The portal's home page: what is new for the member across its associations."""
from django.shortcuts import render
from django.utils import timezone

from portal.access import member_required, my_enterprises, my_memberships, my_orgs


@member_required
def home(request):
    """The member's start page: its associations, its latest notices, shortcuts to every part."""
    from portal.models import Notice

    member = request.member
    orgs = list(my_orgs(member))
    notices = (
        Notice.objects.filter(org__in=orgs, published_at__lte=timezone.now(), council_only=False)
        .select_related("org")[:5]
    )
    return render(request, "portal/home.html", {
        "member": member,
        "orgs": orgs,
        "memberships": my_memberships(member),
        "enterprises": my_enterprises(member),
        "notices": notices,
        "section": "home",
    })
