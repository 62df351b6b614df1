"""Search and filters of the person list: name (Chinese, full pinyin, initials), exact ID or
certificate number through the keyed lookup hash, status, street, age range and the 四个一 gap.

Every filter is one SQL condition on the person table (an ``EXISTS`` subquery for the 四个一 gap and
the certificate history), so a list of half a million persons is filtered in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ablework.core import crypto
from ablework.core.identifiers import IdentifierError, parse_disability_cert, parse_resident_id
from ablework.core.pinyin import is_pinyin_query
from ablework.people import rules
from ablework.people.actions.registry import cert_lookup_hash
from ablework.people.enums import EmploymentStatus, ServiceKind
from ablework.people.models import Certificate, ServiceRecord

# Kinds of a search text.  "id", "cert" and "number" searches are exact through the keyed hash, and
# their text is never written to the audit log or to a saved filter.
ID, CERT, NUMBER, PINYIN, NAME = "id", "cert", "number", "pinyin", "name"
SECRET_KINDS = frozenset({ID, CERT, NUMBER})
SECRET_LABELS = {ID: "［身份证号］", CERT: "［残疾人证号］", NUMBER: "［证件号］"}

GAP_ANY = "any"
GAP_CHOICES: list[tuple[str, Any]] = [(GAP_ANY, "缺任一项"), *ServiceKind.choices]


@dataclass(frozen=True)
class NameQuery:
    """A search text, classified: ``kind`` is one of ID/CERT/NUMBER/PINYIN/NAME; ``value`` is the
    lookup hash for the exact kinds and the normalised text otherwise; ``hint`` tells the user why
    an exact search found nothing (e.g. a wrong check digit)."""

    kind: str
    value: str
    hint: str = ""


def classify_query(raw: str) -> NameQuery:
    text = raw.strip()
    compact = "".join(text.split())
    upper = compact.upper()
    if len(upper) == 18 and upper[:17].isdigit() and upper[:17].isascii():
        try:
            rid = parse_resident_id(upper)
        except IdentifierError as exc:
            return NameQuery(ID, "", hint=str(exc))
        return NameQuery(ID, crypto.lookup_hash(rid.number))
    if len(upper) >= 20 and upper[:18].isascii() and upper[:17].isdigit():
        try:
            cert = parse_disability_cert(upper)
        except IdentifierError as exc:
            return NameQuery(CERT, "", hint=str(exc))
        return NameQuery(CERT, cert_lookup_hash(cert.number))
    if any(c.isdigit() for c in compact):
        # Not a full ID or 残疾人证号: the only other numbers are 残疾军人证号 (free text), matched
        # exactly as add_certificate hashes them.  Partial ID numbers are not searchable (privacy).
        hint = "" if not compact.isdigit() else "按身份证号查询须输入完整的18位号码"
        return NameQuery(NUMBER, crypto.lookup_hash("MIL:" + text), hint=hint)
    if is_pinyin_query(text):
        return NameQuery(PINYIN, compact.lower())
    return NameQuery(NAME, compact)


def search_people(qs: QuerySet[Any], raw: str) -> QuerySet[Any]:
    """Name contains (Chinese), pinyin or initials prefix, or an exact ID/certificate number."""
    q = classify_query(raw)
    if q.kind == ID:
        return qs.filter(id_hash=q.value) if q.value else qs.none()
    if q.kind in (CERT, NUMBER):
        if not q.value:
            return qs.none()
        # The current certificate (copied onto the person) or any earlier one in the history.
        held = Certificate.objects.filter(person=OuterRef("pk"), number_hash=q.value)
        return qs.filter(Q(cert_hash=q.value) | Exists(held))
    if q.kind == PINYIN:
        return qs.filter(Q(name_pinyin__startswith=q.value) | Q(name_initials__startswith=q.value))
    return qs.filter(name__contains=q.value)


def filter_status(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    return qs.filter(status=value) if value in EmploymentStatus.values else qs.none()


def years_before(on: date, years: int) -> date:
    """The same calendar day ``years`` earlier; 29 February falls back to 28 February."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def birth_date_bounds(age_min: int | None, age_max: int | None, on: date) -> tuple[date | None, date | None]:
    """``(born_after, born_on_or_before)`` such that ``age_min ≤ age ≤ age_max`` on ``on`` (ages in
    completed years as ``rules.age_on``): the filter compares birth dates, never computes per row."""
    latest = years_before(on, age_min) if age_min is not None else None
    earliest_excl = years_before(on, age_max + 1) if age_max is not None else None
    return earliest_excl, latest


def _age(value: str) -> int | None:
    return int(value) if value.isdigit() and int(value) <= 150 else None


def filter_age_min(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    age = _age(value)
    if age is None:
        return qs.none()
    _, latest = birth_date_bounds(age, None, timezone.localdate())
    return qs.filter(birth_date__lte=latest)


def filter_age_max(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    age = _age(value)
    if age is None:
        return qs.none()
    earliest_excl, _ = birth_date_bounds(None, age, timezone.localdate())
    return qs.filter(birth_date__gt=earliest_excl)


def statuses_needing(kind: str) -> list[str]:
    """The statuses for which ``kind`` is one of the required 四个一 (rules.required_services)."""
    return [s for s in EmploymentStatus.values if kind in rules.required_services(s)]


def missing_condition(kind: str, year_start: date) -> Q:
    """Persons who need ``kind`` and have no record of it dated in the current year."""
    done = ServiceRecord.objects.filter(person=OuterRef("pk"), kind=kind, date__gte=year_start)
    return Q(status__in=statuses_needing(kind)) & Q(~Exists(done))


def filter_gap(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    """``value`` is a ServiceKind (that service is missing this year) or ``any`` (at least one)."""
    year_start = timezone.localdate().replace(month=1, day=1)
    if value == GAP_ANY:
        cond = Q()
        for kind in ServiceKind.values:
            cond |= missing_condition(kind, year_start)
        return qs.filter(cond)
    if value in ServiceKind.values:
        return qs.filter(missing_condition(value, year_start))
    return qs.none()


def audit_filters(values: dict[str, str]) -> dict[str, str]:
    """The non-empty filters of a search as written to the audit log: an ID or certificate number
    is replaced by a label saying that such a search happened (the log never holds the number)."""
    out = {k: v for k, v in values.items() if v}
    if out.get("q"):
        kind = classify_query(out["q"]).kind
        if kind in SECRET_KINDS:
            out["q"] = SECRET_LABELS[kind]
        out["q_kind"] = kind
    return out


def is_secret_query(raw: str) -> bool:
    return bool(raw.strip()) and classify_query(raw).kind in SECRET_KINDS
