"""Writes of the annual review (年审 / 联网认证, policy-rules §2, §3, §4): campaigns, declarations,
declared employees, dispatch filings (劳务派遣备案), uploads, the one-unit rule (R2.7) and the review.

The review is a workflow (``core.workflow``) over ``Declaration.status``::

    draft ──submit──▶ submitted ──certify──▶ certified
      ▲                  │
      └──(returned)◀─return (reasons)

Submission is by the unit's own user or by a district officer on its behalf; the decision is one
chain stage "区级审核" by a district officer.  Maker-checker: the workflow refuses the submitter, and
``_check_not_maker`` refuses anyone who entered the declaration or any of its persons or filings.
While submitted, the reviewer may reject individual persons with a reason (or accept them again);
certification accepts the remaining persons that passed validation, computes the weighted count
(R2.5) and the levy (``rules.compute_levy`` with ``parameters.levy_params``) and stores it.

A late declaration (submitted after the window, R3.1) is reviewed as usual but counts as "placed
none": its accepted count for the levy is 0 and the explanation says why.

Access is decided before an action is called (``quota.access``: the view fetched the declaration in
the user's scope); inside, actions read rows ``unscoped()`` so they behave the same in a request, a
task or a test.  Every write is audited in its transaction.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from ablework.accounts.enums import Role
from ablework.core import audit, crypto, workflow
from ablework.core.enums import AuditAction
from ablework.core.explain import ParamRef
from ablework.core.files import document_problem
from ablework.core.identifiers import IdentifierError, parse_disability_cert, parse_resident_id, parse_uscc
from ablework.core.money import round_fen
from ablework.core.policy import PolicyParameterMissing, get_param
from ablework.core.scoping import unscoped
from ablework.core.workflow import ChainStep, Transition, TransitionNotAllowed, Workflow
from ablework.employers import api as employers_api
from ablework.people import api as people_api
from ablework.quota import rules
from ablework.quota.enums import (
    CampaignStatus,
    CertKind,
    ConflictDecision,
    ConflictState,
    CountingParty,
    DeclarationStatus,
    ReviewOutcome,
    UploadKind,
)
from ablework.quota.models import (
    Campaign,
    CountConflict,
    CountedElsewhere,
    Declaration,
    DeclaredEmployee,
    DispatchFiling,
    LevyResult,
    Upload,
)
from ablework.quota.parameters import LevyParameterError, levy_params

__all__ = [
    "DECLARATION_FLOW",
    "REVIEW_CHAIN",
    "ConflictScan",
    "EmployeeResult",
    "Identity",
    "ReviewError",
    "SubmitResult",
    "add_dispatch_filing",
    "add_employee",
    "add_upload",
    "certify_declaration",
    "create_campaign",
    "create_declaration",
    "detect_conflicts",
    "ensure_review_chain",
    "identify",
    "maker_refusal",
    "remove_dispatch_filing",
    "remove_employee",
    "remove_upload",
    "resolve_conflict",
    "return_declaration",
    "revalidate_declaration",
    "review_employee",
    "submit_declaration",
    "today",
    "update_declaration",
]

REVIEW_CHAIN = "annual_review"
REVIEW_CHAIN_NAME = "按比例就业年审"
REVIEW_STAGE = "区级审核"
DEFAULT_REVIEW_DAYS = 15
REQUIRED_UPLOADS = (UploadKind.DECLARATION_FORM, UploadKind.PLEDGE)
RESOLVER_ROLES = frozenset({Role.DISTRICT_OFFICER, Role.DISTRICT_REVIEWER, Role.CITY_ADMIN, Role.CITY_REVIEWER})

DECLARATION_FLOW = Workflow(
    "annual_review",
    model="quota.Declaration",
    field="status",
    chain=REVIEW_CHAIN,
    transitions=[
        Transition("submit", source=("draft", "returned"), target="submitted", label="提交申报",
                   roles={Role.EMPLOYER_USER, Role.DISTRICT_OFFICER}, step=ChainStep.SUBMIT),
        Transition("certify", source="submitted", target="certified", label="审核认定", step=ChainStep.APPROVE),
        Transition("return", source="submitted", target="returned", label="退回修改", step=ChainStep.RETURN,
                   note_required=True),
    ],
)  # fmt: skip


class ReviewError(ValueError):
    """A write refused by a rule of the annual review.  ``errors`` maps a form field to its message
    where the problem belongs to one field; ``str(err)`` is all messages, in Chinese, for the user."""

    def __init__(self, message: str | dict[str, str]) -> None:
        self.errors: dict[str, str] = dict(message) if isinstance(message, dict) else {}
        super().__init__("；".join(self.errors.values()) if isinstance(message, dict) else message)


def today() -> date:
    return timezone.localdate()


def _at(on: date | None) -> datetime:
    """Now, or noon of ``on`` (a date given by a caller that replays a past day, e.g. a test)."""
    if on is None:
        return timezone.now()
    return timezone.make_aware(datetime.combine(on, time(12)))


def ensure_review_chain(on: date | None = None) -> None:
    """Create (or bring up to date) the one-stage chain "区级审核" by a district officer; idempotent.
    The deadline is ``annual_review.review_days`` when the city stores that parameter, else 15 working days."""
    value = get_param("annual_review", on=on or today(), default=None).value
    days = DEFAULT_REVIEW_DAYS
    if isinstance(value, dict) and str(value.get("review_days", "")).isdigit():
        days = int(value["review_days"])
    workflow.ensure_chain(REVIEW_CHAIN, REVIEW_CHAIN_NAME, [(REVIEW_STAGE, Role.DISTRICT_OFFICER, days)])


# --- campaigns ---------------------------------------------------------------------------------------


def _window(key: str, year: int) -> tuple[date, date, dict[str, Any]] | None:
    """A window parameter (``{"start": "MM-DD", "end": "MM-DD"}``) of ``year`` as dates, with its source."""
    pv = get_param(key, on=date(year, 1, 1), default=None)
    if not isinstance(pv.value, dict):
        return None
    try:
        start, end = (date(year, *(int(x) for x in str(pv.value[k]).split("-"))) for k in ("start", "end"))
    except (KeyError, TypeError, ValueError):
        raise ReviewError(f"政策参数“{key}”（{year}年）的日期格式应为MM-DD，请由市级管理员更正") from None
    return start, end, {"key": key, "value": pv.value, "source": pv.source, "confirmed": pv.confirmed}


def create_campaign(
    *,
    actor: Any,
    data_year: int,
    declaration_start: date | None = None,
    declaration_end: date | None = None,
    levy_start: date | None = None,
    levy_end: date | None = None,
) -> Campaign:
    """Open the annual review of ``data_year``.  The windows are read from the parameters
    ``declaration_window`` and ``levy_window`` of the following year (R3.2: the declaration happens in
    the year after the data year); dates given explicitly override them and are recorded as such.
    Raises ``ReviewError`` when the year already has a campaign or no declaration window is known."""
    year = data_year + 1
    sources: dict[str, Any] = {}
    if declaration_start is None or declaration_end is None:
        window = _window("declaration_window", year)
        if window is None:
            raise ReviewError(
                f"政策参数“declaration_window”没有{year}年的申报期，请先由市级管理员维护，或在此直接填写申报起止日期"
            )
        declaration_start = declaration_start or window[0]
        declaration_end = declaration_end or window[1]
        sources["declaration_window"] = window[2]
    else:
        sources["declaration_window"] = {"source": "创建批次时指定"}
    if levy_start is None and levy_end is None:
        levy = _window("levy_window", year)
        if levy is not None:
            levy_start, levy_end = levy[0], levy[1]
            sources["levy_window"] = levy[2]
    else:
        sources["levy_window"] = {"source": "创建批次时指定"}
    if declaration_end < declaration_start:
        raise ReviewError({"declaration_end": "申报截止日期不能早于开始日期"})
    if levy_start and levy_end and levy_end < levy_start:
        raise ReviewError({"levy_end": "保障金缴纳截止日期不能早于开始日期"})
    with transaction.atomic():
        if Campaign.objects.filter(data_year=data_year).exists():
            raise ReviewError({"data_year": f"{data_year}年度的年审批次已存在"})
        campaign = Campaign.objects.create(
            data_year=data_year,
            declaration_start=declaration_start,
            declaration_end=declaration_end,
            levy_start=levy_start,
            levy_end=levy_end,
            window_sources=sources,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=campaign,
            changes=audit.diff(
                {},
                {"data_year": data_year, "declaration_start": declaration_start, "declaration_end": declaration_end,
                 "levy_start": levy_start, "levy_end": levy_end},
            ),
        )  # fmt: skip
    return campaign


# --- declarations ------------------------------------------------------------------------------------


def _decimal(raw: Any, label: str, field_name: str) -> Decimal:
    if isinstance(raw, float):
        raw = str(raw)
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ReviewError({field_name: f"{label}不是有效数字：{raw}"}) from None
    if not value.is_finite():
        raise ReviewError({field_name: f"{label}不是有效数字：{raw}"})
    return value


def _staff_values(staff_count: Any, monthly_staff: Iterable[Any] | None) -> tuple[Decimal, list[str] | None]:
    """(staff_count for the column, the twelve figures as strings or None) — exactly one way must be given."""
    if monthly_staff is not None:
        figures = [_decimal(v, f"{i}月末在职职工人数", "monthly_staff") for i, v in enumerate(monthly_staff, start=1)]
        try:
            exact = rules.average_staff(figures)
        except rules.LevyInputError as exc:
            raise ReviewError({"monthly_staff": str(exc)}) from None
        if exact <= 0:
            raise ReviewError({"monthly_staff": "在职职工年平均人数必须大于0"})
        return exact.quantize(Decimal("0.0001")), [format(f.normalize(), "f") for f in figures]
    if staff_count in (None, ""):
        raise ReviewError({"staff_count": "请填写在职职工年平均人数，或填写12个月末在职职工人数"})
    value = _decimal(staff_count, "在职职工年平均人数", "staff_count")
    if value <= 0:
        raise ReviewError({"staff_count": "在职职工年平均人数必须大于0"})
    if value != value.quantize(Decimal("0.0001")):
        raise ReviewError({"staff_count": "在职职工年平均人数最多保留4位小数；按月填写时系统按12个月精确计算"})
    return value, None


def _wages(total_wages: Any) -> Decimal:
    value = _decimal(total_wages, "上年在职职工工资总额", "total_wages")
    if value < 0:
        raise ReviewError({"total_wages": "上年在职职工工资总额不能为负数"})
    if value != round_fen(value):
        raise ReviewError({"total_wages": "工资总额最多保留2位小数（元，精确到分）"})
    return value


def create_declaration(
    employer: Any,
    *,
    actor: Any,
    campaign: Campaign,
    total_wages: Any,
    staff_count: Any = None,
    monthly_staff: Iterable[Any] | None = None,
) -> Declaration:
    """Start the unit's declaration for ``campaign`` (by its own user, or an officer on its behalf).

    One declaration per unit and data year.  Staff is the annual average (a decimal, R2.6) or the
    twelve month-end figures, averaged exactly.  Raises ``ReviewError``."""
    staff, monthly = _staff_values(staff_count, monthly_staff)
    wages = _wages(total_wages)
    if campaign.status != CampaignStatus.OPEN:
        raise ReviewError(f"{campaign.data_year}年度年审已结束，不能新建申报")
    if getattr(employer, "status", "active") != "active":
        raise ReviewError("该单位已注销，不能申报")
    with transaction.atomic(), unscoped():
        if Declaration.objects.filter(employer=employer, campaign=campaign).exists():
            raise ReviewError(f"“{employer.name}”已有{campaign.data_year}年度的申报，请在原申报中修改")
        try:
            with transaction.atomic():
                decl = Declaration.objects.create(
                    employer=employer, campaign=campaign, staff_count=staff, monthly_staff=monthly,
                    total_wages=wages, entered_by=actor if getattr(actor, "pk", None) else None,
                )  # fmt: skip
        except IntegrityError:
            raise ReviewError(f"“{employer.name}”已有{campaign.data_year}年度的申报") from None
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=decl,
            changes=audit.diff({}, {"staff_count": staff, "monthly_staff": monthly, "total_wages": wages}),
        )
    return decl


def _lock(decl: Declaration) -> Declaration:
    return (
        Declaration._base_manager.select_for_update().select_related("campaign", "employer__district").get(pk=decl.pk)
    )


def _check_editable(decl: Declaration) -> None:
    if not decl.editable:
        raise ReviewError(f"申报当前为“{decl.get_status_display()}”，不能修改")


def update_declaration(
    decl: Declaration,
    *,
    actor: Any,
    total_wages: Any,
    staff_count: Any = None,
    monthly_staff: Iterable[Any] | None = None,
) -> Declaration:
    """Change staff and wages of a draft or returned declaration.  Raises ``ReviewError``."""
    staff, monthly = _staff_values(staff_count, monthly_staff)
    wages = _wages(total_wages)
    with transaction.atomic(), unscoped():
        locked = _lock(decl)
        _check_editable(locked)
        before = {
            "staff_count": locked.staff_count,
            "monthly_staff": locked.monthly_staff,
            "total_wages": locked.total_wages,
        }
        locked.staff_count, locked.monthly_staff, locked.total_wages = staff, monthly, wages
        locked.save(update_fields=["staff_count", "monthly_staff", "total_wages", "updated_at"])
        after = {"staff_count": staff, "monthly_staff": monthly, "total_wages": wages}
        audit.record(AuditAction.UPDATE, actor=actor, obj=locked, changes=audit.diff(before, after))
    decl.staff_count, decl.monthly_staff, decl.total_wages = staff, monthly, wages
    return decl


# --- who is the person --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """A disabled person as identified from the certificate (and, for a 残疾军人证, the resident ID)."""

    kind: str
    id_hash: str
    id_masked: str
    cert_hash: str
    cert_masked: str
    category: int | None
    level: int
    birth_date: date
    sex: str
    person: Any  # people.Person or None (not in the Tianjin registry)


def identify(*, cert_kind: str, certificate_number: str, resident_id: str = "", level: Any = None) -> Identity:
    """Parse the certificate (R2.4) and look the holder up in the registry (``people.api``).

    A 残疾人证号 embeds the holder's resident ID, category and level.  A 残疾军人证 has a free number, so
    the holder's resident ID and the level (1–10) are asked for.  Raises ``ReviewError`` (field errors)."""
    number = (certificate_number or "").strip().upper()
    if cert_kind == CertKind.CDPF:
        try:
            cert = parse_disability_cert(number)
        except IdentifierError as exc:
            raise ReviewError({"certificate_number": str(exc)}) from None
        rid = cert.resident_id
        if resident_id and resident_id.strip().upper() != rid.number:
            raise ReviewError({"resident_id": "残疾人证号前18位（身份证号）与填写的身份证号不一致"})
        person = people_api.find_person_by_certificate(number)
        return Identity(
            kind=CertKind.CDPF,
            id_hash=crypto.lookup_hash(rid.number),
            id_masked=rid.masked,
            cert_hash=crypto.lookup_hash("CERT:" + cert.number),  # as people.actions.cert_lookup_hash
            cert_masked=f"{rid.masked}{cert.category}{cert.level}{cert.suffix}",
            category=cert.category,
            level=cert.level,
            birth_date=rid.birth_date,
            sex=rid.sex,
            person=person,
        )
    if cert_kind != CertKind.MILITARY:
        raise ReviewError({"cert_kind": "证件类型应为残疾人证或残疾军人证"})
    errors: dict[str, str] = {}
    if not number:
        errors["certificate_number"] = "请填写残疾军人证号"
    elif len(number) > 30:
        errors["certificate_number"] = "残疾军人证号过长（最多30个字符）"
    try:
        rid = parse_resident_id(resident_id or "")
    except IdentifierError as exc:
        errors["resident_id"] = f"残疾军人证须填写持证人身份证号：{exc}"
    try:
        mil_level = int(level)
    except (TypeError, ValueError):
        mil_level = 0
    if not 1 <= mil_level <= 10:
        errors["level"] = "残疾军人证须填写伤残等级（1至10级）"
    if errors:
        raise ReviewError(errors)
    masked = number[:2] + "*" * max(len(number) - 4, 0) + number[-2:] if len(number) > 4 else "*" * len(number)
    return Identity(
        kind=CertKind.MILITARY,
        id_hash=crypto.lookup_hash(rid.number),
        id_masked=rid.masked,
        cert_hash=crypto.lookup_hash("MIL:" + number),
        cert_masked=masked,
        category=None,
        level=mil_level,
        birth_date=rid.birth_date,
        sex=rid.sex,
        person=people_api.find_person_by_resident_id(rid.number),
    )


# --- validation (R2.3, R2.4, R2.7) ---------------------------------------------------------------------


@dataclass
class _Context:
    """What validating one declaration's persons needs, read once."""

    year: int
    audit_date: date
    params: rules.LevyParams
    checks: rules.CountChecks
    min_wage: rules.Param[Decimal] | None
    own_uscc: str
    filings: dict[str, list[DispatchFiling]] = field(default_factory=dict)  # id_hash → filings of the year
    elsewhere: dict[str, CountedElsewhere] = field(default_factory=dict)  # id_hash → counted in another province


def _context(decl: Declaration, on: date, hashes: Iterable[str]) -> _Context:
    year = decl.campaign.data_year
    district = decl.employer.district
    try:
        params = levy_params(year, district)
    except (PolicyParameterMissing, LevyParameterError) as exc:
        raise ReviewError(f"无法核验：{exc}") from None
    checks = params.count_checks or rules.CountChecks(
        min_contract_months=12, require_min_wage=True, require_social_insurance=True, require_in_post=False,
        require_bank_wage=False,
        ref=ParamRef("count_checks", None, "未配置，按财税〔2015〕72号第7条（policy-rules R2.3）", False),
    )  # fmt: skip
    wage_pv = get_param("min_wage_monthly", on=date(year, 12, 31), district=district, default=None)
    min_wage = None if wage_pv.value is None else rules.Param(Decimal(str(wage_pv.value)), wage_pv.ref())
    filings: dict[str, list[DispatchFiling]] = defaultdict(list)
    with unscoped():
        for f in DispatchFiling.objects.filter(declaration__campaign__data_year=year, id_hash__in=list(set(hashes))):
            filings[f.id_hash].append(f)
        elsewhere = {
            c.id_hash: c for c in CountedElsewhere.objects.filter(data_year=year, id_hash__in=list(set(hashes)))
        }
    return _Context(year, on, params, checks, min_wage, decl.employer.uscc, filings, elsewhere)


def _working_age_unknown(birth: date, sex: str, on: date) -> tuple[bool, ParamRef | None]:
    pv = get_param("working_age", on=birth, default=None)
    if not isinstance(pv.value, dict):
        return True, None
    limits = {k: int(pv.value[k]) for k in ("min_age", "male_max_age", "female_max_age")}
    return rules.in_working_age(birth, sex, on, **limits), pv.ref()


def _si_months_checked(emp: DeclaredEmployee, ctx: _Context, warnings: list[str]) -> int:
    """The social-insurance months to count: the partner feed (人社/医保, via ``people.api``) when it reports
    this person and is fresh — partner data wins over the declaration, as the registry's certificate does —
    otherwise the declared months, with a warning saying why."""
    declared = emp.social_insurance_months
    if emp.person is None:
        return declared
    si = people_api.si_paid_months(
        emp.person, start=date(ctx.year, 1, 1), end=date(ctx.year, 12, 31), employer_uscc=ctx.own_uscc
    )
    if si.as_of is None:
        return declared  # the feeds never reported this person: nothing to compare
    received = timezone.localtime(si.as_of).date()
    if si.is_stale(ctx.audit_date):
        warnings.append(
            f"社保共享数据最近更新于{received:%Y-%m-%d}，已超过时效，按申报的{declared}个月计，请核对缴费凭证"
        )
        return declared
    fed = len(si.months)
    if fed != declared:
        warnings.append(
            f"社保共享数据（{si.source or '人社部门'}，更新于{received:%Y-%m-%d}）显示本单位{ctx.year}年为该人员"
            f"缴费{fed}个月，与申报的{declared}个月不一致，按共享数据计"
        )
    return fed


def _validate(emp: DeclaredEmployee, ctx: _Context) -> dict[str, Any]:
    """Check one person (R2.3, R2.4, R2.7) on the audit date; returns the dict stored in ``validation``:
    ``errors`` (the person does not count), ``warnings`` (to be looked at), the effective certificate
    (the registry's valid one wins over the declared one: partner data is used where present),
    ``counts`` and the explanation of ``rules.check_counts``."""
    errors: list[str] = []
    warnings: list[str] = []
    year_end = date(ctx.year, 12, 31)
    kind, level, category = emp.cert_kind, emp.level, emp.category
    if emp.person is not None:
        now = people_api.person_facts(emp.person, ctx.audit_date)
        working_age = people_api.person_facts(emp.person, year_end).working_age
        if now.cert_valid:
            if now.cert_kind and now.cert_kind != emp.cert_kind:
                warnings.append(
                    f"本市残疾人信息库中该人员的有效证件为{rules.CERTIFICATE_NAMES.get(now.cert_kind, now.cert_kind)}，"
                    "与申报的证件类型不一致，按库中证件计算"
                )
            if now.level is not None and (now.cert_kind, now.level) != (emp.cert_kind, emp.level):
                warnings.append(f"库中登记等级为{now.level}级，与申报的{emp.level}级不一致，按库中等级计算")
            kind, level, category = now.cert_kind or kind, now.level or level, now.category
        elif ctx.params.accepted.require_valid_on_audit_date:
            errors.append(
                f"审核日（{ctx.audit_date:%Y-%m-%d}）本市残疾人信息库中没有该人员的有效证件（已过期、已注销或未登记）"
            )
        else:
            warnings.append(f"审核日（{ctx.audit_date:%Y-%m-%d}）库中没有该人员的有效证件")
        if now.name and emp.name and now.name != emp.name:
            warnings.append(f"申报姓名“{emp.name}”与库中姓名“{now.name}”不一致")
    else:
        working_age, _ref = _working_age_unknown(_birth(emp), str(emp.validation.get("sex", "M")), year_end)
        warnings.append(
            "本市残疾人信息库中未找到该人员：外省市证件同样计入（R2.2），请上传证件复印件，由审核人员核验证件有效期"
        )
    if not emp.on_establishment and emp.contract_start is None:
        errors.append("请填写劳动合同（服务协议）开始日期；在编人员请勾选“在编”")
    if emp.on_establishment and emp.contract_start is None:
        employed = 12
    else:
        employed = rules.months_in_year(emp.contract_start, emp.contract_end, ctx.year)
        if emp.contract_start is not None and employed == 0:
            errors.append(f"合同期间与{ctx.year}年度不重叠：该人员{ctx.year}年度未在本单位就业")
        elif 0 < employed < 12:
            warnings.append(
                f"{ctx.year}年度在本单位就业{employed}个月（合同{_period(emp.contract_start, emp.contract_end)}）"
            )
    if emp.contract_start is not None and emp.contract_end is None:
        months: int | None = ctx.checks.min_contract_months  # an open-ended contract (无固定期限) qualifies
    else:
        months = emp.contract_months
    si_months = _si_months_checked(emp, ctx, warnings)
    si_full = employed > 0 and si_months >= employed
    if employed > 0 and not si_full:
        warnings.append(f"本年度缴纳社会保险{si_months}个月，少于在职的{employed}个月")
    facts = rules.EmploymentFacts(
        person=rules.DisabledEmployee(kind, level, category),
        certificate_valid_until=None,  # the registry's answer is checked above (valid on the audit date)
        working_age=working_age,
        on_establishment=emp.on_establishment,
        contract_months=months,
        lowest_monthly_wage=emp.monthly_wage,
        social_insurance_full=si_full,
        in_post=emp.in_post,
        bank_wage=emp.bank_wage,
    )
    decision = rules.check_counts(
        facts, audit_date=ctx.audit_date, accepted=ctx.params.accepted, checks=ctx.checks, min_wage=ctx.min_wage
    )
    if not working_age:
        warnings.append(f"{ctx.year}年末该人员不在法定劳动年龄内")
    errors.extend(r for r in decision.reasons if r)
    other = ctx.elsewhere.get(emp.id_hash)
    if other is not None:
        warnings.append(
            f"跨省通办核查（{timezone.localtime(other.checked_at):%Y-%m-%d}）：该人员{ctx.year}年度已由"
            f"{other.province}{other.unit_name or '外省单位'}计入按比例就业；同一人只能由一个单位计入（R2.7），"
            "请核实劳动关系后逐人决定是否计入"
        )
    for f in ctx.filings.get(emp.id_hash, []):
        if f.counting_uscc != ctx.own_uscc:
            errors.append(
                f"劳务派遣备案（派遣单位{f.dispatcher_name or f.dispatcher_uscc}，用工单位"
                f"{f.receiver_name or f.receiver_uscc}）约定由{f.counting_name}计算该人员，本单位不得计入（R2.7）"
            )
    return {
        "errors": errors,
        "warnings": warnings,
        "checked_on": ctx.audit_date.isoformat(),
        "counts": not errors,
        "effective": {"kind": kind, "level": level, "category": category},
        "employed_months": employed,
        "explanation": decision.explanation.as_dict(),
    }


def _birth(emp: DeclaredEmployee) -> date:
    raw = emp.validation.get("birth_date")
    return date.fromisoformat(raw) if raw else date(1900, 1, 1)


def _period(start: date | None, end: date | None) -> str:
    return f"{start:%Y-%m-%d}至{end:%Y-%m-%d}" if start and end else f"{start:%Y-%m-%d}起，无固定期限" if start else "—"


def _with_identity(result: dict[str, Any], emp: DeclaredEmployee) -> dict[str, Any]:
    # Birth date and sex (from the resident ID) are kept for re-validating persons outside the registry.
    result["birth_date"] = emp.validation.get("birth_date")
    result["sex"] = emp.validation.get("sex")
    return result


def revalidate_declaration(decl: Declaration, *, on: date | None = None) -> list[DeclaredEmployee]:
    """Validate every person of ``decl`` again on ``on`` (the audit date) and store the results (one
    bulk update).  Call inside the caller's transaction."""
    with unscoped():
        employees = list(DeclaredEmployee.objects.filter(declaration=decl).select_related("person"))
        if not employees:
            return []
        ctx = _context(decl, on or today(), [e.id_hash for e in employees])
        for emp in employees:
            emp.validation = _with_identity(_validate(emp, ctx), emp)
        DeclaredEmployee.objects.bulk_update(employees, ["validation"])
    return employees


def _revalidate_hashes(year: int, hashes: set[str], *, on: date) -> None:
    """Re-validate the persons ``hashes`` on every editable declaration of the year (a filing changed)."""
    with unscoped():
        decl_ids = set(
            DeclaredEmployee.objects.filter(declaration__campaign__data_year=year, id_hash__in=list(hashes))
            .filter(
                declaration__status__in=[
                    DeclarationStatus.DRAFT,
                    DeclarationStatus.RETURNED,
                    DeclarationStatus.SUBMITTED,
                ]
            )
            .values_list("declaration_id", flat=True)
        )
        for decl in Declaration.objects.filter(pk__in=decl_ids).select_related("campaign", "employer__district"):
            revalidate_declaration(decl, on=on)


# --- employees ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmployeeResult:
    employee: DeclaredEmployee
    conflicts: list[CountConflict]


def add_employee(
    decl: Declaration,
    *,
    actor: Any,
    cert_kind: str = CertKind.CDPF,
    certificate_number: str,
    resident_id: str = "",
    level: Any = None,
    name: str = "",
    contract_start: date | None,
    contract_end: date | None = None,
    on_establishment: bool = False,
    monthly_wage: Any,
    social_insurance_months: int,
    in_post: bool = True,
    bank_wage: bool = True,
    on: date | None = None,
) -> EmployeeResult:
    """Add a disabled employee by certificate number and validate them on ``on`` (default today).

    The person need not be in the Tianjin registry (R2.2).  Validation never refuses the row: failed
    checks are stored as errors (the person will not count) and shown with Chinese messages.  The
    one-unit rule is checked at once: another declaration of the same data year claiming the person
    opens a ``CountConflict``.  Raises ``ReviewError`` for bad input or a non-editable declaration."""
    ident = identify(cert_kind=cert_kind, certificate_number=certificate_number, resident_id=resident_id, level=level)
    errors: dict[str, str] = {}
    wage = _decimal(monthly_wage, "月实发工资", "monthly_wage")
    if wage < 0:
        errors["monthly_wage"] = "月工资不能为负数"
    if not isinstance(social_insurance_months, int) or not 0 <= social_insurance_months <= 12:
        errors["social_insurance_months"] = "本年度缴纳社会保险月数应为0至12"
    if contract_start is None and not on_establishment:
        errors["contract_start"] = "请填写劳动合同（服务协议）开始日期；在编人员请勾选“在编”"
    months = None
    if contract_start and contract_end:
        if contract_end < contract_start:
            errors["contract_end"] = "合同结束日期不能早于开始日期"
        else:
            months = rules.contract_months(contract_start, contract_end)
    elif contract_end and not contract_start:
        errors["contract_start"] = "填写了合同结束日期，请同时填写开始日期"
    display_name = (name or "").strip() or (ident.person.name if ident.person is not None else "")
    if not display_name:
        errors["name"] = "本市残疾人信息库中未找到该人员，请填写姓名"
    if errors:
        raise ReviewError(errors)
    on = on or today()
    with transaction.atomic(), unscoped():
        locked = _lock(decl)
        _check_editable(locked)
        if DeclaredEmployee.objects.filter(declaration=locked, id_hash=ident.id_hash).exists():
            raise ReviewError({"certificate_number": "该人员已在本申报中，请勿重复添加"})
        emp = DeclaredEmployee(
            declaration=locked, person=ident.person, id_hash=ident.id_hash, id_masked=ident.id_masked,
            cert_kind=ident.kind, cert_hash=ident.cert_hash, cert_masked=ident.cert_masked, category=ident.category,
            level=ident.level, name=display_name[:60], contract_start=contract_start, contract_end=contract_end,
            contract_months=months, on_establishment=on_establishment, monthly_wage=wage,
            social_insurance_months=social_insurance_months, in_post=in_post, bank_wage=bank_wage,
            added_by=actor if getattr(actor, "pk", None) else None,
            validation={"birth_date": ident.birth_date.isoformat(), "sex": ident.sex},
        )  # fmt: skip
        ctx = _context(locked, on, [ident.id_hash])
        emp.validation = _with_identity(_validate(emp, ctx), emp)
        emp.save()
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=emp,
            changes=audit.diff(
                {},
                {"name": emp.name, "cert": emp.cert_masked, "level": emp.level, "contract_start": contract_start,
                 "contract_end": contract_end, "on_establishment": on_establishment, "monthly_wage": wage,
                 "social_insurance_months": social_insurance_months, "errors": emp.errors},
            ),
        )  # fmt: skip
        conflicts = _sync_conflicts(locked.campaign.data_year, {ident.id_hash}, actor=actor)
    return EmployeeResult(emp, [c for c in conflicts if locked.pk in (c.declaration_a_id, c.declaration_b_id)])


def remove_employee(emp: DeclaredEmployee, *, actor: Any) -> None:
    """Take a person off a draft or returned declaration; their open conflicts end as "withdrawn"."""
    with transaction.atomic(), unscoped():
        locked = _lock(emp.declaration)
        _check_editable(locked)
        row = DeclaredEmployee.objects.filter(pk=emp.pk, declaration=locked).first()
        if row is None:
            raise ReviewError("该人员已不在本申报中")
        audit.record(
            AuditAction.DELETE,
            actor=actor,
            obj=row,
            changes={"name": [row.name, None], "cert": [row.cert_masked, None]},
        )
        row.delete()
        _sync_conflicts(locked.campaign.data_year, {emp.id_hash}, actor=actor)


# --- dispatch filings --------------------------------------------------------------------------------


def _check_file(upload: UploadedFile | None, field_name: str, label: str) -> None:
    problem = document_problem(upload, label)
    if problem:
        raise ReviewError({field_name: problem})


def add_dispatch_filing(
    decl: Declaration,
    *,
    actor: Any,
    dispatcher_uscc: str,
    receiver_uscc: str,
    cert_kind: str = CertKind.CDPF,
    certificate_number: str,
    resident_id: str = "",
    level: Any = None,
    name: str = "",
    agreement_start: date,
    agreement_end: date | None,
    counting_party: str,
    agreement_file: UploadedFile | None,
    on: date | None = None,
) -> DispatchFiling:
    """File a labour-dispatch agreement (劳务派遣备案, R2.7) with the declaration of one of its parties.

    The declaring unit must be the dispatcher or the receiver; the agreement must cover part of the
    data year and its signed file is required.  The persons concerned are re-validated on every
    declaration of the year (the non-counting party may not count them), and conflicts are re-checked.
    Raises ``ReviewError``."""
    errors: dict[str, str] = {}
    codes: dict[str, str] = {}
    for key, raw, label in (
        ("dispatcher_uscc", dispatcher_uscc, "派遣单位"),
        ("receiver_uscc", receiver_uscc, "用工单位"),
    ):
        try:
            codes[key] = parse_uscc(raw or "").code
        except IdentifierError as exc:
            errors[key] = f"{label}统一社会信用代码：{exc}"
    if counting_party not in CountingParty.values:
        errors["counting_party"] = "请选择计入单位（派遣单位或用工单位）"
    if agreement_start is None:
        errors["agreement_start"] = "请填写协议开始日期"
    elif agreement_end is not None and agreement_end < agreement_start:
        errors["agreement_end"] = "协议结束日期不能早于开始日期"
    if errors:
        raise ReviewError(errors)
    if codes["dispatcher_uscc"] == codes["receiver_uscc"]:
        raise ReviewError({"receiver_uscc": "派遣单位与用工单位不能是同一单位"})
    ident = identify(cert_kind=cert_kind, certificate_number=certificate_number, resident_id=resident_id, level=level)
    display_name = (name or "").strip() or (ident.person.name if ident.person is not None else "")
    if not display_name:
        raise ReviewError({"name": "本市残疾人信息库中未找到该人员，请填写姓名"})
    _check_file(agreement_file, "agreement_file", "残疾人劳务派遣用工认定协议")
    on = on or today()
    with transaction.atomic(), unscoped():
        locked = _lock(decl)
        _check_editable(locked)
        year = locked.campaign.data_year
        if locked.employer.uscc not in (codes["dispatcher_uscc"], codes["receiver_uscc"]):
            raise ReviewError({"dispatcher_uscc": f"本单位（{locked.employer.uscc}）须为派遣单位或用工单位之一"})
        if rules.months_in_year(agreement_start, agreement_end, year) == 0:
            raise ReviewError({"agreement_start": f"协议期间与{year}年度不重叠，无需在本年度备案"})
        if DispatchFiling.objects.filter(declaration=locked, id_hash=ident.id_hash).exists():
            raise ReviewError({"certificate_number": "本申报中已有该人员的劳务派遣备案"})
        names = {}
        for key, code in codes.items():
            unit = employers_api.find_employer_by_uscc(code)
            names[key] = unit.name if unit is not None else ""
        assert agreement_file is not None  # _check_file
        filing = DispatchFiling(
            declaration=locked, dispatcher_uscc=codes["dispatcher_uscc"], dispatcher_name=names["dispatcher_uscc"],
            receiver_uscc=codes["receiver_uscc"], receiver_name=names["receiver_uscc"], person=ident.person,
            id_hash=ident.id_hash, id_masked=ident.id_masked, cert_kind=ident.kind, cert_hash=ident.cert_hash,
            cert_masked=ident.cert_masked, name=display_name[:60], agreement_start=agreement_start,
            agreement_end=agreement_end, counting_party=counting_party,
            agreement_filename=PurePath(agreement_file.name or "协议").name[:200],
            filed_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        filing.agreement_file.save(PurePath(agreement_file.name or "agreement.pdf").name, agreement_file, save=False)
        filing.save()
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=filing,
            changes=audit.diff(
                {},
                {"dispatcher": filing.dispatcher_uscc, "receiver": filing.receiver_uscc, "person": filing.cert_masked,
                 "agreement_start": agreement_start, "agreement_end": agreement_end,
                 "counting_party": counting_party, "file": filing.agreement_filename},
            ),
        )  # fmt: skip
        _revalidate_hashes(year, {ident.id_hash}, on=on)
        _sync_conflicts(year, {ident.id_hash}, actor=actor)
    return filing


def remove_dispatch_filing(filing: DispatchFiling, *, actor: Any, on: date | None = None) -> None:
    """Withdraw a filing from a draft or returned declaration (its file is deleted with it)."""
    with transaction.atomic(), unscoped():
        locked = _lock(filing.declaration)
        _check_editable(locked)
        row = DispatchFiling.objects.filter(pk=filing.pk, declaration=locked).first()
        if row is None:
            raise ReviewError("该备案已撤回")
        audit.record(AuditAction.DELETE, actor=actor, obj=row, changes={"person": [row.cert_masked, None]})
        stored = row.agreement_file.name
        storage = row.agreement_file.storage
        row.delete()
        _revalidate_hashes(locked.campaign.data_year, {filing.id_hash}, on=on or today())
        transaction.on_commit(lambda: storage.delete(stored))


# --- uploads -----------------------------------------------------------------------------------------


def add_upload(decl: Declaration, *, actor: Any, kind: str, file: UploadedFile | None) -> Upload:
    """Attach a document (PDF/JPG/PNG, ≤ 10 MB, content checked against the extension)."""
    if kind not in UploadKind.values:
        raise ReviewError({"kind": "请选择材料类型"})
    _check_file(file, "file", str(UploadKind(kind).label))
    assert file is not None
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    with transaction.atomic(), unscoped():
        locked = _lock(decl)
        _check_editable(locked)
        up = Upload(
            declaration=locked, kind=kind, filename=PurePath(file.name or "file").name[:200], size=file.size or 0,
            sha256=digest.hexdigest(), uploaded_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        up.file.save(up.filename, file, save=False)
        up.save()
        audit.record(
            AuditAction.CREATE, actor=actor, obj=up, changes={"kind": [None, kind], "file": [None, up.filename]}
        )
    return up


def remove_upload(up: Upload, *, actor: Any) -> None:
    with transaction.atomic(), unscoped():
        locked = _lock(up.declaration)
        _check_editable(locked)
        audit.record(AuditAction.DELETE, actor=actor, obj=up, changes={"file": [up.filename, None]})
        stored, storage = up.file.name, up.file.storage
        Upload.objects.filter(pk=up.pk).delete()
        transaction.on_commit(lambda: storage.delete(stored))


# --- submission --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitResult:
    declaration: Declaration
    late: bool
    conflicts: list[CountConflict]
    persons_with_errors: int


def submit_declaration(decl: Declaration, *, actor: Any, on: date | None = None) -> SubmitResult:
    """Submit for district review on ``on`` (default today).

    Refused before the window opens, without the declaration form and the pledge (R3.4).  After the
    window closes the declaration is still accepted but flagged late: it will count as "placed none"
    (R3.1).  Every person is validated again with ``on`` as the audit date; outcomes of an earlier
    round are reset except those decided by a conflict decision.  Raises ``ReviewError`` or
    ``TransitionNotAllowed``."""
    on = on or today()
    ensure_review_chain(on)
    with transaction.atomic(), unscoped():
        locked = _lock(decl)
        _check_editable(locked)
        campaign = locked.campaign
        if on < campaign.declaration_start:
            raise ReviewError(
                f"{campaign.data_year}年度申报期为{campaign.declaration_start:%Y-%m-%d}至"
                f"{campaign.declaration_end:%Y-%m-%d}，尚未开始"
            )
        present = set(Upload.objects.filter(declaration=locked).values_list("kind", flat=True))
        missing = [str(UploadKind(k).label) for k in REQUIRED_UPLOADS if k not in present]
        if missing:
            raise ReviewError(f"请先上传：{'、'.join(missing)}")
        late = on > campaign.declaration_end
        employees = revalidate_declaration(locked, on=on)
        DeclaredEmployee.objects.filter(declaration=locked, decided_by_conflict__isnull=True).update(
            review_outcome=ReviewOutcome.PENDING, review_reason="", reviewed_by=None, reviewed_at=None, weight=None
        )
        DECLARATION_FLOW.apply(locked, "submit", actor=actor, submitted_at=_at(on), late=late)
        conflicts = _sync_conflicts(campaign.data_year, {e.id_hash for e in employees}, actor=actor)
    decl.status, decl.submitted_at, decl.late = locked.status, locked.submitted_at, late
    mine = [c for c in conflicts if decl.pk in (c.declaration_a_id, c.declaration_b_id)]
    return SubmitResult(decl, late, mine, sum(1 for e in employees if e.errors))


# --- review ------------------------------------------------------------------------------------------


def maker_refusal(decl: Declaration, actor: Any) -> str | None:
    """Why ``actor`` may not review ``decl`` because they entered its data (None: they did not).
    The workflow separately refuses the submitter."""
    uid = getattr(actor, "pk", None)
    if uid is None:
        return None
    with unscoped():
        entered = (
            decl.entered_by_id == uid
            or DeclaredEmployee.objects.filter(declaration_id=decl.pk, added_by_id=uid).exists()
            or DispatchFiling.objects.filter(declaration_id=decl.pk, filed_by_id=uid).exists()
        )
    if entered:
        return "您录入了本申报（或其中的人员、劳务派遣备案），不能审核本人录入的申报，须由其他人员办理"
    return None


def _check_reviewer(decl: Declaration, actor: Any) -> None:
    reason = maker_refusal(decl, actor)
    if reason:
        raise TransitionNotAllowed(reason)


def _check_can_decide(decl: Declaration, actor: Any) -> None:
    """The actor could certify now (role of the stage, not the submitter, not a maker)."""
    _check_reviewer(decl, actor)
    if decl.status != DeclarationStatus.SUBMITTED:
        raise ReviewError(f"申报当前为“{decl.get_status_display()}”，不在审核中")
    if not any(t.name == "certify" for t in DECLARATION_FLOW.available_transitions(decl, actor)):
        progress = DECLARATION_FLOW.progress(decl)
        reason = DECLARATION_FLOW._refusal(DECLARATION_FLOW.transition("certify"), decl.status, actor, progress)
        raise TransitionNotAllowed(reason or "您不能审核本申报")


def review_employee(emp: DeclaredEmployee, *, actor: Any, outcome: str, reason: str = "") -> DeclaredEmployee:
    """The reviewer's decision on one person of a submitted declaration: "不予计入" with a reason, or
    "认定计入" (not for a person whose validation failed).  Rejecting a person ends their open conflicts
    in favour of the other unit (a review decision, recorded on the conflict).  Raises ``ReviewError``
    or ``TransitionNotAllowed``."""
    reason = (reason or "").strip()
    if outcome not in (ReviewOutcome.ACCEPTED, ReviewOutcome.REJECTED):
        raise ReviewError({"outcome": "请选择审核结果"})
    if outcome == ReviewOutcome.REJECTED and not reason:
        raise ReviewError({"reason": "不予计入须填写理由（将告知申报单位）"})
    with transaction.atomic(), unscoped():
        decl = _lock(emp.declaration)
        _check_can_decide(decl, actor)
        row = DeclaredEmployee.objects.select_for_update().get(pk=emp.pk, declaration=decl)
        if outcome == ReviewOutcome.ACCEPTED and row.errors:
            raise ReviewError(f"系统核验未通过，不能认定计入：{'；'.join(row.errors)}")
        if outcome == ReviewOutcome.ACCEPTED and row.decided_by_conflict_id:
            raise ReviewError("该人员已按重复计算冲突处理决定不予计入，不能改为计入")
        before = {"review_outcome": row.review_outcome, "review_reason": row.review_reason}
        row.review_outcome = outcome
        row.review_reason = reason if outcome == ReviewOutcome.REJECTED else ""
        row.reviewed_by, row.reviewed_at = actor, timezone.now()
        row.save(update_fields=["review_outcome", "review_reason", "reviewed_by", "reviewed_at", "updated_at"])
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            obj=row,
            changes=audit.diff(before, {"review_outcome": row.review_outcome, "review_reason": row.review_reason}),
        )
        if outcome == ReviewOutcome.REJECTED:
            for conflict in CountConflict.objects.filter(
                Q(declaration_a=decl) | Q(declaration_b=decl), id_hash=row.id_hash, state=ConflictState.OPEN
            ):
                winner = ConflictDecision.COUNT_B if conflict.declaration_a_id == decl.pk else ConflictDecision.COUNT_A
                # The row is rejected already, with the reviewer's reason; it may be corrected and
                # claimed again after a return, which reopens the conflict.
                _close_conflict(
                    conflict, actor=actor, decision=winner, note=f"审核不予计入：{reason}", mark_losers=False
                )
    emp.review_outcome, emp.review_reason = row.review_outcome, row.review_reason
    return row


def return_declaration(decl: Declaration, *, actor: Any, note: str, stage: Any = None) -> Declaration:
    """退回修改 with the reasons (``note``, required); the unit corrects and submits again."""
    with transaction.atomic(), unscoped():
        locked = _lock(decl)
        _check_reviewer(locked, actor)
        DECLARATION_FLOW.apply(locked, "return", actor=actor, note=note, stage=stage)
    decl.status = locked.status
    return decl


def levy_fields(decl: Declaration, counted: Decimal, params: rules.LevyParams) -> dict[str, Any]:
    """The LevyResult columns for ``decl`` with ``counted`` as the certified weighted count."""
    staff, divisor = decl.staff_fraction()
    case = rules.LevyCase(
        unit_kind=decl.employer.kind,
        staff_count=staff,
        staff_divisor=divisor,
        total_wages=decl.total_wages,
        accepted_count=counted,
    )
    try:
        r = rules.compute_levy(case, params)
    except rules.LevyInputError as exc:
        return {"error": str(exc)[:300], "explanation": {}, "weighted_count": counted}
    explanation = r.explanation.as_dict()
    if decl.late:
        explanation["steps"].insert(
            0,
            {"label": "逾期申报", "formula": f"于{decl.submitted_at:%Y-%m-%d}提交，晚于申报截止日"
             f"{decl.campaign.declaration_end:%Y-%m-%d}，视为未安排残疾人就业（R3.1）", "value": "0",
             "outcome": "not_met", "params": [{"key": "declaration_window",
                                               "value": decl.campaign.window_sources.get("declaration_window", {}).get("value"),
                                               "source": decl.campaign.window_sources.get("declaration_window", {}).get("source", ""),
                                               "confirmed": bool(decl.campaign.window_sources.get("declaration_window", {}).get("confirmed"))}]},
        )  # fmt: skip
    six = Decimal("0.000001")
    return {
        "error": "",
        "collected_on": params.collected_on,
        "weighted_count": r.weighted_count.quantize(six),
        "required": r.required.quantize(six),
        "shortfall": r.shortfall.quantize(six),
        "wage_base": round_fen(r.wage_base),
        "gross_levy": round_fen(r.gross_levy),
        "exempt": r.exempt,
        "rate": r.rate,
        "levy_due": r.levy_due,
        "extra_persons": r.extra_persons.quantize(six),
        "explanation": explanation,
    }


def certify_declaration(
    decl: Declaration, *, actor: Any, note: str = "", stage: Any = None, on: date | None = None
) -> LevyResult:
    """审核认定: accept the persons not rejected whose validation passed (the others are rejected with
    the validation's reasons), compute the weighted count (R2.5) — 0 for a late declaration (R3.1) —
    and the levy (R4.1–R4.3) with the data year's parameters, store both, and certify.

    Refused while a conflict of this declaration is open (R2.7: resolved by a decision, never
    silently), to anyone who entered the declaration's data, and by the workflow (role, submitter,
    stage).  Raises ``ReviewError`` or ``TransitionNotAllowed``."""
    with transaction.atomic(), unscoped():
        locked = _lock(decl)
        _check_can_decide(locked, actor)
        open_conflicts = list(
            CountConflict.objects.filter(Q(declaration_a=locked) | Q(declaration_b=locked), state=ConflictState.OPEN)
        )
        if open_conflicts:
            names = "、".join(sorted({c.name for c in open_conflicts}))
            raise ReviewError(
                f"本申报有{len(open_conflicts)}个重复计算冲突尚未处理（{names}），须先作出处理决定（一人只能由一家单位计算）"
            )
        try:
            params = levy_params(locked.campaign.data_year, locked.employer.district)
        except (PolicyParameterMissing, LevyParameterError) as exc:
            raise ReviewError(f"无法计算保障金：{exc}") from None
        now = _at(on)
        employees = list(DeclaredEmployee.objects.filter(declaration=locked).order_by("id"))
        accepted: list[rules.DisabledEmployee] = []
        for emp in employees:
            eff = emp.validation.get("effective") or {}
            person = rules.DisabledEmployee(
                eff.get("kind") or emp.cert_kind, int(eff.get("level") or emp.level), eff.get("category")
            )
            if emp.review_outcome == ReviewOutcome.PENDING:
                if emp.errors:
                    emp.review_outcome = ReviewOutcome.REJECTED
                    emp.review_reason = ("系统核验未通过：" + "；".join(emp.errors))[:300]
                else:
                    emp.review_outcome = ReviewOutcome.ACCEPTED
                emp.reviewed_by, emp.reviewed_at = actor, now
            if emp.review_outcome == ReviewOutcome.ACCEPTED:
                emp.weight = rules.person_weight(person, params.double_count)
                accepted.append(person)
            else:
                emp.weight = None
        DeclaredEmployee.objects.bulk_update(
            employees, ["review_outcome", "review_reason", "reviewed_by", "reviewed_at", "weight"]
        )
        weighted = rules.weighted_count(accepted, params.double_count)
        counted = Decimal(0) if locked.late else weighted
        fields = levy_fields(locked, counted, params)
        LevyResult.objects.update_or_create(
            declaration=locked, defaults={"data_year": locked.campaign.data_year, **fields}
        )
        DECLARATION_FLOW.apply(
            locked, "certify", actor=actor, note=note, stage=stage,
            persons_weighted=weighted, accepted_count=counted, certified_at=now, certified_by=actor,
        )  # fmt: skip
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            obj=locked,
            changes={
                "accepted": [None, [e.pk for e in employees if e.review_outcome == ReviewOutcome.ACCEPTED]],
                "rejected": [None, [e.pk for e in employees if e.review_outcome == ReviewOutcome.REJECTED]],
                "levy_due": [None, fields.get("levy_due")],
            },
            purpose="年审认定：人员审核结果与保障金计算",
        )
        result = LevyResult.objects.get(declaration=locked)
    decl.status, decl.accepted_count, decl.persons_weighted = locked.status, counted, weighted
    return result


# --- one person, one counting unit (R2.7) ------------------------------------------------------------


@dataclass(frozen=True)
class ConflictScan:
    created: int
    withdrawn: int
    open: int


def _claims(year: int, hashes: set[str] | None) -> dict[str, list[tuple[int, str, str]]]:
    """id_hash → [(declaration id, name, masked ID)] for persons claimed by ≥ 2 declarations of the year.

    Set-based: one grouped query finds the hashes, one query reads their rows."""
    base = DeclaredEmployee.objects.filter(declaration__campaign__data_year=year).exclude(
        review_outcome=ReviewOutcome.REJECTED
    )
    if hashes is not None:
        base = base.filter(id_hash__in=list(hashes))
    dup = (
        base.values("id_hash")
        .annotate(n=Count("declaration", distinct=True))
        .filter(n__gt=1)
        .values_list("id_hash", flat=True)
    )
    out: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for h, d, name, masked in base.filter(id_hash__in=dup).values_list(
        "id_hash", "declaration_id", "name", "id_masked"
    ):
        out[h].append((d, name, masked))
    return out


def _sync_conflicts(year: int, hashes: set[str] | None, *, actor: Any) -> list[CountConflict]:
    """Bring the conflicts of ``year`` (limited to ``hashes``) in line with the claims.  Invariant: a
    conflict is open exactly while both declarations claim the person (a row not "不予计入").

    - a new pair of claiming declarations opens a conflict;
    - an open conflict whose claim has gone (the unit removed the person) ends as "withdrawn", with
      who caused it — recorded, never silent;
    - a resolved conflict claimed again by both (a person rejected in review, corrected and
      resubmitted) is reopened.  A conflict decision marks the loser "不予计入" for good, so decided
      conflicts stay decided.

    Returns the conflicts open for these persons."""
    claims = _claims(year, hashes)
    pairs: dict[tuple[str, int, int], tuple[str, str]] = {}
    for h, rows in claims.items():
        decls = sorted({d for d, _n, _m in rows})
        name, masked = rows[0][1], rows[0][2]
        for i, a in enumerate(decls):
            for b in decls[i + 1 :]:
                pairs[(h, a, b)] = (name, masked)
    existing = CountConflict.objects.filter(data_year=year)
    if hashes is not None:
        existing = existing.filter(id_hash__in=list(hashes))
    known = {
        (h, a, b): (pk, state)
        for pk, h, a, b, state in existing.values_list("pk", "id_hash", "declaration_a_id", "declaration_b_id", "state")
    }
    new = [
        CountConflict(data_year=year, id_hash=h, declaration_a_id=a, declaration_b_id=b, name=n[:60], id_masked=m)
        for (h, a, b), (n, m) in pairs.items()
        if (h, a, b) not in known
    ]
    if new:
        CountConflict.objects.bulk_create(new, ignore_conflicts=True)
    stale = [pk for key, (pk, state) in known.items() if key not in pairs and state == ConflictState.OPEN]
    reopen = [pk for key, (pk, state) in known.items() if key in pairs and state != ConflictState.OPEN]
    if stale:
        CountConflict.objects.filter(pk__in=stale).update(
            state=ConflictState.RESOLVED,
            decision=ConflictDecision.WITHDRAWN,
            decision_note="申报单位已撤回该人员，冲突消除",
            decided_by=actor if getattr(actor, "pk", None) else None,
            decided_at=timezone.now(),
        )
    if reopen:
        CountConflict.objects.filter(pk__in=reopen).update(
            state=ConflictState.OPEN, decision="", decision_note="", decided_by=None, decided_at=None
        )
    if new or stale or reopen:
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            object_type="quota.countconflict",
            object_label=f"{year}年度重复计算冲突核查",
            changes={"created": [None, len(new)], "withdrawn": [None, stale], "reopened": [None, reopen]},
            purpose="一人只能由一家单位计算（R2.7）",
        )
    open_qs = CountConflict.objects.filter(data_year=year, state=ConflictState.OPEN)
    if hashes is not None:
        open_qs = open_qs.filter(id_hash__in=list(hashes))
    return list(open_qs.select_related("declaration_a__employer", "declaration_b__employer"))


def detect_conflicts(data_year: int, *, actor: Any = None) -> ConflictScan:
    """Batch check of the one-unit rule over every declaration of ``data_year`` (set-based; idempotent:
    a second run creates nothing).  Returns how many conflicts were opened and withdrawn, and how
    many are open now."""
    with transaction.atomic(), unscoped():
        before_open = set(
            CountConflict.objects.filter(data_year=data_year, state=ConflictState.OPEN).values_list("pk", flat=True)
        )
        before_all = CountConflict.objects.filter(data_year=data_year).count()
        _sync_conflicts(data_year, None, actor=actor)
        after_all = CountConflict.objects.filter(data_year=data_year).count()
        now_open = set(
            CountConflict.objects.filter(data_year=data_year, state=ConflictState.OPEN).values_list("pk", flat=True)
        )
    return ConflictScan(created=after_all - before_all, withdrawn=len(before_open - now_open), open=len(now_open))


def can_resolve(conflict: CountConflict, actor: Any) -> bool:
    """Staff who may decide: the districts of both declarations are in their scope (a conflict across
    two districts goes to the city), and they entered neither declaration."""
    if getattr(actor, "role", None) not in RESOLVER_ROLES:
        return False
    ids = set(actor.scope_district_ids())
    with unscoped():
        a, b = (
            Declaration.objects.select_related("employer").get(pk=pk)
            for pk in (conflict.declaration_a_id, conflict.declaration_b_id)
        )
    return a.employer.district_id in ids and b.employer.district_id in ids


def resolve_conflict(conflict: CountConflict, *, actor: Any, decision: str, note: str) -> CountConflict:
    """Decide which unit counts the person (R2.7): ``a``, ``b`` or ``neither``, with a reason.

    The other declaration's row for the person becomes "不予计入" with the decision as the reason
    (kept when that unit resubmits).  A certified declaration cannot lose the person here.  Raises
    ``ReviewError`` or ``TransitionNotAllowed``."""
    note = (note or "").strip()
    if decision not in (ConflictDecision.COUNT_A, ConflictDecision.COUNT_B, ConflictDecision.NEITHER):
        raise ReviewError({"decision": "请选择由哪家单位计算"})
    if not note:
        raise ReviewError({"note": "请填写处理意见（将告知两家单位）"})
    with transaction.atomic(), unscoped():
        locked = CountConflict.objects.select_for_update().get(pk=conflict.pk)
        if locked.state != ConflictState.OPEN:
            raise ReviewError("该冲突已处理，可能已由他人处理，请刷新后重试")
        if not can_resolve(locked, actor):
            raise TransitionNotAllowed("该冲突涉及您辖区以外的单位，须由市级人员或同时管辖两个区的人员处理")
        for d in (locked.declaration_a, locked.declaration_b):
            reason = maker_refusal(d, actor)
            if reason:
                raise TransitionNotAllowed(reason)
        _close_conflict(locked, actor=actor, decision=decision, note=note)
    return locked


def _close_conflict(conflict: CountConflict, *, actor: Any, decision: str, note: str, mark_losers: bool = True) -> None:
    """Record the decision and mark the losing side(s) "不予计入" for good (inside the caller's transaction)."""
    a, b = conflict.declaration_a, conflict.declaration_b
    losers = {ConflictDecision.COUNT_A: [b], ConflictDecision.COUNT_B: [a], ConflictDecision.NEITHER: [a, b]}[
        ConflictDecision(decision)
    ]
    winner = {ConflictDecision.COUNT_A: a, ConflictDecision.COUNT_B: b}.get(ConflictDecision(decision))
    for loser in losers:
        if loser.status == DeclarationStatus.CERTIFIED:
            raise ReviewError(f"“{loser.employer.name}”的申报已审核认定，不能再将该人员判为不予计入")
    conflict.state, conflict.decision, conflict.decision_note = ConflictState.RESOLVED, decision, note[:300]
    conflict.decided_by, conflict.decided_at = actor, timezone.now()
    conflict.save(update_fields=["state", "decision", "decision_note", "decided_by", "decided_at"])
    who = f"由{winner.employer.name}计算" if winner is not None else "两家单位均不计入"
    reason = f"重复计算冲突处理：{conflict.data_year}年度该人员{who}（R2.7）；{note}"[:300]
    now = timezone.now()
    for loser in losers if mark_losers else []:
        DeclaredEmployee.objects.filter(declaration=loser, id_hash=conflict.id_hash).update(
            review_outcome=ReviewOutcome.REJECTED, review_reason=reason, reviewed_by=actor, reviewed_at=now,
            decided_by_conflict=conflict, weight=None,
        )  # fmt: skip
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        obj=conflict,
        changes={
            "state": [ConflictState.OPEN, ConflictState.RESOLVED],
            "decision": [None, decision],
            "note": [None, note],
        },
        purpose="重复计算冲突处理决定",
    )
