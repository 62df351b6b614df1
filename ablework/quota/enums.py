"""Choices of the annual review (年审); other apps may import this module (with ``api``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("申报中")
    CLOSED = "closed", _("已结束")


class DeclarationStatus(models.TextChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("待区级审核")
    RETURNED = "returned", _("退回修改")
    CERTIFIED = "certified", _("已审核认定")


class CertKind(models.TextChoices):
    """The certificates that count (policy-rules R2.4); values equal ``quota.rules.CDPF`` / ``MILITARY``."""

    CDPF = "cdpf", _("残疾人证")
    MILITARY = "military", _("残疾军人证")


class ReviewOutcome(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACCEPTED = "accepted", _("认定计入")
    REJECTED = "rejected", _("不予计入")


class CountingParty(models.TextChoices):
    """Which party of a dispatch agreement counts the person (R2.7, current rule)."""

    DISPATCHER = "dispatcher", _("派遣单位")
    RECEIVER = "receiver", _("用工单位")


class UploadKind(models.TextChoices):
    DECLARATION_FORM = "declaration_form", _("申报表（加盖公章）")
    CONTRACT = "contract", _("劳动合同/服务协议")
    PLEDGE = "pledge", _("承诺书")
    OTHER = "other", _("其他材料")


class ConflictState(models.TextChoices):
    OPEN = "open", _("待处理")
    RESOLVED = "resolved", _("已处理")


class ConflictDecision(models.TextChoices):
    """Which declaration counts the person after a conflict decision (R2.7: at most one unit)."""

    COUNT_A = "a", _("由第一家单位计算")
    COUNT_B = "b", _("由第二家单位计算")
    NEITHER = "neither", _("两家单位均不计入")
    WITHDRAWN = "withdrawn", _("申报单位已撤回该人员")
