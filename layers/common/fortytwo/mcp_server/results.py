"""Tool results and tool errors (50-mcp §5.2, §7.2–§7.3): `structuredContent` plus one text block
with the same compact JSON; failures carry the REST error object, with argument names."""

from __future__ import annotations

import json
from typing import Any

import mcp_types as types

from fortytwo.contract.errors import ApiError

REQUEST_ID_META = "us.fortytwomin/requestId"
REPLAYED_META = "us.fortytwomin/idempotentReplayed"

# REST names → argument names (§7.3).
_ARGUMENT_NAMES = {
    "event_type_id": "event_type",
    "username": "event_type",
    "event_slug": "event_type",
    "If-Match": "version",
    "Idempotency-Key": "idempotency_key",
}
# Codes that become `validation_error` on one argument (§7.3), with the argument they name.
_AS_VALIDATION = {
    "invalid_request": "event_type",
    "invalid_idempotency_key": "idempotency_key",
    "invalid_if_match": "version",
}
_RETRYABLE = ("idempotency_in_progress", "service_unavailable", "slot_lock_timeout")


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def success(data: dict[str, Any], request_id: str, *, replayed: bool = False) -> types.CallToolResult:
    meta: dict[str, Any] = {REQUEST_ID_META: request_id}
    if replayed:
        meta[REPLAYED_META] = True
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=compact(data))],
        structured_content=data,
        is_error=False,
        _meta=meta,
    )


def _renamed(fields: list[dict[str, str]]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for entry in fields:
        name = entry.get("field", "")
        head, sep, rest = name.partition(".")
        out.append({**entry, "field": _ARGUMENT_NAMES.get(head, head) + sep + rest})
    return out


def error_object(err: ApiError, request_id: str) -> dict[str, Any]:
    """The REST error object of §7.2 for a failure inside a tool."""
    code, message, details = err.code, err.message, dict(err.details)
    if code == "validation_error":
        details["fields"] = _renamed(list(details.get("fields", [])))
    elif code == "invalid_query_param":
        param = str(details.get("param", ""))
        param = _ARGUMENT_NAMES.get(param, param)
        code, details = "validation_error", {"fields": [{"field": param, "message": message}]}
    elif code in _AS_VALIDATION:
        field = _AS_VALIDATION[code]
        code, details = "validation_error", {"fields": [{"field": field, "message": message}]}
    if code in _RETRYABLE:
        details["retry_after_seconds"] = 1
    if code == "validation_error":
        message = "The tool arguments are invalid"
    return {"code": code, "message": message, "details": details, "request_id": request_id}


def failure(err: ApiError, request_id: str) -> types.CallToolResult:
    body = {"error": error_object(err, request_id)}
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=compact(body))],
        structured_content=body,
        is_error=True,
        _meta={REQUEST_ID_META: request_id},
    )
