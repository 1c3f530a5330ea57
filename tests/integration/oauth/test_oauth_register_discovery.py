"""POST /v1/oauth/register and the /.well-known documents through the handler."""

from __future__ import annotations

import json
import re

from fortytwo.store import oauth as store
from tests.integration.oauth.flow import assert_oauth_error, authorize_params, sign_in, tokens_for

SCOPES = [
    "user:read", "users:read",
    "event_types:read", "event_types:create", "event_types:update", "event_types:delete",
    "slots:read",
    "bookings:read", "bookings:create", "bookings:cancel", "bookings:reschedule", "bookings:update",
    "webhooks:read", "webhooks:write",
    "series:read", "series:write",
    "availability:read", "availability:write",
    "meetings:read", "meetings:write",
    "contacts:read",
    "single_use_links:read", "single_use_links:write",
    "roundtables:read", "roundtables:write",
    "routing_forms:read", "routing_forms:create", "routing_forms:update",
    "offline_access",
]  # fmt: skip


OK = {"redirect_uris": ["https://a.example/cb"]}


def register(invoke, body, headers=None, ip="203.0.113.80"):
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    hdrs = {"content-type": "application/json", **(headers or {})}
    return invoke("oauth", "POST", "/v1/oauth/register", body=body, headers=hdrs, source_ip=ip)


class TestRegister:
    def test_public_spec_example(self, invoke, browser, seeded):
        r = register(
            invoke,
            {
                "client_name": "Desk Scheduler",
                "redirect_uris": ["http://127.0.0.1/callback"],
                "token_endpoint_auth_method": "none",
                "logo_uri": "https://ignored.example/logo.png",
            },
        )
        assert r.status == 201, r.text
        assert r.headers["cache-control"] == "no-store" and r.headers["pragma"] == "no-cache"
        assert r.headers["x-ratelimit-limit"] == "5"
        body = r.json()
        assert re.match(r"^42min_[0-7][0-9A-HJKMNP-TV-Z]{25}$", body["client_id"])
        assert body == {
            "client_id": body["client_id"],
            "client_id_issued_at": body["client_id_issued_at"],
            "client_name": "Desk Scheduler",
            "redirect_uris": ["http://127.0.0.1/callback"],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
        }
        stored = store.get_client(body["client_id"])
        assert stored.organization_id is None and stored.registered_via == "dcr"
        assert stored.client_type == "public"
        # the new client works end to end
        tokens = tokens_for(
            invoke, browser, {"client_id": body["client_id"]}, "http://127.0.0.1:4000/callback"
        )
        assert "refresh_token" in tokens

    def test_mcp_client_with_private_use_and_localhost_uris(self, invoke, browser, seeded):
        """50-mcp §4.6: Cursor's registration succeeds whole for a public client; the consent page
        names a non-https redirect URI in full; a custom-scheme redirect carries code and iss."""
        uris = [
            "cursor://anysphere.cursor-mcp/oauth/callback",
            "https://www.cursor.com/agents/mcp/oauth/callback",
            "http://localhost:8787/callback",
        ]
        r = register(
            invoke,
            {"client_name": "Cursor", "redirect_uris": uris, "token_endpoint_auth_method": "none"},
            ip="203.0.113.90",
        )
        assert r.status == 201, r.text
        client_id = r.json()["client_id"]
        params, _ = authorize_params(client_id, uris[0])
        consent = sign_in(browser, params)
        assert "cursor://anysphere.cursor-mcp/oauth/callback" in consent.text
        approved = browser.submit(consent, "consent", action="approve")
        assert approved.status == 303
        assert approved.headers["location"].startswith(uris[0] + "?code=")
        assert "iss=https%3A%2F%2Fapi.42min.test" in approved.headers["location"]
        tokens = tokens_for(invoke, browser, {"client_id": client_id}, "http://localhost:9999/callback")
        assert tokens["access_token"]
        confidential = register(invoke, {"redirect_uris": uris}, ip="203.0.113.91")
        assert confidential.status == 400 and confidential.json()["error"] == "invalid_redirect_uri"

    def test_confidential_defaults(self, invoke, browser, seeded):
        r = register(invoke, {"redirect_uris": ["https://svc.example:8443/oauth/cb"]})
        assert r.status == 201
        body = r.json()
        assert body["client_name"] == "svc.example"
        assert body["token_endpoint_auth_method"] == "client_secret_basic"
        assert re.match(r"^42min_cs_[A-Za-z0-9_-]{43}$", body["client_secret"])
        assert body["client_secret_expires_at"] == 0
        client = {"client_id": body["client_id"], "client_secret": body["client_secret"]}
        assert "access_token" in tokens_for(invoke, browser, client, "https://svc.example:8443/oauth/cb")

    def test_checks_in_order(self, invoke, seeded):
        big = json.dumps({"redirect_uris": ["https://a.example/cb"], "pad": "x" * 65536}).encode()
        assert_oauth_error(register(invoke, big, {"content-type": "text/plain"}), 413, "invalid_request")
        bad_media = register(
            invoke, {"redirect_uris": ["https://a.example/cb"]}, {"content-type": "text/plain"}
        )
        assert_oauth_error(bad_media, 400, "invalid_client_metadata")
        assert_oauth_error(register(invoke, b"{not json", ip="203.0.113.81"), 400, "invalid_client_metadata")
        assert_oauth_error(register(invoke, b"[]", ip="203.0.113.81"), 400, "invalid_client_metadata")
        assert_oauth_error(register(invoke, b"", ip="203.0.113.81"), 400, "invalid_client_metadata")
        r = register(invoke, {"redirect_uris": ["http://a.example/cb"], "client_name": ""}, ip="203.0.113.82")
        body = assert_oauth_error(r, 400, "invalid_redirect_uri")
        assert (
            body["error_description"]
            == "redirect_uris[0] must use https, or http on 127.0.0.1, [::1] or localhost."
        )
        assert r.headers["pragma"] == "no-cache"

    def test_metadata_errors(self, invoke, seeded):
        cases = [
            ({}, "invalid_redirect_uri"),
            ({"redirect_uris": []}, "invalid_redirect_uri"),
            ({"redirect_uris": ["https://a.example/cb#f"]}, "invalid_redirect_uri"),
            ({**OK, "token_endpoint_auth_method": "private_key_jwt"}, "invalid_client_metadata"),
            ({**OK, "grant_types": ["refresh_token"]}, "invalid_client_metadata"),
            ({**OK, "response_types": ["token"]}, "invalid_client_metadata"),
            ({**OK, "client_name": "x" * 101}, "invalid_client_metadata"),
        ]
        for i, (doc, error) in enumerate(cases):
            assert_oauth_error(register(invoke, doc, ip=f"203.0.113.{100 + i}"), 400, error)

    def test_rate_limited(self, invoke, seeded):
        for _ in range(5):
            register(invoke, {}, ip="192.0.2.9")
        r = register(invoke, {"redirect_uris": ["https://a.example/cb"]}, ip="192.0.2.9")
        assert_oauth_error(r, 429, "rate_limited")
        assert 1 <= int(r.headers["retry-after"]) <= 60

    def test_disabled_is_an_unknown_route(self, invoke, seeded, dcr_disabled):
        r = register(invoke, {"redirect_uris": ["https://a.example/cb"]})
        assert r.status == 404
        assert r.json()["error"]["code"] == "not_found"
        assert r.json()["error"]["request_id"] == r.headers["x-request-id"]
        assert r.headers["x-ratelimit-limit"] == "30"  # anonymous bucket
        doc = invoke("oauth", "GET", "/.well-known/oauth-authorization-server").json()
        assert "registration_endpoint" not in doc

    def test_failure_is_raw(self, invoke, seeded, monkeypatch):
        def broken(client):
            raise RuntimeError("boom")

        monkeypatch.setattr(store, "create_client", broken)
        assert_oauth_error(register(invoke, {"redirect_uris": ["https://a.example/cb"]}), 500, "server_error")


class TestDiscovery:
    def test_authorization_server(self, invoke, seeded):
        r = invoke("oauth", "GET", "/.well-known/oauth-authorization-server")
        assert r.status == 200
        assert r.headers["cache-control"] == "public, max-age=3600"
        assert r.headers["content-type"] == "application/json"
        assert r.headers["x-request-id"].startswith("req_") and r.headers["x-ratelimit-limit"] == "30"
        base = "https://api.42min.test"
        assert r.json() == {
            "issuer": base,
            "authorization_endpoint": f"{base}/v1/oauth/authorize",
            "token_endpoint": f"{base}/v1/oauth/token",
            "revocation_endpoint": f"{base}/v1/oauth/revoke",
            "introspection_endpoint": f"{base}/v1/oauth/introspect",
            "registration_endpoint": f"{base}/v1/oauth/register",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "revocation_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
                "none",
            ],
            "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": SCOPES,
            "authorization_response_iss_parameter_supported": True,
        }

    def test_protected_resource(self, invoke, seeded):
        r = invoke("oauth", "GET", "/.well-known/oauth-protected-resource")
        assert r.status == 200 and r.headers["cache-control"] == "public, max-age=3600"
        assert r.json() == {
            "resource": "https://api.42min.test",
            "authorization_servers": ["https://api.42min.test"],
            "scopes_supported": SCOPES,
            "bearer_methods_supported": ["header"],
            "resource_documentation": "https://42min.us/help/api",
        }

    def test_mcp_protected_resource(self, invoke, seeded):
        """50-mcp §4.4: GET only, no authentication, anonymous bucket, cacheable for an hour."""
        r = invoke("oauth", "GET", "/.well-known/oauth-protected-resource/mcp")
        assert r.status == 200 and r.headers["cache-control"] == "public, max-age=3600"
        assert r.headers["x-ratelimit-limit"] == "30" and r.headers["x-request-id"].startswith("req_")
        assert r.json() == {
            "resource": "https://api.42min.test/mcp",
            "authorization_servers": ["https://api.42min.test"],
            "scopes_supported": ["mcp:scheduling:read", "mcp:scheduling:write"],
            "bearer_methods_supported": ["header"],
            "resource_name": "42min MCP server",
            "resource_documentation": "https://42min.us/help/api",
        }
        other = invoke("oauth", "POST", "/.well-known/oauth-protected-resource/mcp")
        assert other.status == 405 and other.headers["allow"] == "GET"

    def test_oversized_body(self, invoke, seeded):
        r = invoke("oauth", "GET", "/.well-known/oauth-protected-resource", body=b"x" * 65537)
        assert r.status == 413 and r.json()["error"]["code"] == "payload_too_large"
        r = invoke("oauth", "GET", "/v1/oauth/authorize", body=b"x" * 65537)
        assert r.status == 413 and 'data-error="invalid_request"' in r.text

    def test_other_methods_and_rate_limit(self, invoke, seeded, limits):
        r = invoke("oauth", "POST", "/.well-known/oauth-protected-resource")
        assert r.status == 405 and r.headers["allow"] == "GET"
        assert r.json()["error"]["code"] == "method_not_allowed"
        limits("anonymous=1")
        invoke("oauth", "GET", "/.well-known/oauth-authorization-server", source_ip="192.0.2.10")
        r = invoke("oauth", "GET", "/.well-known/oauth-authorization-server", source_ip="192.0.2.10")
        assert r.status == 429 and r.json()["error"]["code"] == "rate_limited"
        assert r.json()["error"]["details"]["bucket"] == "anonymous"
        assert r.headers["cache-control"] == "no-store"
