"""Training and blind-massage pages: scoping, enrolment and completion with Chinese messages, employment
within 6 months after completion (through people.api), audit, exports, the api."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

from python_calamine import CalamineWorkbook

from ablework.core.models import AuditLog, District
from ablework.training import api
from ablework.training.models import Course, Enrolment, MassageInstitution, MassagePractitioner, Provider


def xlsx_rows(content: bytes) -> list[list[Any]]:
    return CalamineWorkbook.from_filelike(BytesIO(content)).get_sheet_by_index(0).to_python()


def test_course_form_computes_length_and_validates(client: Any, hp_officer: Any) -> None:
    client.force_login(hp_officer)
    hp = District.objects.get(code="120101")
    provider = Provider.objects.create(district=hp, name="和平区残疾人职业培训基地", kind="federation_base",
                                       listing_status="listed", listed_on=date(2023, 1, 1))  # fmt: skip
    data = {"provider": provider.pk, "district": hp.pk, "name": "盲人按摩提高班", "occupation": "保健按摩师",
            "mode": "class", "start_date": "2024-03-01", "end_date": "2024-02-01", "capacity": "0",
            "formats": ["braille", "barrier_free"]}  # fmt: skip
    page = client.post("/training/courses/new/", data).content.decode()
    assert "结业日期不能早于开班日期" in page and "计划人数至少为1" in page
    data |= {"end_date": "2024-09-30", "capacity": "15"}
    assert client.post("/training/courses/new/", data).status_code == 302
    course = Course.objects.get(name="盲人按摩提高班")
    assert course.length_class == "long" and course.year == 2024
    assert course.format_list == ["braille", "barrier_free"]
    assert AuditLog.objects.filter(object_type="training.course", action="create", object_id=str(course.pk)).exists()


def test_provider_listing_needs_a_date(client: Any, hp_officer: Any) -> None:
    client.force_login(hp_officer)
    hp = District.objects.get(code="120101")
    page = client.post(
        "/training/providers/new/",
        {"name": "某职业学校", "kind": "college", "district": hp.pk, "listing_status": "listed"},
    ).content.decode()
    assert "已挂牌的机构须填写挂牌日期" in page
    r = client.post(
        "/training/providers/new/",
        {
            "name": "某职业学校",
            "kind": "college",
            "district": hp.pk,
            "listing_status": "listed",
            "listed_on": "2023-05-01",
        },
    )
    assert r.status_code == 302


def test_enrol_complete_and_employment_within_six_months(
    client: Any, hp_officer: Any, make_course: Any, person_with_id: Any, employ: Any
) -> None:
    course = make_course(capacity=2)
    a, a_id = person_with_id(name="甲")
    b, b_id = person_with_id(name="乙")
    _c, c_id = person_with_id(name="丙")
    client.force_login(hp_officer)
    url = f"/training/courses/{course.pk}/enrol/"
    assert (
        "残疾人信息库中没有此人"
        in client.post(url, {"person": "120101199001011234", "enrolled_on": "2024-02-20"}).content.decode()
    )
    for rid in (a_id, b_id):
        assert client.post(url, {"person": rid, "enrolled_on": "2024-02-20"}).status_code == 302
    assert "此人已报名该培训班" in client.post(url, {"person": a_id, "enrolled_on": "2024-02-20"}).content.decode()
    assert "已报满" in client.post(url, {"person": c_id, "enrolled_on": "2024-02-20"}).content.decode()

    ea = Enrolment.objects.get(person=a)
    eb = Enrolment.objects.get(person=b)
    curl = f"/training/enrolments/{ea.pk}/complete/"
    page = client.post(curl, {"completed_on": "2024-04-30", "certificate_kind": "skill_level"}).content.decode()
    assert "取得证书的须填写证书编号" in page
    r = client.post(
        curl, {"completed_on": "2024-04-30", "certificate_kind": "skill_level", "certificate_no": "S2024001"}
    )
    assert r.status_code == 302
    client.post(f"/training/enrolments/{eb.pk}/complete/", {"completed_on": "2024-04-30"})
    employ(a, date(2024, 9, 1))  # within 6 months of 2024-04-30
    employ(b, date(2024, 11, 15))  # after the window
    page = client.get(f"/training/courses/{course.pk}/").content.decode()
    assert "结业2人，取得证书1人，结业后6个月内就业1人" in page
    assert "2024-09-01开始就业" in page
    entry = AuditLog.objects.filter(object_type="training.enrolment", action="read").latest("seq")
    assert entry.changes["subjects"] == 2
    trainings = api.person_trainings(a)
    assert trainings[0].employed_after is True and trainings[0].certificate == "职业技能等级证书"
    assert api.person_trainings(b)[0].employed_after is False
    from ablework.core.scoping import district_scope

    with district_scope([course.district_id]):
        assert api.year_summary(2024) == {"courses": 1, "enrolled": 2, "completed": 2, "certified": 1, "employed": 1}


def test_hexi_officer_cannot_see_heping_training(
    client: Any, hx_officer: Any, make_course: Any, person_with_id: Any
) -> None:
    course = make_course(name="和平面点班")
    person, _ = person_with_id()
    e = Enrolment.objects.create(course=course, district=course.district, person=person, enrolled_on=date(2024, 3, 1))
    hp = District.objects.get(code="120101")
    mi = MassageInstitution.objects.create(district=hp, name="和平盲人按摩所", kind="medical", licence_no="PDY001")
    mp = MassagePractitioner.objects.create(district=hp, person=person, exam_year=2020, certificate_no="M001")
    client.force_login(hx_officer)
    for url in (f"/training/courses/{course.pk}/", f"/training/courses/{course.pk}/enrol/",
                f"/training/enrolments/{e.pk}/complete/", f"/training/providers/{course.provider_id}/",
                f"/training/massage/{mi.pk}/edit/", f"/training/massage/practitioners/{mp.pk}/edit/"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert "和平面点班" not in client.get("/training/").content.decode()
    assert "和平盲人按摩所" not in client.get("/training/massage/").content.decode()
    assert len(xlsx_rows(client.get("/training/massage/practitioners/?export=xlsx").content)) == 1


def test_massage_forms_and_audited_export(client: Any, hp_officer: Any, person_with_id: Any) -> None:
    client.force_login(hp_officer)
    hp = District.objects.get(code="120101")
    page = client.post(
        "/training/massage/new/", {"name": "按摩所", "kind": "medical", "district": hp.pk}
    ).content.decode()
    assert "盲人医疗按摩所须填写医疗机构执业许可证号" in page
    client.post("/training/massage/new/", {"name": "按摩所", "kind": "medical", "district": hp.pk, "licence_no": "X1",
                                            "active": "on"})  # fmt: skip
    mi = MassageInstitution.objects.get(name="按摩所")
    person, rid = person_with_id(name="吴九")
    page = client.post("/training/massage/practitioners/new/",
                       {"person": rid, "district": hp.pk, "exam_year": "2021", "title_level": "junior"}).content.decode()  # fmt: skip
    assert "考试合格的须填写证书编号" in page and "有职称的须填写评定年度" in page
    r = client.post("/training/massage/practitioners/new/",
                    {"person": rid, "district": hp.pk, "exam_year": "2021", "certificate_no": "MZ2021-01",
                     "title_level": "junior", "title_year": "2023", "institution": mi.pk})  # fmt: skip
    assert r.status_code == 302
    rows = xlsx_rows(client.get("/training/massage/practitioners/?export=xlsx").content)
    assert rows[1][0] == "吴九" and rows[1][1] == person.id_masked and rows[1][5] == "初级"
    exp = AuditLog.objects.filter(action="export", object_type="training.massagepractitioner").latest("seq")
    assert exp.changes["subjects"] == 1
    courses = xlsx_rows(client.get("/training/?export=xlsx").content)
    assert courses[0][0] == "班次名称"
    assert AuditLog.objects.filter(action="export", object_type="training.course").exists()


def test_competition_entry(client: Any, hp_officer: Any, person_with_id: Any) -> None:
    client.force_login(hp_officer)
    hp = District.objects.get(code="120101")
    _, rid = person_with_id(name="郑十")
    data = {"person": rid, "district": hp.pk, "year": "2099", "competition": "天津市残疾人职业技能大赛",
            "level": "city", "event": "电子商务", "new_form": "on", "award": "gold"}  # fmt: skip
    assert "不能登记未来年度" in client.post("/training/competition/new/", data).content.decode()
    assert client.post("/training/competition/new/", data | {"year": "2024"}).status_code == 302
    page = client.get("/training/competition/?year=2024").content.decode()
    assert "郑十" in page and "电子商务（新业态）" in page


def test_every_page_renders_for_an_officer(client: Any, hp_officer: Any, make_course: Any, person_with_id: Any) -> None:
    course = make_course(accessible_formats="sign")
    person, _ = person_with_id()
    e = Enrolment.objects.create(course=course, district=course.district, person=person, enrolled_on=date(2024, 3, 1))
    hp = District.objects.get(code="120101")
    mi = MassageInstitution.objects.create(district=hp, name="保健按摩店", kind="health")
    mp = MassagePractitioner.objects.create(district=hp, person=person, institution=mi)
    client.force_login(hp_officer)
    for url in (
        "/training/", "/training/courses/new/", f"/training/courses/{course.pk}/", f"/training/courses/{course.pk}/edit/",
        f"/training/courses/{course.pk}/enrol/", f"/training/enrolments/{e.pk}/complete/", "/training/providers/",
        "/training/providers/new/", f"/training/providers/{course.provider_id}/",
        f"/training/providers/{course.provider_id}/edit/", "/training/competition/", "/training/competition/new/",
        "/training/massage/", "/training/massage/new/", f"/training/massage/{mi.pk}/edit/",
        "/training/massage/practitioners/", "/training/massage/practitioners/new/",
        f"/training/massage/practitioners/{mp.pk}/edit/", "/training/providers/?export=xlsx",
        "/training/massage/?export=xlsx", "/training/competition/?export=xlsx", "/training/?format=sign",
    ):  # fmt: skip
        assert client.get(url).status_code == 200, url
    assert course.name in client.get("/training/?format=sign").content.decode()
    assert course.name not in client.get("/training/?format=braille").content.decode()
    r = client.post(f"/training/enrolments/{e.pk}/drop/")
    assert r.status_code == 302
    e.refresh_from_db()
    assert e.status == "dropped"
