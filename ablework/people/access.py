"""Who may see or change a person record.  Deny by default; missing and forbidden both give 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from ablework.people.models import Person

UNMASK_ROLES = frozenset({"city_admin", "district_officer"})


def can_list_people(user: Any) -> bool:
    return bool(user.is_authenticated and getattr(user, "is_staff_role", False))


def can_unmask(user: Any) -> bool:
    return bool(user.is_authenticated and getattr(user, "role", None) in UNMASK_ROLES)


def access_person(user: Any, pk: int) -> Person:
    """The person, if inside the user's district scope.  The scoped manager does the filtering."""
    if not can_list_people(user):
        raise Http404
    try:
        return Person.objects.select_related("district", "street").get(pk=pk)
    except Person.DoesNotExist:
        raise Http404 from None


EDIT_ROLES = frozenset({"city_admin", "district_officer"})


def can_edit_people(user: Any) -> bool:
    """Register persons and change their record, certificates and employment history."""
    return bool(user.is_authenticated and getattr(user, "role", None) in EDIT_ROLES)


def access_person_for_edit(user: Any, pk: int) -> Person:
    if not can_edit_people(user):
        raise Http404
    return access_person(user, pk)


# Who records 四个一 services: officers of the city and districts, and street/community workers (home
# visits).  Reviewers only read.  Which persons: the user's district scope (the scoped manager).
RECORD_SERVICE_ROLES = frozenset({"city_admin", "district_officer", "street_worker"})


def can_record_services(user: Any) -> bool:
    return bool(user.is_authenticated and getattr(user, "role", None) in RECORD_SERVICE_ROLES)
