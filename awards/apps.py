"""Awards: campaigns with rubrics, nominations, judges' scores, rankings, certificates and certifications."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    """App config: every record of a campaign, and each score change, goes to the audit log."""

    name = "awards"
    verbose_name = _("评优")

    def ready(self):
        from awards import models
        from core.audit import register

        for m in (models.Campaign, models.Criterion, models.Nomination, models.Entry, models.Judge,
                  models.Assignment, models.Score, models.Objection, models.Certification):
            register(m)

        from registry.holdings import register as person_panel

        person_panel("awards.certifications", lambda person: models.Certification.objects.filter(holder_person=person))
