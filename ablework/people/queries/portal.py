"""Reads for the person's own portal view ("我的档案") and the officers' correction queue.

A portal user has no district scope, so the person records linked to the user are fetched through
``PortalLink`` inside ``unscoped()`` — filtered by the user, never wider — and everything else about
the person inside ``district_scope([person.district_id])``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from ablework.accounts.enums import Role
from ablework.core import audit
from ablework.core.enums import AuditAction
from ablework.core.scoping import district_scope, unscoped
from ablework.people.models import (
    Certificate,
    CorrectionRequest,
    EmploymentRecord,
    Person,
    PortalLink,
    ServiceRecord,
)

# What counts as "accessing" a record, for the person's access log.
ACCESS_ACTIONS = (AuditAction.READ, AuditAction.EXPORT, AuditAction.UPDATE, AuditAction.UNMASK, AuditAction.CREATE)


@dataclass(frozen=True)
class LinkedPerson:
    person: Person
    relation: str


def linked_persons(user: Any) -> list[LinkedPerson]:
    """The persons whose record this portal user may see (self, or as guardian)."""
    if not getattr(user, "pk", None):
        return []
    links = list(PortalLink.objects.filter(user_id=user.pk).values_list("person_id", "relation"))
    if not links:
        return []
    relation = dict(links)
    with unscoped():
        persons = list(
            Person.objects.filter(pk__in=relation, merged_into__isnull=True).select_related("district", "street")
        )
    return [LinkedPerson(p, relation[p.pk]) for p in persons]


def get_own_person(user: Any, pk: int) -> LinkedPerson | None:
    """The person ``pk`` if linked to this user; None otherwise (the view answers 404)."""
    return next((lp for lp in linked_persons(user) if lp.person.pk == pk), None)


@dataclass
class PersonFile:
    certificates: list[Certificate]
    employment: list[EmploymentRecord]
    services: list[ServiceRecord]
    corrections: list[CorrectionRequest]


def person_file(person: Person) -> PersonFile:
    """The child records shown to the person, read in the person's own district only."""
    with district_scope([person.district_id]):
        return PersonFile(
            certificates=list(Certificate.objects.filter(person=person)),
            employment=list(EmploymentRecord.objects.filter(person=person)),
            services=list(ServiceRecord.objects.filter(person=person)),
            corrections=list(CorrectionRequest.objects.filter(person=person)),
        )


@dataclass(frozen=True)
class AccessEntry:
    at: datetime
    unit: str
    role: str
    action: str
    purpose: str


def _role_label(value: str) -> str:
    try:
        return str(Role(value).label)
    except ValueError:
        return value or "系统"


def access_log(person: Person, *, exclude_user_ids: list[int] | None = None, limit: int = 200) -> list[AccessEntry]:
    """Who accessed this person's record: one line per audited read, export, unmasking or change of the
    person row — directly, or as one of the persons of a search result or an export — newest first.  The actor is shown by unit and role, not by personal account name.
    Entries by the person's own portal accounts (``exclude_user_ids``) are left out."""
    qs = audit.access_entries("people.person", person.pk).filter(action__in=ACCESS_ACTIONS)
    if exclude_user_ids:
        qs = qs.exclude(actor_id__in=exclude_user_ids)
    out = []
    for entry in qs.select_related("actor__organisation").order_by("-seq")[:limit]:
        org = getattr(entry.actor, "organisation", None) if entry.actor_id else None
        out.append(
            AccessEntry(
                at=entry.at,
                unit=org.name if org is not None else ("系统" if not entry.actor_id else "—"),
                role=_role_label(entry.role),
                action=str(AuditAction(entry.action).label),
                purpose=entry.purpose,
            )
        )
    return out


def portal_user_ids(person: Person) -> list[int]:
    return list(PortalLink.objects.filter(person_id=person.pk).values_list("user_id", flat=True))


def list_corrections() -> QuerySet[CorrectionRequest]:
    """Correction requests inside the current (officer's) district scope."""
    return CorrectionRequest.objects.select_related("person", "district", "requested_by", "handled_by")
