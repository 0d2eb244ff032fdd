"""Template helpers of the portal's account part: field labels of changes, the member panel on a person page."""
from django import template

from accounts.access import can
from core.scoping import CHANGE
from registry.holdings import holds

register = template.Library()


@register.filter
def change_label(change, field):
    """The verbose name of a field of a ProfileChange (`{{ change|change_label:f }}`)."""
    from portal.services import change_field_label

    return change_field_label(change, field)


@register.inclusion_tag("portal/account/_person_member.html", takes_context=True)
def member_panel(context, person):
    """On the staff person page: the member account, the latest invitation, pending changes, invite form."""
    from portal.forms_account import InviteForm
    from portal.models import ChangeStatus, Invitation, MemberAccount, ProfileChange

    user = context["request"].user
    return {
        "person": person,
        "account": MemberAccount.objects.filter(person=person).select_related("user").first()
        if holds(person, "portal.account") else None,
        "invitation": Invitation.objects.filter(person=person).first() if holds(person, "portal.invitation") else None,
        "pending": ProfileChange.objects.filter(person=person, status=ChangeStatus.PENDING).count()
        if holds(person, "portal.pending") else 0,
        "may_invite": can(user, CHANGE, person.org) and not person.merged_into_id,
        "form": InviteForm(person=person),
        "csrf_token": context.get("csrf_token"),
    }
