"""Members' own data-subject requests on the portal (/my/privacy/) and its API (/api/my/privacy/requests/).

A member asks for a copy, a correction, a deletion; sees status and deadline; downloads the copy once
staff answered the access request (built at download, logged). Another member's requests are covered
by tests/test_portal_isolation.py.
"""
import datetime as dt
import io
import json
import zipfile

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from privacy import services
from privacy.models import RequestStatus, SubjectRequest
from tests.test_portal_association import api_for, logged_in, make_member


@pytest.fixture
def members(tree, users, settings):
    """A (杭州), B (温州商会)."""
    settings.SECURE_SSL_REDIRECT = False
    by = users["zj_admin"]
    return {"a": make_member(by, tree["hz"], "甲隐私会员", "privacy_a"),
            "b": make_member(by, tree["wzc"], "乙隐私会员", "privacy_b")}


def _zip_json(content: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        assert {"data.json", "data.xlsx", "README.txt"} <= set(z.namelist())
        return json.loads(z.read("data.json"))


def test_a_member_files_an_access_request_and_downloads_the_copy_once_staff_answered(members, users):
    a = logged_in(members["a"])
    person = members["a"].member_account.person
    r = a.get("/my/privacy/")
    assert r.status_code == 200 and "您还没有提交过个人信息请求" in r.content.decode()
    r = a.post("/my/privacy/", {"kind": "access", "details": "请提供我的全部资料"})
    assert r.status_code == 302 and r["Location"] == "/my/privacy/"
    obj = SubjectRequest.objects.get(person=person)
    assert (obj.kind, obj.status, obj.channel, obj.org, obj.created_by) == \
        ("access", "open", services.PORTAL_CHANNEL, person.org, members["a"])
    assert obj.due_on == timezone.localdate() + dt.timedelta(days=services.response_days())
    assert LogEntry.objects.filter(additional_data__action="privacy.request.received", object_pk=str(obj.pk)).exists()
    page = a.get("/my/privacy/").content.decode()
    assert 'data-status="open"' in page and obj.due_on.strftime("%Y-%m-%d") in page
    assert "请提供我的全部资料" in page and "privacy-download" not in page
    # Not answered yet: no copy.
    r = a.get(f"/my/privacy/{obj.pk}/download/")
    assert r.status_code == 302 and r["Location"] == "/my/privacy/"
    # Staff answer it (privacy.services.fulfil_access, as on /privacy/).
    services.fulfil_access(by=users["hz_admin"], request=obj)
    page = a.get("/my/privacy/").content.decode()
    assert 'data-status="done"' in page and f"/my/privacy/{obj.pk}/download/" in page
    before = LogEntry.objects.filter(additional_data__action="privacy.export.downloaded").count()
    r = a.get(f"/my/privacy/{obj.pk}/download/")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip" and r["Cache-Control"] == "no-store"
    data = _zip_json(r.content)
    assert data["person_id"] == person.pk
    assert data["records"]["registry.person"][0]["name"] == "甲隐私会员"
    entry = LogEntry.objects.filter(additional_data__action="privacy.export.downloaded").latest("pk")
    assert LogEntry.objects.filter(additional_data__action="privacy.export.downloaded").count() == before + 1
    assert entry.actor == members["a"] and entry.additional_data["by_subject"] is True
    assert entry.object_pk == str(person.pk)


def test_correction_needs_details_and_the_same_open_request_is_not_filed_twice(members):
    a = logged_in(members["a"])
    r = a.post("/my/privacy/", {"kind": "correction", "details": ""})
    assert r.status_code == 400 and "details" in r.context["form"].errors
    assert a.post("/my/privacy/", {"kind": "correction", "details": "出生日期应为1980-01-02"}).status_code == 302
    r = a.post("/my/privacy/", {"kind": "correction", "details": "再说一次"})
    assert r.status_code == 400 and "kind" in r.context["form"].errors
    assert a.post("/my/privacy/", {"kind": "deletion"}).status_code == 302
    kinds = sorted(SubjectRequest.objects.filter(person=members["a"].member_account.person)
                   .values_list("kind", flat=True))
    assert kinds == ["correction", "deletion"]
    r = a.post("/my/privacy/", {"kind": "nonsense"})
    assert r.status_code == 400


def test_only_members_file_and_only_their_own_copy(members, users):
    with pytest.raises(PermissionDenied):
        services.member_receive(by=users["hz_admin"], kind="access")
    obj = services.member_receive(by=members["a"], kind="access")
    services.fulfil_access(by=users["hz_admin"], request=obj)
    with pytest.raises(PermissionDenied):
        services.member_export(by=members["b"], request=obj)
    content, _data = services.member_export(by=members["a"], request=obj)
    assert content.startswith(b"PK")


def test_the_copy_can_be_downloaded_for_a_limited_time(members, users, settings):
    settings.PRIVACY_EXPORT_DAYS = 30
    obj = services.member_receive(by=members["a"], kind="access")
    services.fulfil_access(by=users["hz_admin"], request=obj)
    assert services.export_available(obj)
    assert not services.export_available(obj, now=timezone.now() + dt.timedelta(days=31))
    SubjectRequest.objects.filter(pk=obj.pk).update(handled_at=timezone.now() - dt.timedelta(days=31))
    obj.refresh_from_db()
    with pytest.raises(ValidationError):
        services.member_export(by=members["a"], request=obj)
    assert "下载期限已过" in logged_in(members["a"]).get("/my/privacy/").content.decode()


def test_a_refused_request_shows_the_reason(members, users):
    obj = services.member_receive(by=members["a"], kind="deletion", details="删除全部")
    services.refuse(by=users["hz_admin"], request=obj, reason="会费账目依法保存")
    page = logged_in(members["a"]).get("/my/privacy/").content.decode()
    assert 'data-status="refused"' in page and "会费账目依法保存" in page


def test_the_api_files_lists_and_downloads(members, users):
    c = api_for(members["a"])
    r = c.post("/api/my/privacy/requests/", {"kind": "access"}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "open" and body["download_url"] is None and body["due_on"]
    pk = body["id"]
    assert c.post("/api/my/privacy/requests/", {"kind": "access"}, format="json").status_code == 400
    assert c.post("/api/my/privacy/requests/", {"kind": "correction"}, format="json").json().keys() == {"details"}
    assert c.get(f"/api/my/privacy/requests/{pk}/download/").status_code == 400
    listing = c.get("/api/my/privacy/requests/").json()
    rows = listing["results"] if isinstance(listing, dict) else listing
    assert [row["id"] for row in rows] == [pk]
    services.fulfil_access(by=users["hz_admin"], request=SubjectRequest.objects.get(pk=pk))
    detail = c.get(f"/api/my/privacy/requests/{pk}/").json()
    assert detail["status"] == RequestStatus.DONE and detail["download_url"].endswith(f"/{pk}/download/")
    assert detail["download_until"]
    r = c.get(detail["download_url"])
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    assert _zip_json(r.content)["person_id"] == members["a"].member_account.person_id
    # Another member: 404 on the detail and the download, nothing in its list.
    b = api_for(members["b"])
    assert b.get(f"/api/my/privacy/requests/{pk}/").status_code == 404
    assert b.get(f"/api/my/privacy/requests/{pk}/download/").status_code == 404
    listing = b.get("/api/my/privacy/requests/").json()
    assert (listing["results"] if isinstance(listing, dict) else listing) == []


def test_staff_see_a_portal_request_in_their_list(members, users):
    obj = services.member_receive(by=members["a"], kind="deletion")
    from tests.test_portal_association import logged_in as staff_session

    staff = staff_session(users["hz_admin"])
    page = staff.get("/privacy/").content.decode()
    assert f"/privacy/requests/{obj.pk}/" in page
    access = services.member_receive(by=members["a"], kind="access")
    assert 'id="portal-copy-note"' in staff.get(f"/privacy/requests/{access.pk}/").content.decode()
    assert not SubjectRequest.objects.visible_to(users["wz_staff"]).filter(pk=obj.pk).exists()


def test_the_schema_lists_the_member_privacy_endpoints(api):
    r = api().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = r.json()["paths"]
    assert {"/api/my/privacy/requests/", "/api/my/privacy/requests/{id}/",
            "/api/my/privacy/requests/{id}/download/"} <= set(paths)
    assert "post" in paths["/api/my/privacy/requests/"]
