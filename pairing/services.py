"""Writes of the pairing app: programmes, participants, rules, runs, confirmations, pairs and follow-ups.

Every function is atomic, takes the acting user as keyword `by`, checks the grant on the
programme's organization and leaves an audit entry (field diffs, and named actions such
as `pairing.run.completed`).
"""
from __future__ import annotations

import datetime as dt
import time

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import acting, log_action
from core.scoping import CHANGE, VIEW
from core.services import apply_fields, require
from pairing import optimizer, scoring
from pairing.models import (
    Decision,
    FollowUp,
    Pair,
    PairRule,
    PairStatus,
    Participant,
    Program,
    Proposal,
    RuleKind,
    Run,
    RunStatus,
    Side,
)

PROGRAM_FIELDS = {
    "org", "code", "name", "kind", "start", "end", "description", "helper_eligibility", "beneficiary_eligibility",
    "capacity", "max_helpers", "same_county", "same_industry", "common_language", "max_distance_km", "top_k",
    "weights",
}
PARTICIPANT_FIELDS = {
    "side", "name", "external_key", "person", "enterprise", "member_org", "region", "industry", "size", "needs",
    "strengths", "languages", "latitude", "longitude", "capacity", "past_results", "active", "notes",
}
FOLLOW_UP_FIELDS = {"date", "kind", "notes", "funds_delivered", "orders_amount", "income_increase", "people_trained"}
AUTO_PRUNE_PAIRS = 2_000_000  # above this many helper × beneficiary pairs, keep each beneficiary's best …
AUTO_K = 20                   # … this many candidates, unless the programme sets its own K
REASONS = {
    optimizer.NO_CANDIDATE: gettext_lazy("在约束条件内没有可结对的对象"),
    optimizer.CAPACITY_EXHAUSTED: gettext_lazy("可结对的对象名额均已用完"),
    optimizer.PRUNED: gettext_lazy("不在任何受助方得分最高的K个候选之中"),
}


def reason_text(code: str) -> str:
    """The explanation of an unpaired reason code, in the current language."""
    return str(REASONS.get(code, code))


def _clean_weights(weights) -> dict:
    if not weights:
        return {}
    if not isinstance(weights, dict):
        raise ValidationError({"weights": _("评分权重应为“构成: 权重”的对应表。")})
    out = {}
    for name, value in weights.items():
        if name not in scoring.COMPONENTS:
            raise ValidationError({"weights": _("未知的评分构成：%(n)s。") % {"n": name}})
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValidationError({"weights": _("权重须为数字。")}) from None
        if value < 0:
            raise ValidationError({"weights": _("权重不能为负数。")})
        out[name] = value
    return out


def create_program(*, by, **fields) -> Program:
    """Create a pairing programme in an organization where `by` may change records."""
    program = Program()
    fields["weights"] = _clean_weights(fields.get("weights"))
    apply_fields(program, fields, PROGRAM_FIELDS)
    require(by, CHANGE, program.org)
    program.full_clean()
    with transaction.atomic(), acting(by):
        program.save()
        log_action(program, "pairing.program.created", by, {"code": program.code})
    return program


def update_program(*, by, program: Program, **fields) -> Program:
    """Change a programme's description or rules; moving it needs a grant on both organizations."""
    require(by, CHANGE, program.org)
    if "weights" in fields:
        fields["weights"] = _clean_weights(fields["weights"])
    changed = apply_fields(program, fields, PROGRAM_FIELDS)
    if "org" in changed:
        require(by, CHANGE, program.org)
    program.full_clean()
    with transaction.atomic(), acting(by):
        program.save()
        if "org" in changed:
            for model in (Participant, PairRule, Run, Proposal, Pair):
                field = "run__program" if model is Proposal else "program"
                model.objects.filter(**{field: program}).update(org=program.org)
            FollowUp.objects.filter(pair__program=program).update(org=program.org)
    return program


def _check_participant(p: Participant) -> None:
    errors = {}
    if (p.latitude is None) != (p.longitude is None):
        errors["latitude"] = [_("纬度和经度须同时填写。")]
    for name in ("needs", "strengths", "languages"):
        setattr(p, name, ",".join(scoring.split_tags(getattr(p, name) or "")))
    if not 0 <= (p.past_results or 0) <= 1:
        errors["past_results"] = [_("以往成效应在 0 到 1 之间。")]
    if errors:
        raise ValidationError(errors)
    p.full_clean(exclude=["org", "program"])


def fill_from_registry(p: Participant) -> None:
    """Take region, industry, size, tags and languages from the linked registry record where empty."""
    if p.enterprise_id:
        e = p.enterprise
        p.name = p.name or e.name
        p.region = p.region or e.region
        p.industry = p.industry or e.industry
        p.size = p.size or e.size
    if p.person_id:
        person = p.person
        p.name = p.name or person.name
        p.languages = p.languages or person.languages
        p.industry = p.industry or (person.industries.split(",")[0].strip()[:1] if person.industries else "")
    if p.member_org_id:
        p.name = p.name or p.member_org.name
        p.region = p.region or (getattr(p.member_org, "region", "") or "")


def add_participant(*, by, program: Program, **fields) -> Participant:
    """Add a helper or beneficiary to a programme (from the registry or entered by hand)."""
    require(by, CHANGE, program.org)
    p = Participant(program=program, org=program.org)
    apply_fields(p, fields, PARTICIPANT_FIELDS)
    for rel in ("person", "enterprise", "member_org"):
        target = getattr(p, rel)
        if target is not None and not _visible(by, target):
            raise ValidationError({rel: _("所选记录不存在或不在您的管理范围内。")})
    fill_from_registry(p)
    _check_participant(p)
    with transaction.atomic(), acting(by):
        p.save()
    return p


def _visible(user, obj) -> bool:
    return type(obj).objects.visible_to(user, VIEW).filter(pk=obj.pk).exists()


def update_participant(*, by, participant: Participant, **fields) -> Participant:
    """Change a participant's attributes (the side is fixed once pairs exist)."""
    require(by, CHANGE, participant.org)
    changed = apply_fields(participant, fields, PARTICIPANT_FIELDS)
    if "side" in changed and (participant.helper_pairs.exists() or participant.beneficiary_pairs.exists()):
        raise ValidationError({"side": _("已有结对，不能改变方向。")})
    for rel in ("person", "enterprise", "member_org"):
        target = getattr(participant, rel)
        if rel in changed and target is not None and not _visible(by, target):
            raise ValidationError({rel: _("所选记录不存在或不在您的管理范围内。")})
    fill_from_registry(participant)
    _check_participant(participant)
    with transaction.atomic(), acting(by):
        participant.save()
    return participant


def add_rule(*, by, program: Program, kind: str, helper: Participant, beneficiary: Participant,
             reason: str = "") -> PairRule:
    """Lock (force) or forbid one pair in every later run."""
    require(by, CHANGE, program.org)
    _check_sides(program, helper, beneficiary)
    rule = PairRule(org=program.org, program=program, kind=kind, helper=helper, beneficiary=beneficiary,
                    reason=reason)
    rule.full_clean(exclude=["org", "program", "helper", "beneficiary"])
    with transaction.atomic(), acting(by):
        PairRule.objects.filter(program=program, helper=helper, beneficiary=beneficiary).delete()
        rule.save()
    return rule


def delete_rule(*, by, rule: PairRule) -> None:
    """Remove a lock or a prohibition."""
    require(by, CHANGE, rule.org)
    with transaction.atomic(), acting(by):
        rule.delete()


def _check_sides(program, helper, beneficiary) -> None:
    if helper.program_id != program.pk or beneficiary.program_id != program.pk:
        raise ValidationError(_("双方都须是本项目的参与方。"))
    if helper.side != Side.HELPER or beneficiary.side != Side.BENEFICIARY:
        raise ValidationError(_("须一方为帮扶方、一方为受助方。"))


# ---- runs ---------------------------------------------------------------------------------------


def _participants(program: Program, side: str) -> list[dict]:
    rows = Participant.objects.filter(program=program, side=side, active=True).order_by("pk").values_list(
        "pk", "region", "industry", "size", "needs" if side == Side.BENEFICIARY else "strengths", "languages",
        "latitude", "longitude", "capacity", "past_results")
    default = program.capacity if side == Side.HELPER else program.max_helpers
    return [
        {"id": pk, "region": region, "industry": industry, "size": size, "tags": scoring.split_tags(tags),
         "languages": scoring.split_tags(langs), "latitude": lat, "longitude": lon,
         "limit": default if cap is None else cap, "past": past}
        for pk, region, industry, size, tags, langs, lat, lon, cap, past in rows
    ]


def past_results(program: Program) -> dict[int, float]:
    """Each helper's share of finished pairs that recorded a result (funds, orders, income or training),
    over every programme, recognising the helper by its registry record (or itself when it has none)."""
    helpers = list(Participant.objects.filter(program=program, side=Side.HELPER)
                   .values_list("pk", "enterprise_id", "person_id", "member_org_id"))
    keys = {pk: ("e", e) if e else ("p", p) if p else ("o", o) if o else ("x", pk) for pk, e, p, o in helpers}
    wanted = Q(helper__enterprise_id__in=[k[1] for k in keys.values() if k[0] == "e"]) | \
        Q(helper__person_id__in=[k[1] for k in keys.values() if k[0] == "p"]) | \
        Q(helper__member_org_id__in=[k[1] for k in keys.values() if k[0] == "o"]) | \
        Q(helper_id__in=[k[1] for k in keys.values() if k[0] == "x"])
    positive = (Q(follow_ups__funds_delivered__gt=0) | Q(follow_ups__orders_amount__gt=0)
                | Q(follow_ups__income_increase__gt=0) | Q(follow_ups__people_trained__gt=0))
    rows = (Pair.objects.filter(wanted, status__in=[PairStatus.COMPLETED, PairStatus.ENDED])
            .annotate(results=Count("follow_ups", filter=positive))
            .values_list("helper_id", "helper__enterprise_id", "helper__person_id", "helper__member_org_id",
                         "results"))
    tally: dict[tuple, list[int]] = {}
    for helper_id, e, p, o, results in rows:
        key = ("e", e) if e else ("p", p) if p else ("o", o) if o else ("x", helper_id)
        done = tally.setdefault(key, [0, 0])
        done[0] += 1
        done[1] += 1 if results else 0
    return {pk: tally[key][1] / tally[key][0] for pk, key in keys.items() if key in tally}


def rules_of(program: Program) -> scoring.Rules:
    """The programme's hard constraints."""
    return scoring.Rules(same_county=program.same_county, same_industry=program.same_industry,
                         common_language=program.common_language, max_km=program.max_distance_km)


def build_instance(program: Program, k: int | None = None, progress=None):
    """Everything a run needs: the sides, the candidates (within the constraints, forbidden pairs
    removed, pruned to each beneficiary's best K when asked or when the programme is large) and the
    locked pairs (confirmed locked pairs and lock rules)."""
    helpers, beneficiaries = _participants(program, Side.HELPER), _participants(program, Side.BENEFICIARY)
    history = past_results(program)
    for h in helpers:
        h["past"] = history.get(h["id"], h["past"])
    H, B = scoring.build_sides(helpers, beneficiaries)
    if k is None:
        k = program.top_k or (AUTO_K if len(helpers) * len(beneficiaries) > AUTO_PRUNE_PAIRS else None)
    weights = {name: program.weight(name) for name in scoring.COMPONENTS}
    rules = list(PairRule.objects.filter(program=program).values_list("kind", "helper_id", "beneficiary_id"))
    forbidden = {(h, b) for kind, h, b in rules if kind == RuleKind.FORBID}
    locked_ids = {(h, b) for kind, h, b in rules if kind == RuleKind.LOCK}
    locked_ids |= set(Pair.objects.filter(program=program, status=PairStatus.ACTIVE, locked=True)
                      .values_list("helper_id", "beneficiary_id"))
    seen: dict = {}
    arc_h, arc_b, arc_s = scoring.candidates(H, B, rules_of(program), weights, k=k, forbidden=forbidden,
                                             progress=progress, seen=seen)
    H.had_candidates = seen.get("helpers")
    h_pos = {int(x): i for i, x in enumerate(H.ids)}
    b_pos = {int(x): i for i, x in enumerate(B.ids)}
    locked = []
    for h, b in sorted(locked_ids):
        if h in h_pos and b in b_pos:
            hi, bi = np.array([h_pos[h]]), np.array([b_pos[b]])
            s = float(scoring.score(scoring.components(H, B, hi, bi, program.max_distance_km), weights)[0])
            locked.append((h_pos[h], b_pos[b], s))
    inst = optimizer.Instance(H.limit, B.limit, arc_h, arc_b, arc_s, locked)
    return inst, H, B, weights, k


def _queued_run(program, by, params) -> Run:
    number = (Run.objects.filter(program=program).order_by("-number").values_list("number", flat=True).first()
              or 0) + 1
    return Run.objects.create(org=program.org, program=program, number=number, params=params, created_by=by)


def run_program(*, by, program: Program, k: int | None = None, progress=None) -> Run:
    """Run the optimizer now and save the run with its proposals (see `execute_run`)."""
    require(by, CHANGE, program.org)
    with transaction.atomic():
        run = _queued_run(program, by, {"k": k})
    return execute_run(run, progress=progress)


def start_run(*, by, program: Program, k: int | None = None) -> Run:
    """Queue a run for the background worker (large programmes); the job page shows its progress."""
    from core import jobs

    require(by, CHANGE, program.org)
    with transaction.atomic():
        run = _queued_run(program, by, {"k": k})
        job = jobs.start("pairing.run", by=by, title=_("结对匹配：%(p)s 第%(n)d次") % {"p": program, "n": run.number},
                         params={"run": run.pk})
        Run.objects.filter(pk=run.pk).update(job=job)
        run.job = job
    return run


BACKGROUND_PAIRS = 2_000_000  # helper × beneficiary pairs above which a run goes to the worker


def run_or_start(*, by, program: Program, k: int | None = None) -> Run:
    """Run now when the programme is ordinary; queue a background job when it is large (see `run.job`)."""
    active = Participant.objects.filter(program=program, active=True)
    size = active.filter(side=Side.HELPER).count() * active.filter(side=Side.BENEFICIARY).count()
    if size > BACKGROUND_PAIRS:
        return start_run(by=by, program=program, k=k)
    return run_program(by=by, program=program, k=k)


def execute_run(run: Run, progress=None) -> Run:
    """Solve the run's programme exactly (min-cost flow), solve it greedily beside, and save
    the parameters, objective, proposals with their score components and the unpaired with reasons."""
    program, by = run.program, run.created_by
    started = time.perf_counter()
    inst, H, B, weights, k = build_instance(program, run.params.get("k"), progress=progress)
    params = {**run.params, "k": k, "weights": weights, "capacity": program.capacity,
              "max_helpers": program.max_helpers, "same_county": program.same_county,
              "same_industry": program.same_industry, "common_language": program.common_language,
              "max_distance_km": program.max_distance_km, "helpers": len(H.ids), "beneficiaries": len(B.ids),
              "locked": len(inst.locked)}
    try:
        solution = optimizer.solve(inst)
        greedy = optimizer.greedy(inst)
    except optimizer.Infeasible as e:
        over = [int(H.ids[i]) for i in e.helpers] + [int(B.ids[i]) for i in e.beneficiaries]
        names = dict(Participant.objects.filter(pk__in=over).values_list("pk", "name"))
        message = _("指定或已锁定的结对超过了名额：%(n)s。") % {"n": "、".join(names.values())}
        with transaction.atomic(), acting(by):
            Run.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, params=params,
                                                 result={"error": message, "over_capacity": over})
            log_action(run, "pairing.run.failed", by, {"error": message})
        run.refresh_from_db()
        return run
    parts = scoring.components(H, B, solution.pair_h, solution.pair_b, program.max_distance_km)
    had = H.had_candidates
    for i, reason in solution.unpaired_helpers.items():
        if reason == optimizer.NO_CANDIDATE and had is not None and had[i]:
            solution.unpaired_helpers[i] = optimizer.PRUNED
    unpaired = ([[int(H.ids[i]), Side.HELPER, r] for i, r in sorted(solution.unpaired_helpers.items())]
                + [[int(B.ids[i]), Side.BENEFICIARY, r] for i, r in sorted(solution.unpaired_beneficiaries.items())])
    counts: dict[str, int] = {}
    for _id, side, reason in unpaired:
        counts[f"{side}.{reason}"] = counts.get(f"{side}.{reason}", 0) + 1
    result = {
        "pruned": k is not None, "unpaired": unpaired, "unpaired_counts": counts,
        "solver_seconds": round(solution.seconds, 3), "greedy_seconds": round(greedy.seconds, 3),
        "greedy_pairs": greedy.pairs,
    }
    with transaction.atomic(), acting(by):
        Proposal.objects.filter(run=run).delete()
        rows = [
            Proposal(org_id=program.org_id, run_id=run.pk, helper_id=int(H.ids[h]), beneficiary_id=int(B.ids[b]),
                     score=round(float(s), 4), locked=bool(lk),
                     components={name: round(float(parts[name][i]), 4) for name in scoring.COMPONENTS})
            for i, (h, b, s, lk) in enumerate(zip(solution.pair_h.tolist(), solution.pair_b.tolist(),
                                                   solution.pair_score.tolist(), solution.locked_mask.tolist(),
                                                   strict=True))
        ]
        Proposal.objects.bulk_create(rows, batch_size=2000)
        Run.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE, params=params, objective=round(solution.objective, 4),
            greedy_objective=round(greedy.objective, 4), pairs=solution.pairs, candidates=len(inst.arc_h),
            pruned_k=k, result=result, seconds=round(time.perf_counter() - started, 3))
        run.refresh_from_db()
        log_action(run, "pairing.run.completed", by, {"objective": run.objective, "pairs": run.pairs,
                                                      "greedy_objective": run.greedy_objective, "k": k})
    return run


def unpaired_rows(run: Run, limit: int | None = None) -> list[dict]:
    """The run's unpaired participants with their names and the explanation."""
    items = run.result.get("unpaired", [])[:limit] if limit else run.result.get("unpaired", [])
    names = dict(Participant.objects.filter(pk__in=[i[0] for i in items]).values_list("pk", "name"))
    return [{"id": pid, "name": names.get(pid, ""), "side": side, "reason": reason,
             "reason_text": reason_text(reason)} for pid, side, reason in items]


# ---- decisions and pairs ------------------------------------------------------------------------


def _check_limits(program: Program, participant_ids) -> None:
    """Raise if any of these participants now has more active pairs than allowed."""
    over = []
    qs = Participant.objects.filter(pk__in=participant_ids).annotate(
        as_helper=Count("helper_pairs", filter=Q(helper_pairs__status=PairStatus.ACTIVE), distinct=True),
        as_beneficiary=Count("beneficiary_pairs", filter=Q(beneficiary_pairs__status=PairStatus.ACTIVE),
                             distinct=True),
    )
    for p in qs:
        used = p.as_helper if p.side == Side.HELPER else p.as_beneficiary
        if used > p.limit(program):
            over.append(p.name)
    if over:
        raise ValidationError(_("超过结对名额：%(n)s。") % {"n": "、".join(over)})


def confirm_proposals(*, by, run: Run, proposals=None, started_on: dt.date | None = None) -> list[Pair]:
    """Turn proposals into locked pairs (all pending ones when `proposals` is None).

    Unlocked active pairs that this run did not propose are ended: the run has re-paired them.
    """
    program = run.program
    require(by, CHANGE, program.org)
    if run.status != RunStatus.DONE:
        raise ValidationError(_("该次运行没有可确认的建议。"))
    qs = Proposal.objects.filter(run=run, decision=Decision.PENDING)
    if proposals is not None:
        qs = qs.filter(pk__in=[getattr(p, "pk", p) for p in proposals])
    chosen = list(qs.select_related("helper", "beneficiary"))
    today = started_on or dt.date.today()
    with transaction.atomic(), acting(by):
        proposed = set(Proposal.objects.filter(run=run).exclude(decision=Decision.REJECTED)
                       .values_list("helper_id", "beneficiary_id"))
        stale = [p for p in Pair.objects.filter(program=program, status=PairStatus.ACTIVE, locked=False)
                 if (p.helper_id, p.beneficiary_id) not in proposed]
        for pair in stale:
            pair.status, pair.ended_on = PairStatus.ENDED, today
            pair.end_reason = _("由第%(n)d次匹配重新结对") % {"n": run.number}
            pair.save(update_fields=["status", "ended_on", "end_reason"])
        existing = {(p.helper_id, p.beneficiary_id): p
                    for p in Pair.objects.filter(program=program, status=PairStatus.ACTIVE)}
        pairs, new = [], []
        for prop in chosen:
            pair = existing.get((prop.helper_id, prop.beneficiary_id))
            if pair is None:
                pair = Pair(org=program.org, program=program, helper=prop.helper, beneficiary=prop.beneficiary,
                            score=prop.score, components=prop.components, proposal=prop, started_on=today,
                            confirmed_by=by, locked=True)
                new.append(pair)
            elif not pair.locked:
                pair.locked = True
                pair.save(update_fields=["locked"])
            pairs.append(pair)
        # Thousands of pairs at once: one insert per batch, and the run's named audit entry below
        # records the confirmation instead of one field diff per pair.
        Pair.objects.bulk_create(new, batch_size=1000)
        qs.update(decision=Decision.CONFIRMED)
        _check_limits(program, {p.helper_id for p in chosen} | {p.beneficiary_id for p in chosen})
        log_action(run, "pairing.run.confirmed", by, {"pairs": len(pairs), "created": len(new), "ended": len(stale)})
    return pairs


def reject_proposals(*, by, run: Run, proposals) -> int:
    """Mark proposals as rejected (they are not confirmed; a forbid rule keeps them out of later runs)."""
    require(by, CHANGE, run.org)
    with transaction.atomic(), acting(by):
        n = Proposal.objects.filter(run=run, decision=Decision.PENDING,
                                    pk__in=[getattr(p, "pk", p) for p in proposals]).update(
            decision=Decision.REJECTED)
        log_action(run, "pairing.run.rejected", by, {"proposals": n})
    return n


def create_pair(*, by, program: Program, helper: Participant, beneficiary: Participant,
                started_on: dt.date | None = None) -> Pair:
    """Make a pair by hand (staff changing what the optimizer proposed); it is locked."""
    require(by, CHANGE, program.org)
    _check_sides(program, helper, beneficiary)
    from pairing.scoring import build_sides, components, score

    H, B = build_sides(_one(program, helper), _one(program, beneficiary))
    parts = components(H, B, np.array([0]), np.array([0]), program.max_distance_km)
    weights = {name: program.weight(name) for name in scoring.COMPONENTS}
    with transaction.atomic(), acting(by):
        if Pair.objects.filter(helper=helper, beneficiary=beneficiary, status=PairStatus.ACTIVE).exists():
            raise ValidationError(_("这两方已经结对。"))
        pair = Pair.objects.create(
            org=program.org, program=program, helper=helper, beneficiary=beneficiary, confirmed_by=by, locked=True,
            started_on=started_on or dt.date.today(), score=round(float(score(parts, weights)[0]), 4),
            components={name: round(float(parts[name][0]), 4) for name in scoring.COMPONENTS})
        _check_limits(program, [helper.pk, beneficiary.pk])
        log_action(pair, "pairing.pair.created", by)
    return pair


def _one(program, participant) -> list[dict]:
    rows = _participants(program, participant.side)
    return [r for r in rows if r["id"] == participant.pk] or [
        {"id": participant.pk, "region": participant.region, "industry": participant.industry,
         "size": participant.size, "tags": [], "languages": [], "latitude": None, "longitude": None,
         "limit": 1, "past": 0}]


def set_pair_locked(*, by, pair: Pair, locked: bool) -> Pair:
    """Lock a pair (later runs keep it) or unlock it (a later run may re-pair both sides)."""
    require(by, CHANGE, pair.org)
    with transaction.atomic(), acting(by):
        pair.locked = locked
        pair.save(update_fields=["locked"])
        log_action(pair, "pairing.pair.locked" if locked else "pairing.pair.unlocked", by)
    return pair


def end_pair(*, by, pair: Pair, status: str = PairStatus.COMPLETED, reason: str = "",
             ended_on: dt.date | None = None) -> Pair:
    """Close a pair as completed, or end it with a reason."""
    require(by, CHANGE, pair.org)
    if status not in (PairStatus.COMPLETED, PairStatus.ENDED):
        raise ValidationError({"status": _("只能设为已完成或已终止。")})
    if status == PairStatus.ENDED and not reason.strip():
        raise ValidationError({"end_reason": _("终止结对须说明原因。")})
    if pair.status != PairStatus.ACTIVE:
        raise ValidationError({"status": _("该结对已结束。")})
    with transaction.atomic(), acting(by):
        pair.status, pair.end_reason, pair.ended_on = status, reason.strip(), ended_on or dt.date.today()
        pair.save(update_fields=["status", "end_reason", "ended_on"])
        log_action(pair, f"pairing.pair.{status}", by, {"reason": pair.end_reason})
    return pair


def add_follow_up(*, by, pair: Pair, **fields) -> FollowUp:
    """Record a visit or contact against a pair, with the results it brought."""
    require(by, CHANGE, pair.org)
    follow_up = FollowUp(org=pair.org, pair=pair, recorded_by=by)
    apply_fields(follow_up, fields, FOLLOW_UP_FIELDS)
    follow_up.full_clean(exclude=["org", "pair", "recorded_by"])
    with transaction.atomic(), acting(by):
        follow_up.save()
    return follow_up


def update_follow_up(*, by, follow_up: FollowUp, **fields) -> FollowUp:
    """Correct a recorded follow-up."""
    require(by, CHANGE, follow_up.org)
    apply_fields(follow_up, fields, FOLLOW_UP_FIELDS)
    follow_up.full_clean(exclude=["org", "pair", "recorded_by"])
    with transaction.atomic(), acting(by):
        follow_up.save()
    return follow_up
