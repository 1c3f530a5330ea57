"""Authorization-request validation (10-auth §6.5.2): outcomes and check order."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from oauth_unit_helpers import CLIENT_ID

from fortytwo.domain.oauth.authorize import (
    AuthorizeErrorPage,
    AuthorizeErrorRedirect,
    AuthorizeRequest,
    PostContext,
)
from fortytwo.domain.oauth.authorize import validate_authorize as _validate_authorize

ISSUER = "https://api.42min.us"


def validate_authorize(*args, **kwargs):
    return _validate_authorize(*args, issuer=ISSUER, **kwargs)


CHALLENGE = "-pkQjH1sOJ5Y7nwh_UI1zZejXeTevbbdPDi1P7QBXfo"
CSRF = "66m5SiUPA6lo7s0qJf-4sW8ErtKnAPBk3Z0ZP9HQ2Co"
REDIRECT = "https://app.example.com/callback"


def base(**overrides: str | None) -> list[tuple[str, str]]:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "bookings:read bookings:write slots:read offline_access",
        "state": "af0ifjsldkj",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return [(k, v) for k, v in params.items() if v is not None]


def post(params: list[tuple[str, str]], action: str | None = "approve", csrf: str | None = CSRF):
    out = list(params)
    if action is not None:
        out.insert(0, ("action", action))
    if csrf is not None:
        out.insert(0, ("csrf_token", csrf))
    return out


def page(outcome, error, status=400):
    assert isinstance(outcome, AuthorizeErrorPage), outcome
    assert (outcome.error, outcome.status) == (error, status)


def redirect(outcome, error, description=None, state="af0ifjsldkj"):
    assert isinstance(outcome, AuthorizeErrorRedirect), outcome
    assert outcome.error == error
    assert outcome.redirect_uri == REDIRECT
    assert outcome.state == state
    if description is not None:
        assert outcome.description == description
    return outcome


class TestGetSuccess:
    def test_valid(self, lookup):
        outcome = validate_authorize(base(), lookup)
        assert isinstance(outcome, AuthorizeRequest)
        assert outcome.client.client_id == CLIENT_ID
        assert outcome.action is None
        assert outcome.state == "af0ifjsldkj"
        assert outcome.code_challenge == CHALLENGE
        assert outcome.scopes == (
            "bookings:cancel",
            "bookings:create",
            "bookings:read",
            "bookings:reschedule",
            "bookings:update",
            "offline_access",
            "slots:read",
        )

    def test_hidden_params_verbatim_in_spec_order(self, lookup):
        received = [
            ("state", "s t"),
            ("code_challenge_method", "S256"),
            ("nonce", "ignored"),
            ("scope", "slots:read   user:read"),
            ("code_challenge", CHALLENGE),
            ("redirect_uri", "http://127.0.0.1:5555/callback"),
            ("client_id", CLIENT_ID),
            ("response_type", "code"),
        ]
        outcome = validate_authorize(received, lookup)
        assert isinstance(outcome, AuthorizeRequest)
        assert outcome.params == (
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", "http://127.0.0.1:5555/callback"),
            ("scope", "slots:read   user:read"),
            ("state", "s t"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        )
        assert outcome.redirect_uri == "http://127.0.0.1:5555/callback"

    def test_state_optional(self, lookup):
        outcome = validate_authorize(base(state=None), lookup)
        assert isinstance(outcome, AuthorizeRequest)
        assert outcome.state is None
        assert "state" not in dict(outcome.params)
        location = outcome.code_location("42min_ac_x", ISSUER)
        assert location == "https://app.example.com/callback?code=42min_ac_x&iss=https%3A%2F%2Fapi.42min.us"

    def test_other_parameters_ignored(self, lookup):
        outcome = validate_authorize(base() + [("prompt", "login"), ("login_hint", "a")], lookup)
        assert isinstance(outcome, AuthorizeRequest)

    @pytest.mark.parametrize(
        ("resource", "audience"),
        [
            ("https://api.42min.us/mcp", "https://api.42min.us/mcp"),
            ("HTTPS://API.42min.US/mcp/", "https://api.42min.us/mcp"),
            ("https://api.42min.us/", "https://api.42min.us"),
            ("https://api.42min.us", "https://api.42min.us"),
        ],
    )
    def test_resource_becomes_the_audience(self, lookup, resource, audience):
        """50-mcp §4.5: the normalised resource is recorded, and kept through sign-in redirects."""
        outcome = validate_authorize(base() + [("resource", resource)], lookup)
        assert isinstance(outcome, AuthorizeRequest) and outcome.audience == audience
        assert dict(outcome.params)["resource"] == resource
        assert validate_authorize(base(), lookup).audience is None

    @pytest.mark.parametrize(
        "resource",
        ["x", "https://api.42min.us/MCP", "https://api.42min.us/mcp//", "https://other.example/mcp",
         "https://api.42min.us/mcp?x=1", "https://api.42min.us/v1"],
    )  # fmt: skip
    def test_unaccepted_resource_is_invalid_target(self, lookup, resource):
        outcome = validate_authorize(base() + [("resource", resource)], lookup)
        redirect(outcome, "invalid_target")

    def test_repeated_resource_is_invalid_request(self, lookup):
        outcome = validate_authorize(
            base() + [("resource", "https://api.42min.us"), ("resource", "https://api.42min.us/mcp")], lookup
        )
        redirect(outcome, "invalid_request", "The resource parameter must not be repeated.")

    def test_invalid_target_comes_after_the_scope_check(self, lookup):
        outcome = validate_authorize(base(scope="nope") + [("resource", "x")], lookup)
        redirect(outcome, "invalid_scope")

    def test_locations(self, lookup):
        outcome = validate_authorize(base(), lookup)
        assert isinstance(outcome, AuthorizeRequest)
        assert outcome.error_location("access_denied", "The user denied the request", ISSUER) == (
            "https://app.example.com/callback?error=access_denied&error_description=The+user+denied+the+request"
            "&state=af0ifjsldkj&iss=https%3A%2F%2Fapi.42min.us"
        )
        url = outcome.authorize_url(ISSUER)
        parts = urlsplit(url)
        assert url.startswith("https://api.42min.us/v1/oauth/authorize?response_type=code&client_id=")
        assert parse_qsl(parts.query) == list(outcome.params)


class TestSteps3And4ErrorPage:
    @pytest.mark.parametrize(
        "params",
        [
            base(client_id=None),
            base(client_id=""),
            base(client_id="42min_01KR8N8N804DGCA9ZJ80BF7N5Z"),  # well-formed, unknown
            base(client_id="nope"),
            base() + [("client_id", CLIENT_ID)],  # repeated, even with the same value
        ],
    )
    def test_invalid_client(self, lookup, params):
        page(validate_authorize(params, lookup), "invalid_client")

    @pytest.mark.parametrize(
        "params",
        [
            base(redirect_uri=None),
            base(redirect_uri=""),
            base(redirect_uri="https://evil.example/callback"),
            base(redirect_uri=REDIRECT + "/"),
            base() + [("redirect_uri", REDIRECT)],
        ],
    )
    def test_invalid_redirect_uri(self, lookup, params):
        page(validate_authorize(params, lookup), "invalid_redirect_uri")

    def test_client_checked_before_redirect_uri(self, lookup):
        page(
            validate_authorize(base(client_id="x", redirect_uri="https://evil.example/"), lookup),
            "invalid_client",
        )

    def test_bad_redirect_never_redirects_even_with_other_errors(self, lookup):
        params = base(redirect_uri="https://evil.example/cb", response_type="token", scope="nope")
        page(validate_authorize(params, lookup), "invalid_redirect_uri")

    def test_lookup_skipped_for_malformed_ids(self, client):
        seen: list[str] = []

        def spy(cid: str):
            seen.append(cid)
            return client if cid == CLIENT_ID else None

        validate_authorize(base(client_id="../etc"), spy)
        assert seen == []
        validate_authorize(base(), spy)
        assert seen == [CLIENT_ID]


class TestRedirectErrors:
    def test_step5_repeated_parameter(self, lookup):
        outcome = validate_authorize(base() + [("scope", "user:read")], lookup)
        redirect(outcome, "invalid_request", "The scope parameter must not be repeated.")

    def test_step5_repeated_state_is_not_echoed(self, lookup):
        outcome = validate_authorize(base() + [("state", "other")], lookup)
        redirect(outcome, "invalid_request", state=None)
        assert "state=" not in outcome.location(ISSUER)

    def test_step5_repeated_unknown_parameter(self, lookup):
        redirect(validate_authorize(base() + [("nonce", "a"), ("nonce", "b")], lookup), "invalid_request")

    @pytest.mark.parametrize("value", [None, ""])
    def test_step6_response_type_missing(self, lookup, value):
        redirect(validate_authorize(base(response_type=value), lookup), "invalid_request")

    @pytest.mark.parametrize("value", ["token", "code id_token", "CODE"])
    def test_step7_unsupported_response_type(self, lookup, value):
        redirect(validate_authorize(base(response_type=value), lookup), "unsupported_response_type")

    @pytest.mark.parametrize("value", [None, "", CHALLENGE[:-1], CHALLENGE + "x", CHALLENGE[:-1] + "="])
    def test_step8_code_challenge(self, lookup, value):
        redirect(validate_authorize(base(code_challenge=value), lookup), "invalid_request")

    @pytest.mark.parametrize("value", [None, "", "plain", "s256", "S512"])
    def test_step9_method(self, lookup, value):
        redirect(validate_authorize(base(code_challenge_method=value), lookup), "invalid_request")

    @pytest.mark.parametrize(
        ("value", "description"),
        [
            (None, "The scope parameter is required."),
            ("", "The scope parameter is required."),
            ("   ", "The scope parameter is required."),
            ("bookings:read calendar:read", "Unknown scope: calendar:read"),
            ("BOOKINGS:READ", "Unknown scope: BOOKINGS:READ"),
        ],
    )
    def test_step10_scope(self, lookup, value, description):
        redirect(validate_authorize(base(scope=value), lookup), "invalid_scope", description)

    def test_spec_error_location(self, lookup):
        outcome = validate_authorize(base(scope="calendar:read"), lookup)
        assert outcome.location(ISSUER) == (
            "https://app.example.com/callback?error=invalid_scope"
            "&error_description=Unknown+scope%3A+calendar%3Aread&state=af0ifjsldkj&iss=https%3A%2F%2Fapi.42min.us"
        )

    def test_redirect_uses_request_uri_with_its_port(self, lookup):
        outcome = validate_authorize(base(redirect_uri="http://127.0.0.1:4321/callback", scope="x"), lookup)
        assert isinstance(outcome, AuthorizeErrorRedirect)
        assert outcome.location(ISSUER).startswith("http://127.0.0.1:4321/callback?error=invalid_scope&")

    @pytest.mark.parametrize(
        ("overrides", "extra", "expected"),
        [
            # each row breaks every later check too; the earliest one must answer
            (
                {"response_type": None, "code_challenge": None, "scope": "x"},
                [("scope", "y")],
                "invalid_request",
            ),
            ({"response_type": None, "code_challenge": None, "scope": "x"}, [], "invalid_request"),
            (
                {"response_type": "token", "code_challenge": None, "scope": "x"},
                [],
                "unsupported_response_type",
            ),
            (
                {"code_challenge": "short", "code_challenge_method": "plain", "scope": "x"},
                [],
                "invalid_request",
            ),
            ({"code_challenge_method": "plain", "scope": "x"}, [], "invalid_request"),
            ({"scope": "x"}, [], "invalid_scope"),
        ],
    )
    def test_order(self, lookup, overrides, extra, expected):
        redirect(validate_authorize(base(**overrides) + extra, lookup), expected)

    def test_order_descriptions(self, lookup):
        got = validate_authorize(base(response_type=None, scope="x") + [("state", "2")], lookup)
        assert got.description == "The state parameter must not be repeated."
        got = validate_authorize(base(response_type=None, scope="x"), lookup)
        assert got.description == "The response_type parameter is required."
        got = validate_authorize(base(code_challenge=None, code_challenge_method=None, scope="x"), lookup)
        assert got.description == "The code_challenge parameter is required (PKCE with S256)."
        got = validate_authorize(base(code_challenge_method=None, scope="x"), lookup)
        assert got.description == "The code_challenge_method must be S256; plain is not supported."


class TestPost:
    def test_valid_approve(self, lookup):
        outcome = validate_authorize(post(base()), lookup, PostContext(csrf_cookie=CSRF))
        assert isinstance(outcome, AuthorizeRequest)
        assert outcome.action == "approve"
        assert "csrf_token" not in dict(outcome.params)

    def test_sign_in_fields(self, lookup):
        params = post(base(), "sign_in") + [("email", "ada@example.com"), ("password", "pw")]
        outcome = validate_authorize(params, lookup, PostContext(csrf_cookie=CSRF))
        assert isinstance(outcome, AuthorizeRequest)
        assert outcome.action == "sign_in"
        assert outcome.fields["email"] == "ada@example.com"
        assert outcome.fields["password"] == "pw"

    @pytest.mark.parametrize("action", ["sign_in", "approve", "deny", "switch_account"])
    def test_actions(self, lookup, action):
        outcome = validate_authorize(post(base(), action), lookup, PostContext(csrf_cookie=CSRF))
        assert isinstance(outcome, AuthorizeRequest) and outcome.action == action

    @pytest.mark.parametrize("action", [None, "", "APPROVE", "grant"])
    def test_step11_unknown_action_is_error_page(self, lookup, action):
        page(
            validate_authorize(post(base(), action), lookup, PostContext(csrf_cookie=CSRF)), "invalid_request"
        )

    def test_step1_too_large_first(self, lookup):
        ctx = PostContext(too_large=True, form_encoded=False, csrf_cookie=None)
        page(validate_authorize([], lookup, ctx), "invalid_request", 413)

    def test_step1_not_form(self, lookup):
        ctx = PostContext(form_encoded=False, csrf_cookie=None)
        page(validate_authorize(post(base()), lookup, ctx), "invalid_request", 400)

    @pytest.mark.parametrize(
        ("csrf_field", "cookie"),
        [
            (None, CSRF),  # field missing
            (CSRF, None),  # cookie missing
            ("", ""),
            (CSRF, CSRF[:-1] + "x"),  # different
            ("x", CSRF),
        ],
    )
    def test_step2_csrf(self, lookup, csrf_field, cookie):
        params = post(base(), csrf=csrf_field)
        page(validate_authorize(params, lookup, PostContext(csrf_cookie=cookie)), "invalid_csrf")

    def test_step2_repeated_csrf_field(self, lookup):
        params = post(base()) + [("csrf_token", CSRF)]
        page(validate_authorize(params, lookup, PostContext(csrf_cookie=CSRF)), "invalid_csrf")

    def test_csrf_before_client(self, lookup):
        params = post(base(client_id="bad"), csrf="wrong")
        page(validate_authorize(params, lookup, PostContext(csrf_cookie=CSRF)), "invalid_csrf")

    def test_redirect_errors_precede_action_check(self, lookup):
        params = post(base(scope="nope"), action="bogus")
        redirect(validate_authorize(params, lookup, PostContext(csrf_cookie=CSRF)), "invalid_scope")

    def test_repeated_action_is_redirect_invalid_request(self, lookup):
        params = post(base()) + [("action", "deny")]
        redirect(validate_authorize(params, lookup, PostContext(csrf_cookie=CSRF)), "invalid_request")
