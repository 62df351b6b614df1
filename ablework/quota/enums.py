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


# --- §13 credit events (失信信息) ---------------------------------------------------------------------


class CreditEventKind(models.TextChoices):
    """Event types of policy-rules R13.1; the values are the keys of the parameter ``credit_event_mapping``."""

    LEVY_UNPAID_AFTER_DEADLINE = "LEVY_UNPAID_AFTER_DEADLINE", _("逾期未缴纳残疾人就业保障金")
    LEVY_REFUSED_AFTER_ORDER = "LEVY_REFUSED_AFTER_ORDER", _("责令限期缴纳后仍拒不缴纳")
    RATIO_UNMET_AND_UNPAID = "RATIO_UNMET_AND_UNPAID", _("未按比例安排残疾人就业且未缴纳保障金")
    FALSE_DECLARATION = "FALSE_DECLARATION", _("虚假申报（挂靠、假用工）")


# Kinds that end when the unit pays what it owes (R13.1: "withdrawal when the employer complies").
PAYMENT_KINDS = frozenset(
    {
        CreditEventKind.LEVY_UNPAID_AFTER_DEADLINE,
        CreditEventKind.LEVY_REFUSED_AFTER_ORDER,
        CreditEventKind.RATIO_UNMET_AND_UNPAID,
    }
)


class CreditSeverity(models.TextChoices):
    GENERAL = "general", _("一般失信")
    SERIOUS = "serious", _("严重失信")


class CreditEventState(models.TextChoices):
    DETECTED = "detected", _("已发现（待预先告知）")
    NOTIFIED = "notified", _("已预先告知（整改期）")
    OBJECTED = "objected", _("异议审查中")
    OBJECTION_REJECTED = "objection_rejected", _("异议不成立")
    REVIEW = "review", _("推送审核中")
    PENDING_PUSH = "pending_push", _("待推送")
    PUSHED = "pushed", _("已推送")
    CLOSED = "closed", _("异议成立（不予推送）")
    WITHDRAWN = "withdrawn", _("已撤销（未推送）")
    WITHDRAWAL_PENDING = "withdrawal_pending", _("已撤销（撤销记录待推送）")
    WITHDRAWAL_PUSHED = "withdrawal_pushed", _("已撤销（撤销记录已推送）")


# States in which the event has not reached the credit platform and can still be withdrawn.
CREDIT_OPEN_STATES = frozenset(
    {
        CreditEventState.DETECTED,
        CreditEventState.NOTIFIED,
        CreditEventState.OBJECTED,
        CreditEventState.OBJECTION_REJECTED,
        CreditEventState.REVIEW,
        CreditEventState.PENDING_PUSH,
    }
)


class CreditPushOperation(models.TextChoices):
    """What the data-exchange issue sends for a queued event (``api.credit_events_ready_to_push``)."""

    ADD = "add", _("推送失信记录")
    WITHDRAW = "withdraw", _("推送撤销记录（信用修复）")
