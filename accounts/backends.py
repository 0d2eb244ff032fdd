"""Staff accounts' authentication backend: Django's, reading a session's user together with their grants."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from accounts.access import GRANT_FIELDS, grants_in_rows, remember_grants
from core.compiled import CompiledQuery

GRANT_COLUMNS = tuple(f"grants__{field}" for field in GRANT_FIELDS)  # the same, read from the user
NO_USER = -7_301_939  # the placeholder for the user's id while the query is compiled


def user_fields() -> list[str]:
    """The user model's columns, in the order the queries below read them."""
    return [f.attname for f in get_user_model()._meta.concrete_fields]


def _user_with_grants(pk):
    # A LEFT JOIN: one row per grant, or one row of NULL grant columns for a user without any.
    return get_user_model()._default_manager.filter(pk=pk).values_list(*user_fields(), *GRANT_COLUMNS)


USER_WITH_GRANTS = CompiledQuery(_user_with_grants, pk=NO_USER)


class StaffBackend(ModelBackend):
    """Django's ModelBackend, except that a session's user comes with their grants, in one query.

    Every request of a logged-in user needs both: the user (AuthenticationMiddleware) and the grants
    (scoping, the second-factor policy, the menu). Read apart they were two queries before any page's own,
    about a third of an empty page's cost. The query is compiled once per connection (core.compiled).
    """

    def get_user(self, user_id):
        """The active user `user_id` with their grants already resolved, or None."""
        User = get_user_model()
        manager = User._default_manager
        fields = user_fields()
        rows = USER_WITH_GRANTS.rows(using=manager.db, pk=User._meta.pk.get_prep_value(user_id))
        if not rows:
            return None
        user = User.from_db(manager.db, fields, rows[0][: len(fields)])
        if not self.user_can_authenticate(user):
            return None
        remember_grants(user, grants_in_rows(rows, len(fields)))
        return user
