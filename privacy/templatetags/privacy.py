"""Template tags of privacy: the consents and requests panel of a person's page."""
from django import template

from accounts.access import PERSONAL, can
from core.scoping import CHANGE
from privacy.forms import ConsentForm, PurposeForm
from privacy.models import Consent
from registry.holdings import holds

register = template.Library()


@register.simple_tag(takes_context=True)
def privacy_of(context, person):
    """What the person page shows of privacy: consents and what the user may do (one query; the
    person's requests are one click away, on the request list filtered by the person)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "consents": list(Consent.objects.visible_to(user).filter(person=person).order_by("-given_at", "-pk"))
        if holds(person, "privacy.consents") else [],
        "may_change": can(user, CHANGE, person.org),
        "may_export": can(user, PERSONAL, person.org),
        "consent_form": ConsentForm(),
        "purpose_form": PurposeForm(),
    }
