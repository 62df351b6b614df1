"""Schemathesis against the running API (loopback ``live_server``) from the committed OpenAPI document:
no 5xx, every status code documented, every body as documented.  Bounded: a few examples per operation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ablework.core.models import AuditLog
from ablework.exchange import actions
from ablework.exchange.enums import Scope

DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "openapi.yaml"
MY_TAGS = {"persons", "employers", "feeds"}
EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _operations() -> list[Any]:
    schema = schemathesis.openapi.from_path(DOCUMENT)
    ops = []
    for result in schema.get_all_operations():
        op = result.ok()  # type: ignore[union-attr]  # an invalid document fails here, loudly
        if MY_TAGS & set(op.definition.raw.get("tags", [])):
            ops.append(op)
    return ops


OPERATIONS = _operations()


@pytest.mark.parametrize("operation", OPERATIONS, ids=[f"{op.method.upper()} {op.path}" for op in OPERATIONS])
def test_api_conforms_to_its_document(operation: Any, live_server: Any, registered: Any) -> None:
    _, key = actions.create_client(
        actor=None, name="schemathesis", department="人社", scopes=list(Scope.values), rate="100000/min"
    )
    registered()
    headers = {"Authorization": f"Bearer {key}"}

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call(base_url=live_server.url, headers=headers, timeout=20)
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()
    # Every call is audited: the examples really reached the server.
    assert AuditLog.objects.filter(changes__path__startswith="/api/v1/").count() >= 3


def test_the_document_covers_every_partner_endpoint() -> None:
    paths = {op.path for op in OPERATIONS}
    assert {"/api/v1/certificates/verify", "/api/v1/feeds/si", "/api/v1/feeds/{kind}/files"} <= paths
