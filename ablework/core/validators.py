"""Model-field validators built on the identifier parsers, so models, forms and imports agree."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from ablework.core.identifiers import IdentifierError, parse_disability_cert, parse_resident_id, parse_uscc


def validate_uscc(value: str) -> None:
    try:
        parsed = parse_uscc(value)
    except IdentifierError as exc:
        raise ValidationError(str(exc), code="invalid_uscc") from None
    if parsed.code != value:
        raise ValidationError("统一社会信用代码须为大写、无空格的18位代码", code="not_normalised")


def validate_resident_id(value: str) -> None:
    try:
        parse_resident_id(value)
    except IdentifierError as exc:
        raise ValidationError(str(exc), code="invalid_resident_id") from None


def validate_disability_cert(value: str) -> None:
    try:
        parse_disability_cert(value)
    except IdentifierError as exc:
        raise ValidationError(str(exc), code="invalid_disability_cert") from None
