"""Tables of ablework.reports (see README.md).

- ``Figure``: the pre-aggregated monitoring figures.  One row per (topic, year, district, street,
  dimension, dimension value, measure); written only by ``aggregates.refresh`` (a task and a management
  command), read by the dashboards and the annual reports, so that a dashboard is one indexed query
  whatever the size of the registry.  ``street`` is empty for figures that exist per district only
  (the annual review is per employer's district of tax registration).
- ``Refresh``: one row per refresh run of a year: when, how long, how many rows; the pages show the
  time of the latest as "数据更新于".
- ``AnnualReport``: a district's 年度执行情况报告 (``district`` set) or the city's summary (``district``
  empty) of one year: the narrative the officer writes, the figures frozen at submission, and the state
  of its workflow (``reports.actions.REPORT_FLOW``, ``core.workflow``).
- ``Scenario``: a policy simulation: the policy values copied from ``core.PolicyParameter`` and the
  overrides the city administrator typed, and the last result.  Never written back to the parameters.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ablework.core.models import District, Street
from ablework.core.scoping import DistrictScopedManager


class Figure(models.Model):
    topic = models.CharField(_("主题"), max_length=20)
    year = models.PositiveSmallIntegerField(_("年度"))
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    street = models.ForeignKey(Street, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    dim = models.CharField(_("维度"), max_length=20, blank=True)  # "" = the total of the street/district
    dim_value = models.CharField(_("维度取值"), max_length=30, blank=True)
    measure = models.CharField(_("指标"), max_length=30)
    value = models.DecimalField(_("数值"), max_digits=18, decimal_places=2)

    objects: ClassVar[models.Manager[Figure]] = DistrictScopedManager()

    class Meta:
        indexes = [models.Index(fields=["topic", "year", "district"], name="reports_figure_topic_idx")]
        verbose_name = _("监测指标")
        verbose_name_plural = _("监测指标")

    def __str__(self) -> str:
        return f"{self.topic} {self.year} {self.measure}={self.value}"


class Refresh(models.Model):
    year = models.PositiveSmallIntegerField(_("年度"))
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"))
    rows = models.PositiveIntegerField(_("行数"), default=0)
    seconds = models.FloatField(_("用时（秒）"), default=0)

    class Meta:
        ordering = ["-finished_at", "-id"]
        verbose_name = _("指标更新记录")

    def __str__(self) -> str:
        return f"{self.year} {self.finished_at:%Y-%m-%d %H:%M}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("填写中")
    SUBMITTED = "submitted", _("已报送待审核")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("审核通过")


class AnnualReport(models.Model):
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    # The narrative template the officer completes (policy-rules R14.3).
    overview = models.TextField(_("总体情况"), blank=True)
    measures = models.TextField(_("主要措施和成效"), blank=True)
    problems = models.TextField(_("存在的问题"), blank=True)
    next_steps = models.TextField(_("下一年度工作计划"), blank=True)
    # The figures as they were when the report was submitted (a later refresh does not change a report
    # the city has received); empty while the report is being written (the page shows live figures).
    figures = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[AnnualReport]] = DistrictScopedManager()

    class Meta:
        ordering = ["-year", "district__sort_order", "district__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "year"], condition=models.Q(district__isnull=False), name="report_one_per_district"
            ),
            models.UniqueConstraint(
                fields=["year"], condition=models.Q(district__isnull=True), name="report_one_city_summary"
            ),
        ]
        verbose_name = _("年度执行情况报告")
        verbose_name_plural = _("年度执行情况报告")

    def __str__(self) -> str:
        return f"{self.scope_name}{self.year}年度执行情况报告"

    @property
    def scope_name(self) -> str:
        return self.district.name if self.district is not None else "天津市"

    @property
    def is_city(self) -> bool:
        return self.district_id is None

    def audit_district_code(self) -> str:
        return self.district.code if self.district is not None else ""


class ScenarioStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("测算中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("测算失败")


class Scenario(models.Model):
    name = models.CharField(_("方案名称"), max_length=100)
    status = models.CharField(_("状态"), max_length=10, choices=ScenarioStatus.choices, default=ScenarioStatus.PENDING)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    data_year = models.PositiveSmallIntegerField(_("数据年度"))
    # The values copied from the live parameters when the scenario was made (for the side-by-side view)
    # and the values the administrator changed (key → value); both plain JSON, never PolicyParameter rows.
    base_values = models.JSONField(_("现行参数"), default=dict)
    overrides = models.JSONField(_("调整参数"), default=dict, blank=True)
    result = models.JSONField(_("测算结果"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("测算时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("政策模拟方案")
        verbose_name_plural = _("政策模拟方案")

    def __str__(self) -> str:
        return self.name

    def values(self) -> dict[str, Any]:
        return {**self.base_values, **self.overrides}
