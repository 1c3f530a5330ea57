"""FastAPI app factory shared by every API function: request ids, headers, errors rendered in one place."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fortytwo.config import get_settings
from fortytwo.contract.errors import (
    ApiError,
    InternalError,
    InvalidQueryParam,
    MethodNotAllowed,
    NotFound,
    ValidationFailed,
)
from fortytwo.domain.ids import request_id as new_request_id
from fortytwo.http import context, ratelimit, routes
from fortytwo.http.context import RequestState
from fortytwo.http.guard import count_anonymous
from fortytwo.http.responses import render_error
from fortytwo.observability import log_access, logger


def sent_path(request: Request) -> str:
    """The path as API Gateway handed it over: `rawPath`, already percent-decoded, slashes as sent."""
    event: dict[str, Any] = request.scope.get("aws.event") or {}
    return str(event.get("rawPath") or request.scope.get(_SENT_PATH) or request.url.path)


def raw_path(request: Request) -> str:
    """The path the API routes on: the sent path with runs of slashes collapsed (00-conventions §1)."""
    return routes.canonical_path(sent_path(request))


def route_error(request: Request) -> ApiError:
    """404 or 405 for a request that matched no route of this API (00-conventions §2.1)."""
    allowed = routes.allowed_methods(raw_path(request), dcr_enabled=get_settings().oauth_dcr_enabled)
    if allowed:
        return MethodNotAllowed(request.method, allowed)
    return NotFound()


def unmatched_response(request: Request) -> Response:
    """What a request no route of this function serves gets (after the anonymous count).

    A path that names a route only once its slashes are collapsed, served by another function,
    is redirected there with 308 (method and body kept): on AWS, API Gateway's own matcher may not
    collapse slashes, so `//v1/bookings` can reach the `$default` route (MetaFunction), which can
    serve only its own routes (docs/decisions.md, "Runs of slashes on AWS").
    """
    path = raw_path(request)
    if path != sent_path(request) and request.method in routes.allowed_methods(
        path, dcr_enabled=get_settings().oauth_dcr_enabled
    ):
        query = request.scope.get("query_string", b"").decode("latin-1")
        location = quote(path, safe="/!$&'()*+,;=:@~") + (f"?{query}" if query else "")
        return Response(status_code=308, headers={"Location": location})
    return render_error(route_error(request))


_SENT_PATH = "fortytwo.sent_path"


class _CollapseSlashes:
    """Routes see the canonical path; `sent_path` keeps what API Gateway gave."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope.get("path", "")
            canonical = routes.canonical_path(path)
            if canonical != path:
                scope = {**scope, "path": canonical, _SENT_PATH: path}
        await self.app(scope, receive, send)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return render_error(exc)


async def _unmatched(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    try:
        count_anonymous(request)
    except ApiError as limited:
        return render_error(limited)
    if exc.status_code in (404, 405):
        return unmatched_response(request)
    return render_error(InternalError())


async def _validation(request: Request, exc: Exception) -> Response:
    """FastAPI's own validation (handlers mostly validate by hand, in the contract's order)."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = errors[0] if errors else {}
    loc = list(first.get("loc", ()))
    if loc and loc[0] == "query":
        return render_error(InvalidQueryParam(str(loc[1]) if len(loc) > 1 else "", str(first.get("msg", ""))))
    fields = [
        {
            "field": ".".join(str(p) for p in e.get("loc", ())[1:]),
            "message": str(e.get("msg", "Invalid value")),
        }
        for e in errors
    ]
    return render_error(ValidationFailed(fields))


class _Pipeline:
    """Every request's frame: request id and context, the finishing headers, the access record
    (`observability.log_access`), and the contract's 500 for anything unhandled.

    Plain ASGI on purpose: Starlette's `BaseHTTPMiddleware` (`@app.middleware("http")`) runs the
    app in a task group and pipes the response through memory streams, which cost about a third of
    a warm request's CPU (bench/warm_cpu.py). Headers are finished on the `http.response.start`
    message, before the body is sent, exactly where the response object used to be edited."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state = RequestState(request_id=new_request_id(), arrived_ms=int(time.time() * 1000))
        scope.setdefault("state", {})["ctx"] = state  # what `request.state.ctx` reads
        token = context.current.set(state)
        logger.thread_safe_clear_keys()
        logger.thread_safe_append_keys(request_id=state.request_id)
        status: list[int] = []

        async def finishing(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                _finish_headers(message, state)
            await send(message)

        try:
            try:
                await self.app(scope, receive, finishing)
            except ApiError as exc:
                if status:
                    raise
                await render_error(exc)(scope, receive, finishing)
            except Exception:
                if status:
                    raise
                logger.exception("unhandled error")
                await render_error(InternalError())(scope, receive, finishing)
            log_access(
                {
                    "route": f"{scope['method']} {raw_path(Request(scope))}",
                    "status": status[0] if status else None,
                    "latency_ms": round((time.perf_counter() - started) * 1000, 2),
                    "bucket": state.rate.bucket if state.rate else None,
                }
            )
        finally:
            context.current.reset(token)


def create_app(title: str) -> FastAPI:
    app = FastAPI(title=title, docs_url=None, redoc_url=None, openapi_url=None)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _unmatched)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_middleware(_CollapseSlashes)
    app.add_middleware(_Pipeline)  # added last: the outer one
    return app


def _finish_headers(message: Message, state: RequestState) -> None:
    """Request id, rate-limit headers and `Cache-Control: no-store` unless the response set them;
    no content type on a 204. One pass over the raw header list (bench/warm_cpu.py)."""
    raw: list[tuple[bytes, bytes]] = list(message.get("headers", ()))
    present = {name.lower() for name, _ in raw}
    if message["status"] == 204 and b"content-type" in present:
        raw = [(name, value) for name, value in raw if name.lower() != b"content-type"]
    if b"x-request-id" not in present:
        raw.append((b"x-request-id", state.request_id.encode("latin-1")))
    for name, value in ratelimit.headers(state.rate).items():
        lowered = name.lower().encode("latin-1")
        if lowered in present:
            raw = [(n, v) for n, v in raw if n.lower() != lowered]
        raw.append((lowered, value.encode("latin-1")))
    if b"cache-control" not in present:
        raw.append((b"cache-control", b"no-store"))
    message["headers"] = raw
