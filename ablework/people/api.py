"""Public interface of `ablework.people`: the only module other apps import (with `enums.py`).

Other apps (the annual review, subsidies, jobs) look persons up by certificate or ID number and read
what they need to count or pay them; they never query ``people.models`` directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ablework.core import crypto
from ablework.core.identifiers import IdentifierError, parse_disability_cert, parse_resident_id
from ablework.core.scoping import unscoped
from ablework.people.actions import add_employment_record, cert_lookup_hash, is_working_age
from ablework.people.models import Certificate, Person

__all__ = [
    "Person",
    "PersonFacts",
    "add_employment_record",
    "find_person_by_certificate",
    "find_person_by_resident_id",
    "person_facts",
]


@dataclass(frozen=True)
class PersonFacts:
    """What another programme needs to know about a person on a date (no full ID number)."""

    person_id: int
    name: str
    id_masked: str
    district_code: str
    sex: str
    birth_date: date
    working_age: bool
    cert_kind: str  # "cdpf" | "military" | "" (none)
    category: int | None
    level: int | None  # cdpf level 1–4 or military level 1–10
    cert_valid: bool  # a certificate valid on the date exists


def find_person_by_resident_id(number: str) -> Person | None:
    """Exact match through the keyed hash, city-wide (callers enforce their own access rules)."""
    try:
        rid = parse_resident_id(number)
    except IdentifierError:
        return None
    with unscoped():
        return Person.objects.filter(id_hash=crypto.lookup_hash(rid.number), merged_into__isnull=True).first()


def find_person_by_certificate(number: str) -> Person | None:
    """The holder of a 残疾人证号 (suffix ignored), or None.  The number embeds the holder's ID."""
    try:
        parse_disability_cert(number)
    except IdentifierError:
        return None
    with unscoped():
        cert = Certificate.objects.filter(number_hash=cert_lookup_hash(number)).select_related("person").first()
        if cert is not None:
            return cert.person
    return find_person_by_resident_id(number.strip()[:18])


def person_facts(person: Person, on: date) -> PersonFacts:
    with unscoped():
        certs = list(Certificate.objects.filter(person=person, revoked_on__isnull=True))
        district_code = person.district.code
    valid = [
        c
        for c in certs
        if (c.issued_on is None or c.issued_on <= on) and (c.valid_until is None or c.valid_until >= on)
    ]
    current = max(valid, key=lambda c: (c.issued_on or date.min, c.pk)) if valid else None
    return PersonFacts(
        person_id=person.pk,
        name=person.name,
        id_masked=person.id_masked,
        district_code=district_code,
        sex=person.sex,
        birth_date=person.birth_date,
        working_age=is_working_age(person, on),
        cert_kind=current.kind if current else "",
        category=current.category if current else None,
        level=(current.level if current.kind == "cdpf" else current.military_level) if current else None,
        cert_valid=current is not None,
    )
