"""Registry services: validation, dedupe, merge, memberships, dues, audit."""
import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from registry import services
from registry.models import Membership, Person
from tests import factories as f


def _person(by, org, **extra):
    data = {"org": org, "name": "王小明", "category": "overseas_chinese", "country": "IT"}
    data.update(extra)
    return services.create_person(by=by, **data)


def test_create_person_normalises_and_derives_from_id(users, tree):
    number = f.id_number(born=dt.date(1985, 3, 5))
    p = _person(users["hz_staff"], tree["sc"], id_number=number.lower(), phone="+39 333 123 4567")
    assert p.id_number == number.upper()
    assert p.birth_date == dt.date(1985, 3, 5)
    assert p.gender in {"M", "F"}
    assert p.phone == "+393331234567"


def test_wrong_id_checksum_names_the_field(users, tree):
    number = f.id_number()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ValidationError) as e:
        _person(users["hz_staff"], tree["hz"], id_number=wrong)
    assert "id_number" in e.value.message_dict
    assert not Person.objects.exists()


def test_birth_date_must_agree_with_id_number(users, tree):
    with pytest.raises(ValidationError) as e:
        _person(users["hz_staff"], tree["hz"], id_number=f.id_number(born=dt.date(1985, 3, 5)),
                birth_date=dt.date(1990, 1, 1))
    assert "birth_date" in e.value.message_dict


def test_future_birth_date_is_impossible(users, tree):
    with pytest.raises(ValidationError) as e:
        _person(users["hz_staff"], tree["hz"], birth_date=dt.date.today() + dt.timedelta(days=3))
    assert "birth_date" in e.value.message_dict


def test_same_id_number_is_shown_as_existing_record(users, tree):
    number = f.id_number()
    first = _person(users["hz_staff"], tree["hz"], id_number=number)
    with pytest.raises(services.DuplicateFound) as e:
        _person(users["zj_admin"], tree["wz"], id_number=number, name="王晓明")
    assert e.value.existing == [first]
    assert Person.objects.count() == 1


def test_same_name_birth_and_phone_is_a_duplicate(users, tree):
    first = _person(users["hz_staff"], tree["hz"], birth_date=dt.date(1970, 1, 2), phone="13812345678")
    with pytest.raises(services.DuplicateFound) as e:
        _person(users["hz_staff"], tree["sc"], birth_date=dt.date(1970, 1, 2), phone="138 1234 5678")
    assert e.value.existing == [first]


def test_staff_cannot_write_outside_their_subtree(users, tree):
    with pytest.raises(PermissionDenied):
        _person(users["hz_staff"], tree["wz"])
    with pytest.raises(PermissionDenied):
        _person(users["hz_viewer"], tree["hz"])


def test_merge_keeps_memberships_and_history_of_both(users, tree):
    by = users["zj_admin"]
    keep = _person(by, tree["hz"], phone="13812345678")
    drop = _person(by, tree["wz"], name="王曉明", id_number=f.id_number(), email="w@example.com")
    services.add_membership(by=by, org=tree["hz"], person=keep, joined_on=dt.date(2020, 1, 1))
    services.add_membership(by=by, org=tree["wzc"], person=drop, joined_on=dt.date(2021, 1, 1))
    services.merge_people(by=by, keep=keep, drop=drop)
    keep.refresh_from_db()
    drop.refresh_from_db()
    assert {m.org.code for m in keep.memberships.all()} == {"hz", "wz-chamber"}
    assert keep.email == "w@example.com" and keep.id_number
    assert "王曉明" in keep.former_names
    assert drop.merged_into == keep
    assert list(Person.objects.active()) == [keep]
    actions = [e.additional_data.get("action") for e in LogEntry.objects.get_for_object(keep)
               if e.additional_data]
    assert "registry.person.merged" in actions


def test_merge_moves_the_member_login_to_the_kept_record(users, tree):
    from django.contrib.auth import get_user_model

    from portal.models import MemberAccount

    by = users["zj_admin"]
    keep, drop = _person(by, tree["hz"]), _person(by, tree["wz"], name="王曉明")
    login = MemberAccount.objects.create(user=get_user_model().objects.create_user("member-wang"), person=drop)
    services.merge_people(by=by, keep=keep, drop=drop)
    login.refresh_from_db()
    assert login.person == keep  # the member goes on seeing their record, now the kept one
    third = _person(by, tree["hz"], name="王三")
    MemberAccount.objects.create(user=get_user_model().objects.create_user("member-wang3"), person=third)
    services.merge_people(by=by, keep=keep, drop=third)
    assert MemberAccount.objects.get(user__username="member-wang").person == keep
    assert MemberAccount.objects.get(user__username="member-wang3").person == third  # keep has one already
    merged = [e.additional_data for e in LogEntry.objects.get_for_object(keep)
              if e.additional_data and e.additional_data.get("action") == "registry.person.merged"]
    assert {m.get("member_login") for m in merged} >= {1} and {m.get("member_logins_left") for m in merged} >= {1}


def test_merge_refuses_two_different_id_numbers(users, tree):
    by = users["zj_admin"]
    a = _person(by, tree["hz"], id_number=f.id_number())
    b = _person(by, tree["hz"], name="李四", id_number=f.id_number())
    with pytest.raises(ValidationError):
        services.merge_people(by=by, keep=a, drop=b)


def test_update_is_audited_with_field_diff_and_actor(users, tree):
    p = _person(users["hz_staff"], tree["hz"])
    services.update_person(by=users["hz_staff"], person=p, country="ES")
    entry = LogEntry.objects.get_for_object(p).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.actor == users["hz_staff"]
    assert entry.changes_dict["country"] == ["IT", "ES"]


def test_personal_fields_are_masked_in_the_audit_log(users, tree):
    number = f.id_number()
    p = _person(users["hz_staff"], tree["hz"], id_number=number)
    entry = LogEntry.objects.get_for_object(p).get(action=LogEntry.Action.CREATE)
    assert number not in str(entry.changes)


def test_membership_is_unique_while_current(users, tree):
    by = users["hz_staff"]
    p = _person(by, tree["hz"])
    services.add_membership(by=by, org=tree["hz"], person=p)
    with pytest.raises(ValidationError):
        services.add_membership(by=by, org=tree["hz"], person=p)


def test_membership_cannot_end_before_it_starts(users, tree):
    by = users["hz_staff"]
    p = _person(by, tree["hz"])
    with pytest.raises(ValidationError):
        services.add_membership(by=by, org=tree["hz"], person=p, joined_on=dt.date(2022, 1, 1),
                                left_on=dt.date(2021, 1, 1))
    assert not Membership.objects.exists()


def test_dues_statement_shows_arrears_per_year(users, tree):
    by = users["hz_staff"]
    e = services.create_enterprise(by=by, org=tree["hz"], name="义乌市华联贸易有限公司",
                                   credit_code=f.credit_code(), industry="F")
    m = services.add_membership(by=by, org=tree["hz"], enterprise=e, role="director",
                                joined_on=dt.date(2023, 5, 1))
    for year in (2023, 2024, 2025):
        services.set_dues_rate(by=by, org=tree["hz"], year=year, role="director", amount=Decimal("5000"))
    services.record_payment(by=by, membership=m, year=2023, amount=Decimal("5000"), paid_on=dt.date(2023, 6, 1))
    services.record_payment(by=by, membership=m, year=2024, amount=Decimal("2000"), paid_on=dt.date(2024, 6, 1))
    rows = services.dues_statement(m, 2025)
    assert [(r["year"], r["owed"]) for r in rows] == [
        (2023, Decimal("0")), (2024, Decimal("3000")), (2025, Decimal("5000"))
    ]


def test_enterprise_credit_code_checksum(users, tree):
    code = f.credit_code()
    bad = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(ValidationError) as e:
        services.create_enterprise(by=users["hz_staff"], org=tree["hz"], name="X", credit_code=bad)
    assert "credit_code" in e.value.message_dict
