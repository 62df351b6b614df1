"""Reads of the pre-aggregated figures for the dashboards and the annual reports.

Every read goes through ``Figure.objects`` (district-scoped: a query outside a scope fails) and takes
the districts it may see explicitly, so a district officer's page can only ever sum its own rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Max, Sum

from ablework.core.policy import get_param
from ablework.reports.models import Figure, Refresh

ZERO = Decimal(0)


def latest_refresh(year: int | None) -> Refresh | None:
    """The latest refresh of ``year`` (None: of any year)."""
    qs = Refresh.objects.all() if year is None else Refresh.objects.filter(year=year)
    return qs.order_by("-finished_at", "-id").first()


def figures_by(
    topic: str,
    year: int | Iterable[int],
    district_ids: Iterable[int],
    *,
    group: str,
    dim: str = "",
    street_id: int | None = None,
    street_all: bool = False,
    agg: str = "sum",
) -> dict[Any, dict[str, Any]]:
    """``{group value: {measure: sum}}`` of a topic in the given districts.

    ``group``: ``"district_id"``, ``"street_id"``, ``"dim_value"`` or ``"year"``.  ``dim`` picks the
    dimension rows ("" = totals).  ``agg="max"`` takes the largest row instead of the sum (for a
    city-wide figure repeated in every district's rows, such as a programme's budget).  ``street_id`` restricts to one street (with ``street_all`` False the
    district-only topics then return nothing, as they have no street rows)."""
    years = [year] if isinstance(year, int) else list(year)
    qs = Figure.objects.filter(topic=topic, year__in=years, district_id__in=list(district_ids), dim=dim)
    if street_id is not None and not street_all:
        qs = qs.filter(street_id=street_id)
    out: dict[Any, dict[str, Any]] = defaultdict(dict)
    fn = Max if agg == "max" else Sum
    for r in qs.values(group, "measure").annotate(v=fn("value")).order_by():
        out[r[group]][r["measure"]] = r["v"] or ZERO
    return dict(out)


def total_of(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = defaultdict(lambda: ZERO)
    for r in rows:
        for k, v in r.items():
            out[k] += v
    return dict(out)


def years_with_figures() -> list[int]:
    return sorted(set(Refresh.objects.values_list("year", flat=True)), reverse=True)


def target_period(year: int) -> tuple[int, int, int, Any] | None:
    """(first year, last year, target, parameter) of the ``new_jobs_target`` in force in ``year``, or of
    the latest one that ended in the five years before (a plan period just closed still shows its
    result); None when there is none."""
    for y in range(year, year - 6, -1):
        pv = get_param("new_jobs_target", on=date(y, 6, 30), default=None)
        if pv.value is not None:
            last = pv.valid_to.year if pv.valid_to else year
            return pv.valid_from.year, last, int(pv.value), pv
    return None
