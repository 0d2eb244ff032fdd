"""Writes of notices published to members: staff create, edit, publish and unpublish them.

Every function is atomic, takes the acting user as keyword `by`, needs the change grant on
the notice's organization and leaves an audit entry (field diffs, and the named actions
`portal.notice.published` / `portal.notice.unpublished`).
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import acting, log_action
from core.scoping import CHANGE
from core.services import apply_fields, require
from portal.models import Notice

NOTICE_FIELDS = {"org", "kind", "title", "body", "council_only"}


def _clean(notice: Notice) -> None:
    notice.title = (notice.title or "").strip()
    notice.body = (notice.body or "").strip()
    errors = {}
    if not notice.title:
        errors["title"] = [_("请填写标题。")]
    if not notice.body:
        errors["body"] = [_("请填写正文。")]
    if errors:
        raise ValidationError(errors)
    notice.full_clean(exclude=["created_by"])


def create_notice(*, by, publish: bool = False, **fields) -> Notice:
    """Write a notice (a draft, or published at once with `publish=True`)."""
    notice = Notice(created_by=by if getattr(by, "is_authenticated", False) else None)
    apply_fields(notice, fields, NOTICE_FIELDS)
    if notice.org_id is None:
        raise ValidationError({"org": _("请选择发布组织。")})
    require(by, CHANGE, notice.org)
    _clean(notice)
    with transaction.atomic(), acting(by):
        if publish:
            notice.published_at = timezone.now()
        notice.save()
        log_action(notice, "portal.notice.published" if publish else "portal.notice.created", by,
                   {"org": notice.org_id})
    return notice


def update_notice(*, by, notice: Notice, **fields) -> Notice:
    """Change a notice's text, kind, audience or organization (within the user's subtrees)."""
    require(by, CHANGE, notice.org)
    changed = apply_fields(notice, fields, NOTICE_FIELDS)
    if "org" in changed:
        require(by, CHANGE, notice.org)
    _clean(notice)
    with transaction.atomic(), acting(by):
        notice.save()
    return notice


def publish_notice(*, by, notice: Notice, at=None) -> Notice:
    """Publish a notice to members, now or at `at` (members see it from that moment on)."""
    require(by, CHANGE, notice.org)
    with transaction.atomic(), acting(by):
        notice.published_at = at or timezone.now()
        notice.save(update_fields=["published_at"])
        log_action(notice, "portal.notice.published", by, {"at": notice.published_at.isoformat()})
    return notice


def unpublish_notice(*, by, notice: Notice) -> Notice:
    """Take a notice back to draft: members no longer see it."""
    require(by, CHANGE, notice.org)
    with transaction.atomic(), acting(by):
        notice.published_at = None
        notice.save(update_fields=["published_at"])
        log_action(notice, "portal.notice.unpublished", by)
    return notice
