"""The home dashboard per role (core.home): counts and dashboards for all, "my work" for staff and
administrators, the security panel for administrators; each subtree sees only its own; the page's
query count does not grow with the rows behind the panels."""
import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.security import log_event
from activities import services as act_services
from cases import services as case_services
from cases.models import Case
from core.models import Job
from portal import services as portal_services
from registry import services as reg_services

_n = itertools.count(1)
PASSWORD = "Milano-Seta-2024"
# The most queries the home page may make for each role, whatever the number of rows.
MAX_QUERIES = {"hz_viewer": 10, "hz_staff": 15, "hz_admin": 18}


def _member(org, by, label):
    person = reg_services.create_person(by=by, org=org, name=f"{label}会员{next(_n)}", category="relative",
                                        email=f"home{next(_n)}@example.com")
    _inv, link = portal_services.invite(by=by, person=person)
    return portal_services.accept_invitation(token=link.rstrip("/").rsplit("/", 1)[-1], password=PASSWORD)


def _work(org, staff, label, n=1):
    """n of each thing the panels list, in `org`'s subtree, for `staff`."""
    today = timezone.localdate()
    for _ in range(n):
        case = case_services.create_case(by=staff, org=org, kind="consumer_dispute", applicant_name="申请人",
                                         subject=f"{label}诉求{next(_n)}", phone="13812345678")
        case = case_services.assign(by=staff, case=case_services.accept(by=staff, case=case), assignee=staff)
        Case.objects.filter(pk=case.pk).update(due_on=today - dt.timedelta(days=1))  # past its deadline
        member = _member(org, staff, label)
        portal_services.propose_changes(by=member.user, target=member.person, fields={"name": f"{label}改名"})
        act_services.create_activity(by=staff, org=org, kind="training", title=f"{label}活动{next(_n)}",
                                     start=today + dt.timedelta(days=3), capacity=10)
        Job.objects.create(kind="export", title=f"{label}任务{next(_n)}", created_by=staff, status="failed")
        log_event("access_denied", user=staff, username=staff.username, reason=f"{label}越权")
        log_event("login_failed", username=staff.username)


def _panel(body, key):
    """The HTML of one panel of the page (empty when the panel is not there)."""
    marker = f'data-panel="{key}"'
    if marker not in body:
        return ""
    return body.split(marker, 1)[1].split("</ul>", 1)[0]


@pytest.fixture
def both(users, tree):
    """One of everything in 上城区 (杭州, by hz_staff) and in the 温州 chamber (by wz_staff)."""
    _work(tree["sc"], users["hz_staff"], "杭州")
    _work(tree["wzc"], users["wz_staff"], "温州")


def _home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_viewer_sees_counts_and_dashboards_but_no_work_or_security(client, users, both):
    body = _home(client, users["hz_viewer"])
    assert 'data-count="people">1<' in body  # 杭州's member, not 温州's
    assert 'data-dashboard="hz"' in body and reverse("stats:dashboard", args=["hz"]) in body
    assert 'data-dashboard="wz"' not in body
    assert "data-my-work" not in body and "data-security" not in body
    assert "杭州诉求" not in body and "杭州活动" not in body


def test_staff_sees_its_work_and_nothing_of_another_subtree(client, users, both):
    body = _home(client, users["hz_staff"])
    assert "data-my-work" in body and "data-security" not in body
    assert "杭州诉求" in _panel(body, "my-cases") and "杭州诉求" in _panel(body, "overdue-cases")
    assert "杭州会员" in _panel(body, "profile-changes")
    assert "杭州活动" in _panel(body, "activities")
    assert "杭州任务" in _panel(body, "jobs") and "失败" in _panel(body, "jobs")
    assert "温州" not in body.split("data-my-work", 1)[1]
    assert 'data-dashboard="hz"' in body and 'data-dashboard="wz"' not in body
    assert reverse("members:change-list") in body and reverse("cases:case-list") + "?queue=overdue" in body

    other = _home(client, users["wz_staff"])
    assert "温州诉求" in _panel(other, "my-cases") and "温州会员" in _panel(other, "profile-changes")
    assert "杭州" not in other.split("data-my-work", 1)[1]


def test_cases_of_someone_else_are_overdue_but_not_mine(client, users, tree, both):
    """hz_admin did not get the cases assigned: they are overdue in its scope, not its own."""
    body = _home(client, users["hz_admin"])
    assert "杭州诉求" not in _panel(body, "my-cases") and "杭州诉求" in _panel(body, "overdue-cases")
    assert "杭州任务" not in _panel(body, "jobs")  # hz_staff's job, not the administrator's


def test_nothing_due_soon_or_late_shows_the_empty_lines(client, users, tree):
    today = timezone.localdate()
    act_services.create_activity(by=users["hz_staff"], org=tree["sc"], kind="training", title="远期活动",
                                 start=today + dt.timedelta(days=15), capacity=10)
    Job.objects.create(kind="export", title="已完成任务", created_by=users["hz_staff"], status="succeeded")
    body = _home(client, users["hz_staff"])
    assert "远期活动" not in body and "未来 14 天没有活动" in body
    assert "已完成任务" not in body and "没有进行中或失败的任务" in body
    assert "没有超期诉求" in body


def test_administrator_sees_security_of_its_subtree_only(client, users, both):
    body = _home(client, users["hz_admin"])
    security = _panel(body, "security")
    assert "data-security" in body and "hz_staff" in security and "拒绝访问" in security
    assert "登录失败" in security and "wz_staff" not in security
    # hz_admin, hz_staff and hz_viewer hold grants under 杭州 (the members have none).
    assert 'data-count="users">3<' in body
    assert reverse("accounts:security-log") in body


def test_province_administrator_sees_both_cities(client, users, both):
    body = _home(client, users["zj_admin"])
    security = _panel(body, "security")
    assert "hz_staff" in security and "wz_staff" in security
    assert "杭州诉求" in _panel(body, "overdue-cases") and "温州诉求" in _panel(body, "overdue-cases")
    assert 'data-dashboard="zj"' in body


def test_user_without_grant_sees_no_panels(client, users):
    body = _home(client, users["nobody"])
    assert "尚未授权" in body and "data-my-work" not in body and "data-security" not in body


def test_member_account_is_sent_to_the_portal(client, users, tree):
    member = _member(tree["sc"], users["hz_staff"], "杭州")
    client.force_login(member.user)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")


@pytest.mark.parametrize("name", sorted(MAX_QUERIES))
def test_query_count_does_not_grow_with_rows(client, users, tree, name, django_assert_max_num_queries):
    """The same number of queries with one and with five records of each kind (under a fixed ceiling)."""
    user = users[name]
    _work(tree["sc"], users["hz_staff"], "杭州", n=1)
    _work(tree["sc"], user if name != "hz_viewer" else users["hz_staff"], "本人", n=1)
    client.force_login(user)
    client.get(reverse("home"))  # warm up: session, grants, first-visit bookkeeping
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("home"))
    _work(tree["sc"], users["hz_staff"], "杭州", n=4)
    _work(tree["sc"], user if name != "hz_viewer" else users["hz_staff"], "本人", n=4)
    with CaptureQueriesContext(connection) as five, django_assert_max_num_queries(MAX_QUERIES[name]):
        body = client.get(reverse("home")).content.decode()
    assert len(five.captured_queries) == len(one.captured_queries)
    if name != "hz_viewer":
        assert _panel(body, "overdue-cases").count("<li") == 5  # the panels are full, LIMIT 5
