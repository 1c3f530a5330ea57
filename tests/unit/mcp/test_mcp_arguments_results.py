"""Schema validation into REST field lists, the result and tool-error shapes, and the front's pure
rules (50-mcp §2.2, §2.5, §5.2, §7)."""

from __future__ import annotations

import json

import pytest

from fortytwo.contract.errors import (
    ApiError,
    IdempotencyInProgress,
    InvalidQueryParam,
    ServiceUnavailable,
    SlotUnavailable,
    ValidationFailed,
)
from fortytwo.mcp_server import arguments, front, results
from fortytwo.mcp_server.catalogue import BY_NAME, TOOLS, output_schemas


def fields_of(tool: str, args: dict) -> list[str]:
    with pytest.raises(ValidationFailed) as exc:
        arguments.check(BY_NAME[tool], args)
    return [f["field"] for f in exc.value.details["fields"]]


def test_valid_arguments_pass() -> None:
    arguments.check(BY_NAME["get_me"], {})
    arguments.check(BY_NAME["list_bookings"], {"status": ["confirmed"], "limit": 50})


def test_unknown_missing_and_nested_errors() -> None:
    assert fields_of("get_me", {"x": 1}) == ["x"]
    assert fields_of("get_booking", {}) == ["uid"]
    assert fields_of("get_booking", {"uid": "nope"}) == ["uid"]
    listed = fields_of("list_bookings", {"limit": 0, "status": ["x", "x"]})
    assert listed[0] == "limit" and set(listed[1:]) == {"status", "status[0]", "status[1]"}
    assert fields_of("create_booking", {"guests": ["a", ""], "attendee": {"email": "", "x": 1}}) == [
        "guests[1]",
        "attendee.email",
        "attendee.x",
        "event_type",
        "start",
    ]
    assert fields_of(
        "cancel_booking", {"uid": "0" * 8 + "-0000-0000-0000-" + "0" * 12, "idempotency_key": "é"}
    ) == ["idempotency_key"]
    assert fields_of("update_booking", {"uid": "x", "version": 0}) == ["uid", "version"]


def test_catalogue_shapes() -> None:
    assert [t.name for t in TOOLS] and len({t.name for t in TOOLS}) == len(TOOLS)
    schemas = output_schemas()
    for tool in TOOLS:
        assert tool.input_schema["type"] == "object" and tool.input_schema["additionalProperties"] is False
        assert schemas[tool.output]["type"] == "object"
        text = json.dumps(tool.input_schema)
        for word in ("anyOf", "oneOf", "allOf", "$ref", "$schema"):
            assert word not in text
    assert BY_NAME["cancel_booking"].alias == "mcp:scheduling:write"
    assert BY_NAME["get_me"].alias == "mcp:scheduling:read"


def test_success_result() -> None:
    result = results.success({"a": "é"}, "req_1", replayed=True).model_dump(by_alias=True, exclude_none=True)
    assert result["structuredContent"] == {"a": "é"} and result["isError"] is False
    assert result["content"] == [{"type": "text", "text": '{"a":"é"}'}]
    assert result["_meta"] == {"us.fortytwomin/requestId": "req_1", "us.fortytwomin/idempotentReplayed": True}
    plain = results.success({}, "req_2").model_dump(by_alias=True, exclude_none=True)
    assert plain["_meta"] == {"us.fortytwomin/requestId": "req_2"}


@pytest.mark.parametrize(
    ("err", "code", "details"),
    [
        (
            ValidationFailed(
                [{"field": "event_type_id", "message": "m"}, {"field": "attendee.email", "message": "n"}]
            ),
            "validation_error",
            {
                "fields": [
                    {"field": "event_type", "message": "m"},
                    {"field": "attendee.email", "message": "n"},
                ]
            },
        ),
        (
            InvalidQueryParam("cursor", "bad cursor"),
            "validation_error",
            {"fields": [{"field": "cursor", "message": "bad cursor"}]},
        ),
        (  # a REST query parameter named after the argument it came from (§7.3)
            InvalidQueryParam("event_type_id", "event_type_id must be a UUID"),
            "validation_error",
            {"fields": [{"field": "event_type", "message": "event_type_id must be a UUID"}]},
        ),
        (IdempotencyInProgress("busy"), "idempotency_in_progress", {"retry_after_seconds": 1}),
        (ServiceUnavailable(), "service_unavailable", {"retry_after_seconds": 1}),
        (SlotUnavailable("That time is no longer available", "slot_busy"), "slot_unavailable", None),
    ],
)
def test_tool_errors(err: ApiError, code: str, details: dict | None) -> None:
    body = results.failure(err, "req_9").model_dump(by_alias=True, exclude_none=True)
    error = body["structuredContent"]["error"]
    assert body["isError"] is True and error["code"] == code and error["request_id"] == "req_9"
    if details is not None:
        assert error["details"] == details
    assert json.loads(body["content"][0]["text"]) == body["structuredContent"]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"{x", -32700),
        (b"[]", -32600),
        (b"1", -32600),
        (b'{"jsonrpc":"2.0","id":true,"method":"ping"}', -32600),
        (b'{"jsonrpc":"2.0","id":1,"method":"ping","params":[1]}', -32600),
        (b'{"jsonrpc":"2.0","id":1}', -32600),
        (b'{"jsonrpc":"2.0","id":1,"method":"ping"}', None),
        (b'{"jsonrpc":"2.0","method":"notifications/initialized"}', None),
    ],
)
def test_envelope(body: bytes, error: int | None) -> None:
    found = front.envelope_error(body)
    assert (found["error"]["code"] if found else None) == error


@pytest.mark.parametrize(
    ("code", "modern", "status"),
    [(-32602, True, 400), (-32602, False, 200), (-32601, True, 404), (-32601, False, 200),
     (-31403, False, 403), (-32603, True, 200), (-32022, True, 400), (-32020, False, 200)],
)  # fmt: skip
def test_status_table(code: int, modern: bool, status: int) -> None:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "error": {"code": code, "message": "m"}}).encode()
    assert front.status_for(body, modern) == status
    assert front.status_for(b'{"jsonrpc":"2.0","id":1,"result":{}}', modern) == 200


@pytest.mark.parametrize(
    ("accept", "ok"),
    [(None, True), ("application/json", True), ("text/event-stream, application/json;q=0.9", True),
     ("*/*", True), ("APPLICATION/*", True), ("text/event-stream", False), ("text/html", False)],
)  # fmt: skip
def test_accept(accept: str | None, ok: bool) -> None:
    assert front._accepts_json(accept) is ok
