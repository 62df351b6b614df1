"""Who may see or act on the public-sector list (§12), the disclosure (公示) and the credit events
(§13).  Deny by default; missing and forbidden both give 404.

- City and district staff (not street workers) see the §12 list and the credit events of the units
  registered in their districts (the scoped managers filter by the employer's district).
- District officers act on credit events (pre-notice, objection decisions, push proposal and
  approval, withdrawal, payments, manual registration); city administrators run the city-wide scan
  and publish the disclosure.
- A unit's own users see their unit's events from the pre-notice on, and file objections.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from ablework.accounts.enums import CITY_ROLES, Role
from ablework.core.scoping import unscoped
from ablework.quota.access import own_employer
from ablework.quota.models import CreditEvent

STAFF_ROLES = frozenset(CITY_ROLES | {Role.DISTRICT_OFFICER, Role.DISTRICT_REVIEWER})


def _role(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    return getattr(user, "role", None)


def can_view_public_sector(user: Any) -> bool:
    return _role(user) in STAFF_ROLES


def can_publish_disclosure(user: Any) -> bool:
    return _role(user) == Role.CITY_ADMIN


def can_list_credit(user: Any) -> bool:
    return _role(user) in STAFF_ROLES


def can_act_credit(user: Any) -> bool:
    return _role(user) == Role.DISTRICT_OFFICER


def can_detect_credit(user: Any) -> bool:
    return _role(user) == Role.CITY_ADMIN


def access_credit_event(user: Any, pk: int) -> CreditEvent:
    """The event, if the user may see it: staff of its district, or the unit's own user once notified."""
    event: CreditEvent | None = None
    related = ("employer__district", "created_by", "notice_sent_by", "approved_by")
    if can_list_credit(user):
        event = CreditEvent.objects.select_related(*related).filter(pk=pk).first()
    else:
        employer = own_employer(user)
        if employer is not None:
            with unscoped():  # the unit's users have no district scope: the link to the unit decides
                event = (
                    CreditEvent.objects.select_related(*related)
                    .filter(pk=pk, employer_id=employer.pk, notice_sent_at__isnull=False)
                    .first()
                )
    if event is None:
        raise Http404
    return event


def is_own_event(user: Any, event: CreditEvent) -> bool:
    employer = own_employer(user)
    return employer is not None and employer.pk == event.employer_id
