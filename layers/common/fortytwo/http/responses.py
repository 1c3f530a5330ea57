"""The success envelope and the ONE place that renders errors (00-conventions §4–5)."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from fortytwo.contract.errors import ApiError
from fortytwo.http import context


def dumps(value: Any) -> bytes:
    return _ENCODER.encode(value).encode()


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # built once, not per response


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(body), status_code=status, headers=headers, media_type="application/json")


def ok(
    data: Any, status: int = 200, *, meta: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> Response:
    return json_response(
        {"data": data, "meta": {"request_id": context.request_id(), **(meta or {})}}, status, headers
    )


def page(data: list[Any], next_cursor: str | None, headers: dict[str, str] | None = None) -> Response:
    return ok(data, meta={"next_cursor": next_cursor, "has_more": next_cursor is not None}, headers=headers)


def no_content() -> Response:
    return Response(status_code=204)


def error_body(err: ApiError) -> dict[str, Any]:
    return {
        "error": {
            "code": err.code,
            "message": err.message,
            "details": err.details,
            "request_id": context.request_id(),
        }
    }


def render_error(err: ApiError) -> Response:
    return json_response(error_body(err), err.status, dict(err.headers))
