"""Who may see or change an employer.  Deny by default; missing and forbidden both give 404.

- City and district staff see the units of their district scope (the scoped manager filters them;
  a district officer sees the units whose tax registration is in their district).
- City administrators and district officers change units, contacts and accounts in their scope.
- A unit's own users (role ``employer_user``) see their own unit only and change its contacts.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from ablework.accounts.enums import Role
from ablework.core.scoping import unscoped
from ablework.employers.models import Employer, EmployerContact

EDIT_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_OFFICER})


def can_list_employers(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_staff_role", False))


def can_edit_employers(user: Any) -> bool:
    """Register units, change their fields, accounts and status, import them."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "role", None) in EDIT_ROLES)


def is_employer_user(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "role", None) == Role.EMPLOYER_USER
    )


def own_employer(user: Any) -> Employer | None:
    """The unit an employer user belongs to: ``Organisation(kind="employer").external_ref`` is its id.
    Unscoped on purpose: employer users have no district scope; the link decides."""
    if not is_employer_user(user):
        return None
    org = getattr(user, "organisation", None)
    if org is None or org.kind != "employer" or not str(org.external_ref).isdigit():
        return None
    with unscoped():
        return Employer.objects.select_related("district", "industry").filter(pk=int(org.external_ref)).first()


def access_employer(user: Any, pk: int) -> Employer:
    """The unit, if the user may see it."""
    if can_list_employers(user):
        employer = Employer.objects.select_related("district", "industry").filter(pk=pk).first()
    elif is_employer_user(user):
        employer = own_employer(user)
        if employer is not None and employer.pk != pk:
            employer = None
    else:
        employer = None
    if employer is None:
        raise Http404
    return employer


def access_employer_for_edit(user: Any, pk: int) -> Employer:
    """The unit, if the user may change its registration data (not the unit's own users)."""
    if not can_edit_employers(user):
        raise Http404
    return access_employer(user, pk)


def can_edit_contacts(user: Any, employer: Employer) -> bool:
    """Officers of the unit's scope, and the unit's own users.  ``employer`` was fetched through
    ``access_employer`` for this user."""
    if can_edit_employers(user):
        return True
    own = own_employer(user)
    return own is not None and own.pk == employer.pk


def access_employer_for_contacts(user: Any, pk: int) -> Employer:
    employer = access_employer(user, pk)
    if not can_edit_contacts(user, employer):
        raise Http404
    return employer


def access_contact(user: Any, pk: int, contact_pk: int) -> EmployerContact:
    employer = access_employer_for_contacts(user, pk)
    contact = EmployerContact.objects.filter(pk=contact_pk, employer=employer).first()
    if contact is None:
        raise Http404
    contact.employer = employer
    return contact
