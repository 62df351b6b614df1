"""Public interface of `ablework.jobs`: the only module other apps import (with `enums.py`).

Used by the portal (public job search, directories, fairs; the person's and the employer's
self-service) and by reports.  Public reads are city-wide on purpose: open postings, published fairs
and published directory entries are public information, not personal data.

For reports (counts only, city-wide; the caller scopes the result): ``posting_year_counts(year)`` per
workplace district, ``matching_year_counts(year)`` (applications, referrals, hires, 3/6/12-month
retention of the year's hires) per district and street of the person.
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
    "matching_year_counts",
    "open_postings",
    "posting_year_counts",
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


# --- figures for monitoring (reports): set-based, city-wide; the caller scopes the result -------------


def posting_year_counts(year: int) -> list[dict[str, Any]]:
    """Postings published in ``year`` (``valid_from`` in the year, not drafts) per **workplace** district
    (one query).  Keys: district_id, postings, headcount, reserved (reserved or targeted posts)."""
    from django.db.models import Count, Sum

    from ablework.jobs.enums import PostingSource, PostingStatus

    with unscoped():
        rows = (
            Posting.objects.filter(valid_from__year=year)
            .exclude(status=PostingStatus.DRAFT)
            .values("district_id")
            .annotate(
                postings=Count("id"),
                headcount=Sum("headcount"),
                reserved=Count("id", filter=~Q(source=PostingSource.ORDINARY)),
            )
            .order_by()
        )
        return [dict(r, headcount=r["headcount"] or 0) for r in rows]


def matching_year_counts(year: int, on: date | None = None) -> list[dict[str, Any]]:
    """Job matching of ``year`` per district and street **of the person** (two queries).  Keys:
    district_id, street_id, applications (the person applied) and referrals (an officer referred) created
    in the year, hires (``hired_on`` in the year), and for every follow-up month m of the hires of the
    year (3/6/12, parameter ``job_retention``): ``ret{m}_due`` (due by ``on``, default today),
    ``ret{m}_done`` (recorded), ``ret{m}_kept`` (still in post)."""
    from django.db.models import Count, F

    from ablework.jobs.enums import ApplicationStatus, Channel, RetentionResult
    from ablework.jobs.models import RetentionCheck

    on = on or timezone.localdate()
    out: dict[tuple[int, int | None], dict[str, Any]] = {}

    def row(district_id: int, street_id: int | None) -> dict[str, Any]:
        return out.setdefault(
            (district_id, street_id),
            {"district_id": district_id, "street_id": street_id, "applications": 0, "referrals": 0, "hires": 0},
        )

    created = Q(created_at__year=year)
    hired = Q(status=ApplicationStatus.HIRED, hired_on__year=year)
    with unscoped():
        for r in (
            Application.objects.filter(created | hired)
            .values("district_id", street_id=F("person__street_id"))
            .annotate(
                applications=Count("id", filter=created & Q(channel=Channel.APPLIED)),
                referrals=Count("id", filter=created & Q(channel=Channel.REFERRED)),
                hires=Count("id", filter=hired),
            )
            .order_by()
        ):
            row(r["district_id"], r["street_id"]).update(
                applications=r["applications"], referrals=r["referrals"], hires=r["hires"]
            )
        for r in (
            RetentionCheck.objects.filter(application__status=ApplicationStatus.HIRED, application__hired_on__year=year)
            .values("district_id", "months", street_id=F("application__person__street_id"))
            .annotate(
                due=Count("id", filter=Q(due_on__lte=on)),
                done=Count("id", filter=Q(checked_on__isnull=False)),
                kept=Count("id", filter=Q(checked_on__isnull=False, result=RetentionResult.IN_POST)),
            )
            .order_by()
        ):
            m = r["months"]
            row(r["district_id"], r["street_id"]).update(
                {f"ret{m}_due": r["due"], f"ret{m}_done": r["done"], f"ret{m}_kept": r["kept"]}
            )
    return list(out.values())
