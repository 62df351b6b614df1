"""The 四个一 services (policy-rules §14): who needs what, recording each service over HTTP with its
validation, the wish re-deriving the status, the worklist, completion rates, district scoping, and
the info-check form on a phone."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ablework.core.models import AuditLog, District, Street
from ablework.core.scoping import district_scope, unscoped
from ablework.people import actions, rules
from ablework.people.enums import EmploymentForm
from ablework.people.models import Person, ServiceRecord
from ablework.people.queries import services as q
from conftest import make_resident_id

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year
LAST_YEAR = date(YEAR - 1, 12, 31)
ALL4 = rules.FOUR_SERVICES


def _working_age_id(region: str = "120101", serial: int = 11, male: bool = True) -> str:
    return make_resident_id(region=region, birth=date(YEAR - 35, 3, 1), male=male, serial=serial)


def _url(kind: str, person: Person) -> str:
    return reverse(f"people:services_new_{kind}", args=[person.pk])


def _service(person: Person, kind: str, on: date = TODAY, **kw: Any) -> ServiceRecord:
    return ServiceRecord.objects.create(
        person=person,
        district_id=person.district_id,
        street_id=person.street_id,
        kind=kind,
        date=on,
        unit="测试街道",
        **kw,
    )


def _all_four(person: Person, on: date = TODAY) -> None:
    for kind in ALL4:
        _service(person, kind, on)


def _records(person: Person) -> list[ServiceRecord]:
    with unscoped():
        return list(ServiceRecord.objects.filter(person=person).order_by("id"))


def _errors(response: Any) -> str:
    return response.content.decode()


# --- who needs what ---------------------------------------------------------------------------------


def test_required_services_by_status() -> None:
    assert rules.required_services("wants_work") == ALL4
    assert rules.required_services("no_wish") == ("info_check",)
    assert rules.required_services("unknown") == ("info_check",)
    assert rules.required_services("employed") == ()
    assert rules.required_services("not_working_age") == ()
    assert rules.service_gaps("wants_work", ["info_check", "service"]) == ("ability_assessment", "need_registration")


# --- recording over HTTP ----------------------------------------------------------------------------


@pytest.fixture
def hp_person(make_person: Callable[..., Any]) -> Person:
    street = Street.objects.filter(district__code="120101").order_by("code").first()
    return make_person(  # type: ignore[no-any-return]
        "120101",
        name="李明",
        resident_id=_working_age_id(),
        street=street,
        phone="13800000001",
        address="和平区南京路1号",
        community="南营门社区",
        status="unknown",
    )


def test_info_check_over_http_corrects_contact_and_sets_wish(client: Any, hp_officer: Any, hp_person: Person) -> None:
    client.force_login(hp_officer)
    form = client.get(_url("info_check", hp_person))
    assert form.status_code == 200
    page = form.content.decode()
    assert 'type="date"' in page and 'inputmode="tel"' in page and 'value="13800000001"' in page
    assert f'value="{hp_officer.organisation.name}"' in page  # unit defaults to the user's organisation
    response = client.post(
        _url("info_check", hp_person),
        {
            "phone": "13900000002",
            "address": "和平区南京路1号",
            "community": "南营门社区",
            "situation": "at_home",
            "wants_job": "1",
            "date": TODAY.isoformat(),
            "unit": "南营门街道",
            "outcome": "",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "people:services_person", args=[hp_person.pk]
    )
    [record] = _records(hp_person)
    assert (record.kind, record.date, record.unit, record.recorded_by) == (
        "info_check",
        TODAY,
        "南营门街道",
        hp_officer,
    )
    assert (record.district_id, record.street_id) == (hp_person.district_id, hp_person.street_id)
    assert record.details["corrected"] == ["phone"] and record.details["wants_job"] is True
    assert record.outcome == "已更正联系电话；有就业意愿"
    with unscoped():
        person = Person.objects.get(pk=hp_person.pk)
    assert (person.phone, person.wants_job, person.status) == ("13900000002", True, "wants_work")
    phone_change = AuditLog.objects.get(
        object_type="people.person", object_id=str(person.pk), action="update", changes__has_key="phone"
    )
    assert phone_change.changes["phone"] == ["13800000001", "13900000002"]
    assert AuditLog.objects.filter(
        object_type="people.servicerecord", object_id=str(record.pk), action="create"
    ).exists()
    shown = client.get(reverse("people:services_person", args=[hp_person.pk])).content.decode()
    assert "基础信息核对" in shown and "居家待业" in shown and "未就业有就业意愿" in shown


def test_ability_assessment_over_http(client: Any, hp_officer: Any, hp_person: Person) -> None:
    client.force_login(hp_officer)
    data = {
        "ability_mobility": "3",
        "ability_vision": "1",
        "ability_hearing": "1",
        "ability_communication": "2",
        "ability_cognition": "1",
        "ability_stamina": "2",
        "skills": "熟练使用电脑",
        "suitable_jobs": ["office", "it"],
        "accommodations": ["accessible_site"],
        "conclusion": "supported",
        "date": TODAY.isoformat(),
        "unit": "和平区残联",
    }
    response = client.post(_url("ability_assessment", hp_person), data)
    assert response.status_code == 302
    [record] = _records(hp_person)
    assert record.details["abilities"] == {
        "mobility": 3,
        "vision": 1,
        "hearing": 1,
        "communication": 2,
        "cognition": 1,
        "stamina": 2,
    }
    assert record.details["suitable_jobs"] == ["office", "it"] and record.details["conclusion"] == "supported"
    assert record.outcome == "需合理便利或支持性就业"
    shown = client.get(reverse("people:services_person", args=[hp_person.pk])).content.decode()
    assert "行动能力：中度受限" in shown and "办公文员、电脑操作/信息技术" in shown


def test_need_registration_and_service_over_http(client: Any, hp_officer: Any, hp_person: Person) -> None:
    client.force_login(hp_officer)
    response = client.post(
        _url("need_registration", hp_person),
        {
            "wants_job": "1",
            "desired_jobs": ["customer_service"],
            "work_time": "part",
            "areas": ["120101", "120103"],
            "accommodations": ["flexible_hours"],
            "training_wish": "1",
            "training_topics": "电商客服",
            "expected_wage": "3200",
            "date": TODAY.isoformat(),
            "unit": "和平区残联",
        },
    )
    assert response.status_code == 302
    follow = TODAY + timedelta(days=30)
    response = client.post(
        _url("service", hp_person),
        {
            "service_type": "referral",
            "content": "推荐到某公司客服岗位面试",
            "outcome": "已面试，等待结果",
            "follow_up_on": follow.isoformat(),
            "date": TODAY.isoformat(),
            "unit": "和平区残联",
        },
    )
    assert response.status_code == 302
    need, service = _records(hp_person)
    assert need.details["expected_wage"] == "3200.00" and need.details["areas"] == ["120101", "120103"]
    assert need.details["training_wish"] is True and need.details["work_time"] == "part"
    assert (service.service_type, service.follow_up_on, service.outcome) == ("referral", follow, "已面试，等待结果")
    assert service.details == {"content": "推荐到某公司客服岗位面试"}
    with unscoped():
        assert Person.objects.get(pk=hp_person.pk).status == "wants_work"
        summary = q.services_summary(Person.objects.get(pk=hp_person.pk))
    assert summary.gaps == ["基础信息核对", "职业能力评估"] and summary.next_follow_up == follow


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        (
            "info_check",
            {"situation": "at_home", "wants_job": "1", "date": (TODAY + timedelta(days=1)).isoformat()},
            "服务日期不能晚于今天",
        ),
        ("info_check", {"situation": "at_home", "date": TODAY.isoformat()}, "请选择是否有就业意愿"),
        (
            "info_check",
            {"situation": "other", "wants_job": "0", "date": TODAY.isoformat()},
            "目前状况选择“其他”时请填写状况说明",
        ),
        (
            "info_check",
            {"situation": "at_home", "wants_job": "1", "phone": "电话138", "date": TODAY.isoformat()},
            "联系电话只能包含数字",
        ),
        (
            "ability_assessment",
            {"suitable_jobs": ["office"], "conclusion": "open", "date": TODAY.isoformat()},
            "请为“行动能力”选择评估等级",
        ),
        (
            "need_registration",
            {"wants_job": "1", "work_time": "full", "date": TODAY.isoformat()},
            "请至少选择一项意向岗位",
        ),
        (
            "need_registration",
            {
                "wants_job": "1",
                "desired_jobs": ["office"],
                "work_time": "full",
                "expected_wage": "-5",
                "date": TODAY.isoformat(),
            },
            "期望月收入不能为负数",
        ),
        ("service", {"content": "政策讲解", "outcome": "已了解", "date": TODAY.isoformat()}, "请选择服务方式"),
        (
            "service",
            {
                "service_type": "policy",
                "content": "政策讲解",
                "outcome": "已了解",
                "date": TODAY.isoformat(),
                "follow_up_on": TODAY.isoformat(),
            },
            "回访日期应晚于服务日期",
        ),
        ("service", {"service_type": "policy", "content": "政策讲解", "date": TODAY.isoformat()}, "请填写服务结果"),
        (
            "service",
            {"service_type": "policy", "content": "政策讲解", "outcome": "好", "date": "2025-13-40"},
            "请按“年-月-日”填写服务日期",
        ),
    ],
)
def test_validation_messages(
    client: Any, hp_officer: Any, hp_person: Person, kind: str, data: dict[str, Any], message: str
) -> None:
    client.force_login(hp_officer)
    response = client.post(_url(kind, hp_person), {"unit": "和平区残联", **data})
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page and 'role="alert"' in page
    assert _records(hp_person) == []
    with unscoped():
        assert Person.objects.get(pk=hp_person.pk).wants_job is None


def test_action_refuses_unknown_details_and_merged_person(hp_officer: Any, hp_person: Person, make_person: Any) -> None:
    merged = make_person("120101", name="重复档案", merged_into=hp_person)
    with unscoped():
        with pytest.raises(actions.ServiceError, match="不能登记以下项目：salary"):
            actions.record_service(
                hp_person,
                actor=hp_officer,
                kind="service",
                date=TODAY,
                unit="区残联",
                outcome="好",
                service_type="policy",
                details={"content": "x", "salary": 1},
            )
        with pytest.raises(actions.ServiceError, match="已合并"):
            actions.record_service(
                merged,
                actor=hp_officer,
                kind="info_check",
                date=TODAY,
                unit="区残联",
                outcome="",
                details={"situation": "at_home", "wants_job": True},
            )
        with pytest.raises(actions.ServiceError, match="只有“就业服务”需要选择服务方式"):
            actions.record_service(
                hp_person,
                actor=hp_officer,
                kind="info_check",
                date=TODAY,
                unit="区残联",
                outcome="",
                service_type="policy",
                details={"situation": "at_home", "wants_job": True},
            )
    assert _records(hp_person) == []


# --- the wish re-derives the status ---------------------------------------------------------------


def test_wish_from_info_check_and_need_registration_rederives_status(hp_officer: Any, hp_person: Person) -> None:
    check = {"situation": "at_home", "wants_job": False}
    with unscoped():
        actions.record_service(
            hp_person, actor=hp_officer, kind="info_check", date=TODAY, unit="街道", outcome="", details=check
        )
        assert (hp_person.wants_job, hp_person.status) == (False, "no_wish")
        assert Person.objects.get(pk=hp_person.pk).status == "no_wish"
        actions.record_service(
            hp_person,
            actor=hp_officer,
            kind="need_registration",
            date=TODAY,
            unit="街道",
            outcome="",
            details={"wants_job": True, "desired_jobs": ["office"], "work_time": "full"},
        )
        assert Person.objects.get(pk=hp_person.pk).status == "wants_work"
        # A service of another kind carries no wish: the status stays.
        actions.record_service(
            hp_person,
            actor=hp_officer,
            kind="service",
            date=TODAY,
            unit="街道",
            outcome="已咨询",
            service_type="policy",
            details={"content": "讲解补贴政策"},
        )
        assert Person.objects.get(pk=hp_person.pk).status == "wants_work"
        # Employed persons stay employed whatever they say; the wish is still recorded.
        actions.add_employment_record(
            hp_person, actor=hp_officer, form=EmploymentForm.FLEXIBLE, start_date=TODAY - timedelta(days=10)
        )
        actions.record_service(
            hp_person,
            actor=hp_officer,
            kind="info_check",
            date=TODAY,
            unit="街道",
            outcome="",
            details={"situation": "odd_jobs", "wants_job": True},
        )
        person = Person.objects.get(pk=hp_person.pk)
    assert (person.wants_job, person.status) == (True, "employed")


# --- worklist and completion on a constructed dataset --------------------------------------------


@pytest.fixture
def dataset(make_person: Callable[..., Any]) -> dict[str, Person]:
    """和平: p1..p9 over two streets; 河西: q1, q2 (see the expected numbers in the tests)."""
    street_a, street_b = Street.objects.filter(district__code="120101").order_by("code")[:2]
    hx_street = Street.objects.filter(district__code="120103").order_by("code").first()

    def mk(code: str, name: str, status: str, street: Street | None, **kw: Any) -> Person:
        return make_person(code, name=name, status=status, street=street, **kw)  # type: ignore[no-any-return]

    d = {
        "p1": mk("120101", "甲一", "wants_work", street_a),
        "p2": mk("120101", "甲二", "wants_work", street_a),
        "p3": mk("120101", "甲三", "wants_work", street_b),
        "p4": mk("120101", "甲四", "no_wish", street_b),
        "p5": mk("120101", "甲五", "unknown", street_a),
        "p6": mk("120101", "甲六", "employed", street_a),
        "p7": mk("120101", "甲七", "not_working_age", street_b),
        "p8": mk("120101", "甲八", "wants_work", None),
        "q1": mk("120103", "乙一", "wants_work", hx_street),
        "q2": mk("120103", "乙二", "no_wish", hx_street),
    }
    d["p9"] = mk("120101", "甲九", "wants_work", street_a, merged_into=d["p1"])
    _all_four(d["p1"])
    _service(d["p2"], "info_check")
    _service(d["p2"], "need_registration")
    _service(d["p4"], "info_check")
    _service(d["p5"], "info_check", LAST_YEAR)
    _service(d["p6"], "info_check")
    for kind in ("info_check", "ability_assessment", "need_registration"):
        _service(d["p8"], kind)
    _service(d["p8"], "service", LAST_YEAR)
    _all_four(d["q1"])
    return d


def _ids(*keys: str) -> list[int]:
    return list(District.objects.filter(code__in=keys).values_list("pk", flat=True))


def test_worklist_shows_exactly_who_lacks_what(dataset: dict[str, Person]) -> None:
    name = {p.pk: k for k, p in dataset.items()}
    with district_scope(_ids("120101", "120103")):
        rows = list(q.worklist(_ids("120101")))
        got = {name[p.pk]: q.gaps_of(p) for p in rows}
        assert got == {
            "p2": ("ability_assessment", "service"),
            "p3": ALL4,
            "p5": ("info_check",),
            "p8": ("service",),
        }
        # The SQL agrees with the pure rule for every person of the district.
        for key in ("p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"):
            p = dataset[key]
            done = {r.kind for r in ServiceRecord.objects.filter(person=p, date__year=YEAR)}
            assert got.get(key, ()) == rules.service_gaps(p.status, done), key
        assert {name[p.pk] for p in q.worklist(_ids("120101"), gap="service")} == {"p2", "p3", "p8"}
        assert {name[p.pk] for p in q.worklist(_ids("120101"), gap="info_check")} == {"p3", "p5"}
        street_a = dataset["p1"].street
        assert {name[p.pk] for p in q.worklist(_ids("120101"), street=street_a)} == {"p2", "p5"}
        assert q.gap_counts(q.worklist(_ids("120101"))) == {
            "total": 4,
            "info_check": 2,
            "ability_assessment": 2,
            "need_registration": 1,
            "service": 3,
        }
        assert {name[p.pk] for p in q.worklist(_ids("120103"))} == {"q2"}
        # The period is an argument: last year p5 was checked and p8 had only the service.
        last = {name[p.pk]: q.gaps_of(p) for p in q.worklist(_ids("120101"), period=q.Period.year(YEAR - 1))}
        assert "p5" not in last and last["p8"] == ("info_check", "ability_assessment", "need_registration")


def test_completion_rates_exact(dataset: dict[str, Person]) -> None:
    hp, hx = District.objects.get(code="120101"), District.objects.get(code="120103")
    with district_scope([hp.pk, hx.pk]):
        rows = {r.code: r for r in q.completion_by_district(YEAR, district_ids=[hp.pk, hx.pk])}
        streets = q.completion_by_street(hp.pk, YEAR)
    assert rows["120101"].completion == rules.Completion(6, 4, 4, 1)
    assert (rows["120101"].info_percent, rows["120101"].all_four_percent) == ("66.7%", "25.0%")
    assert rows["120103"].completion == rules.Completion(2, 1, 1, 1)
    assert q.total(rows.values()) == rules.Completion(8, 5, 5, 2)
    by_street = {r.pk: r.completion for r in streets}
    a, b = dataset["p1"].street, dataset["p3"].street
    assert a is not None and b is not None
    assert by_street[a.pk] == rules.Completion(3, 2, 2, 1)
    assert by_street[b.pk] == rules.Completion(2, 1, 1, 0)
    assert by_street[None] == rules.Completion(1, 1, 1, 0)  # p8 has no street
    assert streets[-1].name == "未填街道"
    assert sum(1 for r in streets if r.completion == q.EMPTY) == len(streets) - 3  # every street listed
    with district_scope([hp.pk]):
        last_year = q.completion_by_district(YEAR - 1, district_ids=[hp.pk])[0].completion
    assert last_year == rules.Completion(6, 1, 4, 0)  # only p5's info check was last year


def test_completion_page_numbers_and_scope(client: Any, hp_officer: Any, city_admin: Any, dataset: Any) -> None:
    client.force_login(hp_officer)
    response = client.get(reverse("people:services_completion"))
    assert response.status_code == 200
    assert [r.code for r in response.context["rows"]] == ["120101"]
    page = response.content.decode()
    assert "66.7%" in page and "25.0%" in page and "河西区" not in page
    assert response.context["street_rows"]  # a district officer sees the per-street breakdown at once
    assert 'id="chart-districts-data" type="application/json"' in page and "services-chart.js" in page
    assert "<script>" not in page
    client.force_login(city_admin)
    response = client.get(reverse("people:services_completion"), {"district": "120103"})
    rows = response.context["rows"]
    assert len(rows) == 16 and {r.code: r.completion for r in rows}["120103"] == rules.Completion(2, 1, 1, 1)
    assert response.context["district"].code == "120103"
    assert rules.Completion(2, 1, 1, 1) in [r.completion for r in response.context["street_rows"]]


def test_worklist_page_counts_links_export_and_audit(client: Any, hp_officer: Any, dataset: Any) -> None:
    client.force_login(hp_officer)
    response = client.get(reverse("people:services_worklist"))
    page = response.content.decode()
    assert response.status_code == 200
    for name in ("甲二", "甲三", "甲五", "甲八"):
        assert name in page
    for name in ("甲一", "甲四", "甲六", "甲七", "甲九", "乙一", "乙二"):
        assert name not in page
    assert 'id="gap-total">4<' in page and 'id="gap-service">3<' in page and 'id="gap-info_check">2<' in page
    assert _url("ability_assessment", dataset["p2"]) in page and _url("info_check", dataset["p5"]) in page
    assert _url("info_check", dataset["p2"]) not in page  # p2 was checked this year
    entry = AuditLog.objects.get(action="read", actor=hp_officer, purpose="四个一工作台")
    assert sorted(entry.changes["persons"]) == sorted(dataset[k].pk for k in ("p2", "p3", "p5", "p8"))
    filtered = client.get(reverse("people:services_worklist"), {"gap": "info_check", "street": dataset["p1"].street.pk})
    assert [p.name for p, _ in filtered.context["rows"]] == ["甲五"]
    export = client.get(reverse("people:services_worklist"), {"export": "csv", "gap": "service"})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(body)))
    assert table[0][0] == "姓名" and sorted(r[0] for r in table[1:]) == ["甲三", "甲二", "甲八"]
    assert all("********" in r[1] for r in table[1:])  # masked ID numbers
    assert {r[0]: r[6] for r in table[1:]}["甲二"] == "职业能力评估、就业服务"
    xlsx = client.get(reverse("people:services_worklist"), {"export": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditLog.objects.filter(action="export", actor=hp_officer).count() == 2


# --- district scoping and roles ------------------------------------------------------------------


def test_other_district_officer_gets_404_and_sees_nothing(
    client: Any, hp_officer: Any, dataset: dict[str, Person]
) -> None:
    client.force_login(hp_officer)
    foreign = dataset["q2"]
    assert client.get(reverse("people:services_person", args=[foreign.pk])).status_code == 404
    for kind in ALL4:
        assert client.get(_url(kind, foreign)).status_code == 404
    posted = client.post(
        _url("info_check", foreign), {"situation": "at_home", "wants_job": "1", "date": TODAY.isoformat(), "unit": "x"}
    )
    assert posted.status_code == 404 and _records(foreign) == []
    with unscoped():
        assert Person.objects.get(pk=foreign.pk).wants_job is None
    assert "乙二" not in client.get(reverse("people:services_worklist"), {"district": "120103"}).content.decode()
    export = client.get(reverse("people:services_worklist"), {"export": "csv", "district": "120103"})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "乙" not in body and "甲三" in body


def test_roles_who_may_record(client: Any, make_user: Any, hp_person: Person) -> None:
    worker = make_user("street_worker", "120101")
    reviewer = make_user("district_reviewer", "120101")
    hx_worker = make_user("street_worker", "120103")
    data = {"situation": "at_home", "wants_job": "0", "date": TODAY.isoformat(), "unit": "社区"}
    client.force_login(reviewer)
    assert client.get(reverse("people:services_person", args=[hp_person.pk])).status_code == 200
    assert client.post(_url("info_check", hp_person), data).status_code == 404
    client.force_login(hx_worker)
    assert client.post(_url("info_check", hp_person), data).status_code == 404
    client.force_login(worker)
    assert client.post(_url("info_check", hp_person), data).status_code == 302
    [record] = _records(hp_person)
    assert record.recorded_by == worker
    assert any(i["name"] == "people:services_worklist" for i in worker.navigation())
    employer = make_user("employer_user")
    client.force_login(employer)
    assert client.get(reverse("people:services_worklist")).status_code == 404
    assert client.get(reverse("people:services_completion")).status_code == 404


def test_person_summary_include(hp_person: Person) -> None:
    _service(hp_person, "info_check", LAST_YEAR)
    with unscoped():
        Person.objects.filter(pk=hp_person.pk).update(status="wants_work")
        person = Person.objects.get(pk=hp_person.pk)
        summary = q.services_summary(person)
    first = summary.items[0]
    assert (first.kind, first.required, first.done, first.last_date) == ("info_check", True, False, LAST_YEAR)
    assert summary.gaps == ["基础信息核对", "职业能力评估", "就业需求登记", "就业服务"]
    html = render_to_string(
        "people/services/person_summary.html",
        {"person": person, "services_summary": summary, "can_record_services": True},
    )
    assert "尚缺：基础信息核对、职业能力评估、就业需求登记、就业服务" in html
    assert LAST_YEAR.isoformat() in html and _url("service", person) in html


# --- the info-check form on a phone ----------------------------------------------------------------


@pytest.fixture
def phone_page(live_server: Any) -> Iterator[Any]:
    from ablework.core.tests.test_browser import CHROMIUM, CHROMIUM_ARGS, Recorder, _origin

    if not CHROMIUM.exists():
        pytest.skip("Debian Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the Python playwright package is not installed")
    recorder = Recorder(origin=_origin(live_server.url))
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(
            locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
        )
        context.set_default_timeout(10_000)
        context.on("request", recorder.on_request)
        context.on("response", recorder.on_response)
        page = context.new_page()
        page.on("console", recorder.on_console)
        page.on("pageerror", lambda exc: recorder.console_errors.append(f"page error: {exc}"))
        yield page
        context.close()
        browser.close()
    recorder.check()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_info_check_on_a_phone(phone_page: Any, live_server: Any, make_user: Any, make_person: Any) -> None:
    from playwright.sync_api import expect

    from ablework.core.tests.test_browser import assert_accessible, login, screenshot

    # A short user name: at 360 px a long one pushes the shell's 退出 button out of the navbar (reported).
    worker = make_user("street_worker", "120101", username="sq01")
    person = make_person("120101", name="王芳", resident_id=_working_age_id(serial=23, male=False), phone="13800000009")
    login(phone_page, live_server, worker.username)
    phone_page.goto(live_server.url + _url("info_check", person))
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("基础信息核对")
    form_right = phone_page.evaluate("() => document.querySelector('form.svc-form').getBoundingClientRect().right")
    assert form_right <= 360, "the form is wider than the phone screen"
    assert_accessible(phone_page, live_server, "基础信息核对（手机）")
    screenshot(phone_page, "info-check-phone")
    phone_page.get_by_label("联系电话").fill("13900000009")
    phone_page.get_by_text("居家待业").click()
    phone_page.get_by_text("有就业意愿", exact=True).click()
    tile = phone_page.locator("label.choice", has_text="有就业意愿").first.bounding_box()
    assert tile is not None and tile["height"] >= 44, "touch target smaller than 44 px"
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="保存").click()
    expect(phone_page.get_by_role("heading", level=1)).to_contain_text("四个一服务")
    expect(phone_page.locator("#person-status")).to_have_text("未就业有就业意愿")
    assert_accessible(phone_page, live_server, "四个一服务记录（手机）")
    with unscoped():
        assert Person.objects.get(pk=person.pk).phone == "13900000009"
        assert ServiceRecord.objects.get(person=person).details["wants_job"] is True
    # Playwright's sync API runs this body in its own greenlet, which Django treats as a separate context with
    # its own database connection; close it, or PostgreSQL refuses to drop the test database at the end.
    connection.close()
