"""The core app: shared mechanisms written once (scoping, personal data, audit, validators, UI)."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """App config for the shared mechanisms."""

    name = "core"
    verbose_name = _("基础")

    def ready(self):
        from core import exporting  # noqa: F401  (registers the "export" job)
        from core.importing import sheets, tasks  # noqa: F401  (registers the "import" job)

        sheets.autodiscover()

        from core import chain

        chain.connect()  # audit and security logs as hash chains (core/chain.py)

        from core import audit

        audit.connect()  # each new audit entry gets its actor and address (core/audit.py)

        from django.db.models.signals import post_migrate

        from core import search

        post_migrate.connect(search.ensure_model_indexes, sender=self, dispatch_uid="core-search-model-indexes")
