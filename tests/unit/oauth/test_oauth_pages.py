"""Authorize pages (10-auth §6.5.3, §6.5.4, §6.6, §6.7): structure, escaping, headers, cookies."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from fortytwo.domain.scopes import consent_items
from fortytwo.http.oauth_pages import (
    AUTHORIZE_HEADERS,
    PAGE_HEADERS,
    clear_session_cookie,
    csrf_cookie,
    parse_cookies,
    render_consent_page,
    render_error_page,
    render_sign_in_page,
    session_cookie,
)

CSRF = "66m5SiUPA6lo7s0qJf-4sW8ErtKnAPBk3Z0ZP9HQ2Co"
PARAMS = [
    ("response_type", "code"),
    ("client_id", "42min_01KR8N8N804DGCA9ZJ80BF7N5J"),
    ("redirect_uri", "https://app.example.com/callback"),
    ("scope", "bookings:read bookings:write slots:read offline_access"),
    ("state", "af0ifjsldkj"),
    ("code_challenge", "-pkQjH1sOJ5Y7nwh_UI1zZejXeTevbbdPDi1P7QBXfo"),
    ("code_challenge_method", "S256"),
]
EVIL = '<script>alert("x")</script>&\''


class Doc(HTMLParser):
    """Collects elements (tag, attrs) in document order, with the form each belongs to, and text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None], str | None]] = []
        self.text: list[str] = []
        self._form: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._form = attributes.get("id")
        self.elements.append((tag, attributes, self._form))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None

    def handle_data(self, data):
        self.text.append(data)

    def find(self, tag, **attrs):
        return [a for t, a, _ in self.elements if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def inputs(self, form):
        return [
            (a.get("type"), a.get("name"), a.get("value"))
            for t, a, f in self.elements
            if t == "input" and f == form
        ]

    @property
    def all_text(self):
        return "".join(self.text)


def test_sign_in_page_structure():
    html = render_sign_in_page(
        client_name="Example app", redirect_host="app.example.com", csrf_token=CSRF, params=PARAMS
    )
    doc = Doc(html)
    assert html.startswith("<!doctype html>")
    assert doc.find("html", lang="en")
    assert doc.find("meta", name="viewport")
    assert doc.find("h1")
    assert doc.find("script") == []
    assert doc.find("form", id="sign-in", method="post", action="/v1/oauth/authorize")
    hidden = [(n, v) for t, n, v in doc.inputs("sign-in") if t == "hidden"]
    assert hidden == [("action", "sign_in"), ("csrf_token", CSRF), *PARAMS]
    (email,) = doc.find("input", name="email")
    assert email["type"] == "email" and email["autocomplete"] == "username" and "required" in email
    (password,) = doc.find("input", name="password")
    assert password["type"] == "password" and password["autocomplete"] == "current-password"
    # every visible input has a label
    assert doc.find("label", **{"for": email["id"]}) and doc.find("label", **{"for": password["id"]})
    assert doc.find("button", type="submit")
    assert "Example app" in doc.all_text and "app.example.com" in doc.all_text
    assert doc.find("a") == []  # never links to the redirect URI
    # focus order: email, password, then the button
    order = [
        t
        for t, a, f in doc.elements
        if f == "sign-in" and (t == "button" or a.get("type") in ("email", "password"))
    ]
    assert order == ["input", "input", "button"]


def test_sign_in_failure_refills_email_and_shows_message():
    html = render_sign_in_page(
        client_name="App",
        redirect_host="h",
        csrf_token=CSRF,
        params=PARAMS,
        email="ada@example.com",
        error_message="Incorrect email or password.",
    )
    doc = Doc(html)
    (email,) = doc.find("input", name="email")
    assert email["value"] == "ada@example.com"
    (alert,) = doc.find("p", role="alert")
    assert alert["id"] == email["aria-describedby"]
    assert "Incorrect email or password." in doc.all_text
    (password,) = doc.find("input", name="password")
    assert "value" not in password


def test_consent_page_structure():
    html = render_consent_page(
        client_name="Example app",
        redirect_host="app.example.com",
        user_email="ada@example.com",
        organization_name="Acme",
        scopes=consent_items(["bookings:read", "bookings:write", "slots:read", "offline_access"]),
        csrf_token=CSRF,
        params=PARAMS,
    )
    doc = Doc(html)
    assert doc.find("html", lang="en") and doc.find("h1")
    hidden = [(n, v) for t, n, v in doc.inputs("consent") if t == "hidden"]
    assert hidden == [("csrf_token", CSRF), *PARAMS]
    assert doc.find("button", type="submit", name="action", value="approve")
    assert doc.find("button", type="submit", name="action", value="deny")
    switch = [(n, v) for t, n, v in doc.inputs("switch-account") if t == "hidden"]
    assert switch == [("action", "switch_account"), ("csrf_token", CSRF), *PARAMS]
    items = [a["data-scope"] for a in doc.find("li")]
    assert items == [
        "slots:read",
        "bookings:read",
        "bookings:create",
        "bookings:cancel",
        "bookings:reschedule",
        "bookings:update",
        "offline_access",
    ]
    text = doc.all_text
    for wording in ("Compute availability", "Read bookings", "Receive a refresh token", "Cancel bookings"):
        assert wording in text
    assert "bookings:write" not in text
    assert "ada@example.com" in text and "Acme" in text and "app.example.com" in text
    assert doc.find("a") == [] and doc.find("script") == []
    # Approve comes first, so Enter submits approval
    buttons = [a.get("value") for t, a, f in doc.elements if t == "button" and f == "consent"]
    assert buttons == ["approve", "deny"]


@pytest.mark.parametrize("code", ["invalid_request", "invalid_csrf", "invalid_client", "invalid_redirect_uri",
                                  "rate_limited", "server_error", "temporarily_unavailable"])  # fmt: skip
def test_error_page(code):
    html = render_error_page(code, request_id="req_01KS2D7XN40PY05VNZ1XFZMFT3")
    doc = Doc(html)
    (main,) = doc.find("main", id="oauth-error")
    assert main["data-error"] == code
    assert doc.find("h1") and doc.find("html", lang="en")
    assert "Request id: req_01KS2D7XN40PY05VNZ1XFZMFT3" in doc.all_text
    assert doc.find("a") == []


def test_error_page_413_and_custom_message():
    doc = Doc(render_error_page("invalid_request", request_id="r", status=413))
    assert "too large" in doc.all_text
    doc = Doc(render_error_page("rate_limited", request_id="r", message="Wait 27 seconds."))
    assert "Wait 27 seconds." in doc.all_text


def test_spec_redirect_uri_error_text():
    doc = Doc(render_error_page("invalid_redirect_uri", request_id="r"))
    assert "This application cannot sign you in" in doc.all_text
    assert "The redirect URI is not registered for this application." in doc.all_text


def test_everything_user_controlled_is_escaped():
    evil_params = [(name, EVIL) for name, _ in PARAMS]
    pages = [
        render_sign_in_page(
            client_name=EVIL,
            redirect_host=EVIL,
            csrf_token=EVIL,
            params=evil_params,
            email=EVIL,
            error_message=EVIL,
        ),
        render_consent_page(
            client_name=EVIL,
            redirect_host=EVIL,
            user_email=EVIL,
            organization_name=EVIL,
            scopes=[(EVIL, EVIL)],
            csrf_token=EVIL,
            params=evil_params,
        ),
        render_error_page(EVIL, request_id=EVIL, message=EVIL),
    ]
    for html in pages:
        assert "<script" not in html
        assert EVIL not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#x27;" in html
        doc = Doc(html)
        assert doc.find("script") == []
        # escaped values round-trip to the original through the parser
        assert EVIL in doc.all_text or any(a.get("value") == EVIL for _, a, _ in doc.elements)


def test_hidden_values_round_trip():
    params = [("state", "a\"b<c>&d'e")]
    doc = Doc(render_sign_in_page(client_name="A", redirect_host="h", csrf_token=CSRF, params=params))
    assert ("hidden", "state", "a\"b<c>&d'e") in doc.inputs("sign-in")


def test_headers():
    assert dict(AUTHORIZE_HEADERS) == {
        "Cache-Control": "no-store",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
    }
    assert PAGE_HEADERS["Content-Type"] == "text/html; charset=utf-8"
    assert PAGE_HEADERS["Content-Security-Policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    )
    for name, value in AUTHORIZE_HEADERS.items():
        assert PAGE_HEADERS[name] == value
    with pytest.raises(TypeError):
        PAGE_HEADERS["X"] = "y"  # type: ignore[index]


def test_pages_use_only_inline_styles():
    html = render_sign_in_page(client_name="A", redirect_host="h", csrf_token=CSRF, params=PARAMS)
    doc = Doc(html)
    assert doc.find("link") == [] and doc.find("img") == [] and doc.find("script") == []
    assert doc.find("style") or "<style>" in html


class TestCookies:
    def test_csrf(self):
        assert csrf_cookie("v", secure=True) == (
            "42min_oauth_csrf=v; HttpOnly; Secure; SameSite=Lax; Path=/v1/oauth; Max-Age=43200"
        )

    def test_session_local(self):
        assert session_cookie("v", secure=False) == (
            "42min_oauth_session=v; HttpOnly; SameSite=Lax; Path=/v1/oauth; Max-Age=43200"
        )

    def test_clear(self):
        assert clear_session_cookie(secure=True) == (
            "42min_oauth_session=; Max-Age=0; HttpOnly; Secure; SameSite=Lax; Path=/v1/oauth"
        )

    def test_parse(self):
        got = parse_cookies(
            ["42min_oauth_csrf=abc; other=1", "42min_oauth_session=s", "42min_oauth_csrf=late", "junk"]
        )
        assert got == {"42min_oauth_csrf": "abc", "other": "1", "42min_oauth_session": "s"}
