"""POST /v1/oauth/token through the handler: both grants, client authentication, every error."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from fortytwo.domain import clock
from fortytwo.domain.oauth.artifacts import ACCESS_TOKEN_RE, REFRESH_TOKEN_RE, hash_secret
from fortytwo.store import oauth as store
from fortytwo.store.pepper import get_pepper
from tests.integration.oauth.flow import (
    CONFIDENTIAL_REDIRECT,
    PUBLIC_REDIRECT,
    assert_oauth_error,
    authorize_code,
    basic,
    exchange,
    ping,
    refresh,
    token_request,
    tokens_for,
)

FULL_SCOPE = " ".join(
    ["bookings:cancel", "bookings:create", "bookings:read", "bookings:reschedule", "bookings:update"]
    + ["offline_access", "slots:read"]
)
THROTTLED = ClientError(
    {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "x"}}, "GetItem"
)


def later(monkeypatch, **delta):
    moment = clock.now() + timedelta(**delta)
    monkeypatch.setattr(clock, "now", lambda: moment)


class TestCodeExchange:
    def test_confidential_basic(self, invoke, app_client, browser):
        code, verifier, _ = authorize_code(browser, app_client["client_id"], CONFIDENTIAL_REDIRECT)
        r = exchange(invoke, app_client, code, verifier, CONFIDENTIAL_REDIRECT)
        assert r.status == 200
        assert r.headers["cache-control"] == "no-store" and r.headers["pragma"] == "no-cache"
        assert r.headers["content-type"] == "application/json"
        assert r.headers["x-ratelimit-limit"] == "60"
        body = r.json()
        assert list(body) == ["access_token", "token_type", "expires_in", "refresh_token", "scope"]
        assert ACCESS_TOKEN_RE.match(body["access_token"]) and REFRESH_TOKEN_RE.match(body["refresh_token"])
        assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["scope"] == FULL_SCOPE
        p = ping(invoke, body["access_token"])
        assert p.status == 200
        assert p.json()["data"] == {
            "ok": True,
            "auth_type": "oauth",
            "account_id": p.json()["data"]["account_id"],
            "scopes": FULL_SCOPE.split(" "),
            "client_id": app_client["client_id"],
        }
        assert p.headers["x-ratelimit-limit"] == "120"

    def test_confidential_post_and_no_refresh_without_offline_access(self, invoke, app_client, browser):
        code, verifier, _ = authorize_code(
            browser, app_client["client_id"], CONFIDENTIAL_REDIRECT, scope="user:read"
        )
        r = token_request(
            invoke,
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": CONFIDENTIAL_REDIRECT,
                "code_verifier": verifier,
                "client_id": app_client["client_id"],
                "client_secret": app_client["client_secret"],
            },
        )
        assert r.status == 200, r.text
        assert "refresh_token" not in r.json() and r.json()["scope"] == "user:read"
        me = invoke("meta", "GET", "/v1/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
        assert me.status == 200 and me.json()["data"]["user"]["username"] == "ada"

    def test_public_client_with_loopback_port(self, invoke, cli_client, browser):
        redirect = "http://127.0.0.1:53682/callback"
        code, verifier, _ = authorize_code(browser, cli_client["client_id"], redirect)
        # the port must be repeated exactly
        assert_oauth_error(
            exchange(invoke, cli_client, code, verifier, PUBLIC_REDIRECT), 400, "invalid_grant"
        )
        code, verifier, _ = authorize_code(browser, cli_client["client_id"], redirect)
        r = exchange(invoke, cli_client, code, verifier, redirect)
        assert r.status == 200 and "refresh_token" in r.json()

    def test_missing_parameters(self, invoke, app_client, browser):
        code, verifier, _ = authorize_code(browser, app_client["client_id"], CONFIDENTIAL_REDIRECT)
        auth = basic(app_client["client_id"], app_client["client_secret"])
        full = {"code": code, "redirect_uri": CONFIDENTIAL_REDIRECT, "code_verifier": verifier}
        for missing in full:
            fields = {"grant_type": "authorization_code", **{k: v for k, v in full.items() if k != missing}}
            assert_oauth_error(token_request(invoke, fields, auth), 400, "invalid_request")
        # nothing was spent
        assert exchange(invoke, app_client, code, verifier, CONFIDENTIAL_REDIRECT).status == 200

    def test_unknown_and_malformed_codes(self, invoke, app_client, seeded):
        for code in ("42min_ac_" + "A" * 43, "garbage", "42min_at_" + "A" * 43):
            r = exchange(invoke, app_client, code, "v" * 43, CONFIDENTIAL_REDIRECT)
            body = assert_oauth_error(r, 400, "invalid_grant")
            assert body["error_description"] == "The authorization code is invalid, expired or already used."
            assert r.headers["pragma"] == "no-cache"

    def test_another_clients_code_is_left_untouched(self, invoke, app_client, cli_client, browser):
        code, verifier, _ = authorize_code(browser, app_client["client_id"], CONFIDENTIAL_REDIRECT)
        r = exchange(invoke, cli_client, code, verifier, CONFIDENTIAL_REDIRECT)
        assert_oauth_error(r, 400, "invalid_grant")
        assert exchange(invoke, app_client, code, verifier, CONFIDENTIAL_REDIRECT).status == 200

    def test_reuse_revokes_the_grant(self, invoke, app_client, browser):
        code, verifier, _ = authorize_code(browser, app_client["client_id"], CONFIDENTIAL_REDIRECT)
        first = exchange(invoke, app_client, code, verifier, CONFIDENTIAL_REDIRECT).json()
        assert ping(invoke, first["access_token"]).status == 200
        assert_oauth_error(
            exchange(invoke, app_client, code, verifier, CONFIDENTIAL_REDIRECT), 400, "invalid_grant"
        )
        revoked = ping(invoke, first["access_token"])
        assert revoked.status == 401 and revoked.json()["error"]["code"] == "token_revoked"
        assert_oauth_error(refresh(invoke, app_client, first["refresh_token"]), 400, "invalid_grant")

    def test_expired_code(self, invoke, app_client, browser, monkeypatch):
        code, verifier, _ = authorize_code(browser, app_client["client_id"], CONFIDENTIAL_REDIRECT)
        later(monkeypatch, seconds=61)
        assert_oauth_error(
            exchange(invoke, app_client, code, verifier, CONFIDENTIAL_REDIRECT), 400, "invalid_grant"
        )
        record = store.get_code(hash_secret(get_pepper(), code))
        assert record.used_at is not None and record.grant_id is None  # spent, no grant

    def test_pkce_mismatch_spends_the_code(self, invoke, app_client, browser):
        for verifier in ("x" * 43, "short", "a" * 42 + "+"):
            code, good, _ = authorize_code(browser, app_client["client_id"], CONFIDENTIAL_REDIRECT)
            r = exchange(invoke, app_client, code, verifier, CONFIDENTIAL_REDIRECT)
            assert_oauth_error(r, 400, "invalid_grant")
            r = exchange(invoke, app_client, code, good, CONFIDENTIAL_REDIRECT)
            assert_oauth_error(r, 400, "invalid_grant")

    def test_redirect_uri_mismatch(self, invoke, app_client, browser):
        code, verifier, _ = authorize_code(browser, app_client["client_id"], CONFIDENTIAL_REDIRECT)
        r = exchange(invoke, app_client, code, verifier, CONFIDENTIAL_REDIRECT + "/")
        assert_oauth_error(r, 400, "invalid_grant")

    def test_race_after_reuse_creates_no_grant(self, invoke, app_client, browser, monkeypatch):
        """A replay that lands between marking the code used and saving the grant wins."""
        code, verifier, _ = authorize_code(browser, app_client["client_id"], CONFIDENTIAL_REDIRECT)
        real_save = store.save_code_exchange

        def replay_first(issued, used):
            store.mark_code_reused(used.code_hash, clock.now())
            real_save(issued, used)

        monkeypatch.setattr(store, "save_code_exchange", replay_first)
        assert_oauth_error(
            exchange(invoke, app_client, code, verifier, CONFIDENTIAL_REDIRECT), 400, "invalid_grant"
        )
        assert store.get_code(hash_secret(get_pepper(), code)).grant_id is None


class TestRefresh:
    def test_rotation(self, invoke, app_client, browser):
        first = tokens_for(invoke, browser, app_client, CONFIDENTIAL_REDIRECT)
        r = refresh(invoke, app_client, first["refresh_token"])
        assert r.status == 200 and r.headers["pragma"] == "no-cache"
        second = r.json()
        assert second["refresh_token"] != first["refresh_token"] and second["scope"] == FULL_SCOPE
        assert ping(invoke, first["access_token"]).status == 200  # earlier access token stays valid
        assert ping(invoke, second["access_token"]).status == 200
        third = refresh(invoke, app_client, second["refresh_token"])
        assert third.status == 200

    def test_reuse_revokes_the_whole_family(self, invoke, app_client, browser):
        first = tokens_for(invoke, browser, app_client, CONFIDENTIAL_REDIRECT)
        second = refresh(invoke, app_client, first["refresh_token"]).json()
        body = assert_oauth_error(refresh(invoke, app_client, first["refresh_token"]), 400, "invalid_grant")
        assert "refresh token" in body["error_description"]
        for token in (first["access_token"], second["access_token"]):
            assert ping(invoke, token).json()["error"]["code"] == "token_revoked"
        assert_oauth_error(refresh(invoke, app_client, second["refresh_token"]), 400, "invalid_grant")

    def test_other_grants_are_unaffected(self, invoke, app_client, browser):
        one = tokens_for(invoke, browser, app_client, CONFIDENTIAL_REDIRECT)
        two = tokens_for(invoke, browser, app_client, CONFIDENTIAL_REDIRECT)
        refresh(invoke, app_client, one["refresh_token"])
        refresh(invoke, app_client, one["refresh_token"])  # reuse: grant one revoked
        assert ping(invoke, two["access_token"]).status == 200
        assert refresh(invoke, app_client, two["refresh_token"]).status == 200

    def test_scope_narrowing(self, invoke, app_client, browser):
        first = tokens_for(invoke, browser, app_client, CONFIDENTIAL_REDIRECT)
        r = refresh(invoke, app_client, first["refresh_token"], scope="slots:read  bookings:read")
        assert r.status == 200 and r.json()["scope"] == "bookings:read slots:read"
        assert ping(invoke, r.json()["access_token"]).json()["data"]["scopes"] == [
            "bookings:read",
            "slots:read",
        ]
        # the new refresh token keeps the grant's full scope
        full = refresh(invoke, app_client, r.json()["refresh_token"], scope="")
        assert full.json()["scope"] == FULL_SCOPE
        alias = refresh(invoke, app_client, full.json()["refresh_token"], scope="bookings:write")
        assert alias.json()["scope"] == "bookings:cancel bookings:create bookings:reschedule bookings:update"

    def test_invalid_scope_keeps_the_token_unspent(self, invoke, app_client, browser):
        first = tokens_for(invoke, browser, app_client, CONFIDENTIAL_REDIRECT)
        for scope in ("user:read", "calendar:read", "slots:read webhooks:write", "BOOKINGS:READ"):
            r = refresh(invoke, app_client, first["refresh_token"], scope=scope)
            assert_oauth_error(r, 400, "invalid_scope")
        assert refresh(invoke, app_client, first["refresh_token"]).status == 200

    def test_errors(self, invoke, app_client, cli_client, browser, monkeypatch):
        first = tokens_for(invoke, browser, app_client, CONFIDENTIAL_REDIRECT)
        assert_oauth_error(refresh(invoke, app_client, ""), 400, "invalid_request")
        assert_oauth_error(refresh(invoke, app_client, "42min_rt_" + "A" * 43), 400, "invalid_grant")
        assert_oauth_error(refresh(invoke, app_client, first["access_token"]), 400, "invalid_grant")
        # another client's refresh token: refused and left untouched
        assert_oauth_error(refresh(invoke, cli_client, first["refresh_token"]), 400, "invalid_grant")
        assert ping(invoke, first["access_token"]).status == 200
        later(monkeypatch, days=30)
        assert_oauth_error(refresh(invoke, app_client, first["refresh_token"]), 400, "invalid_grant")

    def test_access_token_expires_after_an_hour(self, invoke, app_client, browser, monkeypatch):
        first = tokens_for(invoke, browser, app_client, CONFIDENTIAL_REDIRECT)
        later(monkeypatch, seconds=3600)
        r = ping(invoke, first["access_token"])
        assert r.status == 401 and r.json()["error"]["code"] == "token_expired"
        assert refresh(invoke, app_client, first["refresh_token"]).status == 200

    def test_revoked_grant(self, invoke, app_client, browser):
        first = tokens_for(invoke, browser, app_client, CONFIDENTIAL_REDIRECT)
        grant_id = store.get_access_token(hash_secret(get_pepper(), first["access_token"])).grant_id
        store.revoke_grant(grant_id, clock.now())
        assert_oauth_error(refresh(invoke, app_client, first["refresh_token"]), 400, "invalid_grant")

    def test_unauthorized_client(self, invoke, browser, seeded):
        reg = invoke(
            "oauth",
            "POST",
            "/v1/oauth/register",
            body={
                "redirect_uris": ["https://dcr.example/cb"],
                "grant_types": ["authorization_code"],
                "token_endpoint_auth_method": "none",
            },
        ).json()
        client = {"client_id": reg["client_id"]}
        body = tokens_for(invoke, browser, client, "https://dcr.example/cb")
        assert "refresh_token" not in body  # offline_access granted, but the client may not refresh
        r = refresh(invoke, client, "42min_rt_" + "A" * 43)
        assert_oauth_error(r, 400, "unauthorized_client")


class TestRequestAndClientChecks:
    def test_body_checks_in_order(self, invoke, app_client, seeded):
        auth = basic(app_client["client_id"], app_client["client_secret"])
        big = b"grant_type=refresh_token&pad=" + b"x" * 65536
        assert_oauth_error(token_request(invoke, {}, auth, raw_body=big), 413, "invalid_request")
        for content_type in ("application/json", "text/plain", ""):
            r = invoke(
                "oauth",
                "POST",
                "/v1/oauth/token",
                body=b"grant_type=refresh_token",
                headers={**auth, "content-type": content_type},
            )
            assert_oauth_error(r, 400, "invalid_request")
        r = token_request(invoke, {}, auth, raw_body=b"grant_type=refresh_token&grant_type=refresh_token")
        assert_oauth_error(r, 400, "invalid_request")
        # repeated parameters are refused before client authentication
        r = token_request(invoke, {}, {}, raw_body=b"client_id=a&client_id=a")
        assert_oauth_error(r, 400, "invalid_request")
        r = token_request(invoke, {}, auth, raw_body=b"grant_type=%ff")
        assert_oauth_error(r, 400, "invalid_request")

    def test_client_authentication_matrix(self, invoke, app_client, cli_client, seeded):
        cid, secret = app_client["client_id"], app_client["client_secret"]
        grant = {"grant_type": "refresh_token", "refresh_token": "42min_rt_" + "A" * 43}

        def call(fields, headers=None, ip="203.0.113.60"):
            return token_request(invoke, {**grant, **fields}, headers, source_ip=ip)

        # two methods at once → 400 invalid_request, no challenge
        r = call({"client_secret": secret}, basic(cid, secret))
        assert_oauth_error(r, 400, "invalid_request")
        assert "www-authenticate" not in r.headers
        # malformed Basic → 401 with the challenge
        for header in ("Basic", "Basic !!!", "Basic " + base64.b64encode(b"no-colon").decode()):
            r = call({}, {"Authorization": header})
            assert_oauth_error(r, 401, "invalid_client")
            assert r.headers["www-authenticate"] == 'Basic realm="42min"'
        cases = [
            ({}, None, False),  # no identity
            ({"client_id": cid}, None, False),  # confidential without secret
            ({"client_id": cid, "client_secret": "42min_cs_" + "A" * 43}, None, False),  # wrong secret
            ({}, basic(cid, "wrong"), True),
            ({"client_id": cli_client["client_id"]}, basic(cid, secret), True),  # identities differ
            ({"client_id": "42min_01KR8N8N804DGCA9ZJ80BF7N5J", "client_secret": "x"}, None, False),  # unknown
            ({"client_id": cli_client["client_id"], "client_secret": "x"}, None, False),  # public + secret
            ({}, basic(cli_client["client_id"], "x"), True),
        ]
        for fields, headers, challenge in cases:
            r = call(fields, headers)
            body = assert_oauth_error(r, 401, "invalid_client")
            assert ("www-authenticate" in r.headers) is challenge, (fields, headers)
            assert body["error_description"]
        # Bearer and other schemes are ignored here
        r = call({"client_id": cli_client["client_id"]}, {"Authorization": "Bearer x"})
        assert_oauth_error(r, 400, "invalid_grant")

    def test_grant_type_checks(self, invoke, app_client, seeded):
        auth = basic(app_client["client_id"], app_client["client_secret"])
        assert_oauth_error(token_request(invoke, {}, auth), 400, "invalid_request")
        assert_oauth_error(token_request(invoke, {"grant_type": ""}, auth), 400, "invalid_request")
        for grant_type in ("password", "client_credentials", "implicit", "AUTHORIZATION_CODE"):
            r = token_request(invoke, {"grant_type": grant_type}, auth)
            assert_oauth_error(r, 400, "unsupported_grant_type")
        # client authentication comes before grant_type
        r = token_request(invoke, {"grant_type": "password"}, basic(app_client["client_id"], "wrong"))
        assert_oauth_error(r, 401, "invalid_client")

    def test_rate_limited(self, invoke, app_client, limits, seeded):
        limits("oauth_token=2")
        for _ in range(2):
            assert_oauth_error(token_request(invoke, {}, source_ip="192.0.2.7"), 401, "invalid_client")
        r = token_request(invoke, {}, source_ip="192.0.2.7")
        body = assert_oauth_error(r, 429, "rate_limited")
        retry = int(r.headers["retry-after"])
        assert body["error_description"] == f"Rate limit exceeded; retry in {retry}s."
        assert r.headers["x-ratelimit-remaining"] == "0" and r.headers["x-ratelimit-limit"] == "2"
        assert r.headers["pragma"] == "no-cache"

    @pytest.mark.parametrize(
        ("exc", "status", "error"),
        [
            (RuntimeError("boom"), 500, "server_error"),
            (THROTTLED, 503, "temporarily_unavailable"),
        ],
    )  # fmt: skip
    def test_failures_are_raw(self, invoke, app_client, monkeypatch, exc, status, error):
        def broken(client_id):
            raise exc

        monkeypatch.setattr(store, "get_client", broken)
        r = token_request(invoke, {"grant_type": "refresh_token"}, basic(app_client["client_id"], "x"))
        assert_oauth_error(r, status, error)

    def test_other_methods(self, invoke, seeded):
        r = invoke("oauth", "GET", "/v1/oauth/token")
        assert r.status == 405 and r.headers["allow"] == "POST"
        assert r.json()["error"]["code"] == "method_not_allowed"
        assert r.headers["x-ratelimit-limit"] == "30"
