"""The district review: maker-checker (the reviewer did not enter the declaration), per-person
rejection with reasons, return for correction, certification with the notice, and the one-unit rule
(R2.7): conflicts caught at declaration time and in batch, shown to both units and the officers,
resolved by a decision."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from ablework.core.models import AuditLog, TransitionLog
from ablework.core.scoping import unscoped
from ablework.core.workflow import TransitionNotAllowed
from ablework.quota import actions
from ablework.quota import api as quota_api
from ablework.quota.enums import ConflictDecision, ConflictState, DeclarationStatus, ReviewOutcome
from ablework.quota.models import CountConflict
from ablework.quota.tests.helpers import IN_WINDOW, YEAR, add, declare, employees, fresh, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def hp_officer2(make_user: Any) -> Any:
    return make_user("district_officer", "120101")


def test_officer_who_entered_it_cannot_certify(
    client: Any, campaign: Any, make_employer: Any, employer_user: Any, registered: Any, hp_officer: Any,
    hp_officer2: Any,
) -> None:  # fmt: skip
    """An officer enters a declaration on the unit's behalf, the unit's user submits it: the same
    officer may not certify it (refused with the reason); a colleague may."""
    employer = make_employer("120101")
    decl = declare(employer, hp_officer, campaign)
    add(decl, hp_officer, registered(level=2))
    submitted(decl, employer_user(employer))

    with pytest.raises(TransitionNotAllowed, match="您录入了本申报"):
        actions.certify_declaration(decl, actor=hp_officer)
    client.force_login(hp_officer)
    page = client.get(reverse("quota:declaration_detail", args=[decl.pk])).content.decode()
    assert "您录入了本申报" in page and 'value="certify"' not in page
    resp = client.post(reverse("quota:declaration_decide", args=[decl.pk]), {"transition": "certify"})
    assert resp.status_code == 422 and "不能审核本人录入的申报" in resp.content.decode()
    assert fresh(decl).status == DeclarationStatus.SUBMITTED

    client.force_login(hp_officer2)
    page = client.get(reverse("quota:declaration_detail", args=[decl.pk])).content.decode()
    assert 'value="certify"' in page and 'value="return"' in page
    resp = client.post(
        reverse("quota:declaration_decide", args=[decl.pk]), {"transition": "certify", "note": "材料齐全"}
    )
    assert resp.status_code == 302
    decl = fresh(decl)
    assert (decl.status, decl.certified_by, decl.accepted_count) == (
        DeclarationStatus.CERTIFIED,
        hp_officer2,
        Decimal(2),
    )
    log = TransitionLog.objects.filter(object_type="quota.declaration", object_id=str(decl.pk)).order_by("id")
    assert [(r.transition, r.note) for r in log] == [("submit", ""), ("certify", "材料齐全")]

    pdf = client.get(reverse("quota:notice_pdf", args=[decl.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert AuditLog.objects.filter(action="export", object_type="quota.declaration", object_id=str(decl.pk)).exists()


def test_submitter_and_other_roles_cannot_certify(
    campaign: Any, make_employer: Any, employer_user: Any, hp_officer: Any, hp_officer2: Any, make_user: Any
) -> None:
    """The unit enters it, an officer submits it at the window: that officer is the maker of the round."""
    unit = make_employer()
    decl = declare(unit, employer_user(unit), campaign)
    submitted(decl, hp_officer)
    with pytest.raises(TransitionNotAllowed, match="您是本事项的提交人"):
        actions.certify_declaration(decl, actor=hp_officer)
    with pytest.raises(TransitionNotAllowed, match="须由区级经办员办理"):
        actions.certify_declaration(decl, actor=make_user("district_reviewer", "120101"))
    actions.certify_declaration(decl, actor=hp_officer2)
    with pytest.raises(actions.ReviewError, match="不在审核中"):
        actions.certify_declaration(decl, actor=hp_officer2)


def test_reject_persons_with_reasons_return_and_resubmit(
    campaign: Any, make_employer: Any, employer_user: Any, registered: Any, hp_officer: Any
) -> None:
    employer = make_employer()
    user = employer_user(employer)
    decl = declare(employer, user, campaign)
    good, doubtful = registered(level=2), registered(level=4)
    bad = add(decl, user, registered(), social_insurance_months=3).employee
    add(decl, user, good)
    doubt = add(decl, user, doubtful).employee
    submitted(decl, user)

    with pytest.raises(actions.ReviewError, match="须填写理由"):
        actions.review_employee(doubt, actor=hp_officer, outcome=ReviewOutcome.REJECTED)
    with pytest.raises(actions.ReviewError, match="系统核验未通过，不能认定计入：社会保险未足额缴纳"):
        actions.review_employee(bad, actor=hp_officer, outcome=ReviewOutcome.ACCEPTED)
    actions.review_employee(doubt, actor=hp_officer, outcome=ReviewOutcome.REJECTED, reason="未提供劳动合同")

    with pytest.raises(TransitionNotAllowed, match="须填写意见"):
        actions.return_declaration(decl, actor=hp_officer, note=" ")
    actions.return_declaration(decl, actor=hp_officer, note="请补充王某的劳动合同")
    assert fresh(decl).status == DeclarationStatus.RETURNED
    # Resubmission starts a new round: the reviewer's per-person outcomes are cleared.
    actions.submit_declaration(decl, actor=user, on=IN_WINDOW)
    assert [e.review_outcome for e in employees(decl)] == [ReviewOutcome.PENDING] * 3
    actions.review_employee(doubt, actor=hp_officer, outcome=ReviewOutcome.REJECTED, reason="合同仍未提供")

    levy = actions.certify_declaration(decl, actor=hp_officer)
    outcome = {e.pk: (e.review_outcome, e.review_reason, e.weight) for e in employees(decl)}
    assert outcome[bad.pk] == (ReviewOutcome.REJECTED, "系统核验未通过：社会保险未足额缴纳", None)
    assert outcome[doubt.pk] == (ReviewOutcome.REJECTED, "合同仍未提供", None)
    assert [v for k, v in outcome.items() if k not in (bad.pk, doubt.pk)] == [(ReviewOutcome.ACCEPTED, "", 2)]
    assert fresh(decl).accepted_count == Decimal(2) == levy.weighted_count


def test_conflict_caught_shown_to_both_and_resolved_by_decision(
    client: Any, campaign: Any, make_employer: Any, employer_user: Any, registered: Any, hp_officer: Any,
    hp_officer2: Any,
) -> None:  # fmt: skip
    """Two units of 和平 declare the same person for 2022: the second addition opens a conflict, both
    units and the officers see it, certification waits for the decision, the decision rejects the
    person at the losing unit with the reason."""
    first, second = make_employer("120101", name="甲公司"), make_employer("120101", name="乙公司")
    user_a, user_b = employer_user(first), employer_user(second)
    number = registered(level=2, name="周八")
    decl_a, decl_b = declare(first, user_a, campaign), declare(second, user_b, campaign)
    assert add(decl_a, user_a, number).conflicts == []
    result = add(decl_b, user_b, number)
    [conflict] = result.conflicts
    assert (conflict.declaration_a_id, conflict.declaration_b_id, conflict.state) == (decl_a.pk, decl_b.pk, "open")

    for user, decl, other in ((user_a, decl_a, "乙公司"), (user_b, decl_b, "甲公司")):
        client.force_login(user)
        page = client.get(reverse("quota:declaration_detail", args=[decl.pk])).content.decode()
        assert "重复计算冲突" in page and f"同时被“{other}”" in page
        assert "周八" in client.get(reverse("quota:conflict_list")).content.decode()
    client.force_login(hp_officer)
    listing = client.get(reverse("quota:conflict_list")).content.decode()
    assert "甲公司" in listing and "乙公司" in listing
    assert "重复计算冲突" in client.get(reverse("quota:declaration_list") + "?conflict=1").content.decode()

    submitted(decl_a, user_a)
    submitted(decl_b, user_b)
    with pytest.raises(actions.ReviewError, match="1个重复计算冲突尚未处理（周八）"):
        actions.certify_declaration(decl_a, actor=hp_officer)

    page = client.get(reverse("quota:conflict_detail", args=[conflict.pk])).content.decode()
    assert "由“甲公司”计算" in page and "由“乙公司”计算" in page
    resp = client.post(reverse("quota:conflict_detail", args=[conflict.pk]), {"decision": "a", "note": ""})
    assert resp.status_code == 422
    resp = client.post(
        reverse("quota:conflict_detail", args=[conflict.pk]), {"decision": "a", "note": "甲公司合同在先，乙公司为兼职"}
    )
    assert resp.status_code == 302
    conflict = fresh(conflict)
    assert (conflict.state, conflict.decision, conflict.decided_by) == ("resolved", "a", hp_officer)
    [loser] = employees(decl_b)
    assert loser.review_outcome == ReviewOutcome.REJECTED and "由甲公司计算" in loser.review_reason

    actions.certify_declaration(decl_a, actor=hp_officer2)
    actions.certify_declaration(decl_b, actor=hp_officer2)
    assert (fresh(decl_a).accepted_count, fresh(decl_b).accepted_count) == (Decimal(2), Decimal(0))
    # The batch check finds nothing new: the decision holds.
    assert actions.detect_conflicts(YEAR) == actions.ConflictScan(created=0, withdrawn=0, open=0)
    # Other apps read the outcome through quota.api.
    person_id = employees(decl_a)[0].person_id
    assert person_id is not None
    assert quota_api.accepted_count(first, YEAR) == Decimal(2) and quota_api.accepted_count(second, 2021) is None
    assert quota_api.counting_unit_ids([person_id], YEAR) == {person_id: first.pk}
    levy = quota_api.levy_result(second, YEAR)
    assert levy is not None and levy.weighted_count == 0


def test_cross_district_conflict_goes_to_the_city(
    client: Any, campaign: Any, make_employer: Any, registered: Any, hp_officer: Any, hx_officer: Any,
    city_admin: Any, make_user: Any,
) -> None:  # fmt: skip
    hp_unit, hx_unit = make_employer("120101", name="和平单位"), make_employer("120103", name="河西单位")
    number = registered()
    decl_hp = declare(hp_unit, make_user("district_officer", "120101"), campaign)
    decl_hx = declare(hx_unit, make_user("district_officer", "120103"), campaign)
    add(decl_hp, decl_hp.entered_by, number)
    [conflict] = add(decl_hx, decl_hx.entered_by, number).conflicts

    for officer in (hp_officer, hx_officer):  # each side's officers see it
        client.force_login(officer)
        assert client.get(reverse("quota:conflict_detail", args=[conflict.pk])).status_code == 200
    page = client.get(reverse("quota:conflict_detail", args=[conflict.pk])).content.decode()
    assert "须由市级人员作出处理决定" in page
    with pytest.raises(TransitionNotAllowed, match="须由市级人员"):
        actions.resolve_conflict(conflict, actor=hp_officer, decision=ConflictDecision.COUNT_A, note="和平计")
    # An officer may still reject the person on their own side: that decides the conflict.
    submitted(decl_hx, decl_hx.entered_by)
    [emp] = employees(decl_hx)
    actions.review_employee(emp, actor=hx_officer, outcome=ReviewOutcome.REJECTED, reason="已在和平单位就业")
    conflict = fresh(conflict)
    assert (conflict.state, conflict.decision, conflict.decided_by) == ("resolved", "a", hx_officer)

    # A third unit claims the person again: the city decides that nobody counts them.
    third = declare(make_employer("120103"), hx_officer, campaign)
    add(third, hx_officer, number)
    with unscoped():
        new = CountConflict.objects.get(declaration_b=third)
    actions.resolve_conflict(new, actor=city_admin, decision=ConflictDecision.NEITHER, note="均无劳动合同")
    assert employees(third)[0].review_outcome == ReviewOutcome.REJECTED
    assert employees(decl_hp)[0].review_outcome == ReviewOutcome.REJECTED


def test_batch_detection_is_set_based_and_idempotent(
    campaign: Any, make_employer: Any, registered: Any, hp_officer: Any, django_assert_max_num_queries: Any
) -> None:
    numbers = [registered() for _ in range(3)]
    decls = [declare(make_employer(), hp_officer, campaign) for _ in range(3)]
    for decl in decls:
        for number in numbers:
            add(decl, hp_officer, number)
    with unscoped():
        CountConflict.objects.all().delete()  # as if the rows came in by import, unchecked

    with django_assert_max_num_queries(15):  # a handful of queries, whatever the number of rows
        scan = actions.detect_conflicts(YEAR, actor=hp_officer)
    assert scan == actions.ConflictScan(created=9, withdrawn=0, open=9)  # 3 persons × 3 pairs
    out = io.StringIO()
    call_command("detect_conflicts", str(YEAR), stdout=out)
    assert out.getvalue().strip() == "2022年度：新发现0个冲突，已消除0个，待处理9个"

    # The unit removes one person: that person's conflicts with it end as "withdrawn", recorded.
    emp = employees(decls[2])[0]
    actions.remove_employee(emp, actor=hp_officer)
    with unscoped():
        withdrawn = CountConflict.objects.filter(decision=ConflictDecision.WITHDRAWN)
        assert withdrawn.count() == 2 and {c.decided_by for c in withdrawn} == {hp_officer}
        assert CountConflict.objects.filter(state=ConflictState.OPEN).count() == 7
