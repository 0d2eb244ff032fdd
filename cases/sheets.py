"""Import sheet of historical cases (历年诉求台账): one case per row, with its dates, parties, amounts and outcome.

Rows are written in bulk (a federation loads years at once); each case gets an "imported" entry on
its timeline, and the import as a whole one named audit entry (core.importing).
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import deadlines
from cases.filters import CaseFilter
from cases.models import Case, CaseEvent, Channel, Kind, Outcome, Status
from cases.services import normalize_case
from core.importing import normalize as n
from core.importing.sheets import ORG_CODE, Column, SheetKind, insert, register, run_validators
from registry.sheets import choice_label

RESULTS = [(Outcome.RESOLVED, gettext_lazy("已化解")), (Outcome.NOT_RESOLVED, gettext_lazy("未化解")),
           ("declined", gettext_lazy("不予受理"))]


def _at(day: dt.date | None, hour: int):
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@register
class CasesSheet(SheetKind):
    """诉求台账: matched by 编号 when given; rows without one are new cases."""

    kind = "cases"
    title = gettext_lazy("诉求")
    model = Case
    match_field = "number"
    filterset = CaseFilter
    indexed = True
    columns = [
        ORG_CODE,
        Column("number", gettext_lazy("编号"), ("诉求编号", "案件编号", "number"), normalize=n.code,
               help=gettext_lazy("原台账编号；编号相同的行更新已导入的诉求，留空则新建。")),
        Column("kind", gettext_lazy("类型"), ("诉求类型", "纠纷类型", "kind"), required=True,
               normalize=n.choice(Kind.choices), render=choice_label(Kind.choices), example="消费纠纷",
               help=gettext_lazy("必填：政策咨询、法律咨询、侨益保护、劳资纠纷、消费纠纷、经营纠纷、知识产权纠纷、其他诉求。")),
        Column("channel", gettext_lazy("来源渠道"), ("渠道", "来源", "channel"), normalize=n.choice(Channel.choices),
               render=choice_label(Channel.choices), example="调解室", help=gettext_lazy("留空为来访。")),
        Column("submitted_on", gettext_lazy("受理日期"), ("登记日期", "收案日期", "日期", "date"), required=True,
               normalize=n.date, source="submitted_at__date", example="2024-03-05"),
        Column("applicant_name", gettext_lazy("申请人"), ("当事人", "申请方", "applicant"), required=True,
               example="王小明"),
        Column("phone", gettext_lazy("联系电话"), ("手机", "电话", "phone"), normalize=n.phone, personal=True),
        Column("other_party", gettext_lazy("对方当事人"), ("被申请人", "对方", "other party")),
        Column("subject", gettext_lazy("事由"), ("诉求事由", "纠纷事由", "subject"), required=True,
               example="商品质量纠纷"),
        Column("amount_involved", gettext_lazy("涉及金额"), ("涉案金额", "标的额", "amount involved"),
               normalize=n.decimal, example="1200"),
        Column("result", gettext_lazy("办理结果"), ("结果", "调解结果", "result"), normalize=n.choice(RESULTS),
               source="outcome", render=choice_label(RESULTS), example="已化解",
               help=gettext_lazy("已化解、未化解、不予受理；留空为仍在办理。")),
        Column("amount_recovered", gettext_lazy("挽回金额"), ("挽回经济损失", "挽回损失", "amount recovered"),
               normalize=n.decimal, example="1000"),
        Column("decided_on", gettext_lazy("办结日期"), ("结案日期", "decided"), normalize=n.date,
               source="decided_at__date", example="2024-03-20"),
        Column("due_on", gettext_lazy("办结期限"), ("期限", "due"), normalize=n.date,
               help=gettext_lazy("留空则按办理时限（工作日）自受理日期起算。")),
        Column("satisfaction", gettext_lazy("满意度"), ("回访满意度", "satisfaction"), normalize=n.integer,
               help=gettext_lazy("1 至 5 分。")),
        Column("agreement", gettext_lazy("协议或处理结果"), ("调解协议", "处理情况", "agreement")),
    ]
    _plain = ["number", "kind", "applicant_name", "phone", "other_party", "subject", "amount_involved",
              "amount_recovered", "satisfaction", "agreement"]

    def build(self, values, org, explicit_org, existing, batch):
        """A case as it stands in the old ledger: status and outcome from 办理结果, dates from the sheet."""
        case = existing or Case(org=org)
        if existing is not None and existing.channel == Channel.PUBLIC_WEB:
            raise ValidationError({"number": _("网上受理的诉求不能由导入修改。")})
        before = {f: getattr(case, f) for f in self._plain}
        for f in self._plain:
            if values.get(f) not in (None, ""):
                setattr(case, f, values[f])
        case.channel = values.get("channel") or case.channel or Channel.WALK_IN
        submitted = values["submitted_on"]
        decided = values.get("decided_on")
        result = values.get("result") or ""
        errors = {}
        if decided and decided < submitted:
            errors["decided_on"] = [_("办结日期早于受理日期。")]
        if result and not decided:
            errors["decided_on"] = [_("有办理结果的诉求须填写办结日期。")]
        if case.satisfaction is not None and not 1 <= case.satisfaction <= 5:
            errors["satisfaction"] = [_("满意度为 1 至 5 分。")]
        if case.amount_recovered and result != Outcome.RESOLVED:
            errors["amount_recovered"] = [_("只有已化解的诉求才有挽回金额。")]
        if errors:
            raise ValidationError(errors)
        case.submitted_at = case.accepted_at = _at(submitted, 9)
        cache = batch.lookups.setdefault("resolve_days", {})
        key = (case.org.pk, case.kind)
        if key not in cache:
            cache[key] = deadlines.working_days_for(case.org, case.kind, "resolve")
        case.due_on = values.get("due_on") or deadlines.add_working_days(submitted, cache[key])
        case.accept_due = submitted
        if result == "declined":
            case.status, case.outcome, case.accepted_at = Status.CLOSED, "", None
            case.decline_reason = case.decline_reason or case.agreement
        elif result:
            case.status, case.outcome = Status.CLOSED, result
        else:
            case.status, case.outcome = Status.ACCEPTED, ""
        case.decided_at = case.closed_at = _at(decided, 17) if result else None
        normalize_case(case)
        run_validators(case, ["kind", "phone", "subject", "applicant_name"], skip={"phone"})
        changed = {f for f in self._plain if getattr(case, f) != before[f]} | {
            "channel", "submitted_at", "accepted_at", "due_on", "accept_due", "status", "outcome", "decided_at",
            "closed_at", "decline_reason"}
        return case, changed

    def save(self, created, updated, fields):
        """Bulk insert, then numbers for rows that had none, and one timeline entry per new case."""
        if created:
            insert(Case, created)
            numberless = [c for c in created if not c.number]
            for c in numberless:
                c.number = f"{timezone.localtime(c.submitted_at):%Y}{c.pk:07d}"
            Case.objects.bulk_update(numberless, ["number"], batch_size=1000)
            CaseEvent.objects.bulk_create(
                [CaseEvent(org_id=c.org_id, case=c, action="imported", status=c.status, at=c.submitted_at,
                           note=_("自历史台账导入")) for c in created], batch_size=1000)
        if updated and fields:
            Case.objects.bulk_update(updated, sorted(fields), batch_size=1000)
