"""Privacy: data-subject requests (PIPL arts. 44–47), consents, erasure and retention."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """App config: audit registration of requests and consents."""

    name = "privacy"
    verbose_name = _("个人信息权利")

    def ready(self):
        from core.audit import register as audit
        from privacy import models

        for m in (models.SubjectRequest, models.Consent):
            audit(m)

        from registry.holdings import register as person_panel

        person_panel("privacy.consents", lambda person: models.Consent.objects.filter(person=person))
