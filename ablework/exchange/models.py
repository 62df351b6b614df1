"""Tables of ablework.exchange (see README.md): API clients and keys, inbound feed batches, outbox.

Facts themselves live in the domain apps they describe (``people.SIContribution``,
``employers.BusinessRegistration``, ``quota.LevyPayment``, ``people.Certificate``); this app keeps
only who sent what, when, and what became of each row.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ablework.exchange.enums import BatchStatus, Channel, Department, FeedKind, OutboxStatus, OutboxTarget


class ApiClient(models.Model):
    """A partner organisation allowed to call the API, with its scopes and its own rate limit."""

    name = models.CharField(_("接入单位"), max_length=100, unique=True)
    department = models.CharField(_("所属部门"), max_length=20, choices=Department.choices)
    scopes = models.JSONField(_("权限范围"), default=list, blank=True)
    rate = models.CharField(_("访问频率上限"), max_length=20, default="600/min", help_text=_("如 600/min、10/s"))
    contact = models.CharField(_("联系人及电话"), max_length=100, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("接口接入单位")
        verbose_name_plural = _("接口接入单位")

    def __str__(self) -> str:
        return self.name

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class ApiKey(models.Model):
    """A key of a client.  Only its SHA-256 is stored; ``prefix`` (the first characters) is shown so
    that an officer can tell keys apart.  Rotation issues a new key and revokes the old ones."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="keys")
    prefix = models.CharField(_("密钥前缀"), max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("接口密钥")

    def __str__(self) -> str:
        return f"{self.prefix}…"


class FeedBatch(models.Model):
    """One delivery of an inbound feed: pushed through the API or uploaded as a file.  The sender's
    batch id makes it idempotent: the same (kind, source, batch id) is processed once."""

    kind = models.CharField(_("数据类别"), max_length=10, choices=FeedKind.choices)
    source = models.CharField(_("数据来源"), max_length=40)
    batch_id = models.CharField(_("批次号"), max_length=64)
    channel = models.CharField(_("方式"), max_length=5, choices=Channel.choices)
    client = models.ForeignKey(ApiClient, null=True, blank=True, on_delete=models.PROTECT, related_name="batches")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    import_batch = models.ForeignKey(
        "core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.PENDING)
    received_rows = models.PositiveIntegerField(_("收到行数"), default=0)
    created_rows = models.PositiveIntegerField(_("新增"), default=0)
    updated_rows = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_rows = models.PositiveIntegerField(_("无变化"), default=0)
    rejected_rows = models.PositiveIntegerField(_("拒收"), default=0)
    rejections: models.JSONField[Any, Any] = models.JSONField(_("拒收明细"), default=list, blank=True)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "source", "batch_id"], name="feedbatch_kind_source_batch_unique")
        ]
        verbose_name = _("数据报送批次")
        verbose_name_plural = _("数据报送批次")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.source} {self.batch_id}"


class OutboxMessage(models.Model):
    """One record to deliver to a partner system (the credit platform).  ``idempotency_key`` is sent
    with every attempt, so the receiver can drop a repeat; a message is created once per key."""

    target = models.CharField(_("接收方"), max_length=10, choices=OutboxTarget.choices, default=OutboxTarget.CREDIT)
    operation = models.CharField(_("操作"), max_length=10)  # "add" | "withdraw"
    object_id = models.CharField(_("对象"), max_length=40)
    idempotency_key = models.CharField(max_length=80, unique=True)
    payload: models.JSONField[Any, Any] = models.JSONField(default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    remote_ref = models.CharField(_("对方回执号"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    exported_at = models.DateTimeField(_("导出时间"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_status_next_idx")]
        verbose_name = _("待推送记录")
        verbose_name_plural = _("待推送记录")

    def __str__(self) -> str:
        return f"{self.get_target_display()} {self.operation} {self.object_id}"


class CrossProvinceCheck(models.Model):
    """The answer of the national certification service (跨省通办) for one person counted here in a
    data year: is the person also counted by a unit in another province?  ``counted`` True is a
    cross-province conflict for the district to resolve (R2.7: one person, one unit)."""

    data_year = models.PositiveSmallIntegerField(_("数据年度"))
    person_id = models.PositiveIntegerField(_("残疾人"))
    employer_id = models.PositiveIntegerField(_("本市计入单位"))
    district_code = models.CharField(_("区"), max_length=6)
    person_label = models.CharField(_("姓名（证号）"), max_length=100)
    counted = models.BooleanField(_("外省单位已计入"), null=True)  # None: the service did not answer
    province = models.CharField(_("外省"), max_length=20, blank=True)
    unit_name = models.CharField(_("外省单位"), max_length=200, blank=True)
    unit_uscc = models.CharField(_("外省单位代码"), max_length=18, blank=True)
    error = models.CharField(_("查询失败原因"), max_length=200, blank=True)
    checked_at = models.DateTimeField(_("查询时间"))

    class Meta:
        ordering = ["-data_year", "district_code", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["data_year", "person_id"], name="crossprovince_year_person_unique")
        ]
        verbose_name = _("跨省计入核查")

    def __str__(self) -> str:
        return f"{self.data_year} {self.person_label}"
