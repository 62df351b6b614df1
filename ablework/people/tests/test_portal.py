"""The person's own record in the portal ("我的档案"): own record only, the access log of who read it,
correction requests handled by the district, guardians of minors, and the officers' linking rules."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from ablework.core import crypto
from ablework.core.models import AuditLog, Notification
from ablework.core.scoping import unscoped
from ablework.people import actions
from ablework.people.enums import CorrectionStatus
from ablework.people.models import CorrectionRequest, PortalLink, ServiceRecord
from conftest import make_resident_id


@pytest.fixture
def me(make_person: Any) -> Any:
    return make_person("120101", name="王小明", resident_id=make_resident_id("120101", birth=date(1990, 4, 12)))


@pytest.fixture
def portal_user(make_user: Any, hp_officer: Any, me: Any) -> Any:
    user = make_user("person")
    with unscoped():
        actions.link_portal_user(me, user, actor=hp_officer)
    return user


@pytest.fixture
def _unscoped() -> Any:
    with unscoped():
        yield


def _access_rows(html: str) -> list[list[str]]:
    table = html.split('id="access-log"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, flags=re.S)] for r in rows
    ]


def test_person_sees_own_record_with_masked_id_and_history(
    client: Any, portal_user: Any, hp_officer: Any, me: Any
) -> None:
    rid = crypto.decrypt(me.id_cipher)
    with unscoped():
        actions.add_certificate(me, actor=hp_officer, number=rid + "42", issued_on=date(2020, 1, 2))
        actions.add_employment_record(me, actor=hp_officer, form="quota", employer_name="某物流公司",
                                      start_date=date(2021, 3, 1))  # fmt: skip
    ServiceRecord.objects.create(person=me, district_id=me.district_id, kind="info_check", date=date(2024, 5, 6),
                                 unit="劝业场街道", outcome="信息已核对")  # fmt: skip
    client.force_login(portal_user)
    landing = client.get("/people/me/")
    assert landing.status_code == 302 and landing["Location"] == f"/people/me/{me.pk}/"
    page = client.get(f"/people/me/{me.pk}/").content.decode()
    assert "王小明" in page and me.id_masked in page and rid not in page
    assert "某物流公司" in page and "按比例就业" in page
    assert "残疾人证" in page and "肢体残疾" in page
    assert "基础信息核对" in page and "信息已核对" in page
    assert "已就业" in page  # derived status
    own = AuditLog.objects.get(action="read", actor=portal_user)
    assert (own.object_type, own.object_id) == ("people.person", str(me.pk))
    assert "我的档案" in [i["label"] for i in portal_user.navigation()]


def test_access_log_shows_exactly_the_officers_accesses(
    client: Any, portal_user: Any, hp_officer: Any, hx_officer: Any, me: Any
) -> None:
    client.force_login(hp_officer)
    client.get(f"/people/{me.pk}/")
    client.post(f"/people/{me.pk}/unmask/", {"purpose": "核对就业登记"})
    client.force_login(hx_officer)
    assert client.get(f"/people/{me.pk}/").status_code == 404  # refused: not logged as a read
    client.force_login(portal_user)
    page = client.get(f"/people/me/{me.pk}/").content.decode()
    rows = _access_rows(page)
    # Newest first; by unit and role, never the officer's account name; the person's own views are left out.
    assert [r[1:] for r in rows] == [
        ["district-120101", "区级经办员", "查看完整身份证号", "核对就业登记"],
        ["district-120101", "区级经办员", "查阅", "查看个人档案"],
    ]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", r[0]) for r in rows)
    assert hp_officer.username not in page
    client.get(f"/people/me/{me.pk}/")  # reading one's own record adds no line
    assert len(_access_rows(client.get(f"/people/me/{me.pk}/").content.decode())) == 2


def test_person_cannot_reach_another_record_or_staff_pages(
    client: Any, portal_user: Any, make_person: Any, me: Any
) -> None:
    other = make_person("120101", name="赵六")
    client.force_login(portal_user)
    assert client.get(f"/people/me/{other.pk}/").status_code == 404
    assert (
        client.post(
            f"/people/me/{other.pk}/correction/", {"field": "phone", "requested_value": "13800000000"}
        ).status_code
        == 404
    )
    for url in ("/people/", f"/people/{me.pk}/", f"/people/{other.pk}/", "/people/students/", "/people/corrections/",
                f"/people/{me.pk}/portal-links/"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 404, url
        assert "赵六" not in response.content.decode()
    with unscoped():
        assert not CorrectionRequest.objects.exists()


def test_correction_request_accepted_by_officer(
    client: Any, portal_user: Any, hp_officer: Any, hx_officer: Any, me: Any
) -> None:
    client.force_login(portal_user)
    url = f"/people/me/{me.pk}/correction/"
    bad = client.post(url, {"field": "phone", "requested_value": "电话号码"})
    assert bad.status_code == 422 and "联系电话只能包含数字" in bad.content.decode()
    assert client.post(url, {"field": "id_masked", "requested_value": "x"}).status_code == 422
    assert client.post(url, {"field": "phone", "requested_value": "022-2345 6789", "reason": "换号"}).status_code == 302
    dup = client.post(url, {"field": "phone", "requested_value": "13900000000"})
    assert "联系电话已有待处理的更正申请" in dup.content.decode()
    with unscoped():
        req = CorrectionRequest.objects.get()
    assert (req.field, req.current_value, req.requested_value, req.status, req.requested_by, req.district_id) == (
        "phone", "", "022-2345 6789", CorrectionStatus.PENDING, portal_user, me.district_id,
    )  # fmt: skip
    assert "待处理" in client.get(f"/people/me/{me.pk}/").content.decode()

    # The other district neither lists nor handles it.
    client.force_login(hx_officer)
    assert "王小明" not in client.get("/people/corrections/").content.decode()
    assert client.post(f"/people/corrections/{req.pk}/", {"decision": "accept"}).status_code == 404
    # The district officer accepts: the field changes through update_person, audited with the request.
    client.force_login(hp_officer)
    assert "王小明" in client.get("/people/corrections/").content.decode()
    assert client.post(f"/people/corrections/{req.pk}/", {"decision": "accept", "reply": "已核实"}).status_code == 302
    me.refresh_from_db()
    req.refresh_from_db()
    assert me.phone == "022-2345 6789"
    assert (req.status, req.handled_by, req.reply) == (CorrectionStatus.ACCEPTED, hp_officer, "已核实")
    change = AuditLog.objects.get(action="update", object_type="people.person", object_id=str(me.pk))
    assert change.changes == {"phone": ["", "022-2345 6789"]} and change.purpose == f"信息更正申请（第{req.pk}号）"
    assert change.actor == hp_officer
    assert AuditLog.objects.filter(action="transition", object_type="people.correctionrequest").count() == 1
    assert Notification.objects.get(recipient=portal_user).subject == "信息更正申请已更正"
    again = client.post(f"/people/corrections/{req.pk}/", {"decision": "decline", "reply": "x"})
    assert again.status_code == 422 and "该申请已处理" in again.content.decode()
    # The person sees the outcome and the change in the access log.
    client.force_login(portal_user)
    page = client.get(f"/people/me/{me.pk}/").content.decode()
    assert "已更正" in page
    assert ["district-120101", "区级经办员", "修改", f"信息更正申请（第{req.pk}号）"] in [
        r[1:] for r in _access_rows(page)
    ]


def test_correction_declined_needs_a_reply_and_education_by_label(
    client: Any, portal_user: Any, hp_officer: Any, me: Any
) -> None:
    with unscoped():
        req = actions.request_correction(me, actor=portal_user, field="education", requested_value="大专")
        assert req.requested_value == "college"
        with pytest.raises(actions.PortalError, match="不予更正时请填写处理意见"):
            actions.handle_correction(req, actor=hp_officer, accept=False)
    client.force_login(hp_officer)
    assert client.post(f"/people/corrections/{req.pk}/", {"decision": "decline"}).status_code == 422
    client.post(f"/people/corrections/{req.pk}/", {"decision": "decline", "reply": "请提供毕业证书"})
    me.refresh_from_db()
    req.refresh_from_db()
    assert (req.status, me.education) == (CorrectionStatus.DECLINED, "")
    client.force_login(portal_user)
    page = client.get(f"/people/me/{me.pk}/").content.decode()
    assert "未采纳" in page and "请提供毕业证书" in page and "大专" in page


def test_request_correction_only_for_own_record(make_user: Any, make_person: Any, portal_user: Any) -> None:
    other = make_person("120101", name="赵六")
    with unscoped(), pytest.raises(actions.PortalError, match="只能申请更正本人或被监护人的档案"):
        actions.request_correction(other, actor=portal_user, field="phone", requested_value="13800000000")


def test_guardian_of_a_minor_sees_the_minors_record(
    client: Any, make_user: Any, make_person: Any, hp_officer: Any, me: Any
) -> None:
    minor = make_person("120101", name="王小宝", resident_id=make_resident_id("120101", birth=date(2015, 6, 1)),
                        guardian_name="王大明", guardian_relation="父亲")  # fmt: skip
    guardian = make_user("person")
    with unscoped():
        actions.link_portal_user(minor, guardian, actor=hp_officer, relation="监护人")
    client.force_login(guardian)
    assert client.get("/people/me/")["Location"] == f"/people/me/{minor.pk}/"
    page = client.get(f"/people/me/{minor.pk}/").content.decode()
    assert "王小宝" in page and "您是监护人" in page and "王大明" in page
    assert client.get(f"/people/me/{me.pk}/").status_code == 404
    # The guardian may request corrections of the minor's record.
    with unscoped():
        actions.request_correction(minor, actor=guardian, field="guardian_phone", requested_value="13812345678")
    # A guardian of two persons chooses on the landing page.
    second = make_person("120101", name="王小贝", resident_id=make_resident_id("120101", birth=date(2017, 2, 3)))
    with unscoped():
        actions.link_portal_user(second, guardian, actor=hp_officer, relation="监护人")
    landing = client.get("/people/me/").content.decode()
    assert "王小宝" in landing and "王小贝" in landing


@pytest.mark.usefixtures("_unscoped")
def test_link_rules(client: Any, make_user: Any, make_person: Any, hp_officer: Any, hx_officer: Any, me: Any) -> None:
    user = make_user("person")
    with pytest.raises(actions.PortalError, match="户籍区的经办员"):
        actions.link_portal_user(me, user, actor=hx_officer)
    with pytest.raises(actions.PortalError, match="只能关联"):
        actions.link_portal_user(me, hx_officer, actor=hp_officer)
    actions.link_portal_user(me, user, actor=hp_officer)
    with pytest.raises(actions.PortalError, match="已有本人门户账户"):
        actions.link_portal_user(me, make_user("person"), actor=hp_officer)
    with pytest.raises(actions.PortalError, match="已作为本人关联了其他人员"):
        actions.link_portal_user(make_person("120101", name="赵六"), user, actor=hp_officer)
    link = AuditLog.objects.get(action="create", object_type="people.portallink")
    assert link.district_code == "120101" and link.changes["relation"] == "本人"

    # Over HTTP: the person's district links by username; the other district gets 404.
    client.force_login(hx_officer)
    assert client.get(f"/people/{me.pk}/portal-links/").status_code == 404
    client.force_login(hp_officer)
    page = client.get(f"/people/{me.pk}/portal-links/").content.decode()
    assert user.username in page
    guardian = make_user("person")
    missing = client.post(f"/people/{me.pk}/portal-links/", {"username": "nobody", "relation": "监护人"})
    assert missing.status_code == 422 and "未找到该门户账户" in missing.content.decode()
    client.post(f"/people/{me.pk}/portal-links/", {"username": guardian.username, "relation": "监护人"})
    assert PortalLink.objects.filter(person=me, user=guardian, relation="监护人").exists()
    own = PortalLink.objects.get(person=me, user=user)
    assert client.post(f"/people/{me.pk}/portal-links/{own.pk}/delete/").status_code == 302
    assert not PortalLink.objects.filter(pk=own.pk).exists()
    client.force_login(user)
    assert client.get(f"/people/me/{me.pk}/").status_code == 404  # unlinked: no longer visible


def test_menu_entries(make_user: Any, hp_officer: Any) -> None:
    labels = [i["label"] for i in hp_officer.navigation()]
    assert "信息更正申请" in labels and "我的档案" not in labels
    reviewer = [i["label"] for i in make_user("district_reviewer", "120101").navigation()]
    assert "信息更正申请" not in reviewer
    person = [i["label"] for i in make_user("person").navigation()]
    assert "我的档案" in person and "残疾人信息" not in person and "信息更正申请" not in person
