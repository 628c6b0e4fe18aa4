"""schemathesis over the whole JSON API: every operation, generated inputs (valid and not),
and every check but one: no server error, every status, header, content type and body as the
OpenAPI document says, invalid data refused.

Left out: "positive data acceptance" (whatever the schema admits must be accepted). The schema
cannot state every rule a field obeys (a French phone number, a name mixing scripts, a pasted
password); the API refuses those with a 422 naming the field, which that check counts as a
mismatch."""

from __future__ import annotations

from collections.abc import Callable

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from support.webapp import Staff, seed_dossier

from config.settings import Settings

Auth = Callable[..., dict[str, str]]
EXAMPLES_PER_OPERATION = 150


def test_the_api_keeps_its_contract(
    app: FastAPI, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    seed_dossier(web_settings, staff.case_worker)
    headers = auth(staff.case_worker)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def exercise(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        try:
            exercise()
        except BaseException as exc:  # noqa: BLE001 (every operation runs; all failures reported)
            failures[operation.label] = _summary(exc)
    assert failures == {}, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


def _summary(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return "\n".join(_summary(inner) for inner in exc.exceptions)
    return str(exc)[:4000]
