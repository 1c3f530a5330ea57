"""RFC 8707 resource indicators (50-mcp §4.5): the accepted `resource` values and the grant audience.

A grant's audience is the surface its tokens may be used on: `{issuer}` (the REST API),
`{issuer}/mcp` (the MCP server), or None (both; clients that send no `resource`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fortytwo.domain.oauth.models import OAuthError

INVALID_TARGET = OAuthError(
    "invalid_target", "The resource must be this API or its MCP server, and the one the grant was issued for."
)


def accepted_resources(issuer: str) -> tuple[str, str]:
    return issuer, f"{issuer}/mcp"


def normalize_resource(value: str, issuer: str) -> str | None:
    """The stored form of an accepted value (scheme and host lower-cased, one trailing `/` removed),
    or None when the value names neither resource."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if not parts.scheme or not parts.netloc or parts.query or parts.fragment or "#" in value:
        return None
    text = f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}"
    text = text.removesuffix("/")
    return text if text in accepted_resources(issuer) else None


def code_audience(
    code_audience_value: str | None, resource: str | None, issuer: str
) -> str | None | OAuthError:
    """The grant audience of a code exchange: a present `resource` must equal the code's audience, or
    (the code has none) become it; otherwise invalid_target."""
    if resource is None:
        return code_audience_value
    accepted = _accepted(resource, code_audience_value, issuer)
    return INVALID_TARGET if accepted is None else accepted


def check_refresh_resource(
    grant_audience: str | None, resource: str | None, issuer: str
) -> OAuthError | None:
    """A refresh never changes the audience: a present `resource` must be accepted and, when the
    grant has an audience, equal it."""
    if resource is None:
        return None
    return INVALID_TARGET if _accepted(resource, grant_audience, issuer) is None else None


def _accepted(resource: str, audience: str | None, issuer: str) -> str | None:
    """`resource` normalised, when it is accepted and names `audience` (or there is none yet)."""
    normalized = normalize_resource(resource, issuer)
    if normalized is None or (audience is not None and normalized != audience):
        return None
    return normalized
