"""Django admin for superusers: cases and what handling them needs."""
from django.contrib import admin

from cases import models


@admin.register(models.Case)
class CaseAdmin(admin.ModelAdmin):
    """Cases, searchable by number and subject."""

    list_display = ["number", "subject", "kind", "status", "org", "submitted_at"]
    list_filter = ["status", "kind", "channel", "is_spam"]
    search_fields = ["number", "subject"]
    raw_id_fields = ["org", "applicant_person", "applicant_enterprise", "assignee", "room", "created_by"]
    exclude = ["tracking_secret_hash"]


@admin.register(models.Department)
class DepartmentAdmin(admin.ModelAdmin):
    """Departments and their liaisons."""

    list_display = ["name", "kind", "org", "active"]
    filter_horizontal = ["liaisons"]
    raw_id_fields = ["org"]


@admin.register(models.Expert)
class ExpertAdmin(admin.ModelAdmin):
    """The expert pool."""

    list_display = ["name", "kind", "org", "available"]
    list_filter = ["kind", "available"]
    raw_id_fields = ["org", "user"]


for model in (models.MediationRoom, models.DutyShift, models.DeadlineRule, models.Dispatch,
              models.MediationSession, models.Referral, models.Attachment):
    admin.site.register(model)
