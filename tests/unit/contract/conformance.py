"""Checks a real handler response against the contract: the operation's declared success model
(exactly: no member the model lacks, none it requires missing), or a catalogued error it declares."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, TypeAdapter

from fortytwo.contract.envelope import Error, Meta, OAuthError, PageMeta
from fortytwo.contract.errors import CATALOGUE, OAUTH_CATALOGUE
from fortytwo.contract.operations import OPERATIONS, Operation
from tests.conftest import Response

OPERATIONS_BY_ID: dict[str, Operation] = {op.operation_id: op for op in OPERATIONS}


def exact(model: type[BaseModel], data: Any) -> BaseModel:
    """Validate, and require the model to give the same JSON back (nothing extra, nothing coerced)."""
    parsed = model.model_validate(data)
    assert parsed.model_dump(mode="json", exclude_unset=True) == data, (model.__name__, data)
    return parsed


def check_error(response: Response, allowed: tuple[str, ...] | None = None) -> dict[str, Any]:
    body = response.json()
    exact(Error, body)
    error = body["error"]
    # A code answered with two statuses (400 and 406 `invalid_request`) has an entry per status.
    found = [s for s in CATALOGUE.values() if s.code == error["code"]]
    assert found, f"{error['code']} is not in the error catalogue"
    spec = next((s for s in found if s.status == response.status), None)
    assert spec is not None, (error["code"], response.status)
    declared = None if allowed is None else {CATALOGUE[key].code for key in allowed}
    assert declared is None or error["code"] in declared, (
        f"{error['code']} is not declared for this operation"
    )
    shape = spec.details.__annotations__
    assert set(error["details"]) == set(shape), (error["code"], error["details"])
    TypeAdapter(spec.details).validate_python(error["details"])
    assert error["request_id"] == response.headers["x-request-id"]
    for name, value in spec.fixed_headers.items():
        assert response.headers[name.lower()] == value, (error["code"], name)
    for name in spec.headers:
        assert name.lower() in response.headers, (error["code"], name)
    return body


def check(operation_id: str, response: Response) -> Any:
    """The response body, after checking it against the operation's declaration."""
    op = OPERATIONS_BY_ID[operation_id]
    successes = {s.status: s for s in op.success}
    if response.status not in successes:
        if response.status in op.oauth_errors:
            body = response.json()
            exact(OAuthError, body)
            assert body["error"] in OAUTH_CATALOGUE, body
            assert response.status in OAUTH_CATALOGUE[body["error"]].statuses, body
            return body
        return check_error(response, op.errors)
    success = successes[response.status]
    if success.shape == "none":
        assert response.text == "", response.text
        return None
    body = response.json()
    assert success.model is not None
    if success.shape == "raw":
        exact(success.model, body)
        return body
    assert set(body) == {"data", "meta"}, body
    exact(PageMeta if success.shape == "page" else Meta, body["meta"])
    assert body["meta"]["request_id"] == response.headers["x-request-id"]
    if success.shape == "envelope":
        exact(success.model, body["data"])
    else:
        assert isinstance(body["data"], list)
        for item in body["data"]:
            exact(success.model, item)
    return body
