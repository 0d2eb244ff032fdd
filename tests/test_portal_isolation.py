"""The member portal's boundary: a member never sees another member's data, nor any staff page.

Generic on purpose: it walks every URL pattern of the `portal` and `portal-api` namespaces, so a new
portal URL is covered the day it appears. Two members, A (杭州, 上城区) and B (温州市侨商会), each have a
person, an enterprise, products, a demand, inquiries, a pair with a follow-up, a donation, a case, a
registration … built below through the services.

* every page without URL arguments answers 200 for A and shows none of B's marker strings;
* every pattern with arguments is filled with B's records through `ARGS_FOR` and refuses A (404/403);
* a portal URL without an `ARGS_FOR` entry fails the test: "add ARGS_FOR entry for …";
* anonymous visitors are sent to the portal login (the API answers 401/403);
* a staff user without a member account gets 403;
* a member is kept out of every staff namespace and every staff API endpoint.
"""
from __future__ import annotations

import datetime as dt
import io
import itertools
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from activities import services as act_services
from cases import services as case_services
from charity import services as charity_services
from directory import services as directory_services
from pairing import services as pairing_services
from portal.middleware import MEMBER_ALLOWED_NAMESPACES, MEMBER_ALLOWED_VIEWS
from portal.models import MemberAccount, Notice
from privacy import services as privacy_services
from registry import services as reg_services
from tests import factories as f

_n = itertools.count(1)

NAMESPACES = ("portal", "portal-api")

# Pages anyone reaches (login, invitation, password reset, language): not member pages, so neither
# the anonymous redirect nor the staff 403 applies.
PUBLIC = {
    "portal": {"login", "logout", "invite-accept", "password-reset", "password-reset-confirm", "set-language"},
    "portal-api": set(),
}

# Goods far apart, so that matching (words and sentence vectors) never pairs A's records with B's.
GOODS = {
    "A": {"product": "甲真丝围巾", "hidden": "甲羊绒披肩", "demand": "甲塑料积木玩具", "other": "甲方供应商的儿童积木"},
    "B": {"product": "乙不锈钢保温杯", "hidden": "乙汽车轮胎", "demand": "乙太阳能路灯", "other": "乙方供应商的路灯灯杆"},
}


# ---- builders: one member and everything it owns, through the services -------------------------------

def png() -> bytes:
    """A small valid PNG."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def make_member(org, by, label: str, *, phone: str, person_name: str | None = None):
    """A person registered in `org`, a member of it, with a portal account: (user, account)."""
    person = reg_services.create_person(by=by, org=org, name=person_name or f"{label}会员{next(_n)}",
                                        category="overseas_chinese", phone=phone)
    reg_services.add_membership(by=by, org=org, person=person)
    user = get_user_model().objects.create_user(f"portal-{label}-{next(_n)}", password="pw-member-12345")
    return user, MemberAccount.objects.create(user=user, person=person)


def make_enterprise(org, by, person, name: str, phone: str = ""):
    """An enterprise whose legal person is `person`, a member of `org`."""
    enterprise = reg_services.create_enterprise(by=by, org=org, name=name, legal_person=person,
                                                 credit_code=f.credit_code(), phone=phone)
    reg_services.add_membership(by=by, org=org, enterprise=enterprise)
    return enterprise


def make_pair(org, by, label, person):
    """A pairing program where the member's person helps another participant, with one follow-up."""
    n = next(_n)
    program = pairing_services.create_program(by=by, org=org, code=f"portal-{n}", name=f"{label}结对项目{n}",
                                              kind="enterprise_shop", capacity=2)
    helper = pairing_services.add_participant(by=by, program=program, side="helper", name=person.name, person=person,
                                              strengths="电商", needs="电商")
    other = pairing_services.add_participant(by=by, program=program, side="beneficiary",
                                             name=f"{label}受助商户{n}", strengths="电商", needs="电商")
    pair = pairing_services.create_pair(by=by, program=program, helper=helper, beneficiary=other)
    follow_up = pairing_services.add_follow_up(by=by, pair=pair, date=dt.date(2025, 5, 1),
                                               notes=f"{label}回访记录{n}", orders_amount=Decimal("1200"))
    return pair, follow_up


def build_member_records(org, by, label: str, *, phone: str) -> dict:
    """Member `label` of `org` with everything the portal shows it; `markers` are strings only it may see."""
    goods = GOODS[label]
    user, account = make_member(org, by, label, phone=phone, person_name=f"{label}会员{label}某")
    person = account.person
    enterprise = make_enterprise(org, by, person, f"{label}会员贸易有限公司", phone=phone)
    product = directory_services.member_create_product(by=user, enterprise=enterprise, name=goods["product"],
                                                       min_order=100, price_min=Decimal("10"))
    hidden = directory_services.member_create_product(by=user, enterprise=enterprise, name=goods["hidden"],
                                                      status="hidden")
    photo = directory_services.member_add_photo(by=user, product=hidden, data=png(), name="p.png")
    demand = directory_services.member_post_demand(by=user, enterprise=enterprise, title=goods["demand"],
                                                   language="zh", quantity=500)
    received = directory_services.open_inquiry(by=None, product=product, buyer_name=f"{label}海外买家",
                                               language="en", message=f"{label} price please")
    # A supplier of the same organization (not the member's) and the inquiry the member sent it.
    supplier = reg_services.create_enterprise(by=by, org=org, name=f"{label}供应商{next(_n)}")
    other = directory_services.create_product(by=by, enterprise=supplier, name=goods["other"])
    sent = directory_services.member_open_inquiry(by=user, enterprise=enterprise, product=other, demand=demand,
                                                  message=f"{label}想要报价")
    pair, follow_up = make_pair(org, by, label, person)
    fund = charity_services.create_fund(by=by, org=org, code=f"portal-{next(_n)}", name=f"{label}助学基金",
                                        kind="relief")
    donation = charity_services.receive_donation(by=by, fund=fund, donor_person=person, value=Decimal("800"),
                                                 received_on=dt.date(2025, 2, 1))
    enterprise_donation = charity_services.receive_donation(by=by, fund=fund, donor_kind="enterprise",
                                                            donor_enterprise=enterprise, value=Decimal("5000"),
                                                            received_on=dt.date(2025, 3, 1))
    case = case_services.create_case(by=by, org=org, kind="consumer_dispute", channel="member_portal",
                                     applicant_person=person, applicant_name=person.name,
                                     subject=f"{label}会员诉求{next(_n)}", phone=phone)
    activity = act_services.create_activity(by=by, org=org, kind="training", title=f"{label}会员培训{next(_n)}",
                                            start=timezone.localdate() + dt.timedelta(days=20), capacity=30)
    registration = act_services.register(by=by, activity=activity, person=person)
    notice = Notice.objects.create(org=org, title=f"{label}会员通知{next(_n)}", body="…",
                                   published_at=timezone.now())
    privacy_request = privacy_services.member_receive(by=user, kind="access", details=f"{label}个人信息查阅请求")
    return {
        "user": user, "account": account, "person": person, "org": org, "enterprise": enterprise,
        "product": product, "hidden": hidden, "photo": photo, "demand": demand, "received": received,
        "sent": sent, "pair": pair, "follow_up": follow_up, "fund": fund, "donation": donation,
        "enterprise_donation": enterprise_donation, "case": case, "activity": activity,
        "registration": registration, "notice": notice, "privacy_request": privacy_request,
        "markers": [person.name, phone, enterprise.name, product.name, hidden.name, demand.title, case.subject,
                    f"{label}受助商户", privacy_request.details],
    }


@pytest.fixture
def members(tree, users):
    """Member A in 上城区 (杭州) and member B in 温州市侨商会, each with its records."""
    by = users["zj_admin"]
    return {"A": build_member_records(tree["sc"], by, "A", phone="13900001111"),
            "B": build_member_records(tree["wzc"], by, "B", phone="13900002222")}


# ---- how to fill each URL with B's records (A must be refused) --------------------------------------

def _pk(key):
    return lambda r: {"pk": r[key].pk}


ARGS_FOR = {
    "portal": {
        # account (H1): invitation and reset links are public, proven by their token.
        "invite-accept": lambda r: {"token": "not-a-token"},
        "password-reset-confirm": lambda r: {"uidb64": "MQ", "token": "set-password"},
        "enterprise-edit": _pk("enterprise"),
        # associations and requests (H2)
        "org": lambda r: {"pk": r["org"].pk},
        "notice": _pk("notice"),
        "activity": _pk("activity"),
        "activity-register": _pk("activity"),
        "registration": _pk("registration"),
        "registration-cancel": _pk("registration"),
        "request": _pk("case"),
        "request-satisfaction": _pk("case"),
        # business
        "business-product": _pk("product"),
        "business-product-status": _pk("product"),
        "business-photo-add": _pk("product"),
        "business-photo-delete": _pk("photo"),
        "business-photo": lambda r: {"pk": r["photo"].pk, "size": "thumb"},
        "business-demand": _pk("demand"),
        "business-demand-close": _pk("demand"),
        "business-inquiry": _pk("received"),
        # B's published product is in the public catalogue (any member may write to it); its hidden one is not.
        "business-inquire": _pk("hidden"),
        # pairings and giving
        "pairing": _pk("pair"),
        "giving-receipt": _pk("donation"),
        # personal-data requests (PIPL): the copy of another member's request
        "privacy-download": _pk("privacy_request"),
    },
    "portal-api": {
        "enterprise": _pk("enterprise"),
        "notice": _pk("notice"),
        "activity-register": _pk("activity"),
        "registration-cancel": _pk("registration"),
        "case": _pk("case"),
        "case-satisfaction": _pk("case"),
        "my-product-detail": _pk("product"),
        "my-product-demands": _pk("product"),
        "my-product-photos": _pk("hidden"),
        "my-product-photo": lambda r: {"pk": r["hidden"].pk, "photo_pk": r["photo"].pk},
        "my-demand-detail": _pk("demand"),
        "my-demand-close": _pk("demand"),
        "my-demand-matches": _pk("demand"),
        "my-inquiry-detail": _pk("sent"),
        "my-inquiry-reply": _pk("received"),
        "my-pair-detail": _pk("pair"),
        "my-donation-detail": _pk("enterprise_donation"),
        "my-donation-receipt": _pk("donation"),
        "privacy-request": _pk("privacy_request"),
        "privacy-request-download": _pk("privacy_request"),
    },
}

# Patterns with arguments that are public by design: the token decides, not the session.
PUBLIC_WITH_ARGS = {("portal", "invite-accept"), ("portal", "password-reset-confirm")}


def _walk(patterns):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns)
        elif isinstance(p, URLPattern):
            yield p


def url_names(namespace: str) -> list[str]:
    """Every URL name of a namespace (its includes walked), in order, without duplicates."""
    _prefix, resolver = get_resolver().namespace_dict[namespace]
    names = []
    for p in _walk(resolver.url_patterns):
        assert p.name, f"every {namespace} URL needs a name: {p.pattern}"
        if p.name not in names:
            names.append(p.name)
    return names


def needs_args(namespace: str, name: str) -> bool:
    """Whether the URL takes arguments."""
    try:
        reverse(f"{namespace}:{name}")
    except NoReverseMatch:
        return True
    return False


def no_arg_names(namespace):
    return [n for n in url_names(namespace) if not needs_args(namespace, n)]


def arg_names(namespace):
    return [n for n in url_names(namespace) if needs_args(namespace, n)]


def assert_no_markers(response, markers, where):
    body = response.content.decode("utf-8", "replace")
    leaked = [m for m in markers if m in body]
    assert not leaked, f"{where} shows another member's data: {leaked}"


# ---- the table covers every portal URL --------------------------------------------------------------

def test_every_portal_url_with_arguments_has_an_args_for_entry():
    missing = [f"{ns}:{name}" for ns in NAMESPACES for name in arg_names(ns) if name not in ARGS_FOR[ns]]
    assert not missing, "add ARGS_FOR entry for " + ", ".join(missing) + " in tests/test_portal_isolation.py"


def test_the_walk_finds_the_portal_parts():
    names = set(url_names("portal"))
    assert {"home", "business", "pairings", "giving", "login"} <= names
    assert {"my-product-list", "my-donation-list"} <= set(url_names("portal-api"))


# ---- (a) pages without arguments: 200 for A, nothing of B -------------------------------------------

def test_member_pages_without_arguments_show_nothing_of_another_member(client, members):
    a, b = members["A"], members["B"]
    client.force_login(a["user"])
    seen = 0
    for ns in NAMESPACES:
        for name in no_arg_names(ns):
            if name in PUBLIC[ns]:
                continue
            url = reverse(f"{ns}:{name}")
            r = client.get(url)
            if r.status_code == 405 and ns == "portal-api":
                assert "GET" not in r.get("Allow", ""), f"{url} answers 405 yet allows GET"
                continue
            assert r.status_code == 200, f"{url} answers {r.status_code} for a member"
            assert_no_markers(r, b["markers"], url)
            seen += 1
    assert seen >= 10


def test_member_pages_show_the_members_own_records(client, members):
    """The same pages do show A's own records (so the test above would catch a leak)."""
    a = members["A"]
    client.force_login(a["user"])
    pages = {"portal:business": [a["product"].name, a["hidden"].name, a["demand"].title],
             "portal:business-inquiries": [a["received"].buyer_name],
             "portal:pairings": ["A受助商户"], "portal:giving": [a["donation"].receipt_number],
             "portal-api:my-product-list": [a["product"].name], "portal-api:my-pair-list": ["A受助商户"]}
    for name, expected in pages.items():
        body = client.get(reverse(name)).content.decode()
        for text in expected:
            assert text in body, f"{name} should show {text}"


# ---- (b) patterns with arguments, filled with B's records: refused for A -----------------------------

def test_member_is_refused_every_record_of_another_member(client, members):
    a, b = members["A"], members["B"]
    client.force_login(a["user"])
    checked = 0
    for ns in NAMESPACES:
        for name in arg_names(ns):
            if (ns, name) in PUBLIC_WITH_ARGS or name not in ARGS_FOR[ns]:
                continue
            url = reverse(f"{ns}:{name}", kwargs=ARGS_FOR[ns][name](b))
            codes = {}
            for method in ("get", "post", "patch", "delete"):
                kwargs = {"content_type": "application/json", "data": "{}"} if method != "get" else {}
                r = getattr(client, method)(url, **kwargs)
                codes[method] = r.status_code
                assert r.status_code in (403, 404, 405), f"{method.upper()} {url} ({ns}:{name}) answers " \
                                                         f"{r.status_code} to another member"
                if r.status_code != 405:
                    assert_no_markers(r, b["markers"], url)
            assert set(codes.values()) != {405}, f"{url}: no method reaches the view"
            checked += 1
    assert checked >= 20
    # Nothing of B's changed: its product is still published, its demand open, its photo there.
    b["product"].refresh_from_db()
    b["demand"].refresh_from_db()
    b["registration"].refresh_from_db()
    assert b["product"].status == "published" and b["demand"].status == "open"
    assert b["hidden"].photos.count() == 1
    assert b["registration"].status != "cancelled"


def test_the_same_urls_filled_with_the_members_own_records_answer(client, members):
    """A's own records through the same table: the views exist and let their owner in (no 404)."""
    a = members["A"]
    client.force_login(a["user"])
    for ns in NAMESPACES:
        for name in arg_names(ns):
            if (ns, name) in PUBLIC_WITH_ARGS or name not in ARGS_FOR[ns] or name == "business-inquire":
                continue
            url = reverse(f"{ns}:{name}", kwargs=ARGS_FOR[ns][name](a))
            r = client.get(url)
            assert r.status_code not in (403, 404) and r.status_code < 500, \
                f"GET {url} answers {r.status_code} to its owner"


# ---- (d) anonymous visitors, (e) staff without a member account -------------------------------------

def _every_url(records):
    for ns in NAMESPACES:
        for name in url_names(ns):
            if name in PUBLIC[ns]:
                continue
            kwargs = ARGS_FOR[ns][name](records) if needs_args(ns, name) else {}
            yield ns, name, reverse(f"{ns}:{name}", kwargs=kwargs)


def test_anonymous_visitors_are_sent_to_the_portal_login(client, members):
    login = reverse("portal:login")
    for ns, _name, url in _every_url(members["A"]):
        r = client.get(url)
        if ns == "portal":
            assert r.status_code == 302 and r["Location"].startswith(login), f"{url} answers {r.status_code}"
        else:
            assert r.status_code in (401, 403), f"{url} answers {r.status_code} to an anonymous caller"


def test_staff_without_a_member_account_get_403(client, members, users):
    client.force_login(users["zj_admin"])
    for _ns, _name, url in _every_url(members["A"]):
        r = client.get(url)
        assert r.status_code == 403, f"{url} answers {r.status_code} to staff without a member account"


# ---- (f) members on staff pages and the staff API ----------------------------------------------------

def staff_list_urls() -> dict[str, str]:
    """One URL without arguments from each staff namespace (not one members may open)."""
    out = {}
    for ns in sorted(get_resolver().namespace_dict):
        if ns in MEMBER_ALLOWED_NAMESPACES:
            continue
        _prefix, resolver = get_resolver().namespace_dict[ns]
        for p in _walk(resolver.url_patterns):
            if not p.name or f"{ns}:{p.name}" in MEMBER_ALLOWED_VIEWS or p.name in MEMBER_ALLOWED_VIEWS:
                continue
            try:
                out[ns] = reverse(f"{ns}:{p.name}")
            except NoReverseMatch:
                continue
            break
    return out


def test_a_member_is_kept_out_of_every_staff_namespace(client, members):
    urls = staff_list_urls()
    assert {"registry", "orgs", "cases"} <= set(urls), urls
    client.force_login(members["A"]["user"])
    for ns, url in urls.items():
        r = client.get(url)
        assert r.status_code == 403 or (r.status_code == 302 and r["Location"] == reverse("portal:home")), \
            f"{ns}: {url} answers {r.status_code} to a member"
        assert_no_markers(r, members["B"]["markers"], url)


def test_a_member_is_refused_every_staff_api_endpoint(client, members):
    from shanghui.api_urls import router

    client.force_login(members["A"]["user"])
    for prefix, _viewset, _basename in router.registry:
        r = client.get(f"/api/{prefix}/")
        assert r.status_code == 403, f"/api/{prefix}/ answers {r.status_code} to a member"
