"""OAuthFunction: the OAuth 2.1 authorization server (10-auth §6) and the discovery documents (§7).

Routes: GET/POST /v1/oauth/authorize (HTML pages and redirects), POST /v1/oauth/token, /revoke,
/introspect, /register (only while dynamic registration is enabled), and the two
/.well-known documents. The decisions live in `fortytwo.domain.oauth`; this module reads the
request, calls the store, and shapes responses.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from urllib.parse import parse_qsl

from botocore.exceptions import BotoCoreError, ClientError
from starlette.requests import Request
from starlette.responses import Response

from fortytwo.adapters.passwords import verify_password
from fortytwo.config import get_settings
from fortytwo.contract.errors import NotFound, RateLimited
from fortytwo.domain import clock
from fortytwo.domain.oauth import grants as rules
from fortytwo.domain.oauth.artifacts import COOKIE_VALUE_RE, hash_secret, new_cookie_value, token_kind
from fortytwo.domain.oauth.authorize import (
    ACCESS_DENIED_DESCRIPTION,
    AuthorizeErrorPage,
    AuthorizeErrorRedirect,
    AuthorizeRequest,
    PostContext,
    validate_authorize,
)
from fortytwo.domain.oauth.client_auth import ClientAuthFailure, authenticate_client
from fortytwo.domain.oauth.clients import register_client, registration_response, validate_registration
from fortytwo.domain.oauth.discovery import authorization_server_metadata, protected_resource_metadata
from fortytwo.domain.oauth.models import AccessToken, Issued, OAuthClient, OAuthError, RefreshToken
from fortytwo.domain.oauth.redirect_uris import redirect_host
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
    invalid_request,
    is_form_media_type,
    parse_form,
    pragma_for,
    raw_json,
    read_form,
    render_oauth_problem,
)
from fortytwo.http.responses import json_response, render_error
from fortytwo.observability import logger
from fortytwo.store import accounts
from fortytwo.store import oauth as store
from fortytwo.store.pepper import get_pepper

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


def _authenticate(
    request: Request, form: Mapping[str, str], *, confidential_only: bool = False
) -> OAuthClient:
    result = authenticate_client(
        request.headers.get("authorization"),
        form,
        store.get_client,
        get_pepper(),
        confidential_only=confidential_only,
    )
    if isinstance(result, ClientAuthFailure):
        raise OAuthProblem(result.error, headers=result.headers)
    return result.client


def _lookup_token(pepper: bytes, token: str) -> AccessToken | RefreshToken | None:
    """The access or refresh token record the string names; the prefix decides the one lookup
    (so `token_type_hint` never changes the outcome)."""
    kind = token_kind(token)
    if kind == "access_token":
        return store.get_access_token(hash_secret(pepper, token))
    if kind == "refresh_token":
        return store.get_refresh_token(hash_secret(pepper, token))
    return None


# --- token endpoint (§6.8) --------------------------------------------------------------------


def _exchange_code(form: Mapping[str, str], client: OAuthClient, pepper: bytes, now: datetime) -> Issued:
    code, redirect_uri, verifier = form.get("code"), form.get("redirect_uri"), form.get("code_verifier")
    if not code or not redirect_uri or not verifier:
        raise invalid_request("code, redirect_uri and code_verifier are required.")
    key = rules.code_lookup_key(pepper, code)
    record = store.get_code(key, consistent=True) if key else None
    if error := rules.check_code_owner(record, client.client_id):
        raise OAuthProblem(error)
    assert record is not None
    used = rules.use_code(record, now)
    if isinstance(used, rules.CodeReuse) or not store.mark_code_used(record, now):
        # Reuse: revoke the grant this code created (if any) and refuse.
        grant_id = store.mark_code_reused(record.code_hash, now)
        if grant_id:
            store.revoke_grant(grant_id, now)
        raise OAuthProblem(rules.INVALID_CODE)
    if error := rules.check_code_redemption(used, now=now, redirect_uri=redirect_uri, code_verifier=verifier):
        raise OAuthProblem(error)
    issued, _ = rules.redeem_code(used, client, pepper=pepper, now=now)
    try:
        store.save_code_exchange(issued, used)
    except store.CodeReused:
        raise OAuthProblem(rules.INVALID_CODE) from None
    return issued


def _refresh(form: Mapping[str, str], client: OAuthClient, pepper: bytes, now: datetime) -> Issued:
    token = form.get("refresh_token")
    if not token:
        raise invalid_request("refresh_token is required.")
    key = rules.refresh_lookup_key(pepper, token)
    record = store.get_refresh_token(key, consistent=True) if key else None
    grant = store.get_grant(record.grant_id, consistent=True) if record else None
    decision = rules.check_refresh(
        record, grant, client_id=client.client_id, now=now, scope=form.get("scope")
    )
    if isinstance(decision, rules.RefreshReuse):
        store.revoke_grant(decision.revoke_grant_id, now)
        raise OAuthProblem(decision.error)
    if isinstance(decision, OAuthError):
        raise OAuthProblem(decision)
    assert record is not None and grant is not None
    issued = rules.rotate_refresh(record, grant, access_scopes=decision.access_scopes, pepper=pepper, now=now)
    try:
        store.save_rotation(issued)
    except store.RefreshReused as exc:
        store.revoke_grant(exc.grant_id, now)
        raise OAuthProblem(rules.INVALID_REFRESH) from None
    except store.GrantRevoked:
        raise OAuthProblem(rules.INVALID_REFRESH) from None
    return issued


async def _token(request: Request) -> Response:
    form = await read_form(request)
    client = _authenticate(request, form)
    grant_type = form.get("grant_type")
    if not grant_type:
        raise invalid_request("grant_type is required.")
    if grant_type not in ("authorization_code", "refresh_token"):
        raise OAuthProblem(
            OAuthError("unsupported_grant_type", "grant_type must be authorization_code or refresh_token.")
        )
    if grant_type not in client.grant_types:
        raise OAuthProblem(
            OAuthError("unauthorized_client", f"This client is not registered for the {grant_type} grant.")
        )
    now, pepper = clock.now(), get_pepper()
    if grant_type == "authorization_code":
        issued = _exchange_code(form, client, pepper, now)
    else:
        issued = _refresh(form, client, pepper, now)
    return raw_json(issued.response())


@app.post("/v1/oauth/token")
async def token(request: Request) -> Response:
    return await _run_json(request, "oauth_token", _token)


# --- revocation (§6.10) and introspection (§6.11) ---------------------------------------------


async def _revoke(request: Request) -> Response:
    form = await read_form(request)
    client = _authenticate(request, form)
    token_value = form.get("token")
    if not token_value:
        raise invalid_request("token is required.")
    pepper, now = get_pepper(), clock.now()
    record = _lookup_token(pepper, token_value)
    grant = store.get_grant(record.grant_id) if record else None
    effect = rules.revocation_effect(record, grant, client_id=client.client_id, now=now)
    if isinstance(effect, rules.RevokeAccessToken):
        store.revoke_access_token(effect.token_hash, now)
    elif isinstance(effect, rules.RevokeGrant):
        store.revoke_grant(effect.grant_id, now)
    return Response(status_code=200, headers=dict(NO_STORE))


@app.post("/v1/oauth/revoke")
async def revoke(request: Request) -> Response:
    return await _run_json(request, "oauth_revoke", _revoke)


async def _introspect(request: Request) -> Response:
    form = await read_form(request)
    client = _authenticate(request, form, confidential_only=True)
    token_value = form.get("token")
    if not token_value:
        raise invalid_request("token is required.")
    pepper, now = get_pepper(), clock.now()
    record = _lookup_token(pepper, token_value)
    grant = store.get_grant(record.grant_id) if record else None
    username = None
    if record is not None and record.client_id == client.client_id:
        user = accounts.get_user(record.account_id, record.user_id)
        username = user.get("username") if user else None
    body = rules.introspection_response(
        record, grant, client_id=client.client_id, username=username, issuer=_issuer(), now=now
    )
    return raw_json(body)


@app.post("/v1/oauth/introspect")
async def introspect(request: Request) -> Response:
    return await _run_json(request, "oauth_introspect", _introspect)


# --- dynamic client registration (§6.12) ------------------------------------------------------


async def _register(request: Request) -> Response:
    body = await request.body()
    meta = validate_registration(body, request.headers.get("content-type"))
    if isinstance(meta, OAuthError):
        raise OAuthProblem(meta)
    client, secret = register_client(meta, pepper=get_pepper(), now=clock.now())
    store.create_client(client)
    return raw_json(registration_response(client, secret), 201)


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


def _valid_session(cookies: Mapping[str, str], now: datetime) -> tuple[dict, dict | None] | None:
    """(user, organization) of a valid sign-in session: the record exists, has not expired, and its
    user still exists and has a password."""
    value = cookies.get(SESSION_COOKIE)
    if not value or not COOKIE_VALUE_RE.match(value):
        return None
    found = store.get_session(hash_secret(get_pepper(), value))
    if found is None:
        return None
    session, org_id = found
    if not now < session.expires_at:
        return None
    user, org = accounts.get_user_and_org(org_id, session.user_id)
    if user is None or not user.get("password_hash"):
        return None
    return user, org


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

    def consent(self, user: dict, org: dict | None) -> Response:
        return self._respond(
            render_consent_page(
                client_name=self.req.client.client_name,
                redirect_host=redirect_host(self.req.redirect_uri),
                user_email=user["email"],
                organization_name=org.get("name") if org else None,
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
    if req.action is None:
        signed_in = _valid_session(cookies, now)
        return pages.consent(*signed_in) if signed_in else pages.sign_in()

    if req.action == "sign_in":
        email = req.fields.get("email", "")
        user = accounts.find_user_by_email(email) if email else None
        # Without a matching user the dummy hash is checked, so timing reveals nothing.
        if not verify_password(req.fields.get("password", ""), user.get("password_hash") if user else None):
            return pages.sign_in(email=email, failed=True)
        assert user is not None
        pepper = get_pepper()
        previous = cookies.get(SESSION_COOKIE)
        if previous and COOKIE_VALUE_RE.match(previous):
            store.delete_session(hash_secret(pepper, previous))
        value = new_cookie_value()
        store.create_session(hash_secret(pepper, value), user["id"], user["organization_id"], now)
        return _redirect(req.authorize_url(_issuer()), post, [session_cookie(value, secure=secure)])

    if req.action == "switch_account":
        previous = cookies.get(SESSION_COOKIE)
        if previous and COOKIE_VALUE_RE.match(previous):
            store.delete_session(hash_secret(get_pepper(), previous))
        return _redirect(req.authorize_url(_issuer()), post, [clear_session_cookie(secure=secure)])

    signed_in = _valid_session(cookies, now)
    if signed_in is None:
        return pages.sign_in()
    user, _ = signed_in
    if req.action == "deny":
        return _redirect(req.error_location("access_denied", ACCESS_DENIED_DESCRIPTION, _issuer()), post)
    code, record = rules.issue_code(
        pepper=get_pepper(),
        client_id=req.client.client_id,
        redirect_uri=req.redirect_uri,
        code_challenge=req.code_challenge,
        user_id=user["id"],
        account_id=user["organization_id"],
        scopes=req.scopes,
        now=now,
    )
    store.put_code(record)
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
        outcome = validate_authorize(params, store.get_client, post_context)
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
