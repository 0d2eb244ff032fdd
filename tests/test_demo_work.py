"""The demo's year of work: a fresh `make run` shows live figures, a member portal and a campaign."""
import json
from io import StringIO

from django.core.management import call_command


def test_demo_work_fills_the_dashboards_and_a_member_can_log_in(db, client, monkeypatch):
    monkeypatch.setenv("SHANGHUI_DEMO_PASSWORD", "Demo-pass-2024!")
    call_command("demo", people=400, stdout=StringIO())
    out = StringIO()
    call_command("demo_work", format="json", stdout=out)
    made = json.loads(out.getvalue())
    assert made["cases"] == 35 and made["activities"] == 15 and made["products"] > 0 and made["notices"] == 6
    assert made["donations"] > 0 and made["campaign"].startswith("yw-")

    from django.contrib.auth import get_user_model

    from stats.indicators import evaluate

    zhejiang = get_user_model().objects.get(username="zhejiang")
    for key in ("cases.received", "cases.resolved", "activities.person_times", "charity.donations.total"):
        assert evaluate(key, user=zhejiang).value, key

    # The demo member logs in to the portal with its phone number and sees its association's notices.
    login = made["member"]["login"]
    r = client.post("/my/login/", {"username": login, "password": "Demo-pass-2024!"})
    assert r.status_code == 302, r.content.decode()[:500]
    home = client.get("/my/").content.decode()
    assert "关于缴纳年度会费的通知" in home or "会费" in home

    again = StringIO()
    call_command("demo_work", format="json", stdout=again)
    assert json.loads(again.getvalue())["skipped"] is True
