"""Command line: `demo`, `createuser` and `grant` (and the accounts services behind them)."""
import datetime as dt
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db.models import F

from accounts import services
from accounts.models import Grant
from core.countries import country_name
from core.regions import region_name
from core.validators import normalize_phone, validate_credit_code, validate_id_number
from orgs.models import Milestone, Organization, OrgKind, Position, Term
from registry.models import DuesPayment, Enterprise, Membership, Person
from registry.services import dues_statement

MEMBER_KINDS = {"chamber", "hometown_chamber", "overseas_merchant_association", "overseas_association",
                "private_economy_federation", "commerce_federation"}


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    """PBKDF2 costs half a second a password; the tests need none of that."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(*args, **options) -> str:
    """Call a command and return what it printed."""
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def demo(db, monkeypatch):
    """A small demo database; returns the parsed --format json summary."""
    monkeypatch.setenv("SHANGHUI_DEMO_PASSWORD", "demo-pass-123")
    return json.loads(run("demo", people=400, seed=7, format="json"))


def test_demo_json_summary_matches_the_database(demo):
    counts = demo["counts"]
    assert counts["registry.Person"] == Person.objects.count() == 400
    assert counts["orgs.Organization"] == Organization.objects.count() > 50
    assert counts["registry.Enterprise"] == Enterprise.objects.count() > 0
    assert counts["registry.Membership"] == Membership.objects.count() > 0
    assert counts["registry.DuesPayment"] == DuesPayment.objects.count() > 0
    assert demo["password"] is None  # taken from SHANGHUI_DEMO_PASSWORD
    assert {u["username"] for u in demo["users"]} >= {"yiwu", "wenzhou"}


def test_demo_tree_is_a_valid_treebeard_tree(demo):
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    root = Organization.objects.get(code="zjql")
    assert root.name == "浙江省侨联" and root.is_root() and root.region == "330000"
    yiwu = Organization.objects.get(code="ywql")
    assert [a.code for a in Organization.objects.get_ancestors(yiwu)] == ["zjql", "jhql"]
    assert Organization.objects.get(code="qtql").region == "331121"
    assert Organization.objects.get(code="wcql").region == "330328"
    assert Organization.objects.get_children(yiwu).filter(kind=OrgKind.SERVICE_POINT).exists()
    assert Organization.objects.get(code="ywqsh").kind == OrgKind.OVERSEAS_MERCHANT_ASSOCIATION
    assert Organization.objects.filter(kind=OrgKind.PRIVATE_ECONOMY_FEDERATION).exists()
    # A child can be added the treebeard way after the computed paths.
    child = Organization.objects.add_child(yiwu, instance=Organization(code="yw-new", name="新设侨联",
                                                                       kind="qiaolian", region="330782"))
    assert child.path.startswith(yiwu.path) and Organization.objects.find_problems() == ([], [], [], [], [])


def test_every_org_has_a_valid_place(demo):
    for org in Organization.objects.all():
        org.full_clean(exclude=["path", "depth", "numchild"])
        if org.country == "CN":
            assert region_name(org.region), org
        else:
            assert country_name(org.country) and not org.region, org
            assert org.kind in (OrgKind.OVERSEAS_ASSOCIATION, OrgKind.OVERSEAS_STATION)
        if org.contact_phone:
            assert normalize_phone(org.contact_phone) == org.contact_phone
    for code in ("it", "es", "fr", "us", "ae"):
        assert Organization.objects.filter(code=f"zj-{code}", country=code.upper()).exists()


def test_hometown_chambers_have_a_home_region_elsewhere(demo):
    chambers = Organization.objects.filter(kind=OrgKind.HOMETOWN_CHAMBER)
    assert chambers.count() >= 10
    for c in chambers:
        assert region_name(c.home_region) and c.home_region != c.region, c
    zz = Organization.objects.get(name="郑州泉州商会")
    assert (zz.region, zz.home_region) == ("410100", "350500")


def test_people_have_valid_ids_phones_and_places(demo):
    ids = [i for i in Person.objects.exclude(id_number=None).values_list("id_number", flat=True)]
    assert ids and len(ids) == len(set(ids))
    categories = set()
    for p in Person.objects.all():
        p.full_clean(validate_unique=False)
        categories.add(p.category)
        if p.id_number:
            assert validate_id_number(p.id_number) == p.id_number
            assert p.id_number[:6] == p.home_region
            assert p.birth_date.strftime("%Y%m%d") == p.id_number[6:14]
            assert p.gender == ("M" if int(p.id_number[16]) % 2 else "F")
        if p.phone:
            assert normalize_phone(p.phone) == p.phone
        if p.home_region:
            assert region_name(p.home_region)
        if p.category in ("overseas_chinese", "foreign_chinese") and p.country != "CN":
            assert p.foreign_name.isascii() and " " in p.foreign_name
    assert len(categories) >= 5
    assert Person.objects.exclude(country="CN").values("country").distinct().count() >= 5
    assert Person.objects.filter(phone__startswith="+39").exists() or Person.objects.filter(country="IT").count() < 3


def test_enterprises_have_valid_unique_credit_codes(demo):
    codes = list(Enterprise.objects.exclude(credit_code=None).values_list("credit_code", flat=True))
    assert codes and len(codes) == len(set(codes))
    for e in Enterprise.objects.all():
        e.full_clean(validate_unique=False)
        if e.credit_code:
            assert validate_credit_code(e.credit_code) == e.credit_code
            assert e.credit_code[:2] == ("92" if e.kind == "sole_proprietor" else "91")
            assert e.country == "CN" and region_name(e.region)
        else:
            assert e.kind == "overseas" and e.country != "CN"
    assert Enterprise.objects.filter(kind="sole_proprietor").exists()
    assert Enterprise.objects.values("industry").distinct().count() >= 4


def test_memberships_positions_and_dues_point_inside_the_tree(demo):
    roots = [o.path for o in Organization.objects.get_root_nodes()]
    for m in Membership.objects.select_related("org", "person", "enterprise"):
        assert m.org.kind in MEMBER_KINDS
        assert any(m.org.path.startswith(r) for r in roots)
        assert (m.person_id is None) != (m.enterprise_id is None)
        assert m.left_on is None or m.left_on >= m.joined_on
    for pos in Position.objects.select_related("council__term"):
        assert pos.council.org_id == pos.org_id == pos.council.term.org_id
    assert not DuesPayment.objects.exclude(org_id=F("membership__org_id")).exists()
    year = dt.date.today().year
    owed = [row["owed"] for m in Membership.objects.filter(left_on=None)[:200] for row in dues_statement(m, year)]
    assert any(o > 0 for o in owed), "some members are in arrears"
    assert any(o == 0 for o in owed)


def test_governance_from_the_seeds(demo):
    ywqsh = Organization.objects.get(code="ywqsh")
    assert Position.objects.filter(org=ywqsh, role="president", person__name="王慧斌").exists()
    pef = Organization.objects.get(code="ywmjl")
    term = Term.objects.get(org=pef)
    assert term.number == 7 and term.councils.count() == 2
    assert Position.objects.filter(org=pef, role="chief_supervisor", person__name="金罕岗",
                                   council__kind="supervisory_board").exists()
    assert Milestone.objects.filter(org=pef, kind="renaming", title__contains="义乌市民营经济发展联合会").exists()
    assert pef.congresses.filter(number=7).exists()
    roles = set(Position.objects.values_list("role", flat=True))
    assert {"president", "vice_president", "secretary_general", "director", "supervisor"} <= roles


def test_demo_users_see_only_their_subtree(demo):
    User = get_user_model()
    yiwu, wenzhou = User.objects.get(username="yiwu"), User.objects.get(username="wenzhou")
    assert yiwu.check_password("demo-pass-123")
    yw_path = Organization.objects.get(code="ywql").path
    orgs = Organization.objects.visible_to(yiwu)
    assert orgs.filter(code="ywqsh").exists() and not orgs.filter(code="wzql").exists()
    assert all(o.path.startswith(yw_path) for o in orgs)
    people = Person.objects.visible_to(yiwu)
    assert people.exists() and all(p.org.path.startswith(yw_path) for p in people.select_related("org"))
    wz_path = Organization.objects.get(code="wzql").path
    assert all(p.org.path.startswith(wz_path) for p in Person.objects.visible_to(wenzhou).select_related("org"))
    assert not Person.objects.visible_to(wenzhou).filter(org__code="ywql").exists()
    assert Grant.objects.get(user=wenzhou).role == "viewer"


def test_demo_is_indexed_for_search(demo):
    from core.search import search

    admin = get_user_model().objects.create_superuser("root", "", "x")
    assert [p.name for p in search(Person.objects.all(), admin, "王慧斌")][:1] == ["王慧斌"]


def test_demo_refuses_a_database_with_organizations(demo):
    with pytest.raises(CommandError, match="空数据库"):
        run("demo", people=5)


def test_demo_is_reproducible_and_prints_a_generated_password(db, monkeypatch):
    monkeypatch.delenv("SHANGHUI_DEMO_PASSWORD", raising=False)
    out = run("demo", people=20, seed=3)
    assert "演示用户的密码" in out and "yiwu" in out
    assert Person.objects.count() == 20


def test_firststart_loads_the_demo_and_creates_admin(db, monkeypatch):
    monkeypatch.setenv("SHANGHUI_ADMIN_PASSWORD", "admin-pass-123")
    run("firststart", people=10)
    assert Person.objects.count() == 10
    assert get_user_model().objects.get(username="admin").is_superuser


# ---- createuser ------------------------------------------------------------------------------


def test_createuser_generates_a_password(db):
    data = json.loads(run("createuser", "lina", email="lina@example.com", format="json"))
    user = get_user_model().objects.get(username="lina")
    assert data["username"] == "lina" and data["password"] and user.check_password(data["password"])
    assert user.email == "lina@example.com" and not user.is_superuser


def test_createuser_with_password_and_superuser(db):
    data = json.loads(run("createuser", "boss", password="Zhejiang-2026!", superuser=True, format="json"))
    assert data["password"] is None and data["superuser"] is True
    user = get_user_model().objects.get(username="boss")
    assert user.is_superuser and user.is_staff and user.check_password("Zhejiang-2026!")
    assert "已创建用户" in run("createuser", "clerk", password="Zhejiang-2026!")


def test_createuser_errors_are_clear(db):
    run("createuser", "lina", password="Zhejiang-2026!")
    with pytest.raises(CommandError, match="已被使用"):
        run("createuser", "lina", password="Zhejiang-2026!")
    with pytest.raises(CommandError, match="密码"):
        run("createuser", "weak", password="123")
    assert not get_user_model().objects.filter(username="weak").exists()


# ---- grant -----------------------------------------------------------------------------------


def test_grant_revoke_and_list(tree):
    run("createuser", "lina", password="Zhejiang-2026!")
    data = json.loads(run("grant", "lina", "hz", "staff", personal_data=True, format="json"))
    assert data == {"user": "lina", "org": "hz", "org_name": "杭州市侨联", "role": "staff",
                    "personal_data": True, "created": True}
    lina = get_user_model().objects.get(username="lina")
    assert list(Organization.objects.visible_to(lina).values_list("code", flat=True)) == ["hz", "hz-sc"]
    # Granting again changes the role instead of adding a second grant.
    data = json.loads(run("grant", "lina", "hz", "viewer", format="json"))
    assert data["created"] is False and Grant.objects.get(user=lina).role == "viewer"
    run("grant", "lina", "wz", "administrator")
    listed = json.loads(run("grant", "lina", list_grants=True, format="json"))
    assert [(g["org"], g["role"]) for g in listed["grants"]] == [("hz", "viewer"), ("wz", "administrator")]
    assert "温州市侨联" in run("grant", "lina", "--list")
    out = json.loads(run("grant", "lina", "hz", revoke=True, format="json"))
    assert out == {"user": "lina", "org": "hz", "revoked": True}
    assert list(Grant.objects.filter(user=lina).values_list("org__code", flat=True)) == ["wz"]


def test_grant_errors_are_clear(tree):
    run("createuser", "lina", password="Zhejiang-2026!")
    with pytest.raises(CommandError, match="组织代码“nowhere”不存在"):
        run("grant", "lina", "nowhere", "staff")
    with pytest.raises(CommandError, match="角色“boss”不存在") as e:
        run("grant", "lina", "hz", "boss")
    assert "administrator" in str(e.value) and "viewer" in str(e.value)
    with pytest.raises(CommandError, match="用户“ghost”不存在"):
        run("grant", "ghost", "hz", "staff")
    with pytest.raises(CommandError, match="没有授权"):
        run("grant", "lina", "hz", revoke=True)
    with pytest.raises(CommandError, match="请给出角色"):
        run("grant", "lina", "hz")
    assert "没有任何授权" in run("grant", "lina", "--list")


# ---- services (reused by the web UI) ----------------------------------------------------------


def test_grant_service_checks_the_actor_and_is_audited(users, tree):
    from auditlog.models import LogEntry

    target, _pw = services.create_user(by=users["hz_admin"], username="newclerk", password="Zhejiang-2026!")
    grant, created = services.grant_role(by=users["hz_admin"], user=target, org=tree["sc"], role="staff",
                                         personal_data=True)
    assert created
    entry = LogEntry.objects.get_for_object(grant).latest("timestamp")
    assert entry.actor == users["hz_admin"]
    with pytest.raises(PermissionDenied):
        services.grant_role(by=users["hz_admin"], user=target, org=tree["wz"], role="viewer")
    with pytest.raises(PermissionDenied):
        services.grant_role(by=users["hz_staff"], user=target, org=tree["hz"], role="viewer")
    with pytest.raises(PermissionDenied):
        services.create_user(by=users["hz_admin"], username="sneaky", is_superuser=True)
    with pytest.raises(PermissionDenied):
        services.create_user(by=users["hz_viewer"], username="sneaky")
    with pytest.raises(ValidationError):
        services.grant_role(by=None, user=target, org=tree["hz"], role="owner")
    services.revoke_grant(by=users["hz_admin"], user=target, org=tree["sc"])
    assert not Grant.objects.filter(user=target).exists()
