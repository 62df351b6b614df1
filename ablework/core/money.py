"""Money: Decimal throughout, rounded half-up to 0.01 CNY only on final amounts (policy-rules R4.7)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

FEN = Decimal("0.01")
# 28+ significant digits for intermediates, as R4.7 requires.
CONTEXT = Context(prec=40)


def to_decimal(value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    return Decimal(str(value))


def round_fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)
