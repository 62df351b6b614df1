"""Reads of the credit events (§13) for the pages and for the data-exchange issue (through ``api``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from ablework.core.listing import ListSpec
from ablework.core.models import TransitionLog
from ablework.core.scoping import unscoped
from ablework.quota.credit import CREDIT_FLOW, levy_owed, outstanding, paid_total, push_maker_refusal
from ablework.quota.enums import CreditEventKind, CreditEventState, CreditPushOperation, CreditSeverity
from ablework.quota.models import CreditEvent, LevyPayment

__all__ = [
    "CREDIT_LIST",
    "CreditView",
    "credit_payload",
    "credit_view",
    "events_of_employer",
    "list_credit_events",
    "ready_to_push",
]


def list_credit_events() -> QuerySet[CreditEvent]:
    """Events in the current district scope."""
    return CreditEvent.objects.select_related("employer__district", "created_by")


def events_of_employer(employer: Any) -> list[CreditEvent]:
    """The unit's own events, from the pre-notice on (a detected event is not told before the notice)."""
    with unscoped():
        return list(
            CreditEvent.objects.select_related("employer__district")
            .filter(employer_id=employer.pk, notice_sent_at__isnull=False)
            .order_by("-data_year", "-id")
        )


def _search(qs: QuerySet[CreditEvent], value: str) -> QuerySet[CreditEvent]:
    return qs.filter(Q(employer__name__icontains=value) | Q(employer__uscc__iexact=value.strip().upper()))


def _choice(name: str, allowed: list[str]) -> Any:
    def fn(qs: QuerySet[CreditEvent], value: str) -> QuerySet[CreditEvent]:
        return qs.filter(**{name: value}) if value in allowed else qs

    return fn


CREDIT_LIST = ListSpec(
    filters={
        "q": _search,
        "year": lambda qs, v: qs.filter(data_year=int(v)) if v.isdigit() else qs,
        "status": _choice("status", list(CreditEventState.values)),
        "kind": _choice("kind", list(CreditEventKind.values)),
        "severity": _choice("severity", list(CreditSeverity.values)),
        "district": lambda qs, v: qs.filter(employer__district__code=v),
    },
    sorts={
        "employer": ("单位", "employer__name"),
        "year": ("数据年度", "data_year"),
        "detected": ("发现时间", "detected_at"),
        "amount": ("欠缴金额", "amount_owed"),
    },
    default_sort="-detected",
)


@dataclass
class CreditView:
    event: CreditEvent
    history: list[TransitionLog]
    payments: list[LevyPayment]
    paid: Decimal
    levy_due: Decimal | None
    outstanding: Decimal | None
    transitions: list[Any]  # the workflow transitions the user may perform now
    maker_reason: str  # why the push decision is refused to this user (maker-checker), or ""
    stage_id: int | None


def credit_view(event: CreditEvent, user: Any) -> CreditView:
    with unscoped():
        payments = list(
            LevyPayment.objects.filter(employer_id=event.employer_id, data_year=event.data_year)
            .select_related("recorded_by")
            .order_by("paid_on", "id")
        )
    transitions = CREDIT_FLOW.available_transitions(event, user)
    maker_reason = ""
    if event.status == CreditEventState.REVIEW:
        maker_reason = push_maker_refusal(event, user) or ""
        if maker_reason:
            transitions = [t for t in transitions if t.name not in ("approve_push", "return_push")]
    progress = CREDIT_FLOW.progress(event) if event.status == CreditEventState.REVIEW else None
    return CreditView(
        event=event,
        history=CREDIT_FLOW.history(event),
        payments=payments,
        paid=paid_total(event.employer_id, event.data_year),
        levy_due=levy_owed(event.employer_id, event.data_year),
        outstanding=outstanding(event),
        transitions=transitions,
        maker_reason=maker_reason,
        stage_id=progress.current.pk if progress and progress.current else None,
    )


def _issuer(event: CreditEvent) -> str:
    return f"天津市{event.employer.district.name}残疾人联合会"


def credit_payload(event: CreditEvent) -> dict[str, Any]:
    """What the credit platform receives for ``event`` (policy-rules R13, payload (b)): unit code and
    name, event type and code, year, severity, amount owed, decision number and date, issuing agency,
    and — for a withdrawal — the date the record was cleared.  Unit data only."""
    withdrawal = event.status == CreditEventState.WITHDRAWAL_PENDING
    decided = event.queued_at or event.notice_sent_at
    return {
        "id": event.pk,
        "operation": str(CreditPushOperation.WITHDRAW if withdrawal else CreditPushOperation.ADD),
        "uscc": event.employer.uscc,
        "unit_name": event.employer.name,
        "event_type": event.kind,
        "event_type_label": str(event.get_kind_display()),
        "platform_code": event.platform_code,
        "severity": event.severity,
        "data_year": event.data_year,
        "amount_owed": str(event.amount_owed) if event.amount_owed is not None else None,
        "decision_number": event.decision_number,
        "decision_date": decided.date().isoformat() if decided else None,
        "notice_date": event.notice_sent_at.date().isoformat() if event.notice_sent_at else None,
        "issuing_agency": _issuer(event),
        "cleared_on": event.withdrawn_at.date().isoformat() if withdrawal and event.withdrawn_at else None,
        "pushed_ref": event.push_ref,
    }


def ready_to_push() -> list[dict[str, Any]]:
    """Every record waiting for the credit platform, city-wide, oldest first: new records (待推送) and
    withdrawal records of pushed events (撤销待推送)."""
    with unscoped():
        rows = (
            CreditEvent.objects.select_related("employer__district")
            .filter(status__in=[CreditEventState.PENDING_PUSH, CreditEventState.WITHDRAWAL_PENDING])
            .order_by("queued_at", "id")
        )
        return [credit_payload(e) for e in rows]
