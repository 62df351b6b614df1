"""Makers for employer tests: valid credit codes (with a correct GB 11714 organisation-code check, so
the parser adds no warning of its own) and units written straight to the table."""

from __future__ import annotations

import itertools
from typing import Any

from ablework.core.identifiers import uscc_check_char
from ablework.core.models import District
from ablework.core.scoping import unscoped
from ablework.employers.models import Employer

_serial = itertools.count(1)
_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_check(body8: str) -> str:
    s = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, _WEIGHTS, strict=True))
    r = 11 - s % 11
    return {10: "X", 11: "0"}.get(r, str(r))


def code(prefix: str = "91", region: str = "120101", serial: int | None = None) -> str:
    """A valid 统一社会信用代码 with the given registration-department + category prefix."""
    body8 = f"{serial if serial is not None else next(_serial):08d}"
    first17 = f"{prefix}{region}{body8}{org_check(body8)}"
    return first17 + uscc_check_char(first17)


def make_employer(district_code: str = "120101", *, kind: str = "enterprise", name: str = "", **kw: Any) -> Employer:
    prefix = {"agency": "11", "institution": "12", "social_org": "51", "individual": "92"}.get(kind, "91")
    if kind == "agency":
        kw.setdefault("agency_level", "district")
    if kind in ("agency", "institution"):
        kw.setdefault("establishment_size", 80)
    with unscoped():
        return Employer.objects.create(
            uscc=kw.pop("uscc", None) or code(prefix, district_code),
            name=name or f"测试单位{next(_serial)}",
            kind=kind,
            district=District.objects.get(code=district_code),
            **kw,
        )
