"""Credit events (失信信息, policy-rules §13) and their due process, over HTTP: detection after the levy
window, pre-notice with deadlines from the parameter and a message to the unit, objection with a
document, objection decisions, the push proposal and its maker-checker approval, the queue for the
credit platform, withdrawal on payment (before and after the push), and district scoping."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from ablework.core import audit
from ablework.core.models import AuditLog, Notification, PolicyParameter, TransitionLog
from ablework.core.scoping import unscoped
from ablework.core.workflow import TransitionNotAllowed
from ablework.quota import actions, credit
from ablework.quota import api as quota_api
from ablework.quota.enums import CreditEventKind, CreditEventState
from ablework.quota.models import CreditEvent, LevyPayment
from ablework.quota.tests.helpers import PDF, YEAR, declare, submitted

pytestmark = pytest.mark.django_db

NOTICE_DAY = date(2023, 11, 15)  # a Wednesday, after the 2022 levy window (2023-09-01 → 10-31)
DUE = Decimal("607500.00")  # 300 staff, 45,000,000 wages, nobody placed: 4.5 × 150,000 × 90 %


class Clock:
    def __init__(self) -> None:
        self.day = NOTICE_DAY

    def __call__(self) -> date:
        return self.day


@pytest.fixture
def clock(monkeypatch: Any) -> Clock:
    c = Clock()
    monkeypatch.setattr(credit, "today", c)
    return c


@pytest.fixture
def officers(make_user: Any, hp_officer: Any) -> tuple[Any, Any, Any]:
    return hp_officer, make_user("district_officer", "120101"), make_user("district_officer", "120101")


def _certified_unit(make_employer: Any, campaign: Any, district: str, name: str, make_user: Any) -> Any:
    unit = make_employer(district, name=name)
    maker, checker = make_user("district_officer", district), make_user("district_officer", district)
    decl = declare(unit, maker, campaign, staff="300", wages="45000000")
    submitted(decl, maker)
    levy = actions.certify_declaration(decl, actor=checker)
    assert levy.levy_due == DUE
    return unit


def _event(unit: Any, kind: str = CreditEventKind.RATIO_UNMET_AND_UNPAID) -> CreditEvent:
    with unscoped():
        return CreditEvent.objects.select_related("employer__district").get(employer=unit, data_year=YEAR, kind=kind)


def _act(client: Any, event: CreditEvent, transition: str, note: str = "", **extra: Any) -> Any:
    return client.post(reverse("quota:credit_act", args=[event.pk]), {"transition": transition, "note": note, **extra})


def test_full_due_process_objection_push_and_withdrawal_after_push(
    client: Any, clock: Clock, campaign: Any, make_employer: Any, employer_user: Any, make_user: Any,
    city_admin: Any, officers: tuple[Any, Any, Any], hx_officer: Any,
) -> None:  # fmt: skip
    a, b, _c = officers
    unit = _certified_unit(make_employer, campaign, "120101", "和平欠缴公司", make_user)
    hx_unit = _certified_unit(make_employer, campaign, "120103", "河西欠缴公司", make_user)
    paid_unit = _certified_unit(make_employer, campaign, "120101", "和平已缴公司", make_user)
    unit_user = employer_user(unit)
    credit.record_levy_payment(paid_unit, actor=a, data_year=YEAR, amount=DUE, paid_on=date(2023, 10, 20))

    # Detection: not before the levy window has passed; then once per unit, idempotent.
    client.force_login(city_admin)
    clock.day = date(2023, 10, 31)
    resp = client.post(reverse("quota:credit_detect"), {"data_year": YEAR}, follow=True)
    assert "2022年度保障金缴纳期至2023-10-31，届满后才能核查" in resp.content.decode()
    clock.day = NOTICE_DAY
    resp = client.post(reverse("quota:credit_detect"), {"data_year": YEAR}, follow=True)
    assert "新发现2条，已有0条" in resp.content.decode()
    assert credit.detect_credit_events(YEAR, actor=city_admin).created == []
    event = _event(unit)
    assert (event.status, event.severity, event.amount_owed, event.created_by) == (
        "detected",
        "general",
        DUE,
        city_admin,
    )
    assert event.facts["mapping"]["key"] == "credit_event_mapping" and event.facts["total_due"] == "607500.00"
    assert audit.access_entries("quota.creditevent", event.pk).filter(action="create", actor=city_admin).count() == 1
    with unscoped():
        assert not CreditEvent.objects.filter(employer=paid_unit).exists()

    # Scoping: each district sees its own; the unit sees nothing before the pre-notice.
    client.force_login(a)
    listing = client.get(reverse("quota:credit_list")).content.decode()
    assert "和平欠缴公司" in listing and "河西欠缴公司" not in listing
    client.force_login(hx_officer)
    assert client.get(reverse("quota:credit_detail", args=[event.pk])).status_code == 404
    assert _act(client, event, "send_notice").status_code == 404
    assert "河西欠缴公司" in client.get(reverse("quota:credit_list")).content.decode()
    client.force_login(unit_user)
    assert client.get(reverse("quota:credit_detail", args=[event.pk])).status_code == 404
    assert "没有失信事项" in client.get(reverse("quota:credit_list")).content.decode()

    # Pre-notice: deadlines from credit_due_process (15 / 10 working days), the unit is told.
    client.force_login(a)
    assert _act(client, event, "send_notice", decision_number="和残联告〔2023〕1号").status_code == 302
    event = _event(unit)
    assert (event.status, event.rectification_due, event.objection_due) == (
        "notified",
        date(2023, 12, 6),
        date(2023, 11, 29),
    )
    assert event.notice_sent_by == a and event.notice_recipients == 1 and event.decision_number == "和残联告〔2023〕1号"
    [told] = Notification.objects.filter(recipient=unit_user, subject="失信信息预先告知")
    assert (
        "2023-12-06前整改" in told.body and "2023-11-29前" in told.body and told.link.endswith(f"/credit/{event.pk}/")
    )
    resp = _act(client, event, "propose_push")
    assert resp.status_code == 422 and "异议期限至2023-11-29，届满后才能提请推送" in resp.content.decode()

    # The unit objects with a document; the officer is told.
    client.force_login(unit_user)
    assert "和平欠缴公司" in client.get(reverse("quota:credit_list")).content.decode()
    page = client.get(reverse("quota:credit_detail", args=[event.pk])).content.decode()
    assert 'id="object-link"' in page and 'name="transition"' not in page
    assert _act(client, event, "withdraw", "我们已缴").status_code == 404
    resp = client.post(reverse("quota:credit_objection", args=[event.pk]), {"text": ""})
    assert resp.status_code == 422 and "异议理由" in resp.content.decode()
    bad = SimpleUploadedFile("凭证.pdf", b"not a pdf", content_type="application/pdf")
    resp = client.post(reverse("quota:credit_objection", args=[event.pk]), {"text": "已安排残疾人", "file": bad})
    assert resp.status_code == 422 and "内容与扩展名" in resp.content.decode()
    doc = SimpleUploadedFile("劳动合同.pdf", PDF, content_type="application/pdf")
    resp = client.post(
        reverse("quota:credit_objection", args=[event.pk]), {"text": "本单位已安排2名残疾人，见合同", "file": doc}
    )
    assert resp.status_code == 302
    event = _event(unit)
    assert (event.status, event.objection_by, event.objection_filename) == ("objected", unit_user, "劳动合同.pdf")
    assert Notification.objects.filter(recipient=a, subject="失信事件收到异议").count() == 1
    download = client.get(reverse("quota:credit_objection_file", args=[event.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")

    # The objection is rejected with reasons (required); the unit is told.
    client.force_login(a)
    resp = _act(client, event, "reject_objection", "")
    assert resp.status_code == 422 and 'id="action-error">执行“异议不成立”须填写意见' in resp.content.decode()
    assert _act(client, event, "reject_objection", "所附合同人员未经年审认定").status_code == 302
    assert _event(unit).status == CreditEventState.OBJECTION_REJECTED
    assert (
        "经审查异议不成立。理由：所附合同人员未经年审认定"
        in Notification.objects.get(recipient=unit_user, subject="失信事件异议处理结果").body
    )

    # Push: after the rectification period; proposed by one officer, approved by another.
    clock.day = date(2023, 12, 6)
    resp = _act(client, event, "propose_push")
    assert resp.status_code == 422 and "整改期限至2023-12-06，届满后才能提请推送" in resp.content.decode()
    clock.day = date(2023, 12, 7)
    assert _act(client, event, "propose_push", "整改期满仍未缴纳").status_code == 302
    event = _event(unit)
    assert event.status == CreditEventState.REVIEW
    page = client.get(reverse("quota:credit_detail", args=[event.pk])).content.decode()
    assert 'value="approve_push"' not in page
    progress = credit.CREDIT_FLOW.progress(event)
    assert progress is not None and progress.current is not None and progress.current.name == "推送审核"
    resp = _act(client, event, "approve_push", stage=progress.current.pk)
    assert resp.status_code == 422 and "您是本事项的提交人" in resp.content.decode()
    assert quota_api.credit_events_ready_to_push() == []

    client.force_login(b)
    page = client.get(reverse("quota:credit_detail", args=[event.pk])).content.decode()
    assert 'value="approve_push"' in page and 'value="return_push"' in page
    assert _act(client, event, "approve_push", "同意").status_code == 302
    event = _event(unit)
    assert (event.status, event.approved_by) == ("pending_push", b)
    [record] = quota_api.credit_events_ready_to_push()
    assert record["id"] == event.pk and record["operation"] == "add" and record["uscc"] == unit.uscc
    assert (record["event_type"], record["severity"], record["amount_owed"], record["data_year"]) == (
        "RATIO_UNMET_AND_UNPAID",
        "general",
        "607500.00",
        2022,
    )
    assert record["issuing_agency"] == "天津市和平区残疾人联合会" and record["cleared_on"] is None
    quota_api.mark_credit_event_pushed(event.pk, actor=None, push_ref="XY-1")
    assert _event(unit).status == CreditEventState.PUSHED and quota_api.credit_events_ready_to_push() == []

    # The unit pays in full after the push: the event is withdrawn and a withdrawal record is queued.
    resp = client.post(
        reverse("quota:credit_payment"),
        {"uscc": unit.uscc, "data_year": YEAR, "amount": "600000", "paid_on": "2023-12-20"},
    )
    assert resp.status_code == 422 and "缴纳日期不能晚于今天" in resp.content.decode()
    clock.day = date(2023, 12, 22)
    resp = client.post(
        reverse("quota:credit_payment"),
        {"uscc": unit.uscc, "data_year": YEAR, "amount": "600000", "paid_on": "2023-12-20", "reference": "税票1"},
    )
    assert resp.status_code == 302 and _event(unit).status == CreditEventState.PUSHED  # 7,500 still owed
    client.post(
        reverse("quota:credit_payment"),
        {"uscc": unit.uscc, "data_year": YEAR, "amount": "7500", "paid_on": "2023-12-21", "reference": "税票2"},
    )
    event = _event(unit)
    assert event.status == CreditEventState.WITHDRAWAL_PENDING and "已足额缴纳" in event.withdrawal_reason
    [record] = quota_api.credit_events_ready_to_push()
    assert record["operation"] == "withdraw" and record["cleared_on"] is not None
    quota_api.mark_credit_event_pushed(event.pk, actor=None, push_ref="XY-2")
    assert _event(unit).status == CreditEventState.WITHDRAWAL_PUSHED

    log = TransitionLog.objects.filter(object_type="quota.creditevent", object_id=str(event.pk)).order_by("id")
    assert [r.transition for r in log] == [
        "send_notice",
        "file_objection",
        "reject_objection",
        "propose_push",
        "approve_push",
        "mark_pushed",
        "withdraw_pushed",
        "mark_withdrawal_pushed",
    ]
    page = client.get(reverse("quota:credit_detail", args=[event.pk])).content.decode()
    assert "提请推送" in page and "同意推送" in page and "撤销记录已推送" in page and "已缴清" in page
    with unscoped():
        assert LevyPayment.objects.filter(employer=unit).count() == 2
    assert (
        AuditLog.objects.filter(object_type="quota.creditevent", object_id=str(event.pk), action="transition").count()
        == 8
    )
    # 河西's event was never touched by 和平's officers.
    assert _event(hx_unit).status == CreditEventState.DETECTED


def test_objection_upheld_closes_the_event(
    client: Any, clock: Clock, campaign: Any, make_employer: Any, employer_user: Any, make_user: Any,
    city_admin: Any, officers: tuple[Any, Any, Any],
) -> None:  # fmt: skip
    a = officers[0]
    unit = _certified_unit(make_employer, campaign, "120101", "异议成立公司", make_user)
    unit_user = employer_user(unit)
    credit.detect_credit_events(YEAR, actor=city_admin)
    event = _event(unit)
    credit.send_pre_notice(event, actor=a)
    clock.day = date(2023, 11, 30)  # after the objection deadline (2023-11-29)
    client.force_login(unit_user)
    resp = client.post(reverse("quota:credit_objection", args=[event.pk]), {"text": "迟到的异议"})
    assert resp.status_code == 422 and "异议期限已于2023-11-29届满" in resp.content.decode()
    clock.day = date(2023, 11, 20)
    assert (
        client.post(reverse("quota:credit_objection", args=[event.pk]), {"text": "保障金已由上级单位代缴"}).status_code
        == 302
    )
    client.force_login(a)
    assert _act(client, event, "uphold_objection", "经核实已代缴").status_code == 302
    event = _event(unit)
    assert event.status == CreditEventState.CLOSED
    assert (
        "异议成立，该信息不予推送" in Notification.objects.get(recipient=unit_user, subject="失信事件异议处理结果").body
    )
    clock.day = date(2024, 1, 10)
    with pytest.raises(TransitionNotAllowed, match="不能执行“提请推送”"):
        credit.propose_push(event, actor=a)
    with pytest.raises(credit.CreditError, match="不能撤销"):
        credit.withdraw_credit_event(event, actor=a, reason="x")


def test_withdrawal_before_push_and_payment_before_detection(
    client: Any, clock: Clock, campaign: Any, make_employer: Any, employer_user: Any, make_user: Any,
    city_admin: Any, officers: tuple[Any, Any, Any],
) -> None:  # fmt: skip
    a, b, _c = officers
    unit = _certified_unit(make_employer, campaign, "120101", "整改公司", make_user)
    other = _certified_unit(make_employer, campaign, "120101", "人工撤销公司", make_user)
    unit_user = employer_user(unit)
    credit.detect_credit_events(YEAR, actor=city_admin)
    event, other_event = _event(unit), _event(other)
    for e in (event, other_event):
        credit.send_pre_notice(e, actor=a)
    clock.day = date(2023, 12, 7)
    credit.propose_push(event, actor=a)
    credit.approve_push(event, actor=b)
    assert [r["id"] for r in quota_api.credit_events_ready_to_push()] == [event.pk]

    # Full payment while queued: withdrawn, off the queue, nothing to push; the unit is told.
    result = credit.record_levy_payment(unit, actor=b, data_year=YEAR, amount=DUE, paid_on=date(2023, 12, 7))
    assert [e.pk for e in result.withdrawn] == [event.pk] and result.outstanding == 0
    assert _event(unit).status == CreditEventState.WITHDRAWN and quota_api.credit_events_ready_to_push() == []
    assert Notification.objects.filter(recipient=unit_user, subject="失信事件已撤销").count() == 1
    # Taken by the exchange just before the withdrawal: the record went out, so a withdrawal record is queued.
    quota_api.mark_credit_event_pushed(event.pk, actor=None, push_ref="late")
    assert _event(unit).status == CreditEventState.WITHDRAWAL_PENDING
    assert [r["operation"] for r in quota_api.credit_events_ready_to_push()] == ["withdraw"]

    # Manual withdrawal by an officer needs a reason; payment makes a proposal impossible.
    client.force_login(a)
    resp = _act(client, other_event, "withdraw", "")
    assert resp.status_code == 422 and 'id="action-error">请填写撤销原因' in resp.content.decode()
    credit.record_levy_payment(other, actor=a, data_year=YEAR, amount="100", paid_on=date(2023, 12, 1))
    assert _event(other).status == CreditEventState.NOTIFIED  # part payment: still owed
    assert _act(client, other_event, "withdraw", "单位申请分期缴纳，已签订协议").status_code == 302
    assert _event(other).status == CreditEventState.WITHDRAWN

    # A unit that paid in full before the scan is not found at all.
    paid = make_employer("120101", name="按时缴纳公司")
    decl = declare(paid, make_user("district_officer", "120101"), campaign, staff="300", wages="45000000")
    submitted(decl, decl.entered_by)
    actions.certify_declaration(decl, actor=b)
    credit.record_levy_payment(paid, actor=a, data_year=YEAR, amount=DUE, paid_on=date(2023, 10, 1))
    with pytest.raises(credit.CreditError, match="保障金已缴清"):
        credit.create_credit_event(
            paid, actor=a, data_year=YEAR, kind=CreditEventKind.LEVY_UNPAID_AFTER_DEADLINE, description="逾期"
        )
    assert credit.detect_credit_events(YEAR, actor=city_admin).created == []


def test_maker_checker_on_a_registered_event(
    client: Any, clock: Clock, make_employer: Any, employer_user: Any, officers: tuple[Any, Any, Any],
    hx_officer: Any,
) -> None:  # fmt: skip
    """An officer registers a false-declaration event: they may not approve its push even though a
    colleague proposed it; the proposer may not either; a third officer may."""
    a, b, c = officers
    unit = make_employer("120101", name="挂靠公司")
    employer_user(unit)
    client.force_login(hx_officer)
    resp = client.post(
        reverse("quota:credit_create"),
        {"uscc": unit.uscc, "data_year": YEAR, "kind": "FALSE_DECLARATION", "description": "挂靠2人"},
    )
    assert resp.status_code == 422 and "不在您的辖区" in resp.content.decode()
    client.force_login(a)
    resp = client.post(
        reverse("quota:credit_create"), {"uscc": unit.uscc, "data_year": YEAR, "kind": "FALSE_DECLARATION"}
    )
    assert resp.status_code == 422 and "事实和依据" in resp.content.decode()
    resp = client.post(
        reverse("quota:credit_create"),
        {
            "uscc": unit.uscc,
            "data_year": YEAR,
            "kind": "FALSE_DECLARATION",
            "description": "经核查挂靠残疾人2名（假用工）",
        },
    )
    assert resp.status_code == 302
    event = _event(unit, CreditEventKind.FALSE_DECLARATION)
    assert (event.severity, event.created_by, event.amount_owed) == ("serious", a, None)
    resp = client.post(
        reverse("quota:credit_create"),
        {"uscc": unit.uscc, "data_year": YEAR, "kind": "FALSE_DECLARATION", "description": "再次登记"},
    )
    assert resp.status_code == 422 and "已有“虚假申报（挂靠、假用工）”失信事件" in resp.content.decode()
    # Without a certified levy a payment kind needs the amount the officer knows of.
    with pytest.raises(credit.CreditError, match="请填写欠缴金额"):
        credit.create_credit_event(
            unit, actor=a, data_year=YEAR, kind="LEVY_REFUSED_AFTER_ORDER", description="责令后未缴"
        )

    assert _act(client, event, "send_notice").status_code == 302
    clock.day = date(2023, 12, 7)
    client.force_login(b)
    assert _act(client, event, "propose_push").status_code == 302
    client.force_login(a)
    page = client.get(reverse("quota:credit_detail", args=[event.pk])).content.decode()
    assert "您登记了该失信事件" in page and 'value="approve_push"' not in page
    resp = _act(client, event, "approve_push")
    assert resp.status_code == 422 and "不能审核本人登记事件的推送" in resp.content.decode()
    client.force_login(b)
    resp = _act(client, event, "approve_push")
    assert resp.status_code == 422 and "您是本事项的提交人" in resp.content.decode()
    assert _event(unit, CreditEventKind.FALSE_DECLARATION).status == CreditEventState.REVIEW
    client.force_login(c)
    assert _act(client, event, "approve_push", "同意").status_code == 302
    assert _event(unit, CreditEventKind.FALSE_DECLARATION).status == CreditEventState.PENDING_PUSH


def test_due_process_periods_come_from_the_parameter(
    clock: Clock, make_employer: Any, hp_officer: Any, city_admin: Any
) -> None:
    row = PolicyParameter.objects.get(key="credit_due_process")
    row.value = {**row.value, "rectification_days": 30, "objection_days": 20, "working_days": False}
    row.save()
    unit = make_employer("120101")
    event = credit.create_credit_event(
        unit, actor=hp_officer, data_year=YEAR, kind="FALSE_DECLARATION", description="假用工"
    )
    credit.send_pre_notice(event, actor=hp_officer)
    assert (event.rectification_due, event.objection_due) == (date(2023, 12, 15), date(2023, 12, 5))
    assert event.facts["due_process"]["value"]["rectification_days"] == 30


def test_unattended_scan_makes_the_notice_sender_the_maker(
    clock: Clock, campaign: Any, make_employer: Any, make_user: Any, officers: tuple[Any, Any, Any]
) -> None:
    a, b, c = officers
    unit = _certified_unit(make_employer, campaign, "120101", "定时核查公司", make_user)
    out = io.StringIO()
    call_command("detect_credit_events", str(YEAR), stdout=out)
    assert "2022年度（缴纳期至2023-10-31）：新发现1条，已有0条" in out.getvalue()
    event = _event(unit)
    assert event.created_by is None
    credit.send_pre_notice(event, actor=a)
    clock.day = date(2023, 12, 7)
    credit.propose_push(event, actor=b)
    with pytest.raises(TransitionNotAllowed, match="您登记了该失信事件"):
        credit.approve_push(event, actor=a)
    credit.approve_push(event, actor=c)
    assert event.status == CreditEventState.PENDING_PUSH and event.approved_by == c
    clock.day = date(2023, 10, 30)
    with pytest.raises(CommandError, match="届满后才能核查"):
        call_command("detect_credit_events", str(YEAR), stdout=io.StringIO())
