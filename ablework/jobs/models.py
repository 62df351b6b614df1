"""Tables of ablework.jobs (see README.md): postings, recruitment fairs, applications and referrals,
retention checks, the person's matching consent, and the two public directories.

Every table carries a ``district`` and the district-scoped manager: a posting and a fair by the
district of the workplace / organiser; an application, a retention check and a consent by the
**person's** district (an officer of 河西区 never sees the job search of a person of 和平区, even when
the post is in 河西区); a directory entry by its own district.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ablework.core.models import District
from ablework.core.scoping import DistrictScopedManager
from ablework.jobs.enums import (
    OCCUPATIONS,
    WORK_TIMES,
    ApplicationStatus,
    CarrierType,
    Channel,
    ConsentStatus,
    DirectoryKind,
    FairKind,
    PostingSource,
    PostingStatus,
    RetentionResult,
)


class _Scoped(models.Model):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区"))

    class Meta:
        abstract = True

    def audit_district_code(self) -> str:
        return self.district.code if self.district_id else ""


class Fair(_Scoped):
    """A recruitment fair (专场招聘会) with the postings attached to it."""

    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("专场类型"), max_length=10, choices=FairKind.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    venue = models.CharField(_("地点或网址"), max_length=200, blank=True)
    description = models.TextField(_("说明"), blank=True)
    published = models.BooleanField(_("在门户公开"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Fair]] = DistrictScopedManager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="fair_dates")
        ]
        verbose_name = _("招聘专场")

    def __str__(self) -> str:
        return self.name


class Posting(_Scoped):
    """A job posting of an employer (the district is the workplace's)."""

    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="+", verbose_name=_("用人单位")
    )
    title = models.CharField(_("岗位名称"), max_length=100)
    occupation = models.CharField(_("岗位类型"), max_length=20, choices=OCCUPATIONS)
    work_time = models.CharField(_("工作时间"), max_length=10, choices=WORK_TIMES, default="full")
    hours_note = models.CharField(_("工作时间说明"), max_length=100, blank=True)
    wage_min = models.DecimalField(_("月工资下限（元）"), max_digits=9, decimal_places=2, null=True, blank=True)
    wage_max = models.DecimalField(_("月工资上限（元）"), max_digits=9, decimal_places=2, null=True, blank=True)
    headcount = models.PositiveSmallIntegerField(_("招聘人数"), default=1)
    requirements = models.TextField(_("任职要求"), blank=True)
    address = models.CharField(_("工作地址"), max_length=200, blank=True)
    accessibility = models.JSONField(_("工作场所无障碍条件"), default=list, blank=True)
    accommodations = models.JSONField(_("可提供的合理便利"), default=list, blank=True)
    categories = models.JSONField(_("可支持的残疾类别"), default=list, blank=True)
    source = models.CharField(_("岗位来源"), max_length=20, choices=PostingSource.choices, default="ordinary")
    relaxed_conditions = models.CharField(_("放宽条件"), max_length=300, blank=True)
    fair = models.ForeignKey(
        Fair, null=True, blank=True, on_delete=models.SET_NULL, related_name="postings", verbose_name=_("招聘专场")
    )
    status = models.CharField(_("状态"), max_length=10, choices=PostingStatus.choices, default=PostingStatus.DRAFT)
    valid_from = models.DateField(_("发布日期"))
    valid_until = models.DateField(_("截止日期"))
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[Posting]] = DistrictScopedManager()

    class Meta:
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(valid_until__gte=models.F("valid_from")), name="posting_dates"),
            models.CheckConstraint(
                condition=models.Q(wage_min__isnull=True)
                | models.Q(wage_max__isnull=True)
                | models.Q(wage_max__gte=models.F("wage_min")),
                name="posting_wage_range",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "valid_until"], name="posting_status_until_idx"),
            models.Index(fields=["district", "occupation"], name="posting_district_occ_idx"),
        ]
        verbose_name = _("岗位")

    def __str__(self) -> str:
        return self.title

    @property
    def is_reserved(self) -> bool:
        return self.source != PostingSource.ORDINARY


class Application(_Scoped):
    """A person's application to a posting, or an officer's referral of a person (``channel``).
    ``district`` is the person's district."""

    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="applications")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("残疾人"))
    channel = models.CharField(_("方式"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    match_score = models.PositiveSmallIntegerField(_("匹配得分"), null=True, blank=True)
    hired_on = models.DateField(_("入职日期"), null=True, blank=True)
    monthly_wage = models.DecimalField(_("月工资（元）"), max_digits=9, decimal_places=2, null=True, blank=True)
    contract_months = models.PositiveSmallIntegerField(_("合同期限（月）"), null=True, blank=True)
    employment_record_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[Application]] = DistrictScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["posting", "person"], name="application_once_per_posting")]
        verbose_name = _("求职申请")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.posting_id}/{self.person_id}"


class RetentionCheck(_Scoped):
    """A follow-up of a hire after 3, 6 or 12 months (稳岗回访).  ``district`` is the person's."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="retention_checks")
    months = models.PositiveSmallIntegerField(_("入职后月数"))
    due_on = models.DateField(_("应回访日期"))
    checked_on = models.DateField(_("回访日期"), null=True, blank=True)
    result = models.CharField(_("回访结果"), max_length=12, choices=RetentionResult.choices, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: ClassVar[models.Manager[RetentionCheck]] = DistrictScopedManager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "months"], name="retention_once_per_month")]
        indexes = [models.Index(fields=["district", "checked_on", "due_on"], name="retention_due_idx")]
        verbose_name = _("稳岗回访")


class MatchingConsent(_Scoped):
    """What a person said about automated matching (PIPL Art. 24), keyed by person id.  No row: not
    asked — officers still see the person among candidates (public employment service), employers don't."""

    person_id = models.PositiveBigIntegerField(unique=True)
    status = models.CharField(_("选择"), max_length=10, choices=ConsentStatus.choices)
    changed_at = models.DateTimeField(auto_now=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: ClassVar[models.Manager[MatchingConsent]] = DistrictScopedManager()

    class Meta:
        verbose_name = _("自动匹配授权")


class DirectoryEntry(_Scoped):
    """An entry of 人力资源服务机构清单 or 就业创业服务载体目录, published on the portal."""

    kind = models.CharField(_("目录"), max_length=16, choices=DirectoryKind.choices)
    name = models.CharField(_("名称"), max_length=120)
    carrier_type = models.CharField(_("载体类型"), max_length=10, choices=CarrierType.choices, blank=True)
    licence_no = models.CharField(_("许可证或备案编号"), max_length=60, blank=True)
    address = models.CharField(_("地址"), max_length=200)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    services = models.TextField(_("服务内容"), blank=True)
    accessible = models.BooleanField(_("场所无障碍"), default=False)
    published = models.BooleanField(_("在门户公开"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[DirectoryEntry]] = DistrictScopedManager()

    class Meta:
        ordering = ["kind", "district__sort_order", "name", "id"]
        verbose_name = _("服务机构目录")

    def __str__(self) -> str:
        return self.name


def snapshot(obj: models.Model, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}
