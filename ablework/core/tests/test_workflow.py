"""The workflow engine, on core tables only: ``Job`` (plain state machine) and ``ImportBatch``
(a state machine with an approval chain), so these tests need no domain app."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, connections
from django.utils.functional import SimpleLazyObject

from ablework.core import audit, workflow
from ablework.core.enums import AuditAction
from ablework.core.models import ApprovalChain, ApprovalStage, AuditLog, ImportBatch, Job, TransitionLog
from ablework.core.workflow import ChainStep, Transition, TransitionNotAllowed, Workflow

JOB_FLOW = Workflow(
    "test_job",
    model=Job,
    field="status",
    transitions=[
        Transition("start", source="pending", target="running", label="开始", roles={"city_admin", "district_officer"}),
        Transition("finish", source="running", target="done", label="完成", roles={"city_admin"}),
        Transition("fail", source=("pending", "running"), target="failed", label="作废", note_required=True),
    ],
)

# pending = draft, running = under review, done = approved, failed = rejected; returned goes back to pending.
CHAIN = "test_two_step"
BATCH_FLOW = Workflow(
    "test_batch_review",
    model="core.ImportBatch",
    field="status",
    chain=lambda batch: batch.kind,  # the chain may depend on the object (one per programme)
    transitions=[
        Transition("submit", source="pending", target="running", label="提交", step=ChainStep.SUBMIT),
        Transition("approve", source="running", target="done", label="审核通过", step=ChainStep.APPROVE),
        Transition(
            "send_back", source="running", target="pending", label="退回", step=ChainStep.RETURN, note_required=True
        ),
        Transition("reject", source="running", target="failed", label="不予通过", step=ChainStep.REJECT),
    ],
)


@pytest.fixture
def job(city_admin: Any) -> Job:
    return Job.objects.create(kind="test", label="测试任务", created_by=city_admin)


@pytest.fixture
def chain() -> ApprovalChain:
    # Both stages by district reviewers: 双人复核, where only maker-checker keeps one person from doing both.
    return workflow.ensure_chain(
        CHAIN, "两级审核", [("初审", "district_reviewer", 5), ("复审", "district_reviewer", 3)]
    )


@pytest.fixture
def batch(chain: ApprovalChain) -> ImportBatch:
    return ImportBatch.objects.create(kind=CHAIN, filename="a.xlsx", sha256="0" * 64)


@pytest.fixture
def reviewers(make_user: Callable[..., Any]) -> list[Any]:
    return [make_user("district_reviewer", "120101") for _ in range(3)]


def _logs(obj: Any) -> list[TransitionLog]:
    return list(TransitionLog.objects.filter(object_type=audit.object_type_of(obj), object_id=str(obj.pk)))


def _audits(obj: Any) -> list[AuditLog]:
    return [e for e in audit.history_for(obj) if e.action == AuditAction.TRANSITION]


# -- plain state machine ---------------------------------------------------------------------------


def test_transition_saves_state_history_and_audit(job: Job, city_admin: Any) -> None:
    log = workflow.apply(job, "start", actor=city_admin, note="开始处理", total=7)

    assert job.status == "running" and job.total == 7  # the caller's instance follows
    job.refresh_from_db()
    assert (job.status, job.total) == ("running", 7)
    assert (log.from_state, log.to_state, log.transition, log.actor, log.note, log.stage) == (
        "pending",
        "running",
        "start",
        city_admin,
        "开始处理",
        None,
    )
    assert _logs(job) == [log]
    [entry] = _audits(job)
    assert entry.actor_id == city_admin.pk
    assert entry.changes == {
        "status": ["pending", "running"],
        "total": [0, 7],
        "transition": [None, "开始"],
        "note": [None, "开始处理"],
    }
    assert audit.verify_chain().ok


def test_failed_save_leaves_no_history(job: Job, city_admin: Any) -> None:
    with pytest.raises(IntegrityError):
        workflow.apply(job, "start", actor=city_admin, total=-1)  # PositiveIntegerField: CHECK fails on save
    assert _logs(job) == [] and _audits(job) == []
    assert Job.objects.get(pk=job.pk).status == "pending"


def test_failed_audit_rolls_back_state_and_history(job: Job, city_admin: Any) -> None:
    with mock.patch.object(audit, "record", side_effect=RuntimeError("audit down")), pytest.raises(RuntimeError):
        workflow.apply(job, "start", actor=city_admin)
    assert _logs(job) == []
    assert Job.objects.get(pk=job.pk).status == "pending"


def test_wrong_state_is_refused_with_its_label(job: Job, city_admin: Any) -> None:
    workflow.apply(job, "start", actor=city_admin)
    with pytest.raises(TransitionNotAllowed) as err:
        workflow.apply(job, "start", actor=city_admin)
    assert str(err.value) == "当前状态为“进行中”，不能执行“开始”"
    assert len(_logs(job)) == 1


def test_wrong_role_is_refused(job: Job, make_user: Callable[..., Any]) -> None:
    person = make_user("person")
    with pytest.raises(TransitionNotAllowed) as err:
        workflow.apply(job, "start", actor=person)
    assert str(err.value) == "“开始”须由市级管理员、区级经办员办理，您的角色是残疾人或监护人"
    with pytest.raises(TransitionNotAllowed, match="您的角色是系统"):
        workflow.apply(job, "start", actor=None)
    assert _logs(job) == [] and Job.objects.get(pk=job.pk).status == "pending"
    # In a view the actor is request.user, a lazy proxy: the message must still name the roles.
    lazy = SimpleLazyObject(lambda: SimpleLazyObject(lambda: person))
    with pytest.raises(TransitionNotAllowed, match="您的角色是残疾人或监护人"):
        workflow.apply(job, "start", actor=lazy)
    assert "start" not in [t.name for t in workflow.available_transitions(job, lazy)]


def test_transition_without_roles_may_be_run_by_the_system(job: Job) -> None:
    log = workflow.apply(job, "fail", actor=None, note="超时", message="超时")
    assert (job.status, job.message, log.actor, log.actor_label) == ("failed", "超时", None, "系统")
    assert _audits(job)[0].actor_label == "系统"


def test_note_required(job: Job, city_admin: Any) -> None:
    with pytest.raises(TransitionNotAllowed, match="执行“作废”须填写意见"):
        workflow.apply(job, "fail", actor=city_admin, note="  ")


def test_stale_instance_cannot_repeat_a_transition(job: Job, city_admin: Any) -> None:
    # Two requests loaded the job as "pending"; the second one's apply re-reads the row under lock.
    first, second = Job.objects.get(pk=job.pk), Job.objects.get(pk=job.pk)
    workflow.apply(first, "start", actor=city_admin)
    with pytest.raises(TransitionNotAllowed, match="当前状态为“进行中”"):
        workflow.apply(second, "start", actor=city_admin)
    assert len(_logs(job)) == 1


def test_unknown_transition_and_bad_changes(job: Job, city_admin: Any) -> None:
    with pytest.raises(TransitionNotAllowed, match="没有“launch”这项操作"):
        workflow.apply(job, "launch", actor=city_admin)
    with pytest.raises(ValueError, match="no field"):
        workflow.apply(job, "start", actor=city_admin, colour="red")
    with pytest.raises(ValueError, match="state field"):
        workflow.apply(job, "start", actor=city_admin, status="done")
    assert _logs(job) == []


def test_available_transitions(job: Job, city_admin: Any, hp_officer: Any, make_user: Callable[..., Any]) -> None:
    names = lambda actor: [t.name for t in workflow.available_transitions(job, actor)]  # noqa: E731
    assert names(city_admin) == ["start", "fail"]
    assert names(hp_officer) == ["start", "fail"]
    assert names(make_user("person")) == ["fail"]
    workflow.apply(job, "start", actor=hp_officer)
    assert names(city_admin) == ["finish", "fail"] and names(hp_officer) == ["fail"]


def test_history_has_display_labels(job: Job, city_admin: Any) -> None:
    workflow.apply(job, "start", actor=city_admin)
    workflow.apply(job, "finish", actor=city_admin)
    rows = workflow.history(job)
    assert [(r.transition_label, r.from_label, r.to_label) for r in rows] == [  # type: ignore[attr-defined]
        ("开始", "排队中", "进行中"),
        ("完成", "进行中", "已完成"),
    ]


def test_declaration_errors() -> None:
    t = Transition("go", source="pending", target="done")
    with pytest.raises(ImproperlyConfigured, match="twice"):
        Workflow("dup", model=Job, field="label", transitions=[t, t])
    with pytest.raises(ImproperlyConfigured, match="chain="):
        Workflow(
            "nochain",
            model=Job,
            field="label",
            transitions=[Transition("s", source="a", target="b", step=ChainStep.SUBMIT)],
        )
    with pytest.raises(ImproperlyConfigured, match="already has workflow"):
        Workflow(
            "other_job_flow", model=Job, field="status", transitions=[Transition("x", source="pending", target="done")]
        )
    bad = Workflow(
        "bad_states",
        model="core.Notification",
        field="channel",
        transitions=[Transition("x", source="inbox", target="pigeon")],
    )
    with pytest.raises(ImproperlyConfigured, match="not a choice"):
        bad.model()
    workflow._REGISTRY["core.notification"].remove(bad)


# -- approval chains -------------------------------------------------------------------------------


def test_ensure_chain_is_idempotent(chain: ApprovalChain) -> None:
    stages = [(s.pk, s.order, s.name, s.role, s.deadline_days) for s in chain.stages.all()]
    again = workflow.ensure_chain(
        CHAIN, "两级审核", [("初审", "district_reviewer", 5), ("复审", "district_reviewer", 3)]
    )
    assert again.pk == chain.pk and ApprovalChain.objects.filter(code=CHAIN).count() == 1
    assert [(s.pk, s.order, s.name, s.role, s.deadline_days) for s in again.stages.all()] == stages
    assert stages == [
        (stages[0][0], 1, "初审", "district_reviewer", 5),
        (stages[1][0], 2, "复审", "district_reviewer", 3),
    ]

    workflow.ensure_chain(CHAIN, "一级审核", [("审核", "city_reviewer", 10)])
    chain.refresh_from_db()
    assert chain.name == "一级审核"
    assert [(s.pk, s.name, s.role) for s in chain.stages.all()] == [(stages[0][0], "审核", "city_reviewer")]


def test_ensure_chain_keeps_stages_that_have_history(batch: ImportBatch, reviewers: list[Any]) -> None:
    maker, first, second = reviewers
    workflow.apply(batch, "submit", actor=maker)
    workflow.approve(batch, actor=first)
    workflow.approve(batch, actor=second)
    with pytest.raises(ValueError, match="环节“复审”已有办理记录，不能删除"):
        workflow.ensure_chain(CHAIN, "一级审核", [("审核", "district_reviewer", 5)])
    assert ApprovalStage.objects.filter(chain__code=CHAIN).count() == 2  # nothing of the call was kept
    assert ApprovalChain.objects.get(code=CHAIN).name == "两级审核"


def test_two_stage_chain_with_different_reviewers(batch: ImportBatch, reviewers: list[Any], hp_officer: Any) -> None:
    maker, first, second = reviewers
    stage1, stage2 = ApprovalStage.objects.filter(chain__code=CHAIN).order_by("order")
    assert workflow.current_stage(batch) is None

    workflow.apply(batch, "submit", actor=maker)
    assert batch.status == "running" and workflow.current_stage(batch) == stage1

    log1 = workflow.approve(batch, actor=first, note="材料齐全", stage=stage1)
    assert (log1.from_state, log1.to_state, log1.stage) == ("running", "running", stage1)
    assert batch.status == "running" and workflow.current_stage(batch) == stage2
    assert _audits(batch)[-1].changes["stage"] == [None, "初审"]

    log2 = workflow.approve(batch, actor=second, stage=stage2.pk)
    assert (log2.to_state, log2.stage) == ("done", stage2)
    assert ImportBatch.objects.get(pk=batch.pk).status == "done"
    assert workflow.current_stage(batch) is None
    assert [(r.transition, r.actor, r.stage) for r in workflow.history(batch)] == [
        ("submit", maker, None),
        ("approve", first, stage1),
        ("approve", second, stage2),
    ]

    # A second approval after the end (double click, second reviewer) is refused.
    with pytest.raises(TransitionNotAllowed) as err:
        workflow.approve(batch, actor=hp_officer)
    assert str(err.value) == "当前状态为“已完成”，不能执行“审核通过”"


def test_maker_checker(batch: ImportBatch, reviewers: list[Any]) -> None:
    maker, first, second = reviewers
    workflow.apply(batch, "submit", actor=maker)
    assert [t.name for t in workflow.available_transitions(batch, maker)] == []
    with pytest.raises(TransitionNotAllowed, match="您是本事项的提交人，不能审批本人提交的事项"):
        workflow.approve(batch, actor=maker)

    workflow.approve(batch, actor=first)
    assert [t.name for t in workflow.available_transitions(batch, first)] == []
    with pytest.raises(TransitionNotAllowed) as err:
        workflow.approve(batch, actor=first)
    assert str(err.value) == "您已在“初审”环节办理过本事项，不能再办理“复审”环节（各环节须由不同人员办理）"
    with pytest.raises(TransitionNotAllowed, match="提交人"):
        workflow.reject(batch, actor=maker)  # not by deciding otherwise either

    assert [t.name for t in workflow.available_transitions(batch, second)] == ["approve", "send_back", "reject"]
    workflow.approve(batch, actor=second)
    assert batch.status == "done"


def test_stage_role_is_required(batch: ImportBatch, reviewers: list[Any], hp_officer: Any, city_admin: Any) -> None:
    workflow.apply(batch, "submit", actor=hp_officer)
    with pytest.raises(TransitionNotAllowed) as err:
        workflow.approve(batch, actor=city_admin)
    assert str(err.value) == "“初审”环节须由区级审核员办理，您的角色是市级管理员"
    with pytest.raises(TransitionNotAllowed, match="您的角色是系统"):
        workflow.approve(batch, actor=None)


def test_stale_stage_is_refused(batch: ImportBatch, reviewers: list[Any]) -> None:
    maker, first, second = reviewers
    stage1 = ApprovalStage.objects.get(chain__code=CHAIN, order=1)
    workflow.apply(batch, "submit", actor=maker)
    workflow.approve(batch, actor=first, stage=stage1)
    # ``second`` opened the page while it was at stage 1; pressing 通过 must not approve stage 2 unseen.
    with pytest.raises(TransitionNotAllowed, match="当前为“复审”环节，已不在您打开时的环节"):
        workflow.approve(batch, actor=second, stage=stage1)
    assert workflow.current_stage(batch) is not None and workflow.current_stage(batch).order == 2  # type: ignore[union-attr]


def test_return_ends_the_round_and_resubmission_restarts_it(batch: ImportBatch, reviewers: list[Any]) -> None:
    maker, first, second = reviewers
    workflow.apply(batch, "submit", actor=maker)
    workflow.approve(batch, actor=first)
    with pytest.raises(TransitionNotAllowed, match="须填写意见"):
        workflow.send_back(batch, actor=second)
    workflow.send_back(batch, actor=second, note="缺少证明材料")
    assert batch.status == "pending" and workflow.current_stage(batch) is None

    workflow.apply(batch, "submit", actor=maker)
    assert workflow.current_stage(batch).order == 1  # type: ignore[union-attr]
    workflow.approve(batch, actor=second)  # a new round: who acted in the old one does not count
    workflow.approve(batch, actor=first)
    assert batch.status == "done"


def test_reject(batch: ImportBatch, reviewers: list[Any]) -> None:
    maker, first, _second = reviewers
    workflow.apply(batch, "submit", actor=maker)
    log = workflow.reject(batch, actor=first, note="不符合条件")
    assert (batch.status, log.stage.order) == ("failed", 1)  # type: ignore[union-attr]
    with pytest.raises(TransitionNotAllowed, match="当前状态为“失败”，不能执行“审核通过”"):
        workflow.approve(batch, actor=first)


def test_missing_chain_is_a_configuration_error(reviewers: list[Any]) -> None:
    orphan = ImportBatch.objects.create(kind="no_such_chain", filename="b.xlsx", sha256="1" * 64)
    with pytest.raises(ImproperlyConfigured, match="审批链“no_such_chain”不存在"):
        workflow.apply(orphan, "submit", actor=reviewers[0])


def test_working_days() -> None:
    friday, saturday, monday = date(2026, 3, 6), date(2026, 3, 7), date(2026, 3, 9)
    assert workflow.add_working_days(friday, 1) == monday
    assert workflow.add_working_days(saturday, 1) == monday
    assert workflow.add_working_days(monday, 5) == date(2026, 3, 16)
    assert workflow.add_working_days(monday, 0) == monday


def test_stage_due(batch: ImportBatch, reviewers: list[Any]) -> None:
    maker, first, _second = reviewers
    assert workflow.stage_due(batch) is None
    submit = workflow.apply(batch, "submit", actor=maker)
    # Submitted Friday 2026-03-06 23:30 Beijing time: stage 1 (5 working days) is due Friday 03-13.
    tz = ZoneInfo("Asia/Shanghai")
    TransitionLog.objects.filter(pk=submit.pk).update(at=datetime(2026, 3, 6, 23, 30, tzinfo=tz))
    assert workflow.stage_due(batch) == date(2026, 3, 13)
    progress = workflow.chain_progress(batch)
    assert progress is not None and progress.overdue
    approval = workflow.approve(batch, actor=first)
    TransitionLog.objects.filter(pk=approval.pk).update(at=datetime(2026, 3, 10, 9, 0, tzinfo=tz))
    assert workflow.stage_due(batch) == date(2026, 3, 13)  # stage 2: 3 working days from Tuesday


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_final_approvals_approve_once(make_user: Callable[..., Any]) -> None:
    workflow.ensure_chain("test_one_step", "一级审核", [("审核", "district_reviewer", 5)])
    batch = ImportBatch.objects.create(kind="test_one_step", filename="c.xlsx", sha256="2" * 64)
    maker, first, second = (make_user("district_reviewer", "120101") for _ in range(3))
    workflow.apply(batch, "submit", actor=maker)

    real_record, entered = audit.record, threading.Event()

    def slow_record(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        time.sleep(0.5)  # hold the row lock while the other approver's apply() waits for it
        return real_record(*args, **kwargs)

    outcomes: dict[str, Any] = {}

    def run(name: str, actor: Any) -> None:
        try:
            outcomes[name] = workflow.approve(ImportBatch.objects.get(pk=batch.pk), actor=actor)
        except TransitionNotAllowed as exc:
            outcomes[name] = exc
        finally:
            connections.close_all()

    with mock.patch.object(audit, "record", side_effect=slow_record):
        a = threading.Thread(target=run, args=("a", first))
        a.start()
        assert entered.wait(5)
        b = threading.Thread(target=run, args=("b", second))
        b.start()
        a.join(10)
        b.join(10)

    assert isinstance(outcomes["a"], TransitionLog)
    assert str(outcomes["b"]) == "当前状态为“已完成”，不能执行“审核通过”"
    assert [r.transition for r in _logs(batch)] == ["submit", "approve"]
    assert len(_audits(batch)) == 2
