"""POST /v1/oauth/revoke and /v1/oauth/introspect through the handler."""

from __future__ import annotations

from datetime import timedelta

from fortytwo.domain import clock
from tests.integration.oauth.flow import (
    CONFIDENTIAL_REDIRECT,
    PUBLIC_REDIRECT,
    assert_oauth_error,
    authorize_code,
    basic,
    ping,
    refresh,
    token_request,
    tokens_for,
)

PAT_LIKE = "42min_pat_HHAPTQYAPAMC_CBPMX33Y83YJ3967F3CMJT4PNCV0VKRG"


def revoke(invoke, client, token, **extra):
    fields = {"token": token, **extra}
    if "client_secret" in client:
        return token_request(
            invoke, fields, basic(client["client_id"], client["client_secret"]), path="/v1/oauth/revoke"
        )
    return token_request(invoke, {**fields, "client_id": client["client_id"]}, path="/v1/oauth/revoke")


def introspect(invoke, client, token, **extra):
    auth = basic(client["client_id"], client["client_secret"])
    return token_request(invoke, {"token": token, **extra}, auth, path="/v1/oauth/introspect")


def assert_revoked_ok(r):
    assert r.status == 200, r.text
    assert r.text == ""
    assert "content-type" not in r.headers
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-request-id"].startswith("req_")
    assert r.headers["x-ratelimit-limit"] == "60"


class TestRevoke:
    def test_access_token_only(self, invoke, app_client, browser):
        tokens = tokens_for(invoke, browser, app_client, CONFIDENTIAL_REDIRECT)
        assert_revoked_ok(revoke(invoke, app_client, tokens["access_token"], token_type_hint="access_token"))
        assert ping(invoke, tokens["access_token"]).json()["error"]["code"] == "token_revoked"
        renewed = refresh(invoke, app_client, tokens["refresh_token"])
        assert renewed.status == 200
        assert ping(invoke, renewed.json()["access_token"]).status == 200
        # revoking again changes nothing and still answers 200
        assert_revoked_ok(revoke(invoke, app_client, tokens["access_token"]))

    def test_refresh_token_revokes_the_grant(self, invoke, app_client, browser):
        tokens = tokens_for(invoke, browser, app_client, CONFIDENTIAL_REDIRECT)
        # a wrong hint only changes the lookup order
        assert_revoked_ok(revoke(invoke, app_client, tokens["refresh_token"], token_type_hint="access_token"))
        assert ping(invoke, tokens["access_token"]).json()["error"]["code"] == "token_revoked"
        assert_oauth_error(refresh(invoke, app_client, tokens["refresh_token"]), 400, "invalid_grant")

    def test_public_client(self, invoke, cli_client, browser):
        tokens = tokens_for(invoke, browser, cli_client, PUBLIC_REDIRECT)
        assert_revoked_ok(revoke(invoke, cli_client, tokens["refresh_token"], token_type_hint="bogus"))
        assert ping(invoke, tokens["access_token"]).status == 401

    def test_nothing_happens_for_other_tokens(self, invoke, app_client, cli_client, browser, seeded):
        tokens = tokens_for(invoke, browser, app_client, CONFIDENTIAL_REDIRECT)
        code, _, _ = authorize_code(browser, app_client["client_id"], CONFIDENTIAL_REDIRECT)
        for token in ("42min_at_" + "A" * 43, "42min_rt_" + "A" * 43, "garbage", PAT_LIKE, code):
            assert_revoked_ok(revoke(invoke, app_client, token))
        # another client's tokens are left alone
        assert_revoked_ok(revoke(invoke, cli_client, tokens["access_token"]))
        assert_revoked_ok(revoke(invoke, cli_client, tokens["refresh_token"]))
        assert ping(invoke, tokens["access_token"]).status == 200
        assert refresh(invoke, app_client, tokens["refresh_token"]).status == 200

    def test_errors(self, invoke, app_client, seeded):
        auth = basic(app_client["client_id"], app_client["client_secret"])
        path = "/v1/oauth/revoke"
        r = token_request(invoke, {}, auth, path=path, raw_body=b"token=" + b"x" * 65536)
        assert_oauth_error(r, 413, "invalid_request")
        assert "pragma" not in r.headers
        r = invoke("oauth", "POST", path, body={"token": "x"}, headers=auth)
        assert_oauth_error(r, 400, "invalid_request")
        assert_oauth_error(
            token_request(invoke, {}, auth, path=path, raw_body=b"token=a&token=b"), 400, "invalid_request"
        )
        r = token_request(invoke, {"token": "x", "client_secret": "s"}, auth, path=path)
        assert_oauth_error(r, 400, "invalid_request")
        r = token_request(invoke, {"token": "x"}, basic(app_client["client_id"], "wrong"), path=path)
        assert_oauth_error(r, 401, "invalid_client")
        assert r.headers["www-authenticate"] == 'Basic realm="42min"'
        r = token_request(invoke, {"token": "x"}, path=path)
        assert_oauth_error(r, 401, "invalid_client")
        assert "www-authenticate" not in r.headers
        # `token` is checked after client authentication
        assert_oauth_error(token_request(invoke, {}, auth, path=path), 400, "invalid_request")
        assert_oauth_error(token_request(invoke, {"token": ""}, auth, path=path), 400, "invalid_request")

    def test_rate_limited(self, invoke, app_client, limits, seeded):
        limits("oauth_revoke=1")
        token_request(invoke, {}, path="/v1/oauth/revoke", source_ip="192.0.2.8")
        r = token_request(invoke, {}, path="/v1/oauth/revoke", source_ip="192.0.2.8")
        assert_oauth_error(r, 429, "rate_limited")
        assert "retry-after" in r.headers


class TestIntrospect:
    def test_active_access_token(self, invoke, app_client, browser, seeded):
        tokens = tokens_for(invoke, browser, app_client, CONFIDENTIAL_REDIRECT)
        r = introspect(invoke, app_client, tokens["access_token"])
        assert r.status == 200
        assert r.headers["cache-control"] == "no-store" and r.headers["pragma"] == "no-cache"
        assert r.headers["x-ratelimit-limit"] == "120"
        body = r.json()
        assert body == {
            "active": True,
            "scope": tokens["scope"],
            "client_id": app_client["client_id"],
            "username": "ada",
            "sub": seeded["users"]["ada"],
            "token_type": "Bearer",
            "exp": body["iat"] + 3600,
            "iat": body["iat"],
            "iss": "https://api.42min.test",
        }
        assert abs(body["iat"] - int(clock.now().timestamp())) < 60

    def test_active_refresh_token_and_narrowed_access_token(self, invoke, app_client, browser):
        tokens = tokens_for(invoke, browser, app_client, CONFIDENTIAL_REDIRECT)
        narrowed = refresh(invoke, app_client, tokens["refresh_token"], scope="slots:read").json()
        body = introspect(
            invoke, app_client, narrowed["refresh_token"], token_type_hint="access_token"
        ).json()
        assert body["active"] is True and body["token_type"] == "refresh_token"
        assert body["scope"] == tokens["scope"]  # the grant's scope
        assert body["exp"] - body["iat"] == 30 * 86400
        assert introspect(invoke, app_client, narrowed["access_token"]).json()["scope"] == "slots:read"

    def test_inactive(self, invoke, app_client, cli_client, browser, monkeypatch):
        tokens = tokens_for(invoke, browser, app_client, CONFIDENTIAL_REDIRECT)
        other = tokens_for(invoke, browser, cli_client, PUBLIC_REDIRECT)
        code, _, _ = authorize_code(browser, app_client["client_id"], CONFIDENTIAL_REDIRECT)
        spent = tokens["refresh_token"]
        fresh = refresh(invoke, app_client, spent).json()
        revoke_r = token_request(
            invoke,
            {"token": fresh["access_token"]},
            basic(app_client["client_id"], app_client["client_secret"]),
            path="/v1/oauth/revoke",
        )
        assert revoke_r.status == 200
        inactive = [
            "42min_at_" + "A" * 43,
            "garbage",
            PAT_LIKE,
            code,
            spent,  # spent refresh token
            fresh["access_token"],  # revoked
            other["access_token"],  # another client's
            other["refresh_token"],
        ]
        for token in inactive:
            r = introspect(invoke, app_client, token)
            assert r.status == 200 and r.json() == {"active": False}, token
        assert introspect(invoke, app_client, tokens["access_token"]).json()["active"] is True
        moment = clock.now() + timedelta(hours=1)
        monkeypatch.setattr(clock, "now", lambda: moment)
        assert introspect(invoke, app_client, tokens["access_token"]).json() == {"active": False}

    def test_errors(self, invoke, app_client, cli_client, seeded):
        path = "/v1/oauth/introspect"
        auth = basic(app_client["client_id"], app_client["client_secret"])
        r = token_request(invoke, {"token": "x", "client_id": cli_client["client_id"]}, path=path)
        assert_oauth_error(r, 401, "invalid_client")
        r = token_request(invoke, {"token": "x"}, basic(cli_client["client_id"], ""), path=path)
        assert_oauth_error(r, 401, "invalid_client")
        assert r.headers["www-authenticate"] == 'Basic realm="42min"'
        assert_oauth_error(token_request(invoke, {}, auth, path=path), 400, "invalid_request")
        r = token_request(invoke, {}, auth, path=path, raw_body=b"token=a&token=a")
        assert_oauth_error(r, 400, "invalid_request")
        r = token_request(invoke, {}, auth, path=path, raw_body=b"x" * 65537)
        assert_oauth_error(r, 413, "invalid_request")
        assert r.headers["pragma"] == "no-cache"
        # client_secret_post works too
        r = token_request(
            invoke,
            {
                "token": "x",
                "client_id": app_client["client_id"],
                "client_secret": app_client["client_secret"],
            },
            path=path,
        )
        assert r.json() == {"active": False}
