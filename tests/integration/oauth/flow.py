"""Drives the OAuth function like a browser and a client would, through its real Lambda handler."""

from __future__ import annotations

import base64
import re
import secrets
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

from fortytwo.domain.oauth.pkce import s256_challenge
from tests.conftest import Invoker, Response

ISSUER = "https://api.42min.test"
CONFIDENTIAL_REDIRECT = "https://app.example.com/callback"
PUBLIC_REDIRECT = "http://127.0.0.1/callback"
PASSWORD = "correct-horse-battery"
FORM = {"content-type": "application/x-www-form-urlencoded"}

SEED: dict[str, Any] = {
    "organization": {"name": "Acme", "plan": "Pro"},
    "users": [
        {
            "username": "ada",
            "email": "ada@example.com",
            "first_name": "Ada",
            "role": "owner",
            "password": PASSWORD,
        },
        {
            "username": "grace",
            "email": "Grace@Example.com",
            "role": "admin",
            "password": "cobol-forever-1959",
        },
        {"username": "linus", "email": "linus@example.com", "role": "user"},
    ],
    "oauth_clients": [
        {
            "key": "app",
            "name": "Example <app>",
            "type": "confidential",
            "redirect_uris": [CONFIDENTIAL_REDIRECT, "https://app.example.com/cb?tenant=1"],
        },
        {"key": "cli", "name": "Desk CLI", "type": "public", "redirect_uris": [PUBLIC_REDIRECT]},
    ],
}


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


class Form(HTMLParser):
    """Hidden and visible inputs of a page, per form id; plus `data-error`."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: dict[str, list[tuple[str, str]]] = {}
        self.data_error: str | None = None
        self._form: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._form = a.get("id") or ""
            self.forms[self._form] = []
        elif tag == "input" and self._form is not None and a.get("name"):
            self.forms[self._form].append((str(a["name"]), a.get("value") or ""))
        elif tag == "main" and a.get("data-error"):
            self.data_error = a["data-error"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def cookie_values(response: Response) -> dict[str, str]:
    out = {}
    for cookie in response.raw.get("cookies") or []:
        name, _, rest = cookie.partition("=")
        out[name] = rest.split(";", 1)[0]
    return out


class Browser:
    """A user agent with a cookie jar, talking to the OAuth function."""

    def __init__(self, invoke: Invoker, source_ip: str = "198.51.100.10") -> None:
        self.invoke = invoke
        self.cookies: dict[str, str] = {}
        self.source_ip = source_ip

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _keep(self, response: Response) -> Response:
        for name, value in cookie_values(response).items():
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return response

    def get(self, query: list[tuple[str, str]] | str) -> Response:
        raw = query if isinstance(query, str) else urlencode(query)
        response = self.invoke(
            "oauth",
            "GET",
            "/v1/oauth/authorize",
            query=raw,
            headers=self._headers(),
            source_ip=self.source_ip,
        )
        return self._keep(response)

    def get_url(self, url: str) -> Response:
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == ISSUER and parts.path == "/v1/oauth/authorize"
        return self.get(parts.query)

    def post(self, fields: list[tuple[str, str]] | bytes, headers: dict[str, str] | None = None) -> Response:
        body = fields if isinstance(fields, bytes) else urlencode(fields).encode()
        response = self.invoke(
            "oauth",
            "POST",
            "/v1/oauth/authorize",
            body=body,
            headers=self._headers(headers if headers is not None else FORM),
            source_ip=self.source_ip,
        )
        return self._keep(response)

    def submit(self, page: Response, form_id: str, **fields: str) -> Response:
        inputs = Form(page.text).forms[form_id]
        pairs = [(k, v) for k, v in inputs if k not in fields] + list(fields.items())
        return self.post(pairs)


def authorize_params(
    client_id: str,
    redirect_uri: str,
    *,
    scope: str = "bookings:read bookings:write slots:read offline_access",
    state: str | None = "af0ifjsldkj",
    verifier: str | None = None,
    resource: str | None = None,
) -> tuple[list[tuple[str, str]], str]:
    verifier = verifier or secrets.token_urlsafe(48)
    params = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("scope", scope),
    ]
    if state is not None:
        params.append(("state", state))
    params += [("code_challenge", s256_challenge(verifier)), ("code_challenge_method", "S256")]
    if resource is not None:
        params.append(("resource", resource))
    return params, verifier


def location_params(response: Response) -> dict[str, str]:
    query = urlsplit(response.headers["location"]).query
    return dict(parse_qsl(query, keep_blank_values=True))


def sign_in(browser: Browser, params: list[tuple[str, str]], email: str = "ada@example.com") -> Response:
    """GET → (sign-in page → POST sign_in → 303 → GET) → the consent page."""
    page = browser.get(params)
    assert page.status == 200, page.text
    if "consent" in Form(page.text).forms:
        return page
    after = browser.submit(page, "sign-in", email=email, password=PASSWORD)
    assert after.status == 303, after.text
    consent = browser.get_url(after.headers["location"])
    assert consent.status == 200 and "consent" in Form(consent.text).forms, consent.text
    return consent


def authorize_code(
    browser: Browser, client_id: str, redirect_uri: str, **kwargs: Any
) -> tuple[str, str, list[tuple[str, str]]]:
    """Full browser flow up to the code: (code, verifier, params)."""
    params, verifier = authorize_params(client_id, redirect_uri, **kwargs)
    consent = sign_in(browser, params)
    approved = browser.submit(consent, "consent", action="approve")
    assert approved.status == 303, approved.text
    query = parse_qs(urlsplit(approved.headers["location"]).query)
    return query["code"][0], verifier, params


def token_request(
    invoke: Invoker,
    fields: list[tuple[str, str]] | dict[str, str],
    headers: dict[str, str] | None = None,
    *,
    path: str = "/v1/oauth/token",
    raw_body: bytes | None = None,
    source_ip: str = "203.0.113.50",
) -> Response:
    body = (
        raw_body
        if raw_body is not None
        else urlencode(list(dict(fields).items()) if isinstance(fields, dict) else fields).encode()
    )
    hdrs = {**FORM, **(headers or {})}
    return invoke("oauth", "POST", path, body=body, headers=hdrs, source_ip=source_ip)


def assert_oauth_error(response: Response, status: int, error: str) -> dict[str, Any]:
    assert response.status == status, (response.status, response.text)
    body = response.json()
    assert set(body) == {"error", "error_description"}, body
    assert body["error"] == error, body
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    assert re.match(r"^req_[0-7][0-9A-HJKMNP-TV-Z]{25}$", response.headers["x-request-id"])
    assert "x-ratelimit-limit" in response.headers
    return body


def exchange(
    invoke: Invoker,
    client: dict[str, str],
    code: str,
    verifier: str,
    redirect_uri: str,
    **extra: str,
) -> Response:
    """Code exchange: Basic for a confidential client, `client_id` field for a public one."""
    fields = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    fields.update(extra)
    if "client_secret" in client:
        return token_request(invoke, fields, basic(client["client_id"], client["client_secret"]))
    return token_request(invoke, {**fields, "client_id": client["client_id"]})


def refresh(invoke: Invoker, client: dict[str, str], refresh_token: str, **extra: str) -> Response:
    fields = {"grant_type": "refresh_token", "refresh_token": refresh_token, **extra}
    if "client_secret" in client:
        return token_request(invoke, fields, basic(client["client_id"], client["client_secret"]))
    return token_request(invoke, {**fields, "client_id": client["client_id"]})


def ping(invoke: Invoker, access_token: str) -> Response:
    return invoke("meta", "GET", "/v1/_ping", headers={"Authorization": f"Bearer {access_token}"})


def tokens_for(
    invoke: Invoker, browser: Browser, client: dict[str, str], redirect_uri: str, **kwargs: Any
) -> dict:
    code, verifier, _ = authorize_code(browser, client["client_id"], redirect_uri, **kwargs)
    response = exchange(invoke, client, code, verifier, redirect_uri)
    assert response.status == 200, response.text
    return response.json()
