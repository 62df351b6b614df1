"""Vectorised matching for many seekers at once (numpy, no Django): the same points as
``rules.score`` — a test checks that both agree pair by pair — computed for one seeker against every
posting as a handful of array operations on small integer arrays.

``PostingMatrix.build(postings)`` encodes the postings once (occupation and district as bit
positions, accommodations, accessibility and supported categories as bit masks, the top wage as a
float); ``top_postings(seeker)`` then scores all postings for one seeker and keeps the best ``k``
with ``argpartition``.  Ties are broken by the lower posting id, as in ``rules.rank_postings``.
Used by the batch recommendations and by ``bench/matching.py`` (50,000 seekers × 10,000 postings).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ablework.jobs.rules import (
    ACCESSIBILITY_CODES,
    ACCOMMODATION_CODES,
    OCCUPATION_CODES,
    WORK_TIME_CODES,
    WORK_TIME_FIT,
    PostingFacts,
    Seeker,
    Weights,
)

_OCC = {c: i for i, c in enumerate(OCCUPATION_CODES)}
_ACC = {c: i for i, c in enumerate(ACCOMMODATION_CODES)}
_TIME = {c: i for i, c in enumerate(WORK_TIME_CODES)}
_STEP_FREE = 1 << ACCESSIBILITY_CODES.index("step_free")
_REMOTE = 1 << _ACC["remote"]


def _mask(codes: Iterable[str], index: dict[str, int]) -> int:
    m = 0
    for c in codes:
        if c in index:
            m |= 1 << index[c]
    return m


@dataclass
class PostingMatrix:
    ids: np.ndarray  # int64, ascending
    occ_bit: np.ndarray  # int32: 1 << occupation index
    district_bit: np.ndarray  # int64: 1 << district index
    time: np.ndarray  # int8: work-time index
    offered: np.ndarray  # int32: accommodation mask
    remote: np.ndarray  # bool
    step_free: np.ndarray  # bool
    cat_mask: np.ndarray  # int32: bit c for category c
    wage_max: np.ndarray  # float64, nan when not stated
    districts: dict[str, int]

    @classmethod
    def build(cls, postings: Sequence[PostingFacts], districts: Sequence[str]) -> PostingMatrix:
        order = sorted(postings, key=lambda p: p.posting_id)
        dindex = {c: i for i, c in enumerate(districts)}
        if len(dindex) > 62:
            raise ValueError("too many districts for a 64-bit mask")
        offered = np.fromiter((_mask(p.accommodations, _ACC) for p in order), dtype=np.int32, count=len(order))
        access = np.fromiter(
            (_mask(p.accessibility, {c: i for i, c in enumerate(ACCESSIBILITY_CODES)}) for p in order),
            dtype=np.int32,
            count=len(order),
        )
        return cls(
            ids=np.fromiter((p.posting_id for p in order), dtype=np.int64, count=len(order)),
            occ_bit=np.fromiter((1 << _OCC.get(p.occupation, _OCC["other"]) for p in order), np.int32, len(order)),
            district_bit=np.fromiter((1 << dindex.get(p.district_code, 63) for p in order), np.uint64, len(order)),
            time=np.fromiter((_TIME.get(p.work_time, 0) for p in order), dtype=np.int8, count=len(order)),
            offered=offered,
            remote=(offered & _REMOTE) != 0,
            step_free=(access & _STEP_FREE) != 0,
            cat_mask=np.fromiter((sum(1 << c for c in p.categories) for p in order), np.int32, len(order)),
            wage_max=np.fromiter(
                (float(p.wage_max) if p.wage_max is not None else np.nan for p in order), np.float64, len(order)
            ),
            districts=dindex,
        )

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def scores(self, s: Seeker, w: Weights) -> np.ndarray:
        """int32 points of every posting for ``s``; -1 where the pair is a hard mismatch."""
        desired = _mask(s.desired_jobs, _OCC)
        suitable = _mask(s.suitable_jobs, _OCC)
        pts = np.where((self.occ_bit & desired) != 0, w.occupation, 0).astype(np.int32)
        if suitable:
            pts += np.where((self.occ_bit & suitable) != 0, w.suitable, 0).astype(np.int32)
        if s.areas:
            area_mask = np.uint64(_mask(s.areas, self.districts))
        else:
            area_mask = np.uint64(1 << self.districts[s.district_code]) if s.district_code in self.districts else 0
        area_ok = ((self.district_bit & np.uint64(area_mask)) != 0) | self.remote
        pts += np.where(area_ok, w.area, 0).astype(np.int32)
        if not s.work_time:
            pts += w.work_time
        else:
            fit = np.array([WORK_TIME_FIT[(s.work_time, t)] for t in WORK_TIME_CODES], dtype=bool)
            pts += np.where(fit[self.time], w.work_time, 0).astype(np.int32)
        need = _mask(s.needs, _ACC)
        if not need:
            pts += w.accommodations
        else:
            n_need = need.bit_count()
            got = np.bitwise_count(self.offered & need).astype(np.int32)
            pts += (w.accommodations * got) // n_need
        if s.category is not None:
            pts += np.where((self.cat_mask & (1 << s.category)) != 0, w.category, 0).astype(np.int32)
        if s.expected_wage is None:
            pts += w.wage
        else:
            pts += np.where(self.wage_max >= float(s.expected_wage), w.wage, 0).astype(np.int32)
        if s.needs_step_free(w):
            pts[~(self.step_free | self.remote)] = -1
        return pts

    def top_postings(self, s: Seeker, w: Weights, k: int = 10) -> list[tuple[int, int]]:
        """``[(posting_id, score), …]`` best first (ties: lower id), hard mismatches left out."""
        pts = self.scores(s, w)
        n = len(self)
        if n == 0:
            return []
        # One sortable key: score first, then the lower index (= lower id) first.
        key = pts.astype(np.int64) * n + (n - 1 - np.arange(n, dtype=np.int64))
        k_eff = min(k, n)
        idx = np.argpartition(-key, k_eff - 1)[:k_eff] if k_eff < n else np.arange(n)
        idx = idx[np.argsort(-key[idx], kind="stable")]
        return [(int(self.ids[i]), int(pts[i])) for i in idx if pts[i] >= 0]
