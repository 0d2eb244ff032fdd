"""A member's proposed ID or passport number is stored encrypted in ProfileChange.changes, shown masked
to staff, in clear (and logged as a reveal) to staff with the personal-data grant on the detail only;
existing rows are sealed by the migration; erasure empties the change history.
"""
import json

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test import Client

from portal import services
from portal.fields import is_stored_sealed
from portal.models import ProfileChange
from registry.models import Person
from tests import factories as f
from tests.test_portal_account import make_member, people  # noqa: F401 (fixture)


@pytest.fixture
def wang(users, people, settings):  # noqa: F811
    settings.SECURE_SSL_REDIRECT = False
    return make_member(users["hz_staff"], people["wang"])


def raw_changes(pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT changes FROM portal_profilechange WHERE id = %s", [pk])
        value = cursor.fetchone()[0]
    return value if isinstance(value, str) else json.dumps(value)


def reveals(**lookup):
    return LogEntry.objects.filter(additional_data__action="core.personal_data.revealed", **lookup)


def session(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_proposed_number_is_encrypted_at_rest_and_clear_in_python(wang, users):
    new_id, passport = f.id_number(), "E12345678"
    old_id = wang.person.id_number
    applied, change = services.propose_changes(by=wang.user, target=wang.person,
                                               fields={"id_number": new_id, "passport_number": passport})
    for pk in (applied.pk, change.pk):  # the passport number applies at once, the ID number waits
        raw = raw_changes(pk)
        assert new_id not in raw and passport not in raw and old_id not in raw and '"sealed"' in raw
        assert is_stored_sealed(json.loads(raw))
    change = ProfileChange.objects.get(pk=change.pk)
    assert change.changes["id_number"] == [old_id, new_id]
    assert ProfileChange.objects.get(pk=applied.pk).changes["passport_number"][1] == passport
    # The member sees its own proposal in clear; approving applies the clear value.
    assert new_id in session(wang.user).get("/my/profile/").content.decode()
    services.approve_change(by=users["hz_staff"], change=change)
    assert Person.objects.get(pk=wang.person_id).id_number == new_id
    # Phone changes apply at once and are not sealed (masked on screen like every phone).
    (applied,) = services.propose_changes(by=wang.user, target=wang.person, fields={"wechat": "wang_wx"})
    assert "wang_wx" in raw_changes(applied.pk)


def test_staff_see_it_masked_and_with_the_grant_in_clear_logged(wang, users, api):
    new_id = f.id_number()
    (change,) = services.propose_changes(by=wang.user, target=wang.person, fields={"id_number": new_id})
    url = f"/members/changes/{change.pk}/"
    page = session(users["hz_staff"]).get(url).content.decode()  # no personal-data grant
    assert new_id not in page and new_id[:2] + "*" in page
    assert not reveals().exists()
    page = session(users["hz_admin"]).get(url).content.decode()
    assert new_id in page
    entry = reveals().get()
    assert entry.actor == users["hz_admin"] and entry.object_pk == str(wang.person_id)
    assert entry.additional_data["fields"] == ["id_number"]
    assert entry.additional_data["profile_change"] == change.pk and entry.additional_data["purpose"]
    # Lists never reveal: masked even for the grant holder, nothing logged.
    assert new_id not in session(users["hz_admin"]).get("/members/changes/").content.decode()
    rows = api("hz_admin").get("/api/members/changes/").json()["results"]
    assert new_id not in json.dumps(rows, ensure_ascii=False) and reveals().count() == 1
    detail = api("hz_admin").get(f"/api/members/changes/{change.pk}/").json()
    assert detail["changes"]["id_number"][1] == new_id and reveals().count() == 2
    detail = api("hz_staff").get(f"/api/members/changes/{change.pk}/").json()
    assert "*" in detail["changes"]["id_number"][1] and reveals().count() == 2


def test_the_migration_seals_existing_clear_rows(wang):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("portal.migrations.0002_profile_change_sealed")
    new_id = f.id_number()
    change = ProfileChange.objects.create(person=wang.person, proposed_by=wang.user, changes={"name": ["a", "b"]})
    clear = json.dumps({"id_number": ["", new_id], "name": ["a", "b"]})
    with connection.cursor() as cursor:  # a row as written before the field sealed anything
        cursor.execute("UPDATE portal_profilechange SET changes = %s WHERE id = %s", [clear, change.pk])
    assert new_id in raw_changes(change.pk)

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.seal_existing(apps, editor)
    assert new_id not in raw_changes(change.pk) and is_stored_sealed(json.loads(raw_changes(change.pk)))
    assert ProfileChange.objects.get(pk=change.pk).changes == {"id_number": ["", new_id], "name": ["a", "b"]}
    migration.seal_existing(apps, editor)  # idempotent
    assert ProfileChange.objects.get(pk=change.pk).changes["id_number"][1] == new_id
    migration.unseal_existing(apps, editor)
    assert new_id in raw_changes(change.pk)


def test_erasure_empties_the_change_history(wang, users):
    from privacy.erasure import anonymise_person

    services.propose_changes(by=wang.user, target=wang.person, fields={"id_number": f.id_number()})
    services.propose_changes(by=wang.user, target=wang.person, fields={"wechat": "wang_wx"})
    anonymise_person(Person.objects.get(pk=wang.person_id), by=users["hz_admin"], reason="request")
    assert list(ProfileChange.objects.filter(person_id=wang.person_id).values_list("changes", flat=True)) == [{}, {}]


def test_erasure_closes_the_member_login(wang, users):
    from privacy.erasure import anonymise_person

    wang.user.set_password("Known-pass-4821")
    wang.user.save()
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    def can_log_in():
        return authenticate(RequestFactory().post("/login/"), username=wang.user.username,
                            password="Known-pass-4821") is not None

    assert can_log_in()
    member = session(wang.user)
    assert member.get("/my/").status_code == 200
    summary = anonymise_person(Person.objects.get(pk=wang.person_id), by=users["hz_admin"], reason="request")
    assert summary["member_login_closed"] is True
    wang.user.refresh_from_db()
    assert not wang.user.is_active
    assert member.get("/my/").status_code == 302  # the session is gone: back to the login page
    assert not can_log_in()


def test_reseal_changes_moves_sealed_values_to_the_current_key(wang, monkeypatch):
    import io

    from django.core.management import call_command

    from core import crypto

    old, new = crypto.new_data_key(), crypto.new_data_key()
    old_id, new_id = old.split(":")[0], new.split(":")[0]
    try:
        monkeypatch.setenv("SHANGHUI_DATA_KEYS", old)
        crypto.reload()
        number = f.id_number()
        (change,) = services.propose_changes(by=wang.user, target=wang.person, fields={"id_number": number})
        assert f'"{old_id}:' in raw_changes(change.pk)
        monkeypatch.setenv("SHANGHUI_DATA_KEYS", f"{new},{old}")
        crypto.reload()
        out = io.StringIO()
        call_command("reseal_changes", format="json", stdout=out)
        report = json.loads(out.getvalue())
        assert report["rows"] == 1 and report["resealed"] == 1 and report["keys_before"] == {old_id: 2}
        assert f'"{old_id}:' not in raw_changes(change.pk) and f'"{new_id}:' in raw_changes(change.pk)
        monkeypatch.setenv("SHANGHUI_DATA_KEYS", new)  # the old key can go
        crypto.reload()
        assert ProfileChange.objects.get(pk=change.pk).changes["id_number"][1] == number
        out = io.StringIO()
        call_command("reseal_changes", format="json", stdout=out)
        assert json.loads(out.getvalue())["resealed"] == 0  # idempotent
    finally:
        monkeypatch.undo()
        crypto.reload()


def test_rotate_keys_alone_also_reseals_proposed_changes(wang, monkeypatch):
    """One command rotates the key: the old key can go without losing a member's proposed ID number."""
    import io
    import os

    from django.core.management import call_command

    from core import crypto

    old, new = crypto.new_data_key(), crypto.new_data_key()
    old_id, new_id = old.split(":")[0], new.split(":")[0]
    # The keys the fixtures' people were written with stay configured: rotate_keys reads every record.
    before = os.environ.get("SHANGHUI_DATA_KEYS") or crypto.data_keys_file().read_text().strip()
    try:
        monkeypatch.setenv("SHANGHUI_DATA_KEYS", f"{old},{before}")
        crypto.reload()
        number = f.id_number()
        (change,) = services.propose_changes(by=wang.user, target=wang.person, fields={"id_number": number})
        monkeypatch.setenv("SHANGHUI_DATA_KEYS", f"{new},{old},{before}")
        crypto.reload()
        out = io.StringIO()
        call_command("rotate_keys", "--format", "json", stdout=out, stderr=io.StringIO())
        sealed = json.loads(out.getvalue())["sealed"]["portal"]
        assert sealed["resealed"] == 1 and sealed["keys_before"] == {old_id: 2}
        assert f'"{old_id}:' not in raw_changes(change.pk) and f'"{new_id}:' in raw_changes(change.pk)
        monkeypatch.setenv("SHANGHUI_DATA_KEYS", new)  # every old key can go
        crypto.reload()
        assert ProfileChange.objects.get(pk=change.pk).changes["id_number"][1] == number
        text = io.StringIO()
        call_command("rotate_keys", stdout=text, stderr=io.StringIO())
        assert "portal" in text.getvalue()
    finally:
        monkeypatch.undo()
        crypto.reload()
