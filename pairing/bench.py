"""Benchmarks of the pairing optimizer, for `manage.py bench` or `manage.py pairing bench`.

- `yiwu()`: 130 enterprises × 8,395 shops (大企帮小店), every pair a candidate: scoring all
  1,091,350 pairs, the exact optimum (min-cost flow) and the greedy pass beside it;
- `province()`: 100,000 helpers (capacity 10) × 1,000,000 beneficiaries, 20 candidates each
  pruned to the best K = 10: the exact optimum over those candidates and the greedy pass.

Synthetic, seeded data: the figures measure the optimizer, not the database.
"""
from __future__ import annotations

import resource
import time

import numpy as np

from pairing import optimizer, scoring

TAGS = ["电商", "品牌", "资金", "技术", "法律", "外贸", "物流", "培训"]
YIWU_TOWNS = ["330782"] * 6 + ["330783", "330727"]  # mostly 义乌, some 东阳 and 磐安


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _participants(rng, n: int, helper: bool) -> list[dict]:
    sizes = ["medium", "large"] if helper else ["micro", "small"]
    return [{"id": i + 1, "region": str(rng.choice(YIWU_TOWNS)), "industry": str(rng.choice(list("CFIL"))),
             "size": str(rng.choice(sizes)),
             "tags": [str(t) for t in rng.choice(TAGS, size=int(rng.integers(1, 4)), replace=False)],
             "languages": [], "latitude": float(29.2 + rng.random() * 0.3),
             "longitude": float(119.9 + rng.random() * 0.3), "limit": 65 if helper else 1,
             "past": float(rng.random()) if helper else 0.0} for i in range(n)]


def _compare(inst) -> dict:
    # CPU seconds beside wall seconds: on a shared machine the wall clock also counts the others' work.
    cpu = time.process_time()
    flow = optimizer.solve(inst)
    flow_cpu = time.process_time() - cpu
    cpu = time.process_time()
    greedy = optimizer.greedy(inst)
    greedy_cpu = time.process_time() - cpu
    return {
        "solve_s": round(flow.seconds, 3), "solve_cpu_s": round(flow_cpu, 3), "objective": round(flow.objective, 2),
        "pairs": flow.pairs, "greedy_s": round(greedy.seconds, 3), "greedy_cpu_s": round(greedy_cpu, 3),
        "greedy_objective": round(greedy.objective, 2),
        "greedy_pairs": greedy.pairs,
        "gain_percent": round((flow.objective - greedy.objective) * 100 / greedy.objective, 3)
        if greedy.objective else None,
    }


def yiwu(helpers: int = 130, beneficiaries: int = 8395, seed: int = 1) -> dict:
    """130 × 8,395 with every pair a candidate (capacity 65 each, one helper per shop)."""
    rng = np.random.default_rng(seed)
    started, cpu_started = time.perf_counter(), time.process_time()
    H, B = scoring.build_sides(_participants(rng, helpers, True), _participants(rng, beneficiaries, False))
    t_sides = time.perf_counter()
    arc_h, arc_b, arc_s = scoring.candidates(H, B, scoring.Rules(), scoring.DEFAULT_WEIGHTS)
    t_scored = time.perf_counter()
    out = {"name": "pairing: 130 × 8,395, all candidates", "helpers": helpers, "beneficiaries": beneficiaries,
           "candidates": len(arc_h), "prepare_s": round(t_sides - started, 3),
           "score_s": round(t_scored - t_sides, 3)}
    out.update(_compare(optimizer.Instance(H.limit, B.limit, arc_h, arc_b, arc_s)))
    out["total_s"] = round(time.perf_counter() - started, 3)
    out["total_cpu_s"] = round(time.process_time() - cpu_started, 3)
    out["peak_mb"] = _peak_mb()
    return out


def province(helpers: int = 100_000, beneficiaries: int = 1_000_000, capacity: int = 10, drawn: int = 20,
             k: int = 10, seed: int = 2) -> dict:
    """100,000 helpers × 1,000,000 beneficiaries: `drawn` scored candidates each, pruned to the best `k`."""
    rng = np.random.default_rng(seed)
    started, cpu_started = time.perf_counter(), time.process_time()
    # Candidates come from the beneficiary's neighbourhood: helpers numbered near it, as a
    # regional sort would give, `drawn` distinct ones 50 apart with a jitter; scores in the
    # weighted components' usual range.
    centre = np.arange(beneficiaries, dtype=np.int64) * helpers // beneficiaries
    offsets = np.arange(drawn, dtype=np.int64) * 50 - drawn * 25
    arc_b = np.repeat(np.arange(beneficiaries, dtype=np.int64), drawn)
    arc_h = (np.repeat(centre, drawn) + np.tile(offsets, beneficiaries)
             + rng.integers(0, 50, size=beneficiaries * drawn)) % helpers
    arc_s = np.round(rng.random(beneficiaries * drawn) * 7.0, 3)
    t_drawn = time.perf_counter()
    keep = optimizer.top_k(arc_b, arc_s, k)
    arc_h, arc_b, arc_s = arc_h[keep], arc_b[keep], arc_s[keep]
    t_pruned = time.perf_counter()
    inst = optimizer.Instance(np.full(helpers, capacity, np.int64), np.ones(beneficiaries, np.int64),
                              arc_h, arc_b, arc_s)
    out = {"name": f"pairing: {helpers:,} × {beneficiaries:,}, K = {k}", "helpers": helpers,
           "beneficiaries": beneficiaries, "capacity": capacity, "k": k, "candidates": len(arc_h),
           "draw_s": round(t_drawn - started, 3), "prune_s": round(t_pruned - t_drawn, 3)}
    out.update(_compare(inst))
    out["total_s"] = round(time.perf_counter() - started, 3)
    out["total_cpu_s"] = round(time.process_time() - cpu_started, 3)
    out["peak_mb"] = _peak_mb()
    return out


def run(large: bool = True) -> list[dict]:
    """Every pairing benchmark (the large one only when asked), as the bench command prints them."""
    results = [yiwu()]
    if large:
        results.append(province())
    return results


def lines(results: list[dict]) -> list[str]:
    """The figures as text lines, the optimum beside the greedy pass."""
    out = []
    for r in results:
        out.append(
            f"{r['name']}: {r['candidates']:,} candidates; min-cost flow {r['solve_s']} s wall "
            f"({r['solve_cpu_s']} s CPU), total {r['objective']:,} for {r['pairs']:,} pairs | greedy "
            f"{r['greedy_s']} s wall ({r['greedy_cpu_s']} s CPU), total {r['greedy_objective']:,} for "
            f"{r['greedy_pairs']:,} pairs | optimum +{r['gain_percent']}% | whole run {r['total_s']} s wall "
            f"({r['total_cpu_s']} s CPU), peak {r['peak_mb']:,} MB")
    return out


def run_isolated(large: bool = True) -> list[dict]:
    """`run()` in its own process (`manage.py pairing bench`), so that peak memory is the optimizer's alone."""
    import json
    import subprocess
    import sys

    from django.conf import settings

    args = [sys.executable, "manage.py", "pairing", "bench", *(["--large"] if large else [])]
    done = subprocess.run(args, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)
