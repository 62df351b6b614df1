"""The employer registry (用人单位): identity, kind, 编制, district of tax registration, industry,
address, legal representative, status, and the unit's contacts.

Columns added after the foundation are nullable or carry a database default (``db_default``): the
demo loader writes employers with ``COPY`` and an explicit column list, and rows it writes without
them must stay valid.  Employer user accounts are ``accounts.User`` rows in an
``Organisation(kind="employer", external_ref=str(employer.pk))`` (accounts sits below this app).
"""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ablework.core.models import District, Industry
from ablework.core.scoping import DistrictScopedManager
from ablework.core.validators import validate_uscc
from ablework.employers import rules
from ablework.employers.enums import AgencyLevel, EmployerKind, EmployerStatus


class Employer(models.Model):
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc])
    name = models.CharField(_("单位名称"), max_length=200)
    kind = models.CharField(_("单位类型"), max_length=20, choices=EmployerKind.choices)
    agency_level = models.CharField(
        _("机关层级"), max_length=10, choices=AgencyLevel.choices, blank=True, default="", db_default=""
    )
    establishment_size = models.PositiveIntegerField(_("编制数"), null=True, blank=True)
    is_school = models.BooleanField(_("中小学或幼儿园"), default=False, db_default=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, verbose_name=_("税务登记区"))
    industry = models.ForeignKey(Industry, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("行业"))
    address = models.CharField(_("地址"), max_length=200, blank=True, default="", db_default="")
    legal_representative = models.CharField(
        _("法定代表人（负责人）"), max_length=60, blank=True, default="", db_default=""
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=EmployerStatus.choices,
        default=EmployerStatus.ACTIVE,
        db_default=EmployerStatus.ACTIVE,
    )
    deregistered_on = models.DateField(_("注销日期"), null=True, blank=True)
    deregistration_reason = models.CharField(_("注销原因"), max_length=200, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[Employer]] = DistrictScopedManager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("用人单位")
        verbose_name_plural = _("用人单位")
        indexes = [models.Index(fields=["district", "kind"], name="employer_district_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=EmployerKind.AGENCY) | models.Q(agency_level=""),
                name="employer_level_only_agency",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=EmployerKind.INSTITUTION) | models.Q(is_school=False),
                name="employer_school_only_institution",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[EmployerKind.AGENCY, EmployerKind.INSTITUTION])
                | models.Q(establishment_size__isnull=True),
                name="employer_establishment_only_public",
            ),
            models.CheckConstraint(
                condition=models.Q(status=EmployerStatus.ACTIVE, deregistered_on__isnull=True)
                | models.Q(status=EmployerStatus.DEREGISTERED, deregistered_on__isnull=False),
                name="employer_status_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_district_code(self) -> str:
        return self.district.code if self.district_id else ""

    def clean(self) -> None:
        errors = rules.field_errors(
            name=self.name,
            kind=self.kind,
            agency_level=self.agency_level,
            establishment_size=self.establishment_size,
            is_school=self.is_school,
        )
        if errors:
            raise ValidationError(errors)

    @property
    def is_active(self) -> bool:
        return self.status == EmployerStatus.ACTIVE

    @property
    def is_public_sector(self) -> bool:
        return self.kind in rules.ESTABLISHMENT_KINDS


class EmployerContact(models.Model):
    """A contact person of a unit (HR, finance…).  Read and written only through an employer the user
    may access (``employers.access``), so the table needs no district scope of its own."""

    employer = models.ForeignKey(
        Employer, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("用人单位")
    )
    name = models.CharField(_("姓名"), max_length=60)
    title = models.CharField(_("职务"), max_length=60, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    is_primary = models.BooleanField(_("主要联系人"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("单位联系人")
        verbose_name_plural = _("单位联系人")
        constraints = [
            models.UniqueConstraint(
                fields=["employer"], condition=models.Q(is_primary=True), name="employer_one_primary_contact"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_district_code(self) -> str:
        return self.employer.audit_district_code() if self.employer_id else ""


class BusinessRegistration(models.Model):
    """A business registration as the market regulator (市场监管) reports it, keyed by the credit code:
    a fact from a feed, kept apart from the ``Employer`` registry (a registered business need not be
    an employer here yet; the new-individual-business programme reads it).  The operator's resident ID
    is kept only as the keyed lookup hash (``core.crypto.lookup_hash``, like ``Person.id_hash``)."""

    class Status(models.TextChoices):
        OPEN = "open", _("存续")
        CLOSED = "closed", _("注销/吊销")

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("市场主体类型"), max_length=40, blank=True)
    licence_date = models.DateField(_("成立（发照）日期"), null=True, blank=True)
    operator_id_hash = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(_("登记状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(_("注销日期"), null=True, blank=True)
    source = models.CharField(_("数据来源"), max_length=40)
    batch_id = models.CharField(_("批次号"), max_length=64)
    row_key = models.CharField(_("行标识"), max_length=100)
    received_at = models.DateTimeField(_("接收时间"))

    class Meta:
        ordering = ["uscc"]
        verbose_name = _("市场主体登记信息")
        verbose_name_plural = _("市场主体登记信息")

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"
