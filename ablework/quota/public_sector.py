"""Reads of the public-sector rule (policy-rules §12): which agencies and institutions must place at
least one person, which of them have placed nobody, progress by data year, and the rows of the
public list (公示) of units that have placed persons.

Which units are covered is the registry's part of the rule and is **not** repeated here:
``employers.api.list_public_sector_units(on=)`` (kind, level, 编制, school flag, thresholds from the
parameter ``public_sector_rule``).  The annual review supplies the rest: the persons placed and the
accepted count, from the **certified** declaration of the data year.

- "Placed" counts persons (R12.1 "至少安排1名": a person, whatever their weight), i.e. the accepted
  employees of the certified declaration.  No certified declaration, or a late one (R3.1 "视为未安排"),
  is "placed nobody".
- A unit is on the list when it is covered, below the ratio (``quota_ratio``) and placed nobody.
- The rule of data year Y is the one in force on 1 January of Y (year-keyed parameters, policy §18).

Everything is set-based (one query per list or per year) and scoped like the employer registry: in a
request the user's districts, elsewhere inside ``district_scope`` / ``unscoped``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from ablework.core.policy import ParamValue, PolicyParameterMissing, get_param
from ablework.core.scoping import unscoped
from ablework.employers import api as employers_api
from ablework.employers.enums import PUBLIC_SECTOR_KINDS, AgencyLevel, EmployerKind
from ablework.quota.enums import DeclarationStatus, ReviewOutcome
from ablework.quota.models import Campaign, Declaration, DeclaredEmployee, DisclosurePublication

__all__ = [
    "DistrictRow",
    "ProgressRow",
    "YearRule",
    "covered_units",
    "disclosure_rows",
    "district_summary",
    "kind_label",
    "progress_by_year",
    "published_disclosure",
    "published_years",
    "rule_for_year",
    "unit_rows",
    "unplaced_units",
]


@dataclass(frozen=True)
class YearRule:
    """The rule of one data year and where its numbers come from (shown beside the list)."""

    data_year: int
    rule: employers_api.PublicSectorRule
    param: ParamValue
    ratio: Decimal
    ratio_param: ParamValue

    @property
    def deadline(self) -> date | None:
        """The end of the rule's period (十四五: 2025-12-31), from the parameter row."""
        return self.param.valid_to


def rule_for_year(data_year: int) -> YearRule:
    """Raises ``PolicyParameterMissing`` when no rule (or no ratio) is in force for the year."""
    on = date(data_year, 1, 1)
    rule, param = employers_api.public_sector_rule(on=on)
    ratio_param = get_param("quota_ratio", on=on)
    return YearRule(data_year, rule, param, ratio_param.decimal, ratio_param)


def _certified(data_year: int) -> QuerySet[Declaration]:
    # The base manager: the subqueries are correlated with the (scoped) employer of the outer query.
    return Declaration._base_manager.filter(
        employer_id=OuterRef("pk"), campaign__data_year=data_year, status=DeclarationStatus.CERTIFIED
    )


def _persons_placed(data_year: int) -> Coalesce:
    """Persons accepted on the unit's certified, timely declaration of the year (0 when none)."""
    rows = (
        DeclaredEmployee._base_manager.filter(
            declaration__employer_id=OuterRef("pk"),
            declaration__campaign__data_year=data_year,
            declaration__status=DeclarationStatus.CERTIFIED,
            declaration__late=False,
            review_outcome=ReviewOutcome.ACCEPTED,
        )
        .order_by()
        .values("declaration_id")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _with_placement(qs: QuerySet[Any], data_year: int) -> QuerySet[Any]:
    certified = _certified(data_year)
    dec: DecimalField[Decimal, Decimal] = DecimalField(max_digits=18, decimal_places=4)
    return qs.annotate(
        persons=_persons_placed(data_year),
        declared=Exists(certified),
        late=Subquery(certified.values("late")[:1]),
        staff=Subquery(certified.values("staff_count")[:1], output_field=dec),
        accepted=Subquery(certified.values("accepted_count")[:1], output_field=dec),
    )


def covered_units(data_year: int) -> QuerySet[Any]:
    """Units covered by the rule of the year, with ``persons``, ``declared``, ``late``, ``staff`` and
    ``accepted`` annotated.  Raises ``PolicyParameterMissing`` outside the rule's period."""
    return _with_placement(employers_api.list_public_sector_units(on=date(data_year, 1, 1)), data_year)


def unplaced_units(data_year: int, *, rule: YearRule | None = None) -> QuerySet[Any]:
    """The §12 list: covered, below the ratio and placed nobody (R12.1)."""
    rule = rule or rule_for_year(data_year)
    required = ExpressionWrapper(
        F("staff") * Value(rule.ratio), output_field=DecimalField(max_digits=24, decimal_places=8)
    )
    return (
        covered_units(data_year)
        .filter(persons=0)
        .filter(Q(accepted__isnull=True) | Q(staff__isnull=True) | Q(accepted__lt=required))
    )


@dataclass(frozen=True)
class DistrictRow:
    code: str
    name: str
    covered: int
    placed: int

    @property
    def unplaced(self) -> int:
        return self.covered - self.placed

    @property
    def share(self) -> Decimal | None:
        """Share of covered units that placed at least one person, in per cent to one place."""
        if not self.covered:
            return None
        return (Decimal(self.placed) * 100 / self.covered).quantize(Decimal("0.1"))


def district_summary(data_year: int) -> tuple[list[DistrictRow], DistrictRow]:
    """Per district (in the current scope): covered units, units that placed ≥ 1 person; and the total."""
    rows = (
        covered_units(data_year)
        .order_by()
        .values("district__code", "district__name", "district__sort_order")
        .annotate(covered=Count("id"), placed=Count("id", filter=Q(persons__gt=0)))
        .order_by("district__sort_order", "district__code")
    )
    out = [DistrictRow(r["district__code"], r["district__name"], r["covered"], r["placed"]) for r in rows]
    total = DistrictRow("", "合计", sum(r.covered for r in out), sum(r.placed for r in out))
    return out, total


@dataclass(frozen=True)
class ProgressRow:
    data_year: int
    covered: int | None  # None: no rule in force for the year
    placed: int | None
    source: str
    confirmed: bool
    deadline: date | None

    @property
    def share(self) -> Decimal | None:
        if not self.covered or self.placed is None:
            return None
        return (Decimal(self.placed) * 100 / self.covered).quantize(Decimal("0.1"))


def progress_by_year() -> list[ProgressRow]:
    """For every data year with a campaign (oldest first): covered units and how many placed ≥ 1
    person, under that year's rule.  One aggregate query per year."""
    out = []
    for year in sorted(Campaign.objects.values_list("data_year", flat=True)):
        try:
            rule = rule_for_year(year)
        except PolicyParameterMissing:
            out.append(ProgressRow(year, None, None, "", False, None))
            continue
        agg = covered_units(year).order_by().aggregate(covered=Count("id"), placed=Count("id", filter=Q(persons__gt=0)))
        out.append(
            ProgressRow(year, agg["covered"], agg["placed"], rule.param.source, rule.param.confirmed, rule.deadline)
        )
    return out


def kind_label(kind: str, agency_level: str) -> str:
    if kind == EmployerKind.AGENCY:
        level = AgencyLevel(agency_level).label if agency_level in AgencyLevel.values else ""
        return f"{level}机关" if level else str(EmployerKind.AGENCY.label)
    return str(EmployerKind(kind).label) if kind in EmployerKind.values else kind


def placement_label(unit: Any) -> str:
    """The placement status of an annotated unit, in words."""
    if not unit.declared:
        return "无已认定的年审申报（视为未安排）"
    if unit.late:
        return "逾期申报（视为未安排）"
    if unit.persons:
        return f"已安排{unit.persons}人"
    return "已认定，未安排残疾人"


def unit_rows(qs: QuerySet[Any], rule: YearRule) -> list[dict[str, Any]]:
    """Rows for the page and the export: unit data only (name, code, district, kind, 编制, placement)."""
    out = []
    for u in qs.select_related("district"):
        ratio = None
        if u.staff and u.accepted is not None:
            ratio = (Decimal(u.accepted) * 100 / Decimal(u.staff)).quantize(Decimal("0.01"))
        out.append(
            {
                "pk": u.pk,
                "name": u.name,
                "uscc": u.uscc,
                "district": u.district.name,
                "kind": kind_label(u.kind, u.agency_level),
                "establishment_size": u.establishment_size,
                "staff": u.staff,
                "accepted": u.accepted,
                "persons": u.persons,
                "ratio": ratio,
                "status": placement_label(u),
            }
        )
    return out


# --- the public list (公示, R12.3) --------------------------------------------------------------------


def disclosure_rows(data_year: int) -> list[dict[str, Any]]:
    """Agencies and institutions (any level and 编制) whose certified, timely declaration of the year
    accepted at least one person: name, kind, district, persons placed.  City-wide; no personal data."""
    with unscoped():
        qs = (
            employers_api.Employer.objects.filter(kind__in=sorted(PUBLIC_SECTOR_KINDS))
            .annotate(persons=_persons_placed(data_year))
            .filter(persons__gt=0)
            .order_by("district__sort_order", "district__code", "name", "id")
            .values("name", "kind", "agency_level", "district__name", "persons")
        )
        return [
            {
                "name": r["name"],
                "kind": kind_label(r["kind"], r["agency_level"]),
                "district": r["district__name"],
                "persons": r["persons"],
            }
            for r in qs
        ]


def published_disclosure(data_year: int) -> DisclosurePublication | None:
    return DisclosurePublication.objects.filter(data_year=data_year, published=True).first()


def published_years() -> list[tuple[int, datetime]]:
    """(data year, published at) of the published lists, latest year first."""
    return [
        (y, at)
        for y, at in DisclosurePublication.objects.filter(published=True)
        .order_by("-data_year")
        .values_list("data_year", "published_at")
        if at is not None
    ]
