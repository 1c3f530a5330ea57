"""Discovery documents exactly as 10-auth §7."""

from __future__ import annotations

import json

from fortytwo.domain.oauth.discovery import (
    authorization_server_metadata,
    mcp_protected_resource_metadata,
    protected_resource_metadata,
)

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

AS_EXPECTED = {
    "issuer": "https://api.42min.us",
    "authorization_endpoint": "https://api.42min.us/v1/oauth/authorize",
    "token_endpoint": "https://api.42min.us/v1/oauth/token",
    "revocation_endpoint": "https://api.42min.us/v1/oauth/revoke",
    "introspection_endpoint": "https://api.42min.us/v1/oauth/introspect",
    "registration_endpoint": "https://api.42min.us/v1/oauth/register",
    "response_types_supported": ["code"],
    "grant_types_supported": ["authorization_code", "refresh_token"],
    "code_challenge_methods_supported": ["S256"],
    "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
    "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
    "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    "scopes_supported": SCOPES,
    "authorization_response_iss_parameter_supported": True,  # RFC 9207 (50-mcp §8)
}


def test_authorization_server_with_registration():
    doc = authorization_server_metadata("https://api.42min.us", True)
    assert doc == AS_EXPECTED
    assert list(doc) == list(AS_EXPECTED)  # also the order of the spec's example


def test_authorization_server_without_registration():
    doc = authorization_server_metadata("https://api.42min.us", False)
    expected = {k: v for k, v in AS_EXPECTED.items() if k != "registration_endpoint"}
    assert doc == expected
    assert "registration_endpoint" not in doc


def test_local_issuer():
    doc = authorization_server_metadata("http://127.0.0.1:8042", True)
    assert doc["issuer"] == "http://127.0.0.1:8042"
    assert doc["token_endpoint"] == "http://127.0.0.1:8042/v1/oauth/token"
    assert doc["registration_endpoint"] == "http://127.0.0.1:8042/v1/oauth/register"


def test_protected_resource():
    assert protected_resource_metadata("https://api.42min.us") == {
        "resource": "https://api.42min.us",
        "authorization_servers": ["https://api.42min.us"],
        "scopes_supported": SCOPES,
        "bearer_methods_supported": ["header"],
        "resource_documentation": "https://42min.us/help/api",
    }


def test_documents_are_fresh_and_serialisable():
    a = authorization_server_metadata("https://api.42min.us", True)
    a["scopes_supported"].append("x")  # type: ignore[union-attr]
    assert len(authorization_server_metadata("https://api.42min.us", True)["scopes_supported"]) == 29
    json.dumps(protected_resource_metadata("https://api.42min.us"))


def test_mcp_protected_resource():
    """50-mcp §4.4: exactly these members, the aliases in order."""
    assert mcp_protected_resource_metadata("https://api.42min.us") == {
        "resource": "https://api.42min.us/mcp",
        "authorization_servers": ["https://api.42min.us"],
        "scopes_supported": ["mcp:scheduling:read", "mcp:scheduling:write"],
        "bearer_methods_supported": ["header"],
        "resource_name": "42min MCP server",
        "resource_documentation": "https://42min.us/help/api",
    }
