"""Builders for cases tests: a department with its liaison, a room with its pair on duty, a case at any step."""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from cases import services
from tests import factories as f

_n = itertools.count(1)


def department(org, by, name=None, liaison=None, **fields):
    """A department of `org`, with `liaison` as its liaison user when given."""
    return services.create_department(by=by, org=org, name=name or f"承办部门{next(_n)}",
                                      liaisons=[liaison] if liaison else None, **fields)


def liaison(org, by, username=None, email=""):
    """A user with no grant at all who is the liaison of a new department of `org`: (user, department)."""
    u = f.user(username or f"liaison-{next(_n)}")
    if email:
        u.email = email
        u.save()
    return u, department(org, by, liaison=u)


def case(org, by, **fields):
    """A submitted case, taken at the counter."""
    values = {"kind": "consumer_dispute", "subject": f"商品质量纠纷{next(_n)}", "applicant_name": "王小明",
              "phone": "13812345678", "id_number": f.id_number(), "amount_involved": Decimal("1200"),
              "description": "买到的商品有质量问题，商家拒绝退货。", "other_party": "某某商行"}
    values.update(fields)
    return services.create_case(by=by, org=org, **values)


def accepted(org, by, **fields):
    """A case accepted by `by`."""
    return services.accept(by=by, case=case(org, by, **fields))


def dispatched(org, by, department_, **fields):
    """A case accepted and dispatched to `department_`: (case, dispatch)."""
    c = accepted(org, by, **fields)
    (d,) = services.dispatch(by=by, case=c, departments=[department_])
    c.refresh_from_db()
    return c, d


def resolved(org, by, amount=Decimal("1000"), **fields):
    """A case accepted and resolved with `amount` recovered."""
    c = accepted(org, by, **fields)
    return services.resolve(by=by, case=c, agreement="双方达成调解协议，商家退款。", amount_recovered=amount)


def mediator(org, by, name=None, user=None):
    """A mediator in the expert pool."""
    return services.create_expert(by=by, org=org, name=name or f"调解员{next(_n)}", kind="mediator", user=user)


def room_with_pair(org, by, day: dt.date, users=(None, None)):
    """A mediation room with two mediators on duty on `day`: (room, [mediator, mediator])."""
    room = services.create_room(by=by, org=org, name=f"调解室{next(_n)}")
    pair = [mediator(org, by, user=u) for u in users]
    services.set_shift(by=by, room=room, date=day, mediators=pair)
    return room, pair
