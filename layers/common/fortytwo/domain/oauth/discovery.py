"""Discovery documents (10-auth §7).

RFC 8414 authorization-server metadata and RFC 9728 protected-resource metadata.
"""

from __future__ import annotations

from fortytwo.domain.scopes import MCP_ALIASES, SCOPES_SUPPORTED

RESOURCE_DOCUMENTATION = "https://42min.us/help/api"
AUTH_METHODS_SUPPORTED = ["client_secret_basic", "client_secret_post", "none"]


def authorization_server_metadata(issuer: str, dcr_enabled: bool) -> dict[str, object]:
    """Exactly the §7.1 members, with 50-mcp §8's RFC 9207 member; `registration_endpoint` only while
    dynamic registration is enabled."""
    base = f"{issuer}/v1/oauth"
    doc: dict[str, object] = {
        "issuer": issuer,
        "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/token",
        "revocation_endpoint": f"{base}/revoke",
        "introspection_endpoint": f"{base}/introspect",
    }
    if dcr_enabled:
        doc["registration_endpoint"] = f"{base}/register"
    doc.update(
        {
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": list(AUTH_METHODS_SUPPORTED),
            "revocation_endpoint_auth_methods_supported": list(AUTH_METHODS_SUPPORTED),
            "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": list(SCOPES_SUPPORTED),
            # RFC 9207: every authorization response carries `iss` (50-mcp §8; MCP clients check it).
            "authorization_response_iss_parameter_supported": True,
        }
    )
    return doc


def protected_resource_metadata(issuer: str) -> dict[str, object]:
    """Exactly the §7.2 members."""
    return {
        "resource": issuer,
        "authorization_servers": [issuer],
        "scopes_supported": list(SCOPES_SUPPORTED),
        "bearer_methods_supported": ["header"],
        "resource_documentation": RESOURCE_DOCUMENTATION,
    }


def mcp_resource(issuer: str) -> str:
    """The MCP server's RFC 8707 / RFC 9728 resource identifier (50-mcp §4.4)."""
    return f"{issuer}/mcp"


def mcp_protected_resource_metadata(issuer: str) -> dict[str, object]:
    """Exactly the 50-mcp §4.4 members."""
    return {
        "resource": mcp_resource(issuer),
        "authorization_servers": [issuer],
        "scopes_supported": list(MCP_ALIASES),
        "bearer_methods_supported": ["header"],
        "resource_name": "42min MCP server",
        "resource_documentation": RESOURCE_DOCUMENTATION,
    }
