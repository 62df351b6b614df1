from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    CITY = "city", _("市残联")
    DISTRICT = "district", _("区残联")
    STREET = "street", _("街道/社区")
    DEPARTMENT = "department", _("合作部门")
    EMPLOYER = "employer", _("用人单位")
    INSTITUTION = "institution", _("服务机构")


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("市级管理员")
    CITY_REVIEWER = "city_reviewer", _("市级审核员")
    DISTRICT_OFFICER = "district_officer", _("区级经办员")
    DISTRICT_REVIEWER = "district_reviewer", _("区级审核员")
    STREET_WORKER = "street_worker", _("街道/社区工作人员")
    EMPLOYER_USER = "employer_user", _("用人单位用户")
    PERSON = "person", _("残疾人或监护人")
    API_CLIENT = "api_client", _("部门接口用户")


CITY_ROLES = frozenset({Role.CITY_ADMIN, Role.CITY_REVIEWER})
DISTRICT_ROLES = frozenset({Role.DISTRICT_OFFICER, Role.DISTRICT_REVIEWER, Role.STREET_WORKER})
STAFF_ROLES = CITY_ROLES | DISTRICT_ROLES
