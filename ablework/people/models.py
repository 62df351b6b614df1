"""Persons with disabilities (the registry) and everything recorded about them: certificates,
employment history, the 四个一 services, 就业困难 certification, 公益性岗位 placements, the college-
student ledger, duplicate handling and corrections asked for by the person.

The resident ID is stored only encrypted (``id_cipher``) with a keyed hash for exact lookup
(``id_hash``) and a masked copy for display (``id_masked``).  ``status`` is *derived* by
``people.rules.derive_status`` from the employment history and the stated wish, and rewritten only by
``people.actions``; nobody types it in.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ablework.core.models import District, Street
from ablework.core.scoping import DistrictScopedManager
from ablework.people.enums import (
    CertificateKind,
    CorrectionStatus,
    DifficultyStatus,
    DisabilityCategory,
    DisabilityLevel,
    Education,
    EmploymentForm,
    EmploymentStatus,
    RecordSource,
    ServiceKind,
    ServiceType,
    Sex,
    StudentStatus,
    UrbanRural,
)


class Person(models.Model):
    name = models.CharField(_("姓名"), max_length=60)
    # Full pinyin without tones and spaces ("shantianfang") and initials ("stf"), surname read with
    # the surname table (单 → shan), for search by pinyin or initials.
    name_pinyin = models.CharField(max_length=200, blank=True, db_index=True)
    name_initials = models.CharField(max_length=20, blank=True, db_index=True)
    id_cipher = models.TextField(_("身份证号（密文）"))
    id_hash = models.CharField(max_length=64, unique=True)
    id_masked = models.CharField(_("身份证号"), max_length=18)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, verbose_name=_("户籍区"))
    street = models.ForeignKey(Street, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("街道/乡镇"))
    community = models.CharField(_("社区/村"), max_length=60, blank=True)
    address = models.CharField(_("居住地址"), max_length=200, blank=True)
    tianjin_hukou = models.BooleanField(_("本市户籍"), default=True)
    urban_rural = models.CharField(_("城乡类别"), max_length=5, choices=UrbanRural.choices, blank=True)
    education = models.CharField(_("文化程度"), max_length=15, choices=Education.choices, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    guardian_name = models.CharField(_("监护人姓名"), max_length=60, blank=True)
    guardian_relation = models.CharField(_("与本人关系"), max_length=20, blank=True)
    guardian_phone = models.CharField(_("监护人电话"), max_length=20, blank=True)
    # Current certificate (a copy of the newest valid Certificate row, kept for lists and counts).
    cert_kind = models.CharField(_("证件类型"), max_length=10, choices=CertificateKind.choices, default="cdpf")
    disability_category = models.PositiveSmallIntegerField(
        _("残疾类别"), choices=DisabilityCategory.choices, null=True, blank=True
    )
    disability_level = models.PositiveSmallIntegerField(
        _("残疾等级"), choices=DisabilityLevel.choices, null=True, blank=True
    )
    military_level = models.PositiveSmallIntegerField(_("伤残等级（军人）"), null=True, blank=True)
    cert_suffix = models.CharField(_("补发后缀"), max_length=6, blank=True)
    cert_hash = models.CharField(max_length=64, blank=True, db_index=True)
    cert_valid_until = models.DateField(_("证件有效期至"), null=True, blank=True)
    # Stated wish to work, from the latest 基础信息核对 / 就业需求登记 (None = not asked yet).
    wants_job = models.BooleanField(_("就业意愿"), null=True, blank=True)
    status = models.CharField(
        _("就业状态"), max_length=16, choices=EmploymentStatus.choices, default=EmploymentStatus.UNKNOWN_WISH
    )
    status_since = models.DateField(_("状态起始"), null=True, blank=True)
    portal_users: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="PortalLink", related_name="portal_persons", blank=True
    )
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[Person]] = DistrictScopedManager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["district", "street"], name="person_district_street_idx"),
            models.Index(fields=["district", "status"], name="person_district_status_idx"),
            models.Index(fields=["name", "birth_date"], name="person_name_birth_idx"),
        ]
        verbose_name = _("残疾人")
        verbose_name_plural = _("残疾人")

    def __str__(self) -> str:
        return f"{self.name}（{self.id_masked}）"

    def audit_district_code(self) -> str:
        return self.district.code if self.district_id else ""

    @property
    def cert_masked(self) -> str:
        if self.cert_kind == CertificateKind.MILITARY:
            return f"残疾军人证（{self.military_level or '?'}级）"
        return f"{self.id_masked}{self.disability_category or ''}{self.disability_level or ''}{self.cert_suffix}"


class PortalLink(models.Model):
    """A portal account that may see and correct this person's record: the person or a guardian."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    relation = models.CharField(_("关系"), max_length=20, default="本人")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "user"], name="portallink_unique")]


# Child tables carry the person's district so that they are scoped on their own (django-scopes
# filters by a field of the model itself); people.actions keeps it equal to the person's district.


class Certificate(models.Model):
    """Every certificate a person has held (history); the newest valid one is copied onto Person."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="certificates")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("证件类型"), max_length=10, choices=CertificateKind.choices)
    number_hash = models.CharField(max_length=64, blank=True, db_index=True)
    number_masked = models.CharField(_("证号"), max_length=40, blank=True)
    number_cipher = models.TextField(blank=True)
    category = models.PositiveSmallIntegerField(
        _("残疾类别"), choices=DisabilityCategory.choices, null=True, blank=True
    )
    level = models.PositiveSmallIntegerField(_("残疾等级"), choices=DisabilityLevel.choices, null=True, blank=True)
    military_level = models.PositiveSmallIntegerField(_("伤残等级"), null=True, blank=True)
    suffix = models.CharField(max_length=6, blank=True)
    issued_on = models.DateField(_("发证日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    revoked_on = models.DateField(_("注销日期"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=RecordSource.choices, default=RecordSource.OFFICER)
    # Provenance of a certificate that came from a partner feed (退役军人: 残疾军人证); blank otherwise.
    feed_source = models.CharField(_("数据来源部门"), max_length=40, blank=True, default="", db_default="")
    feed_batch = models.CharField(_("批次号"), max_length=64, blank=True, default="", db_default="")
    feed_row_key = models.CharField(_("行标识"), max_length=100, blank=True, default="", db_default="")
    received_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Certificate]] = DistrictScopedManager()

    class Meta:
        ordering = ["person", "-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="cdpf", category__isnull=False, level__isnull=False))
                | models.Q(kind="military", military_level__gte=1, military_level__lte=10),
                name="certificate_kind_fields",
            ),
            models.UniqueConstraint(
                fields=["feed_source", "feed_row_key"],
                condition=~models.Q(feed_row_key=""),
                name="certificate_feed_row_unique",
            ),
        ]
        verbose_name = _("证件")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number_masked}"

    def audit_district_code(self) -> str:
        return self.district.code if self.district_id else ""


class EmploymentRecord(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="employment_records")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    form = models.CharField(_("就业形式"), max_length=16, choices=EmploymentForm.choices)
    employer = models.ForeignKey(
        "employers.Employer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("用人单位"),
    )
    employer_name = models.CharField(_("单位名称"), max_length=200, blank=True)
    employer_uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    contract_months = models.PositiveSmallIntegerField(_("合同期限（月）"), null=True, blank=True)
    on_establishment = models.BooleanField(_("在编"), default=False)
    monthly_wage = models.DecimalField(_("月工资（元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    social_insurance = models.BooleanField(_("缴纳社会保险"), default=False)
    source = models.CharField(_("来源"), max_length=10, choices=RecordSource.choices, default=RecordSource.OFFICER)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[EmploymentRecord]] = DistrictScopedManager()

    class Meta:
        ordering = ["person", "-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="employment_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["person", "start_date"], name="employment_person_start_idx")]
        verbose_name = _("就业记录")

    def __str__(self) -> str:
        return f"{self.get_form_display()} {self.employer_name} {self.start_date}"

    def audit_district_code(self) -> str:
        return self.district.code if self.district_id else ""


class ServiceRecord(models.Model):
    """One of the 四个一: a dated event with who recorded it, which unit, the outcome, and the
    structured answers of its form in ``details`` (see ``people.forms``)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="services")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey(Street, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("服务类别"), max_length=20, choices=ServiceKind.choices)
    service_type = models.CharField(_("服务方式"), max_length=20, choices=ServiceType.choices, blank=True)
    date = models.DateField(_("服务日期"))
    unit = models.CharField(_("服务单位"), max_length=120)
    outcome = models.TextField(_("结果"), blank=True)
    details = models.JSONField(default=dict, blank=True)
    follow_up_on = models.DateField(_("回访日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[ServiceRecord]] = DistrictScopedManager()

    class Meta:
        ordering = ["person", "-date", "-id"]
        indexes = [
            models.Index(fields=["district", "kind", "date"], name="service_district_kind_idx"),
            models.Index(fields=["person", "kind", "date"], name="service_person_kind_idx"),
        ]
        verbose_name = _("四个一服务记录")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"

    def audit_district_code(self) -> str:
        return self.district.code if self.district_id else ""


class DifficultyCertification(models.Model):
    """就业困难人员认定 (policy-rules §11): application, criteria check, district decision, exit."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="difficulty_certifications")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=10, choices=DifficultyStatus.choices, default=DifficultyStatus.DRAFT
    )
    registered_unemployed = models.BooleanField(_("已办理失业登记"), default=False)
    able_and_willing = models.BooleanField(_("有劳动能力和就业意愿"), default=False)
    referral_failed = models.BooleanField(_("经公共就业服务推荐仍未就业"), default=False)
    applied_on = models.DateField(_("申请日期"))
    criteria = models.JSONField(_("条件核查"), default=dict, blank=True)
    valid_from = models.DateField(_("认定有效期起"), null=True, blank=True)
    valid_until = models.DateField(_("认定有效期止"), null=True, blank=True)
    exited_on = models.DateField(_("退出日期"), null=True, blank=True)
    exit_reason = models.CharField(_("退出原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[DifficultyCertification]] = DistrictScopedManager()

    class Meta:
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status__in=["draft", "submitted", "approved"]),
                name="difficulty_one_open_per_person",
            ),
        ]
        verbose_name = _("就业困难人员认定")

    def __str__(self) -> str:
        return f"就业困难认定 {self.person_id} {self.get_status_display()}"

    def audit_district_code(self) -> str:
        return self.district.code if self.district_id else ""


class PublicWelfarePlacement(models.Model):
    """公益性岗位 placement (R11.2): post, unit, period, subsidies."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="public_welfare_placements")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    post = models.CharField(_("岗位名称"), max_length=100)
    unit = models.CharField(_("用工单位"), max_length=200)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    post_subsidy_monthly = models.DecimalField(_("岗位补贴（元/月）"), max_digits=10, decimal_places=2, default=0)
    insurance_subsidy_monthly = models.DecimalField(_("社保补贴（元/月）"), max_digits=10, decimal_places=2, default=0)
    employment_record = models.OneToOneField(
        EmploymentRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="public_welfare_placement"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[PublicWelfarePlacement]] = DistrictScopedManager()

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="pwp_end_after_start"
            ),
        ]
        verbose_name = _("公益性岗位安置")

    def audit_district_code(self) -> str:
        return self.district.code if self.district_id else ""


class StudentRecord(models.Model):
    """College-student ledger (一人一策): one row per student or graduate, assigned to one officer."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="student_record")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    school = models.CharField(_("学校"), max_length=120)
    major = models.CharField(_("专业"), max_length=120, blank=True)
    degree = models.CharField(_("学历"), max_length=15, choices=Education.choices, default=Education.BACHELOR)
    graduation_year = models.PositiveSmallIntegerField(_("毕业年份"))
    status = models.CharField(_("状态"), max_length=15, choices=StudentStatus.choices, default=StudentStatus.IN_SCHOOL)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任人"),
    )
    plan = models.TextField(_("一人一策帮扶计划"), blank=True)
    outcome = models.TextField(_("帮扶结果"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[StudentRecord]] = DistrictScopedManager()

    class Meta:
        ordering = ["graduation_year", "id"]
        verbose_name = _("高校残疾学生台账")

    def __str__(self) -> str:
        return f"{self.school} {self.graduation_year}"

    def audit_district_code(self) -> str:
        return self.district.code if self.district_id else ""


class StudentPlanEntry(models.Model):
    student = models.ForeignKey(StudentRecord, on_delete=models.CASCADE, related_name="entries")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("日期"))
    service_type = models.CharField(_("服务方式"), max_length=20, choices=ServiceType.choices)
    note = models.TextField(_("内容"))
    outcome = models.CharField(_("结果"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: ClassVar[models.Manager[StudentPlanEntry]] = DistrictScopedManager()

    class Meta:
        ordering = ["-date", "-id"]


class DuplicateDismissal(models.Model):
    """An officer decided that two records that look alike are two different persons."""

    low = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    high = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(_("理由"), max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["low", "high"], name="dupdismissal_unique_pair")]


class CorrectionRequest(models.Model):
    """A person (or guardian) asks, from the portal, to correct a field of their own record."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="correction_requests")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    field = models.CharField(_("更正项目"), max_length=40)
    current_value = models.CharField(_("原内容"), max_length=200, blank=True)
    requested_value = models.CharField(_("更正为"), max_length=200)
    reason = models.CharField(_("说明"), max_length=300, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    reply = models.CharField(_("处理意见"), max_length=300, blank=True)

    objects: ClassVar[models.Manager[CorrectionRequest]] = DistrictScopedManager()

    class Meta:
        ordering = ["-requested_at", "-id"]

    def audit_district_code(self) -> str:
        return self.district.code if self.district_id else ""


class SIContribution(models.Model):
    """One month of social-insurance contributions of a person by one employer, as a partner
    department (人社/医保) reported it.  A fact from a feed, never typed in: ``source``, ``batch_id``,
    ``row_key`` and ``received_at`` say where and when it came from (its freshness).  Unique on
    (person, month, employer_uscc), so importing the same rows again changes nothing."""

    # Indexes kept to what the reads need (by person, optionally unit): the unique constraint's index
    # starts with person_id, so neither foreign key gets an index of its own — a monthly file inserts a
    # million rows and every index costs (bench/si_import.py).
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="si_contributions", db_index=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+", db_index=False)
    month = models.DateField(_("缴费月份"))  # first day of the month
    employer_uscc = models.CharField(_("缴费单位统一社会信用代码"), max_length=18)
    base = models.DecimalField(_("缴费基数（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("缴费金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    source = models.CharField(_("数据来源"), max_length=40)
    batch_id = models.CharField(_("批次号"), max_length=64)
    row_key = models.CharField(_("行标识"), max_length=100)
    received_at = models.DateTimeField(_("接收时间"))

    objects: ClassVar[models.Manager[SIContribution]] = DistrictScopedManager()

    class Meta:
        ordering = ["person", "month", "employer_uscc"]
        constraints = [
            models.UniqueConstraint(fields=["person", "month", "employer_uscc"], name="si_person_month_unit_unique"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="si_month_first_day"),
        ]
        verbose_name = _("社保缴费记录")
        verbose_name_plural = _("社保缴费记录")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.employer_uscc}"

    def audit_district_code(self) -> str:
        return self.district.code if self.district_id else ""
