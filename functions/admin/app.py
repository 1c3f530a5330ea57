"""AdminFunction: Admin Center → API pages (55-admin-center) under `/360/…`.

Sign-in and sign-out, the three tabs (`GET /360/api?tab=…`) and their form actions
(`POST /360/api/…`), server-rendered, every action a plain form answered with 303. Each request:
rate limit → session (cookie) → for POSTs the same-origin and CSRF checks → ONE page view or action
(`http/admin_pages`, calling the services the CLI and the API call) → page with the §2 headers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import parse_qs, parse_qsl, quote

from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from fortytwo.config import get_settings
from fortytwo.contract.errors import ApiError, NotFound, RateLimited
from fortytwo.domain import clock
from fortytwo.domain.admin.sessions import new_session_value
from fortytwo.domain.hashing import same
from fortytwo.http import context
from fortytwo.http.admin_pages import views
from fortytwo.http.admin_pages.layout import STYLESHEET, problem_page, sign_in_page
from fortytwo.http.admin_pages.security import (
    PAGE_HEADERS,
    clear_cookie,
    safe_next,
    same_origin,
    session_cookie_name,
    set_cookie,
    signin_cookie_name,
)
from fortytwo.http.app import create_app
from fortytwo.http.body import MAX_BODY_BYTES
from fortytwo.http.context import RequestState
from fortytwo.http.guard import count_anonymous
from fortytwo.http.lambda_entry import make_handler
from fortytwo.http.oauth_pages import parse_cookies
from fortytwo.http.path_params import path_param
from fortytwo.http.ratelimit import count
from fortytwo.observability import logger
from fortytwo.services import admin_center, webhooks
from fortytwo.services.admin_center import Signed, SignInRefused

app = create_app("42min admin center")
# What tests replace: the clock, the DNS resolver and the HTTP sender of test deliveries.
deps = webhooks.Outbound()

WRONG_PASSWORD = "Incorrect email, username or password."
NOT_AN_ADMIN = "Admin Center is for organization owners and admins"
STYLESHEET_BYTES = STYLESHEET.encode("utf-8")


def _secure() -> bool:
    # `Secure` and `__Host-` are dropped only for an http:// site (the local stack on loopback).
    return get_settings().public_base_url.startswith("https://")


def _page(html: str, status: int = 200, cookies: Sequence[str] = ()) -> Response:
    response = Response(html.encode("utf-8"), status_code=status, headers=dict(PAGE_HEADERS))
    for cookie in cookies:
        response.headers.append("Set-Cookie", cookie)
    return response


def _redirect(location: str, cookies: Sequence[str] = ()) -> Response:
    headers = {k: v for k, v in PAGE_HEADERS.items() if k != "Content-Type"}
    response = Response(status_code=303, headers={**headers, "Location": location})
    for cookie in cookies:
        response.headers.append("Set-Cookie", cookie)
    return response


_PROBLEMS = {
    403: (
        "This form cannot be accepted",
        "The form expired or was not sent from this site. Reload the page.",
    ),
    404: ("Not found", "There is nothing here, or it is not yours to manage."),
    413: ("Too large", "The form is larger than 65,536 bytes."),
    429: ("Too many attempts", "Too many requests came from your network. Wait a minute, then try again."),
    500: ("Something went wrong", "An unexpected error occurred on our side. Try again later."),
    503: ("Service temporarily unavailable", "Try again in a moment."),
}


def _problem(status: int, headers: Mapping[str, str] | None = None) -> Response:
    heading, message = _PROBLEMS.get(status, _PROBLEMS[500])
    response = _page(problem_page(status, heading, message, context.request_id()), status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _cookies(request: Request) -> dict[str, str]:
    return parse_cookies([request.headers.get("cookie", "")])


async def _form(request: Request) -> dict[str, list[str]] | None:
    """The url-encoded body (None when it is larger than 65,536 bytes)."""
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return None
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)


def _session(request: Request) -> Signed | None:
    """The signed-in session; a request without one counts in the anonymous IP bucket (pages of a
    signed-in owner or admin are not rate limited: every action behind them is an admin's own)."""
    value = _cookies(request).get(session_cookie_name(_secure()))
    signed = admin_center.current(value, clock.now())
    if signed is None:
        count_anonymous(request)
    return signed


def _signin_redirect(request: Request) -> Response:
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return _redirect(f"/360/signin?next={quote(path, safe='')}")


def _guarded(handler_status: int, exc: Exception) -> Response:
    if isinstance(exc, NotFound):
        return _problem(404)
    if isinstance(exc, ApiError):
        return _problem(exc.status if exc.status in _PROBLEMS else 500, exc.headers)
    logger.exception("unhandled error")
    return _problem(handler_status)


# --- stylesheet ---------------------------------------------------------------------------------


@app.get("/360/admin.css")
async def stylesheet(request: Request) -> Response:
    count_anonymous(request)
    return Response(
        STYLESHEET_BYTES,
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


# --- sign-in and sign-out -------------------------------------------------------------------------


@app.get("/360/signin")
async def signin_page(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("next"))
    if await run_in_threadpool(_session, request) is not None:
        return _redirect(next_path)
    token = new_session_value()
    cookie = set_cookie(signin_cookie_name(_secure()), token, secure=_secure(), max_age=3600)
    return _page(sign_in_page(csrf=token, next_path=next_path), cookies=[cookie])


def _count_sign_in(request: Request, login: str) -> None:
    """The `oauth_authorize` bucket per IP (the OAuth sign-in page's rule) and per account."""
    count_anonymous(request, "oauth_authorize")
    if login.strip():
        count(RequestState("", 0), "oauth_authorize", "login:" + login.strip().casefold())


def _sign_in(request: Request, form: Mapping[str, list[str]]) -> Response:
    secure = _secure()
    login = (form.get("login") or [""])[0]
    next_path = safe_next((form.get("next") or [""])[0])
    presented = (form.get("csrf_token") or [""])[0]
    expected = _cookies(request).get(signin_cookie_name(secure), "")
    if (
        not expected
        or not same(expected, presented)
        or not same_origin(request.headers, get_settings().public_base_url)
    ):
        return _problem(403)
    _count_sign_in(request, login)
    previous = _cookies(request).get(session_cookie_name(secure))
    try:
        value = admin_center.sign_in(login, (form.get("password") or [""])[0], previous, clock.now())
    except SignInRefused as refused:
        message = NOT_AN_ADMIN if refused.reason == "role" else WRONG_PASSWORD
        logger.info("admin sign-in refused", extra={"reason": refused.reason})
        return _page(sign_in_page(csrf=expected, next_path=next_path, login=login, error=message), 200)
    logger.info("admin signed in")
    return _redirect(
        next_path,
        [
            set_cookie(session_cookie_name(secure), value, secure=secure),
            clear_cookie(signin_cookie_name(secure), secure=secure),
        ],
    )


@app.post("/360/signin")
async def signin(request: Request) -> Response:
    form = await _form(request)
    if form is None:
        return _problem(413)
    try:
        return await run_in_threadpool(_sign_in, request, form)
    except RateLimited as exc:
        return _problem(429, exc.headers)
    except Exception as exc:  # noqa: BLE001 - every failure is a page
        return _guarded(500, exc)


def _checked(request: Request, form: Mapping[str, list[str]] | None) -> Signed | Response:
    """The session of a POST that passes §2: size, same origin, CSRF token of the session."""
    if form is None:
        return _problem(413)
    signed = _session(request)
    if signed is None:
        return _redirect("/360/signin")
    if not same_origin(request.headers, get_settings().public_base_url):
        return _problem(403)
    if not admin_center.csrf_ok(signed, next(iter(form.get("csrf_token") or []), None)):
        return _problem(403)
    return signed


@app.post("/360/signout")
async def signout(request: Request) -> Response:
    form = await _form(request)

    def run() -> Response:
        checked = _checked(request, form)
        if isinstance(checked, Response):
            return checked
        admin_center.sign_out(checked.value)
        secure = _secure()
        return _redirect("/360/signin", [clear_cookie(session_cookie_name(secure), secure=secure)])

    return await run_in_threadpool(run)


# --- the tabs and their actions -----------------------------------------------------------------


def _show(request: Request) -> Response:
    signed = _session(request)
    if signed is None:
        return _signin_redirect(request)
    query = views.Query.of(dict(parse_qsl(request.url.query, keep_blank_values=True)))
    return _page(views.render(signed, query, deps.now()))


@app.get("/360/api")
async def show(request: Request) -> Response:
    try:
        return await run_in_threadpool(_show, request)
    except Exception as exc:  # noqa: BLE001 - every failure is a page
        return _guarded(500, exc)


def _act(request: Request, path: str, form: Mapping[str, list[str]] | None) -> Response:
    checked = _checked(request, form)
    if isinstance(checked, Response):
        return checked
    assert form is not None
    # Only an action needs its module (and the services it drives): not imported by a cold start
    # that serves a page (bench/cold_import.py).
    from fortytwo.http.admin_pages import actions

    ctx = actions.Context(
        checked, form, deps.now(), context.request_id(), deps, request.scope.get("aws.context")
    )
    outcome = actions.perform(path, ctx)
    if isinstance(outcome, views.Rerender):
        return _page(views.render(checked, views.Query(tab=outcome.tab), ctx.now, outcome), 422)
    admin_center.leave_notice(checked, outcome.notice)
    logger.info("admin action", extra={"action": path.rsplit("/", 1)[-1], "tab": outcome.tab})
    return _redirect(f"/360/api?tab={outcome.tab}{outcome.anchor}")


@app.post("/360/api/{action:path}")
async def act(request: Request) -> Response:
    action = path_param(request, "action")
    form = await _form(request)
    try:
        return await run_in_threadpool(_act, request, action, form)
    except Exception as exc:  # noqa: BLE001 - every failure is a page
        return _guarded(500, exc)


# Web pages, not API operations: routed by template.yaml, absent from the OpenAPI document.
for _route in app.routes:
    if isinstance(_route, APIRoute):
        _route.include_in_schema = False

handler = make_handler(app)
