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


class SecurityEventKind(models.TextChoices):
    """Authentication and access events kept in the security log."""

    LOGIN = "login", _("登录")
    LOGOUT = "logout", _("退出")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKED_OUT = "locked_out", _("账号锁定")
    OTP_FAILED = "otp_failed", _("动态口令错误")
    OTP_ENROLLED = "otp_enrolled", _("绑定动态口令")
    OTP_RESET = "otp_reset", _("重置动态口令")
    OTP_RECOVERY_GENERATED = "otp_recovery_generated", _("生成恢复码")
    OTP_RECOVERY_USED = "otp_recovery_used", _("使用恢复码登录")
    ACCESS_DENIED = "access_denied", _("拒绝访问")
    SESSION_ENDED = "session_ended", _("会话被终止")
    SESSION_EXPIRED = "session_expired", _("会话超时")
    PASSWORD_CHANGED = "password_changed", _("修改密码")
    PASSWORD_RESET = "password_reset", _("重置密码")
    INVITATION_ACCEPTED = "invitation_accepted", _("接受邀请")


class SecurityEvent(models.Model):
    """One authentication or access event: who (or which username), from where, what happened.

    Written by `accounts.security.log_event`; never updated or deleted except by retention.
    """

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("事件"), max_length=30, choices=SecurityEventKind.choices, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="security_events", verbose_name=_("用户"))
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=300, blank=True)
    path = models.CharField(_("路径"), max_length=300, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("安全日志")
        verbose_name_plural = _("安全日志")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.username}"


class PasswordState(models.Model):
    """When a user's password was last set, for the maximum password age (PASSWORD_MAX_AGE_DAYS).

    Written by `accounts.passwords.CharacterClassValidator.password_changed`, which Django calls
    whenever a password is set through `set_password` and saved (web, API, CLI alike).
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="password_state", verbose_name=_("用户"))
    changed_at = models.DateTimeField(_("密码修改时间"))

    class Meta:
        verbose_name = _("密码状态")
        verbose_name_plural = _("密码状态")

    def __str__(self):
        return f"{self.user_id}: {self.changed_at:%Y-%m-%d}"
