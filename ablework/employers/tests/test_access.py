"""Who sees and changes which unit: district scoping (和平 vs 河西) on every route, the unit's own users
(their unit only, contacts only), and roles that get nothing."""

from __future__ import annotations

from typing import Any

import pytest

from ablework.core.scoping import unscoped
from ablework.employers import actions
from ablework.employers.models import Employer, EmployerContact
from ablework.employers.tests.factories import make_employer

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(city_admin: Any) -> dict[str, Employer]:
    hp = make_employer("120101", name="和平甲公司")
    hx = make_employer("120103", name="河西乙公司")
    actions.add_contact(hp, actor=city_admin, name="和平联系人", phone="13800000001")
    actions.add_contact(hx, actor=city_admin, name="河西联系人", phone="13800000002")
    return {"hp": hp, "hx": hx}


def routes(e: Employer, contact: EmployerContact) -> list[str]:
    return [
        f"/employers/{e.pk}/",
        f"/employers/{e.pk}/edit/",
        f"/employers/{e.pk}/deregister/",
        f"/employers/{e.pk}/users/add/",
        f"/employers/{e.pk}/contacts/add/",
        f"/employers/{e.pk}/contacts/{contact.pk}/edit/",
    ]


def contact_of(e: Employer) -> EmployerContact:
    return EmployerContact.objects.get(employer=e)


def test_officer_of_another_district_gets_404_everywhere(
    client: Any, hp_officer: Any, units: dict[str, Employer]
) -> None:
    client.force_login(hp_officer)
    hx = units["hx"]
    for url in routes(hx, contact_of(hx)):
        assert client.get(url).status_code == 404, url
    contact = contact_of(hx)
    assert client.post(f"/employers/{hx.pk}/contacts/{contact.pk}/delete/").status_code == 404
    assert client.post(f"/employers/{hx.pk}/edit/", {"name": "改名"}).status_code == 404
    assert client.post(f"/employers/{hx.pk}/users/add/", {"username": "x01", "display_name": "某"}).status_code == 404
    assert EmployerContact.objects.filter(pk=contact.pk).exists()
    with unscoped():
        assert Employer.objects.get(pk=hx.pk).name == "河西乙公司"
    for url in routes(units["hp"], contact_of(units["hp"])):  # and their own district works
        assert client.get(url).status_code == 200, url


def test_list_and_export_show_only_the_officers_district(
    client: Any, hp_officer: Any, units: dict[str, Employer]
) -> None:
    client.force_login(hp_officer)
    page = client.get("/employers/").content.decode()
    assert "和平甲公司" in page and "河西乙公司" not in page
    assert "河西乙公司" not in client.get("/employers/?district=120103").content.decode()
    csv = b"".join(client.get("/employers/?export=csv").streaming_content).decode("utf-8-sig")
    assert "和平甲公司" in csv and "河西乙公司" not in csv and "和平联系人" in csv
    xlsx = client.get("/employers/?export=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")


def test_city_admin_sees_every_district(client: Any, city_admin: Any, units: dict[str, Employer]) -> None:
    client.force_login(city_admin)
    page = client.get("/employers/").content.decode()
    assert "和平甲公司" in page and "河西乙公司" in page
    for e in units.values():
        assert client.get(f"/employers/{e.pk}/edit/").status_code == 200


def test_employer_user_sees_only_their_own_unit(client: Any, city_admin: Any, units: dict[str, Employer]) -> None:
    hp, hx = units["hp"], units["hx"]
    user = actions.create_employer_user(hp, actor=city_admin, username="hp01", display_name="李明").user
    client.force_login(user)
    mine = client.get("/employers/mine/")
    assert mine.status_code == 200
    text = mine.content.decode()
    assert "本单位信息" in text and "和平甲公司" in text and "和平联系人" in text
    assert "修改信息" not in text and "变更记录" not in text  # officers' tools and history are not shown
    assert client.get(f"/employers/{hp.pk}/").status_code == 200
    assert client.get(f"/employers/{hx.pk}/").status_code == 404
    assert client.get("/employers/").status_code == 404
    assert client.get("/employers/?export=csv").status_code == 404
    for url in (
        f"/employers/{hp.pk}/edit/",
        f"/employers/{hp.pk}/deregister/",
        f"/employers/{hp.pk}/users/add/",
        "/employers/new/",
        "/employers/import/",
    ):
        assert client.get(url).status_code == 404, url
    # The code and kind cannot be changed through the edit form, even by a forged POST.
    assert client.post(f"/employers/{hp.pk}/edit/", {"uscc": hx.uscc, "kind": "agency"}).status_code == 404
    for url in routes(hx, contact_of(hx))[4:]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/employers/{hx.pk}/contacts/add/", {"name": "插入", "phone": "13800000009"}).status_code == 404
    # Contacts of their own unit: yes.
    response = client.post(f"/employers/{hp.pk}/contacts/add/", {"name": "王芳", "phone": "13800000003"})
    assert response.status_code == 302 and response["Location"] == "/employers/mine/"
    assert EmployerContact.objects.filter(employer=hp, name="王芳").exists()
    own_contact = contact_of_named(hp, "和平联系人")
    response = client.post(
        f"/employers/{hp.pk}/contacts/{own_contact.pk}/edit/",
        {"name": "和平联系人", "phone": "022-23456789", "is_primary": "on"},
    )
    assert response.status_code == 302
    own_contact.refresh_from_db()
    assert own_contact.phone == "022-23456789"


def contact_of_named(e: Employer, name: str) -> EmployerContact:
    return EmployerContact.objects.get(employer=e, name=name)


def test_deactivated_or_unlinked_employer_user_gets_nothing(
    client: Any, city_admin: Any, make_user: Any, units: dict[str, Employer]
) -> None:
    client.force_login(make_user("employer_user"))  # an employer organisation with no unit
    assert client.get("/employers/mine/").status_code == 404
    assert client.get(f"/employers/{units['hp'].pk}/").status_code == 404


@pytest.mark.parametrize(("role", "district"), [("person", None), ("api_client", None)])
def test_other_roles_get_404(
    client: Any, make_user: Any, units: dict[str, Employer], role: str, district: str | None
) -> None:
    client.force_login(make_user(role, district))
    assert client.get("/employers/").status_code == 404
    assert client.get(f"/employers/{units['hp'].pk}/").status_code == 404
    assert client.get("/employers/mine/").status_code == 404


def test_reviewer_and_street_worker_may_look_but_not_change(
    client: Any, make_user: Any, units: dict[str, Employer]
) -> None:
    hp = units["hp"]
    for role in ("district_reviewer", "street_worker"):
        client.force_login(make_user(role, "120101"))
        page = client.get(f"/employers/{hp.pk}/")
        assert page.status_code == 200 and "修改信息" not in page.content.decode()
        assert client.get(f"/employers/{units['hx'].pk}/").status_code == 404
        for url in routes(hp, contact_of(hp))[1:]:
            assert client.get(url).status_code == 404, (role, url)


def test_anonymous_is_sent_to_login(client: Any, units: dict[str, Employer]) -> None:
    response = client.get(f"/employers/{units['hp'].pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
