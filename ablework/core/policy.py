"""Policy parameters: the one place rules read policy numbers from (policy-rules §18).

A parameter is effective-dated and may be set city-wide (``district`` empty) or per district; a
district row wins over the city row for the same date.  Year-keyed parameters (levy year, data year)
are stored with ``valid_from`` = 1 January of that year.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from ablework.core import audit
from ablework.core.explain import ParamRef
from ablework.core.models import District, PolicyParameter

_MISSING = object()


class PolicyParameterMissing(LookupError):
    def __init__(self, key: str, on: date, district: District | None) -> None:
        where = f"{district.name}或全市" if district else "全市"
        super().__init__(f"政策参数“{key}”在{on:%Y-%m-%d}没有{where}的有效取值，请由市级管理员维护")
        self.key = key


@dataclass(frozen=True)
class ParamValue:
    key: str
    value: Any
    source: str
    confirmed: bool
    valid_from: date
    valid_to: date | None
    district_code: str = ""

    @property
    def decimal(self) -> Decimal:
        return Decimal(str(self.value))

    def ref(self) -> ParamRef:
        return ParamRef(self.key, self.value, self.source, self.confirmed)


def _effective(key: str, on: date) -> Q:
    return Q(key=key, valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))


_read_cache: ContextVar[dict[tuple[Any, ...], ParamValue] | None] = ContextVar("policy_read_cache", default=None)


@contextmanager
def read_once() -> Iterator[None]:
    """Within the block, each (key, date, district, default) is read from the database once.

    For batch work that reads the same parameters for thousands of rows (a seed, a recomputation).
    Only where no parameter changes inside the block; ``save_param`` clears the cache anyway.
    """
    token = _read_cache.set({})
    try:
        yield
    finally:
        _read_cache.reset(token)


def get_param(key: str, *, on: date, district: District | None = None, default: Any = _MISSING) -> ParamValue:
    """The value of ``key`` in force on ``on`` for ``district`` (falling back to the city value).

    Raises ``PolicyParameterMissing`` when none is in force and no ``default`` is given.
    """
    cache = _read_cache.get()
    if cache is None:
        return _get_param(key, on=on, district=district, default=default)
    ck = (key, on, district.pk if district is not None else None, repr(default))
    if ck not in cache:
        cache[ck] = _get_param(key, on=on, district=district, default=default)
    return cache[ck]


def _get_param(key: str, *, on: date, district: District | None, default: Any) -> ParamValue:
    qs = PolicyParameter.objects.filter(_effective(key, on))
    if district is not None:
        qs = qs.filter(Q(district=district) | Q(district__isnull=True))
    else:
        qs = qs.filter(district__isnull=True)
    # District rows first, then the latest start date.
    rows = sorted(qs.select_related("district"), key=lambda p: (p.district_id is None, -p.valid_from.toordinal()))
    if not rows:
        if default is _MISSING:
            raise PolicyParameterMissing(key, on, district)
        return ParamValue(key, default, "默认值（未配置）", False, on, None)
    p = rows[0]
    return ParamValue(
        key=p.key,
        value=p.value,
        source=p.source,
        confirmed=p.confirmed,
        valid_from=p.valid_from,
        valid_to=p.valid_to,
        district_code=p.district.code if p.district else "",
    )


def get_params(keys: list[str], *, on: date, district: District | None = None) -> dict[str, ParamValue]:
    return {k: get_param(k, on=on, district=district) for k in keys}


_AUDITED_FIELDS = ("key", "district_id", "valid_from", "valid_to", "value", "source", "confirmed", "note")


def save_param(param: PolicyParameter, *, actor: Any, purpose: str = "维护政策参数") -> PolicyParameter:
    """Create or change one parameter row; the change and its before/after go to the audit log."""
    cache = _read_cache.get()
    if cache is not None:
        cache.clear()
    with transaction.atomic():
        before = {}
        if param.pk:
            old = PolicyParameter.objects.select_for_update().get(pk=param.pk)
            before = {f: getattr(old, f) for f in _AUDITED_FIELDS}
        param.full_clean()
        param.updated_by = actor if getattr(actor, "pk", None) else None
        param.save()
        after = {f: getattr(param, f) for f in _AUDITED_FIELDS}
        audit.record(
            audit.AuditAction.UPDATE if before else audit.AuditAction.CREATE,
            actor=actor,
            obj=param,
            changes=audit.diff(before, after),
            purpose=purpose,
        )
    return param
