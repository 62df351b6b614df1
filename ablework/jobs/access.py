"""Who may see or change what in ablework.jobs.  Deny by default; missing and forbidden both give 404.

- Staff (city, district, street) see postings, fairs and directory entries of their district scope,
  and the applications, referrals and retention checks of the persons of their scope (the scoped
  managers filter by the person's district).  City administrators and district officers change them.
- An employer user sees and changes the postings of their own unit only, and the applications to
  them (never another unit's: 404).
- A portal user (role ``person``) sees the applications of the persons linked to them.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from ablework.accounts.enums import Role
from ablework.core.scoping import unscoped
from ablework.employers import api as employers_api
from ablework.jobs.models import Application, DirectoryEntry, Fair, Posting, RetentionCheck
from ablework.people import api as people_api

EDIT_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_OFFICER})


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_staff_role", False))


def can_edit(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "role", None) in EDIT_ROLES)


def own_employer(user: Any) -> Any:
    return employers_api.employer_for_user(user)


def is_person_user(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "role", None) == Role.PERSON
    )


def linked_person(user: Any, pk: int) -> Any:
    """The person ``pk`` if the portal user may act for them, else 404."""
    if not is_person_user(user):
        raise Http404
    for person, _relation in people_api.portal_persons(user):
        if person.pk == pk:
            return person
    raise Http404


def access_posting(user: Any, pk: int) -> Posting:
    """A posting the user may manage: staff of its district, or its own employer's users."""
    qs = Posting.objects if is_staff(user) else None
    if qs is not None:
        posting = qs.select_related("employer", "district", "fair").filter(pk=pk).first()
    else:
        employer = own_employer(user)
        if employer is None:
            raise Http404
        with unscoped():
            posting = (
                Posting.objects.select_related("employer", "district", "fair").filter(pk=pk, employer=employer).first()
            )
    if posting is None:
        raise Http404
    return posting


def access_posting_for_edit(user: Any, pk: int) -> Posting:
    if not (can_edit(user) or own_employer(user) is not None):
        raise Http404
    return access_posting(user, pk)


def access_application(user: Any, pk: int) -> Application:
    """Staff: persons of their scope.  Employer user: applications to their own unit's postings.
    Portal user: applications of a linked person."""
    related = ("posting", "posting__employer", "person", "district")
    if is_staff(user):
        app = Application.objects.select_related(*related).filter(pk=pk).first()
    elif (employer := own_employer(user)) is not None:
        with unscoped():
            app = Application.objects.select_related(*related).filter(pk=pk, posting__employer=employer).first()
    elif is_person_user(user):
        ids = [p.pk for p, _ in people_api.portal_persons(user)]
        with unscoped():
            app = Application.objects.select_related(*related).filter(pk=pk, person_id__in=ids).first()
    else:
        app = None
    if app is None:
        raise Http404
    return app


def access_retention_check(user: Any, pk: int) -> RetentionCheck:
    if not can_edit(user):
        raise Http404
    check = RetentionCheck.objects.select_related("application", "application__person", "application__posting").filter(
        pk=pk
    )
    found = check.first()
    if found is None:
        raise Http404
    return found


def access_fair(user: Any, pk: int) -> Fair:
    if not is_staff(user):
        raise Http404
    fair = Fair.objects.select_related("district").filter(pk=pk).first()
    if fair is None:
        raise Http404
    return fair


def access_directory_entry(user: Any, pk: int) -> DirectoryEntry:
    if not can_edit(user):
        raise Http404
    entry = DirectoryEntry.objects.select_related("district").filter(pk=pk).first()
    if entry is None:
        raise Http404
    return entry
