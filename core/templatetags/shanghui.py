"""Template helpers: region and country names, masked personal data, query-string links."""
from django import template
from django.template import engines
from django.utils.safestring import mark_safe

from core import links
from core.countries import country_namer
from core.personal import masked, may_see
from core.regions import region_full_name

register = template.Library()


@register.filter
def region(code):
    """浙江省金华市义乌市 for 330782."""
    return region_full_name(code) if code else ""


@register.filter
def country(code):
    """意大利 for IT (in the active language)."""
    return country_namer()(code)


@register.filter
def record_url(pk, view_name):
    """`{{ p.pk|record_url:"registry:person-detail" }}`: that record's page, as `{% url %}` gives it."""
    return links.record_url(view_name, pk)


@register.simple_tag
def jinja(template_name, **values):
    """`{% jinja "registry/_person_rows.jinja" rows=page.rows %}`: a Jinja2 template (core.jinja) given these values.

    For the rows of the busiest lists only; Jinja2 escapes what it renders, so the result is safe.
    """
    return mark_safe(engines["jinja2"].get_template(template_name).render(values))


@register.filter
def mask(obj, field):
    """The masked value of a personal field."""
    return masked(obj, field)


@register.simple_tag(takes_context=True)
def may_see_personal(context, obj):
    """Whether the current user may reveal the record's personal data."""
    return may_see(context["request"].user, obj)


@register.simple_tag(takes_context=True)
def query(context, **changes):
    """The current query string with some parameters changed (for sorting and paging links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode() if params else "?"


@register.simple_tag(takes_context=True)
def sort_link(context, field):
    """Query string that sorts by `field`, toggling the direction when it is already sorted by it."""
    params = context["request"].GET.copy()
    current = params.get("ordering", "")
    params["ordering"] = f"-{field}" if current == field else field
    params.pop("page", None)
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def sort_mark(context, field):
    """An arrow when the list is sorted by `field`."""
    current = context["request"].GET.get("ordering", "")
    return "▲" if current == field else "▼" if current == f"-{field}" else ""


@register.filter
def administers(user) -> bool:
    """Whether the user administers some subtree (or is a superuser): the menu shows account security."""
    from accounts.access import paths_for
    from core.scoping import MANAGE

    return paths_for(user, MANAGE) != []
