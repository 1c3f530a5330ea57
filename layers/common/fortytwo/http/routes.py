"""The complete route table (00-conventions §2), mirrored by template.yaml (a test keeps them equal).

Used by the `$default` route to tell 404 from 405 and to build `Allow`. Paths here are the paths
API Gateway hands over (`rawPath`: already percent-decoded, so `%2F` is a `/`) with runs of
slashes collapsed by `canonical_path` (00-conventions §1; docs/decisions.md "Decoded paths").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

METHOD_ORDER = ("GET", "POST", "PATCH", "DELETE")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str
    # Exists only while dynamic client registration is enabled (10-auth §6.12).
    requires_dcr: bool = False


ROUTES: tuple[Route, ...] = (
    Route("GET", "/v1/_ping", "MetaFunction"),
    Route("GET", "/v1/me", "MetaFunction"),
    Route("GET", "/v1/event-types", "EventTypesFunction"),
    Route("GET", "/v1/event-types/{idOrSlug+}", "EventTypesFunction"),
    Route("GET", "/v1/slots", "SlotsFunction"),
    Route("GET", "/v1/slots/check", "SlotsFunction"),
    Route("GET", "/v1/bookings", "BookingsFunction"),
    Route("POST", "/v1/bookings", "BookingsFunction"),
    Route("GET", "/v1/bookings/{uid}", "BookingsFunction"),
    Route("PATCH", "/v1/bookings/{uid}", "BookingsFunction"),
    Route("POST", "/v1/bookings/{uid}/cancel", "BookingsFunction"),
    Route("POST", "/v1/bookings/{uid}/reschedule", "BookingsFunction"),
    Route("GET", "/v1/series", "SeriesFunction"),
    Route("POST", "/v1/series", "SeriesFunction"),
    Route("GET", "/v1/series/{uid}", "SeriesFunction"),
    Route("PATCH", "/v1/series/{uid}", "SeriesFunction"),
    Route("POST", "/v1/series/{uid}/pause", "SeriesFunction"),
    Route("POST", "/v1/series/{uid}/resume", "SeriesFunction"),
    Route("POST", "/v1/series/{uid}/end", "SeriesFunction"),
    Route("POST", "/v1/series/{uid}/host", "SeriesFunction"),
    Route("GET", "/v1/webhooks", "WebhooksFunction"),
    Route("POST", "/v1/webhooks", "WebhooksFunction"),
    Route("GET", "/v1/webhooks/{id}", "WebhooksFunction"),
    Route("PATCH", "/v1/webhooks/{id}", "WebhooksFunction"),
    Route("DELETE", "/v1/webhooks/{id}", "WebhooksFunction"),
    Route("POST", "/v1/webhooks/{id}/rotate-secret", "WebhooksFunction"),
    Route("POST", "/v1/webhooks/{id}/test", "WebhooksFunction"),
    Route("GET", "/v1/webhooks/{id}/deliveries", "WebhooksFunction"),
    # Extension: redelivery (55-admin-center).
    Route("POST", "/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver", "WebhooksFunction"),
    Route("GET", "/v1/oauth/authorize", "OAuthFunction"),
    Route("POST", "/v1/oauth/authorize", "OAuthFunction"),
    Route("POST", "/v1/oauth/token", "OAuthFunction"),
    Route("POST", "/v1/oauth/revoke", "OAuthFunction"),
    Route("POST", "/v1/oauth/introspect", "OAuthFunction"),
    Route("POST", "/v1/oauth/register", "OAuthFunction", requires_dcr=True),
    Route("GET", "/.well-known/oauth-authorization-server", "OAuthFunction"),
    Route("GET", "/.well-known/oauth-protected-resource", "OAuthFunction"),
    Route("GET", "/.well-known/oauth-protected-resource/mcp", "OAuthFunction"),
    # Extension: the OpenAPI document.
    Route("GET", "/openapi.json", "MetaFunction"),
    Route("POST", "/mcp", "McpFunction"),
    # Admin Center pages (55-admin-center), not API routes.
    Route("GET", "/360/signin", "AdminFunction"),
    Route("POST", "/360/signin", "AdminFunction"),
    Route("POST", "/360/signout", "AdminFunction"),
    Route("GET", "/360/api", "AdminFunction"),
    Route("POST", "/360/api/{action+}", "AdminFunction"),
    Route("GET", "/360/admin.css", "AdminFunction"),
)


_SLASH_RUNS = re.compile(r"/{2,}")


def canonical_path(path: str) -> str:
    """Runs of slashes collapse to one before routing (`//v1/me` is `/v1/me`); a trailing slash
    stays significant (`/v1/me/` is a 404)."""
    return _SLASH_RUNS.sub("/", path)


def template_regex(path: str) -> re.Pattern[str]:
    """Matching on the canonical path: `{x}` is one non-empty segment.

    The one greedy template route, `/v1/event-types/{idOrSlug+}`, stands for the contract's two
    routes (`{idOrSlug}` and `{username}/{slug}`), so it matches one or two segments here; a longer
    path is an unknown route (404), not a wrong method.
    """
    pattern = ""
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{") and part.endswith("+}"):
            pattern += r"(?:[^/]+(?:/[^/]+)?)"
        elif part.startswith("{"):
            pattern += r"[^/]+"
        else:
            pattern += re.escape(part)
    return re.compile(pattern)  # used with fullmatch: a trailing newline is part of the path


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[re.Pattern[str], Route], ...]:
    return tuple((template_regex(r.path), r) for r in ROUTES)


def allowed_methods(path: str, *, dcr_enabled: bool = True) -> list[str]:
    """Methods of the routes whose path matches the canonical `path`; empty when none does."""
    methods = {
        route.method
        for regex, route in _compiled()
        if regex.fullmatch(path) and (dcr_enabled or not route.requires_dcr)
    }
    return [m for m in METHOD_ORDER if m in methods]


def is_bearer_path(path: str) -> bool:
    return path.startswith("/v1/") and not path.startswith("/v1/oauth/")
