"""The request pipeline's first steps for bearer endpoints (00-conventions §5.3 steps 2–5).

authenticate (to pick the bucket) → count → 401 → scope. Used as a FastAPI dependency.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request

from fortytwo.config import get_settings
from fortytwo.contract.errors import InsufficientScope, InvalidToken, TokenExpired, TokenRevoked
from fortytwo.domain import clock
from fortytwo.domain.auth import AuthContext
from fortytwo.http import ratelimit
from fortytwo.http.auth import authenticate
from fortytwo.http.body import raw_body
from fortytwo.http.context import RequestState
from fortytwo.observability import logger
from fortytwo.services.auth import Refused, after_authentication

_FAILURES = {"invalid_token": InvalidToken, "token_expired": TokenExpired, "token_revoked": TokenRevoked}


def rest_resource() -> str:
    """The token audience of `/v1/*`: the issuer itself (50-mcp §4.5)."""
    return get_settings().public_base_url


def client_ip(request: Request) -> str:
    event = request.scope.get("aws.event") or {}
    source = event.get("requestContext", {}).get("http", {}).get("sourceIp")
    if source:
        return str(source)
    return request.client.host if request.client else "unknown"


def request_state(request: Request) -> RequestState:
    state: RequestState = request.state.ctx
    return state


def count_anonymous(request: Request, bucket: str = "anonymous") -> None:
    """Count a request that has no credential (discovery, OAuth endpoints, 404/405) in an IP bucket."""
    state = request_state(request)
    if not state.counted:
        ratelimit.count(state, bucket, client_ip(request))


def authenticated(request: Request, resource: str) -> AuthContext:
    """Authenticate for the surface `resource` (its token audience), pick the bucket and count, then
    401 (00-conventions §5.3 steps 2–4). The REST guard and the MCP front both start here."""
    state = request_state(request)
    now = clock.now()
    outcome = authenticate(request.headers.get("authorization"), now, resource)
    if isinstance(outcome, Refused):
        ratelimit.count(state, "anonymous", client_ip(request))
        raise _FAILURES[outcome.code]()
    context = outcome.context
    ratelimit.count(state, context.bucket, context.bucket_key)
    state.auth = context
    logger.thread_safe_append_keys(account_id=context.account_id, credential_id=context.credential_id)
    after_authentication(outcome, now)
    return context


async def require(request: Request, scope: str | None, *, check_body_size: bool = True) -> AuthContext:
    """Steps 2–5 for a bearer endpoint, called as the handler's first line (a FastAPI `Depends`
    costs a dependency solve per request: bench/warm_cpu.py).

    `check_body_size=False` leaves the 413 to the endpoint: the booking writes check
    `Idempotency-Key` and `If-Match` first (00-conventions §5.3 steps 6–8)."""
    context = authenticated(request, rest_resource())
    if scope is not None and not context.has_scope(scope):
        raise InsufficientScope(scope)
    # The size limit holds for every request, bodiless endpoints included (00-conventions §3.2).
    if check_body_size and _may_have_body(request):
        await raw_body(request)
    return context


def _may_have_body(request: Request) -> bool:
    """False when API Gateway's event carries no body: nothing to measure, and reading it through
    Mangum's receive queue is ~4 % of a warm GET (bench/warm_cpu.py). Outside Lambda, read."""
    event = request.scope.get("aws.event")
    return event is None or bool(event.get("body"))


def bearer(scope: str | None, *, check_body_size: bool = True) -> Callable[[Request], Awaitable[AuthContext]]:
    """`require` as a FastAPI dependency."""

    async def dependency(request: Request) -> AuthContext:
        return await require(request, scope, check_body_size=check_body_size)

    return dependency
