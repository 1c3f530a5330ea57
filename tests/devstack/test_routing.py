"""Route selection as HTTP APIs do it: raw path, exact, most specific first, else $default."""

from __future__ import annotations

import pytest

from fortytwo_local.devstack.routing import RouteTable
from fortytwo_local.devstack.template import HttpRoute, TemplateError


def _table(*keys: str, default: bool = True) -> RouteTable:
    routes = []
    for key in keys:
        method, path = key.split(" ", 1)
        routes.append(HttpRoute("Fn", key, method, path))
    if default:
        routes.append(HttpRoute("Default", "Default", None, None))
    return RouteTable(routes)


TABLE = _table(
    "GET /v1/me",
    "GET /v1/bookings/{uid}",
    "PATCH /v1/bookings/{uid}",
    "POST /v1/bookings/{uid}/cancel",
    "GET /v1/bookings/special",
    "GET /v1/event-types/{idOrSlug+}",
    "ANY /v1/any",
    "GET /v1/any",
    "GET /{proxy+}",
)


@pytest.mark.parametrize(
    ("method", "path", "route_key", "params"),
    [
        ("GET", "/v1/me", "GET /v1/me", {}),
        ("GET", "/v1/bookings/abc", "GET /v1/bookings/{uid}", {"uid": "abc"}),
        ("PATCH", "/v1/bookings/abc", "PATCH /v1/bookings/{uid}", {"uid": "abc"}),
        # The table sees the decoded path (the gateway decodes once): parameters are taken as they are.
        ("POST", "/v1/bookings/a b/cancel", "POST /v1/bookings/{uid}/cancel", {"uid": "a b"}),
        ("GET", "/v1/bookings/100%", "GET /v1/bookings/{uid}", {"uid": "100%"}),
        # A literal segment beats a variable.
        ("GET", "/v1/bookings/special", "GET /v1/bookings/special", {}),
        (
            "GET",
            "/v1/event-types/ada/intro-call",
            "GET /v1/event-types/{idOrSlug+}",
            {"idOrSlug": "ada/intro-call"},
        ),
        # An explicit method beats ANY; ANY takes the rest.
        ("GET", "/v1/any", "GET /v1/any", {}),
        ("DELETE", "/v1/any", "ANY /v1/any", {}),
        # Non-greedy routes beat greedy ones; a greedy one beats $default.
        ("GET", "/v2/x", "GET /{proxy+}", {"proxy": "v2/x"}),
    ],
)
def test_matches(method: str, path: str, route_key: str, params: dict[str, str]) -> None:
    match = TABLE.match(method, path)
    assert match is not None
    assert match.route.route_key == route_key
    assert match.path_parameters == params


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/me/"),  # no trailing-slash normalisation
        ("GET", "/v1/ME"),  # case-sensitive
        ("GET", "//v1/me"),  # the gateway collapses slashes before asking the table
        ("DELETE", "/v1/me"),  # method mismatch (the $default function answers 405)
        ("HEAD", "/v1/me"),  # HEAD is not GET
        ("OPTIONS", "/v1/me"),
        ("GET", "/v1/bookings/"),  # {uid} needs a non-empty segment
        ("GET", "/v1/bookings//cancel"),
        ("GET", "/v1/event-types/"),  # a greedy variable needs at least something
    ],
)
def test_unmatched_goes_to_default(method: str, path: str) -> None:
    table = _table(
        "GET /v1/me",
        "GET /v1/bookings/{uid}",
        "POST /v1/bookings/{uid}/cancel",
        "GET /v1/event-types/{idOrSlug+}",
    )
    match = table.match(method, path)
    assert match is not None and match.route.route_key == "$default" and match.path_parameters == {}


def test_without_default_route_nothing_matches() -> None:
    assert _table("GET /v1/me", default=False).match("GET", "/nope") is None


def test_bad_routes_are_refused() -> None:
    with pytest.raises(TemplateError, match="declared twice"):
        _table("GET /v1/me", "GET /v1/me")
    with pytest.raises(TemplateError, match="greedy variable must be last"):
        _table("GET /v1/{a+}/x")
