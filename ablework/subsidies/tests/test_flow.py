"""The programme engine end to end: application → chain → notice → batch → bank return → clawback."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from ablework.core.models import AuditLog, TransitionLog
from ablework.core.scoping import unscoped
from ablework.core.workflow import TransitionNotAllowed
from ablework.people import api as people_api
from ablework.subsidies import actions
from ablework.subsidies.enums import ApplicationStatus, BatchStatus, PaymentStatus, ProgrammeKind
from ablework.subsidies.models import Application, ClaimMonth, PaymentItem
from ablework.subsidies.tests.conftest import pdf

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)


def _si(person: Any, employer: Any, start: date, months: int) -> None:
    from ablework.subsidies.rules import add_months

    rows = [
        {"person_id": person.pk, "month": add_months(start, i), "employer_uscc": employer.uscc, "row_key": f"r{i}"}
        for i in range(months)
    ]
    people_api.record_si_contributions(rows, source="人社", batch_id=f"b-{person.pk}")


def _new_hire(programme: Any, make_employer: Any, make_holder: Any, officer: Any, *, si_months: int = 12,
              start: date = date(2025, 1, 1), level: int = 2, wage: str = "3000") -> Application:  # fmt: skip
    employer = make_employer()
    person = make_holder(level=level)
    _si(person, employer, start, si_months)
    prog = programme(ProgrammeKind.NEW_HIRE)
    app = actions.create_application(
        prog, actor=officer, employer=employer, person=person, bank_account="6222020200112233445",
        bank_name="工商银行天津分行",
        data={"contract_start": start.isoformat(), "contract_end": "2027-12-31", "monthly_wage": wage,
              "contract_year": 1},
        on=TODAY,
    )  # fmt: skip
    for code in ("application_form", "contract"):
        actions.add_attachment(app, actor=officer, doc_type=code, file=pdf())
    return app


def _through_chain(app: Application, r: dict[str, Any]) -> Application:
    actions.submit(app, actor=r["officer"], on=TODAY)
    # stage 1 is the district officer's own stage: the submitter may not decide it (maker-checker)
    with pytest.raises(TransitionNotAllowed):
        actions.decide(app, "approve", actor=r["officer"], on=TODAY)
    return app


def test_new_hire_goes_from_application_to_a_paid_batch(
    programme: Any, make_employer: Any, make_holder: Any, reviewers: dict[str, Any], make_user: Any, city_admin: Any
) -> None:
    r = reviewers
    app = _new_hire(programme, make_employer, make_holder, r["officer"])
    # level 2 → type 2: 40%? no — year 1 of type 2 is 35 % of the minimum wage (2,320 from 2023), 12 months
    assert app.eligible, app.decision
    assert app.amount == Decimal("2320") * Decimal("0.35") * 12
    assert app.on_behalf is True
    assert any("社保缴费：来源人社" in n for n in app.decision["notes"])
    actions.submit(app, actor=r["officer"], on=TODAY)
    officer2 = make_user("district_officer", "120101")
    actions.decide(app, "approve", actor=officer2, on=TODAY)  # stage 1 区级初审
    with pytest.raises(TransitionNotAllowed):  # an earlier stage's approver cannot act again
        actions.decide(app, "approve", actor=officer2, on=TODAY)
    actions.decide(app, "approve", actor=r["reviewer"], on=TODAY)  # stage 2 区级审核
    actions.decide(app, "approve", actor=r["city"], on=TODAY)  # stage 3 市级复核 → approved
    app.refresh_from_db()
    assert app.status == ApplicationStatus.APPROVED and app.approved_amount == app.amount
    assert ClaimMonth.objects.filter(application=app).count() == 12
    assert actions.committed_amount(app.programme) == app.amount

    notice = actions.publish_notice(app.programme, actor=city_admin, starts_on=date(2026, 6, 1))
    assert list(notice.applications.all()) == [app]
    with pytest.raises(actions.SubsidyError):  # not payable before the notice period ends
        actions.build_batch(app.programme, actor=city_admin, on=date(2026, 6, 2))
    batch = actions.build_batch(app.programme, actor=city_admin, on=date(2026, 7, 1))
    assert batch.count == 1 and batch.total == app.amount
    # building again finds nothing; submitting twice is a no-op
    with pytest.raises(actions.SubsidyError):
        actions.build_batch(app.programme, actor=city_admin, on=date(2026, 7, 1))
    actions.submit_batch(batch, actor=city_admin)
    actions.submit_batch(batch, actor=city_admin)
    rows = actions.bank_file_rows(batch, actor=city_admin)
    assert rows[0][3] == "6222020200112233445" and rows[0][4] == f"{app.amount:.2f}"
    assert AuditLog.objects.filter(action="export", object_label__contains=batch.reference).exists()
    summary = actions.batch_summary(batch)
    assert batch.signature in summary and "校验：一致" in summary

    item = batch.items.get()
    data = actions.bank_return_csv([[item.pk, "成功", "", "BANK0001", "2026-07-03"]])
    result = actions.apply_bank_return(batch, actor=city_admin, filename="return.csv", data=data)
    assert result.updated_rows == 1, result.errors
    item.refresh_from_db()
    batch.refresh_from_db()
    assert item.status == PaymentStatus.PAID and item.paid_on == date(2026, 7, 3)
    assert batch.status == BatchStatus.SETTLED
    assert actions.paid_amount(app.programme) == app.amount
    # the same return file again changes nothing
    again = actions.apply_bank_return(batch, actor=city_admin, filename="return.csv", data=data)
    assert again.pk == result.pk
    # a unique constraint forbids a second live payment of the same claim
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentItem.objects.create(batch=batch, application=app, programme=app.programme, claim_key=app.claim_key,
                                   period=app.period, amount=Decimal("1"))  # fmt: skip

    # the hire leaves after 5 months: the paid year is recovered
    assert app.person is not None
    apps.get_model("people", "EmploymentRecord").objects.create(person=app.person, district=app.person.district, form="contract",
                                    employer=app.employer, start_date=date(2025, 1, 1), end_date=date(2025, 5, 31))  # fmt: skip
    found = actions.detect_clawbacks(actor=city_admin, on=date(2026, 8, 1))
    assert [c.application for c in found] == [app] and found[0].amount == app.amount
    assert "离职" in found[0].reason
    assert actions.detect_clawbacks(actor=city_admin, on=date(2026, 8, 1)) == []  # idempotent


def test_failed_payment_returns_to_the_queue(
    programme: Any, make_employer: Any, make_holder: Any, reviewers: dict[str, Any], make_user: Any, city_admin: Any
) -> None:
    r = reviewers
    app = _new_hire(programme, make_employer, make_holder, r["officer"])
    actions.submit(app, actor=r["officer"], on=TODAY)
    for user in (make_user("district_officer", "120101"), r["reviewer"], r["city"]):
        actions.decide(app, "approve", actor=user, on=TODAY)
    actions.publish_notice(app.programme, actor=city_admin, starts_on=date(2026, 6, 1))
    batch = actions.build_batch(app.programme, actor=city_admin, on=date(2026, 7, 1))
    actions.submit_batch(batch, actor=city_admin)
    item = batch.items.get()
    data = actions.bank_return_csv([[item.pk, "失败", "账户已销户", "", ""]])
    actions.apply_bank_return(batch, actor=city_admin, filename="r.csv", data=data)
    item.refresh_from_db()
    assert item.status == PaymentStatus.FAILED and item.failure_reason == "账户已销户"
    second = actions.build_batch(app.programme, actor=city_admin, on=date(2026, 7, 2))
    assert second.count == 1 and second.items.get().application == app


def test_return_for_correction_and_resubmit_keeps_history(
    programme: Any, make_employer: Any, make_holder: Any, reviewers: dict[str, Any], make_user: Any
) -> None:
    r = reviewers
    app = _new_hire(programme, make_employer, make_holder, r["officer"])
    actions.submit(app, actor=r["officer"], on=TODAY)
    checker = make_user("district_officer", "120101")
    with pytest.raises(TransitionNotAllowed):  # a return needs a reason
        actions.decide(app, "return", actor=checker, on=TODAY)
    actions.decide(app, "return", actor=checker, note="工资金额与合同不符", on=TODAY)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.RETURNED
    actions.update_application(app, actor=r["officer"], data={**app.data, "monthly_wage": "3200"}, on=TODAY)
    actions.submit(app, actor=r["officer"], on=TODAY)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED and app.data["monthly_wage"] == "3200"
    transitions = list(TransitionLog.objects.filter(object_id=str(app.pk)).values_list("transition", flat=True))
    assert transitions == ["submit", "return", "submit"]
    assert AuditLog.objects.filter(action="update", object_id=str(app.pk)).exists()


def test_rejection_needs_a_reason_and_ends_the_claim(
    programme: Any, make_employer: Any, make_holder: Any, reviewers: dict[str, Any], make_user: Any
) -> None:
    r = reviewers
    app = _new_hire(programme, make_employer, make_holder, r["officer"])
    actions.submit(app, actor=r["officer"], on=TODAY)
    checker = make_user("district_officer", "120101")
    actions.decide(app, "reject", actor=checker, note="合同系伪造", on=TODAY)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.REJECTED
    # a rejected claim may be applied for again (the live-claim constraint excludes rejected ones)
    again = actions.create_application(
        app.programme, actor=r["officer"], employer=app.employer, person=app.person, data=app.data, on=TODAY
    )
    assert again.pk != app.pk


def test_ineligible_application_cannot_be_submitted_and_says_why(
    programme: Any, make_employer: Any, make_holder: Any, reviewers: dict[str, Any]
) -> None:
    app = _new_hire(programme, make_employer, make_holder, reviewers["officer"], si_months=9, wage="1500")
    assert not app.eligible and app.amount == 0
    failed = {c["code"]: c["detail"] for c in app.decision["criteria"] if c["status"] == "not_met"}
    assert "2025-10" in failed["social_insurance"] and "低于最低工资" in failed["wage"]
    with pytest.raises(actions.SubsidyError) as err:
        actions.submit(app, actor=reviewers["officer"], on=TODAY)
    assert "不符合申请条件" in str(err.value)


def test_budget_exceeded_is_refused_at_the_last_stage(
    programme: Any, make_employer: Any, make_holder: Any, reviewers: dict[str, Any], make_user: Any
) -> None:
    r = reviewers
    prog = programme(ProgrammeKind.NEW_HIRE, budget="9000")
    app = _new_hire(lambda kind: prog, make_employer, make_holder, r["officer"])
    assert app.amount > 9000
    actions.submit(app, actor=r["officer"], on=TODAY)
    actions.decide(app, "approve", actor=make_user("district_officer", "120101"), on=TODAY)
    actions.decide(app, "approve", actor=r["reviewer"], on=TODAY)
    with pytest.raises(TransitionNotAllowed) as err:
        actions.decide(app, "approve", actor=r["city"], on=TODAY)
    assert "超出项目预算" in str(err.value)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED and actions.committed_amount(prog) == 0
    actions.set_budget(prog, Decimal("20000"), actor=r["city"])
    actions.decide(app, "approve", actor=r["city"], on=TODAY)
    assert actions.committed_amount(prog) == app.amount


def test_same_person_month_cannot_be_paid_by_two_programmes(
    programme: Any, make_employer: Any, make_holder: Any, reviewers: dict[str, Any], make_user: Any
) -> None:
    r = reviewers
    app = _new_hire(programme, make_employer, make_holder, r["officer"])
    actions.submit(app, actor=r["officer"], on=TODAY)
    for user in (make_user("district_officer", "120101"), r["reviewer"], r["city"]):
        actions.decide(app, "approve", actor=user, on=TODAY)
    # the same person as an intern of another unit for March–August 2025
    intern_prog = programme(ProgrammeKind.INTERNSHIP)
    host = make_employer()
    other = actions.create_application(
        intern_prog, actor=r["officer"], employer=host, person=app.person, on=TODAY,
        data={"start": "2025-03-01", "end": "2025-08-31", "monthly_allowance": "2400", "graduated_on": "2024-07-01",
              "accident_insurance": True},
    )  # fmt: skip
    crit = {c["code"]: c for c in other.decision["criteria"]}
    assert crit["no_double_claim"]["status"] == "not_met"
    assert "2025-03" in crit["no_double_claim"]["detail"] and other.amount == 0


def test_district_scoping_of_applications(
    programme: Any, make_employer: Any, make_holder: Any, reviewers: dict[str, Any]
) -> None:
    app = _new_hire(programme, make_employer, make_holder, reviewers["officer"])
    actions.submit(app, actor=reviewers["officer"], on=TODAY)
    with pytest.raises(actions.SubsidyError):  # a 河西区 reviewer cannot decide a 和平区 application
        actions.decide(app, "approve", actor=reviewers["hx_reviewer"], on=TODAY)
    from ablework.core.scoping import district_scope

    with district_scope(reviewers["hx_reviewer"].scope_district_ids()):
        assert not Application.objects.filter(pk=app.pk).exists()
    with district_scope(reviewers["reviewer"].scope_district_ids()):
        assert Application.objects.filter(pk=app.pk).exists()


def test_objection_upheld_revokes_and_releases_the_budget(
    programme: Any, make_employer: Any, make_holder: Any, reviewers: dict[str, Any], make_user: Any, city_admin: Any
) -> None:
    r = reviewers
    app = _new_hire(programme, make_employer, make_holder, r["officer"])
    actions.submit(app, actor=r["officer"], on=TODAY)
    for user in (make_user("district_officer", "120101"), r["reviewer"], r["city"]):
        actions.decide(app, "approve", actor=user, on=TODAY)
    from django.utils import timezone

    actions.publish_notice(app.programme, actor=city_admin, starts_on=timezone.localdate())
    obj = actions.file_objection(app, raised_by="李四", contact="13800000000", text="该人员实际未在岗工作")
    assert not actions.payable(app.programme, on=date(2099, 1, 1)).exists()  # an open objection blocks payment
    actions.resolve_objection(obj, actor=r["reviewer"], upheld=True, resolution="经核实未在岗")
    app.refresh_from_db()
    assert app.status == ApplicationStatus.REJECTED
    assert actions.committed_amount(app.programme) == 0
    assert not ClaimMonth.objects.filter(application=app).exists()


def test_bulk_approval_checks_each_item(
    programme: Any, make_employer: Any, make_holder: Any, reviewers: dict[str, Any], make_user: Any
) -> None:
    r = reviewers
    prog = programme(ProgrammeKind.NEW_HIRE)
    apps = [_new_hire(lambda kind: prog, make_employer, make_holder, r["officer"]) for _ in range(3)]
    for a in apps:
        actions.submit(a, actor=r["officer"], on=TODAY)
    checker = make_user("district_officer", "120101")
    actions.decide(apps[0], "approve", actor=checker, on=TODAY)  # already at stage 2
    result = actions.bulk_approve(apps, actor=checker)
    assert {a.pk for a in result.approved} == {apps[1].pk, apps[2].pk}
    assert [a.pk for a, _ in result.refused] == [apps[0].pk]


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_cannot_both_succeed(
    programme: Any, make_employer: Any, make_holder: Any, reviewers: dict[str, Any]
) -> None:
    import threading

    from django.db import connection

    r = reviewers
    app = _new_hire(programme, make_employer, make_holder, r["officer"])
    actions.submit(app, actor=r["officer"], on=TODAY)
    from ablework.accounts.models import User

    officers = [User.objects.create(username=f"c{i}", role="district_officer", organisation=r["officer"].organisation)
                for i in range(2)]  # fmt: skip
    from ablework.core import workflow

    seen_stage = workflow.current_stage(app)  # what both reviewers had on their screens
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def run(user: Any) -> None:
        try:
            barrier.wait()
            with unscoped():
                fresh = Application.objects.get(pk=app.pk)
            actions.decide(fresh, "approve", actor=user, stage=seen_stage, on=TODAY)
            outcomes.append("ok")
        except (TransitionNotAllowed, actions.SubsidyError) as exc:
            outcomes.append(str(exc))
        except Exception as exc:  # SQLite: the second writer waits for the lock, then is refused
            outcomes.append(f"error:{exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in officers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcomes.count("ok") == 1, outcomes
    assert TransitionLog.objects.filter(object_id=str(app.pk), transition="approve").count() == 1


def test_a_stale_social_insurance_fact_says_so(
    programme: Any, make_employer: Any, make_holder: Any, reviewers: dict[str, Any]
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    app = _new_hire(programme, make_employer, make_holder, reviewers["officer"])
    apps.get_model("people", "SIContribution").objects.update(received_at=timezone.now() - timedelta(days=200))
    app = actions.update_application(app, actor=reviewers["officer"], data=app.data)
    note = next(n for n in app.decision["notes"] if n.startswith("社保缴费"))
    assert "超过75天的时效" in note
