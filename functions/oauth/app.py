"""OAuthFunction: the OAuth 2.1 authorization server (10-auth §6) and the discovery documents (§7).

Routes: GET/POST /v1/oauth/authorize (HTML pages and redirects), POST /v1/oauth/token, /revoke,
/introspect, /register (only while dynamic registration is enabled), and the two
/.well-known documents. This module reads the request, calls `fortytwo.services.oauth`, and
renders responses and pages.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from urllib.parse import parse_qsl

from botocore.exceptions import BotoCoreError, ClientError
from starlette.requests import Request
from starlette.responses import Response

from fortytwo.config import get_settings
from fortytwo.contract.errors import NotFound, RateLimited
from fortytwo.domain import clock
from fortytwo.domain.accounts import Organization, User
from fortytwo.domain.oauth.artifacts import COOKIE_VALUE_RE, new_cookie_value
from fortytwo.domain.oauth.authorize import (
    ACCESS_DENIED_DESCRIPTION,
    AuthorizeErrorPage,
    AuthorizeErrorRedirect,
    AuthorizeRequest,
    PostContext,
)
from fortytwo.domain.oauth.discovery import (
    authorization_server_metadata,
    mcp_protected_resource_metadata,
    protected_resource_metadata,
)
from fortytwo.domain.oauth.models import OAuthError
from fortytwo.domain.oauth.redirect_uris import redirect_display, redirect_host
from fortytwo.domain.scopes import consent_items
from fortytwo.http import context
from fortytwo.http.app import create_app
from fortytwo.http.body import MAX_BODY_BYTES, raw_body
from fortytwo.http.guard import count_anonymous
from fortytwo.http.lambda_entry import make_handler
from fortytwo.http.oauth_pages import (
    AUTHORIZE_HEADERS,
    CSRF_COOKIE,
    PAGE_HEADERS,
    SESSION_COOKIE,
    SIGN_IN_FAILED_MESSAGE,
    clear_session_cookie,
    csrf_cookie,
    parse_cookies,
    render_consent_page,
    render_error_page,
    render_sign_in_page,
    session_cookie,
)
from fortytwo.http.oauth_raw import (
    NO_STORE,
    OAuthProblem,
    is_form_media_type,
    parse_form,
    pragma_for,
    raw_json,
    read_form,
    render_oauth_problem,
)
from fortytwo.http.responses import json_response, render_error
from fortytwo.observability import logger
from fortytwo.services import oauth

app = create_app("42min oauth")

DISCOVERY_CACHE = {"Cache-Control": "public, max-age=3600"}


async def _oauth_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OAuthProblem)
    return render_oauth_problem(exc, pragma=pragma_for(request.url.path))


app.add_exception_handler(OAuthProblem, _oauth_problem)


def _issuer() -> str:
    return get_settings().public_base_url


def _is_dependency_failure(exc: Exception) -> bool:
    """Table or parameter-store failures after the SDK's bounded retries."""
    return isinstance(exc, ClientError | BotoCoreError)


def _unexpected(exc: Exception) -> OAuthProblem:
    if _is_dependency_failure(exc):
        logger.warning("dependency failure", extra={"error": type(exc).__name__})
        return OAuthProblem(
            OAuthError(
                "temporarily_unavailable", "The service is temporarily unavailable; retry shortly.", 503
            )
        )
    logger.exception("unhandled error")
    return OAuthProblem(OAuthError("server_error", "An unexpected error occurred.", 500))


async def _run_json(
    request: Request, bucket: str, handler: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Count in the endpoint's IP bucket, then run; failures become raw OAuth bodies."""
    try:
        count_anonymous(request, bucket)
    except RateLimited as exc:
        raise OAuthProblem(OAuthError("rate_limited", exc.message, 429), headers=exc.headers) from None
    try:
        return await handler(request)
    except OAuthProblem:
        raise
    except Exception as exc:  # noqa: BLE001 - every other failure answers server_error / temporarily_unavailable
        raise _unexpected(exc) from None


async def _token(request: Request) -> Response:
    form = await read_form(request)
    client = oauth.authenticate(request.headers.get("authorization"), form)
    return raw_json(oauth.token(client, form))


@app.post("/v1/oauth/token")
async def token(request: Request) -> Response:
    return await _run_json(request, "oauth_token", _token)


# --- revocation (§6.10) and introspection (§6.11) ---------------------------------------------


async def _revoke(request: Request) -> Response:
    form = await read_form(request)
    oauth.revoke(oauth.authenticate(request.headers.get("authorization"), form), form)
    return Response(status_code=200, headers=dict(NO_STORE))


@app.post("/v1/oauth/revoke")
async def revoke(request: Request) -> Response:
    return await _run_json(request, "oauth_revoke", _revoke)


async def _introspect(request: Request) -> Response:
    form = await read_form(request)
    client = oauth.authenticate(request.headers.get("authorization"), form, confidential_only=True)
    return raw_json(oauth.introspect(client, form, _issuer()))


@app.post("/v1/oauth/introspect")
async def introspect(request: Request) -> Response:
    return await _run_json(request, "oauth_introspect", _introspect)


# --- dynamic client registration (§6.12) ------------------------------------------------------


async def _register(request: Request) -> Response:
    body = await request.body()
    return raw_json(oauth.register(body, request.headers.get("content-type")), 201)


@app.post("/v1/oauth/register")
async def register(request: Request) -> Response:
    if not get_settings().oauth_dcr_enabled:
        # Disabled: the route does not exist (00-conventions §2.1), so anonymous bucket and envelope.
        count_anonymous(request)
        return render_error(NotFound())
    return await _run_json(request, "oauth_register", _register)


# --- discovery (§7) ---------------------------------------------------------------------------


@app.get("/.well-known/oauth-authorization-server")
async def authorization_server(request: Request) -> Response:
    count_anonymous(request)
    await raw_body(request)  # 413 for an oversized body, even on GET
    settings = get_settings()
    doc = authorization_server_metadata(settings.public_base_url, settings.oauth_dcr_enabled)
    return json_response(doc, headers=dict(DISCOVERY_CACHE))


@app.get("/.well-known/oauth-protected-resource")
async def protected_resource(request: Request) -> Response:
    count_anonymous(request)
    await raw_body(request)
    return json_response(protected_resource_metadata(_issuer()), headers=dict(DISCOVERY_CACHE))


@app.get("/.well-known/oauth-protected-resource/mcp")
async def mcp_protected_resource(request: Request) -> Response:
    """The MCP server's RFC 9728 document (50-mcp §4.4), at the location RFC 9728 §3.1 derives."""
    count_anonymous(request)
    await raw_body(request)
    return json_response(mcp_protected_resource_metadata(_issuer()), headers=dict(DISCOVERY_CACHE))


# --- authorization endpoint (§6.5–§6.7) -------------------------------------------------------


def _secure() -> bool:
    # Cookies drop `Secure` only for an http:// issuer (the local stack).
    return _issuer().startswith("https://")


def _page(html: str, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(html.encode("utf-8"), status_code=status, headers={**PAGE_HEADERS, **(headers or {})})


def _error_page(
    error: str, status: int, *, message: str | None = None, headers: Mapping[str, str] | None = None
) -> Response:
    html = render_error_page(error, request_id=context.request_id(), status=status, message=message)
    return _page(html, status, headers)


def _redirect(location: str, post: bool, cookies: list[str] | None = None) -> Response:
    response = Response(status_code=303 if post else 302, headers={**AUTHORIZE_HEADERS, "Location": location})
    for cookie in cookies or []:
        response.headers.append("Set-Cookie", cookie)
    return response


class _Pages:
    """Renders the form pages of one request, setting the CSRF cookie when the request had none."""

    def __init__(self, req: AuthorizeRequest, cookies: Mapping[str, str]) -> None:
        self.req = req
        existing = cookies.get(CSRF_COOKIE)
        self.new_csrf = not (existing and COOKIE_VALUE_RE.match(existing))
        self.csrf = new_cookie_value() if self.new_csrf else str(existing)

    def _respond(self, html: str) -> Response:
        response = _page(html)
        if self.new_csrf:
            response.headers.append("Set-Cookie", csrf_cookie(self.csrf, secure=_secure()))
        return response

    def sign_in(self, email: str = "", failed: bool = False) -> Response:
        return self._respond(
            render_sign_in_page(
                client_name=self.req.client.client_name,
                redirect_host=redirect_host(self.req.redirect_uri),
                csrf_token=self.csrf,
                params=self.req.params,
                email=email,
                error_message=SIGN_IN_FAILED_MESSAGE if failed else None,
            )
        )

    def consent(self, user: User, org: Organization | None) -> Response:
        return self._respond(
            render_consent_page(
                client_name=self.req.client.client_name,
                redirect_host=redirect_display(self.req.redirect_uri),
                user_email=user.email,
                organization_name=org.name if org else None,
                scopes=consent_items(self.req.scopes),
                csrf_token=self.csrf,
                params=self.req.params,
            )
        )


def _act(req: AuthorizeRequest, cookies: Mapping[str, str], post: bool) -> Response:
    """Step 11: show a page (GET) or perform the form's action (POST)."""
    now = clock.now()
    pages = _Pages(req, cookies)
    secure = _secure()
    session = cookies.get(SESSION_COOKIE)
    if req.action is None:
        signed_in = oauth.signed_in(session, now)
        return pages.consent(*signed_in) if signed_in else pages.sign_in()

    if req.action == "sign_in":
        email = req.fields.get("email", "")
        value = oauth.sign_in(email, req.fields.get("password", ""), session, now)
        if value is None:
            return pages.sign_in(email=email, failed=True)
        return _redirect(req.authorize_url(_issuer()), post, [session_cookie(value, secure=secure)])

    if req.action == "switch_account":
        oauth.sign_out(session)
        return _redirect(req.authorize_url(_issuer()), post, [clear_session_cookie(secure=secure)])

    signed_in = oauth.signed_in(session, now)
    if signed_in is None:
        return pages.sign_in()
    if req.action == "deny":
        return _redirect(req.error_location("access_denied", ACCESS_DENIED_DESCRIPTION, _issuer()), post)
    code = oauth.approve(req, signed_in[0], now)
    return _redirect(req.code_location(code, _issuer()), post)


async def _authorize(request: Request, post: bool) -> Response:
    try:
        count_anonymous(request, "oauth_authorize")
    except RateLimited as exc:
        return _error_page("rate_limited", 429, message=exc.message, headers=exc.headers)
    verified: AuthorizeRequest | None = None
    try:
        cookies = parse_cookies([request.headers.get("cookie", "")])
        post_context: PostContext | None = None
        if post:
            body = await request.body()
            too_large = len(body) > MAX_BODY_BYTES
            form_ok = not too_large and is_form_media_type(request.headers.get("content-type"))
            pairs = parse_form(body) if form_ok else None
            params = pairs or []
            post_context = PostContext(too_large, form_ok and pairs is not None, cookies.get(CSRF_COOKIE))
        else:
            # The size limit holds for bodies of GET too (00-conventions §3.2).
            if len(await request.body()) > MAX_BODY_BYTES:
                return _error_page("invalid_request", 413)
            query = request.scope.get("query_string", b"").decode("utf-8", "replace")
            params = parse_qsl(query, keep_blank_values=True)
        outcome = oauth.validate(params, post_context)
        if isinstance(outcome, AuthorizeErrorPage):
            return _error_page(outcome.error, outcome.status)
        if isinstance(outcome, AuthorizeErrorRedirect):
            return _redirect(outcome.location(_issuer()), post)
        verified = outcome
        return _act(outcome, cookies, post)
    except Exception as exc:  # noqa: BLE001 - before the redirect URI is verified: page; after: redirect
        dependency = _is_dependency_failure(exc)
        if dependency:
            logger.warning("dependency failure", extra={"error": type(exc).__name__})
        else:
            logger.exception("unhandled error")
        if verified is None:
            return _error_page(*(("temporarily_unavailable", 503) if dependency else ("server_error", 500)))
        error, description = (
            ("temporarily_unavailable", "The service is temporarily unavailable; retry shortly.")
            if dependency
            else ("server_error", "An unexpected error occurred.")
        )
        return _redirect(verified.error_location(error, description, _issuer()), post)


@app.get("/v1/oauth/authorize")
async def authorize_get(request: Request) -> Response:
    return await _authorize(request, post=False)


@app.post("/v1/oauth/authorize")
async def authorize_post(request: Request) -> Response:
    return await _authorize(request, post=True)


handler = make_handler(app)
