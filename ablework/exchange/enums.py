"""Code lists of the data exchange (scopes, feed kinds, statuses)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """What an API client may do.  A call needs the one scope its endpoint names."""

    PERSONS_VERIFY = "persons:verify", _("核验残疾人证是否有效")
    PERSONS_DETAIL = "persons:detail", _("核验时返回残疾类别、等级")
    PERSONS_EMPLOYMENT = "persons:employment", _("查询就业状态")
    QUOTA_RESULTS = "quota:results", _("查询按比例就业年审结果")
    PAYMENTS_READ = "payments:read", _("查询补贴发放")
    FEEDS_SI = "feeds:si", _("报送社保缴费数据")
    FEEDS_BUSINESS = "feeds:business", _("报送市场主体登记数据")
    FEEDS_LEVY = "feeds:levy", _("报送保障金缴纳数据")
    FEEDS_MILITARY = "feeds:military", _("报送残疾军人证数据")


class Department(models.TextChoices):
    """The partner department an API client belongs to; it is the ``source`` of the facts it reports."""

    HRSS = "人社", _("人力资源和社会保障局")
    MEDICAL = "医保", _("医疗保障局")
    MARKET = "市场监管", _("市场监督管理委员会")
    TAX = "税务", _("税务局")
    VETERANS = "退役军人", _("退役军人事务局")
    CREDIT = "信用平台", _("信用信息共享平台")
    OTHER = "其他", _("其他")


class FeedKind(models.TextChoices):
    SI = "si", _("社保缴费")
    BUSINESS = "business", _("市场主体登记")
    LEVY = "levy", _("保障金缴纳")
    MILITARY = "military", _("残疾军人证")


FEED_SCOPES: dict[str, str] = {
    FeedKind.SI: Scope.FEEDS_SI,
    FeedKind.BUSINESS: Scope.FEEDS_BUSINESS,
    FeedKind.LEVY: Scope.FEEDS_LEVY,
    FeedKind.MILITARY: Scope.FEEDS_MILITARY,
}


class Channel(models.TextChoices):
    API = "api", _("接口推送")
    FILE = "file", _("文件上传")


class BatchStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已送达")
    RETRY = "retry", _("重试中")
    DEAD = "dead", _("发送失败（待人工处理）")
    EXPORTED = "exported", _("已导出文件报送")


class OutboxTarget(models.TextChoices):
    CREDIT = "credit", _("天津市信用信息共享平台")
