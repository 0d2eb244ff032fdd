"""Import sheet of activities (历年活动台账): one activity per row with its attendance totals.

Past years come as lists, not as check-ins: the sheet's 参加人数, 人次 and 学时 are stored on the
activity as they are, and the indicators sum them like the counts kept from check-ins. Rows with
an 编号 are matched by organization and 编号, so a corrected sheet updates instead of adding.
"""
from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.filters import ActivityFilter
from activities.models import Activity, Audience, Kind
from core.importing import normalize as n
from core.importing.sheets import ORG_CODE, Column, SheetKind, register, run_validators, set_fields
from registry.sheets import choice_label


def _hours(value):
    number = n.decimal(value)
    return None if number is None else number.quantize(Decimal("0.1"))


def _countries(value) -> str:
    text = n.text(value).replace("，", ",").replace("、", ",").replace(" ", ",")
    codes = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        code = n.country(part)
        if not code:
            raise ValidationError(_("无法识别的国家或地区：%(v)s") % {"v": part})
        codes.append(code)
    return ",".join(codes)


@register
class ActivitiesSheet(SheetKind):
    """活动台账: activities with dates, place and attendance totals."""

    kind = "activities"
    title = gettext_lazy("活动")
    model = Activity
    match_field = "number"
    filterset = ActivityFilter
    columns = [
        ORG_CODE,
        Column("number", gettext_lazy("编号"), ("活动编号", "number"), normalize=n.code,
               help=gettext_lazy("组织内唯一；再次导入时按它更新，留空则新建。")),
        Column("kind", gettext_lazy("类型"), ("活动类型", "kind"), required=True, normalize=n.choice(Kind.choices),
               render=choice_label(Kind.choices), example="培训",
               help=gettext_lazy("必填：考察、培训、公益活动、座谈会/论坛、招商推介、代表大会/理事会、其他。")),
        Column("title", gettext_lazy("名称"), ("活动名称", "title"), required=True, example="跨境电商培训班"),
        Column("start", gettext_lazy("开始日期"), ("日期", "活动日期", "start"), required=True, normalize=n.date,
               example="2024-03-05"),
        Column("end", gettext_lazy("结束日期"), ("end",), normalize=n.date),
        Column("city", gettext_lazy("城市"), ("地点", "city")),
        Column("destinations", gettext_lazy("考察目的地"), ("目的地", "考察国家", "destinations"),
               normalize=_countries, example="肯尼亚、坦桑尼亚",
               help=gettext_lazy("国家或地区名称或代码，以顿号或逗号分隔。")),
        Column("capacity", gettext_lazy("名额"), ("capacity",), normalize=n.integer),
        Column("participants", gettext_lazy("参加人数"), ("人数", "participants"), normalize=n.integer, example="120"),
        Column("person_times", gettext_lazy("参加人次"), ("人次", "person times"), normalize=n.integer,
               example="480", help=gettext_lazy("多场次培训每场计一人次；留空则等于参加人数。")),
        Column("hours", gettext_lazy("培训学时"), ("学时", "人·学时", "hours"), normalize=_hours, example="960",
               help=gettext_lazy("人次乘以每场学时之和。")),
        Column("description", gettext_lazy("简介"), ("内容", "description")),
    ]
    _fields = ["number", "kind", "title", "start", "end", "city", "destinations", "capacity", "participants",
               "person_times", "hours", "description"]

    def match_key(self, values, org):
        """Organization and 编号 (rows without an 编号 are always new)."""
        number = values.get("number")
        return (org.pk, number) if number else None

    def existing(self, keys, batch):
        """Activities already imported with these organizations and 编号."""
        if not keys:
            return {}
        q = Q()
        for org_pk, number in keys:
            q |= Q(org_id=org_pk, number=number)
        return {(a.org_id, a.number): a for a in Activity.objects.select_related("org").filter(q)}

    def build(self, values, org, explicit_org, existing, batch):
        """A new activity, or the stored one with the sheet's non-empty cells."""
        activity = existing or Activity(org=org, audience=Audience.MEMBERS)
        changed = set_fields(activity, values, self._fields)
        if values.get("person_times") in (None, "") and activity.person_times < (activity.participants or 0):
            activity.person_times = activity.participants
            changed.add("person_times")
        errors = {}
        if activity.end and activity.end < activity.start:
            errors["end"] = [_("结束日期早于开始日期。")]
        if (activity.person_times or 0) < (activity.participants or 0):
            errors["person_times"] = [_("人次不能少于人数。")]
        if errors:
            raise ValidationError(errors)
        run_validators(activity, changed)
        return activity, changed
