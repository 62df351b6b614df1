"""Benchmark of job matching (``make bench``; see bench/README.md): the top-10 postings for each of
50,000 job seekers against 10,000 open postings, in ≤ 60 s on 2 cores.

The seekers and postings are generated in memory (seeded, with the code lists and shapes of the
need registration and of postings), encoded once into ``jobs.matching.PostingMatrix`` and scored with
the same vectorised engine the platform uses (whose points a test checks against ``jobs.rules``).
The seekers are split over ``--workers`` processes (default 2, one per core).

Baseline, measured in the same run on the same data and workers: a trivial pass — for each seeker one
table look-up over all postings (occupation in the desired set) and an ``argpartition`` for 10 — i.e.
the least any per-seeker top-10 over these arrays costs.  The figure is printed with its ratio to
the baseline and the peak memory (RSS of this process and of the largest worker).  A sample of
seekers is checked against ``jobs.rules.rank_postings`` (exact agreement required).

Results: bench/results/matching.json.  Exit status 1 when over the budget or on a disagreement.
Needs no database and no Django settings.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import random
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from ablework.jobs import rules  # noqa: E402
from ablework.jobs.matching import PostingMatrix  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "matching.json"
BUDGET_SECONDS = 60.0
DISTRICTS = [f"1201{i:02d}" for i in range(1, 17)]
WAGES = [Decimal(w) for w in ("2320", "2800", "3200", "3800", "4500", "6000")]

_MATRIX: PostingMatrix | None = None
_SEEKERS: list[rules.Seeker] = []
_WEIGHTS = rules.Weights()


def make_world(n_seekers: int, n_postings: int, seed: int) -> tuple[list[rules.Seeker], list[rules.PostingFacts]]:
    rng = random.Random(seed)
    occ = list(rules.OCCUPATION_CODES)
    acc = list(rules.ACCOMMODATION_CODES)
    access = list(rules.ACCESSIBILITY_CODES)
    seekers = [
        rules.Seeker(
            person_id=i + 1,
            district_code=rng.choice(DISTRICTS),
            desired_jobs=frozenset(rng.sample(occ, rng.randint(1, 3))),
            suitable_jobs=frozenset(rng.sample(occ, rng.randint(0, 3))),
            work_time=rng.choice(["full", "full", "part", "flexible", ""]),
            areas=frozenset(rng.sample(DISTRICTS, rng.randint(0, 3))),
            needs=frozenset(rng.sample(acc, rng.choice([0, 0, 1, 1, 2, 3]))),
            mobility=rng.choice([None, 1, 1, 2, 3, 4]),
            category=rng.randint(1, 7),
            expected_wage=rng.choice([None, *WAGES]),
        )
        for i in range(n_seekers)
    ]
    postings = [
        rules.PostingFacts(
            posting_id=i + 1,
            occupation=rng.choice(occ),
            district_code=rng.choice(DISTRICTS),
            work_time=rng.choice(["full", "full", "part", "flexible"]),
            accessibility=frozenset(rng.sample(access, rng.randint(0, 5))),
            accommodations=frozenset(rng.sample(acc, rng.randint(0, 4))),
            categories=frozenset(rng.sample(range(1, 8), rng.randint(0, 4))),
            wage_max=rng.choice([None, *WAGES]),
        )
        for i in range(n_postings)
    ]
    return seekers, postings


def _init(matrix: PostingMatrix, seekers: list[rules.Seeker]) -> None:
    global _MATRIX, _SEEKERS
    _MATRIX, _SEEKERS = matrix, seekers


def _full(bounds: tuple[int, int]) -> tuple[int, int, float]:
    """Top-10 for the seekers in ``bounds``; returns (seekers done, results kept, worker peak MB)."""
    assert _MATRIX is not None
    kept = 0
    for s in _SEEKERS[bounds[0] : bounds[1]]:
        kept += len(_MATRIX.top_postings(s, _WEIGHTS, k=10))
    return bounds[1] - bounds[0], kept, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _trivial(bounds: tuple[int, int]) -> tuple[int, int, float]:
    assert _MATRIX is not None
    occ = {c: i for i, c in enumerate(rules.OCCUPATION_CODES)}
    occ_idx = _MATRIX.od // (len(_MATRIX.districts) + 2)  # the occupation column of the matrix
    kept = 0
    for s in _SEEKERS[bounds[0] : bounds[1]]:
        table = np.zeros(len(occ), dtype=np.int16)
        table[[occ[c] for c in s.desired_jobs]] = 1
        pts = table[occ_idx]
        kept += len(np.argpartition(-pts, 9)[:10])
    return bounds[1] - bounds[0], kept, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(fn: Any, n: int, workers: int) -> tuple[float, int, float]:
    chunk = max(1, n // (workers * 8))
    bounds = [(i, min(n, i + chunk)) for i in range(0, n, chunk)]
    started = time.perf_counter()
    if workers == 1:
        parts = [fn(b) for b in bounds]
    else:
        # fork: the workers inherit the matrix and the seekers without pickling them
        with mp.get_context("fork").Pool(workers) as pool:
            parts = pool.map(fn, bounds)
    seconds = time.perf_counter() - started
    assert sum(p[0] for p in parts) == n
    return seconds, sum(p[1] for p in parts), max(p[2] for p in parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seekers", type=int, default=50_000)
    ap.add_argument("--postings", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--check", type=int, default=30, help="seekers checked against jobs.rules")
    ap.add_argument("--no-write", action="store_true", help="do not write bench/results/matching.json")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    seekers, postings = make_world(args.seekers, args.postings, args.seed)
    generate_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    matrix = PostingMatrix.build(postings, DISTRICTS)
    build_s = time.perf_counter() - t0
    _init(matrix, seekers)

    seconds, kept, worker_peak = run(_full, len(seekers), args.workers)
    base_s, _kept, _wp = run(_trivial, len(seekers), args.workers)

    # Exact agreement with the pure rules on a sample (the explanation shown to users comes from them).
    rng = random.Random(args.seed + 1)
    disagreements = 0
    for s in rng.sample(seekers, min(args.check, len(seekers))):
        expected = [(m.posting_id, m.score) for m in rules.rank_postings(s, postings, _WEIGHTS, limit=10)]
        if matrix.top_postings(s, _WEIGHTS, k=10) != expected:
            disagreements += 1

    total = seconds + build_s
    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = {
        "benchmark": "matching",
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "numpy": np.__version__},
        "seekers": len(seekers),
        "postings": len(postings),
        "workers": args.workers,
        "budget_seconds": BUDGET_SECONDS,
        "generate_seconds": round(generate_s, 2),
        "build_matrix_seconds": round(build_s, 2),
        "top10_seconds": round(seconds, 2),
        "total_seconds": round(total, 2),
        "seekers_per_second": round(len(seekers) / seconds),
        "results_kept": kept,
        "baseline": "trivial pass: per seeker one table look-up over all postings (occupation in the desired set) + argpartition(10)",
        "baseline_seconds": round(base_s, 2),
        "ratio_to_baseline": round(seconds / base_s, 1) if base_s > 0 else None,
        "peak_mb_main": round(self_peak, 1),
        "peak_mb_worker": round(worker_peak, 1),
        "checked_against_rules": min(args.check, len(seekers)),
        "disagreements": disagreements,
    }  # fmt: skip
    print(f"matching: top-10 for {len(seekers):,} seekers × {len(postings):,} postings on {args.workers} worker(s)")
    print(f"  encode postings   {build_s:8.2f} s")
    print(
        f"  score + top-10    {seconds:8.2f} s  ({report['seekers_per_second']:,} seekers/s; budget {BUDGET_SECONDS:.0f} s)"
    )
    print(f"  baseline (trivial){base_s:8.2f} s  → × {report['ratio_to_baseline']} baseline")
    print(f"  peak RSS          {self_peak:8.0f} MB main, {worker_peak:.0f} MB per worker")
    print(f"  checked vs rules  {report['checked_against_rules']} seekers, {disagreements} disagreement(s)")
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"written {RESULTS.relative_to(ROOT)}")
    if disagreements:
        print("FAIL: the vectorised engine disagrees with jobs.rules", file=sys.stderr)
        return 1
    if total > BUDGET_SECONDS:
        print(f"FAIL: over the {BUDGET_SECONDS:.0f} s budget", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
