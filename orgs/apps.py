"""Organizations: the supervision tree, terms, councils, positions, congresses, milestones."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    """App config for the organization tree."""

    name = "orgs"
    verbose_name = _("组织")

    def ready(self):
        from auditlog.registry import auditlog

        from orgs import models

        auditlog.register(models.Organization, exclude_fields=["path", "depth", "numchild"])
        for m in (models.Term, models.Council, models.Position, models.Congress, models.Milestone):
            auditlog.register(m)

        from core import search

        search.register(models.Organization, names=lambda o: [o.name, o.short_name], texts=lambda o: [o.code])
