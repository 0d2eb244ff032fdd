"""Object permissions as `rules` predicates over grants, for templates and DRF.

`user.has_perm("core.change_record", obj)` works for any scoped record.
"""
import rules

from accounts.access import CHANGE, MANAGE, PERSONAL, VIEW, can, record_org


def _predicate(action):
    @rules.predicate(name=f"may_{action}")
    def check(user, obj=None):
        if obj is None:
            return False
        return can(user, action, record_org(obj))

    return check


may_view = _predicate(VIEW)
may_change = _predicate(CHANGE)
may_manage = _predicate(MANAGE)
may_see_personal = _predicate(PERSONAL)

rules.add_perm("core.view_record", may_view)
rules.add_perm("core.change_record", may_change)
rules.add_perm("core.manage_users", may_manage)
rules.add_perm("core.view_personal_data", may_see_personal)
