"""Tables of ablework.quota (see README.md): the annual review (年审 / 联网认证) of proportional employment.

- ``Campaign``: one per data year, with the declaration and levy windows copied from the policy
  parameters ``declaration_window`` / ``levy_window`` of the following year (R3.2).
- ``Declaration``: one unit's declaration for a campaign (staff, wages, state of the review workflow,
  the late flag of R3.1, the accepted weighted count once certified).
- ``DeclaredEmployee``: one disabled employee on a declaration, with the facts of R2.3, the stored
  validation result and the reviewer's per-person outcome.
- ``DispatchFiling``: 劳务派遣备案 (R2.7): dispatcher, receiver, person, period, counting party, agreement.
- ``Upload``: documents of a declaration (form, contracts, pledge).
- ``CountConflict``: one person claimed by two declarations of the same data year (R2.7 "at most one").
- ``LevyResult``: the levy computed from the certified declaration (R4.1–R4.3).

District scoping follows the employer's district of tax registration (where the unit declares, R3.1).
Child tables are scoped through their declaration; a conflict is visible from either side's district.
Persons are identified by ``id_hash``, the keyed hash of the resident ID (``core.crypto.lookup_hash``,
the same as ``people.Person.id_hash``), so that persons missing from the Tianjin registry (other
provinces' certificates, R2.2) are still caught by the one-unit rule.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import PurePath
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes.manager import DisabledQuerySet
from django_scopes.state import get_scope

from ablework.core.scoping import DistrictScopedManager
from ablework.quota.enums import (
    CampaignStatus,
    CertKind,
    ConflictDecision,
    ConflictState,
    CountingParty,
    CreditEventKind,
    CreditEventState,
    CreditSeverity,
    DeclarationStatus,
    ReviewOutcome,
    UploadKind,
)


class Campaign(models.Model):
    """The annual review of one data year.  Not district data: every district works in the same campaign."""

    data_year = models.PositiveSmallIntegerField(_("数据年度"), unique=True)
    declaration_start = models.DateField(_("申报开始日期"))
    declaration_end = models.DateField(_("申报截止日期"))
    levy_start = models.DateField(_("保障金申报缴纳开始日期"), null=True, blank=True)
    levy_end = models.DateField(_("保障金申报缴纳截止日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.OPEN)
    # Where each window came from (parameter key, value, source, confirmed), for the page and the audit.
    window_sources = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-data_year"]
        verbose_name = _("年审批次")
        verbose_name_plural = _("年审批次")
        constraints = [
            models.CheckConstraint(
                condition=Q(declaration_end__gte=models.F("declaration_start")), name="campaign_window_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.data_year}年度按比例就业年审"


class Declaration(models.Model):
    """A unit's declaration of its previous year (the data year): staff, wages and disabled employees."""

    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="+", verbose_name=_("用人单位")
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="declarations", verbose_name=_("年审批次")
    )
    # Annual average in-service staff (R2.6): a decimal, never rounded.  When the twelve month-end
    # figures are given they are kept in ``monthly_staff`` and ``staff_count_exact()`` divides them
    # exactly; ``staff_count`` then holds the average to four places for lists and filters.
    staff_count = models.DecimalField(_("在职职工年平均人数"), max_digits=14, decimal_places=4)
    monthly_staff = models.JSONField(_("各月末在职职工人数"), null=True, blank=True)
    total_wages = models.DecimalField(_("上年在职职工工资总额（元）"), max_digits=16, decimal_places=2)
    status = models.CharField(
        _("状态"), max_length=12, choices=DeclarationStatus.choices, default=DeclarationStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    late = models.BooleanField(_("逾期申报"), default=False)
    # Weighted count of the persons accepted in review (R2.5), and what counts for the levy: the same,
    # or 0 for a late declaration (R3.1 "视为未安排").
    persons_weighted = models.DecimalField(
        _("认定人员加权人数"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    accepted_count = models.DecimalField(
        _("认定安排人数（加权）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    certified_at = models.DateTimeField(_("认定时间"), null=True, blank=True)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("认定人"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("录入人"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[Declaration]] = DistrictScopedManager("employer__district")

    class Meta:
        ordering = ["-campaign__data_year", "id"]
        verbose_name = _("年审申报")
        verbose_name_plural = _("年审申报")
        constraints = [
            models.UniqueConstraint(fields=["employer", "campaign"], name="declaration_one_per_unit_year"),
            models.CheckConstraint(condition=Q(staff_count__gt=0), name="declaration_staff_positive"),
            models.CheckConstraint(condition=Q(total_wages__gte=0), name="declaration_wages_not_negative"),
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="decl_campaign_status_idx")]

    def __str__(self) -> str:
        return f"{self.employer}·{self.campaign.data_year}年度申报" if self.employer_id else "年审申报"

    def audit_district_code(self) -> str:
        return self.employer.district.code if self.employer_id else ""

    @property
    def data_year(self) -> int:
        return self.campaign.data_year

    @property
    def editable(self) -> bool:
        return self.status in (DeclarationStatus.DRAFT, DeclarationStatus.RETURNED)

    def staff_fraction(self) -> tuple[Decimal, int]:
        """(numerator, divisor) of the annual average staff: the sum of the month-end figures and their
        number, or the figure declared directly over 1.  ``rules.LevyCase(staff_count=…, staff_divisor=…)``
        takes these, so the levy never divides by a rounded repeating average (R4.7)."""
        if self.monthly_staff:
            return sum((Decimal(str(v)) for v in self.monthly_staff), Decimal(0)), len(self.monthly_staff)
        return self.staff_count, 1

    def staff_count_exact(self) -> Decimal:
        """The annual average staff without rounding: the sum of the month-end figures ÷ 12 (40 digits),
        or the figure declared directly.  Every path that computes a levy uses this (R4.7)."""
        from ablework.quota.rules import average_staff

        if self.monthly_staff:
            return average_staff([Decimal(str(v)) for v in self.monthly_staff])
        return self.staff_count


class DispatchFiling(models.Model):
    """劳务派遣备案 (R2.7): the dispatcher and receiver agreed in writing which of them counts the person."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="dispatch_filings")
    dispatcher_uscc = models.CharField(_("派遣单位统一社会信用代码"), max_length=18)
    dispatcher_name = models.CharField(_("派遣单位名称"), max_length=200, blank=True)
    receiver_uscc = models.CharField(_("用工单位统一社会信用代码"), max_length=18)
    receiver_name = models.CharField(_("用工单位名称"), max_length=200, blank=True)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    id_hash = models.CharField(max_length=64, db_index=True)
    id_masked = models.CharField(_("身份证号"), max_length=18)
    cert_kind = models.CharField(_("证件类型"), max_length=10, choices=CertKind.choices, default=CertKind.CDPF)
    cert_hash = models.CharField(max_length=64, blank=True)
    cert_masked = models.CharField(_("证号"), max_length=40, blank=True)
    name = models.CharField(_("姓名"), max_length=60)
    agreement_start = models.DateField(_("协议开始日期"))
    agreement_end = models.DateField(_("协议结束日期"), null=True, blank=True)
    counting_party = models.CharField(_("计入单位"), max_length=12, choices=CountingParty.choices)
    agreement_file = models.FileField(_("残疾人劳务派遣用工认定协议"), upload_to="quota/dispatch/%Y/", max_length=200)
    agreement_filename = models.CharField(max_length=200, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[DispatchFiling]] = DistrictScopedManager("declaration__employer__district")

    class Meta:
        ordering = ["declaration", "id"]
        verbose_name = _("劳务派遣备案")
        verbose_name_plural = _("劳务派遣备案")
        constraints = [
            models.UniqueConstraint(fields=["declaration", "id_hash"], name="dispatch_one_per_person_declaration"),
            models.CheckConstraint(
                condition=~Q(dispatcher_uscc=models.F("receiver_uscc")), name="dispatch_two_parties"
            ),
            models.CheckConstraint(
                condition=Q(agreement_end__isnull=True) | Q(agreement_end__gte=models.F("agreement_start")),
                name="dispatch_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"劳务派遣备案：{self.name}（{self.dispatcher_name or self.dispatcher_uscc} → {self.receiver_name or self.receiver_uscc}）"

    def audit_district_code(self) -> str:
        return self.declaration.audit_district_code() if self.declaration_id else ""

    @property
    def counting_uscc(self) -> str:
        return self.dispatcher_uscc if self.counting_party == CountingParty.DISPATCHER else self.receiver_uscc

    @property
    def counting_name(self) -> str:
        if self.counting_party == CountingParty.DISPATCHER:
            return self.dispatcher_name or self.dispatcher_uscc
        return self.receiver_name or self.receiver_uscc


class DeclaredEmployee(models.Model):
    """One disabled employee declared by the unit, with the facts R2.3 asks for."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="employees")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    id_hash = models.CharField(max_length=64, db_index=True)
    id_masked = models.CharField(_("身份证号"), max_length=18)
    cert_kind = models.CharField(_("证件类型"), max_length=10, choices=CertKind.choices, default=CertKind.CDPF)
    cert_hash = models.CharField(max_length=64)
    cert_masked = models.CharField(_("证号"), max_length=40)
    category = models.PositiveSmallIntegerField(_("残疾类别"), null=True, blank=True)
    level = models.PositiveSmallIntegerField(_("等级"))
    name = models.CharField(_("姓名"), max_length=60)
    contract_start = models.DateField(_("合同开始日期"), null=True, blank=True)
    contract_end = models.DateField(_("合同结束日期"), null=True, blank=True, help_text=_("无固定期限合同不填"))
    contract_months = models.PositiveSmallIntegerField(_("合同期限（月）"), null=True, blank=True)
    on_establishment = models.BooleanField(_("在编"), default=False)
    monthly_wage = models.DecimalField(_("月实发工资（元）"), max_digits=10, decimal_places=2)
    social_insurance_months = models.PositiveSmallIntegerField(_("本年度缴纳社会保险月数"))
    in_post = models.BooleanField(_("实际在岗"), default=True)
    bank_wage = models.BooleanField(_("通过金融机构发放工资"), default=True)
    # Weight of the person once reviewed (R2.5), for the notice.
    weight = models.PositiveSmallIntegerField(_("计算权重"), null=True, blank=True)
    review_outcome = models.CharField(
        _("审核结果"), max_length=10, choices=ReviewOutcome.choices, default=ReviewOutcome.PENDING
    )
    review_reason = models.CharField(_("不予计入理由"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Set when the outcome comes from a conflict decision: a resubmission keeps it.
    decided_by_conflict = models.ForeignKey(
        "CountConflict", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    validation = models.JSONField(_("核验结果"), default=dict, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[DeclaredEmployee]] = DistrictScopedManager("declaration__employer__district")

    class Meta:
        ordering = ["declaration", "id"]
        verbose_name = _("申报残疾职工")
        verbose_name_plural = _("申报残疾职工")
        constraints = [
            models.UniqueConstraint(fields=["declaration", "id_hash"], name="declared_employee_once"),
            models.CheckConstraint(
                condition=Q(contract_end__isnull=True)
                | Q(contract_start__isnull=True)
                | Q(contract_end__gte=models.F("contract_start")),
                name="declared_employee_contract_order",
            ),
            models.CheckConstraint(condition=Q(monthly_wage__gte=0), name="declared_employee_wage_not_negative"),
            models.CheckConstraint(
                condition=Q(social_insurance_months__lte=12), name="declared_employee_si_months_max"
            ),
        ]
        indexes = [models.Index(fields=["id_hash", "review_outcome"], name="declemp_claim_idx")]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_masked}）"

    def audit_district_code(self) -> str:
        return self.declaration.audit_district_code() if self.declaration_id else ""

    @property
    def errors(self) -> list[str]:
        return list(self.validation.get("errors", [])) if isinstance(self.validation, dict) else []

    @property
    def warnings(self) -> list[str]:
        return list(self.validation.get("warnings", [])) if isinstance(self.validation, dict) else []

    @property
    def level_label(self) -> str:
        from ablework.quota.rules import DisabledEmployee

        return DisabledEmployee(self.cert_kind, self.level, self.category).label()


def _upload_path(instance: Upload, filename: str) -> str:
    # A random stored name: the user's file name goes into ``filename`` only, never into a path.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"quota/uploads/{uuid.uuid4().hex}{suffix}"


class Upload(models.Model):
    """A document of a declaration; stored under MEDIA_ROOT and served only through an access-checked view."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="uploads")
    kind = models.CharField(_("材料类型"), max_length=20, choices=UploadKind.choices)
    file = models.FileField(_("文件"), upload_to=_upload_path, max_length=200)
    filename = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Upload]] = DistrictScopedManager("declaration__employer__district")

    class Meta:
        ordering = ["declaration", "kind", "id"]
        verbose_name = _("申报材料")
        verbose_name_plural = _("申报材料")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.filename}"

    def audit_district_code(self) -> str:
        return self.declaration.audit_district_code() if self.declaration_id else ""


def _either_side_manager() -> Any:
    """Scoped like ``DistrictScopedManager`` (fails closed outside a scope), but a conflict is visible
    from the district of either declaration: both units' officers must see it (R2.7)."""

    class EitherSideManager(models.Manager["CountConflict"]):
        def get_queryset(self) -> models.QuerySet[CountConflict]:
            current = get_scope()
            if not current.get("_enabled", True):
                return super().get_queryset()
            if "district" not in current:
                return DisabledQuerySet(self.model, using=self._db, missing_scopes={"district"})
            value = current["district"]
            ids = list(value) if isinstance(value, (list, tuple)) else [value]
            return (
                super()
                .get_queryset()
                .filter(Q(declaration_a__employer__district__in=ids) | Q(declaration_b__employer__district__in=ids))
            )

        def all(self) -> models.QuerySet[CountConflict]:
            qs = super().all()
            if isinstance(qs, DisabledQuerySet):
                qs = qs.all()
            return qs

    return EitherSideManager()


class CountConflict(models.Model):
    """One person (``id_hash``) claimed by two declarations of the same data year (R2.7).

    ``declaration_a`` has the smaller id.  Open until a review decision says which unit counts the
    person; the loser's employee row is then marked "不予计入" with the decision as the reason.
    """

    data_year = models.PositiveSmallIntegerField(_("数据年度"))
    id_hash = models.CharField(max_length=64)
    id_masked = models.CharField(_("身份证号"), max_length=18)
    name = models.CharField(_("姓名"), max_length=60)
    declaration_a = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="+")
    declaration_b = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(_("状态"), max_length=10, choices=ConflictState.choices, default=ConflictState.OPEN)
    decision = models.CharField(_("处理决定"), max_length=10, choices=ConflictDecision.choices, blank=True)
    decision_note = models.CharField(_("处理意见"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("处理人"),
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    detected_at = models.DateTimeField(_("发现时间"), auto_now_add=True)

    objects: ClassVar[models.Manager[CountConflict]] = _either_side_manager()

    class Meta:
        ordering = ["-detected_at", "-id"]
        verbose_name = _("重复计算冲突")
        verbose_name_plural = _("重复计算冲突")
        constraints = [
            models.UniqueConstraint(
                fields=["data_year", "id_hash", "declaration_a", "declaration_b"], name="conflict_once_per_pair"
            ),
            models.CheckConstraint(
                condition=Q(declaration_a__lt=models.F("declaration_b")), name="conflict_pair_order"
            ),
            models.CheckConstraint(
                condition=Q(state=ConflictState.OPEN, decision="") | ~Q(state=ConflictState.OPEN),
                name="conflict_open_has_no_decision",
            ),
        ]
        indexes = [models.Index(fields=["data_year", "state"], name="conflict_year_state_idx")]

    def __str__(self) -> str:
        return f"{self.data_year}年度重复计算：{self.name}（{self.id_masked}）"

    def audit_district_code(self) -> str:
        return self.declaration_a.audit_district_code() if self.declaration_a_id else ""

    def other_side(self, declaration: Declaration) -> Declaration:
        return self.declaration_b if declaration.pk == self.declaration_a_id else self.declaration_a


class LevyResult(models.Model):
    """The levy on the certified declaration (R4.1–R4.3), as ``rules.compute_levy`` gave it.

    Counts and ratios are stored to six places for lists; money as the final fen (as ``levy_calc``
    prints it); ``explanation`` holds every step with the exact values and the parameters' sources.
    ``error`` is set instead when the case cannot be computed (e.g. a unit kind the levy rules do not cover).
    """

    declaration = models.OneToOneField(Declaration, on_delete=models.CASCADE, related_name="levy_result")
    data_year = models.PositiveSmallIntegerField(_("数据年度"))
    collected_on = models.DateField(_("征收参数日期"), null=True, blank=True)
    weighted_count = models.DecimalField(_("已安排人数（加权）"), max_digits=18, decimal_places=6, null=True)
    required = models.DecimalField(_("应安排人数"), max_digits=18, decimal_places=6, null=True)
    shortfall = models.DecimalField(_("差额人数"), max_digits=18, decimal_places=6, null=True)
    wage_base = models.DecimalField(_("计征工资基数"), max_digits=16, decimal_places=2, null=True)
    gross_levy = models.DecimalField(_("减免前金额"), max_digits=16, decimal_places=2, null=True)
    exempt = models.BooleanField(_("小微企业免征"), default=False)
    rate = models.DecimalField(_("缴纳比例"), max_digits=6, decimal_places=4, null=True)
    levy_due = models.DecimalField(_("应缴纳金额"), max_digits=16, decimal_places=2, null=True)
    extra_persons = models.DecimalField(_("超比例人数"), max_digits=18, decimal_places=6, null=True)
    explanation = models.JSONField(default=dict, blank=True)
    error = models.CharField(_("无法计算的原因"), max_length=300, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[LevyResult]] = DistrictScopedManager("declaration__employer__district")

    class Meta:
        verbose_name = _("保障金计算结果")
        verbose_name_plural = _("保障金计算结果")

    def __str__(self) -> str:
        return f"{self.data_year}年度保障金：{self.levy_due}"

    def audit_district_code(self) -> str:
        return self.declaration.audit_district_code() if self.declaration_id else ""


# --- §12 disclosure (公示) and §13 credit events (失信信息) ----------------------------------------------


class DisclosurePublication(models.Model):
    """The public list (公示, R12.3) of one data year: agencies and institutions that placed persons.

    Published by a city administrator; ``rows`` is the list as published (unit name, kind, district,
    persons placed — unit data only, no personal data), so that the public page does not change under
    the reader when a declaration is certified later: publishing again takes a new snapshot and a new
    date.  Unpublishing keeps the row (and its history in the audit log) with ``published=False``.
    City-wide, not district data.
    """

    data_year = models.PositiveSmallIntegerField(_("数据年度"), unique=True)
    published = models.BooleanField(_("已公示"), default=False)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unpublished_at = models.DateTimeField(_("撤下时间"), null=True, blank=True)
    unpublished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rows = models.JSONField(_("公示内容"), default=list, blank=True)

    class Meta:
        ordering = ["-data_year"]
        verbose_name = _("公职单位安置情况公示")
        verbose_name_plural = _("公职单位安置情况公示")
        constraints = [
            models.CheckConstraint(
                condition=Q(published=False) | Q(published_at__isnull=False), name="disclosure_published_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.data_year}年度机关、事业单位安排残疾人就业情况公示"


class LevyPayment(models.Model):
    """A payment of the levy (残保金) of one data year, as recorded by an officer from the tax receipt
    (the tax bureau collects, R4.5; a partner feed may write the same rows later).  Paying what is owed
    withdraws the unit's open payment-related credit events (R13.1)."""

    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="+", verbose_name=_("用人单位")
    )
    data_year = models.PositiveSmallIntegerField(_("数据年度"))
    amount = models.DecimalField(_("缴纳金额（元）"), max_digits=16, decimal_places=2)
    paid_on = models.DateField(_("缴纳日期"))
    reference = models.CharField(_("缴款凭证号"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Provenance of a payment reported by the tax bureau's feed (税务); blank for officer entries.
    source = models.CharField(_("数据来源"), max_length=40, blank=True, default="", db_default="")
    batch_id = models.CharField(_("批次号"), max_length=64, blank=True, default="", db_default="")
    row_key = models.CharField(_("行标识"), max_length=100, blank=True, default="", db_default="")
    received_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[LevyPayment]] = DistrictScopedManager("employer__district")

    class Meta:
        ordering = ["employer", "data_year", "paid_on", "id"]
        verbose_name = _("保障金缴纳记录")
        verbose_name_plural = _("保障金缴纳记录")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="levy_payment_positive"),
            models.UniqueConstraint(
                fields=["source", "row_key"], condition=~Q(row_key=""), name="levy_payment_feed_row_unique"
            ),
        ]
        indexes = [models.Index(fields=["employer", "data_year"], name="levy_payment_unit_year_idx")]

    def __str__(self) -> str:
        return f"{self.data_year}年度保障金缴纳：{self.amount}元（{self.paid_on:%Y-%m-%d}）"

    def audit_district_code(self) -> str:
        return self.employer.district.code if self.employer_id else ""


def _objection_path(instance: CreditEvent, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"quota/credit/{uuid.uuid4().hex}{suffix}"


class CreditEvent(models.Model):
    """A dishonesty event (失信, policy-rules §13) of one unit and data year, and its due process.

    ``status`` moves only through ``quota.credit.CREDIT_FLOW`` (every step in ``TransitionLog``):
    detected → notified (预先告知; rectification and objection deadlines) → objected → closed (upheld) or
    objection_rejected → review (提请推送, maker-checker) → pending_push (待推送) → pushed; withdrawn at any
    point before the push, or withdrawal_pending (a withdrawal record is queued) after it.
    ``facts`` holds what the event rests on (amounts, deadlines, the parameters and their sources).
    """

    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="+", verbose_name=_("用人单位")
    )
    data_year = models.PositiveSmallIntegerField(_("数据年度"))
    kind = models.CharField(_("失信情形"), max_length=32, choices=CreditEventKind.choices)
    severity = models.CharField(_("失信等级"), max_length=10, choices=CreditSeverity.choices)
    platform_code = models.CharField(_("信用平台事项编码"), max_length=40, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=CreditEventState.choices, default=CreditEventState.DETECTED
    )
    amount_owed = models.DecimalField(_("欠缴金额（元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    description = models.TextField(_("事实说明"), blank=True)
    decision_number = models.CharField(_("告知书/决定书文号"), max_length=60, blank=True)
    facts = models.JSONField(_("认定依据"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("登记人"),
    )  # fmt: skip
    detected_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    notice_sent_at = models.DateTimeField(_("预先告知时间"), null=True, blank=True)
    notice_sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notice_recipients = models.PositiveSmallIntegerField(_("告知的单位账户数"), default=0)
    rectification_due = models.DateField(_("整改期限"), null=True, blank=True)
    objection_due = models.DateField(_("异议期限"), null=True, blank=True)
    objection_text = models.TextField(_("异议内容"), blank=True)
    objection_file = models.FileField(_("异议证明材料"), upload_to=_objection_path, max_length=200, blank=True)
    objection_filename = models.CharField(max_length=200, blank=True)
    objection_at = models.DateTimeField(_("异议提出时间"), null=True, blank=True)
    objection_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    objection_decided_at = models.DateTimeField(_("异议处理时间"), null=True, blank=True)
    queued_at = models.DateTimeField(_("列入待推送时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("推送审核人"),
    )  # fmt: skip
    pushed_at = models.DateTimeField(_("推送时间"), null=True, blank=True)
    push_ref = models.CharField(_("信用平台回执"), max_length=100, blank=True)
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    withdrawal_pushed_at = models.DateTimeField(_("撤销记录推送时间"), null=True, blank=True)
    withdrawal_push_ref = models.CharField(_("撤销记录回执"), max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[CreditEvent]] = DistrictScopedManager("employer__district")

    class Meta:
        ordering = ["-detected_at", "-id"]
        verbose_name = _("失信事件")
        verbose_name_plural = _("失信事件")
        constraints = [
            models.UniqueConstraint(fields=["employer", "data_year", "kind"], name="credit_event_once_per_kind"),
            models.CheckConstraint(
                condition=Q(amount_owed__isnull=True) | Q(amount_owed__gte=0), name="credit_event_amount_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["status", "data_year"], name="credit_event_status_idx")]

    def __str__(self) -> str:
        return f"{self.data_year}年度失信事件：{self.get_kind_display()}" + (
            f"（{self.employer.name}）" if self.employer_id else ""
        )

    def audit_district_code(self) -> str:
        return self.employer.district.code if self.employer_id else ""

    @property
    def notified(self) -> bool:
        return self.notice_sent_at is not None


class CountedElsewhere(models.Model):
    """A person the national certification service (跨省通办) reports as counted by a unit in another
    province for a data year (R2.7: one person, one counting unit).  Written by the data exchange through
    ``quota.api.record_counted_elsewhere``; read when a declared person is validated, so the reviewer sees
    it before certifying.  Keyed by the ID hash (no personal data in clear)."""

    data_year = models.PositiveSmallIntegerField(_("数据年度"))
    id_hash = models.CharField(max_length=64)
    province = models.CharField(_("省份"), max_length=20, blank=True)
    unit_name = models.CharField(_("计入单位"), max_length=200, blank=True)
    unit_uscc = models.CharField(_("计入单位统一社会信用代码"), max_length=18, blank=True)
    source = models.CharField(_("数据来源"), max_length=40, default="跨省通办")
    checked_at = models.DateTimeField(_("核查时间"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["data_year", "id_hash"], name="counted_elsewhere_once")]
        verbose_name = _("外省已计入")
        verbose_name_plural = _("外省已计入")

    def __str__(self) -> str:
        return f"{self.data_year}:{self.province}{self.unit_name}"
