"""Import sheets of the registry: people, enterprises, memberships and dues."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.fields import with_hash_fields
from core.importing import normalize as n
from core.importing.sheets import ORG_CODE, Column, SheetKind, register, run_validators, set_fields
from core.scoping import VIEW
from orgs.models import PositionRole
from registry.filters import EnterpriseFilter, MembershipFilter, PersonFilter
from registry.models import (
    Category,
    DuesPayment,
    Enterprise,
    EnterpriseKind,
    EnterpriseSize,
    Gender,
    Industry,
    Membership,
    Person,
)
from registry.services import ENTERPRISE_FIELDS, PERSON_FIELDS, normalize_enterprise, normalize_person


def choice_label(choices):
    """Render a stored choice as its Chinese label (what the import reads back)."""
    labels = dict(choices)
    return lambda value: str(labels.get(value, value or ""))


def yes_no(value) -> str:
    """Render a boolean as 是 / 否."""
    return "" if value is None else (_("是") if value else _("否"))


ID_NUMBER = Column("id_number", gettext_lazy("身份证号"), ("身份证号码", "公民身份号码", "身份证", "证件号码", "ID number"),
                   normalize=n.checked_id_number, personal=True, example="330782198503050012",
                   help=gettext_lazy("18位居民身份证号，末位X大小写均可；用于匹配已登记的人员。"))
CREDIT_CODE = Column("credit_code", gettext_lazy("统一社会信用代码"), ("信用代码", "社会信用代码", "credit code"),
                     normalize=n.code, example="91330782MA2XXXXXX",
                     help=gettext_lazy("18位统一社会信用代码；用于匹配已登记的企业。"))


@register
class PeopleSheet(SheetKind):
    """人员登记表: one person per row, matched by ID number."""

    kind = "people"
    title = gettext_lazy("人员")
    model = Person
    match_field = "id_number"
    filterset = PersonFilter
    indexed = True
    columns = [
        ORG_CODE,
        Column("name", gettext_lazy("姓名"), ("名字", "name"), required=True, example="王小明",
               help=gettext_lazy("必填。")),
        Column("category", gettext_lazy("类别"), ("人员类别", "侨情类别", "category"), required=True,
               normalize=n.choice(Category.choices), render=choice_label(Category.choices), example="华侨",
               help=gettext_lazy("必填：华侨、外籍华人、归侨、侨眷、港澳台同胞、留学人员。")),
        Column("gender", gettext_lazy("性别"), ("gender", "sex"), normalize=n.choice(Gender.choices),
               render=choice_label(Gender.choices), example="男", help=gettext_lazy("男或女；留空时按身份证号推定。")),
        Column("birth_date", gettext_lazy("出生日期"), ("出生年月日", "生日", "birth date", "date of birth"),
               normalize=n.date, personal=True, example="1985-03-05",
               help=gettext_lazy("如 1985-03-05、1985/3/5、1985年3月5日；须与身份证号一致。")),
        ID_NUMBER,
        Column("passport_number", gettext_lazy("护照号"), ("护照号码", "护照", "passport"), normalize=n.code,
               personal=True),
        Column("phone", gettext_lazy("手机"), ("手机号", "手机号码", "联系电话", "电话", "phone", "mobile"),
               normalize=n.phone, personal=True, example="13812345678",
               help=gettext_lazy("中国号码直接填写；境外号码加国际区号，如 +39 333 1234567 或 0039…。")),
        Column("email", gettext_lazy("电子邮箱"), ("邮箱", "email", "e-mail"), normalize=n.email, personal=True),
        Column("wechat", gettext_lazy("微信号"), ("微信", "wechat")),
        Column("country", gettext_lazy("居住国"), ("国家", "所在国", "居住国家", "country"), normalize=n.country,
               example="意大利", help=gettext_lazy("中文国名、英文国名或两位代码，如 意大利、Italy、IT。")),
        Column("home_region", gettext_lazy("祖籍地"), ("籍贯", "侨乡", "祖籍", "home region"), normalize=n.region,
               example="330782", help=gettext_lazy("六位行政区划代码或完整地名，如 330782 或 浙江省金华市义乌市。")),
        Column("is_new_overseas", gettext_lazy("新侨"), ("是否新侨", "new overseas"), normalize=n.boolean,
               render=yes_no, example="是", help=gettext_lazy("是或否（1978年后出国）。")),
        Column("former_names", gettext_lazy("曾用名"), ("former names",)),
        Column("foreign_name", gettext_lazy("外文名"), ("英文名", "外文姓名", "foreign name", "english name")),
        Column("address", gettext_lazy("地址"), ("住址", "联系地址", "address"), personal=True),
        Column("languages", gettext_lazy("语言"), ("languages",), help=gettext_lazy("以逗号分隔，如 中文,意大利语")),
        Column("notes", gettext_lazy("备注"), ("说明", "notes")),
    ]
    _fields = frozenset(PERSON_FIELDS - {"org"})
    # Checked already: by normalize_person (ID number, phone; the birth date below), or by the
    # column's normaliser, which only returns valid codes (country, region, choices, yes/no).
    _checked = frozenset({"id_number", "phone", "birth_date", "country", "home_region", "category", "gender",
                          "is_new_overseas"})

    def save(self, created, updated, fields):
        """Write the chunk; a changed ID or passport number rewrites its lookup hash too."""
        super().save(created, updated, with_hash_fields(Person, fields))

    def build(self, values, org, explicit_org, existing, batch):
        """A new person, or the stored one with the sheet's non-empty cells; checked like create_person."""
        person = existing or self.new(org=org)
        before = {"birth_date": person.birth_date, "gender": person.gender}
        changed = set_fields(person, values, self._fields)
        if existing is not None and explicit_org and existing.org_id != org.pk:
            person.org = org
            changed.add("org")
        # The phone is already in E.164: the column's normaliser wrote it, or it was stored so. Parsing it
        # again in normalize_person costs ~20 µs for a number abroad, a fifth of an import's time.
        phone, person.phone = person.phone, ""
        try:
            # The ID number is the sheet's, checked by its column's normaliser, or the stored one it matched.
            normalize_person(person, id_checked=True)
        finally:
            person.phone = phone
        run_validators(person, changed, skip=self._checked)
        if person.birth_date:
            run_validators(person, ["birth_date"])
        if existing is not None:
            # normalize_person may have filled the birth date and gender from the ID number.
            changed |= {name for name in ("birth_date", "gender") if getattr(person, name) != before[name]}
            if changed:
                person.updated_at = timezone.now()
                changed.add("updated_at")
        return person, changed


@register
class EnterprisesSheet(SheetKind):
    """企业登记表: one enterprise per row, matched by credit code."""

    kind = "enterprises"
    title = gettext_lazy("企业")
    model = Enterprise
    match_field = "credit_code"
    filterset = EnterpriseFilter
    indexed = True
    columns = [
        ORG_CODE,
        Column("name", gettext_lazy("名称"), ("企业名称", "公司名称", "单位名称", "name"), required=True,
               example="义乌华联贸易有限公司", help=gettext_lazy("必填。")),
        CREDIT_CODE,
        Column("kind", gettext_lazy("类型"), ("企业类型", "kind"), normalize=n.choice(EnterpriseKind.choices),
               render=choice_label(EnterpriseKind.choices), example="有限公司",
               help=gettext_lazy("有限公司、个体工商户、合伙企业、外商投资企业、境外企业、其他。")),
        Column("industry", gettext_lazy("行业门类"), ("行业", "所属行业", "industry"),
               normalize=n.choice(Industry.choices), render=choice_label(Industry.choices), example="批发和零售业",
               help=gettext_lazy("国民经济行业门类名称或字母，如 批发和零售业 或 F。")),
        Column("country", gettext_lazy("国家"), ("所在国", "country"), normalize=n.country, example="中国",
               help=gettext_lazy("留空为中国。")),
        Column("region", gettext_lazy("所在地区"), ("地区", "区划代码", "region"), normalize=n.region,
               example="330782"),
        Column("size", gettext_lazy("规模"), ("企业规模", "size"), normalize=n.choice(EnterpriseSize.choices),
               render=choice_label(EnterpriseSize.choices), help=gettext_lazy("微型、小型、中型、大型。")),
        Column("legal_representative", gettext_lazy("法定代表人"), ("法人", "法人代表", "负责人", "legal representative")),
        Column("main_products", gettext_lazy("主营产品"), ("主要产品", "经营范围", "products")),
        Column("phone", gettext_lazy("联系电话"), ("电话", "手机", "phone"), normalize=n.phone, personal=True),
        Column("address", gettext_lazy("地址"), ("经营地址", "注册地址", "address"), personal=True),
        Column("notes", gettext_lazy("备注"), ("说明", "notes")),
    ]
    _fields = frozenset(ENTERPRISE_FIELDS - {"org", "legal_person"})

    def build(self, values, org, explicit_org, existing, batch):
        """A new enterprise, or the stored one with the sheet's non-empty cells; checked like create_enterprise."""
        enterprise = existing or self.new(org=org)
        changed = set_fields(enterprise, values, self._fields)
        if existing is not None and explicit_org and existing.org_id != org.pk:
            enterprise.org = org
            changed.add("org")
        normalize_enterprise(enterprise)
        run_validators(enterprise, changed, skip={"credit_code", "phone", "country", "region", "kind", "industry",
                                                  "size"})
        if existing is not None and changed:
            enterprise.updated_at = timezone.now()
            changed.add("updated_at")
        return enterprise, changed


MEMBER_HELP = gettext_lazy("身份证号与统一社会信用代码填一项：个人会员填身份证号，企业会员填信用代码；须已在侨情中登记。")


class _MemberSheet(SheetKind):
    """Rows that name a member by ID number or credit code, looked up once per chunk."""

    def prepare(self, batch):
        """Find the people and enterprises the chunk names, inside the user's scope."""
        ids = {row[1].get("id_number") for row in batch.rows} - {None, ""}
        codes = {row[1].get("credit_code") for row in batch.rows} - {None, ""}
        user = batch.user
        batch.lookups["people"] = dict(
            Person.objects.visible_to(user, VIEW).filter(id_number__in=ids).values_list("id_number", "pk")
        ) if ids else {}
        batch.lookups["enterprises"] = dict(
            Enterprise.objects.visible_to(user, VIEW).filter(credit_code__in=codes).values_list("credit_code", "pk")
        ) if codes else {}

    def member(self, values, batch) -> dict:
        """{"person_id": …} or {"enterprise_id": …} for the row; ValidationError when not found."""
        if values.get("id_number"):
            pk = batch.lookups["people"].get(values["id_number"])
            if pk is None:
                raise ValidationError({"id_number": _("未找到身份证号为 %(v)s 的人员，请先导入人员。")
                                       % {"v": values["id_number"]}})
            return {"person_id": pk}
        if values.get("credit_code"):
            pk = batch.lookups["enterprises"].get(values["credit_code"])
            if pk is None:
                raise ValidationError({"credit_code": _("未找到统一社会信用代码为 %(v)s 的企业，请先导入企业。")
                                       % {"v": values["credit_code"]}})
            return {"enterprise_id": pk}
        raise ValidationError({"id_number": _("请填写身份证号或统一社会信用代码。")})

    def match_key(self, values, org):
        """The organization and the member (one row per member and organization)."""
        who = values.get("id_number") or values.get("credit_code")
        return (org.pk, who) + self.extra_key(values) if who and org is not None else None

    def extra_key(self, values) -> tuple:
        """More of the identity of a row, besides organization and member."""
        return ()


@register
class MembershipsSheet(_MemberSheet):
    """会员名册: who is a member of which organization, with position and dates."""

    kind = "memberships"
    title = gettext_lazy("会员")
    model = Membership
    match_field = "id_number"
    filterset = MembershipFilter
    columns = [
        ORG_CODE,
        Column("id_number", ID_NUMBER.header, ID_NUMBER.aliases, normalize=n.id_number, source="person__id_number",
               personal=True, help=MEMBER_HELP),
        Column("credit_code", CREDIT_CODE.header, CREDIT_CODE.aliases, normalize=n.code,
               source="enterprise__credit_code", help=MEMBER_HELP),
        Column("role", gettext_lazy("会员职务"), ("职务", "role"), normalize=n.choice(PositionRole.choices),
               render=choice_label(PositionRole.choices), example="会员",
               help=gettext_lazy("会长、副会长、理事、会员等；留空为会员。")),
        Column("joined_on", gettext_lazy("入会日期"), ("入会时间", "joined"), normalize=n.date, example="2020-01-01"),
        Column("left_on", gettext_lazy("退会日期"), ("退会时间", "left"), normalize=n.date),
    ]

    def existing(self, keys, batch):
        """Current memberships of the members named, in the organizations named."""
        people, enterprises = batch.lookups["people"], batch.lookups["enterprises"]
        by_pk = {("p", pk): key for key, pk in people.items()} | {("e", pk): key for key, pk in enterprises.items()}
        org_ids = {k[0] for k in keys}
        found = {}
        qs = Membership.objects.select_related("org").filter(org_id__in=org_ids, left_on__isnull=True).filter(
            Q(person_id__in=list(people.values())) | Q(enterprise_id__in=list(enterprises.values())))
        for m in qs:
            who = by_pk.get(("p", m.person_id) if m.person_id else ("e", m.enterprise_id))
            found[(m.org_id, who)] = m
        return found

    def build(self, values, org, explicit_org, existing, batch):
        """A new membership, or the current one with a new role or dates."""
        membership = existing or Membership(org=org, **self.member(values, batch))
        changed = set_fields(membership, {**values, "role": values.get("role") or
                                          (None if existing else PositionRole.MEMBER)},
                             ["role", "joined_on", "left_on"])
        membership.full_clean(exclude=["org", "person", "enterprise"])
        return membership, changed


@register
class DuesSheet(_MemberSheet):
    """会费缴纳表: payments of membership dues, matched by receipt number."""

    kind = "dues"
    title = gettext_lazy("会费")
    model = DuesPayment
    match_field = "receipt_number"
    columns = [
        ORG_CODE,
        Column("id_number", ID_NUMBER.header, ID_NUMBER.aliases, normalize=n.id_number,
               source="membership__person__id_number", personal=True, help=MEMBER_HELP),
        Column("credit_code", CREDIT_CODE.header, CREDIT_CODE.aliases, normalize=n.code,
               source="membership__enterprise__credit_code", help=MEMBER_HELP),
        Column("year", gettext_lazy("年度"), ("会费年度", "year"), required=True, normalize=n.integer, example="2024"),
        Column("amount", gettext_lazy("金额"), ("金额（元）", "缴费金额", "会费", "amount"), required=True,
               normalize=n.decimal, example="2000", help=gettext_lazy("人民币元，如 2000 或 2,000.00。")),
        Column("paid_on", gettext_lazy("缴费日期"), ("缴费时间", "paid on"), required=True, normalize=n.date,
               example="2024-03-01"),
        Column("receipt_number", gettext_lazy("收据号"), ("收据编号", "票据号", "receipt"), normalize=n.compact,
               help=gettext_lazy("同一组织内收据号相同的行视为同一笔缴费，再次导入时更新。")),
    ]

    def extra_key(self, values):
        """A payment is one receipt; without a receipt number, one year's payment on one day."""
        return (values.get("receipt_number") or (values.get("year"), values.get("paid_on"), values.get("amount")),)

    def prepare(self, batch):
        """Members, then their latest membership in each organization named."""
        super().prepare(batch)
        people, enterprises = batch.lookups["people"], batch.lookups["enterprises"]
        org_ids = {row[2].pk for row in batch.rows}
        latest = {}
        qs = Membership.objects.filter(org_id__in=org_ids).filter(
            Q(person_id__in=list(people.values())) | Q(enterprise_id__in=list(enterprises.values()))
        ).order_by("joined_on", "pk")
        for m in qs.only("pk", "org_id", "person_id", "enterprise_id"):
            latest[(m.org_id, m.person_id, m.enterprise_id)] = m
        batch.lookups["memberships"] = latest

    def existing(self, keys, batch):
        """Payments already recorded with the receipt numbers named."""
        receipts = {k[2] for k in keys if isinstance(k[2], str)}
        org_ids = {k[0] for k in keys}
        qs = DuesPayment.objects.select_related("org", "membership").filter(org_id__in=org_ids,
                                                                             receipt_number__in=receipts)
        found = {}
        people = {pk: key for key, pk in batch.lookups["people"].items()}
        enterprises = {pk: key for key, pk in batch.lookups["enterprises"].items()}
        for p in qs:
            who = people.get(p.membership.person_id) or enterprises.get(p.membership.enterprise_id)
            found[(p.org_id, who, p.receipt_number)] = p
        return found

    def build(self, values, org, explicit_org, existing, batch):
        """A new payment for the member's membership, or the stored one with this receipt number."""
        if existing is None:
            member = self.member(values, batch)
            membership = batch.lookups["memberships"].get(
                (org.pk, member.get("person_id"), member.get("enterprise_id")))
            if membership is None:
                field = "id_number" if "person_id" in member else "credit_code"
                raise ValidationError({field: _("该成员不是“%(o)s”的会员，请先导入会员。") % {"o": org}})
            existing_or_new = DuesPayment(org=org, membership=membership)
        else:
            existing_or_new = existing
        changed = set_fields(existing_or_new, values, ["year", "amount", "paid_on", "receipt_number"])
        if existing_or_new.amount is not None and existing_or_new.amount <= 0:
            raise ValidationError({"amount": _("金额必须大于零。")})
        existing_or_new.full_clean(exclude=["org", "membership"])
        return existing_or_new, changed
