"""Import sheet of the organization tree: one organization per row, under its parent's code."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import IntegerField, OuterRef, Subquery
from django.db.models.functions import Cast, Length, Substr
from django.utils.translation import gettext_lazy

from core.importing import normalize as n
from core.importing.sheets import Column, SheetKind, register
from orgs import services
from orgs.filters import OrganizationFilter
from orgs.models import Organization, OrgKind, OrgStatus
from registry.sheets import choice_label


@register
class OrganizationsSheet(SheetKind):
    """组织名册: organizations matched by code; a new one is added under its 上级单位代码.

    The tree is small (thousands of nodes) and each new node needs its parent's path, so rows
    are written one by one through orgs.services, with their audit entries and index.
    """

    kind = "organizations"
    title = gettext_lazy("组织")
    model = Organization
    match_field = "code"
    org_filter = "under"
    filterset = OrganizationFilter
    chunk_size = 1  # a row may name as parent an organization created by the row before it
    columns = [
        Column("code", gettext_lazy("代码"), ("组织代码", "单位代码", "code"), required=True, normalize=n.org_code,
               example="yw-it", help=gettext_lazy("必填：简短稳定的代码（字母、数字、连字符）；代码相同的行更新已有组织。")),
        Column("name", gettext_lazy("名称"), ("组织名称", "单位名称", "name"), required=True, example="义乌意大利侨商会"),
        Column("org_code", gettext_lazy("上级单位代码"), ("上级代码", "上级单位", "parent", "parent code"),
               normalize=n.org_code, source="parent_code",
               help=gettext_lazy("新组织挂在此上级单位下；留空则用导入时选择的组织。已有组织不因此移动。")),
        Column("kind", gettext_lazy("类型"), ("组织类型", "kind"), required=True, normalize=n.choice(OrgKind.choices),
               render=choice_label(OrgKind.choices), example="侨商会"),
        Column("short_name", gettext_lazy("简称"), ("short name",)),
        Column("credit_code", gettext_lazy("统一社会信用代码"), ("信用代码", "credit code"), normalize=n.code),
        Column("region", gettext_lazy("所在地区"), ("地区", "region"), normalize=n.region, example="330782"),
        Column("home_region", gettext_lazy("籍贯地区"), ("家乡", "home region"), normalize=n.region,
               help=gettext_lazy("异地商会的家乡。")),
        Column("country", gettext_lazy("国家"), ("country",), normalize=n.country, example="中国"),
        Column("founded_on", gettext_lazy("成立日期"), ("成立时间", "founded"), normalize=n.date),
        Column("status", gettext_lazy("状态"), ("status",), normalize=n.choice(OrgStatus.choices),
               render=choice_label(OrgStatus.choices), help=gettext_lazy("正常、暂停、已注销；留空为正常。")),
        Column("contact_person", gettext_lazy("联系人"), ("contact",)),
        Column("contact_phone", gettext_lazy("联系电话"), ("电话", "phone"), normalize=n.phone),
        Column("email", gettext_lazy("电子邮箱"), ("邮箱", "email"), normalize=n.email),
        Column("address", gettext_lazy("地址"), ("address",)),
    ]
    _fields = [c.field for c in columns if c.field != "org_code"]

    def org_code(self, values):
        """A new organization belongs under its parent; an existing one answers for itself (no move)."""
        if Organization.objects.filter(code=values.get("code")).exists():
            return values["code"]
        return values.get("org_code", "")

    def existing(self, keys, batch):
        """Organizations with these codes."""
        return {o.code: o for o in Organization.objects.filter(code__in=keys)} if keys else {}

    def owner(self, obj):
        """An organization answers for itself."""
        return obj

    def build(self, values, org, explicit_org, existing, batch):
        """Create or update through orgs.services (grant, validation, audit, index)."""
        fields = {k: values[k] for k in self._fields if values.get(k) not in (None, "")}
        try:
            if existing is None:
                obj = services.create_organization(by=batch.user, parent=org, **fields)
                return obj, set(fields)
            changed = {k for k, v in fields.items() if getattr(existing, k) != v}
            fields.pop("code", None)
            obj = services.update_organization(by=batch.user, org=existing, **fields)
            return obj, changed
        except PermissionDenied as e:
            raise ValidationError({"org_code": str(e)}) from None

    def save(self, created, updated, fields):
        """Rows were written one by one in build()."""

    def export_queryset(self, qs):
        """Each organization with its parent's code (the parent's path is the path minus one step)."""
        parent = Organization.objects.filter(
            path=Substr(OuterRef("path"), 1, Cast(Length(OuterRef("path")) - Organization.steplen, IntegerField()))
        ).values("code")[:1]
        return qs.annotate(parent_code=Subquery(parent))
