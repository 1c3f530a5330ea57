"""Authorization-request validation (10-auth §6.5.2) as one pure function, in the spec's order.

Steps 1–4 (body, CSRF, client, redirect URI) fail with the HTML error page and never redirect:
an unverified `redirect_uri` is never used. Steps 5–10 fail with a redirect to the verified URI
carrying `error`, `error_description`, `state` (when sent exactly once) and `iss`.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from fortytwo.domain.oauth.artifacts import CLIENT_ID_RE
from fortytwo.domain.oauth.audience import normalize_resource
from fortytwo.domain.oauth.models import OAuthClient
from fortytwo.domain.oauth.pkce import CODE_CHALLENGE_RE
from fortytwo.domain.oauth.redirect_uris import build_redirect, redirect_uri_matches
from fortytwo.domain.scopes import ScopeError, parse_authorize_scope

AUTHORIZE_PATH = "/v1/oauth/authorize"
#: Hidden-field and re-redirect order of the authorization parameters (§6.5.4).
AUTH_PARAM_ORDER = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "resource",
)
ACTIONS = ("sign_in", "approve", "deny", "switch_account")
ACCESS_DENIED_DESCRIPTION = "The user denied the request"


@dataclass(frozen=True, slots=True)
class PostContext:
    """Facts about a `POST /v1/oauth/authorize` body that the HTTP layer establishes."""

    too_large: bool = False
    form_encoded: bool = True
    csrf_cookie: str | None = None


@dataclass(frozen=True, slots=True)
class AuthorizeErrorPage:
    """Answer with the HTML error page (§6.5.3)."""

    error: str
    status: int


@dataclass(frozen=True, slots=True)
class AuthorizeErrorRedirect:
    """Answer with a redirect to the verified `redirect_uri` (§6.5.5)."""

    redirect_uri: str
    error: str
    description: str
    state: str | None

    def location(self, issuer: str) -> str:
        return error_location(self.redirect_uri, self.error, self.description, self.state, issuer)


@dataclass(frozen=True, slots=True)
class AuthorizeRequest:
    """A request that passed steps 1–10; `action` is None for GET."""

    client: OAuthClient
    redirect_uri: str
    scopes: tuple[str, ...]  # expanded, sorted
    state: str | None
    code_challenge: str
    params: tuple[tuple[str, str], ...]  # authorization parameters as received, §6.5.4 order
    action: str | None
    fields: dict[str, str]  # every single-valued parameter (e.g. `email`, `password` on sign-in)
    audience: str | None = None  # the normalised `resource` (50-mcp §4.5); None when absent

    def code_location(self, code: str, issuer: str) -> str:
        return code_location(self.redirect_uri, code, self.state, issuer)

    def error_location(self, error: str, description: str, issuer: str) -> str:
        return error_location(self.redirect_uri, error, description, self.state, issuer)

    def authorize_url(self, issuer: str) -> str:
        """`<issuer>/v1/oauth/authorize?<authorization parameters>`: where sign-in and switch lead."""
        return f"{issuer}{AUTHORIZE_PATH}?{urlencode(list(self.params))}"


AuthorizeOutcome = AuthorizeRequest | AuthorizeErrorPage | AuthorizeErrorRedirect


def code_location(redirect_uri: str, code: str, state: str | None, issuer: str) -> str:
    params = [("code", code)]
    if state is not None:
        params.append(("state", state))
    params.append(("iss", issuer))
    return build_redirect(redirect_uri, params)


def error_location(redirect_uri: str, error: str, description: str, state: str | None, issuer: str) -> str:
    params = [("error", error), ("error_description", description)]
    if state is not None:
        params.append(("state", state))
    params.append(("iss", issuer))
    return build_redirect(redirect_uri, params)


def _single(values: dict[str, list[str]], name: str) -> str | None:
    """The value when sent exactly once and non-empty.

    An empty value counts as absent (00-conventions §3.3).
    """
    got = values.get(name)
    if got is None or len(got) != 1 or got[0] == "":
        return None
    return got[0]


def validate_authorize(
    params: Sequence[tuple[str, str]],
    lookup_client: Callable[[str], OAuthClient | None],
    post: PostContext | None = None,
    *,
    issuer: str,
) -> AuthorizeOutcome:
    """Run §6.5.2 steps 1–11 over the query (GET) or the form body (POST, `post` given).

    `params` are the decoded name/value pairs in the order received. `lookup_client` is called at
    most once, only with a well-formed client id; it may raise for dependency failures, which the
    caller turns into the error page (no redirect URI is verified yet).
    """
    values: dict[str, list[str]] = {}
    for name, value in params:
        values.setdefault(name, []).append(value)

    if post is not None:
        # Step 1: size, then media type.
        if post.too_large:
            return AuthorizeErrorPage("invalid_request", 413)
        if not post.form_encoded:
            return AuthorizeErrorPage("invalid_request", 400)
        # Step 2: CSRF double submit; a repeated field never matches.
        field = values.get("csrf_token", [])
        cookie = post.csrf_cookie or ""
        if len(field) != 1 or not field[0] or not cookie:
            return AuthorizeErrorPage("invalid_csrf", 400)
        if not hmac.compare_digest(field[0].encode("utf-8"), cookie.encode("utf-8")):
            return AuthorizeErrorPage("invalid_csrf", 400)

    # Step 3: client.
    client_id = _single(values, "client_id")
    client = lookup_client(client_id) if client_id and CLIENT_ID_RE.match(client_id) else None
    if client is None:
        return AuthorizeErrorPage("invalid_client", 400)

    # Step 4: redirect URI; only after this may anything redirect.
    redirect_uri = _single(values, "redirect_uri")
    if redirect_uri is None or not redirect_uri_matches(client.redirect_uris, redirect_uri):
        return AuthorizeErrorPage("invalid_redirect_uri", 400)

    state = _single(values, "state")

    def fail(error: str, description: str) -> AuthorizeErrorRedirect:
        return AuthorizeErrorRedirect(redirect_uri, error, description, state)

    # Step 5: no other parameter repeated (first offender in received order).
    for name, _ in params:
        if name not in ("client_id", "redirect_uri", "csrf_token") and len(values[name]) > 1:
            return fail("invalid_request", f"The {name} parameter must not be repeated.")

    # Steps 6–7: response type.
    response_type = _single(values, "response_type")
    if response_type is None:
        return fail("invalid_request", "The response_type parameter is required.")
    if response_type != "code":
        return fail("unsupported_response_type", "Only response_type=code is supported.")

    # Steps 8–9: PKCE, S256 only; an absent method means plain, which is rejected.
    challenge = _single(values, "code_challenge")
    if challenge is None:
        return fail("invalid_request", "The code_challenge parameter is required (PKCE with S256).")
    if not CODE_CHALLENGE_RE.match(challenge):
        return fail("invalid_request", "The code_challenge must be 43 base64url characters.")
    if _single(values, "code_challenge_method") != "S256":
        return fail("invalid_request", "The code_challenge_method must be S256; plain is not supported.")

    # Step 10: scopes.
    try:
        scopes = parse_authorize_scope(_single(values, "scope"))
    except ScopeError as exc:
        description = "The scope parameter is required." if exc.reason == "empty" else str(exc)
        return fail("invalid_scope", description)

    # Step 10a (50-mcp §4.5): the resource indicator, when sent, names this API or its MCP server.
    resource = _single(values, "resource")
    audience = normalize_resource(resource, issuer) if resource is not None else None
    if resource is not None and audience is None:
        return fail("invalid_target", "The resource must be this API or its MCP server.")

    # Step 11: the action of a POST.
    action: str | None = None
    if post is not None:
        action = _single(values, "action")
        if action not in ACTIONS:
            return AuthorizeErrorPage("invalid_request", 400)

    hidden = tuple((name, v) for name in AUTH_PARAM_ORDER if (v := _single(values, name)) is not None)
    fields = {name: got[0] for name, got in values.items() if len(got) == 1}
    return AuthorizeRequest(
        client=client,
        redirect_uri=redirect_uri,
        scopes=scopes,
        state=state,
        code_challenge=challenge,
        params=hidden,
        action=action,
        fields=fields,
        audience=audience,
    )
