"""schemathesis over the whole JSON API: every operation, generated inputs (valid and not),
and every check: no server error, every status, header, content type and body as the OpenAPI
document says, invalid data refused, and whatever the schema admits accepted.

Rules a JSON Schema keyword cannot say (a French phone number, a name mixing scripts, a pasted
password) are named formats whose description states them; tests/support/api_formats.py
generates values of each. One rule depends on the data, not the schema: an assignee must be an
active case worker of the team, so a generated, well-formed assignee id names the seeded one."""

from __future__ import annotations

from collections.abc import Callable

import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from support.api_formats import register_api_formats
from support.webapp import Staff, seed_dossier

from config.settings import Settings
from domain.input_fields import MAX_ROW_ID

Auth = Callable[..., dict[str, str]]
EXAMPLES_PER_OPERATION = 50


def test_the_api_keeps_its_contract(
    app: FastAPI, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    seed_dossier(web_settings, staff.case_worker)
    headers = auth(staff.case_worker)
    register_api_formats()
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    # Literals picked from the app's source ("static", route names) are drawn for any string,
    # named formats included, where they break the format's rule: draw from the schema only.
    schema.config.analysis.constants.enabled = False
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
            _name_the_seeded_assignee(case, staff.case_worker.id)
            response = case.call(headers=headers)
            try:
                case.validate_response(response, headers=headers)
            except BaseException as exc:
                exc.add_note(f"request body: {case.body!r:.1500}\nresponse: {response.text:.1500}")
                raise

        try:
            exercise()
        except BaseException as exc:  # noqa: BLE001 (every operation runs; all failures reported)
            failures[operation.label] = _summary(exc)
    assert failures == {}, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


def _name_the_seeded_assignee(case: schemathesis.Case, assignee_id: int | None) -> None:
    body = case.body
    if not isinstance(body, dict):
        return
    value = body.get("assignee_id")
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 1:
        return
    # Only a well-formed id: a malformed one is the point of the case (JSON admits 377.0 as
    # an integer).
    if value <= MAX_ROW_ID and value == int(value):
        body["assignee_id"] = assignee_id


def _summary(exc: BaseException) -> str:
    # The notes hold the failing request and response (added in `exercise`).
    notes = "\n".join(getattr(exc, "__notes__", []))
    if isinstance(exc, BaseExceptionGroup):
        return "\n".join([*(_summary(inner) for inner in exc.exceptions), notes])
    return f"{exc}\n{notes}"[:4000]


def test_the_schema_states_the_rules_the_api_applies(app: FastAPI) -> None:
    with TestClient(app) as client:
        schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    dossier = components["DossierCreate"]["properties"]
    assert dossier["first_name"] | {"description": ""} == {
        "type": "string",
        "format": "name",
        "minLength": 1,
        "pattern": r"\S",
        "title": "First Name",
        "description": "",
    }
    assert "Cc, Cf, Cs, Co" in dossier["address"]["description"]
    assert dossier["phone"]["format"] == "french-phone"
    assert dossier["creditors"]["minItems"] == 1
    assert "analysis_report" not in dossier["expected_documents"]["items"]["enum"]
    capacity = components["CapacityRequest"]["properties"]
    assert capacity["on"]["formatMinimum"] == "2024-04-01"
    assert capacity["monthly_resources"]["anyOf"][0]["multipleOf"] == 0.01
    token = components["TokenForm"]["properties"]
    assert token["username"]["minLength"] == 1
