"""FastAPI app factory shared by every API function: request ids, headers, errors rendered in one place."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

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
from fortytwo.observability import logger


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


def create_app(title: str) -> FastAPI:
    app = FastAPI(title=title, docs_url=None, redoc_url=None, openapi_url=None)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _unmatched)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_middleware(_CollapseSlashes)

    @app.middleware("http")
    async def pipeline(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        state = RequestState(request_id=new_request_id(), arrived_ms=int(time.time() * 1000))
        request.state.ctx = state
        token = context.current.set(state)
        logger.thread_safe_clear_keys()
        logger.thread_safe_append_keys(request_id=state.request_id)
        try:
            try:
                response = await call_next(request)
            except ApiError as exc:
                response = render_error(exc)
            except Exception:
                logger.exception("unhandled error")
                response = render_error(InternalError())
            _finish_headers(request, response, state)
            logger.info(
                "request",
                extra={
                    "route": f"{request.method} {raw_path(request)}",
                    "status": response.status_code,
                    "latency_ms": round((time.perf_counter() - started) * 1000, 2),
                    "bucket": state.rate.bucket if state.rate else None,
                },
            )
            return response
        finally:
            context.current.reset(token)

    return app


def _finish_headers(request: Request, response: Response, state: RequestState) -> None:
    headers = response.headers
    if "x-request-id" not in headers:
        headers["X-Request-Id"] = state.request_id
    for name, value in ratelimit.headers(state.rate).items():
        headers[name] = value
    if "cache-control" not in headers:
        headers["Cache-Control"] = "no-store"
    if response.status_code == 204 and "content-type" in headers:
        del headers["content-type"]
