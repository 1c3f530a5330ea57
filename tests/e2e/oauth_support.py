"""Shared helpers of the OAuth end-to-end tests (test_oauth_authlib_e2e, test_oauth_browser_e2e).

Written independently of tests/integration/oauth/flow.py: these tests play an outside client and
an outside user agent against the local stack over real HTTP.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import httpx

ADA = ("ada@example.com", "correct-horse-battery")
GRACE = ("grace@example.com", "cobol-forever-1959")
APP_HTTPS_REDIRECT = "https://app.example.com/callback"
LOOPBACK_REDIRECT = "http://127.0.0.1/callback"
SCOPE = "user:read bookings:read bookings:write slots:read offline_access"
#: SCOPE after alias expansion, sorted (10-auth §5.2).
SCOPE_EXPANDED = sorted(
    [
        "user:read",
        "bookings:read",
        "bookings:create",
        "bookings:cancel",
        "bookings:reschedule",
        "bookings:update",
        "slots:read",
        "offline_access",
    ]
)
#: Consent-screen wording of SCOPE, in §5.1 order.
SCOPE_WORDING = [
    ("user:read", "Read the connected user's own profile"),
    ("slots:read", "Compute availability"),
    ("bookings:read", "Read bookings"),
    ("bookings:create", "Create bookings"),
    ("bookings:cancel", "Cancel bookings"),
    ("bookings:reschedule", "Reschedule bookings"),
    ("bookings:update", "Modify booking metadata and form answers"),
    ("offline_access", "Receive a refresh token"),
]
CSRF_COOKIE = "42min_oauth_csrf"
SESSION_COOKIE = "42min_oauth_session"
REQUEST_ID = re.compile(r"^req_[0-7][0-9A-HJKMNP-TV-Z]{25}$")
PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def new_verifier() -> str:
    """A fresh 64-character PKCE code_verifier (RFC 7636 §4.1)."""
    return secrets.token_urlsafe(48)


def s256(verifier: str) -> str:
    """The S256 code_challenge of a verifier, computed here (not with the product's helper)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def basic_auth(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


# --- HTML -------------------------------------------------------------------------------------


@dataclass
class Page:
    """What a user agent needs from an OAuth page: forms, error code, and a11y facts."""

    forms: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    buttons: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # form → (name, value)
    data_error: str | None = None
    main_id: str | None = None
    lang: str | None = None
    headings: list[str] = field(default_factory=list)
    labels_for: set[str] = field(default_factory=set)
    visible_inputs: list[dict[str, str]] = field(default_factory=list)
    scope_items: list[tuple[str, str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    scripts: int = 0


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._form: str | None = None
        self._text_of: str | None = None  # "h1", "h2" or "li"
        self._scope: str = ""
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        page = self.page
        if tag == "html":
            page.lang = a.get("lang")
        elif tag == "main":
            page.main_id = a.get("id")
            page.data_error = a.get("data-error")
        elif tag == "form":
            self._form = a.get("id", "")
            page.forms[self._form] = []
            page.buttons[self._form] = []
        elif tag == "input" and self._form is not None and a.get("name"):
            page.forms[self._form].append((a["name"], a.get("value", "")))
            if a.get("type") != "hidden":
                page.visible_inputs.append(a)
        elif tag == "button" and self._form is not None:
            page.buttons[self._form].append((a.get("name", ""), a.get("value", "")))
        elif tag == "label" and a.get("for"):
            page.labels_for.add(a["for"])
        elif tag == "a" and a.get("href"):
            page.links.append(a["href"])
        elif tag == "script":
            page.scripts += 1
        elif tag in ("h1", "h2") or (tag == "li" and a.get("data-scope")):
            self._text_of, self._scope, self._text = tag, a.get("data-scope", ""), []

    def handle_data(self, data: str) -> None:
        if self._text_of:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == self._text_of:
            text = " ".join("".join(self._text).split())
            if tag == "li":
                self.page.scope_items.append((self._scope, text))
            else:
                self.page.headings.append(f"{tag}:{text}")
            self._text_of = None


def parse_page(html: str) -> Page:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser.page


# --- a user agent -----------------------------------------------------------------------------


class UserAgent:
    """A cookie-keeping user agent over httpx that fills in the OAuth pages like a person would.

    Redirects are not followed automatically: a redirect to the client's redirect URI is where
    a browser would hand over to the client, so it is returned instead of fetched.
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(timeout=30.0, follow_redirects=False)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> UserAgent:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def cookie(self, name: str) -> str | None:
        return self.http.cookies.get(name)

    def get(self, url: str) -> httpx.Response:
        return self.http.get(url)

    def post_form(
        self,
        fields: list[tuple[str, str]] | str | bytes,
        content_type: str = "application/x-www-form-urlencoded",
    ) -> httpx.Response:
        body = fields if isinstance(fields, str | bytes) else urlencode(fields)
        return self.http.post(
            urljoin(self.base_url, "/v1/oauth/authorize"),
            content=body,
            headers={"Content-Type": content_type},
        )

    def submit(self, response: httpx.Response, form_id: str, **overrides: str) -> httpx.Response:
        """Submit a form of the page as a browser would: its inputs, then the overrides
        (a `submit`-button's name/value, or filled-in fields)."""
        page = parse_page(response.text)
        assert form_id in page.forms, (form_id, response.status_code, response.text[:2000])
        pairs = [(k, v) for k, v in page.forms[form_id] if k not in overrides]
        return self.post_form(pairs + list(overrides.items()))

    def follow_internal(self, response: httpx.Response) -> httpx.Response:
        """Follow redirects while they stay on the stack's own authorize endpoint."""
        while response.status_code in (302, 303) and response.headers["location"].startswith(
            f"{self.base_url}/v1/oauth/authorize"
        ):
            response = self.get(response.headers["location"])
        return response

    def consent_page(self, authorize_url: str, credentials: tuple[str, str] = ADA) -> httpx.Response:
        """Open the authorization URL, signing in when asked; returns the consent page."""
        page = self.get(authorize_url)
        assert page.status_code == 200, (page.status_code, page.headers, page.text[:2000])
        if "sign-in" in parse_page(page.text).forms:
            email, password = credentials
            signed_in = self.submit(page, "sign-in", email=email, password=password)
            assert signed_in.status_code == 303, signed_in.text[:2000]
            assert signed_in.headers["location"] == authorize_url_with_params(self.base_url, page)
            page = self.follow_internal(signed_in)
        assert page.status_code == 200 and parse_page(page.text).main_id == "oauth-consent", page.text[:2000]
        return page

    def authorize(
        self, authorize_url: str, action: str = "approve", credentials: tuple[str, str] = ADA
    ) -> str:
        """Sign in (when needed), press Approve or Deny; returns the Location sent to the client."""
        consent = self.consent_page(authorize_url, credentials)
        decided = self.submit(consent, "consent", action=action)
        assert decided.status_code == 303, (decided.status_code, decided.text[:2000])
        return decided.headers["location"]


def authorize_url_with_params(base_url: str, page: httpx.Response) -> str:
    """Where a successful sign-in leads: the authorize URL with the page's hidden parameters."""
    hidden = [
        (k, v)
        for k, v in parse_page(page.text).forms["sign-in"]
        if k not in ("action", "csrf_token", "email", "password")
    ]
    return f"{base_url}/v1/oauth/authorize?{urlencode(hidden)}"


def authorize_query(
    client_id: str,
    redirect_uri: str,
    *,
    verifier: str | None = None,
    scope: str = SCOPE,
    state: str | None = "xyz-state",
    **extra: str,
) -> list[tuple[str, str]]:
    """Hand-built authorization parameters for the negative tests (Authlib builds the real ones)."""
    params = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("scope", scope),
    ]
    if state is not None:
        params.append(("state", state))
    params += [("code_challenge", s256(verifier or new_verifier())), ("code_challenge_method", "S256")]
    overridden = [(k, v) for k, v in params if k not in extra]
    return overridden + [(k, v) for k, v in extra.items() if v is not None]


def assert_page_headers(response: httpx.Response) -> None:
    """Headers of every authorize page (10-auth §6.5.4)."""
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == PAGE_CSP
    assert_authorize_headers(response)


def assert_authorize_headers(response: httpx.Response) -> None:
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert REQUEST_ID.match(response.headers["x-request-id"])
    assert "x-ratelimit-limit" in response.headers


def assert_error_page(response: httpx.Response, error: str, status: int = 400) -> Page:
    """The HTML error page (§6.5.3): never a redirect, never a link to the redirect URI."""
    assert response.status_code == status, (response.status_code, response.text[:2000])
    assert "location" not in response.headers
    assert_page_headers(response)
    page = parse_page(response.text)
    assert page.main_id == "oauth-error" and page.data_error == error, response.text[:2000]
    assert page.links == [] and page.forms == {}
    assert response.headers["x-request-id"] in response.text
    return page


def assert_oauth_json_error(
    response: httpx.Response, status: int, error: str, *, pragma: bool = True
) -> dict[str, Any]:
    """A raw RFC 6749 error body of token / revoke / introspect / register."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"error", "error_description"} and body["error"] == error, body
    assert body["error_description"]
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    assert (response.headers.get("pragma") == "no-cache") is pragma
    assert REQUEST_ID.match(response.headers["x-request-id"])
    assert "x-ratelimit-limit" in response.headers
    return body


def create_client(stack: Any, name: str, client_type: str, *redirect_uris: str) -> dict[str, Any]:
    """`42min admin oauth-client create … --json` on the stack; the printed client."""
    args = ["admin", "oauth-client", "create", "--org", "Acme", "--name", name, "--type", client_type]
    for uri in redirect_uris:
        args += ["--redirect-uri", uri]
    result = stack.cli(*args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
