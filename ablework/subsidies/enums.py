from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgrammeKind(models.TextChoices):
    OVER_QUOTA_REWARD = "over_quota_reward", _("超比例安排残疾人就业奖励")
    NEW_HIRE = "new_hire", _("用人单位新招用残疾人就业补贴")
    INTERNSHIP = "internship", _("残疾人就业见习补贴")
    NEW_BUSINESS = "new_business", _("新个体工商户扶持")
    SELF_EMPLOYMENT = "self_employment", _("残疾人自主创业补贴")
    ASSISTED_GRANT = "assisted_grant", _("辅助性就业机构补贴")


class ApplicantKind(models.TextChoices):
    EMPLOYER = "employer", _("用人单位")
    PERSON = "person", _("残疾人本人")
    INSTITUTION = "institution", _("辅助性就业机构")


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("未开放")
    OPEN = "open", _("受理中")
    CLOSED = "closed", _("已结束")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("审核中")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("审核通过")
    REJECTED = "rejected", _("不予通过")
    WITHDRAWN = "withdrawn", _("已撤回")


class NoticeStatus(models.TextChoices):
    OPEN = "open", _("公示中")
    ENDED = "ended", _("公示结束")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


class BatchStatus(models.TextChoices):
    BUILT = "built", _("已生成")
    SUBMITTED = "submitted", _("已报送银行")
    SETTLED = "settled", _("已回盘")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("待发放")
    PAID = "paid", _("已发放")
    FAILED = "failed", _("发放失败")


class ClawbackStatus(models.TextChoices):
    OPEN = "open", _("待追回")
    RECOVERED = "recovered", _("已追回")
    WAIVED = "waived", _("核销")
