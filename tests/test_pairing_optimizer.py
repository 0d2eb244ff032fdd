"""The pairing optimizer against brute force on small random instances, and its explanations."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pairing import optimizer, scoring


@st.composite
def instances(draw):
    """Up to 3 helpers × 4 beneficiaries, random capacities, candidate arcs, integer scores and locks."""
    n_h, n_b = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    capacity = np.array(draw(st.lists(st.integers(0, 3), min_size=n_h, max_size=n_h)), dtype=np.int64)
    max_helpers = np.array(draw(st.lists(st.integers(0, 2), min_size=n_b, max_size=n_b)), dtype=np.int64)
    all_pairs = [(h, b) for h in range(n_h) for b in range(n_b)]
    arcs = draw(st.lists(st.sampled_from(all_pairs), unique=True, max_size=len(all_pairs)))
    scores = draw(st.lists(st.integers(1, 30), min_size=len(arcs), max_size=len(arcs)))
    locked = []
    if arcs and draw(st.booleans()):
        i = draw(st.integers(0, len(arcs) - 1))
        locked = [(arcs[i][0], arcs[i][1], float(scores[i]))]
    return optimizer.Instance(capacity, max_helpers, np.array([a[0] for a in arcs], dtype=np.int64),
                              np.array([a[1] for a in arcs], dtype=np.int64), np.array(scores, dtype=np.float64),
                              locked)


def brute_force(inst):
    """The best total over every subset of arcs that respects the capacities and contains the locks."""
    arcs = list(range(len(inst.arc_h)))
    locked = {(h, b) for h, b, _s in inst.locked}
    best = None
    for r in range(len(arcs) + 1):
        for subset in itertools.combinations(arcs, r):
            chosen = {(int(inst.arc_h[i]), int(inst.arc_b[i])) for i in subset}
            if not locked <= chosen:
                continue
            per_h = np.bincount(inst.arc_h[list(subset)], minlength=inst.n_helpers) if subset else 0
            per_b = np.bincount(inst.arc_b[list(subset)], minlength=inst.n_beneficiaries) if subset else 0
            if np.all(per_h <= inst.capacity) and np.all(per_b <= inst.max_helpers):
                total = float(inst.arc_score[list(subset)].sum()) if subset else 0.0
                best = total if best is None else max(best, total)
    return best


def assert_valid(inst, sol):
    """Every capacity respected, every pair a candidate, every lock present, no pair twice."""
    assert np.all(np.bincount(sol.pair_h, minlength=inst.n_helpers) <= inst.capacity)
    assert np.all(np.bincount(sol.pair_b, minlength=inst.n_beneficiaries) <= inst.max_helpers)
    arcs = set(zip(inst.arc_h.tolist(), inst.arc_b.tolist(), strict=True))
    made = list(zip(sol.pair_h.tolist(), sol.pair_b.tolist(), strict=True))
    assert len(made) == len(set(made)) and set(made) <= arcs
    assert {(h, b) for h, b, _s in inst.locked} <= set(made)


@settings(max_examples=150, deadline=None)
@given(instances())
def test_min_cost_flow_finds_the_brute_force_optimum(inst):
    best = brute_force(inst)
    if best is None:
        with pytest.raises(optimizer.Infeasible):
            optimizer.solve(inst)
        return
    sol = optimizer.solve(inst)
    assert sol.objective == pytest.approx(best)
    assert_valid(inst, sol)
    greedy = optimizer.greedy(inst)
    assert_valid(inst, greedy)
    assert greedy.objective <= sol.objective + 1e-9
    # Every participant without a pair is explained, and correctly.
    for b, reason in sol.unpaired_beneficiaries.items():
        helpers = inst.arc_h[inst.arc_b == b]
        if reason == optimizer.NO_CANDIDATE:
            assert len(helpers) == 0
        else:
            load = np.bincount(sol.pair_h, minlength=inst.n_helpers)
            assert len(helpers) and np.all(load[helpers] >= inst.capacity[helpers])


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 6), st.integers(2, 8), st.integers(0, 10_000), st.booleans(), st.booleans())
def test_constraints_hold_in_every_candidate(n_h, n_b, seed, same_county, language):
    rng = np.random.default_rng(seed)

    def people(n):
        return [{"id": i + 1, "region": str(rng.choice(["330782", "330783", ""])),
                 "industry": str(rng.choice(["C", "F", ""])), "size": "small",
                 "tags": list(rng.choice(["电商", "资金", "法律"], size=rng.integers(0, 3), replace=False)),
                 "languages": list(rng.choice(["中文", "意大利语"], size=rng.integers(0, 2), replace=False)),
                 "latitude": float(29 + rng.random()) if rng.random() < .7 else None,
                 "longitude": float(120 + rng.random()), "limit": 2, "past": 0.0} for i in range(n)]

    hs, bs = people(n_h), people(n_b)
    for p in hs + bs:
        if p["latitude"] is None:
            p["longitude"] = None
    H, B = scoring.build_sides(hs, bs)
    rules = scoring.Rules(same_county=same_county, same_industry=True, common_language=language, max_km=40)
    arc_h, arc_b, arc_s = scoring.candidates(H, B, rules, scoring.DEFAULT_WEIGHTS, forbidden={(1, 1)})
    for h, b in zip(arc_h.tolist(), arc_b.tolist(), strict=True):
        hp, bp = hs[h], bs[b]
        assert (hp["id"], bp["id"]) != (1, 1)
        assert hp["industry"] and hp["industry"] == bp["industry"]
        if same_county:
            assert hp["region"] and hp["region"] == bp["region"]
        if language:
            assert set(hp["languages"] or ["中文"]) & set(bp["languages"] or ["中文"])
        if hp["latitude"] is not None and bp["latitude"] is not None:
            d = scoring.distance_km(H, B, np.array([h]), np.array([b]))[0]
            assert d <= 40
    sol = optimizer.solve(optimizer.Instance(H.limit, B.limit, arc_h, arc_b, arc_s))
    assert_valid(optimizer.Instance(H.limit, B.limit, arc_h, arc_b, arc_s), sol)


def test_locked_pairs_over_capacity_are_infeasible_and_named():
    inst = optimizer.Instance(np.array([1]), np.array([1, 1]), np.array([0, 0]), np.array([0, 1]),
                              np.array([1.0, 2.0]), locked=[(0, 0, 1.0), (0, 1, 2.0)])
    with pytest.raises(optimizer.Infeasible) as e:
        optimizer.solve(inst)
    assert e.value.helpers == [0]


def test_unpaired_reasons_no_candidate_and_capacity():
    # Helper 0 takes one; beneficiaries 0 and 1 both want it; beneficiary 2 has no candidate.
    inst = optimizer.Instance(np.array([1]), np.array([1, 1, 1]), np.array([0, 0]), np.array([0, 1]),
                              np.array([3.0, 1.0]))
    sol = optimizer.solve(inst)
    assert sol.pair_b.tolist() == [0]
    assert sol.unpaired_beneficiaries == {1: optimizer.CAPACITY_EXHAUSTED, 2: optimizer.NO_CANDIDATE}


def test_flow_beats_greedy_where_greedy_is_myopic():
    # Greedy takes the 10 first and leaves 9 + 9 on the table.
    inst = optimizer.Instance(np.array([1, 1]), np.array([1, 1]), np.array([0, 0, 1]), np.array([0, 1, 0]),
                              np.array([10.0, 9.0, 9.0]))
    assert optimizer.solve(inst).objective == 18
    assert optimizer.greedy(inst).objective == 10


def test_top_k_keeps_each_beneficiarys_best():
    arc_b = np.array([0, 0, 0, 1, 1])
    arc_s = np.array([1.0, 3.0, 2.0, 5.0, 4.0])
    assert optimizer.top_k(arc_b, arc_s, 2).tolist() == [1, 2, 3, 4]
    assert optimizer.top_k(arc_b, arc_s, 1).tolist() == [1, 3]
