"""Idempotent writes over REST (30-bookings §9): the record is consulted after the header and body
checks and before the endpoint's own checks (§9.4); the protocol itself is `services/idempotency.py`.

`idempotent_write` is the one call of a bearer write handler once it has parsed its request; `run`
is the same record for the MCP tools (50-mcp §6), so an MCP call and the REST request replay each
other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypedDict, TypeVar, Unpack

from starlette.requests import Request
from starlette.responses import Response

from fortytwo.domain import clock
from fortytwo.domain.auth import AuthContext
from fortytwo.domain.bookings.headers import etag, fingerprint, idempotency_key
from fortytwo.http.body import json_body
from fortytwo.http.checks import parsed
from fortytwo.http.guard import request_state
from fortytwo.http.responses import dumps
from fortytwo.services import idempotency
from fortytwo.services.idempotency import Attempt, Reply

T = TypeVar("T")


class Write(TypedDict, Generic[T]):
    """One idempotent write: the REST request its fingerprint names, and how it runs and answers."""

    key: str
    method: str
    route: str
    path_params: Mapping[str, str]
    body: Mapping[str, Any]
    now: datetime
    render: Callable[[T], Reply]
    write: Callable[[Attempt[T]], T]


@dataclass(frozen=True, slots=True)
class Keyed:
    """A write under an `Idempotency-Key`: the key, and the body its fingerprint names (what the
    endpoint reads of it: `{}` where the body is ignored)."""

    key: str
    body: dict[str, Any]


async def keyed_body(request: Request, *, required: bool = True) -> Keyed:
    """The key, then the JSON body (00-conventions §5.3 steps 6 and 8); `required=False`: an empty
    body is `{}`."""
    key = required_key(request)
    return Keyed(key, await json_body(request, required=required))


def required_key(request: Request) -> str:
    """The `Idempotency-Key` of a write that requires one (30-bookings §9.1, 55-admin-center §6):
    400 `missing_idempotency_key` / `invalid_idempotency_key`."""
    return parsed(lambda: idempotency_key(request.headers.get("idempotency-key")))


def as_response(reply: Reply, *, replayed: bool) -> Response:
    """The answer as first sent; a replay adds `Idempotent-Replayed` and the original request id."""
    headers = {"Content-Type": "application/json", **reply.headers}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
        headers["X-Request-Id"] = reply.request_id  # the original request's id (00-conventions §6)
    return Response(reply.body.encode("utf-8"), status_code=reply.status, headers=headers)


def stored_reply(request_id: str, status: int, data: Any, version: int) -> Reply:
    """The 2xx answer of a versioned write as stored for replays: the resource, this request's id
    and the resource's ETag."""
    body = dumps({"data": data, "meta": {"request_id": request_id}}).decode("utf-8")
    return Reply(status, body, request_id, {"ETag": etag(version)})


def run(
    auth: AuthContext, *, request_id: str, lambda_context: object, **call: Unpack[Write[T]]
) -> tuple[Reply, bool]:
    """(answer, replayed) for `call` under `key`: the one record both surfaces use (REST handlers,
    MCP tools: 50-mcp §6)."""
    return idempotency.run(
        idempotency.Request(
            organization_id=auth.account_id,
            credential_id=auth.credential_id,
            request_id=request_id,
            key=call["key"],
            fingerprint=fingerprint(call["method"], call["route"], call["path_params"], call["body"]),
            now=call["now"],
            lambda_context=lambda_context,
        ),
        call["render"],
        call["write"],
    )


def idempotent(request: Request, auth: AuthContext, **call: Unpack[Write[T]]) -> Response:
    """Replay, refuse (409), or run `write` under this request's reservation and render its result."""
    reply, replayed = run(
        auth,
        request_id=request_state(request).request_id,
        lambda_context=request.scope.get("aws.context"),
        **call,
    )
    return as_response(reply, replayed=replayed)


def idempotent_write(
    request: Request,
    auth: AuthContext,
    call: Keyed,
    write: Callable[[datetime, Attempt[T]], T],
    answer: Callable[[T], tuple[Any, int]],
    *,
    status: int = 200,
) -> Response:
    """A bearer write handler's one call after its checks: run `write(now, finish)` once per
    `Idempotency-Key` and answer `status` with the resource and ETag that `answer` gives.

    The fingerprint (§9.2) names this request: its method, the matched route template, its path
    parameters lower-cased (ids compare case-insensitively; a non-UUID is then a 404) and the
    body of `call`."""
    now = clock.now()
    request_id = request_state(request).request_id
    route = request.scope["route"].path
    path_params = {name: str(value).lower() for name, value in request.path_params.items()}

    def render(result: T) -> Reply:
        return stored_reply(request_id, status, *answer(result))

    return idempotent(
        request,
        auth,
        key=call.key,
        method=request.method,
        route=route,
        path_params=path_params,
        body=call.body,
        now=now,
        render=render,
        write=lambda finish: write(now, finish),
    )
