"""Template tags of awards: the certifications of an organization, enterprise or person, for their pages."""
from django import template
from django.utils import timezone

from awards.models import Certification
from orgs.models import Organization
from registry.holdings import holds
from registry.models import Enterprise, Person

register = template.Library()


@register.simple_tag(takes_context=True)
def certifications_of(context, holder):
    """The holder's certifications that the page's user may see, newest first, each marked valid or expired."""
    request = context.get("request")
    qs = Certification.objects.visible_to(getattr(request, "user", None))
    field = {Organization: "holder_org", Enterprise: "holder_enterprise", Person: "holder_person"}.get(type(holder))
    if field is None or (field == "holder_person" and not holds(holder, "awards.certifications")):
        return []
    today = timezone.localdate()
    rows = list(qs.filter(**{field: holder}).order_by("-year", "title"))
    for c in rows:
        c.expired = not c.valid_on(today)
    return rows
