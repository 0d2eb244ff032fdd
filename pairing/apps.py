"""Pairing programmes (结对帮扶): participants, the optimizer, pairs and their results."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PairingConfig(AppConfig):
    """App config for pairing."""

    name = "pairing"
    verbose_name = _("结对帮扶")

    def ready(self):
        from auditlog.registry import auditlog

        from pairing import (
            jobs,  # noqa: F401  (registers the background run)
            models,
        )

        for m in (models.Program, models.Participant, models.PairRule, models.Pair, models.FollowUp):
            # Only the record's own columns: reverse relations would show as "runs: None → …" in the history.
            auditlog.register(m, include_fields=[f.name for f in m._meta.concrete_fields])
