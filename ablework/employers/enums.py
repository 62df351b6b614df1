from django.db import models
from django.utils.translation import gettext_lazy as _


class EmployerKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    SOE = "soe", _("国有企业")
    AGENCY = "agency", _("机关")
    INSTITUTION = "institution", _("事业单位")
    SOCIAL_ORG = "social_org", _("社会组织")
    INDIVIDUAL = "individual", _("个体工商户")


class AgencyLevel(models.TextChoices):
    """Administrative level of an agency (机关).  The stored values are the ones the policy parameter
    ``public_sector_rule.agency_levels`` names (policy-rules R12.1)."""

    CITY = "city", _("市级")
    DISTRICT = "district", _("区级")
    TOWNSHIP = "township", _("乡镇（街道）级")


class EmployerStatus(models.TextChoices):
    ACTIVE = "active", _("存续")
    DEREGISTERED = "deregistered", _("已注销")


# Kinds that have an authorised establishment (编制) and fall under the public-sector rule (§12).
PUBLIC_SECTOR_KINDS = frozenset({EmployerKind.AGENCY, EmployerKind.INSTITUTION})
