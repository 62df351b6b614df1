"""Tables of ablework.training (see README.md): providers, courses, enrolments, skills-competition entries,
blind-massage institutions and practitioners.  Every table carries ``district`` for django-scopes."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from ablework.core.models import DistrictOwned, Street
from ablework.core.scoping import DistrictScopedManager
from ablework.training.enums import (
    Award,
    CertificateKind,
    CompetitionLevel,
    CourseMode,
    EnrolmentStatus,
    LengthClass,
    ListingStatus,
    MassageKind,
    ProviderKind,
    TitleLevel,
)


class Provider(DistrictOwned):
    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=20, choices=ProviderKind.choices)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    street = models.ForeignKey(
        Street, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("街道/乡镇")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    occupations = models.CharField(_("培训工种"), max_length=200, blank=True)
    listing_status = models.CharField(
        _("残联挂牌状态"), max_length=10, choices=ListingStatus.choices, default=ListingStatus.NONE
    )
    listed_on = models.DateField(_("挂牌日期"), null=True, blank=True)
    listing_expires = models.DateField(_("挂牌有效期至"), null=True, blank=True)
    accessible_site = models.BooleanField(_("场地无障碍"), default=False)
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Provider]] = DistrictScopedManager()

    class Meta:
        ordering = ["district", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(listing_status="listed") | models.Q(listed_on__isnull=False),
                name="training_provider_listed_date",
            ),
        ]
        verbose_name = _("培训机构")
        verbose_name_plural = _("培训机构")

    def __str__(self) -> str:
        return self.name


class Course(DistrictOwned):
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="courses", verbose_name=_("培训机构"))
    name = models.CharField(_("班次名称"), max_length=120)
    occupation = models.CharField(_("培训工种/项目"), max_length=80)
    mode = models.CharField(_("培训方式"), max_length=12, choices=CourseMode.choices, default=CourseMode.CLASS)
    start_date = models.DateField(_("开班日期"))
    end_date = models.DateField(_("结业日期"))
    length_class = models.CharField(_("培训期限"), max_length=8, choices=LengthClass.choices, editable=False)
    year = models.PositiveSmallIntegerField(_("统计年度"), editable=False)
    capacity = models.PositiveIntegerField(_("计划人数"))
    accessible_formats = models.CharField(_("无障碍形式"), max_length=120, blank=True)
    hours = models.PositiveIntegerField(_("课时"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Course]] = DistrictScopedManager()

    class Meta:
        ordering = ["-start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="training_course_end_after_start"
            ),
        ]
        indexes = [models.Index(fields=["district", "year"], name="training_course_dy_idx")]
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")

    def __str__(self) -> str:
        return self.name

    @property
    def format_list(self) -> list[str]:
        return [f for f in self.accessible_formats.split(",") if f]


class Enrolment(DistrictOwned):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("学员"))
    enrolled_on = models.DateField(_("报名日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED
    )
    completed_on = models.DateField(_("结业日期"), null=True, blank=True)
    certificate_kind = models.CharField(_("证书类型"), max_length=14, choices=CertificateKind.choices, blank=True)
    certificate_no = models.CharField(_("证书编号"), max_length=40, blank=True)
    certificate_on = models.DateField(_("发证日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Enrolment]] = DistrictScopedManager()

    class Meta:
        ordering = ["course", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "person"], name="training_enrolment_unique"),
            models.CheckConstraint(
                condition=~models.Q(status="completed") | models.Q(completed_on__isnull=False),
                name="training_enrolment_completed_date",
            ),
        ]
        verbose_name = _("学员")

    def __str__(self) -> str:
        return f"{self.person.name}（{self.course.name}）"


class CompetitionEntry(DistrictOwned):
    """An entry in a skills competition (职业技能大赛)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    competition = models.CharField(_("赛事名称"), max_length=120)
    level = models.CharField(_("级别"), max_length=10, choices=CompetitionLevel.choices, default=CompetitionLevel.CITY)
    event = models.CharField(_("竞赛项目"), max_length=80)
    new_form = models.BooleanField(_("新业态项目"), default=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("选手"))
    award = models.CharField(_("成绩"), max_length=12, choices=Award.choices, default=Award.TAKING_PART)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[CompetitionEntry]] = DistrictScopedManager()

    class Meta:
        ordering = ["-year", "competition", "event", "id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "competition", "event", "person"], name="training_entry_unique"),
        ]
        verbose_name = _("技能竞赛参赛")


class MassageInstitution(DistrictOwned):
    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=8, choices=MassageKind.choices)
    licence_no = models.CharField(_("医疗机构执业许可证号"), max_length=40, blank=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    street = models.ForeignKey(
        Street, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("街道/乡镇")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    demo_centre = models.BooleanField(_("盲人按摩就业示范中心"), default=False)
    active = models.BooleanField(_("营业中"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[MassageInstitution]] = DistrictScopedManager()

    class Meta:
        ordering = ["district", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="medical") | ~models.Q(licence_no=""), name="training_massage_medical_licence"
            ),
        ]
        verbose_name = _("盲人按摩机构")
        verbose_name_plural = _("盲人按摩机构")

    def __str__(self) -> str:
        return self.name


class MassagePractitioner(DistrictOwned):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("按摩人员"))
    exam_year = models.PositiveSmallIntegerField(_("医疗按摩考试合格年度"), null=True, blank=True)
    certificate_no = models.CharField(_("考试合格证书编号"), max_length=40, blank=True)
    title_level = models.CharField(_("职称"), max_length=8, choices=TitleLevel.choices, blank=True)
    title_year = models.PositiveSmallIntegerField(_("职称评定年度"), null=True, blank=True)
    institution = models.ForeignKey(
        MassageInstitution,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practitioners",
        verbose_name=_("执业机构"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[MassagePractitioner]] = DistrictScopedManager()

    class Meta:
        ordering = ["district", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person"], name="training_practitioner_one_per_person"),
            models.CheckConstraint(
                condition=models.Q(exam_year__isnull=True) | ~models.Q(certificate_no=""),
                name="training_practitioner_exam_cert",
            ),
        ]
        verbose_name = _("盲人按摩人员")
        verbose_name_plural = _("盲人按摩人员")

    def __str__(self) -> str:
        return self.person.name
