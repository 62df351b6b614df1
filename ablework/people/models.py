"""Persons with disabilities (the registry).  The foundation holds identity and the current
certificate; certificate history, employment records and the 四个一 services come with the registry
issue.  The resident ID is stored only encrypted (``id_cipher``) with a keyed hash for exact lookup
(``id_hash``) and a masked copy for display (``id_masked``)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from ablework.core.models import District, Street
from ablework.core.scoping import DistrictScopedManager
from ablework.people.enums import DisabilityCategory, DisabilityLevel, Sex


class Person(models.Model):
    name = models.CharField(_("姓名"), max_length=60)
    id_cipher = models.TextField(_("身份证号（密文）"))
    id_hash = models.CharField(max_length=64, unique=True)
    id_masked = models.CharField(_("身份证号"), max_length=18)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, verbose_name=_("户籍区"))
    street = models.ForeignKey(Street, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("街道/乡镇"))
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    disability_category = models.PositiveSmallIntegerField(_("残疾类别"), choices=DisabilityCategory.choices)
    disability_level = models.PositiveSmallIntegerField(_("残疾等级"), choices=DisabilityLevel.choices)
    cert_suffix = models.CharField(_("补发后缀"), max_length=6, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[Person]] = DistrictScopedManager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["district", "street"], name="person_district_street_idx")]
        verbose_name = _("残疾人")
        verbose_name_plural = _("残疾人")

    def __str__(self) -> str:
        return f"{self.name}（{self.id_masked}）"

    def audit_district_code(self) -> str:
        return self.district.code if self.district_id else ""

    @property
    def cert_masked(self) -> str:
        return f"{self.id_masked}{self.disability_category}{self.disability_level}{self.cert_suffix}"
