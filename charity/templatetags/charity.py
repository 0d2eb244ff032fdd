"""Template tags of charity: the honours of a person or an enterprise, for their registry pages."""
from django import template

from charity.models import Honor
from registry.holdings import holds
from registry.models import Enterprise, Person

register = template.Library()


@register.simple_tag(takes_context=True)
def honors_of(context, holder):
    """The honours of a person or enterprise that the page's user may see, newest first."""
    request = context.get("request")
    qs = Honor.objects.visible_to(getattr(request, "user", None)).select_related("org")
    if isinstance(holder, Person):
        return list(qs.filter(person=holder)) if holds(holder, "charity.honors") else []
    if isinstance(holder, Enterprise):
        return list(qs.filter(enterprise=holder))
    return []
