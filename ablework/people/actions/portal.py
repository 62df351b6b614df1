"""Self-service of a person (or guardian) on their own record: portal links, correction requests and
their handling by the district.  Every write is audited.

A portal user has no district scope (``scope_district_ids()`` is empty for role ``person``), so the
writes made on their behalf run inside ``district_scope([person.district_id])`` after the link between
the user and the person has been checked: the scope is opened for that one district, never wider.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ablework.accounts.enums import Role
from ablework.core import audit
from ablework.core.notifications import notify
from ablework.core.scoping import district_scope
from ablework.people.actions.registry import RegistryError, update_person
from ablework.people.enums import CorrectionStatus, Education
from ablework.people.models import CorrectionRequest, Person, PortalLink

RELATION_SELF = "本人"
RELATION_GUARDIAN = "监护人"
RELATIONS = (RELATION_SELF, RELATION_GUARDIAN)

# Fields a person may ask to correct, with their labels and maximum lengths (those of Person).
CORRECTABLE_FIELDS: dict[str, tuple[str, int]] = {
    "name": ("姓名", 60),
    "phone": ("联系电话", 20),
    "address": ("居住地址", 200),
    "community": ("社区/村", 60),
    "education": ("文化程度", 15),
    "guardian_name": ("监护人姓名", 60),
    "guardian_relation": ("监护人与本人关系", 20),
    "guardian_phone": ("监护人电话", 20),
}
_PHONE = re.compile(r"^[0-9\-+ ]{7,20}$")
HANDLER_ROLES = frozenset({Role.DISTRICT_OFFICER, Role.CITY_ADMIN})


class PortalError(RegistryError):
    """A portal write refused; the message is for the user."""


def field_label(field: str) -> str:
    return CORRECTABLE_FIELDS.get(field, (field, 0))[0]


def display_value(field: str, value: str) -> str:
    """The value as a person reads it (文化程度 is stored as a code)."""
    if field == "education" and value in Education.values:
        return str(Education(value).label)
    return value


def may_handle(actor: Any, district_id: int) -> bool:
    """District officers of the district and city administrators handle links and corrections."""
    return bool(
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and getattr(actor, "role", None) in HANDLER_ROLES
        and district_id in actor.scope_district_ids()
    )


def is_linked(user: Any, person: Person) -> bool:
    return bool(getattr(user, "pk", None)) and PortalLink.objects.filter(person_id=person.pk, user_id=user.pk).exists()


def link_portal_user(person: Person, user: Any, *, actor: Any, relation: str = RELATION_SELF) -> PortalLink:
    """Let a portal account (role ``person``) see and correct this person's record, as the person
    (本人, at most one account per person and one person per account) or as a guardian (监护人).
    Only an officer of the person's district (or a city administrator) links."""
    if not may_handle(actor, person.district_id):
        raise PortalError("只有该人员户籍区的经办员或市级管理员可以关联门户账户")
    if getattr(user, "role", None) != Role.PERSON:
        raise PortalError("只能关联“残疾人或监护人”角色的门户账户")
    if relation not in RELATIONS:
        raise PortalError(f"关系应为{'或'.join(RELATIONS)}")
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if PortalLink.objects.filter(person=locked, user=user).exists():
            raise PortalError(f"账户“{user.username}”已关联{locked.name}的档案")
        if relation == RELATION_SELF:
            if PortalLink.objects.filter(person=locked, relation=RELATION_SELF).exists():
                raise PortalError(f"{locked.name}已有本人门户账户")
            if PortalLink.objects.filter(user=user, relation=RELATION_SELF).exists():
                raise PortalError(f"账户“{user.username}”已作为本人关联了其他人员")
        link = PortalLink.objects.create(person=locked, user=user, relation=relation)
        audit.record(
            audit.AuditAction.CREATE,
            actor=actor,
            obj=link,
            object_label=f"{locked.name} 门户账户关联（{relation}）",
            district_code=locked.district.code,
            changes={"person": locked.pk, "user": user.username, "relation": relation},
        )
    return link


def unlink_portal_user(link: PortalLink, *, actor: Any) -> None:
    """Remove a portal link (the account no longer sees the record)."""
    person = link.person
    if not may_handle(actor, person.district_id):
        raise PortalError("只有该人员户籍区的经办员或市级管理员可以解除关联")
    with transaction.atomic():
        audit.record(
            audit.AuditAction.DELETE,
            actor=actor,
            object_type="people.portallink",
            object_id=link.pk,
            object_label=f"{person.name} 门户账户关联（{link.relation}）",
            district_code=person.district.code,
            changes={"person": person.pk, "user": link.user.username, "relation": link.relation},
        )
        link.delete()


def _validate(field: str, value: str) -> str:
    if field not in CORRECTABLE_FIELDS:
        raise PortalError("该项目不能在线申请更正，请联系所在区残联")
    label, max_length = CORRECTABLE_FIELDS[field]
    value = (value or "").strip()
    if not value:
        raise PortalError(f"请填写更正后的{label}")
    if field == "name":
        value = "".join(value.split())
    if len(value) > max_length:
        raise PortalError(f"{label}不能超过{max_length}个字")
    if field in ("phone", "guardian_phone") and not _PHONE.match(value):
        raise PortalError(f"{label}只能包含数字、空格、+ 和 -，7至20位")
    if field == "education" and value not in Education.values:
        by_label = {str(lbl): code for code, lbl in Education.choices}
        if value not in by_label:
            raise PortalError("文化程度应为列表中的一项")
        value = by_label[value]
    return value


def request_correction(
    person: Person, *, actor: Any, field: str, requested_value: str, reason: str = ""
) -> CorrectionRequest:
    """Ask the district to correct one field of one's own record (or of the person one is guardian
    of).  One pending request per field; the district decides with ``handle_correction``."""
    if not is_linked(actor, person):
        raise PortalError("只能申请更正本人或被监护人的档案")
    value = _validate(field, requested_value)
    reason = (reason or "").strip()[:300]
    with transaction.atomic(), district_scope([person.district_id]):
        locked = Person.objects.select_for_update().select_related("district").get(pk=person.pk)
        current = str(getattr(locked, field) or "")
        if current == value:
            raise PortalError(f"更正后的{field_label(field)}与档案中的内容相同")
        if CorrectionRequest.objects.filter(person=locked, field=field, status=CorrectionStatus.PENDING).exists():
            raise PortalError(f"{field_label(field)}已有待处理的更正申请，请等待区残联处理")
        req = CorrectionRequest.objects.create(
            person=locked,
            district_id=locked.district_id,
            field=field,
            current_value=current[:200],
            requested_value=value,
            reason=reason,
            requested_by=actor,
        )
        audit.record(
            audit.AuditAction.CREATE,
            actor=actor,
            obj=req,
            object_label=f"{locked.name} 信息更正申请：{field_label(field)}",
            changes={"field": field, "current_value": current, "requested_value": value, "reason": reason},
        )
    return req


def handle_correction(req: CorrectionRequest, *, actor: Any, accept: bool, reply: str = "") -> CorrectionRequest:
    """Accept (the field is changed through ``update_person``, audited with the request as purpose)
    or decline (a reply is required) a pending request.  Only an officer of the person's district or
    a city administrator decides; the requester is told in their inbox."""
    if not may_handle(actor, req.district_id):
        raise PortalError("只有该人员户籍区的经办员或市级管理员可以处理更正申请")
    reply = (reply or "").strip()
    if not accept and not reply:
        raise PortalError("不予更正时请填写处理意见")
    with transaction.atomic():
        locked = CorrectionRequest.objects.select_for_update().select_related("person").get(pk=req.pk)
        if locked.status != CorrectionStatus.PENDING:
            raise PortalError("该申请已处理")
        if accept:
            update_person(
                locked.person,
                actor=actor,
                purpose=f"信息更正申请（第{locked.pk}号）",
                **{locked.field: locked.requested_value},
            )
        new = CorrectionStatus.ACCEPTED if accept else CorrectionStatus.DECLINED
        locked.status = new
        locked.handled_by = actor
        locked.handled_at = timezone.now()
        locked.reply = reply[:300]
        locked.save(update_fields=["status", "handled_by", "handled_at", "reply"])
        audit.record(
            audit.AuditAction.TRANSITION,
            actor=actor,
            obj=locked,
            object_label=f"{locked.person.name} 信息更正申请：{field_label(locked.field)}",
            changes={"status": [CorrectionStatus.PENDING.value, new.value], "reply": locked.reply},
        )
        if locked.requested_by is not None:
            notify(
                locked.requested_by,
                subject=f"信息更正申请{new.label}",
                body=f"您申请更正的“{field_label(locked.field)}”{new.label}。{locked.reply}",
                link=reverse("people:portal_record", args=[locked.person_id]),
                channels=("inbox",),
            )
    return locked


__all__ = [
    "CORRECTABLE_FIELDS",
    "RELATIONS",
    "RELATION_GUARDIAN",
    "RELATION_SELF",
    "PortalError",
    "display_value",
    "field_label",
    "handle_correction",
    "is_linked",
    "link_portal_user",
    "may_handle",
    "request_correction",
    "unlink_portal_user",
]
