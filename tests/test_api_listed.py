"""The registry's listed records read through the API exactly as DRF reads them (core.api.ListedRecordSerializerMixin):
every field, masked personal data, tags, relations, empty values, and a merged person."""
import datetime as dt

from rest_framework import serializers

from registry import services
from registry.api.serializers import EnterpriseSerializer, PersonSerializer
from registry.models import Enterprise, Person
from tests import factories as f


def _as_drf(serializer_class, record) -> dict:
    serializer = serializer_class(record)
    return serializers.Serializer.to_representation(serializer, record)


def test_people_read_as_drf_reads_them(users, tree):
    by = users["hz_admin"]
    full = services.create_person(
        by=by, org=tree["hz"], name="王秀英", foreign_name="Wang Xiuying", former_names="王秀", gender="F",
        birth_date=dt.date(1985, 3, 5), category="overseas_chinese", is_new_overseas=True, country="IT",
        home_region="330782", id_number=f.id_number(), phone="13812345678", email="wang@example.com",
        wechat="wxy", address="米兰某街1号", languages=["zh", "it"], notes="备注", tags=["侨商", "理事"])
    bare = services.create_person(by=by, org=tree["sc"], name="李明", category="relative")
    drop = services.create_person(by=by, org=tree["hz"], name="王秀英（重复）", category="relative")
    services.merge_people(by=by, keep=bare, drop=drop)
    for person in Person.objects.filter(pk__in=[full.pk, bare.pk, drop.pk]).select_related("org"):
        data = PersonSerializer(person).data
        assert data == _as_drf(PersonSerializer, person)
        assert "13812345678" not in str(data)
    assert PersonSerializer(Person.objects.get(pk=full.pk)).data["tags"] == ["侨商", "理事"]
    assert PersonSerializer(Person.objects.get(pk=drop.pk)).data["merged_into"] == bare.pk


def test_enterprises_read_as_drf_reads_them(users, tree):
    by = users["hz_admin"]
    boss = services.create_person(by=by, org=tree["hz"], name="陈国华", category="relative")
    services.create_enterprise(by=by, org=tree["hz"], name="义乌华侨贸易有限公司", credit_code=f.credit_code(),
                               legal_person=boss, phone="057912345678", address="义乌", tags=["外贸"])
    services.create_enterprise(by=by, org=tree["sc"], name="上城小店", credit_code=f.credit_code())
    for enterprise in Enterprise.objects.select_related("org"):
        assert EnterpriseSerializer(enterprise).data == _as_drf(EnterpriseSerializer, enterprise)


def test_the_api_list_page_is_the_serializers_reading(api, users, tree):
    services.create_person(by=users["hz_admin"], org=tree["hz"], name="林美玲", category="relative",
                           phone="13912345678", tags=["青年"])
    rows = api("hz_staff").get("/api/people/").json()["results"]
    person = Person.objects.get(name="林美玲")
    expected = _as_drf(PersonSerializer, person)
    assert next(r for r in rows if r["id"] == person.pk) == {**expected, "tags": ["青年"]}


def test_each_serializer_has_its_own_fields(users, tree):
    """The fields are built once per class and copied: two serializers (two requests, two threads) never share one."""
    first, second = PersonSerializer(), PersonSerializer(context={"request": None})
    assert set(first.fields) == set(second.fields) and "tags" in first.fields
    for name in first.fields:
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and second.fields[name].parent is second
