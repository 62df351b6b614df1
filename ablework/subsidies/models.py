"""Subsidy and reward programmes: one engine, six programme definitions (policy-rules.md §5–§9).

``Programme`` (one per kind and year: window, budget, documents, approval chain, notice days) →
``Application`` (one claim: who is paid, for what, for which period; eligibility explanation and the
computed amount; reviewed through ``core.workflow``) → ``Notice`` (公示) with ``Objection`` →
``PaymentBatch`` / ``PaymentItem`` (bank file and return file) → ``Clawback`` when a condition lapses.
``ClaimMonth`` holds the person-months a paid claim covers, unique per exclusivity group, so the same
person-month cannot be paid by two programmes that exclude each other.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ablework.core.models import District
from ablework.core.scoping import DistrictScopedManager
from ablework.subsidies.enums import (
    ApplicantKind,
    ApplicationStatus,
    BatchStatus,
    ClawbackStatus,
    ObjectionStatus,
    PaymentStatus,
    ProgrammeKind,
    ProgrammeStatus,
)

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
LIVE_STATES = (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED,
               ApplicationStatus.APPROVED)  # fmt: skip


class Programme(models.Model):
    kind = models.CharField(_("项目类型"), max_length=30, choices=ProgrammeKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("项目名称"), max_length=120)
    applicant_kind = models.CharField(_("申请主体"), max_length=20, choices=ApplicantKind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=ProgrammeStatus.choices, default=ProgrammeStatus.OPEN)
    window_start = models.DateField(_("受理开始"))
    window_end = models.DateField(_("受理截止"))
    budget = models.DecimalField(_("年度预算（元）"), **MONEY)
    notice_days = models.PositiveSmallIntegerField(_("公示天数"), default=5)
    chain_code = models.CharField(_("审批链"), max_length=60)
    required_documents = models.JSONField(_("所需材料"), default=list, blank=True)  # [{code, label}]
    exclusivity_group = models.CharField(
        _("互斥组"), max_length=40, blank=True, help_text=_("同组项目不能为同一人同一月重复补贴")
    )
    description = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "kind"]
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="programme_kind_year_unique")]
        verbose_name = _("补贴项目")
        verbose_name_plural = _("补贴项目")

    def __str__(self) -> str:
        return f"{self.year}年{self.name}"

    def audit_district_code(self) -> str:
        return ""

    def document_label(self, code: str) -> str:
        return next((d["label"] for d in self.required_documents if d["code"] == code), code)


class Application(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="applications",
                                  verbose_name=_("补贴项目"))  # fmt: skip
    district = models.ForeignKey(District, on_delete=models.PROTECT, verbose_name=_("所属区"))
    employer = models.ForeignKey("employers.Employer", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("用人单位"))  # fmt: skip
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("残疾人"))  # fmt: skip
    institution_id = models.PositiveIntegerField(_("辅助性就业机构"), null=True, blank=True)
    beneficiary_name = models.CharField(_("受益对象"), max_length=200)
    # What is paid for: the payee and, for per-person programmes, the person ("employer:3/person:9").
    claim_key = models.CharField(_("补贴对象标识"), max_length=80)
    period = models.CharField(_("补贴期间"), max_length=20)
    status = models.CharField(_("状态"), max_length=12, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.DRAFT)  # fmt: skip
    data = models.JSONField(_("申请信息"), default=dict, blank=True)
    decision = models.JSONField(_("资格审查与计算"), default=dict, blank=True)
    eligible = models.BooleanField(_("符合条件"), default=False)
    amount = models.DecimalField(_("测算金额（元）"), default=Decimal("0"), **MONEY)
    approved_amount = models.DecimalField(_("核定金额（元）"), null=True, blank=True, **MONEY)
    bank_account_name = models.CharField(_("开户名"), max_length=100, blank=True)
    bank_name = models.CharField(_("开户行"), max_length=100, blank=True)
    bank_account_encrypted = models.TextField(blank=True)
    bank_account_masked = models.CharField(_("银行账号"), max_length=40, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("录入人"))  # fmt: skip
    on_behalf = models.BooleanField(_("经办人代为申请"), default=False)
    notice = models.ForeignKey("Notice", null=True, blank=True, on_delete=models.PROTECT, related_name="applications")
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[Application]] = DistrictScopedManager("district")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "claim_key", "period"],
                condition=models.Q(status__in=["draft", "submitted", "returned", "approved"]),
                name="application_one_live_claim",
                violation_error_message=_("同一对象同一期间已有申请"),
            ),
            models.CheckConstraint(
                condition=models.Q(employer__isnull=False) | models.Q(person__isnull=False)
                | models.Q(institution_id__isnull=False),
                name="application_has_applicant",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["programme", "status"], name="application_prog_status_idx")]
        verbose_name = _("补贴申请")
        verbose_name_plural = _("补贴申请")

    def __str__(self) -> str:
        return f"{self.programme.name}：{self.beneficiary_name}（{self.period}）"

    def audit_district_code(self) -> str:
        return self.district.code if self.district_id else ""

    @property
    def criteria(self) -> list[dict[str, Any]]:
        return list(self.decision.get("criteria", []))


class Attachment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    doc_type = models.CharField(_("材料类型"), max_length=40)
    file = models.FileField(_("文件"), upload_to="subsidies/%Y/%m/", max_length=200)
    filename = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Attachment]] = DistrictScopedManager("application__district")

    class Meta:
        ordering = ["application", "doc_type", "id"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")

    def __str__(self) -> str:
        return self.filename

    def audit_district_code(self) -> str:
        return self.application.audit_district_code() if self.application_id else ""


class Notice(models.Model):
    """A public notice (公示) of approved beneficiaries of one programme, names masked on the portal."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="notices")
    title = models.CharField(_("公示标题"), max_length=200)
    starts_on = models.DateField(_("公示开始"))
    ends_on = models.DateField(_("公示截止"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("公示")
        verbose_name_plural = _("公示")

    def __str__(self) -> str:
        return self.title

    def audit_district_code(self) -> str:
        return ""


class Objection(models.Model):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="objections")
    raised_by = models.CharField(_("异议人"), max_length=60)
    contact = models.CharField(_("联系方式"), max_length=60, blank=True)
    text = models.TextField(_("异议内容"))
    status = models.CharField(_("状态"), max_length=10, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.OPEN)  # fmt: skip
    resolution = models.TextField(_("处理意见"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Objection]] = DistrictScopedManager("application__district")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")

    def __str__(self) -> str:
        return f"异议：{self.application}"

    def audit_district_code(self) -> str:
        return self.application.audit_district_code() if self.application_id else ""


class PaymentBatch(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="batches")
    reference = models.CharField(_("批次号"), max_length=40, unique=True)
    status = models.CharField(_("状态"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.BUILT)
    total = models.DecimalField(_("合计金额"), default=Decimal("0"), **MONEY)
    count = models.PositiveIntegerField(_("笔数"), default=0)
    signature = models.CharField(_("批次签名"), max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("发放批次")
        verbose_name_plural = _("发放批次")

    def __str__(self) -> str:
        return self.reference

    def audit_district_code(self) -> str:
        return ""


class PaymentItem(models.Model):
    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="items")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="payments")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    claim_key = models.CharField(max_length=80)
    period = models.CharField(max_length=20)
    amount = models.DecimalField(_("金额"), **MONEY)
    status = models.CharField(_("状态"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    failure_reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    bank_reference = models.CharField(_("银行流水号"), max_length=60, blank=True)
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)

    objects: ClassVar[models.Manager[PaymentItem]] = DistrictScopedManager("application__district")

    class Meta:
        ordering = ["batch", "id"]
        constraints = [
            # The same claim (programme, beneficiary, period) is never in two live payments: building or
            # submitting a batch twice cannot pay anyone twice.  A failed payment frees the claim.
            models.UniqueConstraint(
                fields=["programme", "claim_key", "period"],
                condition=~models.Q(status="failed"),
                name="payment_once_per_claim",
                violation_error_message=_("该对象该期间已发放或正在发放"),
            ),
        ]
        verbose_name = _("发放明细")
        verbose_name_plural = _("发放明细")

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.claim_key}:{self.period}"

    def audit_district_code(self) -> str:
        return self.application.audit_district_code() if self.application_id else ""


class Clawback(models.Model):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="clawbacks")
    amount = models.DecimalField(_("追回金额"), **MONEY)
    reason = models.CharField(_("追回原因"), max_length=300)
    detected_on = models.DateField(_("发现日期"))
    status = models.CharField(_("状态"), max_length=10, choices=ClawbackStatus.choices, default=ClawbackStatus.OPEN)
    recovered_on = models.DateField(_("追回日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Clawback]] = DistrictScopedManager("application__district")

    class Meta:
        ordering = ["-detected_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reason"], name="clawback_once_per_reason"),
        ]
        verbose_name = _("补贴追回")
        verbose_name_plural = _("补贴追回")

    def __str__(self) -> str:
        return f"追回{self.amount}元：{self.application}"

    def audit_district_code(self) -> str:
        return self.application.audit_district_code() if self.application_id else ""


class ClaimMonth(models.Model):
    """A person-month paid for by an approved claim, unique per exclusivity group (no double claims)."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    group = models.CharField(max_length=40)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="claim_months")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "month", "group"], name="claim_month_once_per_group"),
        ]
        verbose_name = _("补贴覆盖月份")
        verbose_name_plural = _("补贴覆盖月份")

    def __str__(self) -> str:
        return f"{self.person_id}:{self.month:%Y-%m}:{self.group}"
