"""Shared kernel tables: reference data, policy parameters, audit log, notifications, job progress,
saved filters, import batches, approval chains and workflow transition history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ablework.core.enums import AuditAction, Channel, JobStatus


class District(models.Model):
    """A district (区) of Tianjin, GB/T 2260 code.  The 涉农区 flag is editable (policy-rules §17 (b))."""

    code = models.CharField(_("行政区划代码"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=20, unique=True)
    is_agricultural = models.BooleanField(_("涉农区"), default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("区")
        verbose_name_plural = _("区")

    def __str__(self) -> str:
        return self.name


class DistrictOwned(models.Model):
    """Abstract base of a record that belongs to one district: the scoping field and the audit district."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))

    class Meta:
        abstract = True

    def audit_district_code(self) -> str:
        return self.district.code if self.district_id else ""


class Street(models.Model):
    """A street (街道) or town (乡镇), 9-digit statistical code."""

    code = models.CharField(_("统计用区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="streets", verbose_name=_("区"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("街道/乡镇")
        verbose_name_plural = _("街道/乡镇")

    def __str__(self) -> str:
        return self.name


class Industry(models.Model):
    """GB/T 4754-2017 section (门类) or division (大类)."""

    code = models.CharField(_("代码"), max_length=4, unique=True)
    level = models.CharField(_("层级"), max_length=4)
    section = models.CharField(_("门类"), max_length=1)
    name = models.CharField(_("名称"), max_length=80)

    class Meta:
        ordering = ["code"]
        verbose_name = _("行业")
        verbose_name_plural = _("行业")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PolicyParameter(models.Model):
    """One effective-dated value of a policy parameter (policy-rules §18).

    ``district`` empty means the city-wide value; a district row overrides it.  Values are JSON so a
    parameter may be a number (stored as a decimal string), a date range, a list of tiers, or a rule.
    Read only through ``ablework.core.policy.get_param``.
    """

    key = models.CharField(_("参数"), max_length=60, db_index=True)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("区"))
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    value = models.JSONField(_("取值"))
    source = models.CharField(_("依据"), max_length=300)
    confirmed = models.BooleanField(_("已确认"), default=False)
    note = models.TextField(_("备注"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["key", "district_id", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["key", "district", "valid_from"], name="policy_param_unique_start"),
            models.UniqueConstraint(
                fields=["key", "valid_from"], condition=models.Q(district__isnull=True), name="policy_param_unique_city"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="policy_param_valid_range",
            ),
        ]
        verbose_name = _("政策参数")
        verbose_name_plural = _("政策参数")

    def __str__(self) -> str:
        return f"{self.key}@{self.valid_from}"


class AuditLog(models.Model):
    """Append-only, hash-chained audit trail (who, role, what, before/after, when, IP, purpose).

    Rows are written only by ``ablework.core.audit``; database triggers refuse UPDATE and DELETE.
    ``hash`` = SHA-256 over the canonical row and ``prev_hash``; ``manage.py verify_audit`` checks it.
    """

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    district_code = models.CharField(max_length=6, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    purpose = models.CharField(max_length=200, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"], name="audit_object_idx")]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")


class AuditChainHead(models.Model):
    """Single row holding the last sequence number and hash; locked to serialise appends.

    Because it records the tail, deleting the newest audit rows is detected too.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)


class Notification(models.Model):
    """What was sent to a user, on which channel; the in-app inbox reads the ``inbox`` rows."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    subject = models.CharField(_("主题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "channel", "read_at"], name="notif_inbox_idx")]


class Job(models.Model):
    """Progress of a long job (import, batch computation), shown as a progress bar."""

    kind = models.CharField(max_length=60)
    label = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, int(self.done * 100 / self.total))


class SavedFilter(models.Model):
    """A list filter a user saved under a name (the query string of a list page)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    list_name = models.CharField(max_length=60)
    name = models.CharField(_("名称"), max_length=60)
    query = models.CharField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "list_name", "name"], name="savedfilter_unique_name")]


class ImportBatch(models.Model):
    """One uploaded file (Excel/CSV) and what became of each of its rows.

    ``sha256`` + ``kind`` + ``scope_key`` identify a file: uploading the same file again returns the
    earlier batch instead of importing twice.  The rejected rows and their reasons are kept in
    ``errors`` (row number, column, message, original cells) and offered as a downloadable report.
    """

    kind = models.CharField(max_length=40)
    scope_key = models.CharField(max_length=40, blank=True)
    filename = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    stored_path = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    created_rows = models.PositiveIntegerField(default=0)
    updated_rows = models.PositiveIntegerField(default=0)
    unchanged_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "scope_key", "sha256"], name="importbatch_same_file_once"),
        ]


class ApprovalChain(models.Model):
    """An approval chain as data: ordered stages, the role acting at each, and a deadline."""

    code = models.CharField(max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=120)

    def __str__(self) -> str:
        return self.name


class ApprovalStage(models.Model):
    chain = models.ForeignKey(ApprovalChain, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(_("环节"), max_length=60)
    role = models.CharField(_("办理角色"), max_length=20)
    deadline_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"), default=10)

    class Meta:
        ordering = ["chain", "order"]
        constraints = [models.UniqueConstraint(fields=["chain", "order"], name="approvalstage_unique_order")]

    def __str__(self) -> str:
        return self.name


class TransitionLog(models.Model):
    """Every state change of every workflow object, written in the transaction of the change."""

    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    from_state = models.CharField(max_length=30)
    to_state = models.CharField(max_length=30)
    transition = models.CharField(max_length=40)
    stage = models.ForeignKey(ApprovalStage, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    note = models.TextField(_("意见"), blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="transition_object_idx")]


class AuditSubject(models.Model):
    """Which records one audit entry touched, when it touched many (a search result, an export).

    The entry itself carries the count and a digest of the ids in its hashed ``changes``; these rows
    index them, so that a person's access log can list every export or search that included them.
    """

    entry = models.ForeignKey(AuditLog, on_delete=models.DO_NOTHING, db_constraint=False, related_name="subjects")
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"], name="auditsubject_object_idx")]
