"""Aggregation and ranking of judges' scores (pure reads; `services.close_scoring` stores the result).

A judge's total for a nomination is the sum of its criterion scores (points mode) or the sum of
score / maximum × weight (weighted mode, weights adding up to 100). Only judges who scored every
criterion count. The nomination's score is the mean of its judges' totals; with `drop_extremes`
and at least three judges, one highest and one lowest total are dropped first.

Tie-break, in order:
1. the higher score;
2. the higher mean over all judges (nothing dropped);
3. the higher mean score on each criterion in rubric order (the first criterion decides first);
4. otherwise the tie stands: both share the rank and the next rank is skipped (1, 2, 2, 4).
A nomination is selected when it has a score and its rank is within the campaign's places, so a tie
that survives the tie-break on the last place selects both (the organizer decides in publicity).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from awards.models import Campaign, Nomination, NominationStatus, Score, ScoringMode

Q3 = Decimal("0.001")


@dataclass
class Row:
    """One nomination's place in the ranking."""

    nomination: Nomination
    score: Decimal | None
    mean_all: Decimal | None
    judges: int
    per_criterion: dict = field(default_factory=dict)  # criterion id → mean score of the counted judges
    rank: int | None = None
    selected: bool = False

    def as_dict(self) -> dict:
        """JSON-ready form (CLI and API)."""
        return {"nomination": self.nomination.pk, "name": self.nomination.name, "rank": self.rank,
                "score": None if self.score is None else str(self.score), "judges": self.judges,
                "selected": self.selected,
                "criteria": {str(k): str(v) for k, v in self.per_criterion.items()}}


def _mean(values) -> Decimal | None:
    values = list(values)
    return (sum(values, Decimal(0)) / len(values)).quantize(Q3) if values else None


def judge_total(campaign: Campaign, scores: dict, criteria: list) -> Decimal:
    """One judge's total from its {criterion id: value} on every criterion."""
    if campaign.scoring_mode == ScoringMode.WEIGHTED:
        return sum((scores[c.pk] / c.max_score * c.weight for c in criteria), Decimal(0))
    return sum((scores[c.pk] for c in criteria), Decimal(0))


def rank_campaign(campaign: Campaign) -> list[Row]:
    """The ranking of the campaign's submitted nominations, best first (unscored ones last, unranked)."""
    criteria = list(campaign.criteria.all())
    nominations = list(campaign.nominations.filter(status=NominationStatus.SUBMITTED))
    by_judge: dict[int, dict[int, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for nomination_id, judge_id, criterion_id, value in Score.objects.filter(
            assignment__nomination__campaign=campaign).values_list(
            "assignment__nomination_id", "assignment__judge_id", "criterion_id", "value"):
        by_judge[nomination_id][judge_id][criterion_id] = value
    rows = []
    for n in nominations:
        complete = {j: s for j, s in by_judge[n.pk].items() if all(c.pk in s for c in criteria)}
        totals = sorted(((judge_total(campaign, s, criteria), j) for j, s in complete.items()), key=lambda t: t[0])
        kept = totals[1:-1] if campaign.drop_extremes and len(totals) >= 3 else totals
        kept_judges = [j for _t, j in kept]
        per_criterion = {c.pk: _mean(complete[j][c.pk] for j in kept_judges) for c in criteria} if kept else {}
        rows.append(Row(n, _mean(t for t, _j in kept), _mean(t for t, _j in totals), len(totals), per_criterion))

    def key(row: Row):
        return (row.score or 0, row.mean_all or 0, *(row.per_criterion.get(c.pk) or 0 for c in criteria))

    scored = sorted((r for r in rows if r.score is not None), key=key, reverse=True)
    previous, rank = None, 0
    for i, row in enumerate(scored, start=1):
        if key(row) != previous:
            rank, previous = i, key(row)
        row.rank = rank
        row.selected = rank <= campaign.places
    return scored + sorted((r for r in rows if r.score is None), key=lambda r: r.nomination.name)
