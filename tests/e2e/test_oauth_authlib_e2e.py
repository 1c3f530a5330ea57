"""OAuth 2.1 + PKCE end to end with a real third-party client, Authlib (issue 6, "Done means").

Authlib plays the client (authorization URL, PKCE S256, code exchange, refresh, revoke,
introspect); a cookie-keeping httpx user agent plays the person's browser on the sign-in and
consent pages. Then the negative cases of the four endpoints (10-auth §6.5–§6.12) over HTTP.

The expired-code test waits for the 60 s code lifetime once; the code is issued when the module
starts, so the wait overlaps the other tests (keep that test last in the file).
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata

with warnings.catch_warnings():
    # Authlib ≥ 1.7 prefers the `httpx2` package and warns when it falls back to httpx (our client).
    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import OAuth2Client
from oauth_support import (
    ADA,
    APP_HTTPS_REDIRECT,
    CSRF_COOKIE,
    GRACE,
    LOOPBACK_REDIRECT,
    REQUEST_ID,
    SCOPE,
    SCOPE_EXPANDED,
    SCOPE_WORDING,
    SESSION_COOKIE,
    UserAgent,
    assert_authorize_headers,
    assert_error_page,
    assert_oauth_json_error,
    assert_page_headers,
    authorize_query,
    basic_auth,
    bearer,
    new_verifier,
    parse_page,
    query_of,
    s256,
)

CODE_LIFETIME_S = 60
LOOPBACK_WITH_PORT = "http://127.0.0.1:53682/callback"
UNKNOWN_CLIENT_ID = "42min_01KR8N8N804DGCA9ZJ80BF7N5J"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clients(stack: Any) -> dict[str, dict[str, str]]:
    """`app` (confidential, client_id + client_secret) and `native` (public) from the seed."""
    return stack.seed_result["oauth_clients"]


@pytest.fixture(scope="module")
def ua(stack: Any) -> Iterator[UserAgent]:
    """A browser signed in as ada once (on its first consent) and reused by the module."""
    with UserAgent(stack.base_url) as agent:
        yield agent


@pytest.fixture(scope="module")
def http(stack: Any) -> Iterator[httpx.Client]:
    with stack.client() as client:
        yield client


@pytest.fixture(scope="module", autouse=True)
def early_code(stack: Any, clients: dict[str, dict[str, str]], ua: UserAgent) -> dict[str, Any]:
    """A code issued when the module starts, for the expired-code test at its end."""
    code, verifier = issue_code(stack, ua, clients["native"]["client_id"], LOOPBACK_REDIRECT)
    # Taken after the approve returned, so the code is at least as old as the time since then.
    return {"code": code, "verifier": verifier, "issued": time.monotonic()}


@pytest.fixture(scope="module")
def metadata(http: httpx.Client) -> dict[str, Any]:
    response = http.get("/.well-known/oauth-authorization-server")
    assert response.status_code == 200, response.text
    return response.json()


# --- helpers ----------------------------------------------------------------------------------


def issue_code(
    stack: Any,
    ua: UserAgent,
    client_id: str,
    redirect_uri: str,
    *,
    scope: str = SCOPE,
    credentials: tuple[str, str] = ADA,
) -> tuple[str, str]:
    """(code, verifier) from a hand-built request approved in the user agent."""
    verifier = new_verifier()
    query = urlencode(authorize_query(client_id, redirect_uri, verifier=verifier, scope=scope))
    location = ua.authorize(f"{stack.base_url}/v1/oauth/authorize?{query}", credentials=credentials)
    return query_of(location)["code"], verifier


def client_auth(client: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(headers, extra form fields): Basic for a confidential client, client_id for a public one."""
    if "client_secret" in client:
        return basic_auth(client["client_id"], client["client_secret"]), {}
    return {}, {"client_id": client["client_id"]}


def post(http: httpx.Client, path: str, client: dict[str, str], **fields: str) -> httpx.Response:
    headers, extra = client_auth(client)
    return http.post(f"/v1/oauth/{path}", data={**fields, **extra}, headers=headers)


def exchange(
    http: httpx.Client, client: dict[str, str], code: str, verifier: str, redirect_uri: str
) -> httpx.Response:
    return post(
        http,
        "token",
        client,
        grant_type="authorization_code",
        code=code,
        redirect_uri=redirect_uri,
        code_verifier=verifier,
    )


def tokens(
    stack: Any,
    http: httpx.Client,
    ua: UserAgent,
    client: dict[str, str],
    redirect_uri: str = LOOPBACK_REDIRECT,
    scope: str = SCOPE,
) -> dict[str, Any]:
    code, verifier = issue_code(stack, ua, client["client_id"], redirect_uri, scope=scope)
    response = exchange(http, client, code, verifier, redirect_uri)
    assert response.status_code == 200, response.text
    return response.json()


def ping(http: httpx.Client, access_token: str) -> httpx.Response:
    return http.get("/v1/_ping", headers=bearer(access_token))


def assert_token_rejected(http: httpx.Client, access_token: str, code: str = "token_revoked") -> None:
    response = ping(http, access_token)
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == code
    assert response.headers["www-authenticate"] == (
        f'Bearer realm="42min", error="invalid_token", error_description="{code}"'
    )


def introspect(http: httpx.Client, app: dict[str, str], token: str) -> dict[str, Any]:
    response = post(http, "introspect", app, token=token)
    assert response.status_code == 200, response.text
    return response.json()


def authorize_get(ua: UserAgent, params: list[tuple[str, str]]) -> httpx.Response:
    return ua.get(f"{ua.base_url}/v1/oauth/authorize?{urlencode(params)}")


def error_redirect(response: httpx.Response, redirect_uri: str, *, status: int = 302) -> dict[str, str]:
    """The parameters of an RFC 6749 §4.1.2.1 error redirect to the (verified) redirect URI."""
    assert response.status_code == status, (response.status_code, response.text[:2000])
    assert_authorize_headers(response)
    location = response.headers["location"]
    assert location.startswith(redirect_uri + "?"), location
    params = query_of(location)
    assert "code" not in params and params["error_description"]
    return params


# --- discovery (§7) ---------------------------------------------------------------------------


def test_discovery_documents_satisfy_authlib(
    stack: Any, http: httpx.Client, metadata: dict[str, Any]
) -> None:
    AuthorizationServerMetadata(metadata).validate()  # RFC 8414 rules, as Authlib checks them
    base = stack.base_url
    assert set(metadata) == {  # no other members (§7.1); registration is on in the local stack
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "revocation_endpoint",
        "introspection_endpoint",
        "registration_endpoint",
        "response_types_supported",
        "grant_types_supported",
        "code_challenge_methods_supported",
        "token_endpoint_auth_methods_supported",
        "revocation_endpoint_auth_methods_supported",
        "introspection_endpoint_auth_methods_supported",
        "scopes_supported",
        "authorization_response_iss_parameter_supported",  # RFC 9207 (50-mcp)
    }
    assert metadata["issuer"] == base
    for name, path in (
        ("authorization", "authorize"),
        ("token", "token"),
        ("revocation", "revoke"),
        ("introspection", "introspect"),
        ("registration", "register"),
    ):
        assert metadata[f"{name}_endpoint"] == f"{base}/v1/oauth/{path}"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert metadata["introspection_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
    ]
    assert len(metadata["scopes_supported"]) == 29 and "bookings:write" not in metadata["scopes_supported"]

    document = http.get("/.well-known/oauth-authorization-server")
    assert document.headers["cache-control"] == "public, max-age=3600"
    assert REQUEST_ID.match(document.headers["x-request-id"])
    resource = http.get("/.well-known/oauth-protected-resource")
    assert resource.status_code == 200 and resource.headers["cache-control"] == "public, max-age=3600"
    assert resource.json() == {
        "resource": base,
        "authorization_servers": [base],
        "scopes_supported": metadata["scopes_supported"],
        "bearer_methods_supported": ["header"],
        "resource_documentation": "https://42min.us/help/api",
    }
    assert http.get("/.well-known/openid-configuration").status_code == 404
    assert http.post("/.well-known/oauth-authorization-server").status_code == 405


# --- the whole flow with Authlib --------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "method", "redirect_uri"),
    [
        pytest.param("app", "client_secret_basic", APP_HTTPS_REDIRECT, id="confidential-basic"),
        pytest.param("app", "client_secret_post", LOOPBACK_WITH_PORT, id="confidential-post"),
        pytest.param("native", "none", LOOPBACK_WITH_PORT, id="public-none"),
    ],
)
def test_full_flow_with_authlib(
    stack: Any,
    http: httpx.Client,
    metadata: dict[str, Any],
    clients: dict[str, dict[str, str]],
    key: str,
    method: str,
    redirect_uri: str,
) -> None:
    registered = clients[key]
    sent: list[httpx.Request] = []
    received: list[httpx.Response] = []
    oauth = OAuth2Client(
        client_id=registered["client_id"],
        client_secret=registered.get("client_secret"),
        token_endpoint_auth_method=method,
        revocation_endpoint_auth_method=method,
        redirect_uri=redirect_uri,
        scope=SCOPE,
        code_challenge_method="S256",
        timeout=30.0,
        event_hooks={"request": [sent.append], "response": [received.append]},
    )
    token_url, revoke_url = metadata["token_endpoint"], metadata["revocation_endpoint"]
    with oauth, UserAgent(stack.base_url) as browser:
        # 1. Authorization URL by Authlib; sign-in and consent by the "browser".
        verifier = generate_token(64)
        url, state = oauth.create_authorization_url(
            metadata["authorization_endpoint"], code_verifier=verifier
        )
        asked = query_of(url)
        assert asked["code_challenge_method"] == "S256" and asked["code_challenge"] == s256(verifier)
        consent = browser.consent_page(url)
        assert parse_page(consent.text).scope_items == SCOPE_WORDING
        decided = browser.submit(consent, "consent", action="approve")
        assert decided.status_code == 303
        callback = decided.headers["location"]
        assert callback.startswith(redirect_uri + "?code=42min_ac_")
        returned = query_of(callback)
        assert returned["state"] == state and returned["iss"] == metadata["issuer"]  # RFC 9207

        # 2. Code exchange with PKCE by Authlib (it checks `state` itself).
        token = oauth.fetch_token(token_url, authorization_response=callback, code_verifier=verifier)
        assert_client_auth(sent[-1], method, registered)
        assert token["access_token"].startswith("42min_at_")
        assert token["refresh_token"].startswith("42min_rt_")
        assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
        assert token["scope"] == " ".join(SCOPE_EXPANDED)

        # 3. API calls through Authlib's bearer auth.
        pinged = oauth.get(f"{stack.base_url}/v1/_ping")
        assert pinged.status_code == 200, pinged.text
        assert pinged.json()["data"] == {
            "ok": True,
            "auth_type": "oauth",
            "account_id": stack.seed_result["organization_id"],
            "scopes": SCOPE_EXPANDED,
            "client_id": registered["client_id"],
        }
        me = oauth.get(f"{stack.base_url}/v1/me")
        assert me.status_code == 200 and me.json()["data"]["user"]["username"] == "ada"
        if key == "app":
            seen = oauth.introspect_token(metadata["introspection_endpoint"], token=token["access_token"])
            assert seen.json()["active"] is True and seen.json()["username"] == "ada"

        # 4. Refresh rotates; the earlier access token stays valid.
        first = dict(token)
        second = oauth.refresh_token(token_url, refresh_token=first["refresh_token"])
        assert_client_auth(sent[-1], method, registered)
        assert second["refresh_token"].startswith("42min_rt_")
        assert second["refresh_token"] != first["refresh_token"]
        assert second["access_token"] != first["access_token"]
        assert ping(http, second["access_token"]).status_code == 200
        assert ping(http, first["access_token"]).status_code == 200

        # 5. The spent refresh token again: invalid_grant, and the whole grant is gone.
        with pytest.raises(OAuthError) as reuse:
            oauth.refresh_token(token_url, refresh_token=first["refresh_token"])
        assert reuse.value.error == "invalid_grant" and received[-1].status_code == 400
        assert received[-1].headers["cache-control"] == "no-store"
        assert_token_rejected(http, second["access_token"])
        assert_token_rejected(http, first["access_token"])
        with pytest.raises(OAuthError) as after:
            oauth.refresh_token(token_url, refresh_token=second["refresh_token"])
        assert after.value.error == "invalid_grant"

        # 6. A new grant (still signed in: straight to consent, never remembered).
        verifier = generate_token(64)
        url, _ = oauth.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier)
        callback = browser.authorize(url)
        third = oauth.fetch_token(token_url, authorization_response=callback, code_verifier=verifier)
        assert oauth.get(f"{stack.base_url}/v1/_ping").status_code == 200

        # 7. RFC 7009: an access token alone, then the refresh token takes the grant with it.
        revoked = oauth.revoke_token(revoke_url, token=third["access_token"], token_type_hint="access_token")
        assert revoked.status_code == 200 and revoked.content == b""
        assert_client_auth(sent[-1], method, registered)
        assert_token_rejected(http, third["access_token"])
        fourth = oauth.refresh_token(token_url, refresh_token=third["refresh_token"])
        assert ping(http, fourth["access_token"]).status_code == 200
        revoked = oauth.revoke_token(
            revoke_url, token=fourth["refresh_token"], token_type_hint="refresh_token"
        )
        assert revoked.status_code == 200 and revoked.content == b""
        assert revoked.headers["cache-control"] == "no-store" and "content-type" not in revoked.headers
        assert_token_rejected(http, fourth["access_token"])
        with pytest.raises(OAuthError) as gone:
            oauth.refresh_token(token_url, refresh_token=fourth["refresh_token"])
        assert gone.value.error == "invalid_grant"


def assert_client_auth(request: httpx.Request, method: str, registered: dict[str, str]) -> None:
    """Authlib really used `method` on this request."""
    body = query_of("?" + request.content.decode())
    has_basic = request.headers.get("authorization", "").startswith("Basic ")
    if method == "client_secret_basic":
        assert has_basic and "client_secret" not in body
    elif method == "client_secret_post":
        assert not has_basic and body["client_secret"] == registered["client_secret"]
        assert body["client_id"] == registered["client_id"]
    else:
        assert not has_basic and "client_secret" not in body and body["client_id"] == registered["client_id"]


# --- authorization endpoint errors (§6.5) -----------------------------------------------------


@pytest.mark.parametrize("client_id", [None, "", "nonsense", UNKNOWN_CLIENT_ID, "repeated"])
def test_authorize_unknown_client_is_an_error_page(
    ua: UserAgent, clients: dict[str, dict[str, str]], client_id: str | None
) -> None:
    params = authorize_query("x", APP_HTTPS_REDIRECT)
    params = [(k, v) for k, v in params if k != "client_id"]
    if client_id == "repeated":
        params += [("client_id", clients["app"]["client_id"])] * 2
    elif client_id is not None:
        params.append(("client_id", client_id))
    assert_error_page(authorize_get(ua, params), "invalid_client")


@pytest.mark.parametrize(
    "redirect_uri",
    [
        None,
        "https://evil.example.com/callback",
        "https://app.example.com/callback/",
        "https://APP.example.com/callback",
        "http://app.example.com/callback",
        "http://localhost/callback",
        "http://127.0.0.1/other",
        "http://127.0.0.1:8080/callback?x=1",
        "repeated",
    ],
)
def test_authorize_bad_redirect_uri_is_an_error_page(
    ua: UserAgent, clients: dict[str, dict[str, str]], redirect_uri: str | None
) -> None:
    # Also wrong in other ways (plain PKCE, bad response_type): still the page, never a redirect.
    params = authorize_query(
        clients["app"]["client_id"], "x", response_type="token", code_challenge_method="plain"
    )
    params = [(k, v) for k, v in params if k != "redirect_uri"]
    if redirect_uri == "repeated":
        params += [("redirect_uri", APP_HTTPS_REDIRECT)] * 2
    elif redirect_uri is not None:
        params.append(("redirect_uri", redirect_uri))
    page = assert_error_page(authorize_get(ua, params), "invalid_redirect_uri")
    assert page.lang == "en" and page.headings[0].startswith("h1:")
    if redirect_uri and redirect_uri != "repeated":
        assert redirect_uri not in authorize_get(ua, params).text


VERIFIER_43 = "A" * 43


@pytest.mark.parametrize(
    ("override", "error"),
    [
        pytest.param(
            {"code_challenge_method": "plain", "code_challenge": VERIFIER_43},
            "invalid_request",
            id="plain-pkce",
        ),
        pytest.param({"code_challenge_method": None}, "invalid_request", id="method-absent-means-plain"),
        pytest.param({"code_challenge": None}, "invalid_request", id="no-challenge"),
        pytest.param({"code_challenge": "too-short"}, "invalid_request", id="malformed-challenge"),
        pytest.param({"response_type": None}, "invalid_request", id="no-response-type"),
        pytest.param({"response_type": "token"}, "unsupported_response_type", id="implicit"),
        pytest.param({"scope": "bookings:read calendar:read"}, "invalid_scope", id="unknown-scope"),
        pytest.param({"scope": "BOOKINGS:READ"}, "invalid_scope", id="scope-case"),
        pytest.param({"scope": ""}, "invalid_scope", id="empty-scope"),
        pytest.param({"scope": None}, "invalid_scope", id="no-scope"),
    ],
)
def test_authorize_errors_redirect_with_state_and_iss(
    stack: Any, ua: UserAgent, clients: dict[str, dict[str, str]], override: dict[str, str | None], error: str
) -> None:
    params = authorize_query(clients["native"]["client_id"], LOOPBACK_WITH_PORT)
    params = [(k, v) for k, v in params if k not in override]
    params += [(k, v) for k, v in override.items() if v is not None]
    got = error_redirect(authorize_get(ua, params), LOOPBACK_WITH_PORT)
    assert got["error"] == error and got["state"] == "xyz-state" and got["iss"] == stack.base_url
    assert list(got) == ["error", "error_description", "state", "iss"]


def test_authorize_repeated_parameter_and_exact_redirect(
    stack: Any, ua: UserAgent, clients: dict[str, dict[str, str]]
) -> None:
    params = authorize_query(clients["app"]["client_id"], APP_HTTPS_REDIRECT)
    twice = params + [("state", "again")]
    got = error_redirect(authorize_get(ua, twice), APP_HTTPS_REDIRECT)
    assert got["error"] == "invalid_request" and "state" not in got  # sent twice: not echoed
    scoped = [(k, "calendar:read" if k == "scope" else v) for k, v in params]
    location = authorize_get(ua, scoped).headers["location"]
    assert location == (
        f"{APP_HTTPS_REDIRECT}?error=invalid_scope&error_description=Unknown+scope%3A+"
        f"calendar%3Aread&state=xyz-state&iss={quote(stack.base_url, safe='')}"
    )


def test_authorize_deny_redirects_access_denied(stack: Any, clients: dict[str, dict[str, str]]) -> None:
    query = urlencode(authorize_query(clients["app"]["client_id"], APP_HTTPS_REDIRECT))
    with UserAgent(stack.base_url) as browser:
        location = browser.authorize(
            f"{stack.base_url}/v1/oauth/authorize?{query}", action="deny", credentials=GRACE
        )
    assert location == (
        f"{APP_HTTPS_REDIRECT}?error=access_denied&error_description=The+user+denied+"
        f"the+request&state=xyz-state&iss={quote(stack.base_url, safe='')}"
    )


def test_sign_in_page_cookies_and_wrong_password(stack: Any, clients: dict[str, dict[str, str]]) -> None:
    query = urlencode(authorize_query(clients["app"]["client_id"], APP_HTTPS_REDIRECT))
    with UserAgent(stack.base_url) as browser:
        page = browser.get(f"{stack.base_url}/v1/oauth/authorize?{query}")
        assert page.status_code == 200
        assert_page_headers(page)
        set_cookie = page.headers["set-cookie"]
        assert set_cookie.startswith(f"{CSRF_COOKIE}=") and "Secure" not in set_cookie  # http issuer
        for attribute in ("HttpOnly", "SameSite=Lax", "Path=/v1/oauth", "Max-Age=43200"):
            assert attribute in set_cookie
        parsed = parse_page(page.text)
        assert parsed.lang == "en" and parsed.scripts == 0
        assert {i["id"] for i in parsed.visible_inputs} <= parsed.labels_for
        failed = browser.submit(page, "sign-in", email="ada@example.com", password="wrong-password")
        assert failed.status_code == 200 and "Incorrect email or password." in failed.text
        assert browser.cookie(SESSION_COOKIE) is None and "set-cookie" not in failed.headers
        assert dict(parse_page(failed.text).forms["sign-in"])["email"] == "ada@example.com"
        # Email matched case-insensitively.
        signed_in = browser.submit(failed, "sign-in", email="ADA@Example.com", password=ADA[1])
        assert signed_in.status_code == 303 and browser.cookie(SESSION_COOKIE)


def test_authorize_post_csrf_and_form_errors(stack: Any, clients: dict[str, dict[str, str]]) -> None:
    query = urlencode(authorize_query(clients["app"]["client_id"], APP_HTTPS_REDIRECT))
    url = f"{stack.base_url}/v1/oauth/authorize?{query}"
    with UserAgent(stack.base_url) as browser, UserAgent(stack.base_url) as stranger:
        page = browser.get(url)
        fields = parse_page(page.text).forms["sign-in"]
        credentials = [("email", ADA[0]), ("password", ADA[1])]
        without = [(k, v) for k, v in fields if k != "csrf_token"]
        # Sign-in: CSRF field missing, different, or the cookie missing (another browser).
        assert_error_page(browser.post_form(without + credentials), "invalid_csrf")
        assert_error_page(
            browser.post_form(without + [("csrf_token", "x" * 43)] + credentials), "invalid_csrf"
        )
        assert_error_page(stranger.post_form(fields + credentials), "invalid_csrf")
        assert browser.cookie(SESSION_COOKIE) is None and stranger.cookie(SESSION_COOKIE) is None
        # Form-level errors after CSRF passes: unknown action; then not form-encoded, too large.
        action_bad = [(k, "steal" if k == "action" else v) for k, v in fields]
        assert_error_page(browser.post_form(action_bad), "invalid_request")
        assert_error_page(browser.post_form(json.dumps(dict(fields)), "application/json"), "invalid_request")
        assert_error_page(
            browser.post_form(urlencode(fields) + "&pad=" + "p" * 70_000), "invalid_request", status=413
        )

        # Consent: Approve without / with a wrong CSRF token issues no code.
        consent = browser.consent_page(url)
        consent_fields = parse_page(consent.text).forms["consent"]
        no_token = [(k, v) for k, v in consent_fields if k != "csrf_token"] + [("action", "approve")]
        assert_error_page(browser.post_form(no_token), "invalid_csrf")
        assert_error_page(browser.post_form(no_token + [("csrf_token", "y" * 43)]), "invalid_csrf")
        # A forged cross-site approve: the attacker's page has no access to the victim's cookie.
        stranger_page = stranger.get(url)
        forged = [(k, v) for k, v in consent_fields if k != "csrf_token"] + [
            ("csrf_token", dict(parse_page(stranger_page.text).forms["sign-in"])["csrf_token"]),
            ("action", "approve"),
        ]
        assert_error_page(browser.post_form(forged), "invalid_csrf")
        # Approve without a session → the sign-in page, no code.
        unsigned = stranger.post_form(forged)
        assert unsigned.status_code == 200 and parse_page(unsigned.text).main_id == "oauth-sign-in"
        # Still works with the right token.
        approved = browser.submit(consent, "consent", action="approve")
        assert approved.status_code == 303 and "code=42min_ac_" in approved.headers["location"]


def test_switch_account_signs_out(stack: Any, clients: dict[str, dict[str, str]]) -> None:
    query = urlencode(authorize_query(clients["app"]["client_id"], APP_HTTPS_REDIRECT))
    url = f"{stack.base_url}/v1/oauth/authorize?{query}"
    with UserAgent(stack.base_url) as browser:
        consent = browser.consent_page(url)
        switched = browser.submit(consent, "switch-account")
        assert switched.status_code == 303 and switched.headers["location"] == url
        assert browser.cookie(SESSION_COOKIE) is None
        page = browser.get(url)
        assert parse_page(page.text).main_id == "oauth-sign-in"
        location = browser.authorize(url, credentials=GRACE)
    assert "code=" in location


# --- token endpoint errors (§6.8) -------------------------------------------------------------


def test_code_exchange_errors(
    stack: Any, http: httpx.Client, ua: UserAgent, clients: dict[str, dict[str, str]]
) -> None:
    app, native = clients["app"], clients["native"]
    # Wrong verifier → invalid_grant, and the code is spent.
    code, verifier = issue_code(stack, ua, app["client_id"], APP_HTTPS_REDIRECT)
    body = assert_oauth_json_error(
        exchange(http, app, code, new_verifier(), APP_HTTPS_REDIRECT), 400, "invalid_grant"
    )
    assert "code_verifier" in body["error_description"]
    assert_oauth_json_error(exchange(http, app, code, verifier, APP_HTTPS_REDIRECT), 400, "invalid_grant")

    # A plain-method client sends the challenge itself as verifier → invalid_grant.
    code, verifier = issue_code(stack, ua, app["client_id"], APP_HTTPS_REDIRECT)
    assert_oauth_json_error(
        exchange(http, app, code, s256(verifier), APP_HTTPS_REDIRECT), 400, "invalid_grant"
    )
    # Malformed verifier (too short).
    code, _ = issue_code(stack, ua, app["client_id"], APP_HTTPS_REDIRECT)
    assert_oauth_json_error(exchange(http, app, code, "short", APP_HTTPS_REDIRECT), 400, "invalid_grant")

    # redirect_uri must equal the authorize one character for character (port included).
    code, verifier = issue_code(stack, ua, native["client_id"], LOOPBACK_WITH_PORT)
    assert_oauth_json_error(exchange(http, native, code, verifier, LOOPBACK_REDIRECT), 400, "invalid_grant")
    assert_oauth_json_error(exchange(http, native, code, verifier, LOOPBACK_WITH_PORT), 400, "invalid_grant")

    # Wrong client: refused, and the code is left untouched for its own client.
    code, verifier = issue_code(stack, ua, native["client_id"], LOOPBACK_REDIRECT)
    assert_oauth_json_error(exchange(http, app, code, verifier, LOOPBACK_REDIRECT), 400, "invalid_grant")
    assert exchange(http, native, code, verifier, LOOPBACK_REDIRECT).status_code == 200

    # Unknown and garbage codes; missing fields.
    assert_oauth_json_error(
        exchange(http, app, "42min_ac_" + "a" * 43, verifier, APP_HTTPS_REDIRECT), 400, "invalid_grant"
    )
    assert_oauth_json_error(
        post(http, "token", app, grant_type="authorization_code", code=code, redirect_uri=APP_HTTPS_REDIRECT),
        400,
        "invalid_request",
    )


def test_code_reuse_revokes_what_it_issued(
    stack: Any, http: httpx.Client, ua: UserAgent, clients: dict[str, dict[str, str]]
) -> None:
    app = clients["app"]
    code, verifier = issue_code(stack, ua, app["client_id"], APP_HTTPS_REDIRECT)
    first = exchange(http, app, code, verifier, APP_HTTPS_REDIRECT)
    assert first.status_code == 200
    issued = first.json()
    assert ping(http, issued["access_token"]).status_code == 200
    assert_oauth_json_error(exchange(http, app, code, verifier, APP_HTTPS_REDIRECT), 400, "invalid_grant")
    assert_token_rejected(http, issued["access_token"])
    assert introspect(http, app, issued["refresh_token"]) == {"active": False}
    assert_oauth_json_error(
        post(http, "token", app, grant_type="refresh_token", refresh_token=issued["refresh_token"]),
        400,
        "invalid_grant",
    )


def test_token_response_headers_and_no_refresh_without_offline_access(
    stack: Any, http: httpx.Client, ua: UserAgent, clients: dict[str, dict[str, str]]
) -> None:
    code, verifier = issue_code(
        stack, ua, clients["native"]["client_id"], LOOPBACK_REDIRECT, scope="slots:read event_types:write"
    )
    response = exchange(http, clients["native"], code, verifier, LOOPBACK_REDIRECT)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store" and response.headers["pragma"] == "no-cache"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}  # no refresh_token key
    assert body["scope"] == "event_types:create event_types:delete event_types:update slots:read"


def _client_auth_cases(app: dict[str, str], native: dict[str, str]) -> list[tuple[str, dict, dict, int, str]]:
    """(id, headers, fields, status, error) for client authentication (§6.8.1) and §6.8.2."""
    app_id, secret, native_id = app["client_id"], app["client_secret"], native["client_id"]
    grant = {"grant_type": "refresh_token", "refresh_token": "42min_rt_" + "a" * 43}
    return [
        ("wrong-secret-basic", basic_auth(app_id, secret + "x"), grant, 401, "invalid_client"),
        (
            "wrong-secret-post",
            {},
            {**grant, "client_id": app_id, "client_secret": "nope"},
            401,
            "invalid_client",
        ),
        ("confidential-without-secret", {}, {**grant, "client_id": app_id}, 401, "invalid_client"),
        (
            "public-with-secret",
            {},
            {**grant, "client_id": native_id, "client_secret": "s"},
            401,
            "invalid_client",
        ),
        ("public-with-basic-secret", basic_auth(native_id, "s"), grant, 401, "invalid_client"),
        ("unknown-client", {}, {**grant, "client_id": UNKNOWN_CLIENT_ID}, 401, "invalid_client"),
        ("no-client", {}, grant, 401, "invalid_client"),
        ("malformed-basic", {"Authorization": "Basic !!!"}, grant, 401, "invalid_client"),
        (
            "basic-and-field-ids-differ",
            basic_auth(app_id, secret),
            {**grant, "client_id": native_id},
            401,
            "invalid_client",
        ),
        (
            "two-methods",
            basic_auth(app_id, secret),
            {**grant, "client_secret": secret},
            400,
            "invalid_request",
        ),
        ("no-grant-type", basic_auth(app_id, secret), {"code": "x"}, 400, "invalid_request"),
        (
            "password-grant",
            basic_auth(app_id, secret),
            {"grant_type": "password", "username": "ada"},
            400,
            "unsupported_grant_type",
        ),
        (
            "client-credentials",
            basic_auth(app_id, secret),
            {"grant_type": "client_credentials"},
            400,
            "unsupported_grant_type",
        ),
        (
            "no-refresh-token",
            basic_auth(app_id, secret),
            {"grant_type": "refresh_token"},
            400,
            "invalid_request",
        ),
        ("unknown-refresh-token", basic_auth(app_id, secret), grant, 400, "invalid_grant"),
    ]


def test_token_endpoint_client_auth_and_request_errors(
    http: httpx.Client, clients: dict[str, dict[str, str]]
) -> None:
    for name, headers, fields, status, error in _client_auth_cases(clients["app"], clients["native"]):
        response = http.post("/v1/oauth/token", data=fields, headers=headers)
        assert_oauth_json_error(response, status, error)
        challenge = response.headers.get("www-authenticate")
        if status == 401 and "Authorization" in headers:
            assert challenge == 'Basic realm="42min"', name
        else:
            assert challenge is None, name
    app = clients["app"]
    auth = basic_auth(app["client_id"], app["client_secret"])
    assert_oauth_json_error(
        http.post("/v1/oauth/token", json={"grant_type": "refresh_token"}, headers=auth),
        400,
        "invalid_request",
    )
    assert_oauth_json_error(
        http.post("/v1/oauth/token", content="grant_type=a&grant_type=b", headers={**auth, **FORM}),
        400,
        "invalid_request",
    )
    assert_oauth_json_error(
        http.post("/v1/oauth/token", content="grant_type=x&pad=" + "p" * 70_000, headers={**auth, **FORM}),
        413,
        "invalid_request",
    )


def test_refresh_errors_and_scope_narrowing(
    stack: Any, http: httpx.Client, ua: UserAgent, clients: dict[str, dict[str, str]]
) -> None:
    app, native = clients["app"], clients["native"]
    issued = tokens(stack, http, ua, app)
    refresh = issued["refresh_token"]
    # Another client's refresh token: refused and left untouched.
    assert_oauth_json_error(
        post(http, "token", native, grant_type="refresh_token", refresh_token=refresh), 400, "invalid_grant"
    )
    # An access token is not a refresh token.
    assert_oauth_json_error(
        post(http, "token", app, grant_type="refresh_token", refresh_token=issued["access_token"]),
        400,
        "invalid_grant",
    )
    # Broadening or unknown scope: invalid_scope, and the token stays unspent.
    for scope in ("webhooks:read", "slots:read calendar:read"):
        assert_oauth_json_error(
            post(http, "token", app, grant_type="refresh_token", refresh_token=refresh, scope=scope),
            400,
            "invalid_scope",
        )
    narrowed = post(http, "token", app, grant_type="refresh_token", refresh_token=refresh, scope="slots:read")
    assert narrowed.status_code == 200, narrowed.text
    assert narrowed.json()["scope"] == "slots:read"
    assert ping(http, narrowed.json()["access_token"]).json()["data"]["scopes"] == ["slots:read"]
    me = http.get("/v1/me", headers=bearer(narrowed.json()["access_token"]))
    assert me.status_code == 403 and me.json()["error"]["code"] == "insufficient_scope"
    # The new refresh token keeps the grant's full scope.
    assert introspect(http, app, narrowed.json()["refresh_token"])["scope"] == " ".join(SCOPE_EXPANDED)


# --- revocation errors (§6.10) ----------------------------------------------------------------


def test_revoke_errors_and_foreign_tokens(
    stack: Any, http: httpx.Client, ua: UserAgent, clients: dict[str, dict[str, str]]
) -> None:
    app, native = clients["app"], clients["native"]
    assert_oauth_json_error(post(http, "revoke", app), 400, "invalid_request", pragma=False)
    wrong = http.post(
        "/v1/oauth/revoke", data={"token": "x"}, headers=basic_auth(app["client_id"], "42min_cs_wrong")
    )
    assert_oauth_json_error(wrong, 401, "invalid_client", pragma=False)
    assert wrong.headers["www-authenticate"] == 'Basic realm="42min"'
    assert_oauth_json_error(
        http.post("/v1/oauth/revoke", data={"token": "x"}), 401, "invalid_client", pragma=False
    )
    as_json = http.post("/v1/oauth/revoke", json={"token": "x", "client_id": native["client_id"]})
    assert_oauth_json_error(as_json, 400, "invalid_request", pragma=False)
    assert_oauth_json_error(
        http.post(
            "/v1/oauth/revoke", content=f"client_id={native['client_id']}&token=a&token=b", headers=FORM
        ),
        400,
        "invalid_request",
        pragma=False,
    )

    issued = tokens(stack, http, ua, app)
    pat = stack.seed_result["pats"]["full"]["token"]
    # Unknown tokens, another client's tokens, a PAT: 200 and nothing happens.
    for token in ("42min_at_" + "b" * 43, "garbage", issued["access_token"], issued["refresh_token"], pat):
        response = post(http, "revoke", native, token=token, token_type_hint="refresh_token")
        assert response.status_code == 200 and response.content == b"", response.text
    assert ping(http, issued["access_token"]).status_code == 200
    assert ping(http, pat).status_code == 200
    assert introspect(http, app, issued["refresh_token"])["active"] is True
    # A hint that is wrong only changes the lookup order.
    assert (
        post(http, "revoke", app, token=issued["refresh_token"], token_type_hint="access_token").status_code
        == 200
    )
    assert_token_rejected(http, issued["access_token"])


# --- introspection errors (§6.11) -------------------------------------------------------------


def test_introspection_rules(
    stack: Any, http: httpx.Client, ua: UserAgent, clients: dict[str, dict[str, str]]
) -> None:
    app, native = clients["app"], clients["native"]
    mine = tokens(stack, http, ua, app)
    theirs = tokens(stack, http, ua, native)
    # A public client may not introspect, even its own tokens.
    body = assert_oauth_json_error(
        post(http, "introspect", native, token=theirs["access_token"]), 401, "invalid_client"
    )
    assert body["error_description"]
    assert_oauth_json_error(post(http, "introspect", app), 400, "invalid_request")
    assert_oauth_json_error(
        http.post(
            "/v1/oauth/introspect",
            data={"token": mine["access_token"]},
            headers=basic_auth(app["client_id"], "bad"),
        ),
        401,
        "invalid_client",
    )
    # client_secret_post is accepted too.
    posted = http.post("/v1/oauth/introspect", data={"token": mine["access_token"], **app})
    assert posted.status_code == 200 and posted.json()["active"] is True
    assert posted.headers["cache-control"] == "no-store" and posted.headers["pragma"] == "no-cache"

    active = introspect(http, app, mine["access_token"])
    assert set(active) == {
        "active",
        "scope",
        "client_id",
        "username",
        "sub",
        "token_type",
        "exp",
        "iat",
        "iss",
    }
    assert active["token_type"] == "Bearer" and active["client_id"] == app["client_id"]
    assert active["exp"] - active["iat"] == 3600 and active["iss"] == stack.base_url
    assert introspect(http, app, mine["refresh_token"])["token_type"] == "refresh_token"

    pat = stack.seed_result["pats"]["full"]["token"]
    code, _ = issue_code(stack, ua, app["client_id"], APP_HTTPS_REDIRECT)
    for token in (theirs["access_token"], theirs["refresh_token"], pat, code, "42min_at_" + "c" * 43, "x"):
        assert introspect(http, app, token) == {"active": False}, token
    # Spent and revoked tokens read as inactive.
    rotated = post(http, "token", app, grant_type="refresh_token", refresh_token=mine["refresh_token"])
    assert rotated.status_code == 200
    assert introspect(http, app, mine["refresh_token"]) == {"active": False}
    assert post(http, "revoke", app, token=rotated.json()["access_token"]).status_code == 200
    assert introspect(http, app, rotated.json()["access_token"]) == {"active": False}
    assert introspect(http, app, mine["access_token"])["active"] is True


# --- dynamic client registration (§6.12) ------------------------------------------------------


def test_registration_enabled_and_usable(stack: Any, http: httpx.Client, metadata: dict[str, Any]) -> None:
    public = http.post(
        "/v1/oauth/register",
        json={
            "client_name": "Desk Scheduler",
            "redirect_uris": [LOOPBACK_REDIRECT],
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code"],
            "extra": "ignored",
        },
    )
    assert public.status_code == 201, public.text
    assert public.headers["cache-control"] == "no-store" and public.headers["pragma"] == "no-cache"
    registered = public.json()
    assert set(registered) == {
        "client_id",
        "client_id_issued_at",
        "client_name",
        "redirect_uris",
        "grant_types",
        "response_types",
        "token_endpoint_auth_method",
    }
    assert registered["grant_types"] == ["authorization_code"]

    confidential = http.post("/v1/oauth/register", json={"redirect_uris": [APP_HTTPS_REDIRECT]})
    assert confidential.status_code == 201, confidential.text
    secretive = confidential.json()
    assert secretive["client_secret"].startswith("42min_cs_") and secretive["client_secret_expires_at"] == 0
    assert secretive["client_name"] == "app.example.com"
    assert secretive["token_endpoint_auth_method"] == "client_secret_basic"

    # The registered public client works with Authlib; no refresh_token grant → none issued.
    oauth = OAuth2Client(
        client_id=registered["client_id"],
        token_endpoint_auth_method="none",
        redirect_uri=LOOPBACK_WITH_PORT,
        scope="slots:read offline_access",
        code_challenge_method="S256",
        timeout=30.0,
    )
    with oauth, UserAgent(stack.base_url) as browser:
        verifier = generate_token(64)
        url, _ = oauth.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier)
        consent = browser.consent_page(url, credentials=GRACE)
        assert "Desk Scheduler" in parse_page(consent.text).headings[0]
        callback = browser.submit(consent, "consent", action="approve").headers["location"]
        token = oauth.fetch_token(
            metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier
        )
        assert "refresh_token" not in token and token["scope"] == "offline_access slots:read"
        with pytest.raises(OAuthError) as refused:
            oauth.refresh_token(metadata["token_endpoint"], refresh_token="42min_rt_" + "d" * 43)
        assert refused.value.error == "unauthorized_client"


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        ({"redirect_uris": ["http://a.example/callback"]}, None, "invalid_redirect_uri"),
        ({"redirect_uris": []}, None, "invalid_redirect_uri"),
        ({"client_name": "No URIs"}, None, "invalid_redirect_uri"),
        ({"redirect_uris": ["https://a.example/cb#frag"]}, None, "invalid_redirect_uri"),
        (
            {"redirect_uris": [APP_HTTPS_REDIRECT], "token_endpoint_auth_method": "private_key_jwt"},
            None,
            "invalid_client_metadata",
        ),
        (
            {"redirect_uris": [APP_HTTPS_REDIRECT], "grant_types": ["refresh_token"]},
            None,
            "invalid_client_metadata",
        ),
        (
            {"redirect_uris": [APP_HTTPS_REDIRECT], "grant_types": ["client_credentials"]},
            None,
            "invalid_client_metadata",
        ),
        (
            {"redirect_uris": [APP_HTTPS_REDIRECT], "response_types": ["token"]},
            None,
            "invalid_client_metadata",
        ),
        ({"redirect_uris": [APP_HTTPS_REDIRECT], "client_name": ""}, None, "invalid_client_metadata"),
        ({"redirect_uris": [APP_HTTPS_REDIRECT], "client_name": "n" * 101}, None, "invalid_client_metadata"),
        ([APP_HTTPS_REDIRECT], None, "invalid_client_metadata"),
        (
            "redirect_uris=https%3A%2F%2Fapp.example.com%2Fcallback",
            "application/x-www-form-urlencoded",
            "invalid_client_metadata",
        ),
    ],
)
def test_registration_errors(http: httpx.Client, body: Any, content_type: str | None, error: str) -> None:
    if content_type:
        response = http.post("/v1/oauth/register", content=body, headers={"Content-Type": content_type})
    else:
        response = http.post("/v1/oauth/register", json=body)
    assert_oauth_json_error(response, 400, error)


# --- expired code: keep last (see the module docstring) ---------------------------------------


def test_expired_code_is_invalid_grant(
    http: httpx.Client, clients: dict[str, dict[str, str]], early_code: dict[str, Any]
) -> None:
    remaining = early_code["issued"] + CODE_LIFETIME_S + 1.0 - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)
    response = exchange(
        http, clients["native"], early_code["code"], early_code["verifier"], LOOPBACK_REDIRECT
    )
    body = assert_oauth_json_error(response, 400, "invalid_grant")
    assert body["error_description"] == "The authorization code is invalid, expired or already used."
