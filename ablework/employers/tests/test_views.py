"""The employer pages over HTTP: list filters and export, officer forms with their messages and the
code/kind confirmation, the unit's page with history, contacts, accounts and deregistration."""

from __future__ import annotations

import io
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from ablework.accounts.models import User
from ablework.core.models import AuditLog, District, Industry
from ablework.core.scoping import unscoped
from ablework.employers import actions
from ablework.employers.models import Employer, EmployerContact
from ablework.employers.tests.factories import code, make_employer

pytestmark = pytest.mark.django_db


def names(client: Any, query: str) -> set[str]:
    """Unit names in the list page's table for ``query``."""
    response = client.get(f"/employers/?{query}")
    assert response.status_code == 200
    return {e.name for e in response.context["state"].page}


def test_list_filters(client: Any, city_admin: Any) -> None:
    make_employer("120101", name="和平企业")
    make_employer("120101", kind="agency", agency_level="district", name="和平区某局")
    make_employer("120103", kind="agency", agency_level="city", name="市某委")
    make_employer("120103", kind="institution", name="河西某中心")
    make_employer("120101", name="已注销公司", status="deregistered", deregistered_on="2024-01-01")
    client.force_login(city_admin)
    assert names(client, "district=120103") == {"市某委", "河西某中心"}
    assert names(client, "kind=agency") == {"和平区某局", "市某委"}
    assert names(client, "kind=agency&level=city") == {"市某委"}
    assert names(client, "level=district&district=120101") == {"和平区某局"}
    assert names(client, "status=deregistered") == {"已注销公司"}
    assert names(client, "status=active&district=120101") == {"和平企业", "和平区某局"}
    assert names(client, "kind=bogus") == set()
    assert names(client, "q=某") == {"和平区某局", "市某委", "河西某中心"}
    with unscoped():
        e = Employer.objects.get(name="河西某中心")
    assert names(client, f"q={e.uscc.lower()}") == {"河西某中心"}
    long_name = "天津市和平区某某某某某某某某有限公司"  # 18 characters, but not a credit code
    make_employer("120101", name=long_name)
    assert names(client, f"q={long_name}") == {long_name}


def test_export_follows_the_filters_and_is_audited(client: Any, city_admin: Any) -> None:
    agency = make_employer("120101", kind="agency", agency_level="district", name="和平区某局", establishment_size=55)
    make_employer("120101", name='=HYPERLINK("x")公司')
    actions.add_contact(agency, actor=city_admin, name="李明", phone="13800000001")
    client.force_login(city_admin)
    response = client.get("/employers/?kind=agency&export=xlsx")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert sheet[0][:5] == ["统一社会信用代码", "单位名称", "单位类型", "机关层级", "编制数"]
    assert len(sheet) == 2
    row = dict(zip(sheet[0], sheet[1], strict=True))
    assert (row["单位名称"], row["机关层级"], row["编制数"], row["主要联系人"], row["联系电话"]) == (
        "和平区某局", "区级", 55, "李明", "13800000001",
    )  # fmt: skip
    entry = AuditLog.objects.get(action="export", object_type="employers.employer")
    assert entry.changes == {"filters": {"kind": "agency"}, "format": "xlsx", "count": 1}
    csv = b"".join(client.get("/employers/?export=csv").streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv  # formula neutralised


def form_data(**kw: Any) -> dict[str, Any]:
    data = {
        "uscc": code("91"),
        "name": "天津海河科技有限公司",
        "kind": "enterprise",
        "agency_level": "",
        "establishment_size": "",
        "district": District.objects.get(code="120101").pk,
        "industry": "",
        "address": "和平区南京路1号",
        "legal_representative": "张三",
        "confirm": "False",
    }
    data.update(kw)
    return data


def test_create_form_shows_the_rule_messages(client: Any, hp_officer: Any) -> None:
    client.force_login(hp_officer)
    page = client.get("/employers/new/").content.decode()
    assert "登记用人单位" in page and "我已核实" not in page  # nothing to confirm yet
    response = client.post("/employers/new/", form_data(kind="agency", is_school="on"))
    text = response.content.decode()
    assert response.status_code == 200
    for message in (
        "机关须选择层级（市级、区级或乡镇（街道）级）",
        "机关、事业单位须填写编制数（核定编制人数）",
        "“中小学或幼儿园”只适用于事业单位，机关不能勾选",
    ):
        assert message in text
    bad = code("91")
    response = client.post("/employers/new/", form_data(uscc=bad[:17] + ("0" if bad[17] != "0" else "1")))
    assert "统一社会信用代码校验位错误" in response.content.decode()
    with unscoped():
        assert not Employer.objects.exists()


def test_create_asks_to_confirm_a_kind_that_disagrees_with_the_code(client: Any, hp_officer: Any) -> None:
    client.force_login(hp_officer)
    data = form_data(uscc=code("12"), kind="enterprise")
    response = client.post("/employers/new/", data)
    text = response.content.decode()
    assert response.status_code == 200
    assert "前两位“12”表示机构编制部门登记的事业单位，与所选单位类型“企业”不一致" in text
    assert "我已核实以上提示，仍然保存" in text
    with unscoped():
        assert not Employer.objects.exists()
    response = client.post("/employers/new/", {**data, "confirm": "on"})
    with unscoped():
        e = Employer.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/employers/{e.pk}/"
    assert (e.kind, e.district.code, e.legal_representative) == ("enterprise", "120101", "张三")
    page = client.get(f"/employers/{e.pk}/").content.decode()
    assert "请核实" in page and "与所选单位类型“企业”不一致" in page  # stays visible on the unit's page


def test_district_officer_registers_only_in_their_district(client: Any, hp_officer: Any) -> None:
    client.force_login(hp_officer)
    hx = District.objects.get(code="120103")
    response = client.post("/employers/new/", form_data(district=hx.pk))
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    with unscoped():
        assert not Employer.objects.exists()


def test_edit_and_history_on_the_page(client: Any, hp_officer: Any) -> None:
    e = make_employer("120101", name="旧名称公司")
    client.force_login(hp_officer)
    form = client.get(f"/employers/{e.pk}/edit/").context["form"]
    assert form.initial["name"] == "旧名称公司"
    software = Industry.objects.get(code="I65")
    response = client.post(
        f"/employers/{e.pk}/edit/", form_data(uscc=e.uscc, name="新名称公司", industry=software.pk, address="")
    )
    assert response.status_code == 302
    e.refresh_from_db()
    assert (e.name, e.industry_id, e.legal_representative) == ("新名称公司", software.pk, "张三")
    page = client.get(f"/employers/{e.pk}/").content.decode()
    assert "变更记录" in page and "旧名称公司 → 新名称公司" in page
    assert AuditLog.objects.filter(action="read", object_type="employers.employer", object_id=str(e.pk)).exists()


def test_contacts_through_the_pages(client: Any, hp_officer: Any) -> None:
    e = make_employer("120101")
    client.force_login(hp_officer)
    response = client.post(f"/employers/{e.pk}/contacts/add/", {"name": "李明", "phone": "12345"})
    assert "联系电话格式不正确" in response.content.decode()
    client.post(f"/employers/{e.pk}/contacts/add/", {"name": "李明", "title": "人事经理", "phone": "13800000001"})
    client.post(f"/employers/{e.pk}/contacts/add/", {"name": "王芳", "email": "wf@example.com"})
    page = client.get(f"/employers/{e.pk}/").content.decode()
    assert "人事经理" in page and "wf@example.com" in page
    li = EmployerContact.objects.get(name="李明")
    assert li.is_primary
    response = client.post(f"/employers/{e.pk}/contacts/{li.pk}/delete/")
    assert response.status_code == 302
    assert list(EmployerContact.objects.values_list("name", "is_primary")) == [("王芳", True)]
    assert client.get(f"/employers/{e.pk}/contacts/{li.pk}/delete/").status_code == 405


def test_create_user_shows_the_initial_password_once(client: Any, hp_officer: Any) -> None:
    e = make_employer("120101")
    client.force_login(hp_officer)
    response = client.post(
        f"/employers/{e.pk}/users/add/", {"username": "haihe01", "display_name": "李明", "phone": ""}
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    password = response.context["created"].initial_password
    assert f'<code id="initial-password">{password}</code>' in response.content.decode()
    user = User.objects.get(username="haihe01")
    assert user.check_password(password) and user.role == "employer_user"
    assert password not in client.get(f"/employers/{e.pk}/").content.decode()
    response = client.post(f"/employers/{e.pk}/users/add/", {"username": "haihe01", "display_name": "王芳"})
    assert "用户名“haihe01”已被使用，请换一个" in response.content.decode()
    client.force_login(user)  # the new account lands on its unit's page from the menu
    home = client.get("/employers/mine/")
    assert home.status_code == 200 and any(i["name"] == "employers:mine" for i in user.navigation())


def test_deregister_through_the_page(client: Any, hp_officer: Any) -> None:
    e = make_employer("120101")
    client.force_login(hp_officer)
    response = client.post(f"/employers/{e.pk}/deregister/", {"on": "2025-03-01", "reason": ""})
    assert "这个字段是必填项" in response.content.decode() or "必填" in response.content.decode()
    response = client.post(f"/employers/{e.pk}/deregister/", {"on": "2025-03-01", "reason": "已办理工商注销"})
    assert response.status_code == 302
    e.refresh_from_db()
    assert e.status == "deregistered"
    page = client.get(f"/employers/{e.pk}/").content.decode()
    assert "本单位已于2025-03-01注销（已办理工商注销）" in page and "新增单位账号" not in page
    assert client.get(f"/employers/{e.pk}/users/add/").status_code == 404
    assert client.get(f"/employers/{e.pk}/deregister/").status_code == 404
    response = client.post(f"/employers/{e.pk}/reactivate/", {"reason": "注销登记有误"})
    e.refresh_from_db()
    assert response.status_code == 302 and e.status == "active"
