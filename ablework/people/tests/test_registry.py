"""The person record: registration by ID, certificates, employment history and the derived status."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from ablework.core.identifiers import resident_id_check_char
from ablework.core.models import AuditLog, District, Street
from ablework.core.scoping import unscoped
from ablework.people import actions
from ablework.people.models import Certificate, EmploymentRecord, Person
from conftest import make_resident_id, make_uscc

pytestmark = pytest.mark.django_db

TODAY = date.today()


def _working_age_id(region: str = "120101", male: bool = True, serial: int = 7) -> str:
    return make_resident_id(region=region, birth=date(TODAY.year - 35, 3, 1), male=male, serial=serial)


def _register(actor: Any, rid: str, **kw: Any) -> Person:
    fields: dict[str, Any] = {"name": "单田芳", "district": District.objects.get(code=rid[:6])} | kw
    return actions.register_person(actor=actor, resident_id=rid, **fields).person


def test_register_derives_identity_and_pinyin(hp_officer: Any) -> None:
    rid = _working_age_id(male=False)
    person = _register(hp_officer, rid)
    assert (person.sex, person.birth_date) == ("F", date(TODAY.year - 35, 3, 1))
    assert person.id_masked == rid[:6] + "********" + rid[-4:]
    assert rid not in person.id_cipher
    assert (person.name_pinyin, person.name_initials) == ("shantianfang", "stf")
    assert person.status == "unknown"  # working age, no job, wish not yet asked


def test_register_same_id_updates_instead_of_duplicating(hp_officer: Any) -> None:
    rid = _working_age_id()
    first = actions.register_person(
        actor=hp_officer, resident_id=rid, name="曾敏", district=District.objects.get(code="120101")
    )
    again = actions.register_person(
        actor=hp_officer, resident_id=rid.lower(), name="曾敏", district=first.person.district
    )
    changed = actions.register_person(actor=hp_officer, resident_id=rid, phone="13800000000")
    assert (first.outcome, again.outcome, changed.outcome) == ("created", "unchanged", "updated")
    with unscoped():
        assert Person.objects.count() == 1
    entries = AuditLog.objects.filter(object_type="people.person", object_id=str(first.person.pk)).order_by("seq")
    assert [e.action for e in entries] == ["create", "update"]
    assert entries.last().changes["phone"] == ["", "13800000000"]  # type: ignore[union-attr]


def test_register_rejects_bad_id_and_street_of_other_district(hp_officer: Any) -> None:
    rid = _working_age_id()
    bad = rid[:17] + ("0" if rid[17] != "0" else "1")
    with pytest.raises(ValueError, match="校验位"):
        _register(hp_officer, bad)
    other_street = Street.objects.filter(district__code="120103").first()
    with pytest.raises(actions.RegistryError, match="不属于"):
        _register(hp_officer, rid, street=other_street)
    with pytest.raises(actions.RegistryError, match="不能直接修改"):
        actions.register_person(
            actor=hp_officer, resident_id=rid, name="x", district=District.objects.first(), status="employed"
        )


def test_certificate_must_belong_to_the_person_and_history_is_kept(hp_officer: Any) -> None:
    rid = _working_age_id()
    person = _register(hp_officer, rid)
    other = _working_age_id(serial=8)
    with pytest.raises(actions.RegistryError, match="不一致"):
        actions.add_certificate(person, actor=hp_officer, number=other + "42")
    with pytest.raises(actions.RegistryError, match="类别"):
        actions.add_certificate(person, actor=hp_officer, number=rid + "92")
    actions.add_certificate(
        person, actor=hp_officer, number=rid + "42", issued_on=date(2015, 1, 1), valid_until=date(2020, 1, 1)
    )
    actions.add_certificate(
        person, actor=hp_officer, number=rid + "13B1", issued_on=date(2021, 1, 1), valid_until=date(2031, 1, 1)
    )
    person.refresh_from_db()
    assert (person.disability_category, person.disability_level, person.cert_suffix) == (1, 3, "B1")
    assert person.cert_hash == actions.cert_lookup_hash(rid + "13")
    with unscoped():
        assert Certificate.objects.filter(person=person).count() == 2
    with pytest.raises(actions.RegistryError, match="已登记"):
        actions.add_certificate(person, actor=hp_officer, number=rid + "13B1", issued_on=date(2021, 1, 1))


def test_military_certificate(hp_officer: Any) -> None:
    person = _register(hp_officer, _working_age_id())
    with pytest.raises(actions.RegistryError, match="1至10级"):
        actions.add_certificate(person, actor=hp_officer, kind="military", number="军残字第000123号", military_level=11)
    cert = actions.add_certificate(
        person, actor=hp_officer, kind="military", number="军残字第000123号", military_level=7
    )
    person.refresh_from_db()
    assert (person.cert_kind, person.military_level, person.disability_category) == ("military", 7, None)
    assert "000123" not in cert.number_masked


def test_status_follows_employment_history(hp_officer: Any) -> None:
    person = _register(hp_officer, _working_age_id())
    record = actions.add_employment_record(
        person, actor=hp_officer, form="quota", employer_name="天津某公司", employer_uscc=make_uscc(),
        start_date=TODAY - timedelta(days=400), contract_months=24, monthly_wage=Decimal("4200.00"), social_insurance=True,
    )  # fmt: skip
    person.refresh_from_db()
    assert person.status == "employed"
    actions.end_employment(record, actor=hp_officer, end_date=TODAY - timedelta(days=1))
    person.refresh_from_db()
    assert person.status == "unknown"
    with pytest.raises(actions.RegistryError, match="早于"):
        actions.add_employment_record(
            person, actor=hp_officer, form="flexible", start_date=TODAY, end_date=TODAY - timedelta(days=1)
        )
    with pytest.raises(actions.RegistryError, match="晚于今天"):
        actions.add_employment_record(person, actor=hp_officer, form="flexible", start_date=TODAY + timedelta(days=1))


def test_not_working_age_and_refresh(hp_officer: Any) -> None:
    # A man who turns 60 tomorrow: working age today, not tomorrow, with no write to his record.
    birth = date(TODAY.year - 60, TODAY.month, TODAY.day) + timedelta(days=1)
    body = f"120101{birth:%Y%m%d}011"
    person = _register(hp_officer, body + resident_id_check_char(body))
    assert person.status == "unknown"
    assert actions.refresh_statuses(on=TODAY) == 0
    assert actions.refresh_statuses(on=TODAY + timedelta(days=1)) == 1
    person.refresh_from_db()
    assert person.status == "not_working_age"


def _post(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data)


def test_officer_registers_and_records_over_http(client: Any, hp_officer: Any) -> None:
    client.force_login(hp_officer)
    rid = _working_age_id(serial=21)
    hp = District.objects.get(code="120101")
    form = {"resident_id": rid, "name": "解晓东", "district": hp.pk, "cert_kind": "cdpf", "cert_number": rid + "52",
            "tianjin_hukou": "on", "phone": "022-2345678"}  # fmt: skip
    response = _post(client, reverse("people:create"), form)
    assert response.status_code == 302
    with unscoped():
        person = Person.objects.get(name="解晓东")
    assert person.name_pinyin == "xiexiaodong"
    assert person.disability_category == 5
    # The same ID again: refused with a message, nothing duplicated.
    response = _post(client, reverse("people:create"), form)
    assert "该身份证号已登记" in response.content.decode()
    # Bad certificate number: error on the form, nothing saved.
    response = _post(
        client, reverse("people:create"), form | {"resident_id": _working_age_id(serial=22), "cert_number": "X"}
    )
    assert "残疾人证号长度应为20位" in response.content.decode()
    with unscoped():
        assert Person.objects.count() == 1

    response = _post(
        client, reverse("people:employment_add", args=[person.pk]), {"form": "quota", "start_date": "2024-01-01"}
    )
    assert "按比例就业和集中就业须填写用人单位" in response.content.decode()
    response = _post(
        client, reverse("people:employment_add", args=[person.pk]),
        {"form": "quota", "employer_name": "和平区某公司", "start_date": "2024-01-01", "monthly_wage": "3800"},
    )  # fmt: skip
    assert response.status_code == 302
    detail = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "和平区某公司" in detail and "已就业" in detail


def test_id_registered_in_another_district_is_refused_without_details(hp_officer: Any, hx_officer: Any) -> None:
    rid = _working_age_id(region="120101", serial=51)
    _register(hp_officer, rid, name="王五")
    with pytest.raises(actions.RegistryError, match="已在其他区登记") as exc:
        _register(hx_officer, rid, name="王五", district=District.objects.get(code="120103"))
    assert "王五" not in str(exc.value)
    with unscoped():
        assert Person.objects.get(id_hash__isnull=False).district.code == "120101"


def test_other_district_officer_gets_404_everywhere(client: Any, hp_officer: Any, hx_officer: Any) -> None:
    person = _register(hp_officer, _working_age_id(serial=31))
    actions.add_employment_record(person, actor=hp_officer, form="flexible", start_date=TODAY - timedelta(days=10))
    with unscoped():
        record = EmploymentRecord.objects.get(person=person)
    client.force_login(hx_officer)
    for name, args in [
        ("people:detail", [person.pk]),
        ("people:edit", [person.pk]),
        ("people:certificate_add", [person.pk]),
        ("people:employment_add", [person.pk]),
        ("people:employment_end", [person.pk, record.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
        assert client.post(reverse(name, args=args), {"name": "改名"}).status_code == 404, name
    person.refresh_from_db()
    assert person.name == "单田芳"


def test_reviewer_reads_but_cannot_edit(client: Any, make_user: Any, hp_officer: Any) -> None:
    person = _register(hp_officer, _working_age_id(serial=41))
    reviewer = make_user("district_reviewer", "120101")
    client.force_login(reviewer)
    assert client.get(reverse("people:detail", args=[person.pk])).status_code == 200
    assert client.get(reverse("people:edit", args=[person.pk])).status_code == 404
    assert client.get(reverse("people:create")).status_code == 404


def test_moving_district_moves_the_whole_file(client: Any, hp_officer: Any, hx_officer: Any) -> None:
    person = _register(hp_officer, _working_age_id(serial=61))
    actions.add_employment_record(person, actor=hp_officer, form="flexible", start_date=TODAY - timedelta(days=30))
    actions.update_person(person, actor=hp_officer, district=District.objects.get(code="120103"))
    with unscoped():
        assert set(EmploymentRecord.objects.filter(person=person).values_list("district__code", flat=True)) == {
            "120103"
        }
    client.force_login(hx_officer)
    page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "灵活就业" in page
    client.force_login(hp_officer)
    assert client.get(reverse("people:detail", args=[person.pk])).status_code == 404
