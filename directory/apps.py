"""The product directory (产品名录): products, demands, matching across languages, inquiries, a public catalogue."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    """App config: audit registration and full-text search of products."""

    name = "directory"
    verbose_name = _("产品名录")

    def ready(self):
        from auditlog.registry import auditlog

        from core import search
        from directory import models, retranslate  # noqa: F401  (registers the "directory.retranslate" job)

        for m in (models.Product, models.Demand, models.GlossaryTerm, models.Category):
            auditlog.register(m, exclude_fields=["vector"])
        # Inquiry content is between buyer and supplier; the audit keeps status changes only.
        auditlog.register(models.Inquiry, include_fields=["status"])
        search.register(models.Product, names=lambda p: [p.name, *p.translated_names()],
                        texts=lambda p: [p.description, p.specifications, p.certifications, p.enterprise.name,
                                         *p.translated_descriptions(), *p.category_words()])
