"""Employer registry actions and rules: validation messages, the code/kind warning, audited updates,
deregistration, contacts, employer user accounts, and the api other apps use."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django_scopes.exceptions import ScopeError

from ablework.accounts.models import Organisation, User
from ablework.core.identifiers import parse_uscc
from ablework.core.models import AuditLog, District, Industry
from ablework.core.scoping import district_scope, unscoped
from ablework.employers import actions, api, queries, rules
from ablework.employers.models import Employer, EmployerContact
from ablework.employers.tests.factories import code, make_employer

pytestmark = pytest.mark.django_db


def hp() -> District:
    return District.objects.get(code="120101")


def hx() -> District:
    return District.objects.get(code="120103")


def register(actor: Any, **kw: Any) -> Employer:
    kw.setdefault("uscc", code("91"))
    kw.setdefault("name", "天津海河科技有限公司")
    kw.setdefault("kind", "enterprise")
    kw.setdefault("district", hp())
    return actions.create_employer(actor=actor, **kw)


def errors_of(exc: pytest.ExceptionInfo[actions.EmployerError]) -> dict[str, str]:
    return exc.value.errors


# --- validation -------------------------------------------------------------------------------------


def test_agency_needs_level_and_establishment(hp_officer: Any) -> None:
    with pytest.raises(actions.EmployerError) as exc:
        register(hp_officer, uscc=code("11"), name="和平区民政局", kind="agency")
    assert errors_of(exc) == {
        "agency_level": "机关须选择层级（市级、区级或乡镇（街道）级）",
        "establishment_size": "机关、事业单位须填写编制数（核定编制人数）",
    }
    e = register(
        hp_officer, uscc=code("11"), name="和平区民政局", kind="agency", agency_level="district", establishment_size=52
    )
    assert (e.kind, e.agency_level, e.establishment_size) == ("agency", "district", 52)


def test_institution_needs_establishment_and_only_it_may_be_a_school(hp_officer: Any) -> None:
    with pytest.raises(actions.EmployerError) as exc:
        register(hp_officer, uscc=code("12"), kind="institution", is_school=True)
    assert errors_of(exc) == {"establishment_size": "机关、事业单位须填写编制数（核定编制人数）"}
    with pytest.raises(actions.EmployerError) as exc:
        register(hp_officer, is_school=True, establishment_size=10, agency_level="city")
    assert errors_of(exc) == {
        "agency_level": "只有机关填写层级，企业不填写",
        "establishment_size": "只有机关、事业单位填写编制数，企业不填写",
        "is_school": "“中小学或幼儿园”只适用于事业单位，企业不能勾选",
    }
    school = register(hp_officer, uscc=code("12"), kind="institution", is_school=True, establishment_size=120)
    assert school.is_school


def test_bad_and_duplicate_credit_codes(hp_officer: Any, hx_officer: Any) -> None:
    good = code("91")
    with pytest.raises(actions.EmployerError) as exc:
        register(hp_officer, uscc=good[:17] + ("0" if good[17] != "0" else "1"))
    assert errors_of(exc)["uscc"].startswith("统一社会信用代码校验位错误：应为")
    with pytest.raises(actions.EmployerError) as exc:
        register(hp_officer, uscc=good[:10])
    assert errors_of(exc)["uscc"] == "统一社会信用代码长度应为18位，实际为10位"
    register(hx_officer, uscc=good, name="河西某公司", district=hx())
    with pytest.raises(actions.EmployerError) as exc:  # registered in another district: said where
        register(hp_officer, uscc=good.lower())
    assert "已登记为“河西某公司”（河西区）" in errors_of(exc)["uscc"]
    with unscoped():
        assert Employer.objects.filter(uscc=good).count() == 1


def test_kind_against_code_is_a_warning_not_an_error(hp_officer: Any) -> None:
    agency_code = code("11")
    e = register(hp_officer, uscc=agency_code, kind="enterprise")  # saved anyway
    assert actions.warnings_for(e) == [
        "统一社会信用代码前两位“11”表示机构编制部门登记的机关，与所选单位类型“企业”不一致，请核实单位类型或代码"
    ]
    assert rules.code_warnings(parse_uscc(code("91")), "soe") == []
    assert rules.code_warnings(parse_uscc(code("52")), "social_org") == []
    assert "个体工商户" in rules.code_warnings(parse_uscc(code("92")), "enterprise")[0]
    assert rules.code_warnings(parse_uscc(code("31")), "enterprise") == []  # 司法行政: the code does not tell
    assert rules.suggested_kind(parse_uscc(code("12"))) == "institution"
    assert rules.suggested_kind(parse_uscc(code("91"))) == "enterprise"
    assert rules.suggested_kind(parse_uscc(code("31"))) is None


# --- updates ----------------------------------------------------------------------------------------


def test_update_is_audited_with_before_and_after(hp_officer: Any) -> None:
    e = register(hp_officer, address="和平区南京路1号")
    software = Industry.objects.get(code="I65")
    actions.update_employer(
        e, actor=hp_officer, name="天津海河软件有限公司", industry=software, address="和平区南京路1号"
    )
    entry = AuditLog.objects.filter(object_type="employers.employer", object_id=str(e.pk), action="update").get()
    assert entry.changes == {"name": ["天津海河科技有限公司", "天津海河软件有限公司"], "industry": [None, software.pk]}
    assert entry.actor == hp_officer and entry.district_code == "120101"
    actions.update_employer(e, actor=hp_officer, name="天津海河软件有限公司")  # nothing changed: no entry
    assert AuditLog.objects.filter(object_id=str(e.pk), action="update").count() == 1
    history = queries.history_for_employer(e)
    assert [h.action for h in history] == ["create", "update"]
    assert history[0].changes["uscc"] == [None, e.uscc]


def test_changing_kind_clears_what_no_longer_applies(hp_officer: Any) -> None:
    e = register(hp_officer, uscc=code("12"), kind="institution", establishment_size=70, is_school=True)
    e = actions.update_employer(e, actor=hp_officer, kind="enterprise")
    assert (e.kind, e.establishment_size, e.is_school) == ("enterprise", None, False)
    with pytest.raises(actions.EmployerError) as exc:
        actions.update_employer(e, actor=hp_officer, kind="agency")
    assert set(errors_of(exc)) == {"agency_level", "establishment_size"}
    e = actions.update_employer(e, actor=hp_officer, kind="agency", agency_level="city", establishment_size=60)
    assert (e.kind, e.agency_level, e.establishment_size) == ("agency", "city", 60)
    with pytest.raises(TypeError):
        actions.update_employer(e, actor=hp_officer, status="deregistered")


def test_code_change_is_checked_and_rename_follows_to_the_organisation(hp_officer: Any) -> None:
    a, b = register(hp_officer), register(hp_officer, name="另一家")
    with pytest.raises(actions.EmployerError) as exc:
        actions.update_employer(b, actor=hp_officer, uscc=a.uscc)
    assert "已登记为“天津海河科技有限公司”" in errors_of(exc)["uscc"]
    actions.create_employer_user(a, actor=hp_officer, username="haihe01", display_name="李明")
    actions.update_employer(a, actor=hp_officer, name="天津海河新名有限公司", district=hx())
    org = Organisation.objects.get(kind="employer", external_ref=str(a.pk))
    assert (org.name, org.district_id) == ("天津海河新名有限公司", hx().pk)


def test_deregister_and_reactivate(hp_officer: Any) -> None:
    e = register(hp_officer)
    with pytest.raises(actions.EmployerError) as exc:
        actions.deregister_employer(e, actor=hp_officer, reason=" ")
    assert errors_of(exc) == {"reason": "请填写注销原因（如：已办理工商注销、被吊销营业执照、合并）"}
    with pytest.raises(actions.EmployerError) as exc:
        actions.deregister_employer(e, actor=hp_officer, on=date.today() + timedelta(days=3), reason="注销")
    assert errors_of(exc) == {"on": "注销日期不能晚于今天"}
    e = actions.deregister_employer(e, actor=hp_officer, on=date(2025, 3, 1), reason="已办理工商注销")
    assert (e.status, e.deregistered_on, e.deregistration_reason) == (
        "deregistered",
        date(2025, 3, 1),
        "已办理工商注销",
    )
    with pytest.raises(actions.EmployerError, match="该单位已于2025-03-01注销"):
        actions.deregister_employer(e, actor=hp_officer, reason="再次")
    with pytest.raises(actions.EmployerError, match="该单位已注销，不能新增账号"):
        actions.create_employer_user(e, actor=hp_officer, username="late01", display_name="王五")
    e = actions.reactivate_employer(e, actor=hp_officer, reason="注销登记有误")
    assert (e.status, e.deregistered_on) == ("active", None)
    changes = [h.changes.get("status") for h in queries.history_for_employer(e)]
    assert ["active", "deregistered"] in changes and ["deregistered", "active"] in changes


# --- contacts ---------------------------------------------------------------------------------------


def test_contacts_first_is_primary_and_one_primary_per_unit(hp_officer: Any) -> None:
    e = register(hp_officer)
    first = actions.add_contact(e, actor=hp_officer, name="李明", title="人事经理", phone="138 0000 0001")
    assert first.is_primary and first.phone == "13800000001"
    second = actions.add_contact(e, actor=hp_officer, name="王芳", email="wf@example.com", is_primary=True)
    first.refresh_from_db()
    assert second.is_primary and not first.is_primary
    with pytest.raises(actions.EmployerError) as exc:
        actions.update_contact(second, actor=hp_officer, is_primary=False)
    assert errors_of(exc) == {"is_primary": "主要联系人不能直接取消，请把另一位联系人设为主要联系人"}
    actions.update_contact(first, actor=hp_officer, is_primary=True, phone="022-23456789-801")
    second.refresh_from_db()
    assert not second.is_primary
    actions.remove_contact(first, actor=hp_officer)
    second.refresh_from_db()
    assert second.is_primary  # the remaining contact took over
    entries = AuditLog.objects.filter(object_type="employers.employer", object_id=str(e.pk), action="update")
    assert entries.count() == 4
    assert entries.order_by("seq").first().changes[f"contact[{first.pk}].name"] == [None, "李明"]  # type: ignore[union-attr]


def test_contact_validation_messages(hp_officer: Any) -> None:
    e = register(hp_officer)
    with pytest.raises(actions.EmployerError) as exc:
        actions.add_contact(e, actor=hp_officer, name="", phone="12345", email="not-an-email")
    assert errors_of(exc) == {
        "name": "联系人姓名不能为空",
        "phone": "联系电话格式不正确：应为11位手机号，或带区号的固定电话（如022-23456789，分机写在最后如-801）",
        "email": "电子邮箱格式不正确，应如 hr@example.com",
    }
    with pytest.raises(actions.EmployerError) as exc:
        actions.add_contact(e, actor=hp_officer, name="李明")
    assert errors_of(exc) == {"phone": "联系电话和电子邮箱至少填写一项"}
    assert not EmployerContact.objects.filter(employer=e).exists()


# --- employer users ---------------------------------------------------------------------------------


def test_create_employer_user_links_the_unit(hp_officer: Any) -> None:
    e = register(hp_officer)
    created = actions.create_employer_user(
        e, actor=hp_officer, username="haihe01", display_name="李明", phone="13800000001", email="lm@example.com"
    )
    user, org = created.user, created.user.organisation
    assert org is not None
    assert (user.role, org.kind, org.external_ref) == ("employer_user", "employer", str(e.pk))
    assert len(created.initial_password) == 14
    assert user.check_password(created.initial_password)
    assert api.employer_for_user(user) == e
    second = actions.create_employer_user(e, actor=hp_officer, username="haihe02", display_name="王芳")
    assert second.user.organisation_id == user.organisation_id  # one organisation per unit
    assert user.scope_district_ids() == []  # employer users see no district's records
    assert any(h.changes.get("user") == [None, "haihe01（李明）"] for h in queries.history_for_employer(e))
    assert AuditLog.objects.filter(object_type="accounts.user", object_id=str(user.pk), action="create").exists()


def test_create_employer_user_validation(hp_officer: Any) -> None:
    e = register(hp_officer)
    actions.create_employer_user(e, actor=hp_officer, username="haihe01", display_name="李明")
    with pytest.raises(actions.EmployerError) as exc:
        actions.create_employer_user(
            e, actor=hp_officer, username="HaiHe01", display_name="", phone="12", email="x", password="short"
        )
    errors = errors_of(exc)
    assert errors["username"] == "用户名“HaiHe01”已被使用，请换一个"
    assert errors["display_name"] == "请填写使用人姓名"
    assert errors["phone"] == "手机号格式不正确，应为11位手机号"
    assert errors["email"] == "电子邮箱格式不正确，应如 hr@example.com"
    assert "password" in errors
    assert User.objects.filter(role="employer_user").count() == 1


# --- api ----------------------------------------------------------------------------------------------


def test_employer_for_user_only_for_active_employer_users(hp_officer: Any, make_user: Any) -> None:
    e = register(hp_officer)
    other = make_user("employer_user")  # an employer organisation without a unit link
    assert api.employer_for_user(other) is None
    assert api.employer_for_user(hp_officer) is None
    user = actions.create_employer_user(e, actor=hp_officer, username="haihe01", display_name="李明").user
    user.is_active = False
    assert api.employer_for_user(user) is None


def test_get_employer_is_scoped() -> None:
    a, b = make_employer("120101"), make_employer("120103")
    with district_scope([hp().pk]):
        assert api.get_employer(a.pk) == a
        assert api.get_employer(b.pk) is None
    with pytest.raises(ScopeError):
        api.get_employer(a.pk)
    assert api.find_employer_by_uscc(b.uscc.lower()) == b  # unscoped on purpose


def test_public_sector_helpers() -> None:
    on = date(2025, 6, 30)
    agency = make_employer(kind="agency", agency_level="district", establishment_size=50)
    small_agency = make_employer(kind="agency", agency_level="city", establishment_size=49)
    town = make_employer(kind="agency", agency_level="township", establishment_size=200)
    inst = make_employer(kind="institution", establishment_size=67)
    school = make_employer(kind="institution", establishment_size=300, is_school=True)
    small_inst = make_employer(kind="institution", establishment_size=66)
    firm = make_employer()
    closed = make_employer(kind="institution", establishment_size=90, status="deregistered", deregistered_on=on)
    assert api.is_public_sector(agency) and api.is_public_sector(school) and not api.is_public_sector(firm)
    assert api.establishment_size(inst) == 67 and api.establishment_size(firm) is None
    checks = {
        e: api.public_sector_check(e, on=on) for e in (agency, small_agency, town, inst, school, small_inst, firm)
    }
    assert checks[agency].subject and checks[agency].reason == "区级机关，编制50名（不少于50名）"
    assert not checks[small_agency].subject and checks[small_agency].reason == "市级机关，编制49名，少于50名"
    assert not checks[town].subject and "规定只适用于市级、区级机关" in checks[town].reason
    assert checks[inst].subject and checks[inst].reason == "事业单位，编制67名（不少于67名）"
    assert not checks[school].subject and checks[school].reason == "中小学、幼儿园不适用"
    assert not checks[small_inst].subject and not checks[firm].subject
    with unscoped():
        listed = set(api.list_public_sector_units(on=on))
    assert listed == {agency, inst} and closed not in listed
