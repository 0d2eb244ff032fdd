"""Accounts: users, role grants on organization subtrees, login policy."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """App config for users and grants."""

    name = "accounts"
    verbose_name = _("账号与授权")

    def ready(self):
        from accounts.models import Grant
        from core.audit import register as audit

        audit(Grant)

        from accounts import signals

        signals.connect()
