"""Reads for the "四个一" services: who still lacks which service, and completion rates (R14.1).

Everything here is set-based: a person's four "done in the period" flags are ``Exists`` subqueries
and the rates are ``Count(filter=...)`` aggregations grouped by district or street, so a city-wide
table costs one query, not one per person.  The SQL mirrors ``rules.required_services``:
the info check for every unemployed working-age person (status wants_work / no_wish / unknown),
all four for those who want a job (wants_work).  Employed persons and those outside working age
need none; merged duplicates are not counted.

A service counts when it is dated within the period (default: the current calendar year).
Callers run inside a district scope (the request's, or ``district_scope``/``unscoped``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from ablework.core.models import District, Street
from ablework.people import rules
from ablework.people.enums import EmploymentStatus, ServiceKind
from ablework.people.models import Person, ServiceRecord

UNEMPLOYED = (EmploymentStatus.WANTS_WORK, EmploymentStatus.NO_WISH, EmploymentStatus.UNKNOWN_WISH)
KINDS: tuple[str, ...] = rules.FOUR_SERVICES
KIND_LABELS: dict[str, str] = {k: str(ServiceKind(k).label) for k in KINDS}
FLAG = {k: f"has_{k}" for k in KINDS}  # annotation name of "done in the period" per kind


@dataclass(frozen=True)
class Period:
    """An inclusive date range; the 四个一 are counted per calendar year unless told otherwise."""

    start: date
    end: date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def current(cls) -> Period:
        return cls.year(timezone.localdate().year)

    @property
    def label(self) -> str:
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31) and (
            self.start.year == self.end.year
        ):
            return f"{self.start.year}年"
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"


def _period(period: Period | None, year: int | None = None) -> Period:
    if period is not None:
        return period
    return Period.year(year) if year else Period.current()


def _done(kind: str, period: Period) -> Exists:
    # The base manager (not the scoped one) inside a correlated subquery: the outer Person query is
    # already scoped, and a service recorded while the person belonged to another district still counts.
    return Exists(
        ServiceRecord._base_manager.filter(
            person=OuterRef("pk"), kind=kind, date__gte=period.start, date__lte=period.end
        )
    )


def _needs(kind: str) -> Q:
    """Persons who need ``kind`` (rules.required_services)."""
    if kind == rules.INFO_CHECK:
        return Q(status__in=UNEMPLOYED)
    return Q(status=EmploymentStatus.WANTS_WORK)


def _lacks(kind: str) -> Q:
    return _needs(kind) & Q(**{FLAG[kind]: False})


def _all_four() -> Q:
    return Q(**{FLAG[k]: True for k in KINDS})


def with_service_flags(qs: QuerySet[Person], period: Period) -> QuerySet[Person]:
    return qs.annotate(**{FLAG[k]: _done(k, period) for k in KINDS})


def worklist(
    district_ids: Iterable[int],
    street: int | Street | None = None,
    gap: str | None = None,
    *,
    period: Period | None = None,
) -> QuerySet[Person]:
    """Persons of these districts (optionally one street) who still lack a service they need in the
    period; with ``gap`` only those lacking that one.  Each row carries ``has_<kind>`` flags; use
    ``gaps_of(row)`` for the missing kinds.  Ordered by street, community and name."""
    p = _period(period)
    if gap and gap not in KINDS:
        raise ValueError(f"unknown service kind: {gap}")
    qs = Person.objects.filter(district_id__in=list(district_ids), merged_into__isnull=True, status__in=UNEMPLOYED)
    if street is not None:
        qs = qs.filter(street=street)
    qs = with_service_flags(qs, p)
    if gap:
        qs = qs.filter(_lacks(gap))
    else:
        missing = Q()
        for k in KINDS:
            missing |= _lacks(k)
        qs = qs.filter(missing)
    return qs.select_related("district", "street").order_by("street__code", "community", "name", "pk")


def gaps_of(person: Any) -> tuple[str, ...]:
    """The kinds this (annotated) person lacks, by the pure rule."""
    done = [k for k in KINDS if getattr(person, FLAG[k], False)]
    return rules.service_gaps(person.status, done)


def gap_counts(qs: QuerySet[Person]) -> dict[str, int]:
    """How many persons of an annotated worklist lack each kind, plus ``total`` (one query)."""
    return qs.aggregate(total=Count("pk"), **{k: Count("pk", filter=_lacks(k)) for k in KINDS})


@dataclass(frozen=True)
class CompletionRow:
    code: str
    name: str
    completion: rules.Completion
    pk: int | None = None

    @staticmethod
    def percent(rate: float | None) -> str:
        return "—" if rate is None else f"{rate * 100:.1f}%"

    @property
    def info_percent(self) -> str:
        return self.percent(self.completion.info_rate)

    @property
    def all_four_percent(self) -> str:
        return self.percent(self.completion.all_four_rate)


def _completion_counts(qs: QuerySet[Person], group_by: str, period: Period) -> dict[Any, rules.Completion]:
    qs = with_service_flags(qs.filter(merged_into__isnull=True, status__in=UNEMPLOYED), period)
    wants = Q(status=EmploymentStatus.WANTS_WORK)
    rows = (
        qs.values(group_by)
        .annotate(
            population=Count("pk"),
            info_checked=Count("pk", filter=Q(**{FLAG[rules.INFO_CHECK]: True})),
            wants_job_population=Count("pk", filter=wants),
            all_four_done=Count("pk", filter=wants & _all_four()),
        )
        .order_by()
    )
    return {
        r[group_by]: rules.Completion(r["population"], r["info_checked"], r["wants_job_population"], r["all_four_done"])
        for r in rows
    }


EMPTY = rules.Completion(0, 0, 0, 0)


def total(rows: Iterable[CompletionRow]) -> rules.Completion:
    rows = list(rows)
    return rules.Completion(
        sum(r.completion.population for r in rows),
        sum(r.completion.info_checked for r in rows),
        sum(r.completion.wants_job_population for r in rows),
        sum(r.completion.all_four_done for r in rows),
    )


def completion_by_district(
    year: int | None = None, *, district_ids: Iterable[int], period: Period | None = None
) -> list[CompletionRow]:
    """R14.1 completion per district (every district of ``district_ids``, zeros included), in the
    official district order.  ``year`` picks a calendar year; ``period`` overrides it."""
    p = _period(period, year)
    ids = list(district_ids)
    counts = _completion_counts(Person.objects.filter(district_id__in=ids), "district_id", p)
    return [
        CompletionRow(code=d.code, name=d.name, completion=counts.get(d.pk, EMPTY), pk=d.pk)
        for d in District.objects.filter(pk__in=ids).order_by("sort_order", "code")
    ]


def completion_by_street(
    district_id: int, year: int | None = None, *, period: Period | None = None
) -> list[CompletionRow]:
    """R14.1 completion per street of one district (every street, zeros included; persons without a
    street form a last row "未填街道" when there are any)."""
    p = _period(period, year)
    counts = _completion_counts(Person.objects.filter(district_id=district_id), "street_id", p)
    rows = [
        CompletionRow(code=s.code, name=s.name, completion=counts.get(s.pk, EMPTY), pk=s.pk)
        for s in Street.objects.filter(district_id=district_id).order_by("code")
    ]
    if None in counts:
        rows.append(CompletionRow(code="", name="未填街道", completion=counts[None]))
    return rows


@dataclass(frozen=True)
class SummaryItem:
    kind: str
    label: str
    required: bool
    last_date: date | None  # the latest record of this kind, at any time
    done: bool  # a record dated within the period
    url_name: str  # the form to record it: {% url item.url_name person.pk %}

    @property
    def gap(self) -> bool:
        return self.required and not self.done


@dataclass(frozen=True)
class ServicesSummary:
    period: Period
    status: str
    items: list[SummaryItem]
    next_follow_up: date | None = None  # the earliest follow-up date from today on
    gaps: list[str] = field(default_factory=list)  # labels of the missing kinds


def services_summary(person: Person, *, period: Period | None = None) -> ServicesSummary:
    """The four for one person: latest date, done in the period, needed, missing (one query)."""
    p = _period(period)
    agg = ServiceRecord._base_manager.filter(person=person).aggregate(
        **{f"last_{k}": Max("date", filter=Q(kind=k)) for k in KINDS},
        **{f"in_{k}": Count("pk", filter=Q(kind=k, date__gte=p.start, date__lte=p.end)) for k in KINDS},
        next_follow_up=Min("follow_up_on", filter=Q(follow_up_on__gte=timezone.localdate())),
    )
    done = [k for k in KINDS if agg[f"in_{k}"]]
    required = rules.required_services(person.status)
    gaps = rules.service_gaps(person.status, done)
    items = [
        SummaryItem(
            kind=k,
            label=KIND_LABELS[k],
            required=k in required,
            last_date=agg[f"last_{k}"],
            done=k in done,
            url_name=f"people:services_new_{k}",
        )
        for k in KINDS
    ]
    return ServicesSummary(
        period=p,
        status=person.status,
        items=items,
        next_follow_up=agg["next_follow_up"],
        gaps=[KIND_LABELS[k] for k in gaps],
    )


def list_services(person: Person) -> QuerySet[ServiceRecord]:
    """All service records of a person, newest first, with who recorded them."""
    return ServiceRecord._base_manager.filter(person=person).select_related("recorded_by").order_by("-date", "-id")
