"""Statistics: the registry of named indicators every figure comes from."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    """App config; each app registers its indicators in its own `indicators.py`, found at start."""

    name = "stats"
    verbose_name = _("统计")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("indicators")
        from stats import coverage, jobs  # noqa: F401  (the tree's coverage indicators, the snapshot job)
