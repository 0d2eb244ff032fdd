"""Writes of the awards app: campaigns and rubrics, nominations, judging, ranking, publication, certifications.

Every write is atomic, takes the acting user as `by=`, checks the grant with `core.services.require`
and writes a named audit action (`awards.campaign.published`, `awards.score.changed`, …) beside the
field diffs of django-auditlog. Judges are the one exception to grant-based permission: a judge
scores because of its `Judge` row, not because of a grant, and only the nominations assigned to it.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can
from awards.models import (
    LEVEL_RANK,
    Assignment,
    Campaign,
    CampaignStatus,
    Certification,
    CertificationKind,
    Criterion,
    Entry,
    Evidence,
    Figure,
    Judge,
    Level,
    Nomination,
    NominationStatus,
    NomineeKind,
    Objection,
    Score,
    ScoringMode,
)
from awards.ranking import rank_campaign
from core import uploads
from core.audit import acting, log_action
from core.scoping import CHANGE
from core.services import apply_fields, require

CAMPAIGN_FIELDS = {"org", "code", "year", "title", "description", "nominee_kind", "eligible_kinds",
                   "required_certification", "required_level", "places", "scoring_mode", "drop_extremes",
                   "nomination_end", "scoring_end", "publicity_end", "published_on"}
CRITERION_FIELDS = {"group", "title", "description", "max_score", "weight", "indicator_key", "position"}
CERTIFICATION_FIELDS = {"kind", "title", "level", "issuer", "year", "expires_on", "holder_org",
                        "holder_enterprise", "holder_person", "campaign"}

# The figures a nomination shows from Shanghui's own records, when the indicator exists at run time:
# members and growth, activities and person-times, cases resolved and amounts recovered, pairs, donations.
FIGURE_KEYS = (
    "registry.members.current", "registry.members.joined", "activities.activities.count",
    "activities.person_times", "cases.resolved", "cases.amount_recovered", "pairing.pairs.made",
    "charity.donations.total",
)


def _decimal(value, field: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("请填写数字。")}) from None


def _fmt(value: Decimal) -> str:
    """60 rather than 60.00 or 6E+1."""
    return format(value.normalize(), "f")


def _status(campaign: Campaign, *allowed: str, message: str | None = None) -> None:
    if campaign.status not in allowed:
        raise ValidationError(message or _("评优活动当前为“%(s)s”，不能进行此操作。")
                              % {"s": campaign.get_status_display()}, code="invalid_transition")


# Campaigns and rubrics -----------------------------------------------------------------------

def create_campaign(*, by, **fields) -> Campaign:
    """Create a campaign in preparation (筹备中) for the organizer `org`."""
    campaign = Campaign()
    apply_fields(campaign, fields, CAMPAIGN_FIELDS)
    require(by, CHANGE, campaign.org)
    campaign.full_clean()
    with transaction.atomic(), acting(by):
        campaign.save()
        log_action(campaign, "awards.campaign.created", by, {"code": campaign.code})
    return campaign


def update_campaign(*, by, campaign: Campaign, **fields) -> Campaign:
    """Change a campaign's settings; who may be nominated and how scores add up are fixed once it opens."""
    require(by, CHANGE, campaign.org)
    fixed = {"org"} if campaign.status == CampaignStatus.DRAFT else {
        "org", "nominee_kind", "eligible_kinds", "required_certification", "required_level", "scoring_mode",
        "drop_extremes"}
    changed = apply_fields(campaign, fields, CAMPAIGN_FIELDS - fixed)
    campaign.full_clean()
    with transaction.atomic(), acting(by):
        campaign.save()
        if changed:
            log_action(campaign, "awards.campaign.changed", by, {"fields": sorted(changed)})
    return campaign


def add_criterion(*, by, campaign: Campaign, **fields) -> Criterion:
    """Add a line to the rubric (only while the campaign is in preparation)."""
    require(by, CHANGE, campaign.org)
    _status(campaign, CampaignStatus.DRAFT, message=_("评价指标只能在筹备阶段修改。"))
    criterion = Criterion(campaign=campaign)
    apply_fields(criterion, fields, CRITERION_FIELDS)
    if not fields.get("position"):
        criterion.position = campaign.criteria.count() + 1
    _check_criterion(criterion)
    with transaction.atomic(), acting(by):
        criterion.save()
    return criterion


def update_criterion(*, by, criterion: Criterion, **fields) -> Criterion:
    """Change a rubric line (only while the campaign is in preparation)."""
    campaign = criterion.campaign
    require(by, CHANGE, campaign.org)
    _status(campaign, CampaignStatus.DRAFT, message=_("评价指标只能在筹备阶段修改。"))
    apply_fields(criterion, fields, CRITERION_FIELDS)
    _check_criterion(criterion)
    with transaction.atomic(), acting(by):
        criterion.save()
    return criterion


def remove_criterion(*, by, criterion: Criterion) -> None:
    """Take a line out of the rubric (only while the campaign is in preparation)."""
    require(by, CHANGE, criterion.campaign.org)
    _status(criterion.campaign, CampaignStatus.DRAFT, message=_("评价指标只能在筹备阶段修改。"))
    with transaction.atomic(), acting(by):
        criterion.delete()


def _check_criterion(criterion: Criterion) -> None:
    from stats.indicators import REGISTRY

    criterion.max_score = _decimal(criterion.max_score, "max_score")
    criterion.weight = _decimal(criterion.weight or 0, "weight")
    if criterion.max_score <= 0:
        raise ValidationError({"max_score": _("满分须大于零。")})
    if not Decimal(0) <= criterion.weight <= Decimal(100):
        raise ValidationError({"weight": _("权重须在0到100之间。")})
    if criterion.indicator_key and criterion.indicator_key not in REGISTRY:
        raise ValidationError({"indicator_key": _("没有名为 %(k)s 的指标。") % {"k": criterion.indicator_key}})
    criterion.full_clean(exclude=["campaign"])


def rubric_problems(campaign: Campaign) -> list[str]:
    """What keeps the rubric from being used: no criteria, or weights that do not add up to 100."""
    criteria = list(campaign.criteria.all())
    if not criteria:
        return [_("请先设置评价指标。")]
    if campaign.scoring_mode == ScoringMode.WEIGHTED:
        total = sum((c.weight for c in criteria), Decimal(0))
        if total != 100:
            return [_("各指标权重合计须为100，当前为%(t)s。") % {"t": _fmt(total)}]
    return []


def previous_campaign(campaign: Campaign) -> Campaign | None:
    """Last year's campaign of the same organizer and kind (the latest earlier one with a rubric)."""
    return (Campaign.objects.filter(org=campaign.org, nominee_kind=campaign.nominee_kind, year__lt=campaign.year,
                                    criteria__isnull=False)
            .exclude(pk=campaign.pk).order_by("-year", "-pk").distinct().first())


def copy_rubric(*, by, campaign: Campaign, source: Campaign | None = None) -> list[Criterion]:
    """Replace the rubric with a copy of `source`'s (by default last year's campaign of the organizer)."""
    require(by, CHANGE, campaign.org)
    _status(campaign, CampaignStatus.DRAFT, message=_("评价指标只能在筹备阶段修改。"))
    source = source or previous_campaign(campaign)
    if source is None:
        raise ValidationError(_("没有找到往年的评优活动可供复制。"))
    if not can(by, "view", source.org):
        raise PermissionDenied
    with transaction.atomic(), acting(by):
        campaign.criteria.all().delete()
        copies = Criterion.objects.bulk_create([
            Criterion(campaign=campaign, group=c.group, title=c.title, description=c.description,
                      max_score=c.max_score, weight=c.weight, indicator_key=c.indicator_key, position=c.position)
            for c in source.criteria.all()])
        campaign.scoring_mode, campaign.drop_extremes = source.scoring_mode, source.drop_extremes
        campaign.save(update_fields=["scoring_mode", "drop_extremes"])
        log_action(campaign, "awards.rubric.copied", by, {"from": source.code, "criteria": len(copies)})
    return copies


def open_nominations(*, by, campaign: Campaign) -> Campaign:
    """Open the campaign to nominations once its rubric is sound."""
    require(by, CHANGE, campaign.org)
    _status(campaign, CampaignStatus.DRAFT)
    problems = rubric_problems(campaign)
    if problems:
        raise ValidationError(problems)
    return _move(by, campaign, CampaignStatus.NOMINATING, "awards.campaign.opened")


def start_scoring(*, by, campaign: Campaign) -> Campaign:
    """Close nominations and open scoring; drafts that were never submitted do not take part."""
    require(by, CHANGE, campaign.org)
    _status(campaign, CampaignStatus.NOMINATING)
    if not campaign.nominations.filter(status=NominationStatus.SUBMITTED).exists():
        raise ValidationError(_("还没有已提交的申报。"))
    return _move(by, campaign, CampaignStatus.SCORING, "awards.campaign.scoring_started")


def close_scoring(*, by, campaign: Campaign) -> list:
    """Close scoring: rank the nominations, mark the selected ones, and open the publicity period."""
    require(by, CHANGE, campaign.org)
    _status(campaign, CampaignStatus.SCORING)
    rows = rank_campaign(campaign)
    with transaction.atomic(), acting(by):
        for row in rows:
            Nomination.objects.filter(pk=row.nomination.pk).update(score=row.score, rank=row.rank,
                                                                   selected=row.selected)
        _move(by, campaign, CampaignStatus.PUBLICITY, "awards.campaign.scoring_closed",
              {"ranked": sum(1 for r in rows if r.rank), "selected": sum(1 for r in rows if r.selected)})
    return rows


def publish(*, by, campaign: Campaign) -> Campaign:
    """Publish the list after the publicity period; each selected nominee gets an award certification."""
    require(by, CHANGE, campaign.org)
    _status(campaign, CampaignStatus.PUBLICITY)
    with transaction.atomic(), acting(by):
        for n in campaign.nominations.filter(selected=True).select_related(
                "nominee_org", "nominee_enterprise", "nominee_person"):
            Certification.objects.create(
                org=n.org, kind=CertificationKind.AWARD, title=campaign.title, level=_level_of(campaign.org),
                issuer=campaign.org.name, year=campaign.year, campaign=campaign, holder_org=n.nominee_org,
                holder_enterprise=n.nominee_enterprise, holder_person=n.nominee_person)
        campaign.published_on = campaign.published_on or timezone.localdate()
        campaign.save(update_fields=["published_on"])
        _move(by, campaign, CampaignStatus.PUBLISHED, "awards.campaign.published")
    return campaign


def _level_of(org) -> str:
    """The level a campaign's certificates are granted at: the organizer's region code says it
    (330000 a province, 330100 a city, 330102 a county); the depth in the tree only when no region is set."""
    region = org.region or ""
    if len(region) == 6:
        if region.endswith("0000"):
            return Level.PROVINCIAL
        return Level.CITY if region.endswith("00") else Level.COUNTY
    return {1: Level.PROVINCIAL, 2: Level.CITY}.get(org.get_depth(), Level.COUNTY)


def _move(by, campaign: Campaign, status: str, action: str, data: dict | None = None) -> Campaign:
    with transaction.atomic(), acting(by):
        old = campaign.status
        campaign.status = status
        campaign.save(update_fields=["status"])
        log_action(campaign, action, by, {"from": old, "to": status, **(data or {})})
    return campaign


# Eligibility and nominations -----------------------------------------------------------------

def eligibility_problems(campaign: Campaign, nominee, today: dt.date | None = None) -> list[str]:
    """Why `nominee` may not take part (empty when eligible): its kind, its place in the tree, certifications."""
    from orgs.models import Organization
    from registry.models import Enterprise, Person

    expected = {NomineeKind.ORGANIZATION: Organization, NomineeKind.ENTERPRISE: Enterprise,
                NomineeKind.PERSON: Person}[campaign.nominee_kind]
    if not isinstance(nominee, expected):
        return [_("本活动的推选对象是%(k)s。") % {"k": campaign.get_nominee_kind_display()}]
    problems = []
    org = nominee if isinstance(nominee, Organization) else nominee.org
    if not org.path.startswith(campaign.org.path) or org.pk == campaign.org.pk and expected is Organization:
        problems.append(_("不在主办组织“%(o)s”的下级范围内。") % {"o": campaign.org.name})
    # Organizations and enterprises have a kind; people are told apart by their category (华侨, 归侨 …).
    kind = getattr(nominee, "kind", None) or getattr(nominee, "category", None)
    if campaign.eligible_kinds and kind not in campaign.eligible_kinds:
        problems.append(_("类型不符合参评条件。"))
    if campaign.required_certification:
        today = today or timezone.localdate()
        held = [c for c in certifications_of(nominee) if c.kind == campaign.required_certification
                and c.valid_on(today)
                and LEVEL_RANK[c.level] >= LEVEL_RANK.get(campaign.required_level or Level.COUNTY, 1)]
        if not held:
            problems.append(_("未持有有效的“%(c)s”认证。") % {"c": campaign.get_required_certification_display()})
    return problems


def certifications_of(holder):
    """Every certification of an organization, enterprise or person, unscoped (callers scope what they show)."""
    from orgs.models import Organization
    from registry.models import Enterprise

    field = ("holder_org" if isinstance(holder, Organization)
             else "holder_enterprise" if isinstance(holder, Enterprise) else "holder_person")
    return list(Certification.objects.filter(**{field: holder}))


def open_campaigns_for(user):
    """Campaigns taking nominations whose organizer is above (or at) an organization the user may change."""
    from accounts.access import paths_for

    qs = Campaign.objects.filter(status=CampaignStatus.NOMINATING).select_related("org")
    paths = paths_for(user, CHANGE)
    if paths is None:
        return qs
    return [c for c in qs if any(p.startswith(c.org.path) or c.org.path.startswith(p) for p in paths)]


def nominate(*, by, campaign: Campaign, nominee, summary: str = "") -> Nomination:
    """Nominate an organization, enterprise or person: by its own staff or by the organizer on its behalf.

    The self-report gets one empty entry per criterion, and the figures Shanghui holds are filled in.
    """
    from orgs.models import Organization

    _status(campaign, CampaignStatus.NOMINATING, message=_("评优活动不在申报期。"))
    org = nominee if isinstance(nominee, Organization) else getattr(nominee, "org", None)
    if org is None:
        raise ValidationError(_("请选择参评对象。"))
    require(by, CHANGE, org)
    problems = eligibility_problems(campaign, nominee)
    if problems:
        raise ValidationError(problems)
    field = {NomineeKind.ORGANIZATION: "nominee_org", NomineeKind.ENTERPRISE: "nominee_enterprise",
             NomineeKind.PERSON: "nominee_person"}[campaign.nominee_kind]
    if campaign.nominations.filter(**{field: nominee}).exists():
        raise ValidationError(_("“%(n)s”已经申报。") % {"n": nominee})
    with transaction.atomic(), acting(by):
        nomination = Nomination.objects.create(
            org=org, campaign=campaign, name=getattr(nominee, "name", str(nominee)), summary=summary,
            by_organizer=can(by, CHANGE, campaign.org) and org.pk != campaign.org.pk, **{field: nominee})
        Entry.objects.bulk_create([Entry(nomination=nomination, criterion=c) for c in campaign.criteria.all()])
        fill_figures(nomination, by=by)
        log_action(nomination, "awards.nomination.created", by, {"campaign": campaign.code})
    return nomination


def fill_figures(nomination: Nomination, *, by) -> list[Figure]:
    """(Re)compute the nominee's figures for the campaign year from the indicators; they are never typed."""
    from stats.indicators import REGISTRY, evaluate

    if nomination.nominee_org_id is None:
        return _fill_nominee_figures(nomination)
    year = nomination.campaign.year
    keys = [k for k in FIGURE_KEYS if k in REGISTRY]
    keys += [c.indicator_key for c in nomination.campaign.criteria.all()
             if c.indicator_key and c.indicator_key in REGISTRY and c.indicator_key not in keys]
    figures = []
    with transaction.atomic():
        for key in keys:
            result = evaluate(key, user=by, org=nomination.nominee_org, start=dt.date(year, 1, 1),
                              end=dt.date(year, 12, 31))
            if not isinstance(result.value, int | float | Decimal):
                continue
            figure, _created = Figure.objects.update_or_create(
                nomination=nomination, key=key,
                defaults={"title": result.title, "unit": result.unit, "value": Decimal(str(result.value)),
                          "previous": None if result.previous is None else Decimal(str(result.previous)),
                          "change": result.change})
            figures.append(figure)
    return figures


def _fill_nominee_figures(nomination: Nomination) -> list[Figure]:
    """An enterprise's or a person's figures, counted from the records that name them (awards.figures)."""
    from awards.figures import figures_for

    with transaction.atomic():
        return [Figure.objects.update_or_create(nomination=nomination, key=row.pop("key"), defaults=row)[0]
                for row in figures_for(nomination)]


def _editable(by, nomination: Nomination) -> None:
    require(by, CHANGE, nomination.org)
    _status(nomination.campaign, CampaignStatus.NOMINATING, message=_("评优活动不在申报期。"))
    if nomination.status != NominationStatus.DRAFT:
        raise ValidationError(_("申报已提交，不能修改。"), code="invalid_transition")


def save_report(*, by, nomination: Nomination, entries: dict, summary: str | None = None) -> Nomination:
    """Write the self-report: `entries` maps a criterion (or its id) to {"text", "self_score"}.

    Figures are not part of it: they come from the indicators (`fill_figures`) and cannot be typed over.
    """
    _editable(by, nomination)
    criteria = {c.pk: c for c in nomination.campaign.criteria.all()}
    with transaction.atomic(), acting(by):
        for key, values in entries.items():
            criterion = criteria.get(getattr(key, "pk", key))
            if criterion is None:
                raise ValidationError(_("评价指标不属于本活动。"))
            unknown = set(values) - {"text", "self_score"}
            if unknown:
                raise ValidationError({f: _("不能修改此字段。") for f in sorted(unknown)})
            self_score = values.get("self_score")
            if self_score not in (None, ""):
                self_score = _decimal(self_score, "self_score")
                if not 0 <= self_score <= criterion.max_score:
                    raise ValidationError({"self_score": _("“%(c)s”的分数须在0到%(m)s之间。")
                                           % {"c": criterion.title, "m": _fmt(criterion.max_score)}})
            else:
                self_score = None
            Entry.objects.update_or_create(nomination=nomination, criterion=criterion,
                                           defaults={"text": values.get("text", ""), "self_score": self_score})
        if summary is not None:
            nomination.summary = summary
            nomination.save(update_fields=["summary"])
        log_action(nomination, "awards.nomination.report_saved", by, {"criteria": len(entries)})
    return nomination


def add_evidence(*, by, nomination: Nomination, upload, title: str = "", criterion=None) -> Evidence:
    """Attach a supporting file to the nomination (optionally to one criterion), checked by core.uploads."""
    _editable(by, nomination)
    if criterion is not None and criterion.campaign_id != nomination.campaign_id:
        raise ValidationError(_("评价指标不属于本活动。"))
    uploads.check(upload, "document")
    with transaction.atomic(), acting(by):
        evidence = Evidence.objects.create(nomination=nomination, criterion=criterion, title=title, file=upload)
        log_action(nomination, "awards.nomination.evidence_added", by, {"file": evidence.file.name})
    return evidence


def submit_nomination(*, by, nomination: Nomination) -> Nomination:
    """Submit the nomination: its figures are refreshed one last time, then it is locked."""
    _editable(by, nomination)
    with transaction.atomic(), acting(by):
        fill_figures(nomination, by=by)
        nomination.status, nomination.submitted_at = NominationStatus.SUBMITTED, timezone.now()
        nomination.save(update_fields=["status", "submitted_at"])
        log_action(nomination, "awards.nomination.submitted", by)
    return nomination


def withdraw_nomination(*, by, nomination: Nomination) -> Nomination:
    """Withdraw a nomination before scoring starts."""
    require(by, CHANGE, nomination.org)
    _status(nomination.campaign, CampaignStatus.NOMINATING, message=_("评审开始后不能撤回。"))
    with transaction.atomic(), acting(by):
        nomination.status = NominationStatus.WITHDRAWN
        nomination.save(update_fields=["status"])
        log_action(nomination, "awards.nomination.withdrawn", by)
    return nomination


# Judges, conflicts and scores ----------------------------------------------------------------

def add_judge(*, by, campaign: Campaign, user, person=None, name: str = "", conflicts=()) -> Judge:
    """Put a user on the campaign's panel, optionally linked to its registry person for conflict checks."""
    require(by, CHANGE, campaign.org)
    _status(campaign, CampaignStatus.DRAFT, CampaignStatus.NOMINATING, CampaignStatus.SCORING)
    if campaign.judges.filter(user=user).exists():
        raise ValidationError(_("该账号已是本活动评委。"))
    with transaction.atomic(), acting(by):
        judge = Judge.objects.create(org=campaign.org, campaign=campaign, user=user, person=person,
                                     name=name or (person.name if person else user.get_full_name() or user.username))
        judge.declared_conflicts.set(conflicts)
        log_action(campaign, "awards.judge.added", by, {"judge": judge.name})
    return judge


def remove_judge(*, by, judge: Judge) -> None:
    """Take a judge off the panel with its assignments; refused once it has scored (its scores count)."""
    campaign = judge.campaign
    require(by, CHANGE, campaign.org)
    _status(campaign, CampaignStatus.DRAFT, CampaignStatus.NOMINATING, CampaignStatus.SCORING)
    if Score.objects.filter(assignment__judge=judge).exists():
        raise ValidationError(_("评委“%(n)s”已经评分，不能移除；请改为重新分配其未完成的申报。") % {"n": judge.name},
                              code="judge_has_scores")
    with transaction.atomic(), acting(by):
        log_action(campaign, "awards.judge.removed", by, {"judge": judge.name, "user": judge.user_id})
        judge.assignments.all().delete()
        judge.delete()


def declare_conflict(*, by, judge: Judge, org) -> Judge:
    """Record that the judge must not score `org` (the judge itself, or the organizer, may declare it)."""
    if by != judge.user:
        require(by, CHANGE, judge.campaign.org)
    with transaction.atomic(), acting(by):
        judge.declared_conflicts.add(org)
        removed = judge.assignments.filter(nomination__nominee_org=org, scores__isnull=True)
        removed.delete()
        log_action(judge, "awards.judge.conflict_declared", by, {"org": org.code})
    return judge


def conflict_reason(judge: Judge, nomination: Nomination) -> str | None:
    """Why the judge may not score the nomination: declared, or detected in the registry and the grants."""
    from accounts.models import Grant
    from registry.models import Membership

    org = nomination.nominee_org
    if org is not None and judge.declared_conflicts.filter(pk=org.pk).exists():
        return _("评委已申明回避“%(o)s”。") % {"o": org.name}
    if judge.person_id and nomination.nominee_person_id == judge.person_id:
        return _("评委不能为自己评分。")
    if org is not None:
        if Grant.objects.filter(user=judge.user, org=org).exists():
            return _("评委在“%(o)s”任职（持有该组织的账号权限）。") % {"o": org.name}
        if judge.person_id and (
                Membership.objects.filter(org=org, person_id=judge.person_id, left_on__isnull=True).exists()
                or org.positions.filter(person_id=judge.person_id).exists()):
            return _("评委是“%(o)s”的会员或理事。") % {"o": org.name}
    return None


def assign(*, by, judge: Judge, nominations) -> list[Assignment]:
    """Assign nominations to a judge, refusing any it has a conflict with."""
    campaign = judge.campaign
    require(by, CHANGE, campaign.org)
    _status(campaign, CampaignStatus.NOMINATING, CampaignStatus.SCORING)
    made = []
    with transaction.atomic(), acting(by):
        for nomination in nominations:
            if nomination.campaign_id != campaign.pk:
                raise ValidationError(_("申报不属于本活动。"))
            reason = conflict_reason(judge, nomination)
            if reason:
                raise ValidationError(reason, code="conflict")
            assignment, created = Assignment.objects.get_or_create(judge=judge, nomination=nomination)
            if created:
                made.append(assignment)
        log_action(judge, "awards.judge.assigned", by, {"nominations": [a.nomination_id for a in made]})
    return made


def assign_all(*, by, campaign: Campaign) -> tuple[int, int]:
    """Assign every submitted nomination to every judge without a conflict; (assigned, skipped for conflict)."""
    require(by, CHANGE, campaign.org)
    assigned = skipped = 0
    nominations = list(campaign.nominations.filter(status=NominationStatus.SUBMITTED))
    with transaction.atomic():
        for judge in campaign.judges.all():
            ok = [n for n in nominations if not conflict_reason(judge, n)]
            skipped += len(nominations) - len(ok)
            assigned += len(assign(by=by, judge=judge, nominations=ok))
    return assigned, skipped


def judge_assignments(user):
    """The assignments of a user as a judge, across campaigns (the judge's own way in, not a grant)."""
    return (Assignment.objects.filter(judge__user=user)
            .select_related("judge__campaign", "nomination").order_by("-judge__campaign__year", "nomination__name"))


def score(*, by, assignment: Assignment, values: dict) -> list[Score]:
    """A judge scores its assignment: `values` maps a criterion (or id) to {"value", "comment"}.

    Each score must lie within the criterion's maximum; conflicts are checked again at scoring time, since
    a judge may have joined the chamber after being assigned. Every change is in the audit log.
    """
    judge, nomination = assignment.judge, assignment.nomination
    campaign = judge.campaign
    if by != judge.user:
        raise PermissionDenied(_("只有被分配的评委本人可以评分。"))
    _status(campaign, CampaignStatus.SCORING, message=_("评优活动不在评审期。"))
    reason = conflict_reason(judge, nomination)
    if reason:
        raise PermissionDenied(reason)
    criteria = {c.pk: c for c in campaign.criteria.all()}
    saved = []
    with transaction.atomic(), acting(by):
        for key, data in values.items():
            criterion = criteria.get(getattr(key, "pk", key))
            if criterion is None:
                raise ValidationError(_("评价指标不属于本活动。"))
            value = _decimal(data.get("value"), "value")
            if not Decimal(0) <= value <= criterion.max_score:
                raise ValidationError({"value": _("“%(c)s”的分数须在0到%(m)s之间。")
                                       % {"c": criterion.title, "m": _fmt(criterion.max_score)}})
            old = Score.objects.filter(assignment=assignment, criterion=criterion).first()
            s, _created = Score.objects.update_or_create(
                assignment=assignment, criterion=criterion,
                defaults={"value": value, "comment": data.get("comment", "")})
            if old is None or old.value != value or old.comment != s.comment:
                log_action(nomination, "awards.score.changed", by, {
                    "judge": judge.name, "criterion": criterion.title,
                    "old": None if old is None else str(old.value), "new": str(value)})
            saved.append(s)
        complete = assignment.scores.count() == len(criteria)
        Assignment.objects.filter(pk=assignment.pk).update(completed_at=timezone.now() if complete else None)
    return saved


def visible_scores(user, nomination: Nomination):
    """The scores `user` may read: a judge its own until scoring closes; everyone with a view grant after."""
    qs = Score.objects.filter(assignment__nomination=nomination).select_related("criterion", "assignment__judge")
    if nomination.campaign.scores_disclosed and can(user, "view", nomination.campaign.org):
        return qs
    return qs.filter(assignment__judge__user=user)


def progress(campaign: Campaign) -> list[dict]:
    """Per judge: assignments, completed ones, and when it was last reminded (the organizer's view)."""
    rows = []
    for judge in campaign.judges.select_related("user").prefetch_related("assignments"):
        assignments = list(judge.assignments.all())
        done = sum(1 for a in assignments if a.completed_at)
        rows.append({"judge": judge, "assigned": len(assignments), "completed": done,
                     "late": done < len(assignments), "reminded_at": judge.reminded_at})
    return rows


def remind_late(*, by, campaign: Campaign) -> list[Judge]:
    """Remind by e-mail every judge with unfinished assignments; returns the judges reminded."""
    from core.notifications import notify

    require(by, CHANGE, campaign.org)
    _status(campaign, CampaignStatus.SCORING, message=_("评优活动不在评审期。"))
    late = [r["judge"] for r in progress(campaign) if r["late"]]
    with transaction.atomic(), acting(by):
        for judge in late:
            notify(emails=[judge.user.email], subject=_("评审提醒"),
                   body=_("您在“%(c)s”中还有未完成的评分，评审截止：%(d)s。")
                   % {"c": campaign.title, "d": campaign.scoring_end or "—"})
            Judge.objects.filter(pk=judge.pk).update(reminded_at=timezone.now())
        log_action(campaign, "awards.judges.reminded", by, {"judges": [j.name for j in late]})
    return late


# Publicity and objections --------------------------------------------------------------------

def raise_objection(*, nomination: Nomination, text: str, name: str = "", contact: str = "") -> Objection:
    """Anyone may object to a listed nomination during the publicity period (the public page)."""
    _status(nomination.campaign, CampaignStatus.PUBLICITY, message=_("公示期已结束或尚未开始。"))
    if not text.strip():
        raise ValidationError({"text": _("请填写异议内容。")})
    with transaction.atomic():
        objection = Objection.objects.create(nomination=nomination, text=text.strip()[:4000], name=name[:100],
                                             contact=contact[:100])
        log_action(nomination, "awards.objection.raised", None)
    return objection


def answer_objection(*, by, objection: Objection, response: str, deselect: bool = False) -> Objection:
    """Record how an objection was handled; upheld ones can take the nominee off the list."""
    nomination = objection.nomination
    require(by, CHANGE, nomination.campaign.org)
    with transaction.atomic(), acting(by):
        objection.response = response
        objection.save(update_fields=["response"])
        if deselect and nomination.selected:
            nomination.selected = False
            nomination.save(update_fields=["selected"])
        log_action(nomination, "awards.objection.answered", by, {"deselected": deselect})
    return objection


# Certifications ------------------------------------------------------------------------------

def certify(*, by, **fields) -> Certification:
    """Record a certification or plaque; it belongs to its holder's organization."""
    cert = Certification()
    apply_fields(cert, fields, CERTIFICATION_FIELDS)
    holders = [h for h in (cert.holder_org, cert.holder_enterprise, cert.holder_person) if h is not None]
    if len(holders) != 1:
        raise ValidationError(_("请选择一个持有者（组织、企业或个人）。"))
    cert.org = cert.holder_org or holders[0].org
    require(by, CHANGE, cert.org)
    cert.full_clean()
    with transaction.atomic(), acting(by):
        cert.save()
        log_action(cert, "awards.certification.recorded", by, {"kind": cert.kind, "level": cert.level})
    return cert


def update_certification(*, by, certification: Certification, **fields) -> Certification:
    """Change a certification's title, level, issuer, year or expiry; the holder is fixed."""
    require(by, CHANGE, certification.org)
    apply_fields(certification, fields, CERTIFICATION_FIELDS - {"holder_org", "holder_enterprise",
                                                                "holder_person", "campaign"})
    certification.full_clean()
    with transaction.atomic(), acting(by):
        certification.save()
    return certification
