"""Every HttpApi route of template.yaml has exactly one handler route and vice versa, and both equal
`fortytwo.http.routes.ROUTES` (the table the `$default` route answers 404/405 from).

Paths are compared by shape: `{x}` is one segment and `{x+}` (API Gateway) / `{x:path}` (FastAPI)
the greedy rest, whatever the parameter is called in each place.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.support import aws

GREEDY = re.compile(r"\{[^}/]+(?:\+|:path)\}")
SEGMENT = re.compile(r"\{[^}/]+\}")
# The MetaFunction's catch-all serves the template's `$default` route, not a route of its own.
CATCH_ALL = ("meta", "/{path:path}")


def shape(path: str) -> str:
    return SEGMENT.sub("{}", GREEDY.sub("{+}", path))


def code_group(props: dict[str, Any]) -> str:
    return Path(props["CodeUri"]).name


def template_functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource["Properties"]
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def template_routes(template: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(function, METHOD, path) of every HttpApi event except `$default`."""
    routes = []
    for logical_id, props in template_functions(template).items():
        for event in (props.get("Events") or {}).values():
            if event["Type"] != "HttpApi":
                continue
            method, path = event["Properties"].get("Method"), event["Properties"].get("Path")
            if path is None and method is None:
                continue
            routes.append((logical_id, str(method).upper(), path))
    return routes


def load_function(group: str) -> Any:
    path = aws.ROOT / "functions" / group / "app.py"
    if not path.exists():
        pytest.fail(f"functions/{group}/app.py does not exist, but template.yaml deploys it")
    return aws.function_module(group)


def handler_routes(group: str) -> list[tuple[str, str]]:
    """(METHOD, path) of every route of the function's FastAPI app. HEAD that Starlette adds next
    to GET is not a route of ours."""
    from fastapi.routing import APIRoute

    app = load_function(group).app
    routes = []
    for route in app.routes:
        if not isinstance(route, APIRoute) or (group, route.path) == CATCH_ALL:
            continue
        methods = set(route.methods or ())
        if "GET" in methods:
            methods.discard("HEAD")
        routes.extend((method, route.path) for method in sorted(methods))
    return routes


def http_groups(template: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted(
        (logical_id, code_group(props))
        for logical_id, props in template_functions(template).items()
        if any(e["Type"] == "HttpApi" for e in (props.get("Events") or {}).values())
    )


FUNCTIONS = {
    "MetaFunction": "meta",
    "EventTypesFunction": "event_types",
    "SlotsFunction": "slots",
    "BookingsFunction": "bookings",
    "SeriesFunction": "series",
    "WebhooksFunction": "webhooks",
    "OAuthFunction": "oauth",
    "McpFunction": "mcp",
    "AdminFunction": "admin",
    "WebhookFanoutFunction": "webhook_fanout",
    "WebhookDeliveryFunction": "webhook_delivery",
}
HTTP_GROUPS = ["meta", "event_types", "slots", "bookings", "series", "webhooks", "oauth", "mcp", "admin"]


def test_the_function_list_is_the_templates(template: dict[str, Any]) -> None:
    assert {lid: code_group(p) for lid, p in template_functions(template).items()} == FUNCTIONS


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_function_module_exposes_its_handler(template: dict[str, Any], logical_id: str) -> None:
    props = template_functions(template)[logical_id]
    module_name, _, attribute = props["Handler"].rpartition(".")
    assert module_name == "app", f"{logical_id}: the loaders expect app.<handler>, got {props['Handler']}"
    module = load_function(code_group(props))
    assert callable(getattr(module, attribute, None)), f"{logical_id}: app.{attribute} is not callable"


def test_template_routes_are_unique(template: dict[str, Any]) -> None:
    keys = Counter((method, shape(path)) for _, method, path in template_routes(template))
    assert not [k for k, n in keys.items() if n > 1]


def test_only_meta_has_the_default_route(template: dict[str, Any]) -> None:
    owners = [
        logical_id
        for logical_id, props in template_functions(template).items()
        for event in (props.get("Events") or {}).values()
        if event["Type"] == "HttpApi" and "Path" not in event["Properties"]
    ]
    assert owners == ["MetaFunction"]


def test_template_routes_equal_the_route_table(template: dict[str, Any]) -> None:
    from fortytwo.http.routes import ROUTES

    in_template = sorted(template_routes(template))
    in_table = sorted((r.function, r.method, r.path) for r in ROUTES)
    assert in_template == in_table


@pytest.mark.parametrize("group", HTTP_GROUPS)
def test_handler_routes_equal_template_routes(template: dict[str, Any], group: str) -> None:
    functions = dict(http_groups(template))
    logical_id = next((lid for lid, g in functions.items() if g == group), None)
    assert logical_id is not None, f"no HttpApi function of template.yaml has CodeUri functions/{group}/"
    expected = Counter((m, shape(p)) for fn, m, p in template_routes(template) if fn == logical_id)
    actual = Counter((m, shape(p)) for m, p in handler_routes(group))
    assert not [k for k, n in actual.items() if n > 1], f"functions/{group}: a route is declared twice"
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    assert not missing, f"template routes of {logical_id} without a handler route: {missing}"
    assert not extra, f"handler routes of functions/{group} that template.yaml does not route: {extra}"


def test_every_http_function_is_covered(template: dict[str, Any]) -> None:
    """The parametrisation above names every function that has HttpApi events."""
    assert sorted(g for _, g in http_groups(template)) == sorted(HTTP_GROUPS)


@pytest.mark.parametrize("group", sorted(set(FUNCTIONS.values()) - set(HTTP_GROUPS)))
def test_event_driven_functions_serve_no_routes(group: str) -> None:
    app = getattr(load_function(group), "app", None)
    assert app is None or not [r for r in app.routes if str(getattr(r, "path", "")).startswith("/")]
