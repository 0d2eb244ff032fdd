"""Cases (诉求): requests, consultations, rights protection and dispute mediation."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """App config: audit registration and full-text search of cases."""

    name = "cases"
    verbose_name = _("诉求")

    def ready(self):
        from auditlog.registry import auditlog

        from cases import models
        from core import search

        auditlog.register(models.Case, mask_fields=list(models.Case.personal_fields),
                          exclude_fields=["tracking_secret_hash", "id_number_hash"],
                          mask_callable="core.personal.mask_audit")
        auditlog.register(models.Expert, mask_fields=list(models.Expert.personal_fields))
        for m in (models.Department, models.MediationRoom, models.DutyShift, models.Dispatch,
                  models.MediationSession, models.Referral, models.DeadlineRule):
            auditlog.register(m)

        search.register(models.Case, names=lambda c: [c.number, c.subject],
                        texts=lambda c: [c.description, c.applicant_name, c.other_party], name_field="number")
