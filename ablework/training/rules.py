"""Pure rules of ablework.training (no Django): course length class (national system, policy-rules §16)
and "employed within N months after completion"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, min(d.day, day))
        except ValueError:
            continue
    raise ValueError(d)  # pragma: no cover


@dataclass(frozen=True)
class LengthParams:
    short_max_months: int = 1
    medium_max_months: int = 6


def length_class(start: date, end: date, params: LengthParams) -> str:
    """``short`` when the course lasts at most ``short_max_months`` (1 Jan–31 Jan), ``medium`` at most
    ``medium_max_months`` (1 Jan–30 Jun), else ``long``.  Both dates inclusive."""
    stop = end + timedelta(days=1)
    if stop <= add_months(start, params.short_max_months):
        return "short"
    if stop <= add_months(start, params.medium_max_months):
        return "medium"
    return "long"


def training_year(start: date) -> int:
    """A cross-year course counts in its start year (national system)."""
    return start.year


@dataclass(frozen=True)
class Spell:
    start: date
    end: date | None
    form: str = ""
    employer: str = ""


@dataclass(frozen=True)
class EmploymentOutcome:
    employed: bool
    window_end: date
    spell: Spell | None
    explanation: str


def employed_within(
    *, course_start: date, completed_on: date, spells: Iterable[Spell], window_months: int
) -> EmploymentOutcome:
    """Employed within ``window_months`` after completion: an employment spell that **starts** between the
    course start and ``completed_on`` + ``window_months`` (inclusive).  A job held since before the course
    does not count: the outcome measures employment gained around or after the training."""
    window_end = add_months(completed_on, window_months)
    hits = sorted((s for s in spells if course_start <= s.start <= window_end), key=lambda s: s.start)
    if hits:
        s = hits[0]
        where = f"（{s.employer}）" if s.employer else ""
        return EmploymentOutcome(
            True,
            window_end,
            s,
            f"{s.start:%Y-%m-%d}开始就业{where}，在结业后{window_months}个月内（截至{window_end:%Y-%m-%d}）",
        )
    return EmploymentOutcome(
        False, window_end, None, f"培训开始至结业后{window_months}个月（截至{window_end:%Y-%m-%d}）没有新的就业记录"
    )
