"""Django admin for superusers: activities, projects and volunteers."""
from django.contrib import admin

from activities import models


@admin.register(models.Activity)
class ActivityAdmin(admin.ModelAdmin):
    """Activities, searchable by title."""

    list_display = ["title", "kind", "start", "org", "participants", "person_times"]
    list_filter = ["kind", "audience"]
    search_fields = ["title", "number"]
    raw_id_fields = ["org"]
    filter_horizontal = ["co_organizers"]


@admin.register(models.Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Registrations."""

    list_display = ["name", "activity", "status", "channel", "created_at"]
    list_filter = ["status", "channel"]
    raw_id_fields = ["org", "activity", "person"]


@admin.register(models.Project)
class ProjectAdmin(admin.ModelAdmin):
    """Investment projects."""

    list_display = ["name", "investor_name", "stage", "amount", "org"]
    list_filter = ["stage"]
    search_fields = ["name", "investor_name"]
    raw_id_fields = ["org", "investor_person", "investor_enterprise", "activity", "staff"]


@admin.register(models.VolunteerTeam)
class VolunteerTeamAdmin(admin.ModelAdmin):
    """Volunteer teams."""

    list_display = ["name", "org"]
    raw_id_fields = ["org"]
