"""The load test's mix (`make loadtest`): staff browsing and searching, the public intake, imports running.

Weights follow a county office's day: most requests are staff opening lists, people and
searches; the public reads the intake and the catalogue and sometimes files a request;
one staff member keeps importing a small sheet. Credentials come from prepare.py.
"""
import csv
import io
import json
import random
import re
from pathlib import Path

from locust import HttpUser, between, task

CREDENTIALS = json.loads((Path(__file__).resolve().parent.parent / "var" / "loadtest" / "credentials.json")
                         .read_text())
SEARCHES = ["王", "wang", "陈", "zhang", "李明", "义乌", "意大利", "lx", "温州", "青田"]


def _csrf(response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
    return match.group(1) if match else ""


def _resume_session(user) -> None:
    """Put one of prepare.py's logged-in sessions into this simulated browser's cookies."""
    user.client.cookies.set(CREDENTIALS["session_cookie"], random.choice(CREDENTIALS["sessions"]))


class Staff(HttpUser):
    """A secretary: lists, a person's page, searches in the web UI and through the API."""

    weight = 6
    wait_time = between(0.5, 2)

    def on_start(self):
        """Take up one of the sessions logged in beforehand (prepare.py), as a secretary's browser holds one."""
        _resume_session(self)
        self.api = {"Authorization": f"Token {CREDENTIALS['token']}"}

    @task(4)
    def people_list(self):
        self.client.get("/registry/people/", name="/registry/people/")

    @task(3)
    def person(self):
        self.client.get(f"/registry/people/{random.choice(CREDENTIALS['person_ids'])}/", name="/registry/people/<id>/")

    @task(4)
    def search_web(self):
        q = random.choice(SEARCHES + CREDENTIALS["names"][:20])
        self.client.get("/registry/people/", params={"q": q}, name="/registry/people/?q=")

    @task(3)
    def search_api(self):
        q = random.choice(SEARCHES + CREDENTIALS["names"][:20])
        self.client.get("/api/people/", params={"q": q}, headers=self.api, name="/api/people/?q=")

    @task(1)
    def home(self):
        self.client.get("/", name="/")


class Public(HttpUser):
    """A visitor: the intake page, the catalogue, and now and then a request filed through the API."""

    weight = 3
    wait_time = between(1, 3)

    @task(3)
    def intake_page(self):
        self.client.get("/intake/", name="/intake/")

    @task(3)
    def catalogue(self):
        self.client.get("/catalogue/", name="/catalogue/")

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
