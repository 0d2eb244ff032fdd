"""Who changed a record, and from where: the audit entry of a web or API write names its user and the address
the request came from (core.audit), also when the service attributes the write with `acting`."""
from auditlog.models import LogEntry
from django.urls import reverse

from core.audit import acting
from registry import services
from registry.models import Person


def _person(users, tree):
    return services.create_person(by=users["hz_admin"], org=tree["hz"], name="陈国华", category="relative")


def test_a_web_edit_records_the_user_and_the_address(client, users, tree):
    person = _person(users, tree)
    client.force_login(users["hz_staff"])
    data = {"org": person.org_id, "name": "陈国华", "category": "relative", "country": "DE"}
    assert client.post(reverse("registry:person-edit", args=[person.pk]), data,
                       REMOTE_ADDR="203.0.113.7").status_code == 302
    entry = LogEntry.objects.get_for_object(person).filter(action=LogEntry.Action.UPDATE).latest("pk")
    assert entry.actor == users["hz_staff"] and entry.remote_addr == "203.0.113.7"


def test_an_api_write_records_the_token_user_and_the_address(api, users, tree):
    response = api("hz_staff").post("/api/people/", {"org": "hz", "name": "林美玲", "category": "relative"},
                                    format="json", REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 201, response.content
    entry = LogEntry.objects.get_for_object(Person.objects.get(name="林美玲")).get(action=LogEntry.Action.CREATE)
    assert entry.actor == users["hz_staff"] and entry.remote_addr == "198.51.100.4"


def test_acting_names_its_user_inside_the_block_only(users, tree):
    person = _person(users, tree)
    with acting(users["zj_admin"]):
        with acting(users["hz_admin"]):
            person.notes = "内层"
            person.save()
        person.notes = "外层"
        person.save()
    person.notes = "之后"
    person.save()
    actors = list(LogEntry.objects.get_for_object(person).filter(action=LogEntry.Action.UPDATE)
                  .order_by("pk").values_list("actor__username", flat=True))
    assert actors == ["hz_admin", "zj_admin", None]


def test_requests_leave_no_receiver_behind(client, users, tree):
    from django.db.models.signals import pre_save

    client.force_login(users["hz_staff"])
    client.get("/registry/people/")
    before = len(pre_save.receivers)
    for _ in range(3):
        client.get("/registry/people/")
    assert len(pre_save.receivers) == before
