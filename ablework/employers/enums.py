from django.db import models
from django.utils.translation import gettext_lazy as _


class EmployerKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    SOE = "soe", _("国有企业")
    AGENCY = "agency", _("机关")
    INSTITUTION = "institution", _("事业单位")
    SOCIAL_ORG = "social_org", _("社会组织")
    INDIVIDUAL = "individual", _("个体工商户")
