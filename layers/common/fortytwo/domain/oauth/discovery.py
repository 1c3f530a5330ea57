"""Discovery documents (10-auth §7).

RFC 8414 authorization-server metadata and RFC 9728 protected-resource metadata.
"""

from __future__ import annotations

from fortytwo.domain.scopes import SCOPES_SUPPORTED

RESOURCE_DOCUMENTATION = "https://42min.us/help/api"
AUTH_METHODS_SUPPORTED = ["client_secret_basic", "client_secret_post", "none"]


def authorization_server_metadata(issuer: str, dcr_enabled: bool) -> dict[str, object]:
    """Exactly the §7.1 members; `registration_endpoint` only while dynamic registration is enabled."""
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
