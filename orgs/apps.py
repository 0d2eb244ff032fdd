"""Organizations: the supervision tree, terms, councils, positions, congresses, milestones."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    """App config for the organization tree."""

    name = "orgs"
    verbose_name = _("组织")

    def ready(self):
        from core.audit import register as audit
        from orgs import models

        audit(models.Organization, exclude_fields=["path", "depth", "numchild"])
        for m in (models.Term, models.Council, models.Position, models.Congress, models.Milestone):
            audit(m)

        from core import search

        search.register(models.Organization, names=lambda o: [o.name, o.short_name], texts=lambda o: [o.code])
        # A search keeps the tree's roots for a minute; a root made or removed here counts at once.
        from django.db.models.signals import post_delete, post_save

        post_save.connect(search.forget_tree_roots, sender=models.Organization, dispatch_uid="orgs-roots-saved")
        post_delete.connect(search.forget_tree_roots, sender=models.Organization, dispatch_uid="orgs-roots-deleted")
