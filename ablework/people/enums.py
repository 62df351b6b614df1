from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class DisabilityCategory(models.IntegerChoices):
    VISUAL = 1, _("视力残疾")
    HEARING = 2, _("听力残疾")
    SPEECH = 3, _("言语残疾")
    PHYSICAL = 4, _("肢体残疾")
    INTELLECTUAL = 5, _("智力残疾")
    MENTAL = 6, _("精神残疾")
    MULTIPLE = 7, _("多重残疾")


class DisabilityLevel(models.IntegerChoices):
    L1 = 1, _("一级")
    L2 = 2, _("二级")
    L3 = 3, _("三级")
    L4 = 4, _("四级")


class UrbanRural(models.TextChoices):
    URBAN = "urban", _("城镇")
    RURAL = "rural", _("农村")


class Education(models.TextChoices):
    NONE = "none", _("未上学")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中专/职高")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    POSTGRADUATE = "postgraduate", _("研究生")


class CertificateKind(models.TextChoices):
    CDPF = "cdpf", _("残疾人证")
    MILITARY = "military", _("残疾军人证")


class EmploymentForm(models.TextChoices):
    QUOTA = "quota", _("按比例就业")
    CONCENTRATED = "concentrated", _("集中就业")
    INDIVIDUAL = "individual", _("个体就业")
    SELF_EMPLOYED = "self_employed", _("自主创业")
    ASSISTED = "assisted", _("辅助性就业")
    PUBLIC_WELFARE = "public_welfare", _("公益性岗位")
    FLEXIBLE = "flexible", _("灵活就业")
    RURAL = "rural", _("农村种养加")


class RecordSource(models.TextChoices):
    DECLARED = "declared", _("单位申报")
    PARTNER = "partner", _("部门数据核验")
    OFFICER = "officer", _("经办人录入")
    IMPORT = "import", _("批量导入")


class EmploymentStatus(models.TextChoices):
    """Derived from the employment history and the stated wish; never typed in."""

    EMPLOYED = "employed", _("已就业")
    WANTS_WORK = "wants_work", _("未就业有就业意愿")
    NO_WISH = "no_wish", _("未就业无就业意愿")
    UNKNOWN_WISH = "unknown", _("未就业意愿未登记")
    NOT_WORKING_AGE = "not_working_age", _("非劳动年龄")


class ServiceKind(models.TextChoices):
    """The 四个一 (policy-rules §14)."""

    INFO_CHECK = "info_check", _("基础信息核对")
    ABILITY_ASSESSMENT = "ability_assessment", _("职业能力评估")
    NEED_REGISTRATION = "need_registration", _("就业需求登记")
    SERVICE = "service", _("就业服务")


class ServiceType(models.TextChoices):
    REFERRAL = "referral", _("岗位推荐")
    TRAINING = "training", _("职业培训")
    POLICY = "policy", _("政策咨询")
    ENTREPRENEURSHIP = "entrepreneurship", _("创业扶持")
    ASSISTED = "assisted", _("辅助性就业安置")
    PUBLIC_WELFARE = "public_welfare", _("公益性岗位安置")
    GUIDANCE = "guidance", _("职业指导")
    OTHER = "other", _("其他")


class DifficultyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待区级审核")
    APPROVED = "approved", _("已认定")
    REJECTED = "rejected", _("不予认定")
    EXITED = "exited", _("已退出")
    EXPIRED = "expired", _("已到期")


class StudentStatus(models.TextChoices):
    IN_SCHOOL = "in_school", _("在校")
    SEEKING = "seeking", _("毕业未就业")
    EMPLOYED = "employed", _("已就业")
    FURTHER_STUDY = "further_study", _("升学")
    OTHER = "other", _("其他")


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    ACCEPTED = "accepted", _("已更正")
    DECLINED = "declined", _("未采纳")


# Codes of the 四个一 need registration and ability assessment (people.actions.services), shared with the
# job postings (jobs.enums) so that matching compares like with like.
JOB_TYPES: tuple[tuple[str, str], ...] = (
    ("office", "办公文员"),
    ("customer_service", "客服/话务"),
    ("it", "电脑操作/信息技术"),
    ("manufacturing", "生产加工/装配"),
    ("logistics", "仓储/分拣/包装"),
    ("cleaning", "保洁/绿化"),
    ("catering", "餐饮服务"),
    ("retail", "商业零售"),
    ("massage", "按摩/康复保健"),
    ("handicraft", "手工制作"),
    ("ecommerce", "电商/网络直播"),
    ("security", "门卫/保安"),
    ("agriculture", "种植养殖"),
    ("other", "其他"),
)
ACCOMMODATIONS: tuple[tuple[str, str], ...] = (
    ("accessible_site", "无障碍通道与设施"),
    ("workstation", "工位或设备改造"),
    ("assistive_tech", "读屏软件等辅助技术"),
    ("sign_language", "手语翻译/文字沟通"),
    ("flexible_hours", "弹性工作时间"),
    ("remote", "居家/远程办公"),
    ("job_coach", "就业辅导员陪同"),
    ("commute", "通勤支持"),
    ("other", "其他"),
)
WORK_TIMES: tuple[tuple[str, str], ...] = (("full", "全日制"), ("part", "非全日制"), ("flexible", "灵活时间均可"))
