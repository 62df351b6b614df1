"""The pure matching rules: points, hard exclusion, ranking and its explanation; the vectorised engine
agrees with them pair by pair."""

from __future__ import annotations

import random
from decimal import Decimal

from ablework.jobs import rules
from ablework.jobs.enums import ACCESSIBILITY, ACCOMMODATIONS, OCCUPATIONS, WORK_TIMES
from ablework.jobs.matching import PostingMatrix
from ablework.people.api import need_registration_codes

W = rules.Weights()


def test_codes_agree_with_the_need_registration_schema() -> None:
    codes = need_registration_codes()
    JOB_TYPES, PEOPLE_ACC, PEOPLE_TIMES = codes["jobs"], codes["accommodations"], codes["work_times"]
    assert [c for c, _ in OCCUPATIONS] == [c for c, _ in JOB_TYPES] == list(rules.OCCUPATION_CODES)
    assert [c for c, _ in ACCOMMODATIONS] == [c for c, _ in PEOPLE_ACC] == list(rules.ACCOMMODATION_CODES)
    assert [c for c, _ in WORK_TIMES] == [c for c, _ in PEOPLE_TIMES] == list(rules.WORK_TIME_CODES)
    assert [c for c, _ in ACCESSIBILITY] == list(rules.ACCESSIBILITY_CODES)


def _seeker(**kw) -> rules.Seeker:
    base = {"person_id": 1, "district_code": "120101", "desired_jobs": frozenset({"office"}), "work_time": "full"}
    return rules.Seeker(**{**base, **kw})


def _posting(**kw) -> rules.PostingFacts:
    base = {"posting_id": 10, "occupation": "office", "district_code": "120101", "work_time": "full"}
    return rules.PostingFacts(**{**base, **kw})


def test_full_match_scores_every_factor_and_explains_it() -> None:
    s = _seeker(
        suitable_jobs=frozenset({"office"}), needs=frozenset({"workstation"}), category=4, expected_wage=Decimal("3000")
    )
    p = _posting(accommodations=frozenset({"workstation"}), categories=frozenset({4}), wage_max=Decimal("3500"))
    m = rules.score(s, p, W)
    assert not m.excluded
    assert m.score == W.total == 130
    assert [f.code for f in m.factors] == [
        "occupation",
        "suitable",
        "area",
        "work_time",
        "accommodations",
        "category",
        "wage",
    ]
    assert all(f.points == f.max_points for f in m.factors)


def test_partial_points_and_details() -> None:
    s = _seeker(
        areas=frozenset({"120103"}),
        needs=frozenset({"workstation", "sign_language", "job_coach"}),
        work_time="part",
        expected_wage=Decimal("5000"),
        category=2,
    )
    p = _posting(occupation="cleaning", accommodations=frozenset({"workstation"}), wage_max=Decimal("4000"))
    m = rules.score(
        s,
        p,
        W,
        labels={
            "cleaning": "保洁/绿化",
            "120101": "和平区",
            "sign_language": "手语翻译/文字沟通",
            "job_coach": "就业辅导员陪同",
        },
    )
    pts = {f.code: f.points for f in m.factors}
    assert pts == {
        "occupation": 0,
        "suitable": 0,
        "area": 0,
        "work_time": 0,
        "accommodations": 6,
        "category": 0,
        "wage": 0,
    }
    assert m.score == 6
    detail = {f.code: f.detail for f in m.factors}
    assert "保洁/绿化" in detail["occupation"]
    assert "不在本人意向区域" in detail["area"] and "和平区" in detail["area"]
    assert detail["accommodations"] == "需要3项，单位提供1项；未提供：手语翻译/文字沟通、就业辅导员陪同"
    assert "4000" in detail["wage"] and "5000" in detail["wage"]


def test_wheelchair_user_is_excluded_without_step_free_access() -> None:
    by_need = _seeker(needs=frozenset({"accessible_site"}))
    by_assessment = _seeker(mobility=3)
    no_ramp = _posting(accessibility=frozenset({"lift", "accessible_toilet"}))
    for s in (by_need, by_assessment):
        m = rules.score(s, no_ramp, W)
        assert m.excluded and "无障碍" in m.reasons[0]
        assert not rules.score(s, _posting(accessibility=frozenset({"step_free"})), W).excluded
        assert not rules.score(s, _posting(accommodations=frozenset({"remote"})), W).excluded  # can work from home
    # mobility 2 (mild) does not need it
    assert not rules.score(_seeker(mobility=2), no_ramp, W).excluded


def test_rank_postings_orders_by_score_then_id_and_drops_hard_mismatches() -> None:
    s = _seeker(needs=frozenset({"accessible_site"}))
    postings = [
        _posting(posting_id=1, occupation="cleaning", accessibility=frozenset({"step_free"})),
        _posting(posting_id=2, accessibility=frozenset({"step_free"})),
        _posting(posting_id=3),  # best occupation, no ramp: excluded
        _posting(posting_id=4, accessibility=frozenset({"step_free"})),
    ]
    ranked = rules.rank_postings(s, postings, W, limit=10)
    assert [m.posting_id for m in ranked] == [2, 4, 1]
    assert ranked[0].score > ranked[2].score
    assert rules.rank_postings(s, postings, W, limit=2, include_excluded=True)[0].posting_id == 2


def test_rank_seekers() -> None:
    p = _posting()
    a = _seeker(person_id=5)
    b = _seeker(person_id=6, desired_jobs=frozenset({"it"}))
    c = _seeker(person_id=7, mobility=4)  # needs step-free; posting has none
    assert [m.person_id for m in rules.rank_seekers(p, [b, c, a], W)] == [5, 6]


def test_weights_from_parameter_and_retention_months() -> None:
    w = rules.Weights.from_value({"occupation": "50", "unknown": 1})
    assert w.occupation == 50 and w.total == 140
    assert rules.retention_due_months([12, 3, 6, 3]) == (3, 6, 12)
    assert rules.add_months(2025, 11, 30, 3) == (2026, 2, 28)
    assert rules.add_months(2024, 8, 31, 6) == (2025, 2, 28)
    assert rules.add_months(2023, 8, 31, 6) == (2024, 2, 29)


def _random_world(rng: random.Random, n_seekers: int, n_postings: int) -> tuple[list, list, list[str]]:
    districts = [f"1201{i:02d}" for i in range(1, 17)]
    occ = list(rules.OCCUPATION_CODES)
    acc = list(rules.ACCOMMODATION_CODES)
    seekers = [
        rules.Seeker(
            person_id=i, district_code=rng.choice(districts),
            desired_jobs=frozenset(rng.sample(occ, rng.randint(0, 3))),
            suitable_jobs=frozenset(rng.sample(occ, rng.randint(0, 2))),
            work_time=rng.choice(["", "full", "part", "flexible"]),
            areas=frozenset(rng.sample(districts, rng.randint(0, 2))),
            needs=frozenset(rng.sample(acc, rng.randint(0, 3))),
            mobility=rng.choice([None, 1, 2, 3, 4]), category=rng.choice([None, *range(1, 8)]),
            expected_wage=rng.choice([None, Decimal("2500"), Decimal("4000.50")]),
        )
        for i in range(n_seekers)
    ]  # fmt: skip
    postings = [
        rules.PostingFacts(
            posting_id=1000 + i, occupation=rng.choice(occ), district_code=rng.choice(districts),
            work_time=rng.choice(list(rules.WORK_TIME_CODES)),
            accessibility=frozenset(rng.sample(list(rules.ACCESSIBILITY_CODES), rng.randint(0, 3))),
            accommodations=frozenset(rng.sample(acc, rng.randint(0, 4))),
            categories=frozenset(rng.sample(range(1, 8), rng.randint(0, 3))),
            wage_max=rng.choice([None, Decimal("2300"), Decimal("4000.50"), Decimal("6000")]),
        )
        for i in range(n_postings)
    ]  # fmt: skip
    return seekers, postings, districts


def test_vectorised_engine_agrees_with_the_rules() -> None:
    rng = random.Random(7)
    seekers, postings, districts = _random_world(rng, 150, 400)
    matrix = PostingMatrix.build(postings, districts)
    for s in seekers:
        expected = [(m.posting_id, m.score) for m in rules.rank_postings(s, postings, W, limit=10)]
        assert matrix.top_postings(s, W, k=10) == expected
        # and every single score (excluded = -1)
        pts = matrix.scores(s, W)
        for i, p in enumerate(sorted(postings, key=lambda p: p.posting_id)[:40]):
            m = rules.score(s, p, W)
            assert pts[i] == (-1 if m.excluded else m.score)


def test_bench_matching_small_bounded_run() -> None:
    """bench/matching.py end to end at a small size (the full run is `make bench`)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(  # noqa: S603 (fixed interpreter and arguments)
        [sys.executable, str(root / "bench" / "matching.py"), "--seekers", "2000", "--postings", "1500",
         "--workers", "1", "--check", "5", "--no-write"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 disagreement(s)" in out.stdout and "top-10 for 2,000 seekers" in out.stdout
