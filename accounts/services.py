"""Writes to accounts: users and role grants on organization subtrees.

Every function is atomic and audited (`core.audit.acting`); the actor is the keyword
`by`, which is None when the command line acts (the operator of the machine is trusted).
Web UI, API and CLI call these, so validation and permission checks live in one place.
"""
from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import PERSONAL, forget_grants, paths_for
from accounts.models import Grant, Role
from core.audit import acting, log_action
from core.scoping import MANAGE
from core.services import require


def generate_password() -> str:
    """A random password that passes the password validators: 16 characters (or the minimum) of every class."""
    length = max(16, settings.PASSWORD_MIN_LENGTH)
    while True:
        password = (secrets.token_urlsafe(length)[:length - 2] + secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
                    + secrets.choice("-_.!"))
        if any(c.isdigit() for c in password) and any(c.islower() for c in password):
            return password


def find_user(username: str):
    """The user with this username, or a ValidationError in words a secretary understands."""
    User = get_user_model()
    try:
        return User.objects.get(**{User.USERNAME_FIELD: username})
    except User.DoesNotExist:
        raise ValidationError(_("用户“%(u)s”不存在。") % {"u": username}, code="unknown_user") from None


def find_org(code: str):
    """The organization with this code, or a ValidationError naming the unknown code."""
    from orgs.models import Organization

    try:
        return Organization.objects.get(code=code)
    except Organization.DoesNotExist:
        raise ValidationError(
            _("组织代码“%(c)s”不存在，请核对代码（可在组织列表中查看）。") % {"c": code}, code="unknown_org"
        ) from None


def check_role(role: str) -> str:
    """Return the role if it is one of accounts.models.Role, else a ValidationError listing the valid ones."""
    if role not in Role.values:
        raise ValidationError(
            _("角色“%(r)s”不存在，可选：%(choices)s。")
            % {"r": role, "choices": "、".join(f"{v}（{label}）" for v, label in Role.choices)},
            code="unknown_role",
        )
    return role


def create_user(*, by, username: str, password: str | None = None, email: str = "",
                is_superuser: bool = False, check_password: bool = True, encoded_password: str | None = None):
    """Create a login; returns (user, password), the password generated when none is given.

    Only a superuser (or the command line, by=None) may create a superuser. `encoded_password`
    (from make_password) skips hashing again when many users share one password (demo data).
    """
    User = get_user_model()
    username = (username or "").strip()
    if by is not None and not getattr(by, "is_superuser", False):
        if is_superuser:
            raise PermissionDenied(_("只有超级管理员可以创建超级管理员。"))
        if not paths_for(by, MANAGE):
            raise PermissionDenied(_("只有管理员可以创建用户。"))
    if not username:
        raise ValidationError({"username": [_("请填写用户名。")]})
    if User.objects.filter(**{User.USERNAME_FIELD: username}).exists():
        raise ValidationError({"username": [_("用户名“%(u)s”已被使用。") % {"u": username}]}, code="duplicate")
    password = password or generate_password()
    user = User(**{User.USERNAME_FIELD: username}, email=email or "",
                is_superuser=is_superuser, is_staff=is_superuser)
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as e:
            raise ValidationError({"password": e.messages}) from None
    if encoded_password:
        user.password = encoded_password
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    with transaction.atomic(), acting(by):
        user.save()
        log_action(user, "accounts.user.created", by, {"superuser": is_superuser})
    return user, password


def grant_role(*, by, user, org, role: str, personal_data: bool = False) -> tuple[Grant, bool]:
    """Give `user` a role on `org` and its subtree (or change the existing grant there).

    Returns (grant, created). A web user needs the administrator role on `org`, and to
    hand out access to personal data must hold it there too.
    """
    check_role(role)
    if by is not None:
        require(by, MANAGE, org)
        if personal_data:
            require(by, PERSONAL, org)
    with transaction.atomic(), acting(by):
        grant = Grant.objects.filter(user=user, org=org).first()
        created = grant is None
        if created:
            grant = Grant(user=user, org=org)
        grant.role = role
        grant.personal_data = personal_data
        grant.full_clean(validate_unique=False)
        grant.save()
    forget_grants(user)
    return grant, created


def revoke_grant(*, by, user, org) -> None:
    """Remove `user`'s grant on `org`; a ValidationError when there is none."""
    if by is not None:
        require(by, MANAGE, org)
    with transaction.atomic(), acting(by):
        grant = Grant.objects.filter(user=user, org=org).first()
        if grant is None:
            raise ValidationError(
                _("用户“%(u)s”在“%(o)s”没有授权。") % {"u": user.get_username(), "o": org.name},
                code="no_grant",
            )
        grant.delete()
    forget_grants(user)


def list_grants(user) -> list[Grant]:
    """The user's grants with their organizations, in tree order."""
    return list(Grant.objects.filter(user=user).select_related("org").order_by("org__path"))
