"""Who may see or change assisted-employment records.  Deny by default; missing and forbidden both give 404.

- City and district staff see the records of their district scope (the scoped managers filter them).
- City administrators and district officers register institutions, staff, projects and rural bases,
  and allocate projects (区残联调配).
- District officers, city administrators and street workers (who collect data on site) add
  participants, agreements and monthly records.
- An institution's own users (``Organisation(kind="institution", external_ref=<id>)``) see their own
  institution and enter its monthly records.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from ablework.accounts.enums import Role
from ablework.assisted.models import Institution, LabourProject, Participant, RuralBase
from ablework.core.scoping import unscoped

EDIT_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_OFFICER})
RECORD_ROLES = EDIT_ROLES | {Role.STREET_WORKER}


def _auth(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def can_list(user: Any) -> bool:
    return _auth(user) and bool(getattr(user, "is_staff_role", False))


def can_edit(user: Any) -> bool:
    return _auth(user) and getattr(user, "role", None) in EDIT_ROLES


def can_record(user: Any) -> bool:
    return _auth(user) and getattr(user, "role", None) in RECORD_ROLES


def own_institution(user: Any) -> Institution | None:
    """The institution a user's organisation stands for.  Unscoped on purpose: institution users have no
    district scope; the link decides."""
    if not _auth(user):
        return None
    org = getattr(user, "organisation", None)
    if org is None or org.kind != "institution" or not str(org.external_ref).isdigit():
        return None
    with unscoped():
        return Institution.objects.select_related("district", "street").filter(pk=int(org.external_ref)).first()


def access_institution(user: Any, pk: int) -> Institution:
    inst: Institution | None = None
    if can_list(user):
        inst = Institution.objects.select_related("district", "street").filter(pk=pk).first()
    else:
        own = own_institution(user)
        if own is not None and own.pk == pk:
            inst = own
    if inst is None:
        raise Http404
    return inst


def access_institution_for_edit(user: Any, pk: int) -> Institution:
    if not can_edit(user):
        raise Http404
    return access_institution(user, pk)


def access_institution_for_records(user: Any, pk: int) -> Institution:
    """Officers and street workers of its scope, and the institution's own users."""
    if can_record(user):
        return access_institution(user, pk)
    own = own_institution(user)
    if own is None or own.pk != pk:
        raise Http404
    return own


def access_participant(user: Any, pk: int) -> Participant:
    related = ("institution", "institution__district", "person", "district")
    part: Participant | None = None
    if can_list(user):
        part = Participant.objects.select_related(*related).filter(pk=pk).first()
    else:
        own = own_institution(user)
        if own is not None:
            with unscoped():  # the scoped manager applies the scope when the queryset is made
                part = Participant.objects.select_related(*related).filter(pk=pk, institution=own).first()
    if part is None:
        raise Http404
    return part


def can_record_for(user: Any, participant: Participant) -> bool:
    if can_record(user):
        return True
    own = own_institution(user)
    return own is not None and own.pk == participant.institution_id


def access_project(user: Any, pk: int) -> LabourProject:
    if not can_list(user):
        raise Http404
    project = LabourProject.objects.select_related("institution", "district").filter(pk=pk).first()
    if project is None:
        raise Http404
    return project


def access_rural_base(user: Any, pk: int) -> RuralBase:
    if not can_list(user):
        raise Http404
    base = RuralBase.objects.select_related("district", "street").filter(pk=pk).first()
    if base is None:
        raise Http404
    return base
