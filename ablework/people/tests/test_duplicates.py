"""Duplicate candidates (same name + birth date; same pinyin + certificate), dismissal, and the merge
that keeps all history, is audited and respects district scoping."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from ablework.core import audit, crypto
from ablework.core.models import AuditLog, District
from ablework.core.scoping import scope_for_user, unscoped
from ablework.people import actions
from ablework.people.models import (
    Certificate,
    CorrectionRequest,
    DifficultyCertification,
    EmploymentRecord,
    Person,
    PortalLink,
    PublicWelfarePlacement,
    ServiceRecord,
    StudentPlanEntry,
    StudentRecord,
)
from ablework.people.queries.duplicates import SAME_NAME_BIRTH, SAME_PINYIN_CERT, list_duplicate_candidates
from conftest import make_resident_id

BORN = date(1985, 6, 15)


def pairs(user: Any) -> dict[frozenset[str], tuple[str, ...]]:
    """Candidate pairs visible to the user, keyed by the two names + record ids."""
    with scope_for_user(user):
        return {
            frozenset({f"{c.low.name}#{c.low.pk}", f"{c.high.name}#{c.high.pk}"}): c.rules
            for c in list_duplicate_candidates()
        }


def key(*persons: Person) -> frozenset[str]:
    return frozenset(f"{p.name}#{p.pk}" for p in persons)


def twin(make_person: Any, district: str, name: str, serial: int, born: date = BORN, **kw: Any) -> Person:
    return make_person(
        district, name=name, resident_id=make_resident_id(region=district, birth=born, serial=serial), **kw
    )


def test_same_name_and_birth_date_with_different_ids(hp_officer: Any, make_person: Any) -> None:
    a = twin(make_person, "120101", "张伟", 21)
    b = twin(make_person, "120101", "张伟", 22)
    twin(make_person, "120101", "张伟", 23, born=BORN + timedelta(days=1))  # another birth date
    twin(make_person, "120101", "张为", 24)  # another name (same pinyin, but no shared certificate)
    assert pairs(hp_officer) == {key(a, b): (SAME_NAME_BIRTH,)}


def test_same_pinyin_and_same_certificate(hp_officer: Any, make_person: Any) -> None:
    a = twin(make_person, "120101", "张伟", 31, born=date(1970, 1, 2))
    b = twin(make_person, "120101", "章伟", 32, born=date(1971, 3, 4))
    c = twin(make_person, "120101", "李明", 33, born=date(1972, 5, 6))
    with unscoped():
        for p in (a, b, c):  # the same free-text 残疾军人证号 on three records
            actions.add_certificate(
                p,
                actor=hp_officer,
                kind="military",
                number="军残字第0815号",
                military_level=4,
                issued_on=date(2010, 1, 1),
            )
    assert pairs(hp_officer) == {key(a, b): (SAME_PINYIN_CERT,)}  # 李明 has another name
    # A newer certificate on one record: the shared number is still in the history.
    with unscoped():
        actions.add_certificate(
            b, actor=hp_officer, number=crypto.decrypt(b.id_cipher) + "41", issued_on=date(2024, 1, 1)
        )
        b.refresh_from_db()
        a.refresh_from_db()
    assert a.cert_hash != b.cert_hash
    assert pairs(hp_officer) == {key(a, b): (SAME_PINYIN_CERT,)}


def test_pair_matching_both_rules(hp_officer: Any, make_person: Any) -> None:
    # A current-certificate hash shared by two records (as legacy data can have it).
    a = twin(make_person, "120101", "王芳", 41, cert_hash="same-hash")
    b = twin(make_person, "120101", "王芳", 42, cert_hash="same-hash")
    assert pairs(hp_officer) == {key(a, b): (SAME_NAME_BIRTH, SAME_PINYIN_CERT)}


def test_dismissed_and_merged_pairs_vanish(hp_officer: Any, make_person: Any) -> None:
    a = twin(make_person, "120101", "张伟", 51)
    b = twin(make_person, "120101", "张伟", 52)
    c = twin(make_person, "120101", "张伟", 53)
    assert set(pairs(hp_officer)) == {key(a, b), key(a, c), key(b, c)}
    actions.dismiss_duplicate(c, a, actor=hp_officer, reason="电话核实为两人")
    assert set(pairs(hp_officer)) == {key(a, b), key(b, c)}
    entry = AuditLog.objects.get(object_type="people.duplicatedismissal")
    assert entry.changes["reason"] == "电话核实为两人" and entry.district_code == "120101"
    actions.merge_persons(a, b, actor=hp_officer, reason="同一人，身份证号录错")
    assert pairs(hp_officer) == {}  # b is merged; a–c was dismissed


def test_candidates_are_scoped(hp_officer: Any, hx_officer: Any, city_admin: Any, make_person: Any) -> None:
    a = twin(make_person, "120101", "刘洋", 61)
    b = twin(make_person, "120103", "刘洋", 62)
    assert pairs(hp_officer) == {} and pairs(hx_officer) == {}
    assert pairs(city_admin) == {key(a, b): (SAME_NAME_BIRTH,)}


@pytest.fixture
def rich_pair(make_person: Any, make_user: Any, hp_officer: Any) -> dict[str, Any]:
    """``keep`` with little history and ``other`` with every kind of history."""
    keep = twin(make_person, "120101", "赵敏", 71, status="unknown")
    other = twin(make_person, "120101", "赵敏", 72, status="wants_work", wants_job=True)
    portal_user = make_user("person")
    both_user = make_user("person")
    today = timezone.localdate()
    d = other.district_id
    with unscoped():
        actions.add_certificate(
            other, actor=hp_officer, number=crypto.decrypt(other.id_cipher) + "52", issued_on=date(2020, 1, 1)
        )
        EmploymentRecord.objects.create(
            person=other, district_id=d, form="quota", start_date=today - timedelta(days=100), employer_name="某公司"
        )
        ServiceRecord.objects.create(person=other, district_id=d, kind="info_check", date=today, unit="社区")
        DifficultyCertification.objects.create(person=other, district_id=d, applied_on=today, status="approved")
        PublicWelfarePlacement.objects.create(
            person=other,
            district_id=d,
            post="保洁",
            unit="街道",
            start_date=today,
            end_date=today + timedelta(days=365),
        )
        student = StudentRecord.objects.create(person=other, district_id=d, school="天津大学", graduation_year=2026)
        StudentPlanEntry.objects.create(
            student=student, district_id=d, date=today, service_type="guidance", note="就业指导"
        )
        CorrectionRequest.objects.create(person=other, district_id=d, field="phone", requested_value="13800000000")
    PortalLink.objects.create(person=other, user=portal_user)
    PortalLink.objects.create(person=other, user=both_user)
    PortalLink.objects.create(person=keep, user=both_user)
    return {"keep": keep, "other": other, "portal_user": portal_user, "both_user": both_user}


def test_merge_moves_all_history_and_is_audited(hp_officer: Any, rich_pair: dict[str, Any]) -> None:
    keep, other = rich_pair["keep"], rich_pair["other"]
    actions.merge_persons(keep, other, actor=hp_officer, reason="同一人，旧档案身份证号录错")
    with unscoped():
        for model in (
            Certificate,
            EmploymentRecord,
            ServiceRecord,
            DifficultyCertification,
            PublicWelfarePlacement,
            CorrectionRequest,
        ):
            assert model.objects.filter(person=other).count() == 0, model
            assert model.objects.filter(person=keep).count() == 1, model
        assert StudentRecord.objects.get(person=keep).school == "天津大学"
        keep.refresh_from_db()
        other.refresh_from_db()
    assert set(PortalLink.objects.filter(person=keep).values_list("user_id", flat=True)) == {
        rich_pair["portal_user"].pk,
        rich_pair["both_user"].pk,
    }
    assert not PortalLink.objects.filter(person=other).exists()
    assert other.merged_into_id == keep.pk  # kept, never deleted
    assert keep.status == "employed"  # re-derived from the moved employment record
    assert keep.wants_job is True
    assert keep.disability_category == 5 and keep.disability_level == 2 and keep.cert_hash
    entries = {e.object_id: e for e in AuditLog.objects.filter(action="update", purpose__contains="旧档案身份证号录错")}
    assert set(entries) == {str(keep.pk), str(other.pk)}
    kept = entries[str(keep.pk)].changes
    assert kept["merged_from"] == [None, other.pk] and kept["status"] == ["unknown", "employed"]
    assert kept["moved"]["employment_records"] == 1 and kept["moved"]["portal_links_dropped"] == 1
    assert kept["merged_record"]["id_masked"] == other.id_masked
    merged = entries[str(other.pk)].changes
    assert merged["merged_into"] == [None, keep.pk] and merged["before"]["name"] == "赵敏"


def test_merge_keeps_existing_student_record(hp_officer: Any, make_person: Any) -> None:
    keep = twin(make_person, "120101", "孙丽", 81)
    other = twin(make_person, "120101", "孙丽", 82)
    StudentRecord.objects.create(person=keep, district_id=keep.district_id, school="南开大学", graduation_year=2025)
    StudentRecord.objects.create(person=other, district_id=other.district_id, school="天津大学", graduation_year=2026)
    actions.merge_persons(keep, other, actor=hp_officer, reason="同一人")
    with unscoped():
        assert StudentRecord.objects.get(person=keep).school == "南开大学"
        assert StudentRecord.objects.get(person=other).school == "天津大学"  # left on the merged record


def test_cross_district_merge_by_city_admin_moves_rows_to_the_kept_district(city_admin: Any, make_person: Any) -> None:
    keep = twin(make_person, "120101", "周杰", 91)
    other = twin(make_person, "120103", "周杰", 92)
    ServiceRecord.objects.create(
        person=other, district_id=other.district_id, kind="info_check", date=date(2025, 3, 1), unit="社区"
    )
    actions.merge_persons(keep, other, actor=city_admin, reason="户籍迁入和平区")
    with unscoped():
        record = ServiceRecord.objects.get()
    assert record.person_id == keep.pk and record.district_id == District.objects.get(code="120101").pk


def test_merge_refusals(hp_officer: Any, hx_officer: Any, make_user: Any, make_person: Any) -> None:
    a = twin(make_person, "120101", "吴刚", 101)
    b = twin(make_person, "120101", "吴刚", 102)
    c = twin(make_person, "120101", "吴刚", 103)
    foreign = twin(make_person, "120103", "吴刚", 104)
    with pytest.raises(actions.DuplicateError, match="自身"):
        actions.merge_persons(a, a, actor=hp_officer, reason="x")
    with pytest.raises(actions.DuplicateError, match="管辖范围"):
        actions.merge_persons(a, foreign, actor=hp_officer, reason="x")
    with pytest.raises(actions.DuplicateError, match="管辖范围"):
        actions.merge_persons(foreign, a, actor=hx_officer, reason="x")
    with pytest.raises(actions.DuplicateError, match="理由"):
        actions.merge_persons(a, b, actor=hp_officer, reason="  ")
    with pytest.raises(actions.DuplicateError, match="区级经办员"):
        actions.merge_persons(a, b, actor=make_user("district_reviewer", "120101"), reason="x")
    actions.merge_persons(a, b, actor=hp_officer, reason="同一人")
    with pytest.raises(actions.DuplicateError, match="已合并"):
        actions.merge_persons(b, c, actor=hp_officer, reason="x")  # into a merged record
    with pytest.raises(actions.DuplicateError, match="已合并"):
        actions.merge_persons(c, b, actor=hp_officer, reason="x")  # a merged record
    today = timezone.localdate()
    for p in (a, c):
        DifficultyCertification.objects.create(
            person=p, district_id=p.district_id, applied_on=today, status="submitted"
        )
    with pytest.raises(actions.DuplicateError, match="就业困难认定"):
        actions.merge_persons(a, c, actor=hp_officer, reason="x")
    with unscoped():
        assert Person.objects.get(pk=c.pk).merged_into_id is None
        assert Person.objects.get(pk=foreign.pk).merged_into_id is None
    with pytest.raises(actions.DuplicateError, match="管辖范围"):
        actions.dismiss_duplicate(a, foreign, actor=hp_officer, reason="两人")


def test_duplicate_pages(client: Any, hp_officer: Any, make_person: Any) -> None:
    a = twin(make_person, "120101", "郑爽", 111)
    b = twin(make_person, "120101", "郑爽", 112)
    client.force_login(hp_officer)
    page = client.get("/people/duplicates/").content.decode()
    assert "郑爽" in page and "姓名、出生日期相同" in page and "疑似重复" in page
    listed = AuditLog.objects.get(action="read", actor=hp_officer, purpose="疑似重复档案核查")
    assert listed.changes["subjects"] == 2 and listed in audit.access_entries("people.person", a.pk)
    compare = client.get("/people/duplicates/compare/", {"a": b.pk, "b": a.pk})
    assert compare.status_code == 200 and a.id_masked in compare.content.decode()
    assert AuditLog.objects.filter(action="read", purpose="疑似重复档案比对").count() == 2
    refused = client.post("/people/duplicates/dismiss/", {"a": a.pk, "b": b.pk, "dismiss-reason": ""})
    assert refused.status_code == 422 and "请填写判定不是同一人的理由" in refused.content.decode()
    no_keep = client.post("/people/duplicates/merge/", {"a": a.pk, "b": b.pk, "merge-reason": "同一人"})
    assert no_keep.status_code == 422 and "请选择保留的档案" in no_keep.content.decode()
    done = client.post(
        "/people/duplicates/merge/", {"a": a.pk, "b": b.pk, "merge-keep": b.pk, "merge-reason": "同一人"}
    )
    assert done.status_code == 302 and done["Location"] == f"/people/{b.pk}/"
    with unscoped():
        assert Person.objects.get(pk=a.pk).merged_into_id == b.pk
    listing = client.get("/people/", {"q": "zhengshuang"}).content.decode()
    assert f"/people/{b.pk}/" in listing and f"/people/{a.pk}/" not in listing
    assert "没有疑似重复的档案" in client.get("/people/duplicates/").content.decode()


def test_duplicate_pages_scoped_and_role_limited(
    client: Any, hp_officer: Any, make_user: Any, make_person: Any
) -> None:
    mine = twin(make_person, "120101", "钱多", 121)
    foreign = twin(make_person, "120103", "钱多", 122)
    foreign2 = twin(make_person, "120103", "钱多", 123)
    client.force_login(hp_officer)
    assert "钱多" not in client.get("/people/duplicates/").content.decode()
    assert client.get("/people/duplicates/compare/", {"a": mine.pk, "b": foreign.pk}).status_code == 404
    assert client.get("/people/duplicates/compare/", {"a": foreign.pk, "b": foreign2.pk}).status_code == 404
    assert (
        client.post(
            "/people/duplicates/merge/",
            {"a": foreign.pk, "b": foreign2.pk, "merge-keep": foreign.pk, "merge-reason": "x"},
        ).status_code
        == 404
    )
    assert client.get("/people/duplicates/compare/", {"a": "x"}).status_code == 404
    with unscoped():
        assert Person.objects.get(pk=foreign2.pk).merged_into_id is None
    for role in ("district_reviewer", "street_worker"):
        client.force_login(make_user(role, "120101"))
        assert client.get("/people/duplicates/").status_code == 404
        assert "疑似重复" not in client.get("/people/").content.decode()
