"""The registry (侨情): people, enterprises, memberships and dues."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    """App config for the registry."""

    name = "registry"
    verbose_name = _("侨情")

    def ready(self):
        from core.audit import register as audit
        from registry import models

        audit(models.Person, mask_fields=list(models.Person.personal_fields), m2m_fields={"tags"},
              exclude_fields=["id_number_hash", "passport_number_hash"], mask_callable="core.personal.mask_audit")
        audit(models.Enterprise, m2m_fields={"tags"})
        for m in (models.Membership, models.DuesRate, models.DuesPayment):
            audit(m)

        from core import search

        search.register(models.Person, names=lambda p: [p.name, p.foreign_name, *p.former_names.split("，")])
        search.register(models.Enterprise, names=lambda e: [e.name],
                        texts=lambda e: [e.main_products, e.legal_representative])

        from orgs.models import Position
        from registry.holdings import register as person_panel

        person_panel("registry.memberships", lambda person: models.Membership.objects.filter(person=person))
        person_panel("registry.tags", lambda person: models.Person.tags.through.objects.filter(person=person))
        person_panel("registry.enterprises", lambda person: models.Enterprise.objects.filter(legal_person=person))
        person_panel("orgs.positions", lambda person: Position.objects.filter(person=person))
