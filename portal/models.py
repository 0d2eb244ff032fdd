"""Member accounts, invitations, proposed profile changes and notices published to members."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedManager
from portal.fields import SealedChangesField


class MemberAccount(models.Model):
    """A member's login: a user tied to its own person record in the registry.

    The member's enterprises are those whose legal person is this person; its
    associations are the organizations where the person (or one of its enterprises)
    holds a current membership.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member_account",
                                verbose_name=_("用户"))
    person = models.OneToOneField("registry.Person", on_delete=models.CASCADE, related_name="member_account",
                                  verbose_name=_("人员"))
    language = models.CharField(_("语言"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "person__org__path"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("会员账号")
        verbose_name_plural = _("会员账号")

    def __str__(self):
        return str(self.person)


class InvitationChannel(models.TextChoices):
    """How an invitation link reaches the member."""

    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class Invitation(models.Model):
    """A one-time link the secretariat sends a member so that it sets its password.

    Only a hash of the token is stored; the link itself is shown once and sent.
    """

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="invitations",
                               verbose_name=_("人员"))
    channel = models.CharField(_("发送方式"), max_length=10, choices=InvitationChannel.choices)
    address = models.CharField(_("发送至"), max_length=254)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("有效期至"))
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("邀请人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "person__org__path"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("会员邀请")
        verbose_name_plural = _("会员邀请")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.person} → {self.address}"


class ChangeStatus(models.TextChoices):
    """Where a proposed profile change stands."""

    PENDING = "pending", _("待审核")
    APPLIED = "applied", _("已生效")
    REJECTED = "rejected", _("已驳回")


class ProfileChange(models.Model):
    """A change a member proposed to its own person or enterprise record.

    `changes` maps each field to [before, after]. Verified fields (name, ID number,
    credit code) wait for the secretariat's approval; the others apply at once and
    are kept here as applied, so the member sees the history of what it changed.
    ID and passport numbers in it are stored encrypted (portal.fields.SealedChangesField).
    """

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="profile_changes",
                               verbose_name=_("人员"))
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="profile_changes", verbose_name=_("企业"))
    changes = SealedChangesField(_("修改内容"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING,
                              db_index=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+", verbose_name=_("提出人"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("审核人"))
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reason = models.CharField(_("驳回理由"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    scope_path = "person__org__path"
    # Emptied when the person is erased (privacy.erasure): it holds their former and proposed values.
    erase_fields = ("changes",)
    objects = ScopedManager()

    class Meta:
        verbose_name = _("资料修改申请")
        verbose_name_plural = _("资料修改申请")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.person}: {', '.join(self.changes)}"


class NoticeKind(models.TextChoices):
    """News or a notice."""

    NEWS = "news", _("新闻")
    NOTICE = "notice", _("通知")


class Notice(models.Model):
    """News or a notice an organization publishes to its members (or to its council only)."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="notices",
                            verbose_name=_("发布组织"))
    kind = models.CharField(_("类型"), max_length=10, choices=NoticeKind.choices, default=NoticeKind.NOTICE)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    council_only = models.BooleanField(_("仅理事会成员可见"), default=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True,
                                        help_text=_("留空为草稿，会员看不到。"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name=_("发布人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_path = "org__path"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("会员通知")
        verbose_name_plural = _("会员通知")
        ordering = ["-published_at", "-id"]

    def __str__(self):
        return self.title
