"""Import sheet of pairing participants: both sides of a programme, one participant per row.

A row names its programme by code; the participant belongs to the programme's organization
(the organization chosen at import only has to be one the user may change). Rows with an
编号 are matched by programme, side and 编号, so a corrected sheet updates instead of adding.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import can
from core.importing import normalize as n
from core.importing.sheets import Column, SheetKind, register, run_validators, set_fields
from core.scoping import CHANGE, VIEW
from pairing.filters import ParticipantFilter
from pairing.models import Participant, Program, Side
from pairing.scoring import split_tags
from registry.models import Enterprise, EnterpriseSize, Industry
from registry.sheets import choice_label


def _float(value):
    number = n.decimal(value)
    return None if number is None else float(number)


def _tags(value) -> str:
    return ",".join(split_tags(n.text(value)))


@register
class ParticipantsSheet(SheetKind):
    """结对参与方表: helpers and beneficiaries of pairing programmes."""

    kind = "pairing_participants"
    title = gettext_lazy("结对参与方")
    model = Participant
    match_field = "external_key"
    filterset = ParticipantFilter
    columns = [
        Column("program_code", gettext_lazy("项目代码"), ("结对项目代码", "项目", "program"), required=True,
               normalize=n.org_code, source="program__code", example="yw-2024",
               help=gettext_lazy("必填：结对项目的代码，参与方归入该项目及其所属组织。")),
        Column("side", gettext_lazy("方向"), ("帮扶或受助", "类别", "side"), required=True,
               normalize=n.choice(Side.choices), render=choice_label(Side.choices), example="受助方",
               help=gettext_lazy("必填：帮扶方或受助方。")),
        Column("name", gettext_lazy("名称"), ("姓名", "单位名称", "店名", "村名", "name"), required=True,
               example="稠城小商品店", help=gettext_lazy("必填。")),
        Column("external_key", gettext_lazy("编号"), ("序号编号", "参与方编号", "key"),
               help=gettext_lazy("项目内唯一；再次导入时按项目、方向和编号更新。")),
        Column("credit_code", gettext_lazy("统一社会信用代码"), ("信用代码", "credit code"), normalize=n.code,
               source="enterprise__credit_code",
               help=gettext_lazy("已在侨情登记的企业可填，地区、行业、规模等空白项从登记信息补全。")),
        Column("region", gettext_lazy("所在地区"), ("地区", "区划代码", "region"), normalize=n.region,
               example="330782"),
        Column("industry", gettext_lazy("行业门类"), ("行业", "industry"), normalize=n.choice(Industry.choices),
               render=choice_label(Industry.choices), example="批发和零售业"),
        Column("size", gettext_lazy("规模"), ("企业规模", "size"), normalize=n.choice(EnterpriseSize.choices),
               render=choice_label(EnterpriseSize.choices), example="微型"),
        Column("needs", gettext_lazy("需求"), ("帮扶需求", "needs"), normalize=_tags, example="电商,资金",
               help=gettext_lazy("受助方的需求标签，以逗号或顿号分隔，如 电商、品牌、资金、技术、法律、外贸、物流、培训。")),
        Column("strengths", gettext_lazy("优势"), ("特长", "可提供", "strengths"), normalize=_tags,
               example="电商,外贸", help=gettext_lazy("帮扶方能提供的帮助，标签同上。")),
        Column("languages", gettext_lazy("语言"), ("languages",), normalize=_tags,
               help=gettext_lazy("以逗号分隔；留空视为中文。")),
        Column("latitude", gettext_lazy("纬度"), ("lat", "latitude"), normalize=_float, example="29.306"),
        Column("longitude", gettext_lazy("经度"), ("lng", "lon", "longitude"), normalize=_float, example="120.075"),
        Column("capacity", gettext_lazy("结对上限"), ("名额", "capacity"), normalize=n.integer,
               help=gettext_lazy("帮扶方最多结对几个（留空用项目的统一上限）；受助方最多几个帮扶方。")),
        Column("notes", gettext_lazy("备注"), ("说明", "notes")),
    ]
    _fields = ["side", "name", "external_key", "region", "industry", "size", "needs", "strengths", "languages",
               "latitude", "longitude", "capacity", "notes"]

    def match_key(self, values, org):
        """Programme, side and 编号 (rows without an 编号 are always new)."""
        key = values.get("external_key")
        return (values.get("program_code"), values.get("side"), key) if key else None

    def prepare(self, batch):
        """The programmes and registered enterprises the chunk names, inside the user's scope."""
        codes = {row[1].get("program_code") for row in batch.rows} - {None, ""}
        batch.lookups["programs"] = {p.code: p for p in Program.objects.visible_to(batch.user, VIEW)
                                     .select_related("org").filter(code__in=codes)}
        credit = {row[1].get("credit_code") for row in batch.rows} - {None, ""}
        batch.lookups["enterprises"] = {e.credit_code: e for e in Enterprise.objects.visible_to(batch.user, VIEW)
                                        .filter(credit_code__in=credit)} if credit else {}

    def existing(self, keys, batch):
        """Participants already imported with these programme, side and 编号."""
        q = Q()
        for code, side, key in keys:
            q |= Q(program__code=code, side=side, external_key=key)
        if not keys:
            return {}
        return {(p.program.code, p.side, p.external_key): p
                for p in Participant.objects.select_related("org", "program").filter(q)}

    def build(self, values, org, explicit_org, existing, batch):
        """A new participant of the named programme, or the stored one with the sheet's non-empty cells."""
        program = batch.lookups["programs"].get(values.get("program_code"))
        if program is None or not can(batch.user, CHANGE, program.org):
            raise ValidationError({"program_code": _("项目代码“%(c)s”不存在或您无权修改该项目。")
                                   % {"c": values.get("program_code")}})
        participant = existing or Participant(program=program, org=program.org)
        changed = set_fields(participant, values, self._fields)
        if values.get("credit_code"):
            enterprise = batch.lookups["enterprises"].get(values["credit_code"])
            if enterprise is None:
                raise ValidationError({"credit_code": _("未找到统一社会信用代码为 %(v)s 的企业。")
                                       % {"v": values["credit_code"]}})
            participant.enterprise = enterprise
            for field, value in (("region", enterprise.region), ("industry", enterprise.industry),
                                 ("size", enterprise.size)):
                if not getattr(participant, field) and value:
                    setattr(participant, field, value)
                    changed.add(field)
            changed.add("enterprise")
        if (participant.latitude is None) != (participant.longitude is None):
            raise ValidationError({"latitude": _("纬度和经度须同时填写。")})
        if participant.latitude is not None and not (-90 <= participant.latitude <= 90
                                                     and -180 <= participant.longitude <= 180):
            raise ValidationError({"latitude": _("坐标超出范围。")})
        run_validators(participant, changed)
        return participant, changed
