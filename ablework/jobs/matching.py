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


_POP = np.array([i.bit_count() for i in range(1 << len(ACCOMMODATION_CODES))], dtype=np.int16)
_N_CAT_MASKS = 1 << 8  # categories 1–7 as bits 1–7


@dataclass
class PostingMatrix:
    """The postings as small integer columns, so that one seeker's points are a few table look-ups.

    ``od``: occupation × place (the district index, or ``n_districts`` for a post that can be done
    from home, which earns the area points anywhere); ``tc``: work time × supported-category mask;
    ``wage_rank``: rank of the top wage among the distinct top wages (-1: not stated), compared with
    the seeker's expectation through a table; ``offered``: accommodation mask; ``blocked``: indices
    of postings a person who needs step-free access cannot take."""

    ids: np.ndarray  # int64, ascending
    od: np.ndarray  # int32
    tc: np.ndarray  # int32
    wage_rank: np.ndarray  # int32, -1 = not stated
    wage_values: np.ndarray  # float64, the distinct top wages ascending
    offered: np.ndarray  # int32 accommodation mask
    blocked: np.ndarray  # int64 indices: no step-free entrance and not remote
    districts: dict[str, int]

    @classmethod
    def build(cls, postings: Sequence[PostingFacts], districts: Sequence[str]) -> PostingMatrix:
        order = sorted(postings, key=lambda p: p.posting_id)
        n = len(order)
        dindex = {c: i for i, c in enumerate(districts)}
        nd = len(dindex) + 1  # + "from home"
        offered = np.fromiter((_mask(p.accommodations, _ACC) for p in order), dtype=np.int32, count=n)
        remote = (offered & _REMOTE) != 0
        # An unknown district gets no area points: index len(dindex) would mean "remote", so use a
        # separate slot past the end of the place axis.
        place = np.fromiter((dindex.get(p.district_code, nd) for p in order), dtype=np.int32, count=n)
        place[remote] = nd - 1
        occ = np.fromiter((_OCC.get(p.occupation, _OCC["other"]) for p in order), dtype=np.int32, count=n)
        time = np.fromiter((_TIME.get(p.work_time, 0) for p in order), dtype=np.int32, count=n)
        cats = np.fromiter((sum(1 << c for c in p.categories if 0 < c < 8) for p in order), dtype=np.int32, count=n)
        wages = np.fromiter(
            (float(p.wage_max) if p.wage_max is not None else np.nan for p in order), dtype=np.float64, count=n
        )
        values = np.unique(wages[~np.isnan(wages)])
        rank = np.full(n, -1, dtype=np.int32)
        stated = ~np.isnan(wages)
        rank[stated] = np.searchsorted(values, wages[stated])
        step_free = np.fromiter(("step_free" in p.accessibility for p in order), dtype=bool, count=n)
        return cls(
            ids=np.fromiter((p.posting_id for p in order), dtype=np.int64, count=n),
            od=occ * (nd + 1) + place,
            tc=time * _N_CAT_MASKS + cats,
            wage_rank=rank,
            wage_values=values,
            offered=offered,
            blocked=np.flatnonzero(~(step_free | remote)),
            districts=dindex,
        )

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def scores(self, s: Seeker, w: Weights) -> np.ndarray:
        """int16 points of every posting for ``s``; -1 where the pair is a hard mismatch."""
        nd = len(self.districts) + 1
        occ_pts = np.zeros(len(OCCUPATION_CODES), dtype=np.int16)
        for c in s.desired_jobs:
            if c in _OCC:
                occ_pts[_OCC[c]] += w.occupation
        for c in s.suitable_jobs:
            if c in _OCC:
                occ_pts[_OCC[c]] += w.suitable
        area_pts = np.zeros(nd + 1, dtype=np.int16)
        wanted = s.areas if s.areas else {s.district_code}
        for c in wanted:
            if c in self.districts:
                area_pts[self.districts[c]] = w.area
        area_pts[nd - 1] = w.area  # from home
        t1 = (occ_pts[:, None] + area_pts[None, :]).ravel()
        if s.work_time:
            time_pts = np.array(
                [w.work_time if WORK_TIME_FIT[(s.work_time, t)] else 0 for t in WORK_TIME_CODES], np.int16
            )
        else:
            time_pts = np.full(len(WORK_TIME_CODES), w.work_time, dtype=np.int16)
        if s.category is not None and 0 < s.category < 8:
            cat_pts = ((np.arange(_N_CAT_MASKS, dtype=np.int16) >> s.category) & 1) * np.int16(w.category)
        else:
            cat_pts = np.zeros(_N_CAT_MASKS, dtype=np.int16)
        t2 = (time_pts[:, None] + cat_pts[None, :]).ravel()
        pts = t1[self.od] + t2[self.tc]
        need = _mask(s.needs, _ACC)
        if need:
            t4 = (w.accommodations * _POP[np.arange(_POP.shape[0]) & need]) // need.bit_count()
            pts += t4.astype(np.int16)[self.offered]
        else:
            pts += np.int16(w.accommodations)
        if s.expected_wage is None:
            pts += np.int16(w.wage)
        else:
            # rank r reaches the expectation when wage_values[r] >= expected; index 0 of the table is "not stated"
            first_ok = int(np.searchsorted(self.wage_values, float(s.expected_wage), side="left"))
            t3 = np.zeros(self.wage_values.shape[0] + 1, dtype=np.int16)
            t3[first_ok + 1 :] = w.wage
            pts += t3[self.wage_rank + 1]
        if s.needs_step_free(w):
            pts[self.blocked] = -1
        return pts

    def top_postings(self, s: Seeker, w: Weights, k: int = 10) -> list[tuple[int, int]]:
        """``[(posting_id, score), …]`` best first (ties: lower id), hard mismatches left out."""
        pts = self.scores(s, w)
        if pts.shape[0] == 0:
            return []
        # Points are small integers: count them, find the lowest score that still reaches the k-th
        # place, and sort only the postings at or above it (stable: ties stay in id order).
        counts = np.bincount(pts + 1)  # counts[v] postings with v - 1 points
        reached = np.cumsum(counts[::-1])  # reached[j]: postings with at least len(counts) - 2 - j points
        lowest = max(len(counts) - 2 - int(np.searchsorted(reached, k)), 0)  # never the excluded (-1)
        idx = np.flatnonzero(pts >= lowest)
        idx = idx[np.argsort(-pts[idx], kind="stable")][:k]
        return [(int(self.ids[i]), int(pts[i])) for i in idx]
