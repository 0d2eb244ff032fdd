"""A year of work on top of the demo registry: cases, activities, donations, products and demands,
an award campaign, notices and one member account, so a fresh `make run` shows live dashboards,
a member portal and a review with figures. Everything goes through the apps' services (audited,
indexed, numbered) as the secretariat's own work would.
"""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

CASES = [  # kind, subject, other party, amount involved
    ("business_dispute", "货款拖欠纠纷", "米兰某贸易公司", 186000),
    ("labour_dispute", "工资结算争议", "义乌某饰品厂", 42000),
    ("policy_consultation", "回国投资设厂政策咨询", "", None),
    ("rights_protection", "侨房产权确认", "", None),
    ("consumer_dispute", "跨境网购退款", "某电商平台", 3600),
    ("legal_consultation", "子女回国入学咨询", "", None),
    ("business_dispute", "外贸订单质量纠纷", "马德里某超市", 95000),
]
ACTIVITIES = [  # kind, title, city, country, participants
    ("study_trip", "侨商义乌国际商贸城考察", "义乌", "CN", 36),
    ("training", "跨境电商直播培训班", "义乌", "CN", 48),
    ("public_welfare", "侨爱助学公益行", "青田", "CN", 22),
    ("forum", "新侨创新创业座谈会", "杭州", "CN", 30),
    ("investment_promotion", "迪拜中国小商品推介会", "迪拜", "AE", 40),
]
PRODUCTS = [  # name, description, category code, English name
    ("不锈钢发夹", "多色不锈钢发夹，适合外贸批发", "jewelry", "Stainless steel hair clip"),
    ("羊毛围巾", "纯羊毛针织围巾，冬季款", "apparel", "Wool scarf"),
    ("木制益智玩具", "儿童木制拼图，环保漆", "toys", "Wooden puzzle toy"),
]


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def build(*, seed: int = 2024, member_password: str) -> dict:
    """Add the year of work; returns what was made and the demo member's login. Runs once (idempotent)."""
    from cases.models import Case

    if Case.objects.exists():
        return {"skipped": True}
    rng = random.Random(seed)
    out = {}
    with transaction.atomic():
        out["cases"] = _cases(rng)
        out["activities"] = _activities(rng)
        out["donations"] = _donations(rng)
        out["products"], out["demands"] = _directory()
        out["campaign"] = _campaign()
        out["notices"] = _notices()
        out["member"] = _member(member_password)
    return out


def _orgs(*codes):
    from orgs.models import Organization

    return [o for o in Organization.objects.filter(code__in=codes).order_by("path")]


def _cases(rng) -> int:
    from cases import services

    by = _user("zhejiang")
    n = 0
    for org in _orgs("ywql", "qtql", "wz-lcql", "ywqsh", "hz-scql"):
        for i, (kind, subject, other, amount) in enumerate(CASES):
            case = services.create_case(by=by, org=org, kind=kind, channel=rng.choice(["walk_in", "hotline"]),
                                        applicant_name=rng.choice(["王先生", "陈女士", "李先生", "周女士"]),
                                        subject=subject, other_party=other,
                                        amount_involved=Decimal(amount) if amount else None,
                                        description=f"{subject}，申请人请求协调处理。")
            n += 1
            if i % 3 == 2:
                continue  # still in progress
            services.accept(by=by, case=case)
            services.resolve(by=by, case=case, agreement="经调解双方达成一致。",
                             amount_recovered=Decimal(amount) * Decimal("0.8") if amount else None)
            services.close(by=by, case=case)
            services.record_satisfaction(by=by, case=case, score=rng.choice([4, 5, 5]), comment="满意")
    return n


def _activities(rng) -> int:
    from activities import services
    from registry.models import Person

    by = _user("zhejiang")
    year = timezone.localdate().year
    n = 0
    for org in _orgs("ywql", "qtql", "ywqsh"):
        people = list(Person.objects.filter(org__path__startswith=org.path)[:60])
        for i, (kind, title, city, country, count) in enumerate(ACTIVITIES):
            activity = services.create_activity(by=by, org=org, kind=kind, title=f"{org.short_name or org.name}{title}",
                                                start=dt.date(year, 3 + i * 2, 10), city=city, country=country)
            session = services.default_session(activity, by)
            for person in people[:min(count, len(people))]:
                registration = services.register(by=by, activity=activity, person=person, name=person.name)
                if rng.random() < 0.85:
                    services.check_in(by=by, session=session, registration=registration)
            n += 1
    return n


def _donations(rng) -> int:
    from charity import services
    from registry.models import Enterprise, Person

    by = _user("zhejiang")
    year = timezone.localdate().year
    n = 0
    for org in _orgs("qtql", "ywql"):
        fund = services.create_fund(by=by, org=org, code=f"{org.code}-zx", name=f"{org.name}侨爱助学基金",
                                    kind="student_aid")
        for person in Person.objects.filter(org__path__startswith=org.path)[:8]:
            services.receive_donation(by=by, fund=fund, donor_name=person.name, donor_person=person,
                                      value=Decimal(rng.choice([500, 1000, 2000, 5000])),
                                      received_on=dt.date(year, rng.randrange(1, 11), rng.randrange(1, 28)))
            n += 1
        for enterprise in Enterprise.objects.filter(org__path__startswith=org.path)[:3]:
            services.receive_donation(by=by, fund=fund, donor_name=enterprise.name, donor_kind="enterprise",
                                      donor_enterprise=enterprise, value=Decimal(rng.choice([10000, 50000])),
                                      received_on=dt.date(year, rng.randrange(1, 11), rng.randrange(1, 28)))
            n += 1
    return n


def _directory() -> tuple[int, int]:
    from directory import services
    from directory.models import Category
    from registry.models import Enterprise

    by = _user("zhejiang")
    products = 0
    categories = {c.code: c for c in Category.objects.filter(parent__isnull=True)}
    first = next(iter(categories.values()), None)
    for enterprise in Enterprise.objects.filter(org__code__in=["ywqsh", "ywql"]).order_by("pk")[:6]:
        for name, description, code, english in PRODUCTS:
            services.create_product(by=by, enterprise=enterprise, name=name, description=description,
                                    category=categories.get(code, first), translations={"en": {"name": english}},
                                    min_order=100, unit="件", status="published")
            products += 1
    org = _orgs("yw-ae")[0] if _orgs("yw-ae") else _orgs("ywql")[0]
    services.post_demand(by=by, org=org, buyer="Dubai Trading LLC", title="Wool scarves for winter season",
                         description="Looking for wool scarves, 2000 pieces, delivery to Dubai.", language="en",
                         quantity=2000, unit="pcs", destination="AE")
    return products, 1


def _campaign() -> str:
    from awards import services
    from orgs.models import Organization

    by = _user("zhejiang")
    organizer = _orgs("ywql")[0]
    year = timezone.localdate().year
    campaign = services.create_campaign(by=by, org=organizer, code=f"yw-{year}", year=year,
                                        title=f"{year}年度优秀侨团", places=2)
    services.add_criterion(by=by, campaign=campaign, group="服务发展好", title="服务会员与发展", max_score=60)
    services.add_criterion(by=by, campaign=campaign, group="队伍建设好", title="组织与队伍建设", max_score=40)
    services.open_nominations(by=by, campaign=campaign)
    for org in Organization.objects.filter(path__startswith=organizer.path, depth=organizer.depth + 1)[:3]:
        services.nominate(by=by, campaign=campaign, nominee=org)
    return campaign.code


def _notices() -> int:
    from portal import notices

    by = _user("zhejiang")
    n = 0
    for org in _orgs("ywqsh", "ywql", "qtql"):
        notices.create_notice(by=by, org=org, kind="notice", title="关于缴纳年度会费的通知",
                              body="请各位会员于年底前通过会员服务查看并缴纳本年度会费。", publish=True)
        notices.create_notice(by=by, org=org, kind="news", title="侨商跨境电商直播培训班圆满结束",
                              body="本次培训共有近五十名侨商参加，学员普遍反映收获很大。", publish=True)
        n += 2
    return n


def _member(password: str) -> dict | None:
    """One member of 义乌侨商会 with an enterprise: its login is its phone number."""
    from portal import services as portal
    from registry import services as registry
    from registry.models import Enterprise, Membership

    by = _user("zhejiang")
    membership = (Membership.objects.filter(org__code="ywqsh", person__isnull=False, left_on__isnull=True)
                  .exclude(person__phone="").select_related("person").order_by("pk").first())
    if membership is None:
        return None
    person = membership.person
    enterprise = Enterprise.objects.filter(org__code__in=["ywqsh", "ywql"]).order_by("pk").first()
    if enterprise is not None and enterprise.legal_person_id is None:
        registry.update_enterprise(by=by, enterprise=enterprise, legal_person=person)
    invitation, link = portal.invite(by=by, person=person, channel="sms")
    token = link.rstrip("/").rsplit("/", 1)[-1]
    portal.accept_invitation(token=token, password=password)
    return {"name": person.name, "login": person.phone}
