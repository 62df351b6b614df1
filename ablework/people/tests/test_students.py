"""College-student ledger (一人一策): CRUD over HTTP, the one-responsible-officer rules, plan entries,
status with its employment record, filters, masked export, and district scoping."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from ablework.core import audit, crypto
from ablework.core.models import AuditLog
from ablework.core.scoping import unscoped
from ablework.people import actions
from ablework.people.enums import EmploymentStatus, StudentStatus
from ablework.people.models import EmploymentRecord, StudentPlanEntry, StudentRecord
from conftest import make_resident_id

THIS_YEAR = date.today().year


def _student(person: Any, actor: Any, **kw: Any) -> StudentRecord:
    defaults = {"school": "南开大学", "graduation_year": THIS_YEAR, "major": "软件工程", "officer": actor}
    with unscoped():
        return actions.add_student(person, actor=actor, **(defaults | kw))


@pytest.fixture
def hp_person(make_person: Any) -> Any:
    return make_person("120101", name="和平学生", resident_id=make_resident_id("120101", birth=date(2003, 5, 6)))


@pytest.fixture
def hx_person(make_person: Any) -> Any:
    return make_person("120103", name="河西学生", resident_id=make_resident_id("120103", birth=date(2002, 7, 8)))


# --- add / edit over HTTP ------------------------------------------------------------------------------


def test_add_student_by_resident_id(client: Any, hp_officer: Any, hp_person: Any, hx_person: Any) -> None:
    client.force_login(hp_officer)
    assert client.get("/people/students/add/").status_code == 200
    form = {"school": "天津大学", "major": "机械", "degree": "bachelor", "graduation_year": THIS_YEAR + 1,
            "officer": hp_officer.pk, "plan": "推荐实习岗位"}  # fmt: skip
    rid = crypto.decrypt(hp_person.id_cipher)
    response = client.post("/people/students/add/", form | {"resident_id": rid})
    with unscoped():
        student = StudentRecord.objects.get(person=hp_person)
    assert response.status_code == 302 and response["Location"] == f"/people/students/{student.pk}/"
    assert (student.school, student.officer, student.district.code, student.status) == (
        "天津大学", hp_officer, "120101", StudentStatus.IN_SCHOOL,
    )  # fmt: skip
    entry = AuditLog.objects.get(action="create", object_type="people.studentrecord", object_id=str(student.pk))
    assert entry.changes["school"] == [None, "天津大学"] and entry.district_code == "120101"

    again = client.post("/people/students/add/", form | {"resident_id": rid})
    assert again.status_code == 200 and "和平学生已在高校学生台账中" in again.content.decode()
    # A person of another district is not found by ID number (and nothing is created).
    foreign = client.post("/people/students/add/", form | {"resident_id": crypto.decrypt(hx_person.id_cipher)})
    assert "在您的辖区内未找到该身份证号登记的人员" in foreign.content.decode()
    with unscoped():
        assert StudentRecord.objects.count() == 1


def test_add_from_person_record_and_field_errors(client: Any, hp_officer: Any, hp_person: Any) -> None:
    client.force_login(hp_officer)
    url = f"/people/students/add/?person={hp_person.pk}"
    page = client.get(url).content.decode()
    assert "和平学生" in page and 'name="resident_id"' not in page
    bad = client.post(
        url, {"school": "", "degree": "bachelor", "graduation_year": "二〇二五", "officer": hp_officer.pk}
    )
    body = bad.content.decode()
    assert "毕业年份应为四位数字年份" in body and "学校" in body
    far = client.post(url, {"school": "天津大学", "degree": "bachelor", "graduation_year": THIS_YEAR + 20,
                            "officer": hp_officer.pk})  # fmt: skip
    assert f"毕业年份应在1950至{THIS_YEAR + 8}年之间" in far.content.decode()
    ok = client.post(
        url, {"school": "天津大学", "degree": "college", "graduation_year": THIS_YEAR, "officer": hp_officer.pk}
    )
    assert ok.status_code == 302
    with unscoped():
        assert StudentRecord.objects.get(person=hp_person).degree == "college"


def test_edit_plan_and_detail_read_is_logged_on_person(client: Any, hp_officer: Any, hp_person: Any) -> None:
    student = _student(hp_person, hp_officer)
    client.force_login(hp_officer)
    response = client.post(
        f"/people/students/{student.pk}/edit/",
        {"school": "南开大学", "major": "软件工程", "degree": "bachelor", "graduation_year": THIS_YEAR,
         "plan": "一、岗位推荐\n二、面试辅导", "outcome": "已参加两次面试"},
    )  # fmt: skip
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.plan == "一、岗位推荐\n二、面试辅导" and student.outcome == "已参加两次面试"
    update = AuditLog.objects.get(action="update", object_type="people.studentrecord")
    assert update.changes["plan"] == ["", "一、岗位推荐\n二、面试辅导"]
    page = client.get(f"/people/students/{student.pk}/").content.decode()
    assert "面试辅导" in page and "已参加两次面试" in page
    read = AuditLog.objects.get(action="read", actor=hp_officer)
    assert (read.object_type, read.object_id, read.purpose) == ("people.person", str(hp_person.pk), "查看高校学生台账")


def test_update_plan_action_writes_nothing_when_unchanged(hp_officer: Any, hp_person: Any) -> None:
    student = _student(hp_person, hp_officer, plan="计划A")
    with unscoped():
        actions.update_plan(student, actor=hp_officer, plan="计划A")
        assert not AuditLog.objects.filter(action="update").exists()
        actions.update_plan(student, actor=hp_officer, plan="计划B", outcome="已就业")
    student.refresh_from_db()
    assert (student.plan, student.outcome) == ("计划B", "已就业")


# --- responsible officer ---------------------------------------------------------------------------------


def test_one_responsible_officer_of_the_students_district(
    make_user: Any, hp_officer: Any, hx_officer: Any, city_admin: Any, hp_person: Any
) -> None:
    with pytest.raises(actions.StudentError, match="不是该学生户籍区的在岗工作人员"):
        _student(hp_person, hp_officer, officer=hx_officer)
    student = _student(hp_person, hp_officer)
    employer = make_user("employer_user")
    inactive = make_user("district_officer", "120101")
    inactive.is_active = False
    inactive.save()
    with unscoped():
        for wrong in (hx_officer, employer, inactive):
            with pytest.raises(actions.StudentError):
                actions.assign_officer(student, actor=hp_officer, officer=wrong)
        with pytest.raises(actions.StudentError, match="请选择责任人"):
            actions.assign_officer(student, actor=hp_officer, officer=None)
        street = make_user("street_worker", "120101")
        actions.assign_officer(student, actor=hp_officer, officer=street, reason="交由社区跟进")
        student.refresh_from_db()
        assert student.officer == street  # replaced: one officer per student
        entry = AuditLog.objects.filter(action="update", object_type="people.studentrecord").get()
        assert entry.changes == {"officer": [hp_officer.username, street.username]} and entry.purpose == "交由社区跟进"
        actions.assign_officer(student, actor=hp_officer, officer=city_admin)  # city staff cover every district
        actions.assign_officer(student, actor=hp_officer, officer=city_admin)  # same officer: no new entry
        assert AuditLog.objects.filter(action="update", object_type="people.studentrecord").count() == 2
    hx_officer.extra_districts.add(hp_person.district)  # covering 和平 too: now eligible
    with unscoped():
        actions.assign_officer(student, actor=hp_officer, officer=hx_officer)
        assert StudentRecord.objects.get(pk=student.pk).officer == hx_officer


def test_assign_officer_over_http(
    client: Any, make_user: Any, hp_officer: Any, hx_officer: Any, hp_person: Any
) -> None:
    student = _student(hp_person, hp_officer)
    colleague = make_user("district_officer", "120101")
    client.force_login(hp_officer)
    refused = client.post(f"/people/students/{student.pk}/officer/", {"officer": hx_officer.pk})
    assert refused.status_code == 422
    student.refresh_from_db()
    assert student.officer == hp_officer
    done = client.post(f"/people/students/{student.pk}/officer/", {"officer": colleague.pk, "reason": "岗位调整"})
    assert done.status_code == 302
    student.refresh_from_db()
    assert student.officer == colleague


# --- plan entries and status -------------------------------------------------------------------------------


def test_plan_entries(client: Any, hp_officer: Any, hp_person: Any) -> None:
    student = _student(hp_person, hp_officer)
    client.force_login(hp_officer)
    url = f"/people/students/{student.pk}/entries/add/"
    ok = client.post(url, {"entry-date": "2025-03-01", "entry-service_type": "referral",
                           "entry-note": "推荐到某科技公司实习", "entry-outcome": "已面试"})  # fmt: skip
    assert ok.status_code == 302
    with unscoped():
        entry = StudentPlanEntry.objects.get(student=student)
    assert (entry.date, entry.service_type, entry.note, entry.outcome, entry.recorded_by, entry.district_id) == (
        date(2025, 3, 1), "referral", "推荐到某科技公司实习", "已面试", hp_officer, hp_person.district_id,
    )  # fmt: skip
    future = (date.today() + timedelta(days=3)).isoformat()
    bad = client.post(url, {"entry-date": future, "entry-service_type": "referral", "entry-note": "x"})
    assert bad.status_code == 422 and "服务日期不能晚于今天" in bad.content.decode()
    empty = client.post(url, {"entry-date": "2025-03-02", "entry-service_type": "", "entry-note": ""})
    assert empty.status_code == 422
    page = client.get(f"/people/students/{student.pk}/").content.decode()
    assert "推荐到某科技公司实习" in page and "岗位推荐" in page
    with unscoped():
        assert StudentPlanEntry.objects.count() == 1
        # an entry whose recorder is unknown (imported, or the account was removed) still shows
        StudentPlanEntry.objects.update(recorded_by=None)
    assert client.get(f"/people/students/{student.pk}/").status_code == 200


def test_status_employed_requires_an_employment_record(client: Any, hp_officer: Any, hp_person: Any) -> None:
    student = _student(hp_person, hp_officer, graduation_year=THIS_YEAR - 1, status=StudentStatus.SEEKING)
    with unscoped(), pytest.raises(actions.StudentError, match="请填写就业记录"):
        actions.set_student_status(student, actor=hp_officer, status=StudentStatus.EMPLOYED)
    client.force_login(hp_officer)
    url = f"/people/students/{student.pk}/status/"
    missing = client.post(url, {"status-status": "employed"})
    assert missing.status_code == 422 and "状态为“已就业”时请填写就业单位" in missing.content.decode()
    done = client.post(url, {"status-status": "employed", "status-outcome": "签约", "status-form": "quota",
                             "status-employer_name": "某科技公司", "status-start_date": "2025-07-01"})  # fmt: skip
    assert done.status_code == 302
    hp_person.refresh_from_db()
    student.refresh_from_db()
    with unscoped():
        record = EmploymentRecord.objects.get(person=hp_person)
    assert (student.status, student.outcome) == (StudentStatus.EMPLOYED, "签约")
    assert (record.employer_name, record.start_date) == ("某科技公司", date(2025, 7, 1))
    assert hp_person.status == EmploymentStatus.EMPLOYED  # the person's derived status follows
    entry = AuditLog.objects.get(action="update", object_type="people.studentrecord")
    assert entry.changes["status"] == ["seeking", "employed"] and entry.changes["employment_record"] == [
        None,
        record.pk,
    ]
    # Already employed: further study and back need no new record.
    with unscoped():
        actions.set_student_status(student, actor=hp_officer, status=StudentStatus.FURTHER_STUDY)
        actions.set_student_status(student, actor=hp_officer, status=StudentStatus.EMPLOYED)
        assert EmploymentRecord.objects.count() == 1


# --- list, filters, export ---------------------------------------------------------------------------------


def test_list_filters(client: Any, make_person: Any, make_user: Any, hp_officer: Any, hp_person: Any) -> None:
    colleague = make_user("district_officer", "120101")
    _student(hp_person, hp_officer, school="南开大学", graduation_year=2025)
    other = make_person("120101", name="李四")
    _student(
        other, hp_officer, officer=colleague, school="天津大学", graduation_year=2026, status=StudentStatus.SEEKING
    )
    client.force_login(hp_officer)

    def names(query: str) -> list[str]:
        page = client.get("/people/students/?" + query).content.decode()
        return [n for n in ("和平学生", "李四") if n in page]

    assert names("") == ["和平学生", "李四"]
    assert names("year=2026") == ["李四"]
    assert names("status=in_school") == ["和平学生"]
    assert names("school=南开") == ["和平学生"]
    assert names(f"officer={colleague.pk}") == ["李四"]
    assert names("mine=1") == ["和平学生"]
    assert names("q=李") == ["李四"]
    assert names("year=abc") == []


def test_export_is_masked_scoped_and_logged_for_each_person(
    client: Any, hp_officer: Any, hx_officer: Any, hp_person: Any, hx_person: Any
) -> None:
    _student(hp_person, hp_officer)
    _student(hx_person, hx_officer)
    client.force_login(hp_officer)
    response = client.get("/people/students/?export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["姓名", "身份证号（脱敏）", "户籍区"]
    assert [r[0] for r in rows[1:]] == ["和平学生"]
    assert rows[1][1] == hp_person.id_masked and "********" in str(rows[1][1])
    assert crypto.decrypt(hp_person.id_cipher) not in str(rows)
    logged = AuditLog.objects.filter(action="export", actor=hp_officer)
    assert [(e.object_type, e.changes["subjects"], e.purpose) for e in logged] == [
        ("people.person", 1, "高校学生台账导出")
    ]
    # The export shows in the exported person's access log, and only theirs.
    assert list(audit.access_entries("people.person", hp_person.pk).filter(action="export")) == list(logged)
    assert not audit.access_entries("people.person", hx_person.pk).filter(action="export").exists()


# --- access -------------------------------------------------------------------------------------------------


def test_other_district_cannot_see_students(client: Any, hp_officer: Any, hx_officer: Any, hp_person: Any) -> None:
    student = _student(hp_person, hp_officer)
    client.force_login(hx_officer)
    assert "和平学生" not in client.get("/people/students/").content.decode()
    for suffix in ("", "edit/", "officer/", "entries/add/", "status/"):
        assert client.get(f"/people/students/{student.pk}/{suffix}").status_code == 404, suffix
    assert client.post(f"/people/students/{student.pk}/officer/", {"officer": hx_officer.pk}).status_code == 404
    assert client.get(f"/people/students/add/?person={hp_person.pk}").status_code == 404
    assert not AuditLog.objects.filter(actor=hx_officer, action="read").exists()


def test_reviewer_reads_but_does_not_write_and_others_see_nothing(
    client: Any, make_user: Any, hp_officer: Any, hp_person: Any
) -> None:
    student = _student(hp_person, hp_officer)
    reviewer = make_user("district_reviewer", "120101")
    client.force_login(reviewer)
    page = client.get(f"/people/students/{student.pk}/").content.decode()
    assert "和平学生" in page and "添加帮扶记录" not in page
    assert client.get(f"/people/students/{student.pk}/edit/").status_code == 404
    assert client.get("/people/students/add/").status_code == 404
    for role in ("person", "employer_user"):
        client.force_login(make_user(role))
        assert client.get("/people/students/").status_code == 404
        assert client.get(f"/people/students/{student.pk}/").status_code == 404


def test_menu_entry_for_staff_only(client: Any, make_user: Any, hp_officer: Any) -> None:
    client.force_login(hp_officer)
    assert "高校学生台账" in client.get("/people/students/").content.decode()
    assert "高校学生台账" not in [i["label"] for i in make_user("person").navigation()]
    assert "高校学生台账" in [i["label"] for i in hp_officer.navigation()]
