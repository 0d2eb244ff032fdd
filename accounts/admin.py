"""Django admin for superusers: grants."""
from django.contrib import admin

from accounts.models import Grant


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    """Role grants on organization subtrees."""

    list_display = ["user", "org", "role", "personal_data"]
    list_filter = ["role", "personal_data"]
    raw_id_fields = ["org"]
