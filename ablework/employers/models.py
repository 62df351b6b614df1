"""The employer registry (用人单位).  The foundation holds identity, kind, district and industry;
contacts, staff figures and declarations come with the annual-review issue."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from ablework.core.models import District, Industry
from ablework.core.scoping import DistrictScopedManager
from ablework.core.validators import validate_uscc
from ablework.employers.enums import EmployerKind


class Employer(models.Model):
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc])
    name = models.CharField(_("单位名称"), max_length=200)
    kind = models.CharField(_("单位类型"), max_length=20, choices=EmployerKind.choices)
    district = models.ForeignKey(District, on_delete=models.PROTECT, verbose_name=_("税务登记区"))
    industry = models.ForeignKey(Industry, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("行业"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[Employer]] = DistrictScopedManager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("用人单位")
        verbose_name_plural = _("用人单位")

    def __str__(self) -> str:
        return self.name

    def audit_district_code(self) -> str:
        return self.district.code if self.district_id else ""
