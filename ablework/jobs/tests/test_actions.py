"""Postings, applications and referrals, hire → employment record, retention checks, consent."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from ablework.core.models import AuditLog
from ablework.core.scoping import district_scope, unscoped
from ablework.jobs import actions, queries
from ablework.jobs.models import Application, RetentionCheck
from ablework.jobs.tests.conftest import posting_data
from ablework.people import api as people_api

pytestmark = pytest.mark.django_db


def test_posting_validation_messages(make_employer: Any, city_admin: Any) -> None:
    employer = make_employer()
    with pytest.raises(actions.JobsError, match="月工资上限不能低于下限") as exc:
        actions.save_posting(None, actor=city_admin, employer=employer,
                             data=posting_data(wage_min=Decimal("4000"), wage_max=Decimal("3000")))  # fmt: skip
    assert exc.value.field == "wage_max"
    with pytest.raises(actions.JobsError, match="放宽的条件"):
        actions.save_posting(None, actor=city_admin, employer=employer, data=posting_data(source="tobacco_licence"))
    today = timezone.localdate()
    with pytest.raises(actions.JobsError, match="截止日期不能早于发布日期"):
        actions.save_posting(None, actor=city_admin, employer=employer,
                             data=posting_data(valid_from=today, valid_until=today - timedelta(days=1)))  # fmt: skip
    with pytest.raises(actions.JobsError, match="无障碍条件中的选项无效"):
        actions.save_posting(None, actor=city_admin, employer=employer, data=posting_data(accessibility=["moat"]))


def test_posting_is_a_draft_until_published_and_audited(make_employer: Any, make_posting: Any) -> None:
    employer = make_employer()
    draft = make_posting(employer, publish=False)
    assert draft.status == "draft" and draft.district_id == employer.district_id
    assert not queries.open_postings_unscoped().filter(pk=draft.pk).exists()
    reserved = make_posting(employer, source="reserved_kiosk", relaxed_conditions="年龄放宽至55周岁")
    assert reserved.status == "open" and reserved.is_reserved
    assert queries.open_postings_unscoped().filter(pk=reserved.pk).exists()
    actions_ = set(AuditLog.objects.filter(object_type="jobs.posting", object_id=str(reserved.pk))
                   .values_list("action", flat=True))  # fmt: skip
    assert {"create", "transition"} <= actions_


def test_hire_creates_employment_record_and_retention_checks(
    make_employer: Any, make_posting: Any, make_person: Any, hp_officer: Any
) -> None:
    employer = make_employer()
    posting = make_posting(employer)
    person = make_person("120101", name="李四")
    app = actions.refer_person(posting, person, actor=hp_officer, note="能力评估适合")
    assert app.channel == "referred" and app.district_id == person.district_id
    with unscoped():  # the referral is also the person's 四个一 就业服务 (岗位推荐)
        service = person.services.get()
    assert (service.kind, service.service_type) == ("service", "referral") and posting.title in service.details[
        "content"
    ]
    with pytest.raises(actions.JobsError, match="已申请或已被推荐"):
        actions.refer_person(posting, person, actor=hp_officer)
    hired_on = timezone.localdate()
    with unscoped():
        Application.objects.filter(pk=app.pk).update(created_at=timezone.now() - timedelta(days=5))
    app.refresh_from_db()
    actions.hire(app, actor=hp_officer, hired_on=hired_on, monthly_wage=Decimal("3600"), contract_months=24,
                 social_insurance=True)  # fmt: skip
    app.refresh_from_db()
    assert app.status == "hired" and app.employment_record_id
    spells = people_api.employment_spells(person.pk)
    assert [(s.form, s.employer_id, s.start) for s in spells] == [("quota", employer.pk, hired_on)]
    with unscoped():
        checks = list(RetentionCheck.objects.filter(application=app).order_by("months"))
        assert type(person).objects.get(pk=person.pk).status == "employed"
    assert [c.months for c in checks] == [3, 6, 12]
    assert checks[0].due_on.month == (hired_on.month + 2) % 12 + 1
    assert AuditLog.objects.filter(object_type="jobs.application", object_id=str(app.pk), action="transition").exists()


def test_hire_validation(make_employer: Any, make_posting: Any, make_person: Any, hp_officer: Any) -> None:
    app = actions.refer_person(make_posting(make_employer()), make_person("120101"), actor=hp_officer)
    with pytest.raises(actions.JobsError, match="入职日期不能晚于今天"):
        actions.hire(app, actor=hp_officer, hired_on=timezone.localdate() + timedelta(days=1))
    with pytest.raises(actions.JobsError, match="不能早于申请或推荐日期"):
        actions.hire(app, actor=hp_officer, hired_on=timezone.localdate() - timedelta(days=30))


def test_public_welfare_post_hire_is_recorded_as_public_welfare(
    make_employer: Any, make_posting: Any, make_person: Any, hp_officer: Any
) -> None:
    posting = make_posting(make_employer(), source="public_welfare", relaxed_conditions="不限学历")
    person = make_person("120101")
    app = actions.refer_person(posting, person, actor=hp_officer)
    actions.hire(app, actor=hp_officer, hired_on=timezone.localdate())
    assert [s.form for s in people_api.employment_spells(person.pk)] == ["public_welfare"]


def test_retention_due_list_is_scoped_and_empties_when_recorded(
    make_employer: Any, make_posting: Any, make_person: Any, hp_officer: Any, hx_officer: Any
) -> None:
    posting = make_posting(make_employer())
    person = make_person("120101")
    app = actions.refer_person(posting, person, actor=hp_officer)
    hired_on = timezone.localdate() - timedelta(days=100)
    with unscoped():
        Application.objects.filter(pk=app.pk).update(created_at=timezone.now() - timedelta(days=120))
    app.refresh_from_db()
    actions.hire(app, actor=hp_officer, hired_on=hired_on)
    with district_scope([person.district_id]):
        due = list(queries.due_retention_checks())
    assert [c.months for c in due] == [3]  # 6 and 12 months are not yet due (14-day window)
    with district_scope(hx_officer.scope_district_ids()):
        assert list(queries.due_retention_checks()) == []
    with pytest.raises(actions.JobsError, match="请选择回访结果"):
        actions.record_retention_check(due[0], actor=hp_officer, checked_on=timezone.localdate(), result="")
    actions.record_retention_check(due[0], actor=hp_officer, checked_on=timezone.localdate(), result="in_post")
    with district_scope([person.district_id]):
        assert list(queries.due_retention_checks()) == []


def test_left_at_follow_up_ends_the_employment_record(
    make_employer: Any, make_posting: Any, make_person: Any, hp_officer: Any
) -> None:
    person = make_person("120101")
    app = actions.refer_person(make_posting(make_employer()), person, actor=hp_officer)
    with unscoped():
        Application.objects.filter(pk=app.pk).update(created_at=timezone.now() - timedelta(days=120))
    app.refresh_from_db()
    actions.hire(app, actor=hp_officer, hired_on=timezone.localdate() - timedelta(days=100))
    with unscoped():
        check = RetentionCheck.objects.filter(application=app, months=3).get()
    left_on = timezone.localdate() - timedelta(days=2)
    actions.record_retention_check(check, actor=hp_officer, checked_on=left_on, result="left")
    assert [s.end for s in people_api.employment_spells(person.pk)] == [left_on]
    with unscoped():
        assert type(person).objects.get(pk=person.pk).status != "employed"
    assert AuditLog.objects.filter(object_type="people.employmentrecord", action="update").exists()


def test_withdrawn_or_closed(
    make_employer: Any, make_posting: Any, make_person: Any, hp_officer: Any, city_admin: Any
) -> None:
    posting = make_posting(make_employer())
    app = actions.refer_person(posting, make_person("120101"), actor=hp_officer)
    actions.set_application_status(app, "withdraw", actor=hp_officer)
    assert app.status == "withdrawn"
    actions.set_posting_status(posting, "close", actor=city_admin)
    with pytest.raises(actions.JobsError, match="不在招聘期内"):
        actions.refer_person(posting, make_person("120101"), actor=hp_officer)


def test_matching_uses_need_registration_and_respects_opt_out(
    make_employer: Any, make_posting: Any, make_person: Any, register_need: Any, hp_officer: Any
) -> None:
    employer = make_employer()
    office = make_posting(employer, title="文员", occupation="office")
    no_ramp = make_posting(employer, title="无坡道文员", occupation="office", accessibility=[])
    cleaning = make_posting(employer, title="保洁", occupation="cleaning")
    wheel = register_need(
        make_person("120101", name="轮椅用户"), jobs=("office",), needs=("accessible_site",), mobility=4
    )
    _profile, matches = queries.matches_for_person(wheel.pk)
    ids = [m.posting.pk for m in matches]
    assert ids[:2] == [office.pk, cleaning.pk] and no_ramp.pk not in ids  # hard mismatch left out
    assert matches[0].match.score > matches[1].match.score
    assert any("意向岗位" in f.detail for f in matches[0].match.factors)

    other = register_need(make_person("120101", name="同意者"), jobs=("office",))
    quiet = register_need(make_person("120101", name="未表态"), jobs=("office",))
    with district_scope(hp_officer.scope_district_ids()):
        officer_view = queries.candidates_for_posting(
            office, district_ids=hp_officer.scope_district_ids(), consented_only=False
        )
    assert {c.profile.person_id for c in officer_view} == {wheel.pk, other.pk, quiet.pk}
    actions.set_matching_consent(other, actor=hp_officer, status="consented")
    actions.set_matching_consent(wheel, actor=hp_officer, status="opted_out")
    employer_view = queries.candidates_for_posting(office, district_ids=None, consented_only=True)
    assert [c.profile.person_id for c in employer_view] == [other.pk]
    officer_view = queries.candidates_for_posting(
        office, district_ids=hp_officer.scope_district_ids(), consented_only=False
    )
    assert {c.profile.person_id for c in officer_view} == {other.pk, quiet.pk}
    assert queries.matches_for_person(wheel.pk)[1] == []  # opted out: no automated recommendations


def test_directory_entry_rules_and_audit(city_admin: Any) -> None:
    from ablework.core.models import District

    heping = District.objects.get(code="120101")
    base = {
        "kind": "carrier",
        "name": "和平创业孵化基地",
        "carrier_type": "",
        "address": "和平路1号",
        "district": heping,
    }
    with pytest.raises(actions.JobsError, match="请选择载体类型"):
        actions.save_directory_entry(None, actor=city_admin, data=base)
    entry = actions.save_directory_entry(None, actor=city_admin, data={**base, "carrier_type": "incubator"})
    assert AuditLog.objects.filter(object_type="jobs.directoryentry", object_id=str(entry.pk), action="create").exists()
    pk = entry.pk
    actions.delete_directory_entry(entry, actor=city_admin)
    assert AuditLog.objects.filter(object_type="jobs.directoryentry", object_id=str(pk), action="delete").exists()
