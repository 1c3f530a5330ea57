"""The request pipeline's first steps for bearer endpoints (00-conventions §5.3 steps 2–5).

authenticate (to pick the bucket) → count → 401 → scope. Used as a FastAPI dependency.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from starlette.requests import Request

from fortytwo.contract.errors import InsufficientScope, InvalidToken, TokenExpired, TokenRevoked
from fortytwo.domain import clock
from fortytwo.domain import pats as pat_rules
from fortytwo.domain.auth import AuthContext, AuthFailure
from fortytwo.domain.timefmt import parse_ts
from fortytwo.http import ratelimit
from fortytwo.http.auth import authenticate
from fortytwo.http.body import raw_body
from fortytwo.http.context import RequestState
from fortytwo.observability import logger
from fortytwo.store import pats as pat_store

_FAILURES = {"invalid_token": InvalidToken, "token_expired": TokenExpired, "token_revoked": TokenRevoked}


def client_ip(request: Request) -> str:
    event = request.scope.get("aws.event") or {}
    source = event.get("requestContext", {}).get("http", {}).get("sourceIp")
    if source:
        return str(source)
    return request.client.host if request.client else "unknown"


def request_state(request: Request) -> RequestState:
    return request.state.ctx


def count_anonymous(request: Request, bucket: str = "anonymous") -> None:
    """Count a request that has no credential (discovery, OAuth endpoints, 404/405) in an IP bucket."""
    state = request_state(request)
    if not state.counted:
        ratelimit.count(state, bucket, client_ip(request))


def _touch_last_used(record: dict, now: datetime) -> None:
    last_used = record.get("last_used_at")
    if pat_rules.needs_last_used_update(parse_ts(last_used) if last_used else None, now):
        try:
            pat_store.touch_last_used(record["lookup"], now)
        except Exception as exc:  # noqa: BLE001 - a failed write is logged and ignored (10-auth §3.7)
            logger.warning("last_used_at update failed", extra={"error": type(exc).__name__})


def bearer(scope: str | None, *, check_body_size: bool = True) -> Callable[[Request], Awaitable[AuthContext]]:
    """`check_body_size=False` leaves the 413 to the endpoint: the booking writes check
    `Idempotency-Key` and `If-Match` first (00-conventions §5.3 steps 6–8)."""

    async def dependency(request: Request) -> AuthContext:
        state = request_state(request)
        now = clock.now()
        failure: AuthFailure | None = None
        context: AuthContext | None = None
        record: dict | None = None
        try:
            context, record = authenticate(request.headers.get("authorization"), now)
        except AuthFailure as exc:
            failure = exc
        if context is None:
            ratelimit.count(state, "anonymous", client_ip(request))
            assert failure is not None
            raise _FAILURES[failure.code]()
        ratelimit.count(state, context.bucket, context.bucket_key)
        state.auth = context
        logger.thread_safe_append_keys(account_id=context.account_id, credential_id=context.credential_id)
        if record is not None:
            _touch_last_used(record, now)
        if scope is not None and not context.has_scope(scope):
            raise InsufficientScope(scope)
        # The size limit holds for every request, bodiless endpoints included (00-conventions §3.2).
        if check_body_size:
            await raw_body(request)
        return context

    return dependency
