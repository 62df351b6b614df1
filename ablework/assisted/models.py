"""Tables of ablework.assisted (see README.md).

Every table carries ``district`` (the institution's district, or the allocating federation's for a
project) so that it is scoped on its own by django-scopes; ``actions`` keeps child rows equal to their
institution's district.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ablework.assisted.enums import (
    HelpKind,
    InstitutionKind,
    InstitutionStatus,
    ParticipantStatus,
    RuralBaseKind,
    RuralIndustry,
    SignedWith,
    SourceUnitKind,
    StaffRole,
    SupportKind,
)
from ablework.core.models import DistrictOwned, Street
from ablework.core.scoping import DistrictScopedManager


class Institution(DistrictOwned):
    """辅助性就业机构 / 工作站 / 助残阳光工场 / 残疾人之家."""

    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=12, choices=InstitutionKind.choices)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    street = models.ForeignKey(
        Street, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("街道/乡镇")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    operator = models.CharField(_("举办单位"), max_length=120, blank=True)
    capacity = models.PositiveIntegerField(_("可安置人数"), default=0)
    barrier_free = models.BooleanField(_("场地无障碍"), default=False)
    barrier_free_facilities = models.CharField(
        _("无障碍设施"), max_length=300, blank=True, help_text=_("如：坡道、无障碍卫生间、扶手、盲道")
    )
    safety_measures = models.BooleanField(_("有安全保障措施"), default=False)
    status = models.CharField(
        _("状态"), max_length=8, choices=InstitutionStatus.choices, default=InstitutionStatus.ACTIVE
    )
    production_start = models.DateField(_("开始生产日期"), null=True, blank=True)
    closed_on = models.DateField(_("关闭日期"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[Institution]] = DistrictScopedManager()

    class Meta:
        ordering = ["district", "name"]
        indexes = [models.Index(fields=["district", "kind", "status"], name="assisted_inst_dks_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="closed") | models.Q(closed_on__isnull=False),
                name="assisted_inst_closed_date",
            ),
        ]
        verbose_name = _("辅助性就业机构")
        verbose_name_plural = _("辅助性就业机构")

    def __str__(self) -> str:
        return self.name


class Staff(DistrictOwned):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="staff")
    name = models.CharField(_("姓名"), max_length=60)
    role = models.CharField(_("岗位"), max_length=16, choices=StaffRole.choices)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    full_time = models.BooleanField(_("专职"), default=True)
    qualification = models.CharField(_("资质"), max_length=100, blank=True)

    objects: ClassVar[models.Manager[Staff]] = DistrictScopedManager()

    class Meta:
        ordering = ["institution", "role", "name"]
        verbose_name = _("工作人员")

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class Participant(DistrictOwned):
    """A person from the registry placed in an institution."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="participants", verbose_name=_("机构")
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("残疾人"))
    joined_on = models.DateField(_("进入日期"))
    left_on = models.DateField(_("离开日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=ParticipantStatus.choices, default=ParticipantStatus.ACTIVE
    )
    # Eligibility (R9.2) as last computed by actions.refresh_eligibility: kept for lists and counts.
    eligible = models.BooleanField(_("符合对象条件"), default=False)
    eligibility_checked_on = models.DateField(_("资格核验日期"), null=True, blank=True)
    eligibility_note = models.CharField(_("资格说明"), max_length=300, blank=True)
    work_content = models.CharField(_("从事工作"), max_length=120, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Participant]] = DistrictScopedManager()

    class Meta:
        ordering = ["institution", "-joined_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True) | models.Q(left_on__gte=models.F("joined_on")),
                name="assisted_participant_left_after_join",
            ),
            models.UniqueConstraint(
                fields=["institution", "person"],
                condition=models.Q(status="active"),
                name="assisted_participant_one_active",
            ),
        ]
        verbose_name = _("辅助性就业人员")
        verbose_name_plural = _("辅助性就业人员")

    def __str__(self) -> str:
        return f"{self.person.name}（{self.institution.name}）"


class Agreement(DistrictOwned):
    """The agreement with the person or the guardian (R9.3)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="agreements")
    signed_with = models.CharField(_("签订对象"), max_length=8, choices=SignedWith.choices)
    guardian_name = models.CharField(_("监护人姓名"), max_length=60, blank=True)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    accident_insurance = models.BooleanField(_("已购买意外伤害保险"), default=False)
    insurance_amount = models.DecimalField(_("保险费（元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Agreement]] = DistrictScopedManager()

    class Meta:
        ordering = ["participant", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="assisted_agreement_end_after_start",
            ),
        ]
        verbose_name = _("辅助性就业协议")

    def __str__(self) -> str:
        return f"{self.get_signed_with_display()}协议 {self.start_date}"


class MonthlyRecord(DistrictOwned):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="months")
    month = models.DateField(_("月份"), help_text=_("该月1日"))
    hours = models.DecimalField(_("工作时长（小时）"), max_digits=6, decimal_places=1)
    pay = models.DecimalField(_("劳动报酬（元）"), max_digits=10, decimal_places=2)
    paid_by_bank = models.BooleanField(_("通过银行发放"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[MonthlyRecord]] = DistrictScopedManager()

    class Meta:
        ordering = ["participant", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "month"], name="assisted_month_unique"),
            models.CheckConstraint(condition=models.Q(hours__gte=0, pay__gte=0), name="assisted_month_nonneg"),
        ]
        verbose_name = _("月度工时与报酬")


class LabourProject(DistrictOwned):
    """A labour project developed by the district federation (``district``) and allocated to an institution."""

    source_unit = models.CharField(_("来源单位"), max_length=120)
    source_kind = models.CharField(_("来源单位类型"), max_length=12, choices=SourceUnitKind.choices)
    content = models.CharField(_("项目内容"), max_length=200)
    volume = models.DecimalField(_("数量"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("计量单位"), max_length=10, default="件")
    unit_price = models.DecimalField(_("单价（元）"), max_digits=10, decimal_places=2)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("承接机构"),
    )
    allocated_on = models.DateField(_("调配日期"), null=True, blank=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[LabourProject]] = DistrictScopedManager()

    class Meta:
        ordering = ["-start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="assisted_project_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(volume__gte=0, unit_price__gte=0), name="assisted_project_nonneg"
            ),
            models.CheckConstraint(
                condition=models.Q(institution__isnull=True) | models.Q(allocated_on__isnull=False),
                name="assisted_project_allocated_date",
            ),
        ]
        verbose_name = _("劳动项目")
        verbose_name_plural = _("劳动项目")

    def __str__(self) -> str:
        return f"{self.source_unit}：{self.content}"

    @property
    def amount(self):  # type: ignore[no-untyped-def]
        return self.volume * self.unit_price


class ProjectOutput(DistrictOwned):
    project = models.ForeignKey(LabourProject, on_delete=models.CASCADE, related_name="outputs")
    month = models.DateField(_("月份"))
    quantity = models.DecimalField(_("完成数量"), max_digits=12, decimal_places=2)
    income = models.DecimalField(_("收入（元）"), max_digits=12, decimal_places=2)

    objects: ClassVar[models.Manager[ProjectOutput]] = DistrictScopedManager()

    class Meta:
        ordering = ["project", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="assisted_output_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0, income__gte=0), name="assisted_output_nonneg"),
        ]
        verbose_name = _("项目月度产出")


class RuralBase(DistrictOwned):
    """农村助残扶贫基地 / 助残阳光工场 (seed measure 六)."""

    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=14, choices=RuralBaseKind.choices)
    street = models.ForeignKey(
        Street, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("街道/乡镇")
    )
    operator = models.CharField(_("依托企业/合作社"), max_length=120, blank=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    industry = models.CharField(_("行业"), max_length=12, choices=RuralIndustry.choices)
    recognised_on = models.DateField(_("认定日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=InstitutionStatus.choices, default=InstitutionStatus.ACTIVE
    )
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[RuralBase]] = DistrictScopedManager()

    class Meta:
        ordering = ["district", "name"]
        verbose_name = _("农村助残基地")
        verbose_name_plural = _("农村助残基地")

    def __str__(self) -> str:
        return self.name


class RuralSupport(DistrictOwned):
    """A person employed or supported by a rural base in a year, the help given and the income it brought."""

    base = models.ForeignKey(RuralBase, on_delete=models.CASCADE, related_name="supports")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("残疾人"))
    year = models.PositiveSmallIntegerField(_("年度"))
    support_kind = models.CharField(_("带动方式"), max_length=10, choices=SupportKind.choices)
    help_kind = models.CharField(_("帮扶内容"), max_length=10, choices=HelpKind.choices)
    income = models.DecimalField(_("带来收入（元/年）"), max_digits=10, decimal_places=2, default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects: ClassVar[models.Manager[RuralSupport]] = DistrictScopedManager()

    class Meta:
        ordering = ["base", "-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["base", "person", "year", "help_kind"], name="assisted_support_unique"),
            models.CheckConstraint(condition=models.Q(income__gte=0), name="assisted_support_income_nonneg"),
        ]
        verbose_name = _("基地帮扶记录")
