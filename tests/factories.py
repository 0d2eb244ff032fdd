"""Small builders for test data, going through the services like every other writer."""
from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth import get_user_model

from accounts.models import Grant
from core.validators import make_credit_code, make_id_number
from orgs.models import Organization

_seq = itertools.count(1)


def org(code: str, name: str, parent: Organization | None = None, kind: str = "qiaolian", **fields):
    """An organization under `parent` (or a root), written directly: fixtures need no actor."""
    node = Organization(code=code, name=name, kind=kind, **fields)
    return Organization.objects.add_root(instance=node) if parent is None else Organization.objects.add_child(parent, instance=node)


def user(username: str, *grants: tuple, superuser: bool = False):
    """A user with grants given as (org, role, personal_data)."""
    User = get_user_model()
    u = User.objects.create_user(username, password="pw-" + username + "-123", is_superuser=superuser,
                                 is_staff=superuser)
    for g in grants:
        Grant.objects.create(user=u, org=g[0], role=g[1], personal_data=g[2] if len(g) > 2 else False)
    return u


def id_number(region: str = "330782", born: dt.date = dt.date(1985, 3, 5)) -> str:
    """A fresh valid resident ID number."""
    return make_id_number(region, born, next(_seq))


def credit_code(region: str = "330782") -> str:
    """A fresh valid credit code."""
    return make_credit_code(region, next(_seq) * 7919)
