"""Public interface of `ablework.jobs`: the only module other apps import (with `enums.py`).

Used by the portal (public job search, directories, fairs; the person's and the employer's
self-service) and by reports.  Public reads are city-wide on purpose: open postings, published fairs
and published directory entries are public information, not personal data.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from ablework.core.scoping import unscoped
from ablework.jobs import access, actions, queries
from ablework.jobs.actions import JobsError, apply_to_posting, set_application_status, set_matching_consent
from ablework.jobs.enums import ACCESSIBILITY, ACCOMMODATIONS, CATEGORIES, OCCUPATIONS, WORK_TIMES
from ablework.jobs.models import Application, DirectoryEntry, Fair, Posting
from ablework.jobs.queries import CandidateMatch, PostingMatch, consent_of, matches_for_person

__all__ = [
    "ACCESSIBILITY",
    "ACCOMMODATIONS",
    "CATEGORIES",
    "OCCUPATIONS",
    "WORK_TIMES",
    "CandidateMatch",
    "JobsError",
    "PostingMatch",
    "applications_of_employer",
    "applications_of_persons",
    "apply_to_posting",
    "consent_of",
    "employer_postings",
    "get_open_posting",
    "matches_for_person",
    "open_postings",
    "public_directory",
    "public_fairs",
    "search_open_postings",
    "set_application_status",
    "set_matching_consent",
    "withdraw_application",
]


def open_postings(on: date | None = None) -> QuerySet[Posting]:
    """Open postings within their validity, every district (the public job search)."""
    return queries.open_postings_unscoped(on)


def search_open_postings(params: Any) -> QuerySet[Posting]:
    """The public search: ``q``, ``district``, ``occupation``, ``work_time``, ``access`` (an accessibility
    code), ``accommodation``, ``reserved`` ("1") and ``fair`` from a GET mapping."""
    qs = open_postings()
    with unscoped():
        for name, fn in queries.POSTING_LIST.filters.items():
            if name == "status":
                continue
            raw = (params.get(name) or "").strip()
            if raw:
                qs = fn(qs, raw)
        return qs.order_by("-valid_from", "-id")


def get_open_posting(pk: int) -> Posting | None:
    with unscoped():
        return open_postings().filter(pk=pk).first()


def public_fairs(on: date | None = None) -> list[Fair]:
    """Published fairs that have not ended, soonest first."""
    on = on or timezone.localdate()
    with unscoped():
        return list(
            Fair.objects.select_related("district").filter(published=True, ends_on__gte=on).order_by("starts_on", "id")
        )


def public_directory(*, kind: str = "", district: str = "", q: str = "") -> QuerySet[DirectoryEntry]:
    with unscoped():
        qs = DirectoryEntry.objects.select_related("district").filter(published=True)
        if kind:
            qs = qs.filter(kind=kind)
        if district:
            qs = qs.filter(district__code=district)
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q) | Q(services__icontains=q))
        return qs.order_by("kind", "district__sort_order", "name", "id")


def applications_of_persons(person_ids: list[int]) -> list[Application]:
    """The applications and referrals of these persons (the portal passes the persons linked to the user)."""
    with unscoped():
        return list(
            Application.objects.select_related("posting", "posting__employer", "posting__district", "person")
            .filter(person_id__in=person_ids)
            .order_by("-created_at", "-id")
        )


def withdraw_application(user: Any, pk: int) -> Application:
    """A portal user withdraws an application of a person linked to them (404 for anything else)."""
    app = access.access_application(user, pk)
    actions.set_application_status(app, "withdraw", actor=user)
    return app


def employer_postings(employer: Any) -> list[Posting]:
    with unscoped():
        return list(Posting.objects.select_related("district").filter(employer=employer).order_by("-valid_from", "-id"))


def applications_of_employer(employer: Any) -> list[Application]:
    with unscoped():
        return list(
            Application.objects.select_related("posting", "person", "district")
            .filter(posting__employer=employer)
            .order_by("-created_at", "-id")
        )
