"""Writes to the person record: registration (create or update by ID number), certificates,
employment records and the derived status.  Every write is audited in its own transaction.

Access is decided before an action is called (``people.access``: the view fetched the person inside
the user's district scope).  Inside, actions re-read rows by primary key ``unscoped()``, so that they
behave the same in a request, a task or a test; the one place where the actor's districts matter here
is registration by ID number, because the ID is unique city-wide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ablework.core import audit, crypto
from ablework.core.identifiers import IdentifierError, parse_disability_cert, parse_resident_id
from ablework.core.models import District, Street
from ablework.core.pinyin import name_initials, name_pinyin
from ablework.core.policy import get_param
from ablework.core.scoping import district_ids_for, unscoped
from ablework.people import rules
from ablework.people.enums import CertificateKind, EmploymentForm, RecordSource
from ablework.people.models import Certificate, EmploymentRecord, Person


class RegistryError(ValueError):
    """A write refused because the data breaks a registry rule; the message is for the user."""


# Fields of Person an officer (or an import) may set directly.  Identity fields derived from the
# ID number (sex, birth date), the current-certificate copy and the status are not among them.
EDITABLE_FIELDS = (
    "name",
    "district",
    "street",
    "community",
    "address",
    "tianjin_hukou",
    "urban_rural",
    "education",
    "phone",
    "guardian_name",
    "guardian_relation",
    "guardian_phone",
)


def today() -> date:
    return timezone.localdate()


def working_age_limits(birth_date: date) -> tuple[rules.WorkingAge, Any]:
    """Working-age limits for a birth cohort: parameter ``working_age`` read on the birth date (R14.2)."""
    param = get_param("working_age", on=birth_date)
    return rules.WorkingAge.from_param(param.value), param


def is_working_age(person: Person, on: date | None = None) -> bool:
    limits, _ = working_age_limits(person.birth_date)
    return rules.is_working_age(person.birth_date, person.sex, on or today(), limits)


def _spells(person: Person) -> list[rules.Spell]:
    if person.pk is None:
        return []
    with unscoped():
        rows = list(EmploymentRecord.objects.filter(person=person).values_list("start_date", "end_date"))
    return [rules.Spell(s, e) for s, e in rows]


def compute_status(person: Person, on: date | None = None) -> str:
    on = on or today()
    return rules.derive_status(
        working_age=is_working_age(person, on), spells=_spells(person), wants_job=person.wants_job, on=on
    )


def recompute_status(person: Person, *, on: date | None = None) -> str:
    """Rewrite the derived ``status`` (call inside the transaction of the change that affects it)."""
    new = compute_status(person, on)
    if new != person.status:
        person.status = new
        person.status_since = on or today()
        with unscoped():
            Person.objects.filter(pk=person.pk).update(status=new, status_since=person.status_since)
    return new


def _clean_fields(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise RegistryError(f"不能直接修改以下项目：{'、'.join(sorted(unknown))}")
    name = changes.get("name")
    if name is not None:
        name = "".join(str(name).split())
        if not name:
            raise RegistryError("姓名不能为空")
        if len(name) > 60:
            raise RegistryError("姓名不能超过60个字")
        changes["name"] = name
    street = changes.get("street")
    district = changes.get("district")
    if isinstance(street, Street) and isinstance(district, District) and street.district_id != district.pk:
        raise RegistryError(f"街道“{street.name}”不属于{district.name}")
    return changes


def _move_children(person: Person) -> None:
    """Child tables carry the person's district for scoping: follow the person when they move."""
    from ablework.people.models import (
        CorrectionRequest,
        DifficultyCertification,
        PublicWelfarePlacement,
        ServiceRecord,
        StudentPlanEntry,
        StudentRecord,
    )

    with unscoped():
        # The whole file moves, services included: the new district's officers continue the case.
        for model in (Certificate, EmploymentRecord, ServiceRecord, DifficultyCertification,
                      PublicWelfarePlacement, StudentRecord, CorrectionRequest):  # fmt: skip
            model._base_manager.filter(person_id=person.pk).update(district_id=person.district_id)
        StudentPlanEntry._base_manager.filter(student__person_id=person.pk).update(district_id=person.district_id)


def _set_fields(person: Person, changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        setattr(person, key, value)
    if "name" in changes:
        person.name_pinyin = name_pinyin(person.name)
        person.name_initials = name_initials(person.name)


@dataclass(frozen=True)
class RegisterResult:
    person: Person
    outcome: str  # "created" | "updated" | "unchanged"


def register_person(
    *, actor: Any, resident_id: str, source: str = RecordSource.OFFICER, **fields: Any
) -> RegisterResult:
    """Create the person with this ID number, or update the existing one (one person per ID number:
    the unique ``id_hash`` makes a duplicate impossible even under concurrent imports).

    Raises ``IdentifierError`` for a bad ID number and ``RegistryError`` for bad field values.
    """
    rid = parse_resident_id(resident_id)
    changes = _clean_fields(dict(fields))
    id_hash = crypto.lookup_hash(rid.number)
    with transaction.atomic(), unscoped():
        person = Person.objects.select_for_update().filter(id_hash=id_hash).first()
        if person is not None and getattr(actor, "pk", None) and person.district_id not in district_ids_for(actor):
            # Unique city-wide, but another district's record stays invisible: say only that it exists.
            raise RegistryError("该身份证号已在其他区登记，不能重复登记；如需迁入请联系原户籍区残联")
        if person is None:
            if "district" not in changes or "name" not in changes:
                raise RegistryError("新登记人员必须填写姓名和户籍区")
            person = Person(
                id_cipher=crypto.encrypt(rid.number),
                id_hash=id_hash,
                id_masked=rid.masked,
                sex=rid.sex,
                birth_date=rid.birth_date,
            )
            _set_fields(person, changes)
            person.status = compute_status(person)
            person.status_since = today()
            person.save()
            audit.record(
                audit.AuditAction.CREATE,
                actor=actor,
                obj=person,
                changes={k: str(v) for k, v in changes.items()} | {"source": source},
            )
            return RegisterResult(person, "created")
        before = {k: getattr(person, k) for k in changes}
        delta = audit.diff(before, changes)
        if not delta:
            return RegisterResult(person, "unchanged")
        _set_fields(person, changes)
        person.save()
        if "district" in delta:
            _move_children(person)
        audit.record(audit.AuditAction.UPDATE, actor=actor, obj=person, changes=delta | {"source": source})
        return RegisterResult(person, "updated")


def update_person(person: Person, *, actor: Any, purpose: str = "", **changes: Any) -> Person:
    """Change editable fields of a person; the audit entry holds before and after."""
    changes = _clean_fields(dict(changes))
    with transaction.atomic(), unscoped():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        delta = audit.diff({k: getattr(locked, k) for k in changes}, changes)
        if not delta:
            return locked
        _set_fields(locked, changes)
        locked.save()
        if "district" in delta:
            _move_children(locked)
        audit.record(audit.AuditAction.UPDATE, actor=actor, obj=locked, changes=delta, purpose=purpose)
        return locked


def refresh_current_certificate(person: Person, on: date) -> None:
    """Copy the newest certificate valid on ``on`` (or else the newest one) onto the person."""
    with unscoped():
        certs = list(
            Certificate.objects.filter(person=person, revoked_on__isnull=True).order_by(
                F("issued_on").desc(nulls_last=True), "-id"
            )
        )
    valid = [c for c in certs if c.valid_until is None or c.valid_until >= on]
    if not certs:
        return
    current = (valid or certs)[0]
    person.cert_kind = current.kind
    person.disability_category = current.category
    person.disability_level = current.level
    person.military_level = current.military_level
    person.cert_suffix = current.suffix
    person.cert_hash = current.number_hash
    person.cert_valid_until = current.valid_until
    with unscoped():
        Person.objects.filter(pk=person.pk).update(
            cert_kind=current.kind,
            disability_category=current.category,
            disability_level=current.level,
            military_level=current.military_level,
            cert_suffix=current.suffix,
            cert_hash=current.number_hash,
            cert_valid_until=current.valid_until,
        )


def cert_lookup_hash(number: str) -> str:
    """Keyed hash of a 残疾人证号 without the reissue suffix (a reissued certificate is the same one)."""
    return crypto.lookup_hash("CERT:" + number.strip().upper()[:20])


def add_certificate(
    person: Person,
    *,
    actor: Any,
    kind: str = CertificateKind.CDPF,
    number: str = "",
    military_level: int | None = None,
    issued_on: date | None = None,
    valid_until: date | None = None,
    source: str = RecordSource.OFFICER,
) -> Certificate:
    """Record a certificate.  A 残疾人证号 is parsed and must contain the person's own ID number
    (its first 18 characters are the holder's resident ID); a 残疾军人证 has a free-text number and
    a level 1–10.  The newest valid certificate becomes the person's current one."""
    if issued_on and valid_until and valid_until < issued_on:
        raise RegistryError("证件有效期不能早于发证日期")
    cert = Certificate(person=person, district_id=person.district_id, kind=kind, issued_on=issued_on,
                       valid_until=valid_until, source=source)  # fmt: skip
    if kind == CertificateKind.CDPF:
        try:
            parsed = parse_disability_cert(number)
        except IdentifierError as exc:
            raise RegistryError(str(exc)) from None
        if crypto.lookup_hash(parsed.resident_id.number) != person.id_hash:
            raise RegistryError("残疾人证号中的身份证号与本人身份证号不一致")
        cert.category, cert.level, cert.suffix = parsed.category, parsed.level, parsed.suffix
        cert.number_hash = cert_lookup_hash(parsed.number)
        cert.number_masked = f"{person.id_masked}{parsed.category}{parsed.level}{parsed.suffix}"
        cert.number_cipher = crypto.encrypt(parsed.full_number)
    elif kind == CertificateKind.MILITARY:
        if military_level is None or not 1 <= int(military_level) <= 10:
            raise RegistryError("残疾军人证伤残等级应为1至10级")
        number = number.strip()
        if not number:
            raise RegistryError("请填写残疾军人证号")
        cert.military_level = int(military_level)
        cert.number_hash = crypto.lookup_hash("MIL:" + number)
        cert.number_masked = (number[:2] + "*" * max(0, len(number) - 4) + number[-2:]) if len(number) > 4 else "****"
        cert.number_cipher = crypto.encrypt(number)
    else:
        raise RegistryError(f"未知证件类型：{kind}")
    with transaction.atomic(), unscoped():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        duplicate = Certificate.objects.filter(
            person=person, number_hash=cert.number_hash, issued_on=issued_on, suffix=cert.suffix
        ).exists()
        if duplicate:
            raise RegistryError("该证件已登记")
        cert.save()
        refresh_current_certificate(person, today())
        audit.record(
            audit.AuditAction.CREATE,
            actor=actor,
            obj=cert,
            object_label=f"{person.name} {cert}",
            changes={"kind": kind, "number": cert.number_masked, "issued_on": issued_on, "valid_until": valid_until},
        )
    return cert


def add_employment_record(
    person: Person,
    *,
    actor: Any,
    form: str,
    start_date: date,
    end_date: date | None = None,
    employer: Any = None,
    employer_name: str = "",
    employer_uscc: str = "",
    contract_months: int | None = None,
    on_establishment: bool = False,
    monthly_wage: Decimal | None = None,
    social_insurance: bool = False,
    source: str = RecordSource.OFFICER,
    note: str = "",
) -> EmploymentRecord:
    """Add one employment spell and re-derive the person's status."""
    if form not in EmploymentForm.values:
        raise RegistryError(f"未知就业形式：{form}")
    if end_date and end_date < start_date:
        raise RegistryError("结束日期不能早于开始日期")
    if start_date > today():
        raise RegistryError("开始日期不能晚于今天")
    if monthly_wage is not None and monthly_wage < 0:
        raise RegistryError("月工资不能为负数")
    if employer is not None:
        employer_name = employer_name or employer.name
        employer_uscc = employer_uscc or employer.uscc
    with transaction.atomic(), unscoped():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        overlap = EmploymentRecord.objects.filter(person=locked, form=form, start_date=start_date)
        if employer_uscc:
            overlap = overlap.filter(employer_uscc=employer_uscc)
        if overlap.exists():
            raise RegistryError("同一单位、同一开始日期的就业记录已存在")
        record = EmploymentRecord.objects.create(
            person=locked,
            district_id=locked.district_id,
            form=form,
            employer=employer,
            employer_name=employer_name,
            employer_uscc=employer_uscc,
            start_date=start_date,
            end_date=end_date,
            contract_months=contract_months,
            on_establishment=on_establishment,
            monthly_wage=monthly_wage,
            social_insurance=social_insurance,
            source=source,
            note=note,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        status = recompute_status(locked)
        from ablework.people.actions.difficulty import exit_on_reemployment  # here: difficulty imports this module

        exit_on_reemployment(locked, actor=actor, on=start_date, form=form)
        audit.record(
            audit.AuditAction.CREATE,
            actor=actor,
            obj=record,
            object_label=f"{locked.name} {record}",
            changes={"form": form, "employer": employer_name, "start_date": start_date, "end_date": end_date,
                     "source": source, "status": status},
        )  # fmt: skip
    person.status, person.status_since = locked.status, locked.status_since
    return record


def end_employment(record: EmploymentRecord, *, actor: Any, end_date: date, reason: str = "") -> EmploymentRecord:
    if end_date < record.start_date:
        raise RegistryError("结束日期不能早于开始日期")
    with transaction.atomic(), unscoped():
        locked = EmploymentRecord.objects.select_for_update().get(pk=record.pk)
        before = locked.end_date
        locked.end_date = end_date
        locked.save(update_fields=["end_date"])
        person = Person.objects.select_for_update().get(pk=locked.person_id)
        recompute_status(person)
        audit.record(
            audit.AuditAction.UPDATE,
            actor=actor,
            obj=locked,
            changes=audit.diff({"end_date": before}, {"end_date": end_date}) | {"reason": reason},
        )
    return locked


def set_job_wish(person: Person, *, actor: Any, wants_job: bool | None) -> str:
    """Record the stated wish to work (from an info check or need registration); re-derives status.
    Call inside the transaction of the service record that carries the wish."""
    if person.wants_job != wants_job:
        before = person.wants_job
        person.wants_job = wants_job
        with unscoped():
            Person.objects.filter(pk=person.pk).update(wants_job=wants_job)
        audit.record(
            audit.AuditAction.UPDATE, actor=actor, obj=person,
            changes=audit.diff({"wants_job": before}, {"wants_job": wants_job}),
        )  # fmt: skip
    return recompute_status(person)


def refresh_statuses(*, on: date | None = None, chunk: int = 2000) -> int:
    """Re-derive every person's status (a person leaves working age on a birthday with no write to
    their record).  Set-based per chunk; returns how many changed.  Run daily as a task."""
    on = on or today()
    with unscoped():
        return _refresh_statuses(on, chunk)


def _refresh_statuses(on: date, chunk: int) -> int:
    changed = 0
    ids = list(Person.objects.filter(merged_into__isnull=True).values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        spells: dict[int, list[rules.Spell]] = {}
        for pid, s, e in EmploymentRecord.objects.filter(person_id__in=part).values_list(
            "person_id", "start_date", "end_date"
        ):
            spells.setdefault(pid, []).append(rules.Spell(s, e))
        updates: dict[str, list[int]] = {}
        for pid, birth, sex, wish, status in Person.objects.filter(pk__in=part).values_list(
            "pk", "birth_date", "sex", "wants_job", "status"
        ):
            limits, _ = working_age_limits(birth)
            new = rules.derive_status(
                working_age=rules.is_working_age(birth, sex, on, limits),
                spells=spells.get(pid, []),
                wants_job=wish,
                on=on,
            )
            if new != status:
                updates.setdefault(new, []).append(pid)
        with transaction.atomic():
            for status, pids in updates.items():
                changed += Person.objects.filter(pk__in=pids).update(status=status, status_since=on)
    return changed


def reveal_resident_id(person: Person, *, actor: Any, purpose: str) -> str:
    """Decrypt the full ID number for an authorised officer; every unmasking is audited with its purpose."""
    if not purpose.strip():
        raise ValueError("查看完整身份证号必须填写用途")
    audit.record_read(person, actor=actor, purpose=purpose, action=audit.AuditAction.UNMASK)
    return crypto.decrypt(person.id_cipher)
