"""Django admin for superusers: the organization tree and its governance records."""
from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from orgs.models import Congress, Council, Milestone, Organization, Position, Term


@admin.register(Organization)
class OrganizationAdmin(TreeAdmin):
    """The tree with drag-and-drop moves."""

    form = movenodeform_factory(Organization)
    list_display = ["name", "code", "kind", "region", "country", "status"]
    search_fields = ["name", "code"]
    list_filter = ["kind", "status"]


for model in (Term, Council, Position, Congress, Milestone):
    admin.site.register(model)
