"""The people list's rows (a Jinja2 template, core.jinja): every column as a secretary reads it, in Chinese and
English, the empty list, and the htmx fragment that swaps the results."""
import re

import pytest
from django.urls import reverse

from registry import services


@pytest.fixture
def person(users, tree):
    return services.create_person(
        by=users["hz_admin"], org=tree["sc"], name="王秀英", foreign_name="Wang Xiuying", category="overseas_chinese",
        is_new_overseas=True, country="IT", home_region="330782", phone="13812345678")


def _row(html: str, name: str) -> str:
    return next(row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if name in row)


def test_a_row_shows_link_names_category_country_region_masked_phone_and_organization(client, users, tree, person):
    tree["sc"].short_name = "上城侨联"
    tree["sc"].save()
    client.force_login(users["hz_staff"])
    row = _row(client.get("/registry/people/").content.decode(), "王秀英")
    assert f'<a href="{reverse("registry:person-detail", args=[person.pk])}">王秀英</a>' in row
    assert '<small class="text-muted">Wang Xiuying</small>' in row
    assert "华侨" in row and "新侨" in row
    assert "意大利" in row and "浙江省金华市义乌市" in row
    assert "138****5678" in row and "13812345678" not in row
    assert "上城侨联" in row


def test_rows_follow_the_language(client, users, person):
    client.force_login(users["hz_staff"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/registry/people/").content.decode()
    row = _row(html, "王秀英")
    assert "New overseas Chinese" in row and "Italy" in row and "新侨" not in row
    assert "No matching people." in client.get("/registry/people/", {"q": "没有这个人"}).content.decode()


def test_an_empty_search_says_so_and_the_fragment_holds_the_rows(client, users, person):
    client.force_login(users["hz_staff"])
    assert "没有符合条件的人员。" in client.get("/registry/people/", {"q": "没有这个人"}).content.decode()
    fragment = client.get("/registry/people/", {"q": "王秀英"}, HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="results").content.decode()
    assert "<html" not in fragment and "王秀英" in fragment and "138****5678" in fragment


def test_a_person_outside_the_scope_has_no_row(client, users, person):
    client.force_login(users["wz_staff"])
    assert "王秀英" not in client.get("/registry/people/").content.decode()
