"""Role grants: a user holds a role on an organization and everything under it."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedManager


class Role(models.TextChoices):
    """What a grant lets its holder do inside the subtree."""

    ADMINISTRATOR = "administrator", _("管理员")
    STAFF = "staff", _("工作人员")
    VIEWER = "viewer", _("查看者")


class Grant(models.Model):
    """A user's role on an organization subtree, with or without access to personal data."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants", verbose_name=_("用户")
    )
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="grants", verbose_name=_("组织")
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    personal_data = models.BooleanField(_("可查看个人信息"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("授权")
        verbose_name_plural = _("授权")
        constraints = [models.UniqueConstraint(fields=["user", "org"], name="grant_user_org_unique")]

    def __str__(self):
        return f"{self.user} @ {self.org}: {self.get_role_display()}"
