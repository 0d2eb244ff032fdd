"""core.links.record_url: the same URL `{% url %}` gives, row after row, under any script prefix."""
import pytest
from django.urls import reverse, set_script_prefix

from core.links import record_url


@pytest.mark.parametrize("view_name", ["registry:person-detail", "registry:enterprise-detail"])
def test_record_url_is_reverse(view_name):
    for pk in (1, 7, 918273645, 12345678901):
        assert record_url(view_name, pk) == reverse(view_name, args=[pk])


def test_record_url_follows_the_script_prefix():
    try:
        set_script_prefix("/shanghui/")
        assert record_url("registry:person-detail", 5) == "/shanghui/registry/people/5/" \
            == reverse("registry:person-detail", args=[5])
    finally:
        set_script_prefix("/")
    assert record_url("registry:person-detail", 5) == "/registry/people/5/"


def test_keys_that_are_not_plain_integers_are_reversed_as_usual():
    assert record_url("public-intake-org", "wzql") == reverse("public-intake-org", args=["wzql"])
    assert record_url("registry:person-detail", "5") == reverse("registry:person-detail", args=["5"])


def test_the_people_list_links_every_row_to_its_page(client, users, tree, db):
    from registry import services

    client.force_login(users["zj_admin"])
    people = [services.create_person(by=users["zj_admin"], org=tree["wzc"], name=f"链接{i}", category="relative")
              for i in range(3)]
    html = client.get("/registry/people/").content.decode()
    for person in people:
        assert f'<a href="{reverse("registry:person-detail", args=[person.pk])}">{person.name}</a>' in html
