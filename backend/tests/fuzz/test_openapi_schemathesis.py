"""Schemathesis against our OpenAPI document: every operation, a fixed seed, a guest's token.

Each generated request must get a non-5xx answer whose status is documented for that operation
and whose body matches the documented schema. Runtime stays bounded by the example budget.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from schemathesis import checks
from schemathesis.generation.case import Case

from tests.fuzz.conftest import ThreadedServer

pytestmark = [pytest.mark.fuzz, pytest.mark.timeout(300)]
EXAMPLES_PER_OPERATION = 20
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture(scope="module")
def api_schema(fuzz_server: ThreadedServer) -> Any:
    return schemathesis.openapi.from_url(f"{fuzz_server.base_url}/api/openapi.json")


def test_every_operation_answers_as_documented(api_schema: Any, fuzz_server: ThreadedServer) -> None:
    # Operations are walked here rather than through schemathesis' pytest plugin, which does not
    # support pytest 9 yet; failures are collected per operation and reported together.
    failures: dict[str, str] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 30, "the OpenAPI document lost operations"
    for operation in operations:
        # A fresh guest per operation: one operation ending its session must not starve the next.
        headers = {"Authorization": f"Bearer {fuzz_server.new_guest_token()}"}
        try:
            _fuzz(operation, fuzz_server.base_url, headers)
        except BaseExceptionGroup as exc:  # the checks that failed: report every operation at once
            failures[operation.label] = _summary(exc)
    assert not failures, "\n\n".join(f"{label}:\n{detail}" for label, detail in failures.items())


def _summary(group: BaseExceptionGroup[BaseException]) -> str:
    return str(group.exceptions[0] if len(group.exceptions) == 1 else group)[:1200]


def _fuzz(operation: Any, base_url: str, guest_headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @seed(20261126)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
        print_blob=False,
    )
    def run(case: Case) -> None:
        headers = {**guest_headers, **(case.headers or {})}
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS, timeout=30)

    run()
