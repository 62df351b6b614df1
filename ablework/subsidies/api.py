"""Public interface of `ablework.subsidies`: the only module other apps import (with `enums.py`).

- ``payments_for(person=None, employer=None)``: programme payments of a person (as the person paid or
  the person a unit was paid for) or of an employer, newest first, as plain dicts (partner API).
- ``programme_totals(year, district_ids)``: per programme of the year: applications, approved, paid,
  budget, committed and paid amounts (dashboards).  ``district_ids`` None = the whole city; the
  budget is city-wide and is reported as such.
- ``open_notices()`` / ``notice_entries(notice)``: the public notices (公示) for the portal, names masked.
- ``file_objection(...)``: an objection from the portal.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from ablework.core.scoping import unscoped
from ablework.subsidies import actions
from ablework.subsidies.enums import ApplicationStatus, PaymentStatus
from ablework.subsidies.models import Application, Notice, PaymentItem, Programme

__all__ = ["file_objection", "notice_entries", "open_notices", "payments_for", "programme_totals"]

SubsidyError = actions.SubsidyError


def payments_for(person: Any = None, employer: Any = None) -> list[dict[str, Any]]:
    if person is None and employer is None:
        raise ValueError("payments_for needs a person or an employer")
    with unscoped():
        qs = PaymentItem.objects.select_related("programme", "batch", "application")
        if person is not None:
            qs = qs.filter(application__person_id=person.pk)
        if employer is not None:
            qs = qs.filter(application__employer_id=employer.pk)
        return [
            {
                "programme": i.programme.kind,
                "programme_name": i.programme.name,
                "year": i.programme.year,
                "period": i.period,
                "amount": str(i.amount),
                "status": i.status,
                "paid_on": i.paid_on.isoformat() if i.paid_on else None,
                "batch": i.batch.reference,
            }
            for i in qs.order_by("-batch__created_at", "-pk")
        ]


def programme_totals(year: int, district_ids: list[int] | None = None) -> list[dict[str, Any]]:
    out = []
    with unscoped():
        for prog in Programme.objects.filter(year=year).order_by("kind"):
            apps = Application.objects.filter(programme=prog)
            items = PaymentItem.objects.filter(programme=prog, status=PaymentStatus.PAID)
            if district_ids is not None:
                apps = apps.filter(district_id__in=district_ids)
                items = items.filter(application__district_id__in=district_ids)
            agg = apps.aggregate(
                applications=Count("pk", filter=~Q(status=ApplicationStatus.DRAFT)),
                approved=Count("pk", filter=Q(status=ApplicationStatus.APPROVED)),
                committed=Sum("approved_amount", filter=Q(status=ApplicationStatus.APPROVED)),
            )
            paid = items.aggregate(n=Count("application_id", distinct=True), t=Sum("amount"))
            out.append(
                {
                    "code": prog.kind,
                    "name": prog.name,
                    "applications": agg["applications"],
                    "approved": agg["approved"],
                    "paid": paid["n"],
                    "budget": prog.budget,
                    "committed": agg["committed"] or 0,
                    "paid_amount": paid["t"] or 0,
                }
            )
    return out


def open_notices() -> list[Notice]:
    today = timezone.localdate()
    return list(Notice.objects.filter(ends_on__gte=today, starts_on__lte=today).select_related("programme"))


def mask_name(name: str) -> str:
    """张三 → 张*; 欧阳娜娜 → 欧***; unit and institution names are shown in full."""
    return name[0] + "*" * (len(name) - 1) if len(name) <= 4 else name


def notice_entries(notice: Notice) -> list[dict[str, Any]]:
    with unscoped():
        apps = notice.applications.filter(status=ApplicationStatus.APPROVED).select_related("district", "person")
        return [
            {
                "id": a.pk,
                "name": mask_name(a.beneficiary_name) if a.programme.applicant_kind == "person" else a.beneficiary_name,
                "person": mask_name(a.person.name)
                if a.person is not None and a.programme.applicant_kind != "person"
                else "",
                "district": a.district.name,
                "amount": a.approved_amount,
            }
            for a in apps.order_by("district__code", "pk")
        ]


def file_objection(notice: Notice, application_id: int, *, raised_by: str, contact: str, text: str) -> Any:
    with unscoped():
        app = notice.applications.filter(pk=application_id).first()
        if app is None:
            raise actions.SubsidyError("公示名单中没有该条目")
        return actions.file_objection(app, raised_by=raised_by, contact=contact, text=text)
