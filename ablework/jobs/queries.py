"""Reads of ablework.jobs for views and the portal: lists with their filters, and the Django side of
matching (profiles from ``people.api.job_profiles``, postings, weights from the parameter
``job_matching``) handed to the pure ``rules``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from ablework.core.listing import ListSpec
from ablework.core.models import District
from ablework.core.policy import get_param
from ablework.core.scoping import unscoped
from ablework.jobs import rules
from ablework.jobs.actions import retention_months
from ablework.jobs.enums import (
    ACCESSIBILITY,
    ACCOMMODATIONS,
    CATEGORIES,
    OCCUPATIONS,
    WORK_TIMES,
    ConsentStatus,
    PostingSource,
    PostingStatus,
)
from ablework.jobs.models import Application, MatchingConsent, Posting, RetentionCheck
from ablework.people import api as people_api

LABELS: dict[str, str] = {**dict(OCCUPATIONS), **dict(ACCOMMODATIONS), **dict(ACCESSIBILITY), **dict(WORK_TIMES)}


def labels() -> dict[str, str]:
    out = dict(LABELS)
    out.update(dict(District.objects.values_list("code", "name")))
    return out


def weights(on: date | None = None) -> rules.Weights:
    value = get_param("job_matching", on=on or timezone.localdate(), default=None).value
    return rules.Weights.from_value(value if isinstance(value, dict) else None)


# -- lists ------------------------------------------------------------------------------------------


def _q_text(qs: QuerySet[Any], v: str) -> QuerySet[Any]:
    return qs.filter(Q(title__icontains=v) | Q(employer__name__icontains=v) | Q(requirements__icontains=v))


def _contains(field: str) -> Any:
    """Filter a JSON list field by one code (portable: the list is stored as JSON text on SQLite)."""

    def fn(qs: QuerySet[Any], v: str) -> QuerySet[Any]:
        ids = [
            pk for pk, values in qs.values_list("pk", field) if v in (values or []) or str(v) in map(str, values or [])
        ]
        return qs.filter(pk__in=ids)

    return fn


POSTING_LIST = ListSpec(
    filters={
        "q": _q_text,
        "district": lambda qs, v: qs.filter(district__code=v),
        "occupation": lambda qs, v: qs.filter(occupation=v),
        "work_time": lambda qs, v: qs.filter(work_time=v),
        "source": lambda qs, v: qs.filter(source=v),
        "status": lambda qs, v: qs.filter(status=v),
        "fair": lambda qs, v: qs.filter(fair_id=v) if v.isdigit() else qs.none(),
        "access": _contains("accessibility"),
        "accommodation": _contains("accommodations"),
        "reserved": lambda qs, v: qs.exclude(source=PostingSource.ORDINARY) if v == "1" else qs,
    },
    sorts={
        "valid_from": ("发布日期", "valid_from"),
        "valid_until": ("截止日期", "valid_until"),
        "wage": ("工资上限", "wage_max"),
        "title": ("岗位名称", "title"),
    },
    default_sort="-valid_from",
    page_size=20,
)

APPLICATION_LIST = ListSpec(
    filters={
        "status": lambda qs, v: qs.filter(status=v),
        "channel": lambda qs, v: qs.filter(channel=v),
        "district": lambda qs, v: qs.filter(district__code=v),
        "q": lambda qs, v: qs.filter(Q(person__name__icontains=v) | Q(posting__title__icontains=v)),
    },
    sorts={"created": ("日期", "created_at"), "status": ("状态", "status")},
    default_sort="-created",
)


def list_postings() -> QuerySet[Posting]:
    return Posting.objects.select_related("employer", "district", "fair")


def open_postings_unscoped(on: date | None = None) -> QuerySet[Posting]:
    """Open postings within their validity, every district (public data: the portal's job search)."""
    on = on or timezone.localdate()
    with unscoped():
        return Posting.objects.select_related("employer", "district", "fair").filter(
            status=PostingStatus.OPEN, valid_from__lte=on, valid_until__gte=on
        )


def list_applications() -> QuerySet[Application]:
    return Application.objects.select_related("posting", "posting__employer", "person", "district")


def due_retention_checks(on: date | None = None) -> QuerySet[RetentionCheck]:
    """Checks not done yet that are due by ``on`` + the reminder window (oldest first), of hires
    still counted as hired.  Scoped by the person's district."""
    on = on or timezone.localdate()
    _months, window = retention_months(on)
    return (
        RetentionCheck.objects.filter(checked_on__isnull=True, due_on__lte=on + timedelta(days=window))
        .filter(application__status="hired")
        .select_related("application", "application__person", "application__posting", "application__posting__employer")
        .order_by("due_on", "id")
    )


# -- matching ---------------------------------------------------------------------------------------


def seeker_of(p: people_api.JobProfile) -> rules.Seeker:
    abilities = dict(p.abilities)
    return rules.Seeker(
        person_id=p.person_id,
        district_code=p.district_code,
        desired_jobs=frozenset(p.desired_jobs),
        suitable_jobs=frozenset(p.suitable_jobs),
        work_time=p.work_time,
        areas=frozenset(p.areas),
        needs=frozenset(p.accommodations),
        mobility=abilities.get("mobility"),
        category=p.category,
        expected_wage=rules.parse_wage(p.expected_wage),
    )


def facts_of(p: Posting) -> rules.PostingFacts:
    return rules.PostingFacts(
        posting_id=p.pk,
        occupation=p.occupation,
        district_code=p.district.code,
        work_time=p.work_time,
        accessibility=frozenset(p.accessibility or ()),
        accommodations=frozenset(p.accommodations or ()),
        categories=frozenset(int(c) for c in p.categories or ()),
        wage_max=Decimal(p.wage_max) if p.wage_max is not None else None,
    )


def consent_of(person_id: int) -> str:
    """ "consented", "opted_out" or "" (not asked)."""
    with unscoped():
        return MatchingConsent.objects.filter(person_id=person_id).values_list("status", flat=True).first() or ""


@dataclass
class PostingMatch:
    posting: Posting
    match: rules.Match


def matches_for_person(person_id: int, *, limit: int = 10) -> tuple[people_api.JobProfile | None, list[PostingMatch]]:
    """The best open postings for a person, with the explanation.  Nothing when the person opted out."""
    profile = people_api.job_profile(person_id)
    if profile is None or consent_of(person_id) == ConsentStatus.OPTED_OUT:
        return profile, []
    postings = list(open_postings_unscoped())
    by_id = {p.pk: p for p in postings}
    ranked = rules.rank_postings(
        seeker_of(profile), [facts_of(p) for p in postings], weights(), limit=limit, labels=labels()
    )
    return profile, [PostingMatch(by_id[m.posting_id], m) for m in ranked]


@dataclass
class CandidateMatch:
    profile: people_api.JobProfile
    match: rules.Match
    consent: str


def candidates_for_posting(
    posting: Posting, *, district_ids: list[int] | None, consented_only: bool, limit: int = 20
) -> list[CandidateMatch]:
    """Ranked job seekers for a posting.  Opted-out persons never appear; ``consented_only`` (the
    employer's view) keeps only persons who agreed to be shown to employers.  ``district_ids``: the
    officer's scope (None: city-wide, for the employer view of consenting persons)."""
    with unscoped():
        consents = dict(MatchingConsent.objects.values_list("person_id", "status"))
    if consented_only:
        ids = [pid for pid, s in consents.items() if s == ConsentStatus.CONSENTED]
        profiles = people_api.job_profiles(person_ids=ids, district_ids=district_ids)
    else:
        profiles = people_api.job_profiles(district_ids=district_ids)
    profiles = [p for p in profiles if consents.get(p.person_id) != ConsentStatus.OPTED_OUT]
    by_id = {p.person_id: p for p in profiles}
    ranked = rules.rank_seekers(
        facts_of(posting), [seeker_of(p) for p in profiles], weights(), limit=limit, labels=labels()
    )
    return [CandidateMatch(by_id[m.person_id], m, consents.get(m.person_id, "")) for m in ranked]


def choice_labels() -> dict[str, Any]:
    return {
        "occupations": OCCUPATIONS,
        "work_times": WORK_TIMES,
        "accessibility": ACCESSIBILITY,
        "accommodations": ACCOMMODATIONS,
        "categories": CATEGORIES,
        "sources": PostingSource.choices,
    }
