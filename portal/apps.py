"""The portal: members at home and abroad serve themselves, in Chinese or English, on a phone."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """App config for member self-service."""

    name = "portal"
    verbose_name = _("会员服务")

    def ready(self):
        from core.audit import register as audit
        from portal.models import Invitation, MemberAccount, Notice, ProfileChange

        for model in (MemberAccount, Invitation, ProfileChange, Notice):
            audit(model)
