"""Template filter of the import pages: `user|may_import`."""
from django import template

from accounts.access import paths_for
from core.scoping import CHANGE

register = template.Library()


@register.filter
def may_import(user) -> bool:
    """Whether the user holds a staff or administrator grant somewhere (or is a superuser)."""
    return getattr(user, "is_authenticated", False) and paths_for(user, CHANGE) != []
