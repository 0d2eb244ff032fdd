"""Activities: events, registrations and attendance, investment projects, volunteers."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    """App config: audit registration."""

    name = "activities"
    verbose_name = _("活动")

    def ready(self):
        from activities import models
        from core.audit import register as audit

        audit(models.Registration, mask_fields=list(models.Registration.personal_fields))
        for m in (models.Activity, models.Session, models.Outcome, models.Project, models.ProjectFollowUp,
                  models.VolunteerTeam, models.Volunteer, models.Service, models.ActivityFile):
            audit(m)
