"""Pages of ablework.jobs: district scoping (404, not in lists), employer isolation, audit of reads
and exports, forms with Chinese messages, the hire page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ablework.core.models import AuditLog, AuditSubject
from ablework.jobs import actions

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def world(make_employer: Any, make_posting: Any, make_person: Any, register_need: Any, hp_officer: Any,
          hx_officer: Any, employer_user: Any) -> dict[str, Any]:  # fmt: skip
    hp_employer = make_employer("120101", "和平甲公司")
    hx_employer = make_employer("120103", "河西乙公司")
    hp_posting = make_posting(hp_employer, title="和平文员")
    hx_posting = make_posting(hx_employer, title="河西文员")
    hp_person = register_need(make_person("120101", name="和平求职者"))
    hx_person = register_need(make_person("120103", name="河西求职者"))
    # the 和平 person is referred to the 河西 posting: the 河西 officer still must not see it
    hp_app = actions.refer_person(hx_posting, hp_person, actor=hp_officer)
    hx_app = actions.refer_person(hx_posting, hx_person, actor=hx_officer)
    return {"hp_employer": hp_employer, "hx_employer": hx_employer, "hp_posting": hp_posting, "hx_posting": hx_posting,
            "hp_person": hp_person, "hx_person": hx_person, "hp_app": hp_app, "hx_app": hx_app,
            "hp_user": employer_user(hp_employer), "hx_user": employer_user(hx_employer)}  # fmt: skip


def test_officer_sees_only_applications_of_persons_of_their_district(world: Any, hx_officer: Any) -> None:
    c = _client(hx_officer)
    assert c.get(f"/jobs/applications/{world['hp_app'].pk}/").status_code == 404
    assert c.get(f"/jobs/applications/{world['hx_app'].pk}/").status_code == 200
    page = c.get("/jobs/applications/").content.decode()
    assert "河西求职者" in page and "和平求职者" not in page
    detail = c.get(f"/jobs/{world['hx_posting'].pk}/").content.decode()
    assert "河西求职者" in detail and "和平求职者" not in detail
    # a 和平 posting is outside the 河西 officer's scope
    assert c.get(f"/jobs/{world['hp_posting'].pk}/").status_code == 404
    assert c.get(f"/jobs/person/{world['hp_person'].pk}/").status_code == 404


def test_employer_cannot_see_another_employers_postings_or_applicants(world: Any) -> None:
    c = _client(world["hp_user"])
    assert c.get(f"/jobs/{world['hx_posting'].pk}/").status_code == 404
    assert c.get(f"/jobs/applications/{world['hx_app'].pk}/").status_code == 404
    assert c.post(f"/jobs/applications/{world['hx_app'].pk}/status/", {"transition": "interview"}).status_code == 404
    assert c.get(f"/jobs/{world['hx_posting'].pk}/edit/").status_code == 404
    assert c.get("/jobs/applications/").status_code == 404
    own = _client(world["hx_user"])
    page = own.get(f"/jobs/{world['hx_posting'].pk}/").content.decode()
    assert "和平求职者" in page and "河西求职者" in page  # the unit sees everyone who applied to its posting
    assert own.get(f"/jobs/applications/{world['hp_app'].pk}/").status_code == 200
    listing = own.get("/jobs/").content.decode()
    assert "河西文员" in listing and "和平文员" not in listing


def test_reads_and_exports_are_audited(world: Any, hx_officer: Any) -> None:
    c = _client(hx_officer)
    c.get("/jobs/applications/")
    entry = AuditLog.objects.filter(action="read", purpose="求职申请与推荐列表").latest("seq")
    assert set(AuditSubject.objects.filter(entry=entry).values_list("object_id", flat=True)) == {
        str(world["hx_person"].pk)
    }
    resp = c.get("/jobs/applications/?export=xlsx")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditLog.objects.filter(action="export", purpose="求职申请与推荐导出").exists()
    c.get(f"/jobs/applications/{world['hx_app'].pk}/")
    assert AuditLog.objects.filter(action="read", object_type="people.person", object_id=str(world["hx_person"].pk),
                                   purpose="查看求职申请").exists()  # fmt: skip


def test_employer_posts_a_job_with_validation_messages(world: Any) -> None:
    c = _client(world["hp_user"])
    today = timezone.localdate()
    data = {"title": "仓库分拣", "occupation": "logistics", "work_time": "full", "headcount": "1",
            "valid_from": today.isoformat(), "valid_until": today.isoformat(), "source": "soe_targeted",
            "wage_min": "4000", "wage_max": "3000", "accessibility": ["step_free"]}  # fmt: skip
    resp = c.post("/jobs/new/", data)
    assert resp.status_code == 422 and "月工资上限不能低于下限" in resp.content.decode()
    data["wage_max"] = "4500"
    resp = c.post("/jobs/new/", data)
    assert resp.status_code == 422 and "放宽的条件" in resp.content.decode()
    data["relaxed_conditions"] = "学历放宽至初中"
    resp = c.post("/jobs/new/", data)
    assert resp.status_code == 302
    pk = int(resp["Location"].rstrip("/").split("/")[-1])
    assert c.post(f"/jobs/{pk}/status/", {"transition": "publish"}).status_code == 302
    assert "招聘中" in c.get(f"/jobs/{pk}/").content.decode()


def test_officer_posts_for_a_unit_of_their_district_only(world: Any, hx_officer: Any) -> None:
    c = _client(hx_officer)
    today = timezone.localdate().isoformat()
    data = {"title": "保洁", "occupation": "cleaning", "work_time": "part", "headcount": "1", "valid_from": today,
            "valid_until": today, "source": "ordinary", "employer_uscc": world["hp_employer"].uscc}  # fmt: skip
    resp = c.post("/jobs/new/", data)
    assert resp.status_code == 422 and "本区已登记用人单位" in resp.content.decode()
    data["employer_uscc"] = world["hx_employer"].uscc
    assert c.post("/jobs/new/", data).status_code == 302


def test_hire_page_records_employment(world: Any, hx_officer: Any) -> None:
    c = _client(hx_officer)
    app = world["hx_app"]
    resp = c.post(
        f"/jobs/applications/{app.pk}/hire/", {"hired_on": timezone.localdate().isoformat(), "monthly_wage": "3500"}
    )
    assert resp.status_code == 302
    app.refresh_from_db()
    assert app.status == "hired" and app.employment_record_id
    assert "已写入就业记录" in c.get(f"/jobs/applications/{app.pk}/").content.decode()
    assert c.get(f"/jobs/applications/{app.pk}/hire/").status_code == 404  # already hired


def test_candidates_with_explanation_and_refer(
    world: Any, hp_officer: Any, make_person: Any, register_need: Any
) -> None:
    other = register_need(make_person("120101", name="候选人甲"))
    c = _client(hp_officer)
    page = c.get(f"/jobs/{world['hp_posting'].pk}/?candidates=1").content.decode()
    assert "候选人甲" in page and "查看评分依据" in page and "意向岗位" in page
    resp = c.post(f"/jobs/{world['hp_posting'].pk}/refer/", {"person": other.pk, "score": "100"})
    assert resp.status_code == 302
    matches = c.get(f"/jobs/person/{other.pk}/").content.decode()
    assert "和平文员" in matches and "评分依据" in matches


def test_directory_and_fair_pages(hp_officer: Any, hx_officer: Any) -> None:
    c = _client(hp_officer)
    resp = c.post("/jobs/directories/new/", {"kind": "hr_institution", "name": "和平人力资源公司", "address": "和平路2号",
                                              "district": hp_officer.organisation.district_id, "published": "on"})  # fmt: skip
    assert resp.status_code == 302
    assert "和平人力资源公司" in c.get("/jobs/directories/").content.decode()
    assert "和平人力资源公司" not in _client(hx_officer).get("/jobs/directories/").content.decode()
    resp = c.post("/jobs/directories/new/", {"kind": "carrier", "name": "孵化基地", "address": "x",
                                              "district": hp_officer.organisation.district_id})  # fmt: skip
    assert resp.status_code == 422 and "请选择载体类型" in resp.content.decode()
    today = timezone.localdate().isoformat()
    resp = c.post("/jobs/fairs/new/", {"name": "国企专场", "kind": "soe", "district": hp_officer.organisation.district_id,
                                        "starts_on": today, "ends_on": today, "published": "on"})  # fmt: skip
    assert resp.status_code == 302 and "国企专场" in c.get("/jobs/fairs/").content.decode()


def test_retention_worklist_export_and_officer_records_consent(world: Any, hx_officer: Any, hp_officer: Any) -> None:
    from datetime import timedelta

    from ablework.core.scoping import unscoped
    from ablework.jobs.models import Application

    app = world["hx_app"]
    with unscoped():
        Application.objects.filter(pk=app.pk).update(created_at=timezone.now() - timedelta(days=200))
    app.refresh_from_db()
    actions.hire(app, actor=hx_officer, hired_on=timezone.localdate() - timedelta(days=190))
    c = _client(hx_officer)
    page = c.get("/jobs/retention/").content.decode()
    assert "河西求职者" in page and "已逾期" in page
    assert "河西求职者" not in c.get("/jobs/retention/?months=12").content.decode()
    assert "河西求职者" not in _client(hp_officer).get("/jobs/retention/").content.decode()
    resp = c.get("/jobs/retention/?export=xlsx")
    assert resp.status_code == 200
    assert AuditLog.objects.filter(action="export", purpose="稳岗回访待办导出").exists()

    person = world["hx_person"]
    assert _client(hp_officer).post(f"/jobs/person/{person.pk}/consent/", {"status": "opted_out"}).status_code == 404
    assert c.post(f"/jobs/person/{person.pk}/consent/", {"status": "opted_out"}).status_code == 302
    page = c.get(f"/jobs/person/{person.pk}/").content.decode()
    assert "本人已拒绝自动匹配" in page and "查看评分依据" not in page
