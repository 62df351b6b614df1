"""Reads for 就业困难人员认定 and 公益性岗位 placements (views, exports, the person page).

Every queryset goes through the district-scoped managers: inside a request only the user's districts
are seen.  Nothing here writes; the review chain is created by ``actions.difficulty``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from ablework.core import workflow
from ablework.core.listing import ListSpec
from ablework.core.models import TransitionLog
from ablework.core.workflow import ChainProgress
from ablework.people.actions.difficulty import (
    DIFFICULTY_FLOW,
    OPEN_STATES,
    USER_TRANSITIONS,
    SubsidyTotal,
    subsidy_total,
)
from ablework.people.enums import DifficultyStatus
from ablework.people.models import DifficultyCertification, Person, PublicWelfarePlacement

APPLY_ROLES = frozenset({"district_officer", "street_worker"})
PLACE_ROLES = frozenset({"city_admin", "district_officer"})


def list_certifications() -> QuerySet[DifficultyCertification]:
    """Certifications with the person, district and the time of the latest submission (``submitted_at``)."""
    last_submit = TransitionLog.objects.filter(
        object_type=DifficultyCertification._meta.label_lower,
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
        transition="submit",
    ).order_by("-at", "-id")
    return DifficultyCertification.objects.select_related(
        "person", "district", "person__street", "person__district"
    ).annotate(submitted_at=Subquery(last_submit.values("at")[:1]))


def get_certification(pk: int) -> DifficultyCertification | None:
    """The certification inside the current district scope, or None (missing and out of scope alike)."""
    return list_certifications().filter(pk=pk).first()


def _status(qs: QuerySet[Any], v: str) -> QuerySet[Any]:
    return qs if v == "all" else qs.filter(status=v)


def _name(qs: QuerySet[Any], v: str) -> QuerySet[Any]:
    return qs.filter(Q(person__name__startswith=v) | Q(person__name_pinyin__startswith=v.lower())
                     | Q(person__name_initials__startswith=v.lower()))  # fmt: skip


def _expiring(qs: QuerySet[Any], v: str) -> QuerySet[Any]:
    if not v.isdigit():
        return qs.none()
    return qs.filter(valid_until__lte=timezone.localdate() + timedelta(days=int(v)))


# The review list: default "awaiting review", oldest submission first (the most urgent on top).
QUEUE_LIST = ListSpec(
    filters={
        "status": _status,
        "q": _name,
        "district": lambda qs, v: qs.filter(district__code=v),
    },
    sorts={
        "submitted": ("提交时间", "submitted_at"),
        "applied": ("申请日期", "applied_on"),
        "name": ("姓名", "person__name"),
    },
    default_sort="submitted",
)

CERTIFIED_LIST = ListSpec(
    filters={
        "q": _name,
        "district": lambda qs, v: qs.filter(district__code=v),
        "expiring": _expiring,
    },
    sorts={
        "until": ("有效期至", "valid_until"),
        "from": ("认定日期", "valid_from"),
        "name": ("姓名", "person__name"),
    },
    default_sort="until",
)


def list_certified() -> QuerySet[DifficultyCertification]:
    return list_certifications().filter(status=DifficultyStatus.APPROVED)


@dataclass
class QueueRow:
    cert: DifficultyCertification
    progress: ChainProgress | None

    @property
    def due(self) -> date | None:
        return self.progress.due if self.progress else None

    @property
    def overdue(self) -> bool:
        return bool(self.progress and self.progress.overdue)


def queue_rows(certs: Any) -> list[QueueRow]:
    """Rows of a page with their review stage, due date and overdue flag (from ``chain_progress``)."""
    return [QueueRow(c, workflow.chain_progress(c) if c.status == DifficultyStatus.SUBMITTED else None) for c in certs]


def user_transitions(cert: DifficultyCertification, user: Any) -> list[workflow.Transition]:
    """The buttons ``user`` may press on ``cert`` now (system transitions left out)."""
    return [t for t in workflow.available_transitions(cert, user) if t.name in USER_TRANSITIONS]


def certification_history(cert: DifficultyCertification) -> list[TransitionLog]:
    return DIFFICULTY_FLOW.history(cert)


# -- placements -------------------------------------------------------------------------------------


@dataclass
class PlacementRow:
    placement: PublicWelfarePlacement
    subsidy: SubsidyTotal

    @property
    def current(self) -> bool:
        today = timezone.localdate()
        return self.placement.start_date <= today <= self.placement.end_date


def placement_rows(placements: Any) -> list[PlacementRow]:
    return [PlacementRow(p, subsidy_total(p)) for p in placements]


def list_placements() -> QuerySet[PublicWelfarePlacement]:
    return PublicWelfarePlacement.objects.select_related("person", "district", "employment_record")


def get_placement(pk: int) -> PublicWelfarePlacement | None:
    return list_placements().filter(pk=pk).first()


def _placement_state(qs: QuerySet[Any], v: str) -> QuerySet[Any]:
    today = timezone.localdate()
    if v == "current":
        return qs.filter(start_date__lte=today, end_date__gte=today)
    if v == "ended":
        return qs.filter(end_date__lt=today)
    return qs


PLACEMENT_LIST = ListSpec(
    filters={
        "q": lambda qs, v: qs.filter(Q(person__name__startswith=v) | Q(post__contains=v) | Q(unit__contains=v)),
        "state": _placement_state,
        "district": lambda qs, v: qs.filter(district__code=v),
    },
    sorts={
        "start": ("开始日期", "start_date"),
        "end": ("结束日期", "end_date"),
        "name": ("姓名", "person__name"),
    },
    default_sort="-start",
)


# -- the person page --------------------------------------------------------------------------------


@dataclass
class DifficultySummary:
    """What ``people/difficulty/person_section.html`` shows for one person."""

    current: DifficultyCertification | None  # the open application or certification (draft/submitted/approved)
    certifications: list[DifficultyCertification]  # all, newest first
    placements: list[PlacementRow] = field(default_factory=list)  # newest first
    can_apply: bool = False  # the user may apply (or resubmit a returned application)
    can_place: bool = False  # the user may record a placement

    @property
    def certified(self) -> bool:
        return self.current is not None and self.current.status == DifficultyStatus.APPROVED


def difficulty_summary(person: Person, *, user: Any = None) -> DifficultySummary:
    """The person-page section's data; put it in the context as ``difficulty_summary``.  With
    ``user``, it says whether that user may apply or record a placement (the links are shown)."""
    certs = list(DifficultyCertification.objects.filter(person=person).order_by("-applied_on", "-id"))
    current = next((c for c in certs if c.status in OPEN_STATES), None)
    role = getattr(user, "role", None)
    placements = placement_rows(PublicWelfarePlacement.objects.filter(person=person).order_by("-start_date", "-id"))
    return DifficultySummary(
        current=current,
        certifications=certs,
        placements=placements,
        can_apply=role in APPLY_ROLES and (current is None or current.status == DifficultyStatus.DRAFT),
        can_place=role in PLACE_ROLES,
    )
