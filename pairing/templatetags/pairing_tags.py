"""Template filters of the pairing pages."""
from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key], or None (score components in the proposals table)."""
    return (mapping or {}).get(key)
