"""就业困难人员认定 (R11.1) and 公益性岗位 placements (R11.2): the criteria explanation, the review
workflow over HTTP with two users and two districts, validity from the parameter, exit on
re-employment, expiry, and placements with their employment record."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import timezone
from python_calamine import CalamineWorkbook

from ablework.core import audit, workflow
from ablework.core.models import AuditLog, PolicyParameter, TransitionLog
from ablework.core.scoping import unscoped
from ablework.core.workflow import TransitionNotAllowed
from ablework.people import actions, rules
from ablework.people.actions.difficulty import (
    check_difficulty_criteria,
    period_months,
    placement_limit,
    subsidy_total,
)
from ablework.people.models import DifficultyCertification, EmploymentRecord, Person, PublicWelfarePlacement
from ablework.people.queries.difficulty import difficulty_summary
from conftest import make_resident_id

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DECLARED = {"registered_unemployed": True, "able_and_willing": True, "referral_failed": True}
APPLY_FORM = {"registered_unemployed": "on", "able_and_willing": "on", "referral_failed": "on",
              "applied_on": TODAY.isoformat(), "action": "submit"}  # fmt: skip


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Users here log in with force_login; Argon2 for each made user would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _birth(years: int, months: int = 0) -> date:
    return rules.add_months(TODAY, -(12 * years + months))


@pytest.fixture
def person(make_person: Any) -> Person:
    """A man of 40 in 和平区 with a long-term 残疾人证 (肢体二级), no job yet."""
    return make_person("120101", name="李明", resident_id=make_resident_id("120101", birth=_birth(40)))


@pytest.fixture
def hx_person(make_person: Any) -> Person:
    return make_person("120103", name="王芳", resident_id=make_resident_id("120103", birth=_birth(35)))


@pytest.fixture
def hp_reviewer(make_user: Any) -> Any:
    return make_user("district_reviewer", "120101")


@pytest.fixture
def hx_reviewer(make_user: Any) -> Any:
    return make_user("district_reviewer", "120103")


def _approved(person: Person, officer: Any, reviewer: Any) -> DifficultyCertification:
    cert = actions.apply_for_difficulty(person, actor=officer, applied_on=TODAY, **DECLARED)
    return actions.approve_difficulty(cert, actor=reviewer)


def _reload(cert: DifficultyCertification) -> DifficultyCertification:
    with unscoped():
        return DifficultyCertification.objects.get(pk=cert.pk)


# -- criteria -------------------------------------------------------------------------------------------


def test_criteria_all_met_with_evidence_and_parameter_source(person: Person) -> None:
    result, data = check_difficulty_criteria(person, on=TODAY, **DECLARED)
    assert result.eligible and data["eligible"] is True and data["failed"] == []
    steps = {s["label"]: s for s in data["steps"]}
    assert steps["结论"]["value"] == "符合认定条件"
    age = steps["处于法定劳动年龄"]
    assert age["outcome"] == "met" and "40周岁；劳动年龄16至59周岁" in age["evidence"]
    assert age["params"][0]["key"] == "working_age" and "R14.2" in age["params"][0]["source"]
    cert_step = next(s for label, s in steps.items() if label.startswith("持有效"))
    assert cert_step["evidence"] == "残疾人证（肢体残疾二级），长期有效"
    assert data["checked_on"] == TODAY.isoformat()


@pytest.mark.parametrize(
    ("change", "declared", "unmet"),
    [
        ({"tianjin_hukou": False}, {}, "本市户籍"),
        ({"birth_date": date(1950, 1, 1)}, {}, "处于法定劳动年龄"),
        ({}, {"able_and_willing": False}, "有劳动能力和就业意愿"),
        ({}, {"registered_unemployed": False}, "已办理失业登记"),
        ({}, {"referral_failed": False}, "经公共就业服务机构推荐仍未就业"),
        ({"cert_valid_until": TODAY - timedelta(days=1)}, {}, "持有效残疾人证或残疾军人证（第二类第8项，不设承包土地条件）"),
        ({"disability_category": None, "disability_level": None}, {}, "持有效残疾人证或残疾军人证（第二类第8项，不设承包土地条件）"),
        ({"status": "employed"}, {}, "当前无就业记录"),
    ],
)  # fmt: skip
def test_each_criterion_is_required(
    person: Person, change: dict[str, Any], declared: dict[str, bool], unmet: str
) -> None:
    for key, value in change.items():
        setattr(person, key, value)
    result, data = check_difficulty_criteria(person, on=TODAY, **(DECLARED | declared))
    assert not result.eligible and data["failed"] == [unmet]
    assert data["steps"][-1]["value"] == "不符合认定条件"


def test_military_certificate_counts_and_certificate_validity_is_checked_on_the_date(person: Person) -> None:
    person.cert_kind, person.military_level = "military", 6
    person.disability_category = person.disability_level = None
    person.cert_valid_until = TODAY
    result, data = check_difficulty_criteria(person, on=TODAY, **DECLARED)
    assert result.eligible
    assert "残疾军人证（6级），有效期至" in data["steps"][5]["evidence"]
    assert not check_difficulty_criteria(person, on=TODAY + timedelta(days=1), **DECLARED)[0].eligible


# -- the workflow over HTTP -------------------------------------------------------------------------------


def test_officer_applies_reviewer_approves_over_http(
    client: Any, hp_officer: Any, hx_officer: Any, hp_reviewer: Any, hx_reviewer: Any, person: Person
) -> None:
    client.force_login(hx_officer)  # may apply, but not for a person of another district
    assert client.get(f"/people/{person.pk}/difficulty/apply/").status_code == 404
    assert client.post(f"/people/{person.pk}/difficulty/apply/", APPLY_FORM).status_code == 404
    client.force_login(hp_reviewer)  # a reviewer decides, but does not apply
    assert client.get(f"/people/{person.pk}/difficulty/apply/").status_code == 404
    client.force_login(hp_officer)
    page = client.get(f"/people/{person.pk}/difficulty/apply/")
    assert page.status_code == 200 and "由档案自动核查的条件" in page.content.decode()
    response = client.post(f"/people/{person.pk}/difficulty/apply/", APPLY_FORM)
    with unscoped():
        cert = DifficultyCertification.objects.get(person=person)
    assert response.status_code == 302 and response["Location"] == f"/people/difficulty/{cert.pk}/"
    assert cert.status == "submitted" and cert.criteria["eligible"] is True and cert.created_by == hp_officer
    assert client.post(f"/people/{person.pk}/difficulty/apply/", APPLY_FORM).status_code == 302  # open one: no second
    with unscoped():
        assert DifficultyCertification.objects.filter(person=person).count() == 1

    # The officer (the submitter) cannot decide: the stage belongs to a district reviewer.
    own = client.post(f"/people/difficulty/{cert.pk}/decide/", {"transition": "approve"})
    assert own.status_code == 422
    assert "“区级审核”环节须由区级审核员办理，您的角色是区级经办员" in own.content.decode()
    assert _reload(cert).status == "submitted"

    # A reviewer of another district does not see it at all.
    client.force_login(hx_reviewer)
    assert client.get(f"/people/difficulty/{cert.pk}/").status_code == 404
    assert client.post(f"/people/difficulty/{cert.pk}/decide/", {"transition": "approve"}).status_code == 404
    assert "李明" not in client.get("/people/difficulty/").content.decode()

    client.force_login(hp_reviewer)
    queue = client.get("/people/difficulty/").content.decode()
    due = workflow.add_working_days(TODAY, 15)  # review_days of the parameter
    assert "李明" in queue and due.strftime("%Y-%m-%d") in queue and "已超期" not in queue
    detail = client.get(f"/people/difficulty/{cert.pk}/").content.decode()
    assert "符合认定条件" in detail and 'value="approve"' in detail and 'value="return"' in detail
    stage = workflow.current_stage(cert)
    assert stage is not None and stage.name == "区级审核" and stage.deadline_days == 15
    ok = client.post(
        f"/people/difficulty/{cert.pk}/decide/", {"transition": "approve", "note": "材料齐全", "stage": stage.pk}
    )
    assert ok.status_code == 302
    cert = _reload(cert)
    assert (cert.status, cert.valid_from, cert.valid_until) == ("approved", TODAY, rules.add_months(TODAY, 36))
    assert cert.criteria["decision"]["validity_months"] == 36
    assert [(h.transition, h.actor, h.note) for h in workflow.history(cert)] == [
        ("submit", hp_officer, ""),
        ("approve", hp_reviewer, "材料齐全"),
    ]
    read = AuditLog.objects.filter(
        action="read", actor=hp_reviewer, object_type="people.person", object_id=str(person.pk)
    )
    assert read.filter(purpose="查看就业困难人员认定").exists()

    # A second approval (double click) is refused by the workflow.
    again = client.post(f"/people/difficulty/{cert.pk}/decide/", {"transition": "approve"})
    assert again.status_code == 422 and "当前状态为“已认定”，不能执行“认定通过”" in again.content.decode()


def test_ineligible_application_can_be_submitted_but_not_approved(
    client: Any, hp_officer: Any, hp_reviewer: Any, person: Person
) -> None:
    client.force_login(hp_officer)
    form = {k: v for k, v in APPLY_FORM.items() if k != "registered_unemployed"}  # box left unticked
    assert client.post(f"/people/{person.pk}/difficulty/apply/", form).status_code == 302
    with unscoped():
        cert = DifficultyCertification.objects.get(person=person)
    assert cert.status == "submitted" and cert.criteria["failed"] == ["已办理失业登记"]

    client.force_login(hp_reviewer)
    detail = client.get(f"/people/difficulty/{cert.pk}/").content.decode()
    assert "不能认定通过" in detail and "disabled" in detail and "✗ 不满足" in detail
    refused = client.post(f"/people/difficulty/{cert.pk}/decide/", {"transition": "approve"})
    body = refused.content.decode()
    assert refused.status_code == 422
    assert "不符合就业困难人员认定条件，不能认定通过" in body and "未满足“已办理失业登记”" in body
    cert = _reload(cert)
    assert cert.status == "submitted" and cert.valid_from is None
    assert [h.transition for h in workflow.history(cert)] == ["submit"]  # the refused approval left nothing

    # 不予认定 needs a reason.
    no_reason = client.post(f"/people/difficulty/{cert.pk}/decide/", {"transition": "reject", "note": " "})
    assert no_reason.status_code == 422 and "执行“不予认定”须填写意见" in no_reason.content.decode()
    assert (
        client.post(
            f"/people/difficulty/{cert.pk}/decide/", {"transition": "reject", "note": "未办理失业登记"}
        ).status_code
        == 302
    )
    cert = _reload(cert)
    assert cert.status == "rejected" and workflow.history(cert)[-1].note == "未办理失业登记"


def test_return_and_resubmit_starts_a_new_round(client: Any, hp_officer: Any, hp_reviewer: Any, person: Person) -> None:
    cert = actions.apply_for_difficulty(
        person, actor=hp_officer, applied_on=TODAY, **(DECLARED | {"referral_failed": False})
    )
    with pytest.raises(TransitionNotAllowed, match="须填写意见"):
        actions.return_difficulty(cert, actor=hp_reviewer, note="")
    actions.return_difficulty(cert, actor=hp_reviewer, note="请补充职业介绍记录")
    assert _reload(cert).status == "draft"

    client.force_login(hp_officer)
    detail = client.get(f"/people/difficulty/{cert.pk}/").content.decode()
    assert "请补充职业介绍记录" in detail and "修改并重新提交" in detail
    assert "被退回" in client.get(f"/people/{person.pk}/difficulty/apply/").content.decode()
    assert client.post(f"/people/{person.pk}/difficulty/apply/", APPLY_FORM).status_code == 302
    cert = _reload(cert)
    assert cert.status == "submitted" and cert.referral_failed and cert.criteria["eligible"]
    actions.approve_difficulty(cert, actor=hp_reviewer)
    assert [h.transition for h in workflow.history(cert)] == ["submit", "return", "submit", "approve"]


def test_street_worker_may_apply_city_admin_may_not(make_user: Any, city_admin: Any, person: Person) -> None:
    with pytest.raises(TransitionNotAllowed, match="须由区级经办员、街道/社区工作人员办理"):
        actions.apply_for_difficulty(person, actor=city_admin, applied_on=TODAY, **DECLARED)
    with unscoped():
        assert not DifficultyCertification.objects.exists()  # rolled back with the refused submission
    worker = make_user("street_worker", "120101")
    cert = actions.apply_for_difficulty(person, actor=worker, applied_on=TODAY, **DECLARED)
    assert cert.status == "submitted"
    with pytest.raises(actions.DifficultyError, match="待区级审核的申请"):
        actions.apply_for_difficulty(person, actor=worker, applied_on=TODAY, **DECLARED)
    with pytest.raises(actions.DifficultyError, match="不能晚于今天"):
        actions.apply_for_difficulty(person, actor=worker, applied_on=TODAY + timedelta(days=1), **DECLARED)


def test_overdue_application_is_highlighted(client: Any, hp_officer: Any, hp_reviewer: Any, person: Person) -> None:
    cert = actions.apply_for_difficulty(person, actor=hp_officer, applied_on=TODAY, **DECLARED)
    TransitionLog.objects.filter(transition="submit", object_id=str(cert.pk)).update(
        at=timezone.now() - timedelta(days=40)
    )
    client.force_login(hp_reviewer)
    queue = client.get("/people/difficulty/").content.decode()
    assert "已超期" in queue and "table-danger" in queue


# -- validity, exit, expiry -------------------------------------------------------------------------------


def test_validity_follows_the_parameter_on_the_decision_date(
    hp_officer: Any, hp_reviewer: Any, person: Person, make_person: Any
) -> None:
    first = _approved(person, hp_officer, hp_reviewer)
    assert first.valid_until == rules.add_months(TODAY, 36)

    PolicyParameter.objects.filter(key="difficulty_certification").update(
        value={"validity_months": 12, "exit_on_reemployment": True, "review_days": 5}
    )
    other = make_person("120101", name="赵强", resident_id=make_resident_id("120101", birth=_birth(30)))
    cert = actions.apply_for_difficulty(other, actor=hp_officer, applied_on=TODAY, **DECLARED)
    assert workflow.current_stage(cert).deadline_days == 5  # type: ignore[union-attr]
    decided = actions.approve_difficulty(cert, actor=hp_reviewer, on=TODAY - timedelta(days=1))
    assert (decided.valid_from, decided.valid_until) == (
        TODAY - timedelta(days=1),
        rules.add_months(TODAY - timedelta(days=1), 12),
    )
    assert _reload(cert).criteria["decision"]["validity_months"] == 12


def test_reemployment_exits_the_certification(hp_officer: Any, hp_reviewer: Any, person: Person) -> None:
    cert = _approved(person, hp_officer, hp_reviewer)
    # A past spell, already ended: not employed again, the certification stays.
    with unscoped():
        actions.add_employment_record(person, actor=hp_officer, form="flexible", start_date=TODAY - timedelta(days=400),
                                      end_date=TODAY - timedelta(days=300))  # fmt: skip
    assert _reload(cert).status == "approved"

    with unscoped():
        actions.add_employment_record(person, actor=hp_officer, form="quota", start_date=TODAY, employer_name="某公司")
    cert = _reload(cert)
    assert (cert.status, cert.exited_on, cert.exit_reason) == ("exited", TODAY, "再就业")
    last = workflow.history(cert)[-1]
    assert (last.transition, last.actor, last.to_state) == ("exit_reemployed", hp_officer, "exited")


def test_reemployment_keeps_the_certification_when_the_parameter_says_so(
    hp_officer: Any, hp_reviewer: Any, person: Person
) -> None:
    PolicyParameter.objects.filter(key="difficulty_certification").update(
        value={"validity_months": 36, "exit_on_reemployment": False, "review_days": 15}
    )
    cert = _approved(person, hp_officer, hp_reviewer)
    with unscoped():
        actions.add_employment_record(person, actor=hp_officer, form="quota", start_date=TODAY, employer_name="某公司")
    assert _reload(cert).status == "approved"


def test_bulk_writers_can_exit_reemployed_persons(hp_officer: Any, hp_reviewer: Any, person: Person) -> None:
    cert = _approved(person, hp_officer, hp_reviewer)
    start = TODAY - timedelta(days=3)
    with unscoped():  # as the set-based import does: rows written without add_employment_record
        EmploymentRecord.objects.create(person=person, district_id=person.district_id, form="quota", start_date=start)
        actions.recompute_status(person)
    assert _reload(cert).status == "approved"
    assert actions.exit_reemployed_persons([person.pk], actor=hp_officer) == 1
    cert = _reload(cert)
    assert (cert.status, cert.exited_on) == ("exited", TODAY)  # not before the start of validity
    assert actions.exit_reemployed_persons([person.pk], actor=hp_officer) == 0


def test_manual_exit_over_http(client: Any, hp_officer: Any, hp_reviewer: Any, hx_officer: Any, person: Person) -> None:
    cert = _approved(person, hp_officer, hp_reviewer)
    client.force_login(hx_officer)
    assert client.get(f"/people/difficulty/{cert.pk}/exit/").status_code == 404
    client.force_login(hp_officer)
    assert "退出认定" in client.get(f"/people/difficulty/{cert.pk}/").content.decode()
    missing = client.post(f"/people/difficulty/{cert.pk}/exit/", {"exited_on": TODAY.isoformat(), "reason": "其他"})
    assert missing.status_code == 422 and "退出原因为“其他”时请填写说明" in missing.content.decode()
    early = client.post(
        f"/people/difficulty/{cert.pk}/exit/",
        {"exited_on": (TODAY - timedelta(days=1)).isoformat(), "reason": "本人申请"},
    )
    assert "退出日期不能早于认定有效期起始日" in early.content.decode()
    done = client.post(f"/people/difficulty/{cert.pk}/exit/", {"exited_on": TODAY.isoformat(), "reason": "本人申请"})
    assert done.status_code == 302
    cert = _reload(cert)
    assert (cert.status, cert.exited_on, cert.exit_reason) == ("exited", TODAY, "本人申请")
    assert workflow.history(cert)[-1].transition == "exit"


def test_expiry_is_set_based_idempotent_and_not_part_of_refresh_statuses(
    hp_officer: Any, hp_reviewer: Any, person: Person, hx_person: Any, make_user: Any
) -> None:
    ending = _approved(person, hp_officer, hp_reviewer)
    hx_officer, hx_reviewer = make_user("district_officer", "120103"), make_user("district_reviewer", "120103")
    lasting = _approved(hx_person, hx_officer, hx_reviewer)
    with unscoped():
        DifficultyCertification.objects.filter(pk=ending.pk).update(valid_until=TODAY - timedelta(days=1))
        DifficultyCertification.objects.filter(pk=lasting.pk).update(valid_until=TODAY)  # still valid today

    actions.refresh_statuses(on=TODAY)
    assert _reload(ending).status == "approved"  # the status refresh does not expire certifications

    out = io.StringIO()
    call_command("expire_difficulty", on=TODAY.isoformat(), stdout=out)
    assert "已将 1 条" in out.getvalue()
    assert (_reload(ending).status, _reload(lasting).status) == ("expired", "approved")
    last = workflow.history(ending)[-1]
    assert (last.transition, last.actor, last.from_state, last.to_state) == ("expire", None, "approved", "expired")
    entry = AuditLog.objects.filter(action="transition", object_label__startswith="就业困难人员认定到期").get()
    assert entry.district_code == "120101" and entry.changes["subjects"] == 1
    assert entry in audit.access_entries("people.difficultycertification", ending.pk)
    assert entry not in audit.access_entries("people.difficultycertification", lasting.pk)
    assert actions.expire_difficulty_certifications(TODAY) == 0
    assert actions.expire_difficulty_certifications(TODAY + timedelta(days=1)) == 1
    # A new application is possible once the certification has expired.
    again = actions.apply_for_difficulty(person, actor=hp_officer, applied_on=TODAY, **DECLARED)
    assert again.status == "submitted"


# -- lists and export ----------------------------------------------------------------------------------------


def test_certified_list_and_masked_export_are_scoped(
    client: Any, hp_officer: Any, hp_reviewer: Any, hx_officer: Any, person: Person
) -> None:
    _approved(person, hp_officer, hp_reviewer)
    with unscoped():
        Person.objects.filter(pk=person.pk).update(phone="13812345678")
    client.force_login(hx_officer)
    assert "李明" not in client.get("/people/difficulty/certified/").content.decode()
    empty = CalamineWorkbook.from_filelike(io.BytesIO(client.get("/people/difficulty/certified/?export=xlsx").content))
    assert empty.get_sheet_by_index(0).to_python() == [[
        "姓名", "身份证号（脱敏）", "户籍区", "街道", "证件", "联系电话", "申请日期", "认定日期", "有效期至",
    ]]  # fmt: skip

    client.force_login(hp_reviewer)  # may not unmask: the phone is masked too
    page = client.get("/people/difficulty/certified/").content.decode()
    assert "李明" in page and rules.add_months(TODAY, 36).strftime("%Y-%m-%d") in page
    book = CalamineWorkbook.from_filelike(io.BytesIO(client.get("/people/difficulty/certified/?export=xlsx").content))
    rows = book.get_sheet_by_index(0).to_python()
    assert len(rows) == 2 and rows[1][0] == "李明"
    assert rows[1][1] == person.id_masked and "*" in str(rows[1][1]) and rows[1][5] == "138****5678"
    export = AuditLog.objects.get(action="export", actor=hp_reviewer)
    assert export in audit.access_entries("people.person", person.pk) and export.changes["count"] == 1
    shown = AuditLog.objects.filter(action="read", actor=hp_reviewer, purpose="就业困难人员名单").get()
    assert shown in audit.access_entries("people.person", person.pk)


def test_person_section_summary(hp_officer: Any, hp_reviewer: Any, person: Person) -> None:
    with unscoped():
        summary = difficulty_summary(person, user=hp_officer)
    assert summary.current is None and summary.can_apply and summary.can_place
    _approved(person, hp_officer, hp_reviewer)
    with unscoped():
        summary = difficulty_summary(person, user=hp_reviewer)
    assert summary.certified and not summary.can_apply and not summary.can_place
    html = render_to_string("people/difficulty/person_section.html", {"person": person, "difficulty_summary": summary})
    assert "已认定为就业困难人员" in html and rules.add_months(TODAY, 36).strftime("%Y-%m-%d") in html


# -- 公益性岗位 ----------------------------------------------------------------------------------------------


def test_placement_period_is_limited_by_the_parameter(hp_officer: Any, person: Person) -> None:
    start = TODAY - timedelta(days=10)
    limit = rules.add_months(start, 36) - timedelta(days=1)
    with pytest.raises(actions.PlacementError) as err:
        actions.place_in_public_welfare_post(
            person, actor=hp_officer, post="社区保洁", unit="某街道办事处", start_date=start,
            end_date=limit + timedelta(days=1), post_subsidy_monthly=Decimal("1800"), insurance_subsidy_monthly=Decimal("0"),
        )  # fmt: skip
    assert (
        f"安置期限过长：{start:%Y-%m-%d}至{limit + timedelta(days=1):%Y-%m-%d}。安置期限一般不超过3年，最晚至{limit:%Y-%m-%d}"
        in str(err.value)
    )
    with unscoped():
        assert not EmploymentRecord.objects.exists() and not PublicWelfarePlacement.objects.exists()
    placement = actions.place_in_public_welfare_post(
        person, actor=hp_officer, post="社区保洁", unit="某街道办事处", start_date=start, end_date=limit,
        post_subsidy_monthly=Decimal("1800"), insurance_subsidy_monthly=Decimal("0"),
    )  # fmt: skip
    assert placement.end_date == limit


def test_placement_may_run_to_retirement_when_near_it(hp_officer: Any, make_person: Any) -> None:
    older = make_person("120101", name="钱伟", resident_id=make_resident_id("120101", birth=_birth(56, 6), male=True))
    start = TODAY - timedelta(days=10)
    limit = placement_limit(older, start)
    retirement = rules.add_months(older.birth_date, 60 * 12)
    assert limit.near_retirement and limit.retirement_on == retirement
    assert limit.latest_end == retirement - timedelta(days=1) > rules.add_months(start, 36)  # longer than 3 years
    kw: dict[str, Any] = {"post": "公园巡查", "unit": "某公园管理所", "start_date": start, "post_subsidy_monthly": Decimal("1800"),
          "insurance_subsidy_monthly": Decimal("950.50")}  # fmt: skip
    with pytest.raises(
        actions.PlacementError, match=f"距退休不足5年，安置期限可延至退休前，最晚至{limit.latest_end:%Y-%m-%d}"
    ):
        actions.place_in_public_welfare_post(older, actor=hp_officer, end_date=retirement, **kw)
    placement = actions.place_in_public_welfare_post(older, actor=hp_officer, end_date=limit.latest_end, **kw)
    assert placement.end_date == retirement - timedelta(days=1)


def test_placement_over_http_creates_employment_and_ends_both(
    client: Any, hp_officer: Any, hx_officer: Any, person: Person
) -> None:
    start = TODAY - timedelta(days=31)
    end = rules.add_months(start, 12) - timedelta(days=1)
    form = {"post": "助残服务", "unit": "和平区残联", "start_date": start.isoformat(), "end_date": end.isoformat(),
            "post_subsidy_monthly": "2000.00", "insurance_subsidy_monthly": "1000.50"}  # fmt: skip
    client.force_login(hx_officer)
    assert client.get(f"/people/{person.pk}/public-welfare/").status_code == 404
    assert client.post(f"/people/{person.pk}/public-welfare/", form).status_code == 404

    client.force_login(hp_officer)
    bad = client.post(f"/people/{person.pk}/public-welfare/", form | {"post_subsidy_monthly": "-1"})
    assert bad.status_code == 422 and "金额不能为负数" in bad.content.decode()
    assert client.post(f"/people/{person.pk}/public-welfare/", form).status_code == 302
    with unscoped():
        placement = PublicWelfarePlacement.objects.get(person=person)
        record = EmploymentRecord.objects.get(person=person)
        person.refresh_from_db()
    assert placement.employment_record == record
    assert (record.form, record.employer_name, record.start_date, record.end_date) == (
        "public_welfare",
        "和平区残联",
        start,
        end,
    )
    assert person.status == "employed"
    total = subsidy_total(placement)
    assert (total.months, total.post_total, total.insurance_total, total.total) == (
        12, Decimal("24000.00"), Decimal("12006.00"), Decimal("36006.00"),
    )  # fmt: skip
    page = client.get(f"/people/{person.pk}/public-welfare/").content.decode()
    assert "助残服务" in page and "36006.00" in page and "在岗" in page
    overlap = client.post(f"/people/{person.pk}/public-welfare/", form | {"post": "另一岗位"})
    assert "期间不能重叠" in overlap.content.decode()

    client.force_login(hx_officer)
    assert client.get(f"/people/difficulty/placements/{placement.pk}/end/").status_code == 404
    assert "助残服务" not in client.get("/people/difficulty/placements/").content.decode()
    client.force_login(hp_officer)
    assert "助残服务" in client.get("/people/difficulty/placements/").content.decode()
    late = client.post(
        f"/people/difficulty/placements/{placement.pk}/end/",
        {"end_date": (end + timedelta(days=1)).isoformat(), "reason": "x"},
    )
    assert "离岗日期不能晚于原定结束日期" in late.content.decode()
    ended = client.post(
        f"/people/difficulty/placements/{placement.pk}/end/", {"end_date": TODAY.isoformat(), "reason": "合同解除"}
    )
    assert ended.status_code == 302
    with unscoped():
        placement.refresh_from_db()
        record.refresh_from_db()
    assert placement.end_date == record.end_date == TODAY
    assert actions.compute_status(person, TODAY + timedelta(days=1)) != "employed"


def test_placement_keeps_the_certification_and_is_refused_outside_working_age(
    hp_officer: Any, hp_reviewer: Any, person: Person, make_person: Any
) -> None:
    # 公益性岗位 exist for 就业困难人员: a placement is listed in exempt_forms and does not end it.
    cert = _approved(person, hp_officer, hp_reviewer)
    actions.place_in_public_welfare_post(
        person, actor=hp_officer, post="保洁", unit="街道", start_date=TODAY, end_date=TODAY + timedelta(days=90),
        post_subsidy_monthly=Decimal("1500"), insurance_subsidy_monthly=Decimal("0"),
    )  # fmt: skip
    assert _reload(cert).status == "approved"
    assert actions.exit_reemployed_persons([person.pk], actor=hp_officer) == 0
    # Without the exemption in the parameter, the placement is re-employment like any other.
    PolicyParameter.objects.filter(key="difficulty_certification").update(
        value={"validity_months": 36, "exit_on_reemployment": True, "exempt_forms": [], "review_days": 15}
    )
    assert actions.exit_reemployed_persons([person.pk], actor=hp_officer) == 1
    assert _reload(cert).status == "exited"
    old = make_person("120101", name="孙老", resident_id=make_resident_id("120101", birth=_birth(65)))
    with pytest.raises(actions.PlacementError, match="不在法定劳动年龄内"):
        actions.place_in_public_welfare_post(
            old, actor=hp_officer, post="保洁", unit="街道", start_date=TODAY, end_date=TODAY,
            post_subsidy_monthly=Decimal("1500"), insurance_subsidy_monthly=Decimal("0"),
        )  # fmt: skip


def test_period_months() -> None:
    assert period_months(date(2025, 1, 1), date(2027, 12, 31)) == 36
    assert period_months(date(2025, 1, 15), date(2025, 3, 14)) == 2
    assert period_months(date(2025, 1, 31), date(2025, 2, 27)) == 1
    assert period_months(date(2025, 1, 1), date(2025, 1, 10)) == 1  # a started month counts as one
    assert period_months(date(2025, 1, 1), date(2025, 2, 10)) == 2


def test_stage_due_uses_submission_time(hp_officer: Any, person: Person) -> None:
    cert = actions.apply_for_difficulty(person, actor=hp_officer, applied_on=TODAY, **DECLARED)
    friday = datetime(2026, 3, 6, 10, 0, tzinfo=timezone.get_current_timezone())
    TransitionLog.objects.filter(transition="submit", object_id=str(cert.pk)).update(at=friday)
    assert workflow.stage_due(cert) == workflow.add_working_days(date(2026, 3, 6), 15)
