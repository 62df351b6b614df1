"""Who may see or change a declaration of the annual review.  Deny by default; missing and forbidden
both give 404.

- Staff of the city and districts see the declarations of units registered (for tax) in their
  districts: the scoped manager filters by ``employer__district`` inside the request's scope.
- A unit's own users (``employer_user``) see and fill in their own unit's declarations only.
- District officers enter declarations on a unit's behalf (the window channel) and review them (the workflow checks the role, the submitter and the makers).
- A conflict is visible to the staff of either side's district and to both units' users.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from ablework.accounts.enums import CITY_ROLES, Role
from ablework.core.scoping import unscoped
from ablework.employers import api as employers_api
from ablework.quota.models import CountConflict, Declaration, DeclaredEmployee, DispatchFiling, Upload

LIST_ROLES = frozenset(CITY_ROLES | {Role.DISTRICT_OFFICER, Role.DISTRICT_REVIEWER})
ENTRY_ROLES = frozenset({Role.DISTRICT_OFFICER})


def _role(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    return getattr(user, "role", None)


def can_list_declarations(user: Any) -> bool:
    return _role(user) in LIST_ROLES


def can_enter_for_employer(user: Any) -> bool:
    """Create or fill in a declaration on a unit's behalf (window channel, R3.3)."""
    return _role(user) in ENTRY_ROLES


def can_manage_campaigns(user: Any) -> bool:
    return _role(user) == Role.CITY_ADMIN


def own_employer(user: Any) -> Any:
    """The unit of an employer user, or None."""
    if _role(user) != Role.EMPLOYER_USER:
        return None
    return employers_api.employer_for_user(user)


def _declarations() -> QuerySet[Declaration]:
    return Declaration.objects.select_related("employer__district", "campaign", "entered_by", "certified_by")


def access_declaration(user: Any, pk: int) -> Declaration:
    """The declaration, if the user may see it (staff of its district, or the unit's own user)."""
    decl: Declaration | None = None
    if can_list_declarations(user):
        decl = _declarations().filter(pk=pk).first()
    else:
        employer = own_employer(user)
        if employer is not None:
            with unscoped():
                decl = _declarations().filter(pk=pk, employer_id=employer.pk).first()
    if decl is None:
        raise Http404
    return decl


def can_edit(user: Any, decl: Declaration) -> bool:
    """Fill in (staff, wages, persons, filings, documents) and submit: the unit's own user, or a
    district officer of its district, while the declaration is a draft or returned.  ``decl`` was fetched
    through ``access_declaration`` for this user."""
    if not decl.editable:
        return False
    if can_enter_for_employer(user):
        return True
    employer = own_employer(user)
    return employer is not None and employer.pk == decl.employer_id


def access_declaration_for_edit(user: Any, pk: int) -> Declaration:
    decl = access_declaration(user, pk)
    if not can_edit(user, decl):
        raise Http404
    return decl


def can_review(user: Any) -> bool:
    """Roles that may hold the review stage (the workflow decides per declaration)."""
    return _role(user) == Role.DISTRICT_OFFICER


def access_employee(decl: Declaration, pk: int) -> DeclaredEmployee:
    with unscoped():
        emp = DeclaredEmployee.objects.select_related("person").filter(pk=pk, declaration=decl).first()
    if emp is None:
        raise Http404
    emp.declaration = decl
    return emp


def access_filing(decl: Declaration, pk: int) -> DispatchFiling:
    with unscoped():
        filing = DispatchFiling.objects.filter(pk=pk, declaration=decl).first()
    if filing is None:
        raise Http404
    filing.declaration = decl
    return filing


def access_upload(decl: Declaration, pk: int) -> Upload:
    with unscoped():
        up = Upload.objects.filter(pk=pk, declaration=decl).first()
    if up is None:
        raise Http404
    up.declaration = decl
    return up


def visible_conflicts(user: Any) -> QuerySet[CountConflict]:
    """Conflicts the user may see: staff through the either-side scope; a unit's user those touching
    their own unit; nobody else."""
    qs = CountConflict.objects.select_related(
        "declaration_a__employer__district", "declaration_b__employer__district", "decided_by"
    )
    if can_list_declarations(user):
        return qs.all()
    employer = own_employer(user)
    if employer is None:
        return CountConflict.objects.none()
    with unscoped():
        return CountConflict.objects.select_related(
            "declaration_a__employer__district", "declaration_b__employer__district", "decided_by"
        ).filter(Q(declaration_a__employer_id=employer.pk) | Q(declaration_b__employer_id=employer.pk))


def access_conflict(user: Any, pk: int) -> CountConflict:
    conflict = visible_conflicts(user).filter(pk=pk).first()
    if conflict is None:
        raise Http404
    return conflict
