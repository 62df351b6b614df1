"""Search and lists: name / pinyin / initials, exact ID and certificate numbers, filters (age range,
四个一 gap …), saved filters, masked and audited export, audited searches, district scoping."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import timezone

from ablework.core import audit, crypto
from ablework.core.listing import filtered
from ablework.core.models import AuditLog, SavedFilter, Street
from ablework.core.scoping import scope_for_user, unscoped
from ablework.people import actions, queries
from ablework.people.models import Person, ServiceRecord
from ablework.people.queries.search import birth_date_bounds, classify_query, years_before
from conftest import make_resident_id


def found(user: Any, **params: str) -> set[str]:
    """Names the person list returns for these GET parameters, in the user's scope."""
    request = RequestFactory().get("/people/", params)
    with scope_for_user(user):
        qs, _, _ = filtered(request, queries.list_people(), queries.PEOPLE_LIST)
        return set(qs.values_list("name", flat=True))


def full_id(person: Person) -> str:
    return crypto.decrypt(person.id_cipher)


@pytest.fixture
def names(make_person: Any) -> dict[str, Person]:
    return {
        n: make_person("120101", name=n) for n in ("单田芳", "单丽", "丹田", "曾国藩", "解缙", "欧阳修", "吕布", "张三")
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("shantian", {"单田芳"}),  # full pinyin prefix, 单 read as shan
        ("SHAN TIAN", {"单田芳"}),  # case and spaces do not matter
        ("shantianfang", {"单田芳"}),
        ("stf", {"单田芳"}),  # initials
        ("shan", {"单田芳", "单丽"}),
        ("dantian", {"丹田"}),  # not 单田芳: the surname table reads 单 as shan
        ("zeng", {"曾国藩"}),
        ("ceng", set()),
        ("xiejin", {"解缙"}),
        ("jiejin", set()),
        ("ouyang", {"欧阳修"}),
        ("oyx", {"欧阳修"}),
        ("lvbu", {"吕布"}),
        ("lb", {"吕布"}),
        ("单田", {"单田芳"}),  # Chinese prefix
        ("田", {"单田芳", "丹田"}),  # Chinese contains
        ("单", {"单田芳", "单丽"}),
    ],
)
def test_search_by_name_pinyin_and_initials(
    hp_officer: Any, names: dict[str, Person], q: str, expected: set[str]
) -> None:
    assert found(hp_officer, q=q) == expected


def test_search_by_exact_id_number(hp_officer: Any, names: dict[str, Person]) -> None:
    person = names["张三"]
    number = full_id(person)
    assert found(hp_officer, q=number) == {"张三"}
    assert found(hp_officer, q=f"  {number[:6]} {number[6:]} ") == {"张三"}  # spaces typed in the middle
    assert found(hp_officer, q=number[:10]) == set()  # partial ID numbers are not searchable
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    assert found(hp_officer, q=wrong) == set()
    assert "校验位" in classify_query(wrong).hint


def test_search_by_certificate_number_current_and_history(hp_officer: Any, names: dict[str, Person]) -> None:
    person = names["解缙"]
    number = full_id(person)
    with unscoped():
        actions.add_certificate(person, actor=hp_officer, number=number + "42", issued_on=date(2015, 1, 1))
        actions.add_certificate(person, actor=hp_officer, number=number + "43B1", issued_on=date(2022, 1, 1))
        actions.add_certificate(
            names["吕布"], actor=hp_officer, kind="military", number="军残字第A0017号", military_level=6
        )
    assert found(hp_officer, q=number + "43") == {"解缙"}  # current one, without the reissue suffix
    assert found(hp_officer, q=number + "43B1") == {"解缙"}
    assert found(hp_officer, q=number + "42") == {"解缙"}  # an earlier certificate in the history
    assert found(hp_officer, q=number + "44") == set()
    assert found(hp_officer, q="军残字第A0017号") == {"吕布"}
    assert found(hp_officer, q="军残字第A0018号") == set()


def test_filters_status_street_category_level(hp_officer: Any, make_person: Any) -> None:
    street = Street.objects.filter(district__code="120101").order_by("code").first()
    assert street is not None
    make_person("120101", name="甲", category=1, level=1, status="wants_work", street=street)
    make_person("120101", name="乙", category=4, level=2, status="employed", street=street)
    make_person("120101", name="丙", category=4, level=3, status="wants_work")
    assert found(hp_officer, status="wants_work") == {"甲", "丙"}
    assert found(hp_officer, status="bogus") == set()
    assert found(hp_officer, street=street.code) == {"甲", "乙"}
    assert found(hp_officer, category="4") == {"乙", "丙"}
    assert found(hp_officer, category="4", level="3") == {"丙"}
    assert found(hp_officer, status="wants_work", street=street.code) == {"甲"}


def test_age_range_uses_birth_date_bounds(hp_officer: Any, make_person: Any) -> None:
    today = timezone.localdate()
    born_30_today = years_before(today, 30)
    make_person("120101", name="刚满三十", resident_id=make_resident_id(birth=born_30_today, serial=11))
    make_person(
        "120101", name="明天满三十", resident_id=make_resident_id(birth=born_30_today + timedelta(days=1), serial=12)
    )
    make_person(
        "120101",
        name="明天满四十一",
        resident_id=make_resident_id(birth=years_before(today, 41) + timedelta(days=1), serial=13),
    )
    make_person("120101", name="刚满四十一", resident_id=make_resident_id(birth=years_before(today, 41), serial=14))
    assert found(hp_officer, age_min="30") == {"刚满三十", "明天满四十一", "刚满四十一"}
    assert found(hp_officer, age_max="29") == {"明天满三十"}
    assert found(hp_officer, age_min="30", age_max="40") == {"刚满三十", "明天满四十一"}
    assert found(hp_officer, age_min="abc") == set()


def test_birth_date_bounds_on_29_february() -> None:
    # On 29 Feb 2024, someone born 1 Mar 2006 is 17, someone born 28 Feb 2006 is 18.
    born_after, born_by = birth_date_bounds(18, 18, date(2024, 2, 29))
    assert born_by == date(2006, 2, 28) and born_after == date(2005, 2, 28)


def test_gap_filter_uses_current_year_services(hp_officer: Any, make_person: Any) -> None:
    today = timezone.localdate()
    last_year = date(today.year - 1, 12, 31)
    people = {
        "缺评估": make_person("120101", name="缺评估", status="wants_work"),
        "四项齐全": make_person("120101", name="四项齐全", status="wants_work"),
        "无意愿已核对": make_person("120101", name="无意愿已核对", status="no_wish"),
        "去年核对": make_person("120101", name="去年核对", status="unknown"),
        "已就业": make_person("120101", name="已就业", status="employed"),
    }

    def done(name: str, kind: str, on: date = today) -> None:
        p = people[name]
        ServiceRecord.objects.create(person=p, district_id=p.district_id, kind=kind, date=on, unit="社区")

    done("缺评估", "info_check")
    done("缺评估", "need_registration")
    done("缺评估", "service")
    done("缺评估", "ability_assessment", last_year)  # last year's assessment does not count
    for kind in ("info_check", "ability_assessment", "need_registration", "service"):
        done("四项齐全", kind)
    done("无意愿已核对", "info_check")
    done("去年核对", "info_check", last_year)
    assert found(hp_officer, gap="info_check") == {"去年核对"}
    assert found(hp_officer, gap="ability_assessment") == {"缺评估"}
    assert found(hp_officer, gap="service") == set()
    assert found(hp_officer, gap="any") == {"缺评估", "去年核对"}
    assert found(hp_officer, gap="nonsense") == set()


def test_scoping_search_never_returns_other_district(hp_officer: Any, city_admin: Any, make_person: Any) -> None:
    hx = make_person("120103", name="单田芳")
    make_person("120101", name="单田乐")
    number = full_id(hx)
    with unscoped():
        actions.add_certificate(hx, actor=city_admin, number=number + "41")
    assert found(hp_officer, q=number) == set()
    assert found(hp_officer, q=number + "41") == set()
    assert found(hp_officer, q="shantian") == {"单田乐"}
    assert found(hp_officer, district="120103") == set()
    assert found(city_admin, q=number) == {"单田芳"}


def test_search_page_and_audit(client: Any, hp_officer: Any, names: dict[str, Person]) -> None:
    client.force_login(hp_officer)
    client.get("/people/")
    assert not AuditLog.objects.filter(action="read", actor=hp_officer).exists()  # no search, no entry
    page = client.get("/people/", {"q": "shantian"}).content.decode()
    assert "单田芳" in page and "丹田" not in page
    entry = AuditLog.objects.get(action="read", actor=hp_officer)
    assert entry.changes["filters"]["q"] == "shantian" and entry.changes["count"] == 1
    # The search shows up in the access log of the person found, and of nobody else.
    assert list(audit.access_entries("people.person", names["单田芳"].pk)) == [entry]
    assert not audit.access_entries("people.person", names["丹田"].pk).exists()
    number = full_id(names["张三"])
    htmx = client.get("/people/", {"q": number}, HTTP_HX_REQUEST="true").content.decode()
    assert "张三" in htmx and "<html" not in htmx
    last = AuditLog.objects.filter(action="read", actor=hp_officer).order_by("-seq").first()
    assert last is not None and last.changes["filters"]["q_kind"] == "id" and last.changes["count"] == 1
    stored = json.dumps(list(AuditLog.objects.values_list("changes", "object_label", "purpose")), ensure_ascii=False)
    assert number not in stored and number[:14] not in stored  # the log says an ID search happened, not which
    hint = client.get("/people/", {"q": number[:12]}).content.decode()
    assert "完整的18位" in hint


def test_merged_person_is_not_listed(client: Any, hp_officer: Any, make_person: Any) -> None:
    keep = make_person("120101", name="单田芳")
    gone = make_person("120101", name="单田芳", merged_into=keep)
    assert found(hp_officer, q="shantian") == {"单田芳"}
    request = RequestFactory().get("/people/", {"q": full_id(gone)})
    with scope_for_user(hp_officer):
        qs, _, _ = filtered(request, queries.list_people(), queries.PEOPLE_LIST)
        assert not qs.exists()


def _csv(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_export_has_new_columns_masked_by_role_and_audited(client: Any, make_user: Any, make_person: Any) -> None:
    first = make_person("120101", name="甲", status="wants_work", community="五大道社区", phone="13812345678")
    second = make_person("120101", name="乙", status="employed", phone="13900000000")
    officer = make_user("district_officer", "120101")
    client.force_login(officer)
    rows = _csv(client.get("/people/", {"export": "csv", "status": "wants_work", "page": "2"}))
    assert rows[0][-4:] == ["残疾类别", "残疾等级", "就业状态", "联系电话"] and "社区/村" in rows[0]
    assert len(rows) == 2
    assert rows[1][0] == "甲" and "五大道社区" in rows[1] and "未就业有就业意愿" in rows[1]
    assert rows[1][-1] == "13812345678" and "********" in rows[1][1]
    entry = AuditLog.objects.get(action="export", actor=officer)
    assert entry.changes["count"] == 1 and entry.changes["filters"] == {"status": "wants_work"}
    assert entry in audit.access_entries("people.person", first.pk)
    assert not audit.access_entries("people.person", second.pk).exists()
    reviewer = make_user("district_reviewer", "120101")
    client.force_login(reviewer)
    rows = _csv(client.get("/people/", {"export": "csv", "status": "wants_work"}))
    assert rows[1][-1] == "138****5678"


def test_export_by_id_does_not_log_the_number(client: Any, hp_officer: Any, names: dict[str, Person]) -> None:
    client.force_login(hp_officer)
    number = full_id(names["张三"])
    rows = _csv(client.get("/people/", {"export": "csv", "q": number}))
    assert [r[0] for r in rows[1:]] == ["张三"]
    entry = AuditLog.objects.get(action="export", actor=hp_officer)
    assert entry.changes["filters"]["q"] == "［身份证号］" and number not in json.dumps(entry.changes)


def test_saved_filters_are_per_user(client: Any, make_user: Any, make_person: Any) -> None:
    make_person("120101", name="甲", status="wants_work")
    owner = make_user("district_officer", "120101")
    colleague = make_user("district_officer", "120101")
    client.force_login(owner)
    response = client.post(
        "/core/saved-filters/",
        {"list_name": "people", "name": "待服务", "query": "status=wants_work&gap=any&page=3&q=", "next": "/people/"},
    )
    assert response.status_code == 302 and response["Location"] == "/people/?gap=any&status=wants_work"
    saved = SavedFilter.objects.get(user=owner)
    assert saved.query == "gap=any&status=wants_work" and saved.list_name == "people"
    assert AuditLog.objects.filter(action="create", object_type="core.savedfilter", actor=owner).exists()
    page = client.get("/people/").content.decode()
    assert "待服务" in page and "?gap=any&amp;status=wants_work" in page
    # Saving again under the same name replaces the query.
    client.post(
        "/core/saved-filters/", {"list_name": "people", "name": "待服务", "query": "status=no_wish"}, follow=True
    )
    assert SavedFilter.objects.get(user=owner).query == "status=no_wish"

    client.force_login(colleague)
    assert "待服务" not in client.get("/people/").content.decode()
    assert client.post(f"/core/saved-filters/{saved.pk}/delete/").status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()

    client.force_login(owner)
    client.post(f"/core/saved-filters/{saved.pk}/delete/", {"next": "/people/"})
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()


def test_saved_filter_never_holds_an_id_number(client: Any, hp_officer: Any, names: dict[str, Person]) -> None:
    client.force_login(hp_officer)
    number = full_id(names["张三"])
    page = client.get("/people/", {"q": number, "status": "unknown"}).content.decode()
    assert 'name="query" value="status=unknown"' in page  # the offered query leaves the ID out
    response = client.post(
        "/core/saved-filters/",
        {"list_name": "people", "name": "某人", "query": f"q={number}", "next": "/people/"},
        follow=True,
    )
    assert "不能保存" in response.content.decode()
    assert not SavedFilter.objects.exists()
    assert (
        client.post("/core/saved-filters/", {"list_name": "people", "name": " ", "query": "status=x"}).status_code
        == 302
    )
    assert not SavedFilter.objects.exists()
