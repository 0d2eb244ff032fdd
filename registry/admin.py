"""Django admin for superusers: the registry's records."""
from django.contrib import admin

from registry.models import DuesPayment, DuesRate, Enterprise, Membership, Person, Tag


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """People, searchable by name."""

    list_display = ["name", "category", "country", "org"]
    list_filter = ["category"]
    search_fields = ["name", "foreign_name"]
    raw_id_fields = ["org", "merged_into"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    """Enterprises, searchable by name and credit code."""

    list_display = ["name", "kind", "industry", "org"]
    search_fields = ["name", "credit_code"]
    raw_id_fields = ["org", "legal_person"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Memberships."""

    list_display = ["org", "person", "enterprise", "role", "joined_on", "left_on"]
    raw_id_fields = ["org", "person", "enterprise"]


for model in (Tag, DuesRate, DuesPayment):
    admin.site.register(model)
