"""GET/POST /v1/oauth/authorize through the handler: pages, cookies, sign-in, consent, redirects, errors."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from botocore.exceptions import ClientError

from fortytwo.domain import clock
from fortytwo.domain.oauth.artifacts import CODE_RE, hash_secret
from fortytwo.store import dynamo
from fortytwo.store import oauth as store
from fortytwo.store.pepper import get_pepper
from tests.integration.oauth.flow import (
    CONFIDENTIAL_REDIRECT,
    FORM,
    ISSUER,
    PASSWORD,
    Browser,
    Form,
    authorize_params,
    cookie_values,
    location_params,
    sign_in,
)

UNKNOWN_CLIENT = "42min_01KR8N8N804DGCA9ZJ80BF7N5J"
EVIL = "https://evil.example/cb"
CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def drop(name):
    return lambda p: [x for x in p if x[0] != name]


def setv(name, value):
    return lambda p: [(k, value if k == name else v) for k, v in p]


def add(name, value):
    return lambda p: [*p, (name, value)]


def assert_authorize_headers(r):
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-request-id"].startswith("req_")
    assert r.headers["x-ratelimit-limit"] == "30"
    assert "x-ratelimit-remaining" in r.headers and "x-ratelimit-reset" in r.headers


def assert_page(r, status=200):
    assert r.status == status, r.text
    assert_authorize_headers(r)
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["content-security-policy"] == CSP


def assert_error_page(r, error, status=400):
    assert_page(r, status)
    assert Form(r.text).data_error == error
    assert "location" not in r.headers
    assert r.headers["x-request-id"] in r.text


def assert_redirect(r, status, target, **expected):
    assert r.status == status, r.text
    assert_authorize_headers(r)
    assert "content-type" not in r.headers
    location = r.headers["location"]
    assert location.startswith(target + ("&" if "?" in target else "?")), location
    params = location_params(r)
    for key, value in expected.items():
        assert params.get(key) == value, (key, params)
    return params


class TestSignInPage:
    def test_get_without_session_shows_sign_in_and_sets_csrf(self, invoke, app_client, browser):
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        r = browser.get(params)
        assert_page(r)
        form = Form(r.text).forms["sign-in"]
        csrf = cookie_values(r)["42min_oauth_csrf"]
        hidden = [(k, v) for k, v in form if k not in ("email", "password")]
        assert hidden == [("action", "sign_in"), ("csrf_token", csrf), *params]
        assert "Example &lt;app&gt;" in r.text and "Example <app>" not in r.text
        assert "app.example.com" in r.text
        (cookie,) = r.raw["cookies"]
        assert (
            cookie
            == f"42min_oauth_csrf={csrf}; HttpOnly; Secure; SameSite=Lax; Path=/v1/oauth; Max-Age=43200"
        )

    def test_csrf_cookie_is_reused(self, invoke, app_client, browser):
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        first = browser.get(params)
        csrf = cookie_values(first)["42min_oauth_csrf"]
        second = browser.get(params)
        assert not second.raw.get("cookies")
        assert ("csrf_token", csrf) in Form(second.text).forms["sign-in"]

    def test_failed_sign_in(self, invoke, app_client, browser):
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        attempts = [
            ("ada@example.com", "wrong"),
            ("nobody@example.com", PASSWORD),
            ("linus@example.com", ""),  # a user without a password
            ("", PASSWORD),
        ]
        for email, password in attempts:
            page = browser.get(params)
            r = browser.submit(page, "sign-in", email=email, password=password)
            assert_page(r, 200)
            assert "Incorrect email or password." in r.text
            assert ("email", email) in Form(r.text).forms["sign-in"]
            assert "42min_oauth_session" not in cookie_values(r)
            assert "42min_oauth_session" not in browser.cookies

    def test_sign_in_success_redirects_to_the_same_request(self, invoke, app_client, browser):
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        page = browser.get(params)
        r = browser.submit(page, "sign-in", email="ADA@Example.com", password=PASSWORD)
        assert r.status == 303
        assert_authorize_headers(r)
        assert r.headers["location"] == f"{ISSUER}/v1/oauth/authorize?{urlencode(params)}"
        session = cookie_values(r)["42min_oauth_session"]
        assert len(session) == 43
        (cookie,) = r.raw["cookies"]
        assert cookie.endswith("; HttpOnly; Secure; SameSite=Lax; Path=/v1/oauth; Max-Age=43200")
        record = store.get_session(hash_secret(get_pepper(), session))
        assert record is not None
        assert record.expires_at - record.created_at == timedelta(hours=12)

    def test_email_with_upper_case_in_the_record(self, invoke, app_client, browser):
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        page = browser.get(params)
        r = browser.submit(page, "sign-in", email="grace@example.com", password="cobol-forever-1959")
        assert r.status == 303


class TestConsent:
    def test_consent_page(self, invoke, app_client, browser):
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        r = sign_in(browser, params)
        assert_page(r)
        forms = Form(r.text).forms
        csrf = browser.cookies["42min_oauth_csrf"]
        assert forms["consent"] == [("csrf_token", csrf), *params]
        assert forms["switch-account"] == [("action", "switch_account"), ("csrf_token", csrf), *params]
        assert 'value="approve"' in r.text and 'value="deny"' in r.text
        assert "ada@example.com" in r.text and "Acme" in r.text
        texts = ["Read bookings", "Create bookings", "Cancel bookings", "Reschedule bookings"]
        positions = [r.text.index(t) for t in ["Compute availability", *texts, "Receive a refresh token"]]
        assert positions == sorted(positions)  # §5.1 order
        assert 'data-scope="bookings:write"' not in r.text

    def test_approve_redirects_with_code_state_iss(self, invoke, app_client, browser):
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        consent = sign_in(browser, params)
        r = browser.submit(consent, "consent", action="approve")
        got = assert_redirect(r, 303, CONFIDENTIAL_REDIRECT, state="af0ifjsldkj", iss=ISSUER)
        assert list(got) == ["code", "state", "iss"]
        assert CODE_RE.match(got["code"])
        record = store.get_code(hash_secret(get_pepper(), got["code"]))
        assert record.redirect_uri == CONFIDENTIAL_REDIRECT and record.used_at is None
        assert record.expires_at - record.created_at == timedelta(seconds=60)
        assert "offline_access" in record.scopes and "bookings:write" not in record.scopes

    def test_consent_is_never_remembered(self, invoke, app_client, browser):
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        consent = sign_in(browser, params)
        browser.submit(consent, "consent", action="approve")
        again = browser.get(params)
        assert "consent" in Form(again.text).forms

    def test_deny(self, invoke, app_client, browser):
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        consent = sign_in(browser, params)
        r = browser.submit(consent, "consent", action="deny")
        assert_redirect(r, 303, CONFIDENTIAL_REDIRECT)
        assert r.headers["location"] == (
            "https://app.example.com/callback?error=access_denied&error_description=The+user+denied+the+request"
            "&state=af0ifjsldkj&iss=https%3A%2F%2Fapi.42min.test"
        )

    def test_without_session_shows_sign_in(self, invoke, app_client, browser):
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        consent = sign_in(browser, params)
        browser.cookies.pop("42min_oauth_session")
        for action in ("approve", "deny"):
            r = browser.submit(consent, "consent", action=action)
            assert_page(r, 200)
            assert "sign-in" in Form(r.text).forms

    def test_switch_account(self, invoke, app_client, browser):
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        consent = sign_in(browser, params)
        old = browser.cookies["42min_oauth_session"]
        r = browser.submit(consent, "switch-account")
        assert r.status == 303
        assert r.headers["location"] == f"{ISSUER}/v1/oauth/authorize?{urlencode(params)}"
        assert r.raw["cookies"] == [
            "42min_oauth_session=; Max-Age=0; HttpOnly; Secure; SameSite=Lax; Path=/v1/oauth"
        ]
        assert store.get_session(hash_secret(get_pepper(), old)) is None
        browser.cookies["42min_oauth_session"] = old  # a replayed cookie no longer works
        assert "sign-in" in Form(browser.get(params).text).forms

    def test_expired_session(self, invoke, app_client, browser, monkeypatch):
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        sign_in(browser, params)
        later = clock.now() + timedelta(hours=12)
        monkeypatch.setattr(clock, "now", lambda: later)
        assert "sign-in" in Form(browser.get(params).text).forms

    def test_session_of_a_removed_user(self, invoke, app_client, browser):
        from fortytwo.store import accounts

        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        sign_in(browser, params)
        accounts.remove_user(accounts.user_by_ref("ada"))
        assert "sign-in" in Form(browser.get(params).text).forms

    def test_loopback_port_and_existing_query(self, invoke, app_client, cli_client, browser):
        params, _ = authorize_params(cli_client["client_id"], "http://127.0.0.1:53682/callback", state=None)
        consent = sign_in(browser, params)
        r = browser.submit(consent, "consent", action="approve")
        got = assert_redirect(r, 303, "http://127.0.0.1:53682/callback", iss=ISSUER)
        assert list(got) == ["code", "iss"]
        params, _ = authorize_params(app_client["client_id"], "https://app.example.com/cb?tenant=1")
        consent = browser.get(params)
        r = browser.submit(consent, "consent", action="approve")
        assert r.headers["location"].startswith("https://app.example.com/cb?tenant=1&code=42min_ac_")


class TestErrorPages:
    def test_never_redirects(self, invoke, app_client, browser):
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        cases = [
            (drop("client_id"), "invalid_client"),
            (setv("client_id", UNKNOWN_CLIENT), "invalid_client"),
            (lambda p: [*p, p[1]], "invalid_client"),
            (drop("redirect_uri"), "invalid_redirect_uri"),
            (setv("redirect_uri", EVIL), "invalid_redirect_uri"),
            (setv("redirect_uri", CONFIDENTIAL_REDIRECT + "/"), "invalid_redirect_uri"),
            (lambda p: [*p, p[2]], "invalid_redirect_uri"),
            # steps 3–4 win over every later problem
            (lambda p: setv("scope", "nope")(setv("redirect_uri", EVIL)(p)), "invalid_redirect_uri"),
        ]
        for mutate, error in cases:
            r = browser.get(mutate(params))
            assert_error_page(r, error)
            assert "evil.example" not in r.text

    def test_spec_wording(self, invoke, app_client, browser):
        params, _ = authorize_params(app_client["client_id"], "https://evil.example/cb")
        r = browser.get(params)
        assert "The redirect URI is not registered for this application." in r.text

    def test_post_too_large(self, invoke, app_client, browser):
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        browser.get(params)
        body = urlencode([("csrf_token", browser.cookies["42min_oauth_csrf"]), *params, ("pad", "x" * 65536)])
        assert_error_page(browser.post(body.encode()), "invalid_request", 413)

    def test_post_not_form(self, invoke, app_client, browser):
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        browser.get(params)
        body = urlencode(
            [("csrf_token", browser.cookies["42min_oauth_csrf"]), ("action", "approve"), *params]
        )
        for content_type in (None, "application/json", "text/plain"):
            headers = {"content-type": content_type} if content_type else {}
            assert_error_page(browser.post(body.encode(), headers), "invalid_request", 400)

    def test_post_invalid_utf8(self, invoke, app_client, browser):
        assert_error_page(browser.post(b"csrf_token=%ff%fe", FORM), "invalid_request", 400)

    def test_csrf(self, invoke, app_client, browser):
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        consent = sign_in(browser, params)
        fields = [(k, v) for k, v in Form(consent.text).forms["consent"]] + [("action", "approve")]
        csrf = browser.cookies["42min_oauth_csrf"]
        for bad in (
            [f for f in fields if f[0] != "csrf_token"],  # field missing
            [(k, "x" * 43 if k == "csrf_token" else v) for k, v in fields],  # different
            [*fields, ("csrf_token", csrf)],  # repeated
            [(k, "" if k == "csrf_token" else v) for k, v in fields],  # empty
        ):
            assert_error_page(browser.post(bad), "invalid_csrf")
        browser.cookies.pop("42min_oauth_csrf")  # cookie missing
        assert_error_page(browser.post(fields), "invalid_csrf")

    def test_unknown_action(self, invoke, app_client, browser):
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        consent = sign_in(browser, params)
        fields = list(Form(consent.text).forms["consent"])
        for extra in ([], [("action", "grant")], [("action", "APPROVE")]):
            assert_error_page(browser.post(fields + extra), "invalid_request")

    def test_rate_limited_page(self, invoke, app_client, limits):
        limits("oauth_authorize=2")
        b = Browser(invoke, source_ip="192.0.2.99")
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        assert b.get(params).status == 200
        assert b.get(params).status == 200
        r = b.get(params)
        assert r.status == 429
        assert Form(r.text).data_error == "rate_limited"
        assert 1 <= int(r.headers["retry-after"]) <= 60
        assert r.headers["x-ratelimit-limit"] == "2" and r.headers["x-ratelimit-remaining"] == "0"
        assert r.headers["content-security-policy"] == CSP
        # another IP has its own bucket
        assert Browser(invoke, source_ip="192.0.2.100").get(params).status == 200

    @pytest.mark.parametrize(
        ("exc", "error", "status"),
        [
            (RuntimeError("boom"), "server_error", 500),
            (ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow"}}, "GetItem"),
             "temporarily_unavailable", 503),
        ],
    )  # fmt: skip
    def test_failure_before_redirect_uri_is_verified(
        self, invoke, app_client, browser, monkeypatch, exc, error, status
    ):
        def broken(client_id):
            raise exc

        monkeypatch.setattr(store, "get_client", broken)
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        assert_error_page(browser.get(params), error, status)


class TestErrorRedirects:
    def test_get_redirects_302(self, invoke, app_client, browser):
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        cases = [
            (add("scope", "user:read"), "invalid_request", "The scope parameter must not be repeated."),
            (drop("response_type"), "invalid_request", "The response_type parameter is required."),
            (setv("response_type", "token"), "unsupported_response_type", None),
            (drop("code_challenge"), "invalid_request", None),
            (setv("code_challenge", "short"), "invalid_request", None),
            (drop("code_challenge_method"), "invalid_request", None),
            (setv("code_challenge_method", "plain"), "invalid_request", None),
            (drop("scope"), "invalid_scope", "The scope parameter is required."),
            (setv("scope", "calendar:read"), "invalid_scope", "Unknown scope: calendar:read"),
            # the earliest failing step answers
            (lambda p: setv("scope", "x")(drop("code_challenge")(p)), "invalid_request", None),
            (
                lambda p: setv("scope", "x")(setv("response_type", "token")(p)),
                "unsupported_response_type",
                None,
            ),
        ]
        for mutate, error, description in cases:
            r = browser.get(mutate(params))
            got = assert_redirect(r, 302, CONFIDENTIAL_REDIRECT, error=error, state="af0ifjsldkj", iss=ISSUER)
            assert list(got) == ["error", "error_description", "state", "iss"]
            if description:
                assert got["error_description"] == description

    def test_spec_example_location(self, invoke, app_client, browser):
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT, scope="calendar:read")
        r = browser.get(params)
        assert r.headers["location"] == (
            "https://app.example.com/callback?error=invalid_scope&error_description=Unknown+scope%3A+calendar%3Aread"
            "&state=af0ifjsldkj&iss=https%3A%2F%2Fapi.42min.test"
        )

    def test_repeated_state_is_not_echoed(self, invoke, app_client, browser):
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        r = browser.get(params + [("state", "other")])
        got = assert_redirect(r, 302, CONFIDENTIAL_REDIRECT, error="invalid_request")
        assert "state" not in got

    def test_post_redirects_303(self, invoke, app_client, browser):
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        browser.get(params)
        fields = [("csrf_token", browser.cookies["42min_oauth_csrf"]), ("action", "approve")]
        fields += [(k, "nope" if k == "scope" else v) for k, v in params]
        assert_redirect(browser.post(fields), 303, CONFIDENTIAL_REDIRECT, error="invalid_scope")

    @pytest.mark.parametrize(
        ("exc", "error"),
        [
            (RuntimeError("boom"), "server_error"),
            (ClientError({"Error": {"Code": "InternalServerError", "Message": "x"}}, "PutItem"),
             "temporarily_unavailable"),
        ],
    )  # fmt: skip
    def test_failure_after_redirect_uri_is_verified(
        self, invoke, app_client, browser, monkeypatch, exc, error
    ):
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        consent = sign_in(browser, params)

        def broken(record):
            raise exc

        monkeypatch.setattr(store, "put_code", broken)
        r = browser.submit(consent, "consent", action="approve")
        assert_redirect(r, 303, CONFIDENTIAL_REDIRECT, error=error, state="af0ifjsldkj", iss=ISSUER)


def test_http_issuer_drops_secure(invoke, app_client, monkeypatch):
    from fortytwo.config import reset_settings

    monkeypatch.setenv("FORTYTWO_PUBLIC_BASE_URL", "http://127.0.0.1:8042")
    reset_settings()
    try:
        b = Browser(invoke)
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT, scope="nope")
        r = b.get(params)
        assert dict(parse_qsl(urlsplit(r.headers["location"]).query))["iss"] == "http://127.0.0.1:8042"
        params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
        page = b.get(params)
        assert "Secure" not in page.raw["cookies"][0]
        r = b.submit(page, "sign-in", email="ada@example.com", password=PASSWORD)
        assert r.headers["location"].startswith("http://127.0.0.1:8042/v1/oauth/authorize?")
        assert "Secure" not in r.raw["cookies"][0]
    finally:
        monkeypatch.delenv("FORTYTWO_PUBLIC_BASE_URL")
        reset_settings()


def test_other_methods_are_405(invoke, seeded):
    r = invoke("oauth", "PUT", "/v1/oauth/authorize")
    assert r.status == 405 and r.headers["allow"] == "GET, POST"
    assert r.json()["error"]["code"] == "method_not_allowed"


def test_codes_items_are_keyed_by_hmac(invoke, app_client, browser):
    params, _ = authorize_params(app_client["client_id"], CONFIDENTIAL_REDIRECT)
    consent = sign_in(browser, params)
    code = location_params(browser.submit(consent, "consent", action="approve"))["code"]
    assert dynamo.get(f"OAUTHCODE#{code}", "CODE") is None
    item = dynamo.get(f"OAUTHCODE#{hash_secret(get_pepper(), code)}", "CODE")
    assert item is not None and code not in str(item)
    assert item["ttl"] > 0
