"""Pages: district scoping (河西 officer vs 和平 records), forms with Chinese messages, audit of reads and
exports, the coverage page, allocation, the institution's own user."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from ablework.assisted.models import LabourProject, MonthlyRecord, Participant
from ablework.core.models import AuditLog, AuditSubject, District
from conftest import make_resident_id


def xlsx_rows(content: bytes) -> list[list[Any]]:
    wb = CalamineWorkbook.from_filelike(BytesIO(content))
    return wb.get_sheet_by_index(0).to_python()


@pytest.fixture
def hp_setup(make_institution: Any, registered: Any, place: Any) -> dict[str, Any]:
    inst = make_institution("120101", name="和平区阳光家园", production_start=date(2023, 1, 1))
    person = registered("120101", name="赵六")
    part = place(inst, person, months={3: ("600", True)})
    return {"inst": inst, "person": person, "part": part}


def test_hexi_officer_cannot_see_heping_records(client: Any, hx_officer: Any, hp_setup: dict[str, Any]) -> None:
    client.force_login(hx_officer)
    inst, part = hp_setup["inst"], hp_setup["part"]
    for url in (
        f"/assisted/institutions/{inst.pk}/",
        f"/assisted/institutions/{inst.pk}/edit/",
        f"/assisted/institutions/{inst.pk}/participants/add/",
        f"/assisted/participants/{part.pk}/",
        f"/assisted/participants/{part.pk}/months/add/",
        f"/assisted/participants/{part.pk}/agreements/add/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/assisted/participants/{part.pk}/months/add/", {"month": "2024-04"}).status_code == 404
    page = client.get("/assisted/").content.decode()
    assert "和平区阳光家园" not in page
    page = client.get("/assisted/participants/").content.decode()
    assert "赵六" not in page
    export = client.get("/assisted/participants/?export=xlsx")
    rows = xlsx_rows(export.content)
    assert len(rows) == 1  # the header only


def test_heping_officer_sees_and_reads_are_audited(client: Any, hp_officer: Any, hp_setup: dict[str, Any]) -> None:
    client.force_login(hp_officer)
    part = hp_setup["part"]
    page = client.get("/assisted/participants/").content.decode()
    assert "赵六" in page and hp_setup["person"].id_masked in page
    entry = AuditLog.objects.filter(action="read", object_type="assisted.participant").latest("seq")
    assert AuditSubject.objects.filter(entry=entry, object_id=str(part.pk)).exists()

    detail = client.get(f"/assisted/participants/{part.pk}/").content.decode()
    assert "符合" in detail and "智力残疾" in detail
    assert AuditLog.objects.filter(action="read", object_type="assisted.participant", object_id=str(part.pk)).exists()

    export = client.get("/assisted/participants/?export=xlsx")
    assert export.status_code == 200
    rows = xlsx_rows(export.content)
    assert rows[1][0] == "赵六" and rows[1][1] == hp_setup["person"].id_masked
    exp = AuditLog.objects.filter(action="export", object_type="assisted.participant").latest("seq")
    assert exp.actor_id == hp_officer.pk and exp.changes["subjects"] == 1


def test_month_form_validation_messages(client: Any, hp_officer: Any, hp_setup: dict[str, Any]) -> None:
    client.force_login(hp_officer)
    url = f"/assisted/participants/{hp_setup['part'].pk}/months/add/"
    r = client.post(url, {"month": "2024-3", "hours": "800", "pay": "-1"})
    page = r.content.decode()
    assert r.status_code == 200
    assert "劳动报酬（元）：" in page and "大于或等于" in page  # the field message in the error summary
    r = client.post(url, {"month": "2099-01", "hours": "800", "pay": "100"})
    page = r.content.decode()
    assert "不能登记未来月份" in page
    assert "工作时长应在0至744小时之间" in page
    r = client.post(url, {"month": "2023-12", "hours": "80", "pay": "100"})
    assert "该月份不在此人进入与离开机构的期间内" in r.content.decode()
    assert MonthlyRecord.objects.filter(participant=hp_setup["part"]).count() == 1
    # A valid entry; a second entry for the same month changes it (one row per month), audited.
    assert client.post(url, {"month": "2024-04", "hours": "90", "pay": "700", "paid_by_bank": "on"}).status_code == 302
    assert client.post(url, {"month": "2024-04", "hours": "95", "pay": "720", "paid_by_bank": "on"}).status_code == 302
    row = MonthlyRecord.objects.get(participant=hp_setup["part"], month=date(2024, 4, 1))
    assert row.pay == Decimal("720.00") and row.hours == Decimal("95.0")
    entry = AuditLog.objects.filter(object_type="assisted.monthlyrecord", object_id=str(row.pk)).latest("seq")
    assert entry.action == "update" and entry.changes["pay"] == ["700.00", "720"]


def test_agreement_with_guardian_needs_a_name(client: Any, hp_officer: Any, hp_setup: dict[str, Any]) -> None:
    client.force_login(hp_officer)
    url = f"/assisted/participants/{hp_setup['part'].pk}/agreements/add/"
    r = client.post(url, {"signed_with": "guardian", "start_date": "2025-01-01", "end_date": "2024-12-31"})
    page = r.content.decode()
    assert "与监护人签订协议时须填写监护人姓名" in page
    assert "协议结束日期不能早于开始日期" in page


def test_add_participant_by_id_number_computes_eligibility(
    client: Any, hp_officer: Any, make_institution: Any, registered: Any, make_person: Any
) -> None:
    client.force_login(hp_officer)
    inst = make_institution("120101")
    rid = make_resident_id(region="120101", birth=date(1992, 3, 3), serial=901)
    person = make_person("120101", name="孙七", category=4, level=3, resident_id=rid)
    from django.apps import apps

    apps.get_model("people", "Certificate").objects.create(
        person=person, district=person.district, kind="cdpf", category=4, level=3, issued_on=date(2015, 1, 1)
    )
    url = f"/assisted/institutions/{inst.pk}/participants/add/"
    r = client.post(url, {"person": "110101199001010000", "joined_on": "2024-01-01"})
    assert "残疾人信息库中没有此人" in r.content.decode()
    r = client.post(url, {"person": rid, "joined_on": "2024-01-01"}, follow=True)
    part = Participant.objects.get(person=person)
    assert part.eligible is False
    assert "肢体残疾须为一级、二级" in part.eligibility_note
    assert "不计入机构补贴人数" in r.content.decode()
    r = client.post(url, {"person": rid, "joined_on": "2024-02-01"})
    assert "此人已在该机构在岗，不能重复登记" in r.content.decode()
    assert AuditLog.objects.filter(action="create", object_type="assisted.participant", object_id=str(part.pk)).exists()


def test_institution_form_and_scoped_district_choice(client: Any, hp_officer: Any) -> None:
    client.force_login(hp_officer)
    hx = District.objects.get(code="120103")
    r = client.post(
        "/assisted/institutions/new/",
        {"name": "工作站", "kind": "workstation", "district": hx.pk, "capacity": "10", "status": "closed",
         "uscc": "123", "barrier_free": "on"},
    )  # fmt: skip
    page = r.content.decode()
    assert "选择一个有效的选项" in page  # 河西 is not among 和平 officer's districts
    assert "关闭的机构须填写关闭日期" in page
    assert "场地无障碍时请写明有哪些无障碍设施" in page
    hp = District.objects.get(code="120101")
    r = client.post(
        "/assisted/institutions/new/",
        {"name": "和平工作站", "kind": "workstation", "district": hp.pk, "capacity": "10", "status": "active",
         "uscc": "123"},
    )  # fmt: skip
    assert "统一社会信用代码" in r.content.decode() and r.status_code == 200
    r = client.post(
        "/assisted/institutions/new/",
        {"name": "和平工作站", "kind": "workstation", "district": hp.pk, "capacity": "10", "status": "active",
         "production_start": "2024-01-01"},
    )  # fmt: skip
    assert r.status_code == 302
    assert AuditLog.objects.filter(object_type="assisted.institution", action="create").exists()


def test_project_allocation_only_within_district(
    client: Any, hp_officer: Any, hx_officer: Any, make_institution: Any
) -> None:
    hp_inst = make_institution("120101")
    hx_inst = make_institution("120103")
    client.force_login(hp_officer)
    hp = District.objects.get(code="120101")
    r = client.post(
        "/assisted/projects/new/",
        {"district": hp.pk, "source_unit": "和平区第一中学", "source_kind": "school", "content": "校服整理",
         "volume": "500", "unit": "件", "unit_price": "1.20", "start_date": "2024-03-01", "end_date": "2024-02-01"},
    )  # fmt: skip
    assert "结束日期不能早于开始日期" in r.content.decode()
    r = client.post(
        "/assisted/projects/new/",
        {"district": hp.pk, "source_unit": "和平区第一中学", "source_kind": "school", "content": "校服整理",
         "volume": "500", "unit": "件", "unit_price": "1.20", "start_date": "2024-03-01"},
    )  # fmt: skip
    project = LabourProject.objects.get(source_unit="和平区第一中学")
    r = client.post(
        f"/assisted/projects/{project.pk}/allocate/", {"institution": hx_inst.pk, "allocated_on": "2024-03-02"}
    )
    assert "选择一个有效的选项" in r.content.decode()
    r = client.post(
        f"/assisted/projects/{project.pk}/allocate/", {"institution": hp_inst.pk, "allocated_on": "2024-03-02"}
    )
    assert r.status_code == 302
    project.refresh_from_db()
    assert project.institution == hp_inst and project.allocated_on == date(2024, 3, 2)
    r = client.post(
        f"/assisted/projects/{project.pk}/outputs/add/", {"month": "2024-03", "quantity": "200", "income": "240"}
    )
    assert r.status_code == 302
    client.force_login(hx_officer)
    assert client.get(f"/assisted/projects/{project.pk}/").status_code == 404
    assert "校服整理" not in client.get("/assisted/projects/").content.decode()


def test_coverage_page(client: Any, hx_officer: Any, make_institution: Any) -> None:
    District.objects.filter(is_agricultural=True).exclude(code="120110").update(is_agricultural=False)
    client.force_login(hx_officer)
    page = client.get("/assisted/coverage/").content.decode()
    assert "尚未实现全覆盖" in page and "东丽区" in page
    make_institution("120110", kind="workstation")
    page = client.get("/assisted/coverage/").content.decode()
    assert "已实现全覆盖" in page


def test_institution_user_sees_own_institution_only(
    client: Any, make_user: Any, hp_setup: dict[str, Any], make_institution: Any
) -> None:
    inst = hp_setup["inst"]
    other = make_institution("120101")
    user = make_user("employer_user")
    org = user.organisation
    org.kind, org.external_ref = "institution", str(inst.pk)
    org.save()
    client.force_login(user)
    page = client.get("/assisted/institutions/mine/").content.decode()
    assert "赵六" in page
    assert client.get(f"/assisted/institutions/{other.pk}/").status_code == 404
    assert client.get("/assisted/participants/").status_code == 404
    url = f"/assisted/participants/{hp_setup['part'].pk}/months/add/"
    assert client.post(url, {"month": "2024-05", "hours": "60", "pay": "650", "paid_by_bank": "on"}).status_code == 302
    assert MonthlyRecord.objects.filter(participant=hp_setup["part"], month=date(2024, 5, 1)).exists()


def test_institution_export_is_audited(client: Any, city_admin: Any, hp_setup: dict[str, Any]) -> None:
    client.force_login(city_admin)
    r = client.get("/assisted/?export=xlsx&district=120101")
    rows = xlsx_rows(r.content)
    assert rows[0][0] == "名称" and rows[1][0] == "和平区阳光家园"
    assert AuditLog.objects.filter(action="export", object_type="assisted.institution").exists()


def test_every_page_renders_for_an_officer(
    client: Any, hp_officer: Any, hp_setup: dict[str, Any], registered: Any
) -> None:
    """Smoke test of every GET page with data, including rural bases and their support records."""
    from ablework.assisted.models import RuralBase

    client.force_login(hp_officer)
    inst, part = hp_setup["inst"], hp_setup["part"]
    hp = District.objects.get(code="120101")
    project = LabourProject.objects.create(
        district=hp, source_unit="和平区政务服务中心", source_kind="agency", content="信封封装", volume=Decimal("10"),
        unit_price=Decimal("1"), start_date=date(2024, 1, 1), institution=inst, allocated_on=date(2024, 1, 2),
    )  # fmt: skip
    r = client.post(
        "/assisted/rural/new/",
        {"name": "和平助残基地", "kind": "poverty_base", "district": hp.pk, "industry": "planting", "status": "active"},
    )
    assert r.status_code == 302
    base = RuralBase.objects.get(name="和平助残基地")
    person = registered("120101", name="钱十一")
    from ablework.core.crypto import decrypt

    rid = decrypt(person.id_cipher)
    r = client.post(
        f"/assisted/rural/{base.pk}/supports/add/",
        {"person": rid, "year": "2024", "support_kind": "employed", "help_kind": "training", "income": "-5"},
    )
    assert "大于或等于" in r.content.decode()
    r = client.post(
        f"/assisted/rural/{base.pk}/supports/add/",
        {"person": rid, "year": "2024", "support_kind": "employed", "help_kind": "training", "income": "8000"},
    )
    assert r.status_code == 302
    for url in (
        "/assisted/", "/assisted/institutions/new/", f"/assisted/institutions/{inst.pk}/",
        f"/assisted/institutions/{inst.pk}/edit/", f"/assisted/institutions/{inst.pk}/staff/add/",
        f"/assisted/institutions/{inst.pk}/participants/add/", "/assisted/coverage/", "/assisted/participants/",
        f"/assisted/participants/{part.pk}/", f"/assisted/participants/{part.pk}/agreements/add/",
        f"/assisted/participants/{part.pk}/months/add/", f"/assisted/participants/{part.pk}/leave/",
        "/assisted/projects/", "/assisted/projects/new/", f"/assisted/projects/{project.pk}/",
        f"/assisted/projects/{project.pk}/edit/", f"/assisted/projects/{project.pk}/allocate/",
        f"/assisted/projects/{project.pk}/outputs/add/", "/assisted/rural/", "/assisted/rural/new/",
        f"/assisted/rural/{base.pk}/", f"/assisted/rural/{base.pk}/edit/", "/assisted/rural/?export=xlsx",
        "/assisted/projects/?export=xlsx",
    ):  # fmt: skip
        assert client.get(url).status_code == 200, url
    page = client.get(f"/assisted/rural/{base.pk}/").content.decode()
    assert "钱十一" in page and "8000" in page and "钱十一" in page
    assert AuditLog.objects.filter(action="read", object_type="assisted.ruralsupport").exists()
