"""Activities: registration limits and the waiting list, check-in by code, person-times across sessions,
projects and outcomes, volunteers, the import of a year and its indicators, API and pages."""
import datetime as dt
import io
import json
import random
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from activities import services
from activities.models import Activity, Attendance, Outcome, RegStatus, Stage
from registry import services as reg_services
from tests.importing import write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def training(users, tree):
    """A training of 杭州 with two places."""
    return services.create_activity(by=users["hz_staff"], org=tree["hz"], kind="training", title="跨境电商培训班",
                                    start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 20), capacity=2)


def _reg(activity, user, name):
    return services.register(by=user, activity=activity, name=name)


def test_places_then_the_waiting_list_then_promotion(training, users):
    by = users["hz_staff"]
    a, b, c, d = (_reg(training, by, n) for n in ("甲", "乙", "丙", "丁"))
    assert [r.status for r in (a, b, c, d)] == ["registered", "registered", "waitlisted", "waitlisted"]
    promoted = services.cancel_registration(by=by, registration=a)
    assert promoted.pk == c.pk  # the earliest waiting moves up
    c.refresh_from_db()
    assert c.status == RegStatus.REGISTERED
    assert training.registrations.filter(status="registered").count() == 2
    # More places let the rest of the list move up, in order.
    assert [r.pk for r in services.set_capacity(by=by, activity=training, capacity=5)] == [d.pk]
    # A registry person registers once.
    person = reg_services.create_person(by=by, org=training.org, name="王小明", category="relative")
    services.register(by=by, activity=training, person=person)
    with pytest.raises(ValidationError):
        services.register(by=by, activity=training, person=person)


def test_public_registration_needs_a_public_activity(training):
    with pytest.raises(PermissionDenied):
        services.register(by=None, activity=training, name="路人", channel="public")
    training.audience = "public"
    training.save()
    reg = services.register(by=None, activity=training, name="路人", phone="13812345678", channel="public")
    assert reg.status == "registered" and reg.channel == "public"


def test_check_in_by_code_and_person_times_across_sessions(training, users):
    by = users["hz_staff"]
    sessions = [services.add_session(by=by, activity=training, date=dt.date(2025, 3, d), hours=Decimal("2.5"))
                for d in (1, 8, 15)]
    a, b = _reg(training, by, "甲"), _reg(training, by, "乙")
    waiting = _reg(training, by, "丙")
    # 甲 comes to all three sessions (by QR code), 乙 to the first two (ticked on the list).
    for s in sessions:
        att, created = services.check_in(by=by, session=s, token=services.checkin_token(a))
        assert created and att.method == "qr"
    for s in sessions[:2]:
        services.check_in(by=by, session=s, registration=b)
    # Scanning the same code again does not count twice.
    assert services.check_in(by=by, session=sessions[0], token=services.checkin_token(a))[1] is False
    training.refresh_from_db()
    assert (training.participants, training.person_times, training.hours) == (2, 5, Decimal("12.5"))
    # A forged code, a code of another activity and a waiting-list code are refused.
    other = services.create_activity(by=by, org=training.org, kind="forum", title="座谈会", start=dt.date(2025, 4, 1))
    with pytest.raises(ValidationError):
        services.check_in(by=by, session=sessions[0], token=services.checkin_token(a) + "x")
    with pytest.raises(ValidationError):
        services.check_in(by=by, session=sessions[0], token=services.checkin_token(_reg(other, by, "戊")))
    with pytest.raises(ValidationError):
        services.check_in(by=by, session=sessions[0], token=services.checkin_token(waiting))
    # Untick.
    services.undo_check_in(by=by, session=sessions[1], registration=b)
    training.refresh_from_db()
    assert (training.participants, training.person_times) == (2, 4)
    # Check-in needs a grant that allows changes in the activity's organization.
    with pytest.raises(PermissionDenied):
        services.check_in(by=users["wz_staff"], session=sessions[2], registration=b)
    with pytest.raises(PermissionDenied):
        services.check_in(by=users["hz_viewer"], session=sessions[2], registration=b)


def test_a_project_signed_at_an_activity_is_among_its_outcomes(training, users):
    by = users["hz_staff"]
    project = services.create_project(by=by, org=training.org, name="回乡投资电商产业园", investor_name="王氏集团",
                                      amount=Decimal("30000"), activity=training)
    assert not Outcome.objects.filter(activity=training).exists()
    services.advance_project(by=by, project=project, stage=Stage.INTENTION, date=dt.date(2025, 3, 2))
    services.advance_project(by=by, project=project, stage=Stage.SIGNED, date=dt.date(2025, 3, 20))
    outcome = Outcome.objects.get(activity=training)
    assert (outcome.kind, outcome.amount, outcome.project_id) == ("signed", Decimal("30000"), project.pk)
    services.advance_project(by=by, project=project, stage=Stage.LANDED, date=dt.date(2025, 9, 1))
    project.refresh_from_db()
    assert project.landed_amount == Decimal("30000") and project.follow_ups.count() == 3
    with pytest.raises(ValidationError):
        services.advance_project(by=by, project=project, stage=Stage.DROPPED)
    services.advance_project(by=by, project=project, stage=Stage.DROPPED, reason="用地未落实")
    assert not Outcome.objects.filter(activity=training).exists()


def test_volunteer_hours_add_up(users, tree):
    by = users["hz_staff"]
    team = services.create_team(by=by, org=tree["hz"], name="侨界志愿服务队")
    person = reg_services.create_person(by=by, org=tree["hz"], name="李志愿", category="relative")
    v = services.add_volunteer(by=by, team=team, person=person)
    services.log_service(by=by, volunteer=v, date=dt.date(2025, 1, 5), hours="3.5", description="助老")
    services.log_service(by=by, volunteer=v, date=dt.date(2025, 2, 5), hours=2, description="义诊")
    v.refresh_from_db()
    assert v.hours == Decimal("5.5")
    with pytest.raises(ValidationError):
        services.log_service(by=by, volunteer=v, date=dt.date(2025, 2, 5), hours=0, description="无效")


# A year of activities imported, and the indicators that reproduce the sheet's totals ----------------

HEADER = ["编号", "类型", "名称", "开始日期", "结束日期", "城市", "考察目的地", "参加人数", "参加人次", "培训学时"]
KINDS = {"培训": "training", "考察": "study_trip", "公益活动": "public_welfare", "招商推介": "investment_promotion"}
PLACES = ["肯尼亚", "坦桑尼亚", "巴西", "美国", "意大利"]


def _sheet(n=120, seed=6):
    rnd = random.Random(seed)
    rows, facts = [HEADER], []
    for i in range(n):
        start = dt.date(2023, 11, 1) + dt.timedelta(days=rnd.randrange(0, 500))
        kind = rnd.choice(list(KINDS))
        people = rnd.randrange(5, 200)
        times = people * rnd.randrange(1, 6) if kind == "培训" else people
        hours = Decimal(times * 3) if kind == "培训" else Decimal(0)
        dests = "、".join(rnd.sample(PLACES, rnd.randrange(1, 3))) if kind == "考察" else ""
        rows.append([f"HD-{i:04d}", kind, f"{kind}活动{i}", start.strftime("%Y年%m月%d日"), "", "义乌", dests,
                     people, times, str(hours) if hours else ""])
        facts.append({"kind": KINDS[kind], "start": start, "people": people, "times": times, "hours": hours,
                      "dests": dests})
    return rows, facts


def _json(*args):
    out = io.StringIO()
    try:
        call_command(*args, "--format", "json", stdout=out, stderr=io.StringIO())
    except SystemExit:
        pass
    return json.loads(out.getvalue())


def test_a_year_of_activities_and_its_figures(users, tree, tmp_path):
    rows, facts = _sheet()
    path = write_xlsx(tmp_path / "活动台账.xlsx", rows)
    report = _json("import", "activities", str(path), "--org", "hz", "--user", "hz_staff")
    assert report["rejected"] == [] and report["created"] == len(facts)
    again = _json("import", "activities", str(path), "--org", "hz", "--user", "hz_staff")
    assert again["created"] == 0 and again["updated"] == len(facts)

    year = [f for f in facts if f["start"].year == 2024]
    by_kind = {}
    for f in year:
        by_kind[f["kind"]] = by_kind.get(f["kind"], 0) + 1
    trips = {}
    names = {"肯尼亚": "KE", "坦桑尼亚": "TZ", "巴西": "BR", "美国": "US", "意大利": "IT"}
    for f in year:
        for d in filter(None, f["dests"].split("、")):
            trips[names[d]] = trips.get(names[d], 0) + 1
    training = [f for f in year if f["kind"] == "training"]
    expected = {
        "activities.activities.count": len(year),
        "activities.activities.by_kind": by_kind,
        "activities.participants": sum(f["people"] for f in year),
        "activities.person_times": sum(f["times"] for f in year),
        "activities.training.sessions": len(training),
        "activities.training.trainees": sum(f["times"] for f in training),
        "activities.training.hours": int(sum(f["hours"] for f in training)),
        "activities.trips.by_destination": trips,
    }
    for key, value in expected.items():
        got = _json("indicator", key, "--org", "hz", "--from", "2024-01-01", "--to", "2024-12-31")
        assert got["value"] == value, key
    assert _json("indicator", "activities.participants", "--org", "zj", "--from", "2024-01-01",
                 "--to", "2024-12-31")["value"] == expected["activities.participants"]
    assert _json("indicator", "activities.participants", "--org", "wz", "--from", "2024-01-01",
                 "--to", "2024-12-31")["value"] == 0


def test_bad_activity_rows_are_rejected(users, tree, tmp_path):
    rows = [HEADER, ["", "不存在", "甲", "2024-01-05", "", "", "", 1, 1, ""],
            ["", "培训", "乙", "2024-01-05", "2024-01-01", "", "", 10, 5, ""],
            ["", "考察", "丙", "2024-01-05", "", "", "火星国", 3, 3, ""]]
    report = _json("import", "activities", str(write_xlsx(tmp_path / "bad.xlsx", rows)), "--org", "hz",
                   "--user", "hz_staff", "--dry-run")
    assert sorted((r["row"], r["column"]) for r in report["rejected"]) == [
        (2, "类型"), (3, "参加人次"), (3, "结束日期"), (4, "考察目的地")]


# API and pages ------------------------------------------------------------------------------------

def test_api_registers_waitlists_and_checks_in(api, users, tree):
    client = api("hz_staff")
    r = client.post("/api/activities/activities/", {"org": "hz", "kind": "forum", "title": "侨商座谈会",
                                                    "start": "2025-05-01", "capacity": 1}, format="json")
    assert r.status_code == 201, r.content
    aid = r.json()["id"]
    first = client.post("/api/activities/registrations/", {"activity": aid, "name": "甲", "phone": "13812345678"},
                        format="json").json()
    second = client.post("/api/activities/registrations/", {"activity": aid, "name": "乙"}, format="json").json()
    assert (first["status"], second["status"]) == ("registered", "waitlisted")
    assert first["phone"] == "138****5678"
    assert client.post(f"/api/activities/registrations/{first['id']}/check-in/", {}, format="json").status_code == 200
    assert client.get(f"/api/activities/activities/{aid}/").json()["person_times"] == 1
    r = client.post(f"/api/activities/registrations/{second['id']}/check-in/", {}, format="json")
    assert r.status_code == 400
    assert client.post(f"/api/activities/registrations/{first['id']}/cancel/").status_code == 200
    assert client.get(f"/api/activities/registrations/{second['id']}/").json()["status"] == "registered"
    assert api("hz_viewer").post("/api/activities/registrations/", {"activity": aid, "name": "丙"},
                                 format="json").status_code == 403
    assert api("wz_staff").get(f"/api/activities/activities/{aid}/").status_code == 404


def test_pages(client, users, training):
    by = users["hz_staff"]
    reg = _reg(training, by, "甲")
    client.force_login(by)
    for url in ("/activities/", f"/activities/{training.pk}/", f"/activities/{training.pk}/checkin/",
                f"/activities/registrations/{reg.pk}/pass/", "/activities/projects/", "/activities/volunteers/",
                "/activities/volunteers/services/", "/stats/"):
        assert client.get(url).status_code == 200, url
    r = client.post(f"/activities/{training.pk}/checkin/code/", {"code": services.checkin_token(reg)})
    assert "签到成功" in r.content.decode()
    assert Attendance.objects.filter(registration=reg).count() == 1
    client.force_login(users["wz_staff"])
    assert client.get(f"/activities/{training.pk}/").status_code == 404
    assert client.get(f"/activities/{training.pk}/checkin/").status_code == 404
    # The public link works without a login for a public activity only.
    client.logout()
    from activities.views import public_link_token

    assert client.get(f"/activities/join/{public_link_token(training)}/").status_code == 404
    Activity.objects.filter(pk=training.pk).update(audience="public")
    token = public_link_token(training)
    r = client.post(f"/activities/join/{token}/", {"name": "路人乙", "phone": "13812345678"})
    assert r.status_code == 302 and "/activities/pass/" in r["Location"]
    assert client.get(r["Location"]).status_code == 200


def _real_png() -> bytes:
    """A small valid PNG (uploads are verified by Pillow)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


def test_photos_and_files(client, users, training):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(users["hz_staff"])
    png = SimpleUploadedFile("合影.png", _real_png(), content_type="image/png")
    r = client.post(f"/activities/{training.pk}/files/", {"file": png, "caption": "开班合影"})
    assert r.status_code == 302
    f = training.files.get()
    assert f.is_photo and f.caption == "开班合影"
    assert "开班合影" in client.get(f"/activities/{training.pk}/").content.decode()
    assert client.get(f"/activities/files/{f.pk}/").status_code == 200
    fake = SimpleUploadedFile("假.pdf", b"not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.add_file(by=users["hz_staff"], activity=training, upload=fake)
    client.force_login(users["wz_staff"])
    assert client.get(f"/activities/files/{f.pk}/").status_code == 404


def test_list_and_detail_pages_do_not_grow_with_rows(client, users, training, django_assert_max_num_queries):
    by = users["hz_staff"]
    for i in range(3):
        services.create_activity(by=by, org=training.org, kind="forum", title=f"座谈会{i}", start=dt.date(2025, 4, i + 1))
        _reg(training, by, f"学员{i}")
    client.force_login(by)
    with django_assert_max_num_queries(40) as few:
        client.get("/activities/")
        client.get(f"/activities/{training.pk}/")
        client.get(f"/activities/{training.pk}/checkin/")
    baseline = len(few.captured_queries)
    for i in range(30):
        services.create_activity(by=by, org=training.org, kind="forum", title=f"论坛{i}", start=dt.date(2025, 5, 1))
        _reg(training, by, f"新学员{i}")
    with django_assert_max_num_queries(baseline):
        client.get("/activities/")
        client.get(f"/activities/{training.pk}/")
        client.get(f"/activities/{training.pk}/checkin/")


def test_the_project_form_names_its_responsible_staff_member_from_the_subtree(client, users, tree):
    from activities.forms import ProjectForm

    form = ProjectForm(user=users["hz_staff"])
    choices = {u.username for u in form.fields["staff"].queryset}
    assert {"hz_staff", "hz_admin"} <= choices
    assert "wz_staff" not in choices and "hz_viewer" not in choices
    client.force_login(users["hz_staff"])
    r = client.post("/activities/projects/new/", {"org": tree["hz"].pk, "name": "侨商回归产业园", "investor_name": "陈氏集团",
                                                  "amount": "5000", "landed_amount": "0", "staff": users["hz_admin"].pk})
    assert r.status_code == 302, r.content.decode()[:2000]
    from activities.models import Project

    assert Project.objects.get(name="侨商回归产业园").staff == users["hz_admin"]
    refused = client.post("/activities/projects/new/", {"org": tree["hz"].pk, "name": "越界", "amount": "1",
                                                        "landed_amount": "0", "staff": users["wz_staff"].pk})
    assert refused.status_code == 200 and not Project.objects.filter(name="越界").exists()
