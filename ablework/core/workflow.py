"""Workflows: state machines declared as transition tables, and approval chains kept as data.

A workflow is a table of transitions over one state ``CharField`` of one model::

    CERT_FLOW = Workflow(
        "difficulty_certification",
        model="people.DifficultyCertification",
        field="status",
        chain="difficulty_certification",   # or a callable obj -> chain code (one chain per programme)
        transitions=[
            Transition("submit", source=("draft", "returned"), target="submitted", label="提交",
                       roles={Role.STREET_WORKER, Role.DISTRICT_OFFICER}, step=ChainStep.SUBMIT),
            Transition("approve", source="submitted", target="approved", label="审核通过", step=ChainStep.APPROVE),
            Transition("return", source="submitted", target="returned", label="退回", step=ChainStep.RETURN,
                       note_required=True),
            Transition("reject", source="submitted", target="rejected", label="不予认定", step=ChainStep.REJECT,
                       note_required=True),
            Transition("exit", source="approved", target="exited", label="退出", roles={Role.DISTRICT_OFFICER}),
        ],
    )
    ensure_chain("difficulty_certification", "就业困难人员认定",
                 [("街道初审", "street_worker", 5), ("区级审核", "district_reviewer", 10)])

    apply(cert, "submit", actor=user)                 # or CERT_FLOW.apply(...)
    approve(cert, actor=reviewer, stage=seen_stage)   # stage 1 → stage 2; at the last stage → "approved"
    available_transitions(cert, user); current_stage(cert); stage_due(cert); history(cert)

``apply()`` is the only way a state changes: it locks the row (``select_for_update``), re-reads the
state, checks the transition table, the actor's role and — for approval decisions — the current stage
and maker-checker, then saves the state field (plus the ``**changes`` given), a ``TransitionLog`` row
and an audit entry in one transaction.  Refusals raise ``TransitionNotAllowed`` with a Chinese message.

Approval chains.  A transition with ``step=SUBMIT`` starts a round: stage 1 of the object's chain
becomes current and the actor is the maker.  ``APPROVE`` at a stage that is not the last records the
approval (the state does not change, the log row carries the stage) and makes the next stage current;
at the last stage it moves to the transition's target.  ``RETURN`` and ``REJECT`` end the round.  The
current stage is derived from ``TransitionLog`` (rows after the latest SUBMIT), so there is no second
copy of it to drift.  A decision (approve, return, reject) at a stage must be made by a user holding
that stage's role (and the transition's ``roles``, if set) who is neither the round's submitter nor an
approver of an earlier stage of the round.  A stage's due date counts ``deadline_days`` working days
from the day the stage became current; working days are approximated as Monday–Friday (statutory
holidays and weekend make-up days, 调休, are not modelled).

Why not django-fsm-2.  It declares transitions as decorated model methods on an ``FSMField``: the state
machine lives in model code, not in a table; the models here use plain ``CharField`` states that we may
not (and need not) change; it keeps no history, has no notion of roles, stages or maker-checker, and its
concurrency guard (``ConcurrentTransitionMixin``) is optimistic, failing with a bare exception rather
than a message.  We would have wrapped every part of it.  A table of transitions plus one ``apply()`` is
a few hundred lines, generic over any model with a state ``CharField``, and lets the UI list its
buttons from data.
On SQLite ``select_for_update`` is a no-op, but the project opens transactions ``IMMEDIATE``, which
serialises writers just as well.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models, transaction
from django.db.models import Model, ProtectedError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from ablework.core import audit
from ablework.core.enums import AuditAction
from ablework.core.models import ApprovalChain, ApprovalStage, TransitionLog

__all__ = [
    "ANY",
    "ChainProgress",
    "ChainStep",
    "Transition",
    "TransitionNotAllowed",
    "Workflow",
    "add_working_days",
    "apply",
    "approve",
    "available_transitions",
    "chain_progress",
    "current_stage",
    "ensure_chain",
    "history",
    "reject",
    "send_back",
    "stage_due",
    "workflow_for",
]

ANY = "*"  # a source matching every state

_STATE_MAX = TransitionLog._meta.get_field("from_state").max_length or 30
_NAME_MAX = TransitionLog._meta.get_field("transition").max_length or 40


class TransitionNotAllowed(ValueError):
    """A refused transition; ``str(err)`` is a Chinese message for the user."""


class ChainStep(enum.StrEnum):
    """What a transition means for the approval chain."""

    SUBMIT = "submit"  # starts a round at stage 1; the actor is the maker
    APPROVE = "approve"  # approves the current stage: next stage, or the target state after the last
    RETURN = "return"  # sends back; ends the round
    REJECT = "reject"  # refuses; ends the round


_DECISIONS = frozenset({ChainStep.APPROVE, ChainStep.RETURN, ChainStep.REJECT})


class Transition:
    """One row of a transition table.

    ``source`` is a state, several states, or ``ANY``.  ``roles`` — the roles that may perform it
    (``None``: any actor, including the system).  For an approval decision the actor must in addition
    hold the role of the current stage.  ``note_required`` — a refusal unless an opinion is given.
    """

    __slots__ = ("label", "name", "note_required", "roles", "source", "step", "target")

    def __init__(
        self,
        name: str,
        *,
        source: str | Iterable[str],
        target: str,
        label: str | Promise = "",
        roles: Iterable[str] | None = None,
        step: ChainStep | None = None,
        note_required: bool = False,
    ) -> None:
        self.name = name
        self.source: tuple[str, ...] = (source,) if isinstance(source, str) else tuple(source)
        self.target = target
        self.label: str | Promise = label or name  # gettext_lazy labels welcome
        self.roles: frozenset[str] | None = None if roles is None else frozenset(str(r) for r in roles)
        self.step = step
        self.note_required = note_required

    def allows_from(self, state: str) -> bool:
        return ANY in self.source or state in self.source

    def __repr__(self) -> str:
        return f"Transition({self.name!r}, source={self.source!r}, target={self.target!r})"


@dataclass
class ChainProgress:
    """Where an object stands in its approval chain (for the UI and for the checks)."""

    chain: ApprovalChain
    stages: list[ApprovalStage]
    current: ApprovalStage | None  # None: no round in progress (not in a review state)
    since: datetime | None  # when the current stage became current
    submitted_by_id: int | None
    approvals: list[TransitionLog] = field(default_factory=list)  # this round's stage approvals, in order

    @property
    def is_last_stage(self) -> bool:
        return self.current is not None and self.current.pk == self.stages[-1].pk

    @property
    def due(self) -> date | None:
        if self.current is None or self.since is None:
            return None
        return add_working_days(timezone.localdate(self.since), self.current.deadline_days)

    @property
    def overdue(self) -> bool:
        due = self.due
        return due is not None and timezone.localdate() > due


_REGISTRY: dict[str, list[Workflow]] = {}


def _label_of(model: type[Model] | str) -> str:
    if isinstance(model, str):
        app_label, _dot, model_name = model.partition(".")
        if not model_name:
            raise ImproperlyConfigured(f"model must be 'app_label.ModelName', not {model!r}")
        return f"{app_label}.{model_name.lower()}"
    return f"{model._meta.app_label}.{model._meta.model_name}"


class Workflow:
    """A state machine over ``model.<field>`` (a ``CharField``), declared as a transition table.

    Declaring a workflow registers it, so ``apply(obj, name, ...)`` finds it from the object.
    ``chain`` — the code of the object's ``ApprovalChain``, or a callable ``obj -> code``; required
    when a transition has a ``step``.
    """

    def __init__(
        self,
        name: str,
        *,
        model: type[Model] | str,
        field: str = "status",
        transitions: Sequence[Transition],
        chain: str | Callable[[Any], str] | None = None,
    ) -> None:
        self.name = name
        self.model_label = _label_of(model)
        self.field = field
        self.transitions: dict[str, Transition] = {}
        self.chain = chain
        self._model: type[Model] | None = None
        self._state_labels: dict[str, Any] = {}  # state -> (lazy) label
        for t in transitions:
            if t.name in self.transitions:
                raise ImproperlyConfigured(f"workflow {name}: transition {t.name!r} declared twice")
            if len(t.name) > _NAME_MAX:
                raise ImproperlyConfigured(f"workflow {name}: transition name {t.name!r} longer than {_NAME_MAX}")
            self.transitions[t.name] = t
        self._check_chain_steps()
        self._register()

    # -- declaration checks -------------------------------------------------------------------------

    def _check_chain_steps(self) -> None:
        stepped = [t for t in self.transitions.values() if t.step is not None]
        if stepped and self.chain is None:
            raise ImproperlyConfigured(f"workflow {self.name}: transitions with a chain step need chain=")
        if self.chain is None:
            return
        by_step = {s: [t for t in stepped if t.step == s] for s in ChainStep}
        if not by_step[ChainStep.SUBMIT] or not by_step[ChainStep.APPROVE]:
            raise ImproperlyConfigured(f"workflow {self.name}: a chain needs a SUBMIT and an APPROVE transition")
        for step in _DECISIONS:
            seen: set[str] = set()
            for t in by_step[step]:
                if ANY in t.source:
                    raise ImproperlyConfigured(f"workflow {self.name}: {t.name} must name its source states")
                if seen & set(t.source):
                    raise ImproperlyConfigured(f"workflow {self.name}: two {step} transitions share a source state")
                seen |= set(t.source)
        for t in by_step[ChainStep.SUBMIT]:
            if t.target not in self.review_states:
                raise ImproperlyConfigured(f"workflow {self.name}: {t.name} must lead to a state APPROVE starts from")

    def _register(self) -> None:
        mine = _REGISTRY.setdefault(self.model_label, [])
        for other in list(mine):
            if other.name == self.name:  # re-declaration (module reloaded): replace
                mine.remove(other)
            elif other.field == self.field:
                raise ImproperlyConfigured(f"{self.model_label}.{self.field} already has workflow {other.name}")
            elif set(other.transitions) & set(self.transitions):
                raise ImproperlyConfigured(f"workflows {other.name} and {self.name} share transition names")
        mine.append(self)

    @property
    def states(self) -> set[str]:
        out = {t.target for t in self.transitions.values()}
        for t in self.transitions.values():
            out.update(s for s in t.source if s != ANY)
        return out

    @property
    def review_states(self) -> set[str]:
        """States in which an approval round is in progress (the sources of APPROVE)."""
        return {s for t in self.transitions.values() if t.step == ChainStep.APPROVE for s in t.source}

    def model(self) -> type[Model]:
        """The model class; checks on first use that the field is a CharField holding every state."""
        if self._model is None:
            model = apps.get_model(self.model_label)
            state_field = model._meta.get_field(self.field)
            if not isinstance(state_field, models.CharField):
                raise ImproperlyConfigured(f"workflow {self.name}: {self.model_label}.{self.field} is not a CharField")
            limit = min(_STATE_MAX, state_field.max_length or _STATE_MAX)
            choices = {str(k): v for k, v in state_field.flatchoices}
            for state in self.states:
                if len(state) > limit:
                    raise ImproperlyConfigured(f"workflow {self.name}: state {state!r} longer than {limit}")
                if choices and state not in choices:
                    raise ImproperlyConfigured(f"workflow {self.name}: state {state!r} is not a choice of {self.field}")
            self._state_labels = choices
            self._model = model
        return self._model

    def state_label(self, state: str) -> str:
        self.model()
        return str(self._state_labels.get(state, state))

    def transition(self, name: str) -> Transition:
        try:
            return self.transitions[name]
        except KeyError:
            raise TransitionNotAllowed(_("没有“%(name)s”这项操作") % {"name": name}) from None

    def _step_transition(self, step: ChainStep, state: str) -> Transition:
        for t in self.transitions.values():
            if t.step == step and t.allows_from(state):
                return t
        for t in self.transitions.values():
            if t.step == step:
                return t  # refused below with the wrong-state message
        raise TransitionNotAllowed(_("此流程没有这项审批操作"))

    # -- chain -----------------------------------------------------------------------------------

    def _chain_of(self, obj: Model) -> ApprovalChain:
        code = self.chain(obj) if callable(self.chain) else self.chain
        if code is None:
            raise ValueError(f"workflow {self.name} has no approval chain")
        chain = ApprovalChain.objects.filter(code=code).first()
        if chain is None:
            raise ImproperlyConfigured(f"审批链“{code}”不存在，请先用 ensure_chain() 建立")
        return chain

    def progress(self, obj: Model, *, state: str | None = None) -> ChainProgress | None:
        """The chain and current stage of ``obj``, derived from its transition history."""
        if self.chain is None:
            return None
        chain = self._chain_of(obj)
        stages = list(chain.stages.order_by("order"))
        if not stages:
            raise ImproperlyConfigured(f"审批链“{chain.code}”没有环节")
        state = getattr(obj, self.field) if state is None else state
        if state not in self.review_states:
            return ChainProgress(chain, stages, current=None, since=None, submitted_by_id=None)
        rows = list(
            TransitionLog.objects.filter(
                object_type=audit.object_type_of(obj),
                object_id=str(obj.pk),
                transition__in=list(self.transitions),
            )
            .select_related("stage")
            .order_by("at", "id")
        )
        submits = {t.name for t in self.transitions.values() if t.step == ChainStep.SUBMIT}
        approves = {t.name for t in self.transitions.values() if t.step == ChainStep.APPROVE}
        start = max((i for i, r in enumerate(rows) if r.transition in submits), default=None)
        round_rows = rows if start is None else rows[start:]
        submitted_by_id = rows[start].actor_id if start is not None else None
        approvals = [r for r in round_rows if r.transition in approves and r.stage_id is not None]
        done = {r.stage_id for r in approvals}
        current = next((s for s in stages if s.pk not in done), None)
        since = approvals[-1].at if approvals else (rows[start].at if start is not None else None)
        return ChainProgress(chain, stages, current, since, submitted_by_id, approvals)

    # -- checks ----------------------------------------------------------------------------------

    def _refusal(
        self,
        t: Transition,
        state: str,
        actor: Any,
        progress: ChainProgress | None,
        *,
        expected_stage: ApprovalStage | int | None = None,
        note: str | None = None,
    ) -> str | None:
        """Why ``actor`` may not perform ``t`` from ``state`` (None: allowed).  ``note=None`` skips the note check."""
        if not t.allows_from(state):
            return _("当前状态为“%(state)s”，不能执行“%(action)s”") % {
                "state": self.state_label(state),
                "action": t.label,
            }
        if note is not None and t.note_required and not note.strip():
            return _("执行“%(action)s”须填写意见") % {"action": t.label}
        current = progress.current if progress is not None else None
        if expected_stage is not None:
            expected_id = expected_stage.pk if isinstance(expected_stage, ApprovalStage) else expected_stage
            if current is None:
                return _("该事项的审批已结束，可能已由他人处理，请刷新后重试")
            if current.pk != expected_id:
                return _("该事项当前为“%(stage)s”环节，已不在您打开时的环节，可能已由他人处理，请刷新后重试") % {
                    "stage": current.name
                }
        if t.roles is not None and _role_of(actor) not in t.roles:
            return _role_refusal(actor, t.roles, _("“%(action)s”") % {"action": t.label})
        if t.step in _DECISIONS:
            if progress is None or current is None:
                return _("该事项没有进行中的审批环节，不能执行“%(action)s”") % {"action": t.label}
            if _role_of(actor) != current.role:
                return _role_refusal(actor, {current.role}, _("“%(stage)s”环节") % {"stage": current.name})
            actor_id = actor.pk
            if progress.submitted_by_id is not None and actor_id == progress.submitted_by_id:
                return _("您是本事项的提交人，不能审批本人提交的事项（须由其他人员办理）")
            for row in progress.approvals:
                if row.actor_id == actor_id:
                    return _(
                        "您已在“%(earlier)s”环节办理过本事项，不能再办理“%(stage)s”环节（各环节须由不同人员办理）"
                    ) % {
                        "earlier": row.stage.name if row.stage else "",
                        "stage": current.name,
                    }
        return None

    # -- actions and queries ---------------------------------------------------------------------

    def available_transitions(self, obj: Model, actor: Any) -> list[Transition]:
        """The transitions ``actor`` may perform on ``obj`` now (buttons); reads, does not lock."""
        state = getattr(obj, self.field)
        candidates = [t for t in self.transitions.values() if t.allows_from(state)]
        progress = None
        if any(t.step in _DECISIONS for t in candidates):
            progress = self.progress(obj, state=state)
        return [t for t in candidates if self._refusal(t, state, _actor(actor), progress) is None]

    def apply(
        self,
        obj: Model,
        transition_name: str,
        *,
        actor: Any,
        note: str = "",
        stage: ApprovalStage | int | None = None,
        **changes: Any,
    ) -> TransitionLog:
        """Perform a transition: lock, check, save state and ``changes``, log and audit, in one transaction.

        ``stage`` — the stage the actor saw; refused if the object has moved on meanwhile.  Only the
        state field and ``changes`` are saved (other unsaved edits on ``obj`` are not); ``obj`` is
        updated in place.  Raises ``TransitionNotAllowed`` (wrong state, role, stage, maker-checker,
        missing note); ``ValueError`` for a field in ``changes`` that is not a plain column.
        """
        t = self.transition(transition_name)
        model = self.model()
        if obj.pk is None:
            raise ValueError("apply() needs a saved object")
        names = [self.field, *self._change_names(model, changes)]
        names += [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False) and f.name not in names]
        user = _actor(actor)
        with transaction.atomic():
            # The base manager: district-scoped managers would refuse a lookup by pk outside a scope,
            # and the caller already holds the object (access was checked before).
            locked = model._base_manager.select_for_update().get(pk=obj.pk)
            state = getattr(locked, self.field)
            progress = None
            if self.chain is not None and (t.step is not None or stage is not None):
                progress = self.progress(locked, state=state)
            reason = self._refusal(t, state, user, progress, expected_stage=stage, note=note)
            if reason is not None:
                raise TransitionNotAllowed(reason)
            acting = progress.current if progress is not None and t.step in _DECISIONS else None
            stays = t.step == ChainStep.APPROVE and progress is not None and not progress.is_last_stage
            new_state = state if stays else t.target
            audited = [self.field, *changes]
            before = {n: getattr(locked, n) for n in audited}
            setattr(locked, self.field, new_state)
            for key, value in changes.items():
                setattr(locked, key, value)
            after = {n: getattr(locked, n) for n in audited}
            locked.save(update_fields=names)
            log = TransitionLog.objects.create(
                object_type=audit.object_type_of(locked),
                object_id=str(locked.pk),
                from_state=state,
                to_state=new_state,
                transition=t.name,
                stage=acting,
                actor=user,
                actor_label=(str(user) if user is not None else "系统")[:150],
                note=note,
            )
            extra: dict[str, Any] = {"transition": [None, str(t.label)]}
            if acting is not None:
                extra["stage"] = [None, acting.name]
            if note:
                extra["note"] = [None, note]
            audit.record(AuditAction.TRANSITION, actor=user, obj=locked, changes={**audit.diff(before, after), **extra})
        for n in names:
            setattr(obj, n, getattr(locked, n))
        return log

    def _change_names(self, model: type[Model], changes: dict[str, Any]) -> list[str]:
        out = []
        for key in changes:
            try:
                f = model._meta.get_field(key)
            except FieldDoesNotExist as exc:
                raise ValueError(f"{self.model_label} has no field {key!r}") from exc
            if not getattr(f, "concrete", False) or f.many_to_many or getattr(f, "primary_key", False):
                raise ValueError(f"{self.model_label}.{key} cannot be set by a transition")
            if f.name == self.field:
                raise ValueError(f"{self.model_label}.{key} is the state field; it changes only by transitions")
            out.append(f.name)
        return out

    def history(self, obj: Model) -> list[TransitionLog]:
        """This workflow's transitions of ``obj``, oldest first, with ``*_label`` attributes for display."""
        rows = list(
            TransitionLog.objects.filter(
                object_type=audit.object_type_of(obj), object_id=str(obj.pk), transition__in=list(self.transitions)
            )
            .select_related("stage", "actor")
            .order_by("at", "id")
        )
        for row in rows:
            t = self.transitions.get(row.transition)
            row.transition_label = str(t.label) if t else row.transition  # type: ignore[attr-defined]
            row.from_label = self.state_label(row.from_state)  # type: ignore[attr-defined]
            row.to_label = self.state_label(row.to_state)  # type: ignore[attr-defined]
        return rows


# -- helpers ------------------------------------------------------------------------------------------


def _actor(actor: Any) -> Any:
    """A saved user, or None for the system (anonymous users count as no one)."""
    return actor if actor is not None and getattr(actor, "pk", None) is not None else None


def _role_of(actor: Any) -> str:
    return str(getattr(actor, "role", "") or "") if actor is not None else ""


def _role_names(actor: Any, roles: Collection[str]) -> tuple[str, str]:
    """(label of the actor's role, labels of the allowed roles) from the user model's choices."""
    labels: dict[str, str] = {}
    if actor is not None:
        try:
            # ``actor._meta``, not ``type(actor)._meta``: request.user is a lazy proxy object.
            labels = {str(k): str(v) for k, v in actor._meta.get_field("role").flatchoices}
        except FieldDoesNotExist:  # a user model without a role field: show the codes
            labels = {}
    mine = labels.get(_role_of(actor), _role_of(actor)) if actor is not None else _("系统")
    return mine, "、".join(labels.get(r, r) for r in sorted(roles))


def _role_refusal(actor: Any, roles: Collection[str], what: str) -> str:
    mine, allowed = _role_names(actor, roles)
    return _("%(what)s须由%(allowed)s办理，您的角色是%(mine)s") % {"what": what, "allowed": allowed, "mine": mine}


def add_working_days(start: date, days: int) -> date:
    """``start`` plus ``days`` working days, Monday–Friday (holidays and 调休 not modelled)."""
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def workflow_for(obj: Model | type[Model], transition_name: str | None = None, *, chain: bool = False) -> Workflow:
    """The registered workflow of ``obj``'s model (the one holding ``transition_name``, or with a chain)."""
    label = _label_of(obj if isinstance(obj, type) else type(obj))
    flows = _REGISTRY.get(label, [])
    if transition_name is not None:
        flows = [w for w in flows if transition_name in w.transitions] or flows
    if chain:
        flows = [w for w in flows if w.chain is not None]
    if len(flows) != 1:
        raise ImproperlyConfigured(f"{label}: {len(flows)} matching workflows; call the Workflow's method instead")
    return flows[0]


def ensure_chain(code: str, name: str, stages: Sequence[tuple[str, str, int]]) -> ApprovalChain:
    """Create or update the chain ``code`` to exactly these stages ``(name, role, deadline_days)``.

    Idempotent: the same call twice leaves the same rows.  Stages beyond the new list are removed,
    unless they have been acted on (``ValueError``: history must keep its stages).
    """
    if not stages:
        raise ValueError("an approval chain needs at least one stage")
    with transaction.atomic():
        chain, _created = ApprovalChain.objects.get_or_create(code=code, defaults={"name": name})
        if chain.name != name:
            chain.name = name
            chain.save(update_fields=["name"])
        existing = {s.order: s for s in chain.stages.all()}
        for order, (stage_name, role, deadline_days) in enumerate(stages, start=1):
            wanted = {"name": stage_name, "role": str(role), "deadline_days": deadline_days}
            stage = existing.pop(order, None)
            if stage is None:
                ApprovalStage.objects.create(chain=chain, order=order, **wanted)
            elif any(getattr(stage, k) != v for k, v in wanted.items()):
                for k, v in wanted.items():
                    setattr(stage, k, v)
                stage.save(update_fields=list(wanted))
        for stage in existing.values():
            try:
                with transaction.atomic():
                    stage.delete()
            except ProtectedError:
                raise ValueError(f"环节“{stage.name}”已有办理记录，不能删除") from None
    return chain


# -- module-level entry points: find the workflow from the object ----------------------------------


def apply(
    obj: Model,
    transition_name: str,
    *,
    actor: Any,
    note: str = "",
    stage: ApprovalStage | int | None = None,
    **changes: Any,
) -> TransitionLog:
    """See ``Workflow.apply``."""
    return workflow_for(obj, transition_name).apply(
        obj, transition_name, actor=actor, note=note, stage=stage, **changes
    )


def available_transitions(obj: Model, actor: Any) -> list[Transition]:
    """Every registered workflow's transitions that ``actor`` may perform on ``obj`` now."""
    flows = _REGISTRY.get(_label_of(type(obj)), [])
    return [t for w in flows for t in w.available_transitions(obj, actor)]


def history(obj: Model) -> list[TransitionLog]:
    """All transitions of ``obj`` (every workflow), oldest first, with display labels."""
    flows = _REGISTRY.get(_label_of(type(obj)), [])
    rows = [row for w in flows for row in w.history(obj)]
    return sorted(rows, key=lambda r: (r.at, r.pk))


def chain_progress(obj: Model) -> ChainProgress | None:
    return workflow_for(obj, chain=True).progress(obj)


def current_stage(obj: Model) -> ApprovalStage | None:
    """The stage awaiting a decision, or None when no approval round is in progress."""
    progress = chain_progress(obj)
    return progress.current if progress else None


def stage_due(obj: Model) -> date | None:
    """Due date of the current stage (``deadline_days`` working days after it became current)."""
    progress = chain_progress(obj)
    return progress.due if progress else None


def _decide(
    step: ChainStep, obj: Model, actor: Any, note: str, stage: ApprovalStage | int | None, **changes: Any
) -> TransitionLog:
    flow = workflow_for(obj, chain=True)
    t = flow._step_transition(step, getattr(obj, flow.field))
    return flow.apply(obj, t.name, actor=actor, note=note, stage=stage, **changes)


def approve(
    obj: Model, *, actor: Any, note: str = "", stage: ApprovalStage | int | None = None, **changes: Any
) -> TransitionLog:
    """Approve the current stage: the next stage becomes current, or after the last the object is approved."""
    return _decide(ChainStep.APPROVE, obj, actor, note, stage, **changes)


def send_back(
    obj: Model, *, actor: Any, note: str = "", stage: ApprovalStage | int | None = None, **changes: Any
) -> TransitionLog:
    """Return the object to its submitter (退回); the round ends, a new submission starts at stage 1."""
    return _decide(ChainStep.RETURN, obj, actor, note, stage, **changes)


def reject(
    obj: Model, *, actor: Any, note: str = "", stage: ApprovalStage | int | None = None, **changes: Any
) -> TransitionLog:
    """Refuse the object at the current stage (不予通过); the round ends."""
    return _decide(ChainStep.REJECT, obj, actor, note, stage, **changes)
