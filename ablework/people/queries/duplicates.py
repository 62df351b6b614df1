"""Duplicate candidates: records that look like the same person.

(a) the same name and birth date with different ID numbers (one person per ID number is a database
    constraint, so two rows are two ID numbers);
(b) the same name pinyin (张伟 / 章伟) and the same certificate number (keyed hash), on the current
    certificate or anywhere in the certificate history.

Each rule is one semi-join (``EXISTS`` on the same table, served by the name/birth-date, cert-hash
and pinyin indexes); only the few matching rows come back and are paired in Python.  Merged records
and pairs an officer dismissed are left out; the district scope of the request applies to both
records of a pair, so an officer sees only pairs inside their districts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from ablework.people.models import Certificate, DuplicateDismissal, Person

SAME_NAME_BIRTH = "same_name_birth"
SAME_PINYIN_CERT = "same_pinyin_cert"
RULE_LABELS = {
    SAME_NAME_BIRTH: "姓名、出生日期相同，身份证号不同",
    SAME_PINYIN_CERT: "姓名拼音相同，证件号相同",
}


@dataclass(frozen=True)
class Candidate:
    low: Person  # the record with the smaller id
    high: Person
    rules: tuple[str, ...]

    @property
    def labels(self) -> list[str]:
        return [RULE_LABELS[r] for r in self.rules]


def _active() -> QuerySet[Person]:
    return Person.objects.filter(merged_into__isnull=True)


def _pairs_of(groups: Iterable[tuple[Any, int]]) -> set[tuple[int, int]]:
    by_key: dict[Any, set[int]] = defaultdict(set)
    for key, pk in groups:
        by_key[key].add(pk)
    return {(a, b) for ids in by_key.values() for a, b in combinations(sorted(ids), 2)}


def _same_name_birth() -> set[tuple[int, int]]:
    base = _active()
    twin = base.filter(name=OuterRef("name"), birth_date=OuterRef("birth_date")).exclude(pk=OuterRef("pk"))
    rows = base.filter(Exists(twin)).order_by().values_list("name", "birth_date", "pk")
    return _pairs_of(((name, born), pk) for name, born, pk in rows)


def _same_pinyin_cert() -> set[tuple[int, int]]:
    base = _active().exclude(name_pinyin="")
    twin = base.filter(cert_hash=OuterRef("cert_hash"), name_pinyin=OuterRef("name_pinyin")).exclude(pk=OuterRef("pk"))
    current = base.exclude(cert_hash="").filter(Exists(twin)).order_by().values_list("name_pinyin", "cert_hash", "pk")
    pairs = _pairs_of(((py, h), pk) for py, h, pk in current)
    certs = Certificate.objects.exclude(number_hash="").filter(
        person__merged_into__isnull=True, person__name_pinyin__gt=""
    )
    shared = certs.filter(number_hash=OuterRef("number_hash"), person__name_pinyin=OuterRef("person__name_pinyin"))
    history = (
        certs.filter(Exists(shared.exclude(person_id=OuterRef("person_id"))))
        .order_by()
        .values_list("person__name_pinyin", "number_hash", "person_id")
        .distinct()
    )
    return pairs | _pairs_of(((py, h), pk) for py, h, pk in history)


def list_duplicate_candidates() -> list[Candidate]:
    """Candidate pairs within the current district scope, ordered by name."""
    found: dict[tuple[int, int], list[str]] = defaultdict(list)
    for pair in _same_name_birth():
        found[pair].append(SAME_NAME_BIRTH)
    for pair in _same_pinyin_cert():
        found[pair].append(SAME_PINYIN_CERT)
    if not found:
        return []
    ids = {pk for pair in found for pk in pair}
    dismissed = set(DuplicateDismissal.objects.filter(low_id__in=ids, high_id__in=ids).values_list("low_id", "high_id"))
    persons = {p.pk: p for p in _active().filter(pk__in=ids).select_related("district", "street")}
    out = [
        Candidate(persons[low], persons[high], tuple(rules))
        for (low, high), rules in found.items()
        if (low, high) not in dismissed and low in persons and high in persons
    ]
    out.sort(key=lambda c: (c.low.name_pinyin, c.low.name, c.low.pk, c.high.pk))
    return out


def get_candidate_pair(first_id: int, second_id: int) -> tuple[Person, Person] | None:
    """Both records of a pair (lower id first) if both are visible in the current scope."""
    if first_id == second_id:
        return None
    persons = {
        p.pk: p for p in Person.objects.filter(pk__in=[first_id, second_id]).select_related("district", "street")
    }
    if len(persons) != 2:
        return None
    low, high = sorted((first_id, second_id))
    return persons[low], persons[high]


def history_counts(person: Person) -> dict[str, int]:
    """How much history each record carries, to help decide which one to keep."""
    return {
        "certificates": person.certificates.count(),
        "employment_records": person.employment_records.count(),
        "services": person.services.count(),
        "difficulty_certifications": person.difficulty_certifications.count(),
        "public_welfare_placements": person.public_welfare_placements.count(),
        "correction_requests": person.correction_requests.count(),
    }
