"""Demo accounts, one per role, with a shared demo password.  Only for demo mode."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from ablework.accounts.enums import OrgKind, Role
from ablework.accounts.models import Organisation, User
from ablework.core.models import District, Street
from ablework.core.scoping import unscoped
from ablework.people.actions.portal import RELATION_SELF, link_portal_user
from ablework.people.models import Person, PortalLink

DEMO_PASSWORD = "Demo-2026!tj"  # noqa: S105 - printed on purpose: demo data only


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    display_name: str
    org_kind: str
    org_name: str
    district_code: str = ""


DEMO_ACCOUNTS = [
    DemoAccount("city_admin", Role.CITY_ADMIN, "市残联管理员", OrgKind.CITY, "天津市残疾人联合会"),
    DemoAccount("city_reviewer", Role.CITY_REVIEWER, "市残联审核员", OrgKind.CITY, "天津市残疾人联合会"),
    DemoAccount("hp_officer", Role.DISTRICT_OFFICER, "和平区经办员", OrgKind.DISTRICT, "和平区残疾人联合会", "120101"),
    DemoAccount(
        "hp_reviewer", Role.DISTRICT_REVIEWER, "和平区审核员", OrgKind.DISTRICT, "和平区残疾人联合会", "120101"
    ),
    DemoAccount("hx_officer", Role.DISTRICT_OFFICER, "河西区经办员", OrgKind.DISTRICT, "河西区残疾人联合会", "120103"),
    DemoAccount("hp_street", Role.STREET_WORKER, "劝业场街道工作人员", OrgKind.STREET, "劝业场街道", "120101"),
    DemoAccount("employer_demo", Role.EMPLOYER_USER, "单位经办人", OrgKind.EMPLOYER, "演示用人单位"),
    DemoAccount("person_demo", Role.PERSON, "残疾人演示用户", OrgKind.EMPLOYER, ""),
    DemoAccount("api_rsj", Role.API_CLIENT, "市人社局接口", OrgKind.DEPARTMENT, "天津市人力资源和社会保障局"),
]


def ensure_demo_accounts() -> list[tuple[DemoAccount, User]]:
    out = []
    with transaction.atomic():
        for acc in DEMO_ACCOUNTS:
            org = None
            if acc.org_name:
                district = District.objects.get(code=acc.district_code) if acc.district_code else None
                street = (
                    Street.objects.filter(district=district).order_by("code").first()
                    if acc.org_kind == OrgKind.STREET
                    else None
                )
                org, _ = Organisation.objects.get_or_create(
                    kind=acc.org_kind, name=acc.org_name, defaults={"district": district, "street": street}
                )
            user = User.objects.filter(username=acc.username).first()
            if user is None:
                user = User(username=acc.username, role=acc.role, organisation=org, display_name=acc.display_name)
                user.set_password(DEMO_PASSWORD)
                user.save()
            out.append((acc, user))
        _link_demo_person({acc.username: user for acc, user in out})
        _link_demo_employer({acc.username: user for acc, user in out})
    return out


def _link_demo_employer(users: dict[str, User]) -> None:
    """Make ``employer_demo`` a user of a 和平区 unit (once seed_demo made some): preferably one with a
    declaration still being filled in, so 年审申报 shows work to do."""
    from ablework.employers.models import Employer
    from ablework.quota.models import Declaration

    org = users["employer_demo"].organisation
    if org is None or org.external_ref:
        return
    with unscoped():
        decl = (
            Declaration.objects.filter(employer__district__code="120101", status="draft")
            .order_by("-campaign__data_year", "id")
            .first()
        )
        employer = decl.employer if decl is not None else None
        if employer is None:
            employer = Employer.objects.filter(district__code="120101", kind="enterprise").order_by("id").first()
        if employer is not None:
            org.external_ref = str(employer.pk)
            org.name = employer.name
            org.district = employer.district
            org.save(update_fields=["external_ref", "name", "district"])


def _link_demo_person(users: dict[str, User]) -> None:
    """Let ``person_demo`` see the first demo person of 和平区 in "我的档案" (once seed_demo made some)."""
    portal_user, officer = users["person_demo"], users["hp_officer"]
    if PortalLink.objects.filter(user=portal_user).exists():
        return
    with unscoped():
        person = (
            Person.objects.filter(district__code="120101", merged_into__isnull=True)
            .exclude(portallink__relation=RELATION_SELF)
            .order_by("id")
            .first()
        )
        if person is not None:
            link_portal_user(person, portal_user, actor=officer)
