"""The pairing optimizer: the best set of pairs under capacities, as a min-cost flow (OR-Tools).

Pure numpy and OR-Tools, no Django: the services load the participants into arrays,
`candidates()` (pairing.scoring) scores the allowed pairs, and `solve()` returns the
optimum. `greedy()` solves the same instance by a plain greedy pass for comparison.

The network: source → helper (capacity = the helper's capacity), helper → beneficiary
(capacity 1, cost = −score), beneficiary → sink (capacity = the helpers a beneficiary
may have), plus a bypass arc source → sink with cost 0. The source supplies as much as
could ever flow, and whatever is not worth pairing takes the bypass, so the flow is
always feasible and pairs stay optional. Integral capacities make the min-cost flow an
exact maximum-weight b-matching.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SCALE = 1000  # scores become integer costs in thousandths

NO_CANDIDATE = "no_candidate"
CAPACITY_EXHAUSTED = "capacity_exhausted"
PRUNED = "pruned"  # had candidates, but none among any beneficiary's best K


class Infeasible(ValueError):
    """The locked pairs alone break a capacity; carries the participants concerned."""

    def __init__(self, message: str, helpers=(), beneficiaries=()):
        super().__init__(message)
        self.helpers = list(helpers)
        self.beneficiaries = list(beneficiaries)


@dataclass
class Instance:
    """One pairing problem, by position: helpers 0..n_h-1, beneficiaries 0..n_b-1.

    `arc_h`, `arc_b`, `arc_score` are the candidate pairs (already within the hard
    constraints, forbidden pairs removed); `locked` are (h, b) pairs that must be made.
    """

    capacity: np.ndarray
    max_helpers: np.ndarray
    arc_h: np.ndarray
    arc_b: np.ndarray
    arc_score: np.ndarray
    locked: list[tuple[int, int, float]] = field(default_factory=list)

    @property
    def n_helpers(self) -> int:
        """How many helpers."""
        return len(self.capacity)

    @property
    def n_beneficiaries(self) -> int:
        """How many beneficiaries."""
        return len(self.max_helpers)


@dataclass
class Solution:
    """The chosen pairs (positions into the instance's arrays), the objective and the unpaired with reasons."""

    pair_h: np.ndarray
    pair_b: np.ndarray
    pair_score: np.ndarray
    locked_mask: np.ndarray
    objective: float
    unpaired_helpers: dict[int, str]
    unpaired_beneficiaries: dict[int, str]
    method: str = "min_cost_flow"
    seconds: float = 0.0

    @property
    def pairs(self) -> int:
        """How many pairs were made."""
        return len(self.pair_h)


def to_cost(scores: np.ndarray) -> np.ndarray:
    """Integer costs from scores: every candidate is worth at least one unit, so a pair beats no pair."""
    return -np.maximum(np.rint(np.asarray(scores, dtype=np.float64) * SCALE), 1).astype(np.int64)


def _apply_locks(inst: Instance):
    """Capacities left after the locked pairs, and the arcs that remain; Infeasible if a lock breaks a capacity."""
    cap = inst.capacity.astype(np.int64).copy()
    mh = inst.max_helpers.astype(np.int64).copy()
    keep = np.ones(len(inst.arc_h), dtype=bool)
    if inst.locked:
        lh = np.array([x[0] for x in inst.locked], dtype=np.int64)
        lb = np.array([x[1] for x in inst.locked], dtype=np.int64)
        np.subtract.at(cap, lh, 1)
        np.subtract.at(mh, lb, 1)
        over_h, over_b = np.flatnonzero(cap < 0), np.flatnonzero(mh < 0)
        if len(over_h) or len(over_b):
            raise Infeasible("locked pairs exceed a capacity", over_h.tolist(), over_b.tolist())
        # A locked pair is made once, never again as a candidate.
        n_b = max(inst.n_beneficiaries, 1)
        keys = inst.arc_h.astype(np.int64) * n_b + inst.arc_b
        keep = ~np.isin(keys, lh * n_b + lb)
    return cap, mh, keep


def _explain(inst: Instance, pair_h, pair_b, cap_left, mh_left):
    """Why each participant without any pair has none: no candidate at all, or every candidate is full."""
    has_arc_h = np.zeros(inst.n_helpers, dtype=bool)
    has_arc_b = np.zeros(inst.n_beneficiaries, dtype=bool)
    has_arc_h[inst.arc_h] = True
    has_arc_b[inst.arc_b] = True
    paired_h = np.zeros(inst.n_helpers, dtype=bool)
    paired_b = np.zeros(inst.n_beneficiaries, dtype=bool)
    paired_h[pair_h] = True
    paired_b[pair_b] = True
    unpaired_h = {int(i): (CAPACITY_EXHAUSTED if has_arc_h[i] else NO_CANDIDATE)
                  for i in np.flatnonzero(~paired_h & (inst.capacity > 0))}
    unpaired_b = {int(i): (CAPACITY_EXHAUSTED if has_arc_b[i] else NO_CANDIDATE)
                  for i in np.flatnonzero(~paired_b & (inst.max_helpers > 0))}
    return unpaired_h, unpaired_b


def _with_locked(inst: Instance, h, b, s, method, cap_left, mh_left, seconds=0.0) -> Solution:
    lh = np.array([x[0] for x in inst.locked], dtype=np.int64)
    lb = np.array([x[1] for x in inst.locked], dtype=np.int64)
    ls = np.array([x[2] for x in inst.locked], dtype=np.float64)
    pair_h = np.concatenate([lh, h.astype(np.int64)])
    pair_b = np.concatenate([lb, b.astype(np.int64)])
    pair_s = np.concatenate([ls, s.astype(np.float64)])
    locked_mask = np.zeros(len(pair_h), dtype=bool)
    locked_mask[: len(lh)] = True
    unpaired_h, unpaired_b = _explain(inst, pair_h, pair_b, cap_left, mh_left)
    return Solution(pair_h, pair_b, pair_s, locked_mask, float(pair_s.sum()), unpaired_h, unpaired_b, method,
                    seconds)


def solve(inst: Instance) -> Solution:
    """The exact optimum of the total score (min-cost flow), with the locked pairs forced in."""
    import time

    from ortools.graph.python import min_cost_flow

    started = time.perf_counter()
    cap, mh, keep = _apply_locks(inst)
    arc_h, arc_b, arc_s = inst.arc_h[keep], inst.arc_b[keep], inst.arc_score[keep]
    n_h, n_b = inst.n_helpers, inst.n_beneficiaries
    source, sink = n_h + n_b, n_h + n_b + 1
    flow_total = int(min(cap.sum(), mh.sum()))
    n_arcs = len(arc_h)
    if n_arcs == 0 or flow_total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return _with_locked(inst, empty, empty, np.zeros(0), "min_cost_flow", cap, mh,
                            time.perf_counter() - started)
    h_nodes = np.arange(n_h, dtype=np.int32)
    b_nodes = np.arange(n_h, n_h + n_b, dtype=np.int32)
    tails = np.concatenate([np.full(n_h, source, np.int32), arc_h.astype(np.int32),
                            b_nodes, np.array([source], np.int32)])
    heads = np.concatenate([h_nodes, (arc_b + n_h).astype(np.int32),
                            np.full(n_b, sink, np.int32), np.array([sink], np.int32)])
    caps = np.concatenate([cap, np.ones(n_arcs, np.int64), mh, np.array([flow_total], np.int64)])
    costs = np.concatenate([np.zeros(n_h, np.int64), to_cost(arc_s), np.zeros(n_b, np.int64),
                            np.zeros(1, np.int64)])
    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supplies = np.zeros(n_h + n_b + 2, dtype=np.int64)
    supplies[source], supplies[sink] = flow_total, -flow_total
    smcf.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min cost flow failed with status {status}")
    flows = smcf.flows(arcs[n_h:n_h + n_arcs])
    chosen = np.flatnonzero(flows > 0)
    return _with_locked(inst, arc_h[chosen], arc_b[chosen], arc_s[chosen], "min_cost_flow", cap, mh,
                        time.perf_counter() - started)


def greedy(inst: Instance) -> Solution:
    """A plain greedy pass for comparison: best-scoring candidates first, while both sides have room."""
    import time

    started = time.perf_counter()
    cap, mh, keep = _apply_locks(inst)
    arc_h, arc_b, arc_s = inst.arc_h[keep], inst.arc_b[keep], inst.arc_score[keep]
    # Ties go the same way as in solve(): by the integer cost, then by position.
    order = np.lexsort((np.arange(len(arc_s)), to_cost(arc_s)))
    cap_l, mh_l = cap.tolist(), mh.tolist()
    hs, bs = arc_h[order].tolist(), arc_b[order].tolist()
    chosen = []
    for i, h, b in zip(order.tolist(), hs, bs, strict=True):
        if cap_l[h] > 0 and mh_l[b] > 0:
            cap_l[h] -= 1
            mh_l[b] -= 1
            chosen.append(i)
    chosen = np.array(chosen, dtype=np.int64)
    return _with_locked(inst, arc_h[chosen], arc_b[chosen], arc_s[chosen], "greedy", np.array(cap_l),
                        np.array(mh_l), time.perf_counter() - started)


def top_k(arc_b: np.ndarray, arc_score: np.ndarray, k: int) -> np.ndarray:
    """Indices of the best `k` candidates of every beneficiary (ties broken by position)."""
    if len(arc_b) == 0:
        return np.zeros(0, dtype=np.int64)
    # One stable sort on a single integer key (beneficiary, then cost) is several times
    # faster than a two-key lexsort on tens of millions of candidates.
    cost = -to_cost(arc_score)
    key = arc_b.astype(np.int64) * (int(cost.max()) + 1) + (int(cost.max()) - cost)
    order = np.argsort(key, kind="stable")
    sorted_b = arc_b[order]
    starts = np.flatnonzero(np.r_[True, sorted_b[1:] != sorted_b[:-1]])
    group_start = np.repeat(starts, np.diff(np.r_[starts, len(sorted_b)]))
    rank = np.arange(len(sorted_b)) - group_start
    return np.sort(order[rank < k])
