"""Explanations carried by every computed amount or eligibility decision.

Pure Python (no Django) so that ``rules.py`` modules can build them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class ParamRef:
    key: str
    value: Any
    source: str
    confirmed: bool


@dataclass(frozen=True)
class Step:
    label: str
    formula: str
    value: Any
    params: tuple[ParamRef, ...] = ()
    outcome: str = ""  # for criteria: "met" / "not_met" / "needs_document"


@dataclass
class Explanation:
    title: str
    steps: list[Step] = field(default_factory=list)

    def add(self, label: str, formula: str, value: Any, *params: ParamRef, outcome: str = "") -> Any:
        self.steps.append(Step(label, formula, value, tuple(params), outcome))
        return value

    def as_dict(self) -> dict[str, Any]:
        def conv(v: Any) -> Any:
            return str(v) if isinstance(v, Decimal) else v

        return {
            "title": self.title,
            "steps": [
                {
                    "label": s.label,
                    "formula": s.formula,
                    "value": conv(s.value),
                    "outcome": s.outcome,
                    "params": [
                        {"key": p.key, "value": conv(p.value), "source": p.source, "confirmed": p.confirmed}
                        for p in s.params
                    ],
                }
                for s in self.steps
            ],
        }
