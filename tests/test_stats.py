"""Statistics against a hand-counted fixture: coverage, links to the rows, snapshots, review, reporting, xlsx."""
import datetime as dt
import io
import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from orgs.models import Organization
from registry import services as reg
from registry.models import Person
from stats import review as review_lib
from stats import services
from stats.figures import figure, ranking, series
from stats.indicators import cumulative, evaluate
from stats.models import Snapshot, Submission
from tests import factories as f

Y2025 = {"start": dt.date(2025, 1, 1), "end": dt.date(2025, 12, 31)}


def _aged(obj, year):
    type(obj).objects.filter(pk=obj.pk).update(created_at=timezone.make_aware(dt.datetime(year, 3, 1)))


@pytest.fixture
def world(users, tree):
    """Under 杭州 (13 counties in GB/T 2260): 上城区 (county, 2024), 西湖区 (county, 2025);
    under 上城区 two town federations, 湖滨 with a 侨胞之家 and 清波 without.
    People: 甲 hz IT 2024, 乙 hz IT 2025, 丙 sc ES 2025 (祖籍 330782), 丁 wz FR 2025."""
    for key in ("zj", "hz", "sc", "wz", "wzc"):
        _aged(tree[key], 2024)
    xh = f.org("hz-xh", "西湖区侨联", tree["hz"], region="330106")
    _aged(xh, 2025)
    hb = f.org("sc-hb", "湖滨街道侨联", tree["sc"], region="330102")
    jia = f.org("sc-hb-jia", "湖滨街道侨胞之家", hb, kind="service_point", region="330102")
    qb = f.org("sc-qb", "清波街道侨联", tree["sc"], region="330102")
    for o in (hb, jia, qb):
        _aged(o, 2025)
    by = users["zj_admin"]
    people = {}
    for name, org, country, region, year in [("甲", "hz", "IT", "", 2024), ("乙", "hz", "IT", "", 2025),
                                             ("丙", "sc", "ES", "330782", 2025), ("丁", "wz", "FR", "", 2025)]:
        p = reg.create_person(by=by, org=tree[org], name=name, category="overseas_chinese", country=country,
                              home_region=region)
        _aged(p, year)
        people[name] = p
    return {"xh": xh, "hb": hb, "qb": qb, "jia": jia, **people}


def test_county_and_town_coverage_with_year_over_year(users, tree, world):
    by = users["zj_admin"]
    r = evaluate("orgs.coverage.counties_covered", user=by, org=tree["hz"], **Y2025)
    assert (r.value, r.previous) == (2, 1)  # 上城区 since 2024, 西湖区 new in 2025
    assert evaluate("orgs.coverage.counties", user=by, org=tree["hz"], **Y2025).value == 13
    r = evaluate("orgs.coverage.county_share", user=by, org=tree["hz"], **Y2025)
    assert (r.value, r.previous) == (15.38, 7.69)
    assert evaluate("orgs.coverage.towns", user=by, org=tree["hz"], **Y2025).value == 2
    assert evaluate("orgs.coverage.towns_served", user=by, org=tree["hz"], **Y2025).value == 1
    r = evaluate("orgs.coverage.town_share", user=by, org=tree["hz"], **Y2025)
    assert (r.value, r.previous) == (50.0, 0.0)
    assert evaluate("orgs.service_points.count", user=by, org=tree["zj"], **Y2025).value == 1
    # A subtree: 上城区 alone is one county, covered.
    assert evaluate("orgs.coverage.county_share", user=by, org=tree["sc"], **Y2025).value == 100.0
    # 温州 has no county federation.
    assert evaluate("orgs.coverage.counties_covered", user=by, org=tree["wz"], **Y2025).value == 0


def test_county_user_never_sees_the_province_beyond_its_own(users, tree, world):
    county = f.user("sc_viewer", (tree["sc"], "viewer"))
    assert evaluate("registry.people.count", user=county, org=tree["zj"], **Y2025).value == 1
    assert evaluate("orgs.coverage.counties_covered", user=county, **Y2025).value == 1
    assert evaluate("registry.people.by_country", user=county, **Y2025).value == {"ES": 1}
    # A snapshot of the province is not served to a user who cannot view the province.
    services.refresh_snapshots(by=users["zj_admin"], orgs=[tree["zj"]], year=2025, keys=["registry.people.count"])
    assert figure("registry.people.count", user=county, org=tree["zj"], **Y2025).value == 1


def test_cumulative_and_per_period_forms_and_trend(users, tree, world):
    by = users["zj_admin"]
    assert evaluate("registry.people.registered", user=by, org=tree["hz"], **Y2025).value == 2
    assert cumulative("registry.people.registered", user=by, org=tree["hz"], end=dt.date(2025, 12, 31)).value == 3
    points = series("registry.people.registered", user=by, org=tree["zj"], years=[2024, 2025])
    assert [p["value"] for p in points] == [1, 3]
    points = series("registry.people.count", user=by, org=tree["zj"], years=[2024, 2025])
    assert [p["value"] for p in points] == [1, 4]


def test_rows_behind_a_figure_are_the_counted_rows(client, users, tree, world):
    by = users["hz_staff"]
    r = evaluate("registry.people.by_country", user=by, org=tree["hz"], **Y2025)
    assert r.value == {"IT": 2, "ES": 1}
    from stats.indicators import REGISTRY, Scope, records_url

    url = records_url(REGISTRY["registry.people.by_country"], Scope(by, tree["hz"], **Y2025), "IT")
    assert "country=IT" in url and "org=hz" in url
    client.force_login(by)
    page = client.get(url).content.decode()
    assert "甲" in page and "乙" in page and "丙" not in page
    reg_url = evaluate("registry.people.registered", user=by, org=tree["hz"], **Y2025).url
    page = client.get(reg_url).content.decode()
    assert "乙" in page and "丙" in page and "甲" not in page
    assert "kind=qiaolian" in evaluate("orgs.coverage.counties_covered", user=by, org=tree["hz"], **Y2025).url


def test_ranking_of_subtrees(users, tree, world):
    rows = ranking("registry.people.count", user=users["zj_admin"], org=tree["zj"], **Y2025)
    assert [(r["code"], r["value"]) for r in rows] == [("hz", 3), ("wz", 1)]
    rows = ranking("registry.people.count", user=users["hz_staff"], org=tree["hz"], **Y2025)
    assert [(r["code"], r["value"]) for r in rows] == [("hz-sc", 1), ("hz-xh", 0)]


def test_snapshots_serve_the_dashboard_and_say_how_fresh(users, tree, world):
    by = users["zj_admin"]
    call_command("stats_snapshots", "--org", "zj", "--year", "2025", stdout=StringIO())
    assert Snapshot.objects.filter(org=tree["zj"], key="registry.people.count").exists()
    Snapshot.objects.filter(org=tree["zj"], key="registry.people.count").update(value=999)
    start, end = dt.date(2025, 1, 1), min(dt.date(2025, 12, 31), dt.date.today())
    r = figure("registry.people.count", user=by, org=tree["zj"], start=start, end=end)
    assert r.value == 999 and r.computed_at is not None
    Snapshot.objects.update(computed_at=timezone.now() - dt.timedelta(days=3))
    assert figure("registry.people.count", user=by, org=tree["zj"], start=start, end=end).value == 4


def test_a_large_subtree_is_never_computed_in_the_request(client, users, tree, world, settings):
    """Above STATS_LIVE_LIMIT people without fresh snapshots: the job starts (once), the page shows the
    previous snapshots with their time, or, with none at all, the user is sent to the job's page."""
    from django.core.cache import cache

    from core.models import Job

    settings.STATS_LIVE_LIMIT = 2  # 浙江省侨联's subtree holds more: it counts as large
    cache.clear()
    client.force_login(users["zj_admin"])
    first = client.get("/stats/zj/?year=2025")
    job = Job.objects.get(kind="stats.snapshots")
    assert first.status_code == 302 and first["Location"] == f"/jobs/{job.pk}/"
    assert job.params == {"org": "zj", "year": 2025}
    client.get("/stats/zj/?year=2025")
    assert Job.objects.filter(kind="stats.snapshots").count() == 1  # not a second job while one waits
    other = f.user("zj_other", (tree["zj"], "staff"))
    client.force_login(other)
    assert client.get("/stats/zj/?year=2025")["Location"] == "/"  # someone else's job: not theirs to open
    client.force_login(users["zj_admin"])

    call_command("stats_snapshots", "--org", "zj", "--year", "2025", stdout=StringIO())
    Snapshot.objects.filter(org=tree["zj"], key="registry.people.count").update(value=999)
    assert "999" in client.get("/stats/zj/?year=2025").content.decode()  # fresh snapshots: served
    Snapshot.objects.update(computed_at=timezone.now() - dt.timedelta(days=3))
    Job.objects.update(status="succeeded")
    stale = client.get("/stats/zj/?year=2025")
    assert stale.status_code == 200 and "999" in stale.content.decode()  # the old figure, not a live count
    assert "以下为上次计算的数字" in stale.content.decode()
    assert Job.objects.filter(kind="stats.snapshots", status="queued").count() == 1
    settings.STATS_LIVE_LIMIT = 10**9
    cache.clear()
    assert "999" not in client.get("/stats/zj/?year=2025").content.decode()  # small: computed live


def test_dashboard_pages(client, users, tree, world):
    client.force_login(users["hz_staff"])
    page = client.get("/stats/?year=2025")
    assert page.status_code == 200
    body = page.content.decode()
    assert "杭州市侨联" in body and 'id="stats-data"' in body and "数据时间" in body
    data = json.loads(body.split('id="stats-data" type="application/json">')[1].split("</script>")[0])
    assert {i["name"]: i["value"] for i in data["world"]} == {"IT": 2, "ES": 1}
    assert all("country=" in i["url"] for i in data["world"])
    assert client.get("/stats/wz/").status_code == 404
    assert client.get("/stats/hz-sc/review/?year=2025").status_code == 200
    assert client.get("/stats/hz/reports/?period=2025").status_code == 200


def test_xlsx_export_of_the_indicator_table(client, users, tree, world):
    from python_calamine import CalamineWorkbook

    client.force_login(users["hz_staff"])
    response = client.get("/stats/hz/export.xlsx?year=2025")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_name("指标").to_python()
    by_key = {r[0]: r for r in rows[1:]}
    assert by_key["registry.people.count"][2] == 3
    assert by_key["orgs.coverage.counties_covered"][2:4] == [2, 1]
    assert "人员居住国分布" in book.sheet_names
    country = book.get_sheet_by_name("人员居住国分布").to_python()
    assert ["意大利", "IT", 2] == country[1][:3]
    assert country[0][0] == "项目"
    assert client.get("/stats/wz/export.xlsx").status_code == 404


def test_english_breakdown_sheets_head_their_rows_as_items(client, users, tree, world):
    """项目 heading a breakdown (one row per country, industry …) is an item, not a project."""
    from python_calamine import CalamineWorkbook

    client.force_login(users["hz_staff"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    book = CalamineWorkbook.from_filelike(io.BytesIO(client.get("/stats/hz/export.xlsx?year=2025").content))
    summary, breakdown = book.sheet_names[:2]
    assert book.get_sheet_by_name(summary).to_python()[0][0] == "Indicator code"
    assert book.get_sheet_by_name(breakdown).to_python()[0][0] == "Item"


def test_review_renders_chinese_in_pdf_and_docx(users, tree, world, tmp_path):
    from docx import Document
    from pypdf import PdfReader

    services.save_template(by=users["hz_staff"], org=tree["hz"], title="杭州市侨联2025年度工作回眸", body=(
        "# 一、侨情工作\n本年度新登记人员{registry.people.registered}人，同比{registry.people.registered.change}；"
        "累计{registry.people.count}人，主要分布在{registry.people.by_country.top}。\n"
        "[chart registry.people.by_country]\n"
        "# 二、组织网络\n县级侨联覆盖率{orgs.coverage.county_share}%。"))
    pdf = tmp_path / "r.pdf"
    call_command("review", "hz", "--year", "2025", "--format", "pdf", "--out", str(pdf), stdout=StringIO())
    text = "".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    compact = text.replace(" ", "").replace("\n", "")
    assert "杭州市侨联2025年度工作回眸" in compact
    assert "本年度新登记人员2[1]人，同比增长100%[1]" in compact
    assert "意大利（2人）" in compact and "县级侨联覆盖率15.38[4]%" in compact
    assert "截至期末登记人员按居住国统计" in compact  # each figure's definition is in the notes
    docx = tmp_path / "r.docx"
    call_command("review", "hz", "--year", "2025", "--format", "docx", "--out", str(docx), stdout=StringIO())
    doc = Document(str(docx))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "本年度新登记人员2［1］人，同比增长100%［1］" in text
    assert doc.tables[0].rows[1].cells[0].text == "意大利"
    assert "期内新登记的人员数" in text
    html = tmp_path / "r.html"
    call_command("review", "hz", "--year", "2025", "--format", "html", "--out", str(html), stdout=StringIO())
    assert "registry/people/?" in html.read_text() and "<svg" in html.read_text()


def test_default_template_per_kind_and_edit_in_the_ui(client, users, tree, world):
    r = review_lib.render(tree["wzc"], 2025, user=users["zj_admin"])
    assert r.title == "温州市侨商会年度工作回眸" and "凝聚侨力" in r.sections[0].heading
    client.force_login(users["hz_staff"])
    page = client.get("/stats/hz/review/edit/")
    assert "{registry.people.registered}" in page.content.decode()
    response = client.post("/stats/hz/review/edit/", {"title": "回眸", "body": "# 概况\n共{registry.people.count}人。",
                                                       "save": "1"})
    assert response.status_code == 302
    page = client.get("/stats/hz/review/?year=2025").content.decode()
    assert "共" in page and 'data-indicator="registry.people.count"' in page
    client.force_login(users["hz_viewer"])
    assert client.get("/stats/hz/review/edit/").status_code == 403


def test_reporting_up_the_tree(client, users, tree, world):
    by = users["zj_admin"]
    services.submit(by=by, org=world["jia"], period="2025")  # 侨胞之家 → 湖滨街道 → 上城区: two levels up
    services.submit(by=by, org=world["hb"], period="2025")
    county = services.submit(by=by, org=tree["sc"], period="2025")
    assert county.parent == tree["hz"] and county.figures["registry.people.count"] == 1
    assert county.figures["orgs.service_points.count"] == 1
    assert "orgs.coverage.towns" not in county.figures  # depends on the levels above: not additive
    rows = services.status(by=users["hz_staff"], org=tree["hz"], period="2025")
    assert {r["org"].code: bool(r["submission"]) for r in rows} == {"hz-sc": True, "hz-xh": False}
    # 杭州's own figures: its own records (甲, 乙) plus 上城区's report (丙).
    city = services.rollup(by=users["hz_staff"], org=tree["hz"], period="2025")
    assert city["registry.people.count"] == 3 and city["orgs.service_points.count"] == 1
    assert "orgs.coverage.county_share" not in city  # shares do not add up
    sub = services.submit(by=users["hz_staff"], org=tree["hz"], period="2025")
    assert sub.parent == tree["zj"] and sub.figures["registry.people.count"] == 3
    with pytest.raises(PermissionDenied):
        services.submit(by=users["hz_staff"], org=tree["wz"], period="2025")
    with pytest.raises(ValidationError):
        services.submit(by=by, org=tree["sc"], period="2025Q5")
    assert services.period_bounds("2025Q2") == (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    # 温州 sees nothing of 杭州's reports; the web page lists who submitted.
    assert not Submission.objects.visible_to(users["wz_staff"]).exists()
    client.force_login(users["hz_staff"])
    page = client.get("/stats/hz/reports/?period=2025").content.decode()
    assert "已报送" in page and "未报送" in page
    response = client.post("/stats/hz-xh/reports/submit/", {"period": "2025"})
    assert response.status_code == 302 and Submission.objects.filter(org=world["xh"]).exists()


def test_api_gives_the_link_and_definition(api, users, tree, world):
    body = api("hz_staff").get("/api/indicators/orgs.coverage.county_share/",
                               {"org": "hz", "from": "2025-01-01", "to": "2025-12-31"}).json()
    assert body["value"] == 15.38 and body["url"].startswith("/orgs/list/?") and body["description"]


def test_person_list_filters_by_registration_date(client, users, tree, world):
    client.force_login(users["hz_staff"])
    page = client.get("/registry/people/?created_to=2024-12-31").content.decode()
    assert "甲" in page and "乙" not in page
    assert Person.objects.count() == 4 and Organization.objects.count() == 9


def test_bench_hook_times_the_dashboard(users, tree, world):
    from stats.bench import bench_dashboard

    def timed(fn, repeat, warmup=2):
        fn(0)
        return {"n": repeat}

    out = bench_dashboard(users["zj_admin"], timed=timed, org=tree["zj"])
    assert out["org"] == "zj" and out["refresh_s"] >= 0 and out["dashboard_snapshot"] == {"n": 5}
    assert Snapshot.objects.filter(org=tree["zj"], key="ranking:registry.people.count").exists()


def test_bench_volume_adds_cases_and_participations_once(users, tree):
    from activities.models import Activity, Attendance
    from cases.models import Case
    from stats.bench import build_volume
    from stats.indicators import evaluate

    reg.create_person(by=users["zj_admin"], org=tree["sc"], name="基准人员", category="relative")
    built = build_volume(250, 230, log=lambda m: None)
    assert built == {"cases": 250, "participations": 230}
    assert Case.objects.count() == 250 and Attendance.objects.count() == 230
    assert sum(Activity.objects.values_list("person_times", flat=True)) == 230
    assert build_volume(250, 230, log=lambda m: None) == {"cases": 0, "participations": 0}
    year = dt.date.today().year
    received = evaluate("cases.received", user=users["zj_admin"], org=tree["zj"], start=dt.date(year - 1, 1, 1),
                        end=dt.date(year, 12, 31))
    assert received.value == 250


def test_review_maps_shade_the_countries_and_provinces_of_the_people(users, tree, world):
    from stats import review

    body = "# 分布\n[map world registry.people.by_country]\n[map china registry.people.by_home_province]"
    r = review.render(tree["hz"], 2025, user=users["hz_staff"], title="回眸", body=body)
    world_map, china_map = r.sections[0].blocks
    svg = world_map.svg()
    assert svg.startswith("<svg") and 'data-code="IT"' in svg and 'data-code="FR"' in svg
    it = svg.split('data-code="IT"')[0].rsplit("<path", 1)[1]
    fr = svg.split('data-code="FR"')[0].rsplit("<path", 1)[1]
    assert 'fill="#eeeeee"' in fr, "丁 (FR) is in 温州, outside 杭州's subtree"
    assert 'fill="#eeeeee"' not in it
    assert world_map.values == {"IT": 2, "ES": 1}
    assert 'data-code="330000"' in china_map.svg() and china_map.values == {"330000": 1}
    pdf = review.to_pdf(r)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    docx = review.to_docx(r)
    assert docx[:2] == b"PK"


def test_a_parent_sends_a_report_back_and_it_stops_rolling_up(client, users, tree, world, mailoutbox,
                                                                 django_capture_on_commit_callbacks):
    county = services.submit(by=users["hz_staff"], org=tree["sc"], period="2025")
    county.submitted_by.email = "sc@example.com"
    county.submitted_by.save()
    assert services.rollup(by=users["hz_staff"], org=tree["hz"], period="2025")["registry.people.count"] == 3
    with pytest.raises(ValidationError):
        services.send_back(by=users["hz_staff"], submission=county, reason=" ")
    with pytest.raises(PermissionDenied):
        services.send_back(by=users["wz_staff"], submission=county, reason="数据有误")
    client.force_login(users["hz_staff"])
    r = client.post(f"/stats/hz/reports/{county.pk}/send-back/", {"reason": "侨胞人数与台账不符"})
    assert r.status_code == 302
    county.refresh_from_db()
    assert county.returned and county.return_reason == "侨胞人数与台账不符"
    assert services.rollup(by=users["hz_staff"], org=tree["hz"], period="2025")["registry.people.count"] == 2
    assert "已退回" in client.get("/stats/hz/reports/?period=2025").content.decode()
    assert "侨胞人数与台账不符" in client.get("/stats/hz-sc/reports/?period=2025").content.decode()
    again = services.submit(by=users["hz_staff"], org=tree["sc"], period="2025")
    assert not again.returned
    assert services.rollup(by=users["hz_staff"], org=tree["hz"], period="2025")["registry.people.count"] == 3


def test_api_submissions_and_review_templates(api, users, tree, world):
    staff = api("hz_staff")
    r = staff.post("/api/stats/submissions/", {"org": "hz-sc", "period": "2025", "note": "年报"}, format="json")
    assert r.status_code == 201, r.content
    sub = r.json()
    assert sub["parent"] == "hz" and sub["figures"]["registry.people.count"] == 1
    assert api("wz_staff").post(f"/api/stats/submissions/{sub['id']}/send-back/", {"reason": "x"},
                                format="json").status_code == 404
    back = staff.post(f"/api/stats/submissions/{sub['id']}/send-back/", {"reason": "请补充说明"}, format="json")
    assert back.status_code == 200 and back.json()["returned_at"] and back.json()["return_reason"] == "请补充说明"
    assert staff.post(f"/api/stats/submissions/{sub['id']}/send-back/", {"reason": "再退"},
                      format="json").status_code == 400
    t = staff.post("/api/stats/review-templates/", {"org": "hz", "title": "杭州回眸", "body": "# 一\n{registry.people.count}"},
                   format="json")
    assert t.status_code == 201, t.content
    changed = staff.patch(f"/api/stats/review-templates/{t.json()['id']}/", {"title": "杭州市侨联年度回眸"},
                          format="json")
    assert changed.status_code == 200 and changed.json()["title"] == "杭州市侨联年度回眸"
    assert api("hz_viewer").patch(f"/api/stats/review-templates/{t.json()['id']}/", {"title": "x"},
                                  format="json").status_code == 403
    assert api("wz_staff").get(f"/api/stats/review-templates/{t.json()['id']}/").status_code == 404


def test_review_page_with_an_empty_breakdown_says_so(client, users, tree):
    client.force_login(users["hz_staff"])
    page = client.get("/stats/hz/review/?year=2025")
    assert page.status_code == 200
    assert "暂无数据" in page.content.decode()


def test_units_counted_with_个_say_what_they_count_in_english():
    """个 counts members, counties, products …: English names the thing, not "items"."""
    from django.utils import translation

    from stats.indicators import REGISTRY

    with translation.override("en"):
        assert str(REGISTRY["registry.members.current"].unit) == "members"
        assert str(REGISTRY["orgs.coverage.counties"].unit) == "counties"
        assert str(REGISTRY["directory.products.published"].unit) == "products"
        assert str(REGISTRY["activities.projects.signed"].unit) == "projects"
        assert str(REGISTRY["charity.beneficiaries.helped"].unit) == "beneficiaries"
        assert all(str(i.unit) != "items" for i in REGISTRY.values())
    with translation.override("zh-hans"):
        assert str(REGISTRY["registry.members.current"].unit) == "个"
