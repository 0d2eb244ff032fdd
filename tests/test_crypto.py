"""Personal data at rest: ID and passport numbers encrypted, found by keyed hash, rotated with a command."""
import io
import json

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from core import crypto
from core.fields import column_migration
from core.importing.pipeline import run_import
from registry import services
from registry.models import Person
from tests import factories as f
from tests.importing import write_xlsx


@pytest.fixture
def keys(monkeypatch):
    """Set SHANGHUI_DATA_KEYS / SHANGHUI_LOOKUP_KEY for a test: `keys(data, lookup=None)`; restored after."""

    def use(data: str, lookup: str | None = None):
        monkeypatch.setenv("SHANGHUI_DATA_KEYS", data)
        if lookup is not None:
            monkeypatch.setenv("SHANGHUI_LOOKUP_KEY", lookup)
        return crypto.reload()

    yield use
    monkeypatch.undo()
    crypto.reload()


def raw(table: str, columns: str, pk: int):
    """What the database itself holds, read past the ORM."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()


def person(users, tree, **fields):
    fields.setdefault("category", "relative")
    return services.create_person(by=users["zj_admin"], org=tree["hz"], name=fields.pop("name", "王小明"), **fields)


def test_columns_hold_ciphertext_and_hash_never_the_clear_number(users, tree):
    number = f.id_number()
    p = person(users, tree, id_number=number, passport_number="E12345678")
    stored_id, id_hash, stored_passport, passport_hash = raw(
        "registry_person", "id_number, id_number_hash, passport_number, passport_number_hash", p.pk)
    assert number not in stored_id and number[-6:] not in stored_id and "E12345678" not in stored_passport
    assert stored_id.startswith(crypto.keyring().current_id + ":")
    assert id_hash == crypto.lookup_hash(number) and passport_hash == crypto.lookup_hash("e1234 5678")
    # Two encryptions of one number differ (random nonce); the ORM reads the clear value back.
    other = person(users, tree, name="李华", passport_number="E12345678")
    assert raw("registry_person", "passport_number", other.pk)[0] != stored_passport
    again = Person.objects.get(pk=p.pk)
    assert (again.id_number, again.passport_number) == (number, "E12345678")
    assert list(Person.objects.filter(pk=p.pk).values_list("id_number", flat=True)) == [number]


def test_case_and_beneficiary_id_numbers_are_encrypted(users, tree):
    from charity.models import Beneficiary
    from tests.cases_factories import case

    number = f.id_number()
    c = case(tree["hz"], users["hz_admin"], id_number=number)
    b = Beneficiary.objects.create(org=tree["hz"], kind="student", name="小红", id_number=number)
    for table, pk in (("cases_case", c.pk), ("charity_beneficiary", b.pk)):
        stored, hashed = raw(table, "id_number, id_number_hash", pk)
        assert number not in stored and hashed == crypto.lookup_hash(number)
    assert Beneficiary.objects.get(id_number=number.lower()).pk == b.pk


def test_lookup_by_exact_number_in_isnull_and_refused_partial_lookups(users, tree):
    number = f.id_number()
    p = person(users, tree, id_number=number)
    q = person(users, tree, name="李华")
    assert list(Person.objects.filter(id_number=number)) == [p]
    assert list(Person.objects.filter(id_number=number.lower())) == [p]
    assert list(Person.objects.filter(id_number__in=[number, f.id_number()])) == [p]
    assert list(Person.objects.filter(id_number_hash=crypto.lookup_hash(number))) == [p]
    assert list(Person.objects.filter(id_number__isnull=True)) == [q]
    assert set(Person.objects.filter(passport_number="")) == {p, q}
    from registry.models import Membership

    services.add_membership(by=users["zj_admin"], org=tree["hz"], person=p)
    assert Membership.objects.filter(person__id_number=number).count() == 1
    with pytest.raises(FieldError):
        list(Person.objects.filter(id_number__startswith=number[:6]))
    with pytest.raises(FieldError):
        list(Person.objects.filter(id_number__icontains="3307"))


def test_duplicates_found_by_hash_on_create_and_update(users, tree):
    number = f.id_number()
    first = person(users, tree, id_number=number)
    with pytest.raises(services.DuplicateFound) as e:
        person(users, tree, name="王小明二", id_number=number.lower())
    assert e.value.existing == [first]
    other = person(users, tree, name="李华")
    with pytest.raises(services.DuplicateFound):
        services.update_person(by=users["zj_admin"], person=other, id_number=number)


def test_import_updates_by_id_number_and_reports_duplicates_in_file_and_database(users, tree, tmp_path):
    number, fresh = f.id_number(), f.id_number()
    existing = person(users, tree, id_number=number, phone="13812345678")
    path = write_xlsx(tmp_path / "p.xlsx", [
        ["姓名", "类别", "身份证号", "居住国", "护照号"],
        ["王小明", "华侨", number, "IT", "E7654321"],
        ["新人", "侨眷", fresh, "CN", ""],
        ["又一个", "侨眷", fresh.lower(), "CN", ""],
    ])
    report = run_import("people", path, by=users["zj_admin"], org=tree["hz"], valid_only=True)
    assert (report.created, report.updated) == (1, 1)
    assert [r["row"] for r in report.rejected] == [4]  # the same number twice in the file
    existing.refresh_from_db()
    assert (existing.country, existing.passport_number) == ("IT", "E7654321")
    stored, hashed = raw("registry_person", "passport_number, passport_number_hash", existing.pk)
    assert "E7654321" not in stored and hashed == crypto.lookup_hash("E7654321")
    created = Person.objects.get(id_number=fresh)
    assert raw("registry_person", "id_number_hash", created.pk)[0] == crypto.lookup_hash(fresh)
    # Importing the same sheet again matches every row in the database: nothing new.
    again = run_import("people", path, by=users["zj_admin"], org=tree["hz"], valid_only=True)
    assert again.created == 0 and Person.objects.count() == 2


def test_membership_import_finds_people_by_encrypted_number(users, tree, tmp_path):
    number = f.id_number()
    p = person(users, tree, id_number=number)
    path = write_xlsx(tmp_path / "m.xlsx", [["组织代码", "身份证号", "会员职务"], ["hz", number.lower(), "会员"]])
    report = run_import("memberships", path, by=users["zj_admin"], org=tree["hz"])
    assert (report.created, report.rejected) == (1, []) and p.memberships.count() == 1


def test_merge_moves_the_number_and_its_hash(users, tree):
    number = f.id_number()
    keep = person(users, tree, name="王小明")
    drop = person(users, tree, name="王晓明", id_number=number, passport_number="E1")
    services.merge_people(by=users["zj_admin"], keep=keep, drop=drop)
    assert raw("registry_person", "id_number, id_number_hash", drop.pk) == (None, None)
    stored, hashed = raw("registry_person", "id_number, id_number_hash", keep.pk)
    assert number not in stored and hashed == crypto.lookup_hash(number)
    assert Person.objects.get(id_number=number) == keep and keep.passport_number == "E1"


def test_rotation_reencrypts_and_old_values_read_throughout(users, tree, keys):
    old, new = crypto.new_data_key(), crypto.new_data_key()
    old_id, new_id = old.split(":")[0], new.split(":")[0]
    keys(old)
    numbers = [f.id_number() for _i in range(5)]
    people = [person(users, tree, name=f"人{i}", id_number=n, passport_number=f"E{i}") for i, n in enumerate(numbers)]
    assert {raw("registry_person", "id_number", p.pk)[0].split(":")[0] for p in people} == {old_id}

    keys(f"{new},{old}")
    seen = []

    def during(model, rows):
        # Mid-rotation some rows are under the new key, some under the old: all of them read.
        seen.append(rows)
        assert sorted(Person.objects.values_list("id_number", flat=True)) == sorted(numbers)
        assert Person.objects.get(id_number=numbers[-1]).pk == people[-1].pk

    from core.management.commands.rotate_keys import rotate_model

    counts = rotate_model(Person, [Person._meta.get_field("id_number"), Person._meta.get_field("passport_number")],
                          batch=2, progress=during)
    assert seen[:3] == [2, 4, 5] and counts["reencrypted"] == 10 and counts["keys_before"] == {old_id: 10}
    assert {raw("registry_person", "id_number", p.pk)[0].split(":")[0] for p in people} == {new_id}

    out = io.StringIO()
    call_command("rotate_keys", "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["current_key"] == new_id and report["totals"]["reencrypted"] == 0  # idempotent
    assert report["models"]["registry.Person"]["keys_before"] == {new_id: 10}

    keys(new)  # the old key retired: everything still reads
    assert sorted(Person.objects.values_list("id_number", flat=True)) == sorted(numbers)


def test_unknown_key_is_a_clear_error(users, tree, keys):
    keys(crypto.new_data_key())
    p = person(users, tree, id_number=f.id_number())
    keys(crypto.new_data_key())
    with pytest.raises(crypto.DecryptionError, match="no data key with id"):
        Person.objects.get(pk=p.pk)
    with pytest.raises(ImproperlyConfigured):
        keys("k1:tooshort")


def test_lookup_key_change_is_repaired_by_rotate_keys(users, tree, keys):
    number = f.id_number()
    data = crypto.new_data_key()
    keys(data, lookup=crypto._b64encode(b"a" * 32))
    p = person(users, tree, id_number=number)
    keys(data, lookup=crypto._b64encode(b"b" * 32))
    assert not Person.objects.filter(id_number=number).exists()
    out = io.StringIO()
    call_command("rotate_keys", stdout=out, stderr=io.StringIO())
    assert "重算散列" in out.getvalue()
    assert Person.objects.get(id_number=number) == p


def test_new_key_from_the_key_file(users, tree, keys, settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.delenv("SHANGHUI_DATA_KEYS", raising=False)
    monkeypatch.delenv("SHANGHUI_LOOKUP_KEY", raising=False)
    ring = crypto.reload()
    assert ring.source == "file" and oct((tmp_path / "data_keys").stat().st_mode & 0o777) == "0o600"
    number = f.id_number()
    p = person(users, tree, id_number=number)
    out = io.StringIO()
    call_command("rotate_keys", "--new-key", "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["current_key"] != ring.current_id and report["keys"][1] == ring.current_id
    assert report["totals"]["reencrypted"] == 1
    assert raw("registry_person", "id_number", p.pk)[0].startswith(report["current_key"] + ":")
    assert Person.objects.get(id_number=number) == p
    generated = io.StringIO()
    call_command("rotate_keys", "--generate", stdout=generated)
    assert len(crypto.parse_data_keys(generated.getvalue().strip())) == 1


def test_new_key_refused_when_keys_come_from_the_environment(keys):
    from django.core.management.base import CommandError

    keys(crypto.new_data_key())
    with pytest.raises(CommandError, match="SHANGHUI_DATA_KEYS"):
        call_command("rotate_keys", "--new-key")


def test_migration_encrypts_existing_clear_rows(users, tree):
    from django.db.migrations.loader import MigrationLoader

    number = f.id_number()
    p = person(users, tree, name="旧数据")
    with connection.cursor() as cursor:  # a row as it was before encryption
        cursor.execute("UPDATE registry_person SET id_number = %s, passport_number = %s, id_number_hash = NULL "
                       "WHERE id = %s", [number, "G1234567", p.pk])
    state = MigrationLoader(connection).project_state(("registry", "0003_list_filter_indexes"))
    forward, backward = column_migration("registry", "Person", ["id_number", "passport_number"], chunk=1)

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    forward(state.apps, editor)
    stored, hashed = raw("registry_person", "id_number, id_number_hash", p.pk)
    assert number not in stored and hashed == crypto.lookup_hash(number)
    forward(state.apps, editor)  # a second run changes nothing
    assert raw("registry_person", "id_number", p.pk)[0] == stored
    assert Person.objects.get(id_number=number).passport_number == "G1234567"
    backward(state.apps, editor)
    assert raw("registry_person", "id_number, passport_number", p.pk) == (number, "G1234567")


def test_demo_writes_ciphertext_and_hashes(db):
    call_command("demo", "--people", "300", "--format", "json", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, id_number, id_number_hash FROM registry_person WHERE id_number IS NOT NULL")
        rows = cursor.fetchall()
    assert rows and all(":" in stored and len(hashed) == crypto.HASH_LENGTH for _pk, stored, hashed in rows)
    pk, _stored, hashed = rows[0]
    clear = Person.objects.get(pk=pk).id_number
    assert len(clear) == 18 and crypto.lookup_hash(clear) == hashed
    assert Person.objects.get(id_number=clear).pk == pk


def test_queryset_update_keeps_the_hash_in_step_even_through_the_base_manager(users, tree):
    from cases.models import Case
    from charity.models import Beneficiary
    from tests.cases_factories import case

    number, other = f.id_number(), f.id_number()
    p = person(users, tree, id_number=number)
    Person._base_manager.filter(pk=p.pk).update(id_number=None, passport_number="")  # as erasure does
    assert raw("registry_person", "id_number, id_number_hash, passport_number_hash", p.pk) == (None, None, None)
    Person.objects.filter(pk=p.pk).update(id_number=other)
    assert Person.objects.get(id_number=other) == p
    c = case(tree["hz"], users["hz_admin"], id_number=number)
    Case._base_manager.filter(pk=c.pk).update(id_number="")
    b = Beneficiary.objects.create(org=tree["hz"], kind="student", name="小红", id_number=number)
    Beneficiary._base_manager.filter(pk=b.pk).update(id_number="")
    assert raw("cases_case", "id_number_hash", c.pk) == (None,)
    assert raw("charity_beneficiary", "id_number_hash", b.pk) == (None,)
