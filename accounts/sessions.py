"""Ending another user's sessions: the administrator's answer to a lost laptop or a leaving employee."""
from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from accounts.access import grants_for, paths_for
from accounts.models import SecurityEventKind
from accounts.security import log_event
from core.audit import acting, log_action
from core.scoping import MANAGE


def may_manage_user(by, user) -> bool:
    """Whether `by` may end `user`'s sessions: a superuser, or an administrator of every org `user` holds a grant on.

    Superusers and users without grants (members) are managed by superusers only.
    """
    if by is None or getattr(by, "is_superuser", False):
        return True
    if user.is_superuser or not getattr(by, "is_authenticated", False):
        return False
    grants = grants_for(user)
    paths = paths_for(by, MANAGE) or []
    return bool(grants) and all(any(g.path.startswith(p) for p in paths) for g in grants)


def user_session_keys(user) -> list[str]:
    """Keys of the user's unexpired sessions in the database session store."""
    uid = str(user.pk)
    keys = []
    for key, data in Session.objects.filter(expire_date__gt=timezone.now()).values_list("session_key", "session_data").iterator():
        decoded = Session(session_key=key, session_data=data).get_decoded()
        if str(decoded.get("_auth_user_id")) == uid:
            keys.append(key)
    return keys


def delete_sessions(keys: list[str]) -> int:
    """Delete sessions by key from the database and from the session cache; returns how many rows went.

    The cached_db store (settings.SESSION_ENGINE) answers from its cache first, so a session deleted from
    the table alone would live on there. The cache is cleared before and again after the commit: a request
    that read the row just before it went cannot put it back for longer than that.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    prefix = getattr(store, "cache_key_prefix", None)
    cached = [prefix + key for key in keys] if prefix else []

    def forget():
        if cached:
            caches[settings.SESSION_CACHE_ALIAS].delete_many(cached)

    forget()
    deleted, _d = Session.objects.filter(session_key__in=keys).delete()
    transaction.on_commit(forget)
    return deleted


def end_sessions(*, by, user, request=None) -> dict:
    """Delete every session and the API token of `user`; returns {"sessions": n, "tokens": n}.

    `by` None is the command line. Logged as `session_ended` in the security log and in the audit log.
    """
    if not may_manage_user(by, user):
        raise PermissionDenied(_("只有该用户所属组织的管理员或超级管理员可以结束其会话。"))
    keys = user_session_keys(user)
    with transaction.atomic(), acting(by):
        sessions = delete_sessions(keys)
        tokens, _d = Token.objects.filter(user=user).delete()
        log_action(user, "accounts.user.sessions_ended", by, {"sessions": sessions, "tokens": tokens})
    log_event(SecurityEventKind.SESSION_ENDED, request, user=user,
              by=by.get_username() if by is not None else None, sessions=sessions, tokens=tokens)
    return {"sessions": sessions, "tokens": tokens}
