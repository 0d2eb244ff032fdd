"""Django admin for superusers: campaigns, nominations, judges and certifications."""
from django.contrib import admin

from awards import models


class CriterionInline(admin.TabularInline):
    """The rubric inside its campaign."""

    model = models.Criterion
    extra = 0


@admin.register(models.Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Campaigns with their rubric."""

    list_display = ["title", "year", "org", "nominee_kind", "status"]
    list_filter = ["status", "nominee_kind", "year"]
    search_fields = ["title", "code"]
    raw_id_fields = ["org"]
    inlines = [CriterionInline]


@admin.register(models.Nomination)
class NominationAdmin(admin.ModelAdmin):
    """Nominations and their results."""

    list_display = ["name", "campaign", "status", "score", "rank", "selected"]
    list_filter = ["status", "selected"]
    search_fields = ["name"]
    raw_id_fields = ["org", "campaign", "nominee_org", "nominee_enterprise", "nominee_person"]


@admin.register(models.Judge)
class JudgeAdmin(admin.ModelAdmin):
    """Judges of a campaign."""

    list_display = ["name", "campaign", "user"]
    raw_id_fields = ["org", "campaign", "user", "person"]


@admin.register(models.Certification)
class CertificationAdmin(admin.ModelAdmin):
    """Certifications and plaques."""

    list_display = ["title", "kind", "level", "year", "expires_on", "org"]
    list_filter = ["kind", "level"]
    search_fields = ["title"]
    raw_id_fields = ["org", "holder_org", "holder_enterprise", "holder_person", "campaign"]
