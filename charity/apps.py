"""Charity: funds, donations, receipts, beneficiaries, disbursements and honours."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CharityConfig(AppConfig):
    """App config: audit registration (beneficiaries' personal fields masked in diffs)."""

    name = "charity"
    verbose_name = _("慈善")

    def ready(self):
        from charity import models
        from core.audit import register as audit

        audit(models.Beneficiary, mask_fields=list(models.Beneficiary.personal_fields),
              exclude_fields=["id_number_hash"], mask_callable="core.personal.mask_audit")
        for m in (models.Fund, models.Donation, models.Disbursement, models.Honor):
            audit(m)

        from registry.holdings import register as person_panel

        person_panel("charity.honors", lambda person: models.Honor.objects.filter(person=person))
