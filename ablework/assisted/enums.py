from django.db import models
from django.utils.translation import gettext_lazy as _


class InstitutionKind(models.TextChoices):
    INSTITUTION = "institution", _("辅助性就业机构")
    WORKSTATION = "workstation", _("辅助性就业工作站")
    SUNSHINE = "sunshine", _("助残阳光工场")
    HOME = "home", _("残疾人之家")


class InstitutionStatus(models.TextChoices):
    ACTIVE = "active", _("运营中")
    CLOSED = "closed", _("已关闭")


class StaffRole(models.TextChoices):
    MANAGER = "manager", _("负责人")
    JOB_COACH = "job_coach", _("就业辅导员")
    SOCIAL_WORKER = "social_worker", _("社会工作者")
    TECHNICIAN = "technician", _("技术指导")
    OTHER = "other", _("其他")


class ParticipantStatus(models.TextChoices):
    ACTIVE = "active", _("在岗")
    LEFT = "left", _("已离开")


class SignedWith(models.TextChoices):
    PERSON = "person", _("本人")
    GUARDIAN = "guardian", _("监护人")


class SourceUnitKind(models.TextChoices):
    AGENCY = "agency", _("机关")
    HOSPITAL = "hospital", _("医院")
    SCHOOL = "school", _("学校")
    ENTERPRISE = "enterprise", _("企业")
    SOCIAL_ORG = "social_org", _("社会组织")
    OTHER = "other", _("其他")


class RuralBaseKind(models.TextChoices):
    POVERTY_BASE = "poverty_base", _("农村助残扶贫基地")
    SUNSHINE = "sunshine", _("助残阳光工场")


class RuralIndustry(models.TextChoices):
    PLANTING = "planting", _("种植")
    BREEDING = "breeding", _("养殖")
    PROCESSING = "processing", _("加工")
    TOURISM = "tourism", _("乡村旅游")
    FOOD = "food", _("健康美食")
    ECOMMERCE = "ecommerce", _("农村电商")
    LOGISTICS = "logistics", _("快递物流")
    OTHER = "other", _("其他")


class SupportKind(models.TextChoices):
    EMPLOYED = "employed", _("直接安置就业")
    SUPPORTED = "supported", _("帮扶带动")


class HelpKind(models.TextChoices):
    PLACEMENT = "placement", _("安置就业")
    TRAINING = "training", _("实用技术培训")
    GUIDANCE = "guidance", _("技术指导")
    OTHER = "other", _("其他帮扶")
