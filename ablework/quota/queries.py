"""Reads of the annual review for views, the notice and other apps (through ``api``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from ablework.core.listing import ListSpec
from ablework.core.models import TransitionLog
from ablework.core.scoping import unscoped
from ablework.quota.actions import DECLARATION_FLOW, maker_refusal
from ablework.quota.enums import CampaignStatus, ConflictState, DeclarationStatus
from ablework.quota.models import (
    Campaign,
    CountConflict,
    Declaration,
    DeclaredEmployee,
    DispatchFiling,
    LevyResult,
    Upload,
)


def open_campaign() -> Campaign | None:
    """The campaign units declare in now: the latest open one."""
    return Campaign.objects.filter(status=CampaignStatus.OPEN).order_by("-data_year").first()


def list_campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.all()


def declaration_for(employer: Any, campaign: Campaign) -> Declaration | None:
    with unscoped():
        return (
            Declaration.objects.select_related("campaign", "employer__district")
            .filter(employer_id=employer.pk, campaign=campaign)
            .first()
        )


def declarations_of_employer(employer: Any) -> list[Declaration]:
    with unscoped():
        return list(
            Declaration.objects.select_related("campaign", "employer")
            .filter(employer_id=employer.pk)
            .order_by("-campaign__data_year")
        )


def _open_conflict_exists() -> Exists:
    return Exists(
        CountConflict._base_manager.filter(
            Q(declaration_a=OuterRef("pk")) | Q(declaration_b=OuterRef("pk")), state=ConflictState.OPEN
        )
    )


def list_declarations() -> QuerySet[Declaration]:
    """Declarations in the current scope, with ``has_conflict`` (an open conflict) annotated."""
    return Declaration.objects.select_related("employer__district", "campaign").annotate(
        has_conflict=_open_conflict_exists()
    )


def _search(qs: QuerySet[Declaration], value: str) -> QuerySet[Declaration]:
    return qs.filter(Q(employer__name__icontains=value) | Q(employer__uscc__iexact=value.strip().upper()))


def _choice(name: str, allowed: list[str]) -> Any:
    def fn(qs: QuerySet[Declaration], value: str) -> QuerySet[Declaration]:
        return qs.filter(**{name: value}) if value in allowed else qs

    return fn


def _year(qs: QuerySet[Declaration], value: str) -> QuerySet[Declaration]:
    return qs.filter(campaign__data_year=int(value)) if value.isdigit() else qs


def _flag(name: str) -> Any:
    def fn(qs: QuerySet[Declaration], value: str) -> QuerySet[Declaration]:
        return qs.filter(**{name: value == "1"}) if value in ("0", "1") else qs

    return fn


DECLARATION_LIST = ListSpec(
    filters={
        "q": _search,
        "year": _year,
        "status": _choice("status", list(DeclarationStatus.values)),
        "district": lambda qs, v: qs.filter(employer__district__code=v),
        "late": _flag("late"),
        "conflict": _flag("has_conflict"),
    },
    sorts={
        "employer": ("单位", "employer__name"),
        "submitted": ("提交时间", "submitted_at"),
        "staff": ("在职职工人数", "staff_count"),
        "year": ("数据年度", "campaign__data_year"),
    },
    default_sort="-submitted",
)


@dataclass
class DeclarationView:
    """What the detail page shows."""

    declaration: Declaration
    employees: list[DeclaredEmployee]
    filings: list[DispatchFiling]
    uploads: list[Upload]
    conflicts: list[CountConflict]
    levy: LevyResult | None
    history: list[TransitionLog]


def declaration_view(decl: Declaration) -> DeclarationView:
    with unscoped():
        employees = list(DeclaredEmployee.objects.filter(declaration=decl).select_related("reviewed_by").order_by("id"))
        filings = list(DispatchFiling.objects.filter(declaration=decl).order_by("id"))
        uploads = list(Upload.objects.filter(declaration=decl).select_related("uploaded_by"))
        conflicts = list(
            CountConflict.objects.filter(Q(declaration_a=decl) | Q(declaration_b=decl))
            .select_related("declaration_a__employer", "declaration_b__employer", "decided_by")
            .order_by("state", "-detected_at")
        )
        levy = LevyResult.objects.filter(declaration=decl).first()
    open_hashes = {c.id_hash for c in conflicts if c.state == ConflictState.OPEN}
    for e in employees:
        e.in_conflict = e.id_hash in open_hashes  # type: ignore[attr-defined]
    for c in conflicts:
        c.other = c.other_side(decl)  # type: ignore[attr-defined]
    return DeclarationView(decl, employees, filings, uploads, conflicts, levy, DECLARATION_FLOW.history(decl))


def review_transitions(decl: Declaration, user: Any) -> tuple[list[Any], str]:
    """(the review buttons ``user`` may press, why not when none: the maker rule)."""
    transitions = [t for t in DECLARATION_FLOW.available_transitions(decl, user) if t.name in ("certify", "return")]
    if not transitions:
        return [], ""
    reason = maker_refusal(decl, user)
    if reason:
        return [], reason
    return transitions, ""


def current_stage_id(decl: Declaration) -> int | None:
    """The stage awaiting a decision (the chain exists once anything was submitted)."""
    if decl.status != DeclarationStatus.SUBMITTED:
        return None
    progress = DECLARATION_FLOW.progress(decl)
    return progress.current.pk if progress and progress.current else None


def conflict_sides(conflict: CountConflict) -> tuple[list[DeclaredEmployee], list[DispatchFiling]]:
    """The rows of both declarations about the conflict's person (for the decision page)."""
    with unscoped():
        rows = list(
            DeclaredEmployee.objects.filter(
                declaration_id__in=[conflict.declaration_a_id, conflict.declaration_b_id], id_hash=conflict.id_hash
            ).select_related("declaration__employer")
        )
        filings = list(
            DispatchFiling.objects.filter(
                declaration__campaign__data_year=conflict.data_year, id_hash=conflict.id_hash
            ).select_related("declaration__employer")
        )
    return rows, filings
