"""Staff accounts' authentication backend: Django's, reading a session's user together with their grants."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from accounts.access import GRANT_FIELDS, ResolvedGrant, remember_grants

GRANT_COLUMNS = tuple(f"grants__{field}" for field in GRANT_FIELDS)  # the same, read from the user


class StaffBackend(ModelBackend):
    """Django's ModelBackend, except that a session's user comes with their grants, in one query.

    Every request of a logged-in user needs both: the user (AuthenticationMiddleware) and the grants
    (scoping, the second-factor policy, the menu). Read apart they were two queries before any page's own,
    about a third of an empty page's cost.
    """

    def get_user(self, user_id):
        """The active user `user_id` with their grants already resolved, or None."""
        User = get_user_model()
        manager = User._default_manager
        fields = [f.attname for f in User._meta.concrete_fields]
        # A LEFT JOIN: one row per grant, or one row of NULL grant columns for a user without any.
        rows = list(manager.filter(pk=user_id).values_list(*fields, *GRANT_COLUMNS))
        if not rows:
            return None
        user = User.from_db(manager.db, fields, rows[0][: len(fields)])
        if not self.user_can_authenticate(user):
            return None
        remember_grants(user, [ResolvedGrant(*row[len(fields):]) for row in rows if row[len(fields) + 1] is not None])
        return user
