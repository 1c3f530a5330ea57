"""The `idempotent` wrapper of the booking writes and the webhook redelivery (30-bookings §9): the
record is consulted after the header and body checks and before the endpoint's own checks (§9.4);
the protocol itself is `services/idempotency.py`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from fortytwo.domain.auth import AuthContext
from fortytwo.domain.bookings.headers import fingerprint, idempotency_key
from fortytwo.http.guard import request_state
from fortytwo.services import idempotency
from fortytwo.services.bookings_errors import contract_errors
from fortytwo.services.idempotency import Attempt, Reply

T = TypeVar("T")


def required_key(request: Request) -> str:
    """The `Idempotency-Key` of a write that requires one (30-bookings §9.1, 55-admin-center §6):
    400 `missing_idempotency_key` / `invalid_idempotency_key`."""
    with contract_errors():
        return idempotency_key(request.headers.get("idempotency-key"))


def as_response(reply: Reply, *, replayed: bool) -> Response:
    """The answer as first sent; a replay adds `Idempotent-Replayed` and the original request id."""
    headers = {"Content-Type": "application/json", **reply.headers}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
        headers["X-Request-Id"] = reply.request_id  # the original request's id (00-conventions §6)
    return Response(reply.body.encode("utf-8"), status_code=reply.status, headers=headers)


def run(
    auth: AuthContext,
    *,
    request_id: str,
    lambda_context: object,
    key: str,
    method: str,
    route: str,
    path_params: Mapping[str, str],
    body: Mapping[str, Any],
    now: datetime,
    render: Callable[[T], Reply],
    write: Callable[[Attempt[T]], T],
) -> tuple[Reply, bool]:
    """(answer, replayed) for the REST request `method route path_params body` with `key`: the one
    record both surfaces use (REST handlers, MCP tools: 50-mcp §6)."""
    return idempotency.run(
        idempotency.Request(
            organization_id=auth.account_id,
            credential_id=auth.credential_id,
            request_id=request_id,
            key=key,
            fingerprint=fingerprint(method, route, path_params, body),
            now=now,
            lambda_context=lambda_context,
        ),
        render,
        write,
    )


def idempotent(
    request: Request,
    auth: AuthContext,
    *,
    key: str,
    method: str,
    route: str,
    path_params: Mapping[str, str],
    body: Mapping[str, Any],
    now: datetime,
    render: Callable[[T], Reply],
    write: Callable[[Attempt[T]], T],
) -> Response:
    """Replay, refuse (409), or run `write` under this request's reservation and render its result."""
    reply, replayed = run(
        auth,
        request_id=request_state(request).request_id,
        lambda_context=request.scope.get("aws.context"),
        key=key,
        method=method,
        route=route,
        path_params=path_params,
        body=body,
        now=now,
        render=render,
        write=write,
    )
    return as_response(reply, replayed=replayed)
