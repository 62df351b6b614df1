"""Writes to the employer registry: units, their contacts and their user accounts.  Every write is
audited in its own transaction, on the employer (so that the unit's page shows its whole history).

Access is decided before an action is called (``employers.access``: the view fetched the employer
inside the user's scope).  Inside, actions re-read rows by primary key ``unscoped()`` so they behave
the same in a request, a task or a test; the one place where other districts matter is the credit
code, which is unique city-wide.
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from ablework.accounts.actions import create_user
from ablework.accounts.enums import OrgKind, Role
from ablework.accounts.models import Organisation, User
from ablework.core import audit
from ablework.core.identifiers import IdentifierError, parse_uscc
from ablework.core.models import District, Industry
from ablework.core.scoping import unscoped
from ablework.employers import rules
from ablework.employers.enums import EmployerStatus
from ablework.employers.models import Employer, EmployerContact

__all__ = [
    "CONTACT_FIELDS",
    "EDITABLE_FIELDS",
    "EmployerError",
    "NewEmployerUser",
    "add_contact",
    "contact_errors",
    "contact_values",
    "create_employer",
    "create_employer_user",
    "created_delta",
    "deregister_employer",
    "employer_organisation",
    "reactivate_employer",
    "remove_contact",
    "update_contact",
    "update_employer",
    "warnings_for",
]


class EmployerError(ValueError):
    """A write refused because the data breaks a registry rule.  ``errors`` maps a field name to its
    message where the problem belongs to one field; ``str(err)`` is all messages for the user."""

    def __init__(self, message: str | dict[str, str]) -> None:
        self.errors: dict[str, str] = dict(message) if isinstance(message, dict) else {}
        super().__init__("；".join(self.errors.values()) if isinstance(message, dict) else message)


# Fields of Employer an officer may set (the employer's own users change only its contacts).
EDITABLE_FIELDS = (
    "uscc",
    "name",
    "kind",
    "agency_level",
    "establishment_size",
    "is_school",
    "district",
    "industry",
    "address",
    "legal_representative",
)
CONTACT_FIELDS = ("name", "title", "phone", "email", "is_primary")

_PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?|[2-9]\d{6,7}(?:-\d{1,6})?|400-?\d{3}-?\d{4})$")


def today() -> date:
    return timezone.localdate()


# --- the unit ---------------------------------------------------------------------------------------


def _parse_code(value: str) -> str:
    try:
        return parse_uscc(value or "").code
    except IdentifierError as exc:
        raise EmployerError({"uscc": str(exc)}) from None


def _check_fields(values: dict[str, Any]) -> None:
    errors = rules.field_errors(
        name=values["name"] or "",
        kind=values["kind"],
        agency_level=values["agency_level"] or "",
        establishment_size=values["establishment_size"],
        is_school=bool(values["is_school"]),
    )
    if errors:
        raise EmployerError(errors)


def _check_code_free(code: str, *, exclude_pk: int | None = None) -> None:
    """The credit code is unique city-wide.  A unit's name and code are public registration data,
    so saying where it is registered leaks nothing and tells the officer whom to ask."""
    with unscoped():
        qs = Employer.objects.filter(uscc=code).select_related("district")
        other = (qs.exclude(pk=exclude_pk) if exclude_pk is not None else qs).first()
    if other is not None:
        raise EmployerError(
            {
                "uscc": f"该统一社会信用代码已登记为“{other.name}”（{other.district.name}），不能重复登记；"
                "单位迁入本区的，请由原登记区或市残联修改其税务登记区"
            }
        )


def _snapshot(employer: Employer) -> dict[str, Any]:
    return {
        "uscc": employer.uscc,
        "name": employer.name,
        "kind": employer.kind,
        "agency_level": employer.agency_level,
        "establishment_size": employer.establishment_size,
        "is_school": employer.is_school,
        "district": employer.district_id,
        "industry": employer.industry_id,
        "address": employer.address,
        "legal_representative": employer.legal_representative,
    }


def created_delta(values: dict[str, Any]) -> dict[str, Any]:
    """The audit delta of a new record: its non-empty fields as ``[None, value]``."""
    return {k: v for k, v in audit.diff({}, values).items() if v[1] not in ("", None, False)}


def _pk(value: Any) -> Any:
    return value.pk if hasattr(value, "pk") else value


def create_employer(
    *,
    actor: Any,
    uscc: str,
    name: str,
    kind: str,
    district: District,
    industry: Industry | None = None,
    agency_level: str = "",
    establishment_size: int | None = None,
    is_school: bool = False,
    address: str = "",
    legal_representative: str = "",
) -> Employer:
    """Register a unit.  The credit code is parsed (check character, allowed characters) and must not
    be registered yet; the kind decides which of level, 编制 and school flag are required or allowed
    (``rules.field_errors``).  Raises ``EmployerError`` with a message per field.  A kind that does
    not agree with the code is not refused: callers show ``warnings_for`` to the officer."""
    values: dict[str, Any] = {
        "uscc": _parse_code(uscc),
        "name": (name or "").strip(),
        "kind": kind,
        "agency_level": agency_level or "",
        "establishment_size": establishment_size,
        "is_school": bool(is_school),
        "address": (address or "").strip(),
        "legal_representative": (legal_representative or "").strip(),
    }
    _check_fields(values)
    _check_code_free(values["uscc"])
    try:
        with transaction.atomic(), unscoped():
            employer = Employer.objects.create(district=district, industry=industry, **values)
            audit.record(
                audit.AuditAction.CREATE, actor=actor, obj=employer, changes=created_delta(_snapshot(employer))
            )
    except IntegrityError:  # the same code registered at the same moment by someone else
        raise EmployerError({"uscc": "该统一社会信用代码刚刚已被登记，请在单位名单中查看"}) from None
    return employer


def update_employer(employer: Employer, *, actor: Any, purpose: str = "", **changes: Any) -> Employer:
    """Change fields of a unit (``EDITABLE_FIELDS``); the audit entry holds before and after.

    When the kind changes, fields that do not apply to the new kind (level, 编制, school flag) are
    cleared unless the caller sets them; values set explicitly must fit the kind.  The unit's user
    organisation follows a change of name or district.  Raises ``EmployerError``."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    if "uscc" in changes:
        changes["uscc"] = _parse_code(changes["uscc"])
    for key in ("name", "address", "legal_representative"):
        if key in changes:
            changes[key] = (changes[key] or "").strip()
    if "agency_level" in changes:
        changes["agency_level"] = changes["agency_level"] or ""
    with transaction.atomic(), unscoped():
        locked = Employer.objects.select_for_update().get(pk=employer.pk)
        before = _snapshot(locked)
        kind = changes.get("kind", locked.kind)
        if kind != locked.kind:
            if kind != rules.AGENCY:
                changes.setdefault("agency_level", "")
            if kind not in rules.ESTABLISHMENT_KINDS:
                changes.setdefault("establishment_size", None)
            if kind != rules.INSTITUTION:
                changes.setdefault("is_school", False)
        after = {**before, **{k: _pk(v) for k, v in changes.items()}}
        _check_fields(after)
        if after["uscc"] != before["uscc"]:
            _check_code_free(after["uscc"], exclude_pk=locked.pk)
        delta = audit.diff(before, after)
        if not delta:
            return locked
        for key in delta:
            setattr(locked, key if key not in ("district", "industry") else f"{key}_id", after[key])
        locked.save()
        audit.record(audit.AuditAction.UPDATE, actor=actor, obj=locked, changes=delta, purpose=purpose)
        if {"name", "district"} & set(delta):
            Organisation.objects.filter(kind=OrgKind.EMPLOYER, external_ref=str(locked.pk)).update(
                name=locked.name[:120], district_id=locked.district_id
            )
    return locked


def deregister_employer(employer: Employer, *, actor: Any, on: date | None = None, reason: str) -> Employer:
    """Mark a unit deregistered (注销) from ``on`` (default today).  The record, its history and its
    user accounts stay: declarations of earlier years still refer to it.  Raises ``EmployerError``."""
    on = on or today()
    reason = (reason or "").strip()
    if not reason:
        raise EmployerError({"reason": "请填写注销原因（如：已办理工商注销、被吊销营业执照、合并）"})
    if on > today():
        raise EmployerError({"on": "注销日期不能晚于今天"})
    with transaction.atomic(), unscoped():
        locked = Employer.objects.select_for_update().get(pk=employer.pk)
        if locked.status == EmployerStatus.DEREGISTERED:
            raise EmployerError(f"该单位已于{locked.deregistered_on:%Y-%m-%d}注销")
        locked.status, locked.deregistered_on, locked.deregistration_reason = (
            EmployerStatus.DEREGISTERED,
            on,
            reason[:200],
        )
        locked.save(update_fields=["status", "deregistered_on", "deregistration_reason", "updated_at"])
        audit.record(
            audit.AuditAction.UPDATE,
            actor=actor,
            obj=locked,
            changes={
                "status": [EmployerStatus.ACTIVE, EmployerStatus.DEREGISTERED],
                "deregistered_on": [None, on],
                "deregistration_reason": ["", reason[:200]],
            },
        )
    return locked


def reactivate_employer(employer: Employer, *, actor: Any, reason: str) -> Employer:
    """Undo a deregistration entered by mistake (the earlier date and reason stay in the history)."""
    reason = (reason or "").strip()
    if not reason:
        raise EmployerError({"reason": "请填写恢复原因"})
    with transaction.atomic(), unscoped():
        locked = Employer.objects.select_for_update().get(pk=employer.pk)
        if locked.status == EmployerStatus.ACTIVE:
            raise EmployerError("该单位未注销")
        delta = {
            "status": [locked.status, EmployerStatus.ACTIVE],
            "deregistered_on": [locked.deregistered_on, None],
            "deregistration_reason": [locked.deregistration_reason, ""],
        }
        locked.status, locked.deregistered_on, locked.deregistration_reason = EmployerStatus.ACTIVE, None, ""
        locked.save(update_fields=["status", "deregistered_on", "deregistration_reason", "updated_at"])
        audit.record(audit.AuditAction.UPDATE, actor=actor, obj=locked, changes=delta, purpose=reason[:200])
    return locked


def warnings_for(employer: Employer) -> list[str]:
    """What the officer should check about a registered unit: the kind against the credit code."""
    try:
        code = parse_uscc(employer.uscc)
    except IdentifierError as exc:  # only rows written around the validator (imports of old data)
        return [str(exc)]
    return rules.code_warnings(code, employer.kind)


# --- contacts ---------------------------------------------------------------------------------------


def contact_values(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for key in ("name", "title", "email"):
        if key in out:
            out[key] = (out[key] or "").strip()
    if "phone" in out:
        out["phone"] = re.sub(r"[\s()（）]", "", out["phone"] or "").replace("—", "-").replace("－", "-")
    if "is_primary" in out:
        out["is_primary"] = bool(out["is_primary"])
    return out


def contact_errors(values: dict[str, Any]) -> dict[str, str]:
    """Problems of a contact's (normalised) fields, by field name."""
    errors: dict[str, str] = {}
    if not values["name"]:
        errors["name"] = "联系人姓名不能为空"
    elif len(values["name"]) > 60:
        errors["name"] = "联系人姓名不能超过60个字"
    if len(values["title"]) > 60:
        errors["title"] = "职务不能超过60个字"
    if values["phone"] and not _PHONE.match(values["phone"]):
        errors["phone"] = "联系电话格式不正确：应为11位手机号，或带区号的固定电话（如022-23456789，分机写在最后如-801）"
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = "电子邮箱格式不正确，应如 hr@example.com"
    if not values["phone"] and not values["email"]:
        errors["phone"] = "联系电话和电子邮箱至少填写一项"
    return errors


def _check_contact(values: dict[str, Any]) -> None:
    errors = contact_errors(values)
    if errors:
        raise EmployerError(errors)


def _contact_label(values: dict[str, Any]) -> str:
    return values["name"] + (f"（{values['title']}）" if values.get("title") else "")


def add_contact(
    employer: Employer,
    *,
    actor: Any,
    name: str,
    phone: str = "",
    email: str = "",
    title: str = "",
    is_primary: bool = False,
) -> EmployerContact:
    """Add a contact person.  The first contact of a unit is its primary contact; making another one
    primary takes the flag from the previous one (one primary per unit).  Raises ``EmployerError``."""
    values = contact_values({"name": name, "phone": phone, "email": email, "title": title, "is_primary": is_primary})
    _check_contact(values)
    with transaction.atomic(), unscoped():
        locked = Employer.objects.select_for_update().get(pk=employer.pk)
        primary = EmployerContact.objects.filter(employer=locked, is_primary=True).first()
        if primary is None:
            values["is_primary"] = True
        elif values["is_primary"]:
            primary.is_primary = False
            primary.save(update_fields=["is_primary", "updated_at"])
        contact = EmployerContact.objects.create(employer=locked, **values)
        changes = {f"contact[{contact.pk}].{k}": [None, v] for k, v in values.items() if v not in ("", False)}
        if primary is not None and values["is_primary"]:
            changes[f"contact[{primary.pk}].is_primary"] = [True, False]
        audit.record(
            audit.AuditAction.UPDATE,
            actor=actor,
            obj=locked,
            changes=changes,
            object_label=f"{locked.name}：新增联系人{_contact_label(values)}"[:200],
        )
    return contact


def update_contact(contact: EmployerContact, *, actor: Any, **changes: Any) -> EmployerContact:
    """Change a contact person (``CONTACT_FIELDS``).  Making it primary takes the flag from the
    previous primary contact; the primary flag cannot simply be removed (make another one primary)."""
    unknown = set(changes) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    changes = contact_values(changes)
    with transaction.atomic(), unscoped():
        employer = Employer.objects.select_for_update().get(pk=contact.employer_id)
        locked = EmployerContact.objects.get(pk=contact.pk, employer=employer)
        before = {k: getattr(locked, k) for k in CONTACT_FIELDS}
        after = {**before, **changes}
        _check_contact(after)
        if before["is_primary"] and not after["is_primary"]:
            raise EmployerError({"is_primary": "主要联系人不能直接取消，请把另一位联系人设为主要联系人"})
        delta = audit.diff(before, after)
        if not delta:
            return locked
        extra: dict[str, Any] = {}
        if after["is_primary"] and not before["is_primary"]:
            old = EmployerContact.objects.filter(employer=employer, is_primary=True).exclude(pk=locked.pk).first()
            if old is not None:
                old.is_primary = False
                old.save(update_fields=["is_primary", "updated_at"])
                extra[f"contact[{old.pk}].is_primary"] = [True, False]
        for key in delta:
            setattr(locked, key, after[key])
        locked.save()
        audit.record(
            audit.AuditAction.UPDATE,
            actor=actor,
            obj=employer,
            changes={**{f"contact[{locked.pk}].{k}": v for k, v in delta.items()}, **extra},
            object_label=f"{employer.name}：修改联系人{_contact_label(after)}"[:200],
        )
    return locked


def remove_contact(contact: EmployerContact, *, actor: Any) -> None:
    """Remove a contact person; when it was the primary one, the earliest remaining contact becomes
    primary."""
    with transaction.atomic(), unscoped():
        employer = Employer.objects.select_for_update().get(pk=contact.employer_id)
        locked = EmployerContact.objects.get(pk=contact.pk, employer=employer)
        before = {k: getattr(locked, k) for k in CONTACT_FIELDS}
        changes: dict[str, Any] = {
            f"contact[{locked.pk}].{k}": [v, None] for k, v in before.items() if v not in ("", False)
        }
        locked.delete()
        if before["is_primary"]:
            successor = EmployerContact.objects.filter(employer=employer).order_by("id").first()
            if successor is not None:
                successor.is_primary = True
                successor.save(update_fields=["is_primary", "updated_at"])
                changes[f"contact[{successor.pk}].is_primary"] = [False, True]
        audit.record(
            audit.AuditAction.UPDATE,
            actor=actor,
            obj=employer,
            changes=changes,
            object_label=f"{employer.name}：删除联系人{_contact_label(before)}"[:200],
        )


# --- user accounts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewEmployerUser:
    user: User
    # The generated initial password, to be handed over once (it is stored only as a hash); empty
    # when the caller chose the password.
    initial_password: str


# Read out or typed by hand: no look-alikes (I l 1 O o 0) and no characters HTML escapes.
_PASSWORD_CHARS = "".join(c for c in string.ascii_letters + string.digits if c not in "Il1Oo0") + "#$%*+-=?@_"


def _generate_password(length: int = 14) -> str:
    while True:
        pw = "".join(secrets.choice(_PASSWORD_CHARS) for _ in range(length))
        if (
            any(c.islower() for c in pw)
            and any(c.isupper() for c in pw)
            and any(c.isdigit() for c in pw)
            and any(not c.isalnum() for c in pw)
        ):
            return pw


def employer_organisation(employer: Employer) -> Organisation:
    """The accounts organisation standing for ``employer`` (created on first use)."""
    org = Organisation.objects.filter(kind=OrgKind.EMPLOYER, external_ref=str(employer.pk)).order_by("id").first()
    if org is None:
        org = Organisation.objects.create(
            kind=OrgKind.EMPLOYER,
            name=employer.name[:120],
            district_id=employer.district_id,
            external_ref=str(employer.pk),
        )
    return org


def create_employer_user(
    employer: Employer,
    *,
    actor: Any,
    username: str,
    display_name: str,
    phone: str = "",
    email: str = "",
    password: str | None = None,
) -> NewEmployerUser:
    """Create a login for a unit's own staff (role ``employer_user``, in the unit's organisation).

    Without ``password`` a strong initial password is generated and returned once, for the officer
    to hand over.  A deregistered unit gets no new accounts.  Raises ``EmployerError``."""
    username = (username or "").strip()
    display_name = (display_name or "").strip()
    values = contact_values({"phone": phone, "email": email})
    errors: dict[str, str] = {}
    if not username:
        errors["username"] = "请填写用户名"
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = f"用户名“{username}”已被使用，请换一个"
    if not display_name:
        errors["display_name"] = "请填写使用人姓名"
    if values["phone"] and not _PHONE.match(values["phone"]):
        errors["phone"] = "手机号格式不正确，应为11位手机号"
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = "电子邮箱格式不正确，应如 hr@example.com"
    initial = ""
    if password is None:
        password = initial = _generate_password()
    else:
        try:
            password_validation.validate_password(password, User(username=username, email=values["email"]))
        except ValidationError as exc:
            errors["password"] = "；".join(exc.messages)
    if errors:
        raise EmployerError(errors)
    with transaction.atomic(), unscoped():
        locked = Employer.objects.select_for_update().get(pk=employer.pk)
        if locked.status != EmployerStatus.ACTIVE:
            raise EmployerError("该单位已注销，不能新增账号")
        org = employer_organisation(locked)
        try:
            user = create_user(
                username=username,
                password=password,
                role=Role.EMPLOYER_USER,
                organisation=org,
                actor=actor,
                display_name=display_name,
                email=values["email"],
                phone=values["phone"],
            )
        except ValidationError as exc:
            raise EmployerError("；".join(exc.messages)) from None
        audit.record(
            audit.AuditAction.UPDATE,
            actor=actor,
            obj=locked,
            changes={"user": [None, f"{username}（{display_name}）"]},
            object_label=f"{locked.name}：新增单位账号{username}"[:200],
        )
    return NewEmployerUser(user=user, initial_password=initial)
