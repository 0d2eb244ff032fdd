"""The staff home page per role: what every role sees, "my work" for staff, security for administrators.

Every function takes the signed-in user and returns small, ready-to-render data. Each panel is
one cheap query (an indexed filter and LIMIT), whatever the number of rows behind it, so the
page's query count does not grow with the database; counts of big tables come from
core.counts (cached, labelled "约").
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.access import paths_for
from core.scoping import CHANGE, MANAGE, VIEW

PANEL_SIZE = 5
# What a case row of a panel shows (its page, its name, its deadline): a case has 40 columns, one encrypted.
CASE_ROW = ("number", "subject", "status", "accept_due", "due_on")
TOP_ORGS = 8
UPCOMING_DAYS = 14
SECURITY_KINDS = ("access_denied", "login_failed", "locked_out")


@dataclass
class Panel:
    """A short list on the home page: its title, up to PANEL_SIZE rows and a link to the full list."""

    key: str
    title: str
    rows: list = field(default_factory=list)
    url: str = ""
    empty: str = ""


def role_of(user) -> str:
    """The highest role the user holds anywhere: "administrator", "staff", "viewer" or "" (no grant).

    A superuser counts as an administrator.
    """
    if user.is_superuser or paths_for(user, MANAGE):
        return "administrator"
    if paths_for(user, CHANGE):
        return "staff"
    if paths_for(user, VIEW):
        return "viewer"
    return ""


def top_organizations(user) -> list:
    """The organizations at the top of the user's scope (each links to its stats dashboard).

    A superuser's are the roots of the tree. At most TOP_ORGS, in tree order.
    """
    from orgs.models import Organization

    paths = paths_for(user, VIEW)
    if paths is None:
        qs = Organization.objects.filter(depth=1)
    elif not paths:
        return []
    else:
        qs = Organization.objects.filter(path__in=paths)
    return list(qs.order_by("path").only("pk", "code", "name", "path")[:TOP_ORGS])


def _today() -> dt.date:
    return timezone.localdate()


def my_open_cases(user) -> list:
    """Open cases assigned to the user inside the subtrees where it may change records, nearest deadline first."""
    from cases.models import Case

    qs = (Case.objects.visible_to(user, CHANGE).open().queue().filter(assignee=user)
          .only(*CASE_ROW).order_by("due_on", "-pk"))
    return list(qs[:PANEL_SIZE])


def overdue_cases(user) -> list:
    """Open cases past their deadline (acceptance while submitted, resolution afterwards) in the user's scope."""
    from django.db.models import Q

    from cases.models import OPEN_STATUSES, Case, Status

    today = _today()
    handling = [s for s in OPEN_STATUSES if s != Status.SUBMITTED]
    qs = (Case.objects.visible_to(user, CHANGE).queue()
          .filter(Q(status=Status.SUBMITTED, accept_due__lt=today) | Q(status__in=handling, due_on__lt=today))
          .only(*CASE_ROW).order_by("due_on", "pk"))
    return list(qs[:PANEL_SIZE])


def pending_profile_changes(user) -> list:
    """Members' proposed profile changes waiting for approval in the user's scope, oldest first."""
    from portal.models import ChangeStatus, ProfileChange

    qs = (ProfileChange.objects.visible_to(user, CHANGE).filter(status=ChangeStatus.PENDING)
          .select_related("person").only("created_at", "person__name")
          .order_by("created_at", "pk"))
    return list(qs[:PANEL_SIZE])


def upcoming_activities(user) -> list:
    """Activities of the user's scope starting today or in the next UPCOMING_DAYS days, soonest first."""
    from activities.models import Activity

    today = _today()
    qs = (Activity.objects.visible_to(user, CHANGE)
          .filter(start__gte=today, start__lte=today + dt.timedelta(days=UPCOMING_DAYS))
          .only("pk", "title", "start").order_by("start", "pk"))
    return list(qs[:PANEL_SIZE])


def my_jobs(user) -> list:
    """The user's own background jobs that are running, queued or failed, newest first."""
    from core import jobs as jobs_lib
    from core.models import JobStatus

    qs = (jobs_lib.visible_jobs(user).filter(created_by=user)
          .filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED])
          .only("pk", "title", "status", "created_at").order_by("-created_at", "-pk"))
    return list(qs[:PANEL_SIZE])


def security_events(user) -> list:
    """Recent refused accesses, failed logins and lockouts of the users the administrator sees.

    Superusers see every event; administrators those of users holding a grant in their subtrees
    (accounts.security.events_visible_to, as on the security-log page).
    """
    from accounts.security import events_visible_to

    qs = (events_visible_to(user).filter(kind__in=SECURITY_KINDS)
          .only("pk", "at", "kind", "username", "ip", "path").order_by("-at", "-id"))
    return list(qs[:PANEL_SIZE])


def users_in_scope(user) -> int:
    """How many user accounts hold a grant inside the administrator's subtrees (all users for a superuser)."""
    from accounts.security import users_visible_to

    return users_visible_to(user).count()


def work_panels(user) -> list[Panel]:
    """The "my work" panels of staff and administrators (none for viewers)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    if role_of(user) not in ("staff", "administrator"):
        return []
    cases = reverse("cases:case-list")
    return [
        Panel("my-cases", _("分派给我的在办诉求"), my_open_cases(user), cases + "?queue=mine",
              _("没有分派给您的在办诉求。")),
        Panel("overdue-cases", _("超期诉求"), overdue_cases(user), cases + "?queue=overdue",
              _("没有超期诉求。")),
        Panel("profile-changes", _("待审核的资料修改"), pending_profile_changes(user),
              reverse("members:change-list"), _("没有待审核的资料修改。")),
        Panel("activities", _("未来 14 天的活动"), upcoming_activities(user), reverse("activities:activity-list"),
              _("未来 14 天没有活动。")),
        Panel("jobs", _("我的后台任务（进行中或失败）"), my_jobs(user), reverse("job-list"),
              _("没有进行中或失败的任务。")),
    ]


@dataclass
class SecuritySummary:
    """The administrator's security panel: recent refusals and failures, and the users in the subtrees."""

    events: list
    users: int
    url: str


def security_summary(user) -> SecuritySummary | None:
    """The security panel for administrators and superusers; None for everyone else."""
    from django.urls import reverse

    if role_of(user) != "administrator":
        return None
    return SecuritySummary(security_events(user), users_in_scope(user), reverse("accounts:security-log"))
