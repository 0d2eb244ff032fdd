"""Hostile input on the web: CSRF, stored and reflected XSS (Chinese and emoji included), SQL injection in search
and filters, formula injection in exported sheets, security headers and cookies, `check --deploy`."""
import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.test import Client
from rest_framework.test import APIClient

from cases import services as case_services
from directory import services as directory_services
from portal import notices
from registry import services as registry_services
from tests.test_isolation import BUILDERS

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = "<script>alert(1)</script>测试😀"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOADS = [SCRIPT, IMG]
RAW = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


def assert_escaped(html: str, payload: str) -> None:
    """The payload is on the page, escaped, and none of its markup is live.

    Django's templates escape a quote as `&quot;`, the Jinja2 rows of the busiest lists (core.jinja) as `&#34;`.
    """
    from django.utils.html import escape
    from markupsafe import escape as jinja_escape

    assert escape(payload) in html or jinja_escape(payload) in html, f"{payload!r} not shown escaped"
    for raw in RAW:
        assert raw not in html


@pytest.fixture
def staff(client, users, settings):
    """hz_staff logged in on the web (plain HTTP)."""
    settings.SECURE_SSL_REDIRECT = False
    client.force_login(users["hz_staff"])
    return client


@pytest.fixture
def hostile(users, tree):
    """A person, a case, a product and a notice in 上城区 named by each payload."""
    by, org = users["zj_admin"], tree["sc"]
    made = []
    for p in PAYLOADS:
        enterprise = BUILDERS[__import__("registry.models", fromlist=["Enterprise"]).Enterprise](org, by, "杭州")
        made.append({
            "person": registry_services.create_person(by=by, org=org, name=p, category="relative"),
            "case": case_services.create_case(by=by, org=org, kind="consumer_dispute", applicant_name=p,
                                              subject=p, phone="13812345678"),
            "product": directory_services.create_product(by=by, enterprise=enterprise, name=p),
            "notice": notices.create_notice(by=by, org=org, title=p, body=p),
        })
    return made


# ---- CSRF -------------------------------------------------------------------------------------


def test_web_form_post_without_csrf_token_is_refused(users, tree, settings):
    settings.SECURE_SSL_REDIRECT = False
    c = Client(enforce_csrf_checks=True)
    c.force_login(users["hz_staff"])
    r = c.post("/registry/people/new/", {"org": tree["hz"].pk, "name": "王小明", "category": "relative"})
    assert r.status_code == 403
    from registry.models import Person

    assert not Person.objects.filter(name="王小明").exists()
    page = c.get("/registry/people/new/")
    token = page.cookies["csrftoken"].value
    r = c.post("/registry/people/new/", {"org": tree["hz"].pk, "name": "王小明", "category": "relative",
                                         "csrfmiddlewaretoken": token})
    assert r.status_code != 403


def test_session_authenticated_api_post_without_csrf_token_is_refused(users, tree, settings):
    settings.SECURE_SSL_REDIRECT = False
    c = APIClient(enforce_csrf_checks=True)
    c.force_login(users["hz_staff"])
    body = {"org": "hz", "name": "李四", "category": "relative", "country": "IT"}
    r = c.post("/api/people/", body, format="json")
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    c.get("/registry/people/new/")
    r = c.post("/api/people/", body, format="json", HTTP_X_CSRFTOKEN=c.cookies["csrftoken"].value)
    assert r.status_code == 201, r.content


def test_logout_is_a_post_with_a_token(users, settings):
    settings.SECURE_SSL_REDIRECT = False
    c = Client(enforce_csrf_checks=True)
    c.force_login(users["hz_staff"])
    assert c.post("/logout/").status_code == 403
    assert c.get("/registry/people/").status_code == 200


# ---- XSS --------------------------------------------------------------------------------------


def test_stored_xss_is_escaped_on_lists_details_search_and_fragments(staff, hostile):
    for made, payload in zip(hostile, PAYLOADS, strict=True):
        pages = [
            "/registry/people/", f"/registry/people/{made['person'].pk}/",
            "/cases/", f"/cases/{made['case'].pk}/",
            "/directory/", f"/directory/products/{made['product'].pk}/",
            "/members/notices/", f"/members/notices/{made['notice'].pk}/",
        ]
        for url in pages:
            r = staff.get(url)
            assert r.status_code == 200, url
            assert_escaped(r.content.decode(), payload)
        # search results, as a page and as the htmx fragment the list swaps in
        for url in ("/registry/people/", "/cases/"):
            for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
                r = staff.get(url, {"q": "测试" if payload == SCRIPT else "img"}, **headers)
                assert r.status_code == 200
                html = r.content.decode()
                if payload == SCRIPT:
                    assert_escaped(html, payload)
                for raw in RAW:
                    assert raw not in html


def test_stored_xss_is_escaped_in_the_api_as_data(users, hostile, api):
    people = api("hz_staff").get("/api/people/").json()["results"]
    assert {SCRIPT, IMG} <= {p["name"] for p in people}  # JSON data, unchanged: escaping is the page's job
    r = api("hz_staff").get("/api/people/")
    assert r["Content-Type"].startswith("application/json") and r["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", ["/registry/people/", "/registry/enterprises/", "/cases/", "/directory/",
                                 "/activities/", "/orgs/"])
def test_reflected_xss_through_query_parameters_is_escaped(staff, url):
    for payload in PAYLOADS:
        for params in ({"q": payload}, {"country": payload, "page": payload, "sort": payload},
                       {"org": payload, "kind": payload}):
            for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
                r = staff.get(url, params, **headers)
                assert r.status_code in (200, 400), (url, params, r.status_code)
                html = r.content.decode()
                for raw in RAW:
                    assert raw not in html, (url, params)


def test_reflected_xss_in_the_login_redirect_is_escaped(client, settings):
    settings.SECURE_SSL_REDIRECT = False
    r = client.get("/login/", {"next": IMG})
    assert r.status_code == 200
    assert "<img src=x onerror=alert(1)>" not in r.content.decode()


# ---- SQL injection ----------------------------------------------------------------------------

SQLI = ["' OR '1'='1", "1 OR 1=1", "'; DROP TABLE registry_person; --", "\" OR \"\"=\"", "1) OR (1=1",
        "%' OR 1=1 --", "' UNION SELECT username, password FROM auth_user --", "\\'; SELECT pg_sleep(1); --",
        "测试' OR 1=1 --😀"]


def test_sql_injection_in_search_and_filters_finds_nothing_extra(staff, users, tree, api):
    from registry.models import Person

    mine = BUILDERS[Person](tree["sc"], users["zj_admin"], "杭州")
    theirs = BUILDERS[Person](tree["wzc"], users["zj_admin"], "温州")
    for payload in SQLI:
        for params in ({"q": payload}, {"country": payload}, {"org": payload}, {"category": payload},
                       {"tag": payload}, {"page": payload}, {"q": payload, "org": "1 OR 1=1"}):
            r = staff.get("/registry/people/", params)
            assert r.status_code in (200, 400), (params, r.status_code)
            assert theirs.name not in r.content.decode()
            r = api("hz_staff").get("/api/people/", params)
            assert r.status_code in (200, 400, 404), (params, r.status_code)
            if r.status_code == 200:
                assert theirs.pk not in {p["id"] for p in r.json()["results"]}
    assert Person.objects.filter(pk__in=[mine.pk, theirs.pk]).count() == 2  # nothing dropped
    r = api("hz_staff").get("/api/people/", {"q": "' OR '1'='1"})
    assert r.status_code == 200 and r.json()["results"] == []


# ---- formula injection ------------------------------------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+2", "-2+3", "@SUM(A1:A2)", "\t=1+1",
            "\r=1+1", "＝1+1"]


def _cells(data) -> list:
    wb = openpyxl.load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data)
    return [c for row in wb.worksheets[0].iter_rows() for c in row if c.value is not None]


def test_exported_sheet_writes_formula_like_text_as_text(users, tree):
    from core.exporting import export

    registry_services.create_person(by=users["zj_admin"], org=tree["sc"], name="王小明", category="relative")
    names = [registry_services.create_person(by=users["zj_admin"], org=tree["sc"], name=text,
                                             category="relative").name for text in FORMULAS]
    out = io.BytesIO()
    export("people", users["hz_staff"], out)
    cells = {c.value: c for c in _cells(out.getvalue())}
    for name in names:
        cell = cells[name]  # the value is unchanged, so the export can be imported again
        assert cell.data_type == "s" and cell.quotePrefix, name
    assert not any(c.data_type == "f" for c in cells.values())
    assert not cells["王小明"].quotePrefix  # ordinary text is written as it is


def test_annotated_import_copy_keeps_formulas_as_text(tmp_path, users, tree):
    from core.importing.pipeline import run_import
    from core.importing.workbooks import write_annotated

    src = tmp_path / "people.csv"  # the classic vector: text in a CSV that a spreadsheet takes for formulas
    with open(src, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["姓名", "类别", "国家", "地址"])
        for text in FORMULAS:
            w.writerow([text, "不存在的类别", "IT", text])
    report = run_import("people", src, by=users["hz_staff"], org=tree["hz"], dry_run=True, filename="people.csv")
    assert report.rejected
    out = tmp_path / "annotated.xlsx"
    write_annotated(src, "people.csv", report, out)
    cells = _cells(str(out))
    texts = {c.value for c in cells}
    assert set(FORMULAS) <= texts
    assert not any(c.data_type == "f" for c in cells)
    assert all(c.quotePrefix for c in cells if c.value in FORMULAS)


def test_indicator_table_writes_names_as_text(users, tree):
    from stats.exporting import indicator_table

    class R:
        key, title, value, previous, change, unit, start, end, url = ("k", "=1+1", 1, 0, None, "个",
                                                                      "2025-01-01", "2025-12-31", "")
        description = "@SUM(A1)"

    cells = _cells(indicator_table([R()], user=users["hz_staff"], org=tree["hz"]))
    assert not any(c.data_type == "f" for c in cells)
    assert {"=1+1", "@SUM(A1)"} <= {c.value for c in cells}


# ---- headers and cookies ----------------------------------------------------------------------


def test_security_headers_on_pages(staff):
    r = staff.get("/registry/people/")
    csp = r["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives["style-src"]
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'self'" and directives["form-action"] == "'self'"
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert r["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in r  # plain HTTP in the tests


def test_hsts_and_secure_cookies_when_https(users, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    c = Client()
    assert c.get("/login/")["Location"].startswith("https://")  # plain HTTP is redirected
    r = c.get("/login/", secure=True)
    assert r["Strict-Transport-Security"].startswith("max-age=31536000")
    csrf = r.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    r = c.post("/login/", {"username": "hz_viewer", "password": "pw-hz_viewer-123"}, secure=True)
    assert r.status_code == 302, r.content[:500]
    session = r.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_check_deploy_has_no_warnings_in_production(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in {"HTTPS", "DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update({"DJANGO_SETTINGS_MODULE": "shanghui.settings", "DEBUG": "0", "HTTPS": "1",
                "SECRET_KEY": "p9#Lq2@xW7!vZ4$kR8^mT1&bN6*cY3(hJ5)gF0_dS-aE=uI+oP" * 2,
                "SHANGHUI_VAR_DIR": str(tmp_path), "ALLOWED_HOSTS": "shanghui.example.org"})
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0 and "no issues" in result.stdout, result.stdout + result.stderr
