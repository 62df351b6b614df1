from django.db import models
from django.utils.translation import gettext_lazy as _


class ProviderKind(models.TextChoices):
    FEDERATION_BASE = "federation_base", _("残联职业培训基地")
    EMPLOYMENT_SERVICE = "employment_service", _("残疾人就业服务机构")
    HRSS = "hrss", _("人社部门培训机构")
    COLLEGE = "college", _("高校/职业院校")
    SPECIAL_SCHOOL = "special_school", _("特殊教育学校")
    PRIVATE = "private", _("民办职业培训学校")
    ENTERPRISE = "enterprise", _("企业")
    OTHER = "other", _("其他")


class ListingStatus(models.TextChoices):
    NONE = "none", _("未挂牌")
    LISTED = "listed", _("已挂牌")
    SUSPENDED = "suspended", _("暂停")
    REVOKED = "revoked", _("已摘牌")


class LengthClass(models.TextChoices):
    LONG = "long", _("长期（6个月以上）")
    MEDIUM = "medium", _("中期（6个月以内）")
    SHORT = "short", _("短期（1个月以内）")


class AccessibleFormat(models.TextChoices):
    SIGN = "sign", _("手语")
    BRAILLE = "braille", _("盲文")
    BARRIER_FREE = "barrier_free", _("无障碍场地")
    CAPTIONS = "captions", _("字幕")
    EASY_READ = "easy_read", _("易读教材")
    ONLINE = "online", _("线上")
    HOME = "home", _("上门")


class CourseMode(models.TextChoices):
    CLASS = "class", _("集中培训")
    ORDER = "order", _("点单式")
    HOME = "home", _("上门式")
    INTERNSHIP = "internship", _("实习式")


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("在训")
    COMPLETED = "completed", _("已结业")
    DROPPED = "dropped", _("中途退出")


class CertificateKind(models.TextChoices):
    NONE = "", _("无")
    COMPLETION = "completion", _("培训结业证书")
    SKILL_LEVEL = "skill_level", _("职业技能等级证书")
    QUALIFICATION = "qualification", _("职业资格证书")
    SPECIAL = "special", _("专项职业能力证书")


class Award(models.TextChoices):
    GOLD = "gold", _("一等奖/金奖")
    SILVER = "silver", _("二等奖/银奖")
    BRONZE = "bronze", _("三等奖/铜奖")
    MERIT = "merit", _("优秀奖")
    TAKING_PART = "taking_part", _("参赛")


class CompetitionLevel(models.TextChoices):
    CITY = "city", _("市级")
    NATIONAL = "national", _("全国")
    DISTRICT = "district", _("区级")


class MassageKind(models.TextChoices):
    MEDICAL = "medical", _("盲人医疗按摩所")
    HEALTH = "health", _("保健按摩机构")


class TitleLevel(models.TextChoices):
    NONE = "", _("无职称")
    JUNIOR = "junior", _("初级")
    MIDDLE = "middle", _("中级")
    SENIOR = "senior", _("高级")
