"""Choices of ablework.jobs.  Occupation, working-time and accommodation codes are the registry's
(``people.enums``: ``JOB_TYPES``, ``WORK_TIMES``, ``ACCOMMODATIONS``, used by the 四个一 forms), so that a
need registration and a posting speak the same language; ``rules.py`` (no Django) keeps the bare code
tuples and a test checks that they agree."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ablework.people import enums as people_enums

# One list each, the registry's: what a person wants and needs is what an employer offers.
OCCUPATIONS = people_enums.JOB_TYPES
WORK_TIMES = people_enums.WORK_TIMES
ACCOMMODATIONS = people_enums.ACCOMMODATIONS

# Physical accessibility of the workplace (checked by the employer or an officer on a visit).
ACCESSIBILITY: tuple[tuple[str, str], ...] = (
    ("step_free", "无台阶或有坡道的出入口"),
    ("lift", "电梯（岗位不在首层时）"),
    ("accessible_toilet", "无障碍卫生间"),
    ("wide_doors", "宽度足够轮椅通行的门和通道"),
    ("tactile", "盲道/触觉标识"),
    ("visual_alarm", "闪光报警等视觉提示"),
    ("parking", "无障碍停车位"),
)
CATEGORIES: tuple[tuple[int, str], ...] = (
    (1, "视力残疾"),
    (2, "听力残疾"),
    (3, "言语残疾"),
    (4, "肢体残疾"),
    (5, "智力残疾"),
    (6, "精神残疾"),
    (7, "多重残疾"),
)


class PostingStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("招聘中")
    CLOSED = "closed", _("已结束")


class PostingSource(models.TextChoices):
    """Where a post comes from.  Everything but ``ordinary`` is a reserved or targeted post (seed
    measures): it carries the relaxed conditions it was opened with."""

    ORDINARY = "ordinary", _("普通岗位")
    SOE_TARGETED = "soe_targeted", _("国企定向招聘")
    RESERVED_KIOSK = "reserved_kiosk", _("邮政报刊亭/社区服务点预留")
    TOBACCO_LICENCE = "tobacco_licence", _("烟草零售许可")
    PUBLIC_WELFARE = "public_welfare", _("公益性岗位")


class FairKind(models.TextChoices):
    SOE = "soe", _("国有企业专场")
    GRADUATES = "graduates", _("高校毕业生专场")
    ONLINE = "online", _("网络招聘专场")
    GENERAL = "general", _("综合专场")


class Channel(models.TextChoices):
    APPLIED = "applied", _("本人申请")
    REFERRED = "referred", _("经办人推荐")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已投递")
    INTERVIEW = "interview", _("面试/试岗")
    HIRED = "hired", _("已录用")
    REJECTED = "rejected", _("未录用")
    WITHDRAWN = "withdrawn", _("已撤回")


class RetentionResult(models.TextChoices):
    IN_POST = "in_post", _("仍在岗")
    LEFT = "left", _("已离职")
    UNREACHABLE = "unreachable", _("无法联系")


class ConsentStatus(models.TextChoices):
    CONSENTED = "consented", _("同意向用人单位展示")
    OPTED_OUT = "opted_out", _("拒绝自动匹配")


class DirectoryKind(models.TextChoices):
    HR_INSTITUTION = "hr_institution", _("人力资源服务机构")
    CARRIER = "carrier", _("就业创业服务载体")


class CarrierType(models.TextChoices):
    NONE = "", _("—")
    INCUBATOR = "incubator", _("创业孵化基地")
    PARK = "park", _("创业园区")
    STATION = "station", _("就业服务站")
    BASE = "base", _("就业见习/实训基地")
    OTHER = "other", _("其他")
