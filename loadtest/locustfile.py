"""The load test's mix (`make loadtest`): staff browsing and searching, the public intake, imports running.

Weights follow a county office's day: most requests are staff opening lists, people and
searches; the public reads the intake and the catalogue and sometimes files a request;
one staff member keeps importing a small sheet. Credentials come from prepare.py.

Staff and the public browse with locust's FastHttpUser, whose client costs the shared machine about a
third of what python-requests does; the importer keeps HttpUser for its multipart upload. A page must
answer 200 itself: a redirect (to the login page, when a session is lost) counts as a failure.
"""
import csv
import io
import json
import random
import re
from pathlib import Path

from locust import FastHttpUser, HttpUser, between, task
from requests.cookies import create_cookie

CREDENTIALS = json.loads((Path(__file__).resolve().parent.parent / "var" / "loadtest" / "credentials.json")
                         .read_text())
SEARCHES = ["王", "wang", "陈", "zhang", "李明", "义乌", "意大利", "lx", "温州", "青田"]


def _csrf(response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
    return match.group(1) if match else ""


def _resume_session(user) -> None:
    """Put one of prepare.py's logged-in sessions into this simulated browser's cookies."""
    cookie = create_cookie(CREDENTIALS["session_cookie"], random.choice(CREDENTIALS["sessions"]))
    jar = getattr(user.client, "cookiejar", None)  # FastHttpUser's; HttpUser's client is a requests session
    if jar is None:
        jar = user.client.cookies
    jar.set_cookie(cookie)


def _get(user, path: str, name: str, **kwargs) -> None:
    """GET a page or endpoint that must answer 200 itself; anything else is counted as a failure."""
    with user.client.get(path, name=name, allow_redirects=False, catch_response=True, **kwargs) as response:
        if response.status_code != 200:
            response.failure(f"HTTP {response.status_code}")


class Staff(FastHttpUser):
    """A secretary: lists, a person's page, searches in the web UI and through the API."""

    weight = 6
    wait_time = between(0.5, 2)

    def on_start(self):
        """Take up one of the sessions logged in beforehand (prepare.py), as a secretary's browser holds one."""
        _resume_session(self)
        self.api = {"Authorization": f"Token {CREDENTIALS['token']}"}

    @task(4)
    def people_list(self):
        _get(self, "/registry/people/", "/registry/people/")

    @task(3)
    def person(self):
        _get(self, f"/registry/people/{random.choice(CREDENTIALS['person_ids'])}/", "/registry/people/<id>/")

    @task(4)
    def search_web(self):
        q = random.choice(SEARCHES + CREDENTIALS["names"][:20])
        _get(self, "/registry/people/", "/registry/people/?q=", params={"q": q})

    @task(3)
    def search_api(self):
        q = random.choice(SEARCHES + CREDENTIALS["names"][:20])
        _get(self, "/api/people/", "/api/people/?q=", params={"q": q}, headers=self.api)

    @task(1)
    def home(self):
        _get(self, "/", "/")


class Public(FastHttpUser):
    """A visitor: the intake page, the catalogue, and now and then a request filed through the API."""

    weight = 3
    wait_time = between(1, 3)

    @task(3)
    def intake_page(self):
        _get(self, "/intake/", "/intake/")

    @task(3)
    def catalogue(self):
        _get(self, "/catalogue/", "/catalogue/")

    @task(1)
    def file_request(self):
        challenge = self.client.get("/api/public/intake/challenge/", name="/api/public/intake/challenge/").json()
        a, b = (int(n) for n in re.findall(r"\d+", challenge["question"])[:2])
        self.client.post("/api/public/intake/", json={
            "challenge": challenge["token"], "answer": str(a + b), "org": CREDENTIALS["org"],
            "kind": "policy_consultation", "subject": "咨询回国投资政策", "description": "想了解在义乌投资设厂的政策。",
            "applicant_name": "测试访客", "phone": "13800138000",
        }, name="/api/public/intake/")


class Importer(HttpUser):
    """One secretary importing a 200-row sheet of people again and again (all-or-nothing writes)."""

    fixed_count = 1
    wait_time = between(15, 25)

    def on_start(self):
        """Take up a session logged in beforehand."""
        _resume_session(self)
        self.round = 0

    @task
    def import_sheet(self):
        self.round += 1
        buffer = io.StringIO()
        w = csv.writer(buffer)
        w.writerow(["姓名", "类别", "居住国"])
        for i in range(200):
            w.writerow([f"压测{self.round}-{i}", "侨眷", "意大利"])
        page = self.client.get("/import/", name="/import/")
        self.client.post("/import/", data={"kind": "people", "mode": "all", "org": CREDENTIALS["org_pk"],
                                           "csrfmiddlewaretoken": _csrf(page)},
                         files={"file": ("load.csv", buffer.getvalue().encode("utf-8"), "text/csv")},
                         name="/import/ [post]")
