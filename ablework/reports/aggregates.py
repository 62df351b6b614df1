"""The pre-aggregated monitoring figures (``Figure``): computed from the domain apps' ``api`` read
functions, set-based, and written in one transaction per year, so a dashboard reads a few hundred
rows instead of scanning 500,000 persons.

Topics (``Figure.topic``) and their measures:

- ``registry`` (per district): persons, employers — the landing page's counts.
- ``employment`` (per street): new_jobs — employment records that started in the year; also by
  ``form``, ``urban_rural`` and ``category`` (dimension rows).
- ``services`` (per street): population, info_checked, wants_job_population, all_four_done (R14.1).
- ``difficulty`` (per street): certified, active, placed, employed (§11).
- ``students`` (per street): n, also by ``status``; the year is the graduation year.
- ``review`` (per district, the unit's district of tax registration): declared, certified,
  meeting_ratio, levy_due, levy_paid, conflicts_open; the year is the data year.
- ``public_sector`` (per district): covered, placed (§12).
- ``subsidies`` (per district, by ``programme``): applications, approved, paid, committed, paid_amount,
  and the programme's city-wide budget (the same value in every district's row: read with max) — only
  when ``ablework.subsidies.api.programme_totals`` exists.
- ``assisted`` (per street of the institution): institutions, workstations (active at the year's end,
  or today while it runs), participants_active, participants_year, joined, eligible_active
  (``assisted.api.year_counts``).
- ``training`` (per district of the course, street of the provider; the year is the course's start
  year): courses, enrolled, completed, certified, employed (within the window after completion)
  (``training.api.year_counts``).
- ``jobs_post`` (per workplace district): postings published in the year, headcount, reserved
  (``jobs.api.posting_year_counts``).
- ``jobs`` (per street of the person): applications, referrals, hires, and for the year's hires
  ``ret{m}_due / ret{m}_done / ret{m}_kept`` for m = 3, 6, 12 (``jobs.api.matching_year_counts``).

``refresh(year)`` is idempotent: it replaces every figure of that year.  ``tasks.refresh_figures_task``
and ``manage.py refresh_reports`` call it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from ablework.assisted import api as assisted_api
from ablework.core.models import District, Street
from ablework.core.scoping import unscoped
from ablework.employers import api as employers_api
from ablework.jobs import api as jobs_api
from ablework.people import api as people_api
from ablework.quota import api as quota_api
from ablework.reports.models import Figure, Refresh
from ablework.training import api as training_api

TOPICS = ("registry", "employment", "services", "difficulty", "students", "review", "public_sector", "subsidies",
          "assisted", "training", "jobs_post", "jobs")  # fmt: skip
EMPLOYMENT_DIMS = ("form", "urban_rural", "category")
ASSISTED_MEASURES = ("institutions", "workstations", "participants_active", "participants_year", "joined",
                     "eligible_active")  # fmt: skip
TRAINING_MEASURES = ("courses", "enrolled", "completed", "certified", "employed")


def subsidy_totals_function() -> Any:
    """``subsidies.api.programme_totals`` when the subsidies app exposes it, else None (the page keeps the
    panel's place and says the figures are not available yet)."""
    try:
        from ablework.subsidies import api as subsidies_api
    except ImportError:  # pragma: no cover - the app always exists; its api may not have the function yet
        return None
    return getattr(subsidies_api, "programme_totals", None)


class _Rows:
    def __init__(self, year: int) -> None:
        self.year = year
        self.rows: list[Figure] = []
        # (topic, district, street, dim, dim_value, measure) → value: rows of one key are summed.
        self.acc: dict[tuple[Any, ...], Decimal] = {}

    def add(
        self, topic: str, district_id: int, street_id: int | None, measure: str, value: Any, dim: str = "", dim_value: Any = ""
    ) -> None:  # fmt: skip
        if value in (None, 0):
            return
        key = (topic, district_id, street_id, dim, "" if dim_value is None else str(dim_value), measure)
        self.acc[key] = self.acc.get(key, Decimal(0)) + Decimal(str(value))

    def objects(self) -> list[Figure]:
        return [
            Figure(topic=t, year=self.year, district_id=d, street_id=s, dim=dim, dim_value=dv, measure=m, value=v)
            for (t, d, s, dim, dv, m), v in self.acc.items()
        ]


def _collect(year: int) -> _Rows:
    out = _Rows(year)
    for district_id, n in people_api.persons_by_district().items():
        out.add("registry", district_id, None, "persons", n)
    for district_id, n in employers_api.employers_by_district().items():
        out.add("registry", district_id, None, "employers", n)
    for r in people_api.new_employment_counts(year):
        out.add("employment", r["district_id"], r["street_id"], "new_jobs", r["n"])
        for dim in EMPLOYMENT_DIMS:
            out.add("employment", r["district_id"], r["street_id"], "new_jobs", r["n"], dim, r[dim] or "")
    for r in people_api.service_completion_counts(year):
        for m in ("population", "info_checked", "wants_job_population", "all_four_done"):
            out.add("services", r["district_id"], r["street_id"], m, r[m])
    for r in people_api.difficulty_counts(year):
        for m in ("certified", "active", "placed", "employed"):
            out.add("difficulty", r["district_id"], r["street_id"], m, r[m])
    for r in people_api.student_outcome_counts(year):
        out.add("students", r["district_id"], r["street_id"], "n", r["n"])
        out.add("students", r["district_id"], r["street_id"], "n", r["n"], "status", r["status"])
    for r in quota_api.review_summary_by_district(year):
        for m in ("declared", "certified", "meeting_ratio", "levy_due", "levy_paid", "conflicts_open"):
            out.add("review", r["district_id"], None, m, r[m])
    by_code = dict(District.objects.values_list("code", "pk"))
    for r in quota_api.public_sector_by_district(year):
        for m in ("covered", "placed"):
            out.add("public_sector", by_code[r["district_code"]], None, m, r[m])
    totals = subsidy_totals_function()
    if totals is not None:
        for district_id in by_code.values():
            for r in totals(year, [district_id]):
                # ``budget`` is city-wide: repeated in every district's rows and read with max, not sum.
                for m in ("applications", "approved", "paid", "budget", "committed", "paid_amount"):
                    out.add("subsidies", district_id, None, m, r.get(m), "programme", r.get("code", ""))
    _collect_matching(out, year)
    return out


def _collect_matching(out: _Rows, year: int) -> None:
    """Assisted employment, training and job matching (their apps' ``api`` count functions).  A street
    that is not in the row's district (a person who moved) is counted as "no street" of the district."""
    street_district = dict(Street.objects.values_list("pk", "district_id"))

    def street(r: dict[str, Any]) -> int | None:
        s = r.get("street_id")
        return s if s is not None and street_district.get(s) == r["district_id"] else None

    for r in assisted_api.year_counts(year):
        for m in ASSISTED_MEASURES:
            out.add("assisted", r["district_id"], street(r), m, r[m])
    for r in training_api.year_counts(year):
        for m in TRAINING_MEASURES:
            out.add("training", r["district_id"], street(r), m, r[m])
    for r in jobs_api.posting_year_counts(year):
        for m in ("postings", "headcount", "reserved"):
            out.add("jobs_post", r["district_id"], None, m, r[m])
    for r in jobs_api.matching_year_counts(year):
        for m, v in r.items():
            if m not in ("district_id", "street_id"):
                out.add("jobs", r["district_id"], street(r), m, v)


def refresh(year: int) -> Refresh:
    """Recompute every figure of ``year`` and replace the stored ones (one transaction)."""
    started_at = timezone.now()
    t0 = time.perf_counter()
    with unscoped():
        rows = _collect(year).objects()
        with transaction.atomic():
            Figure.objects.filter(year=year).delete()
            Figure.objects.bulk_create(rows, batch_size=2000)
            return Refresh.objects.create(
                year=year,
                started_at=started_at,
                finished_at=timezone.now(),
                rows=len(rows),
                seconds=round(time.perf_counter() - t0, 3),
            )


def refresh_years(years: Iterable[int]) -> list[Refresh]:
    return [refresh(y) for y in years]


def default_years(today_year: int | None = None) -> list[int]:
    """The current year and the two before it (the dashboards' year choice; the annual report compares
    with the previous year), plus the years of the new-jobs target period (its progress sums them)."""
    from ablework.reports.queries import target_period

    y = today_year or timezone.localdate().year
    years = {y - 2, y - 1, y}
    period = target_period(y)
    if period is not None:
        years |= set(range(period[0], min(period[1], y) + 1))
    return sorted(years)
