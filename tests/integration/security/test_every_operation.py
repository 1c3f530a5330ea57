"""Every operation of the API with hostile input, through the real handlers (issue 12, "no 5xx is
reachable from request input anywhere").

The operations are read from the generated OpenAPI document (docs/openapi.json) and matched to
their function through template.yaml, so an operation added later is fuzzed without editing this
file. Each request fills every path parameter, some query parameters, the headers the operation
declares and (where it takes one) the body with generated values: the caller's own ids (to get
deep into the handler), the other organization's ids, malformed ids, calendar-edge instants,
numbers DynamoDB cannot store, lone surrogates, NUL, deep nesting, very long text. Asserted for
every answer:

- never a 5xx;
- an error has the contract's envelope (RFC bodies on the OAuth endpoints, JSON-RPC on /mcp);
- an error changes nothing in the table;
- no answer carries an identifier of the other organization that the request did not send.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fortytwo_local.devstack.template import load_template
from tests.conftest import Invoker, Response

from .conftest import Org, Tenants
from .test_hostile_input import EDGE_INSTANTS, NUMBERS, STRINGS, WRONG_TYPES, _deep, _table

ROOT = Path(__file__).resolve().parents[3]
SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
METHODS = ("get", "post", "patch", "put", "delete")
RAW_ERROR_PATHS = ("/v1/oauth/",)  # RFC 6749/7591 bodies (00-conventions §5.4)
HTML_ERROR_PATHS = ("/v1/oauth/authorize",)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # OpenAPI template, e.g. /v1/bookings/{uid}
    group: str  # functions/<group>
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]
    header_params: tuple[str, ...]
    body: str | None  # content type of the request body

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


def _route_pattern(path: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", path)
    regex = "".join(
        (".+" if p.endswith("+}") else "[^/]+") if p.startswith("{") else re.escape(p) for p in parts
    )
    return re.compile(f"^{regex}$")


def _groups() -> list[tuple[str | None, re.Pattern[str] | None, str]]:
    """(method, path pattern, group) of every HTTP route of the template; None: any / $default."""
    template = load_template(ROOT / "template.yaml")
    found = []
    for fn in template.functions.values():
        for route in fn.http_routes:
            method = None if route.method in (None, "ANY") else route.method
            pattern = None if route.path is None else _route_pattern(route.path)
            found.append((method, pattern, fn.code_dir.name))
    return found


def _group_for(method: str, example_path: str, routes: list[Any]) -> str:
    for wanted_method, pattern, group in routes:
        if pattern is not None and pattern.match(example_path) and wanted_method in (None, method):
            return str(group)
    return str(next(group for _, pattern, group in routes if pattern is None))


def _operations() -> list[Operation]:
    document = json.loads((ROOT / "docs" / "openapi.json").read_text())
    shared = document.get("components", {}).get("parameters", {})
    routes = _groups()
    found = []
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            params = [
                shared[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in op.get("parameters", [])
            ]
            by = {
                where: tuple(p["name"] for p in params if p["in"] == where)
                for where in ("path", "query", "header")
            }
            content = list(op.get("requestBody", {}).get("content", {}))
            example = re.sub(r"\{[^}]+\}", "x", path)
            found.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    group=_group_for(method.upper(), example, routes),
                    path_params=by["path"],
                    query_params=by["query"],
                    header_params=by["header"],
                    body=content[0] if content else None,
                )
            )
    return found


OPERATIONS = _operations()


# --------------------------------------------------------------------------- what the two orgs own


@dataclass
class Ids:
    """Identifiers of one organization, by kind, and every string that identifies its data."""

    by_kind: dict[str, list[str]]
    secrets: set[str]  # what must never appear in the other organization's answers

    def pool(self) -> list[str]:
        return [value for values in self.by_kind.values() for value in values]


def _series(org: Org) -> list[str]:
    from tests.unit.series.test_series_examples import CREATE

    host = next(uid for name, uid in org.seed["users"].items() if name.endswith("ada"))
    body = {
        **CREATE,
        "event_type_id": org.seed["event_types"]["intro"],
        "host_user_id": host,
        "starts_on": org.api.fresh_day(),
        "count": 2,
    }
    headers = {
        "authorization": f"Bearer {org.seed['pats']['series']['token']}",
        "idempotency-key": f"series-{host}",
    }
    made = org.api.invoke("series", "POST", "/v1/series", headers=headers, body=body)
    assert made.status == 201, made.text
    return [made.json()["data"]["uid"]]


def _ids(org: Org, series: list[str]) -> Ids:
    users = org.seed["users"]
    by_kind = {
        "booking": list(org.bookings),
        "user": list(users.values()),
        "username": list(users),
        "event_type": list(org.seed["event_types"].values()),
        "webhook": list(org.webhooks),
        "delivery": [d for ds in org.deliveries.values() for d in ds],
        "series": series,
        "slug": sorted({str(b["event_type_slug"]) for b in org.bookings.values()}),
        "email": sorted({a["email"] for b in org.bookings.values() for a in b["attendees"]}),
    }
    hosts = {b["host"]["email"] for b in org.bookings.values()}
    secrets = {v for k, vs in by_kind.items() if k not in ("username", "slug", "email") for v in vs} | hosts
    # The shared attendee address is in both organizations by design (conftest): not a leak marker.
    return Ids(by_kind, secrets | set(by_kind["email"]))


@dataclass
class World:
    tenants: Tenants
    own: Ids
    foreign: Ids


@pytest.fixture(scope="module")
def world(tenants: Tenants) -> Iterator[World]:
    own = _ids(tenants.a, _series(tenants.a))
    foreign = _ids(tenants.b, _series(tenants.b))
    # Attendee addresses are shared by both seeds: only what is the other's alone marks a leak.
    foreign.secrets -= set(own.pool()) | own.secrets
    yield World(tenants, own, foreign)


# --------------------------------------------------------------------------- generated values

MALFORMED = (
    "",
    " ",
    "x",
    "..",
    "%2F",
    "a/b",
    "a%2Fcancel",
    "\x00",
    "%00",
    "é",
    "\ud800",
    "0" * 2000,
    "00000000-0000-0000-0000-000000000000",
    "bk_",
    "whd_" + "z" * 40,
    "-1",
    "1e400",
    "null",
    "[]",
    "*",
    '"',
)
TEXTS = (
    *EDGE_INSTANTS,
    *NUMBERS,
    *MALFORMED,
    "2026-05-20",
    "9999-12-31",
    "0001-01-01",
    "true",
    "false",
    "0",
    "101",
    "start_at_desc",
    "canceled",
    "cancelled",
    "Europe/Berlin",
    "Etc/GMT+12",
    "Mars/Olympus",
    "a@example.com",
    "A" * 600,
)


def _value(world: World, kind: str | None = None) -> st.SearchStrategy[str]:
    """Half the time an id of the right kind of the caller's own (to get past the lookups), else
    the other organization's ids, malformed values and generated text."""
    hostile = st.one_of(
        st.sampled_from(world.foreign.pool()),
        st.sampled_from(TEXTS),
        st.text(max_size=12),
    )
    own = world.own.by_kind.get(kind or "", []) or world.own.pool()
    return st.one_of(st.sampled_from(own), hostile)


# (path prefix, parameter) → the kind of id it names
PATH_KINDS = {
    ("/v1/bookings", "uid"): "booking",
    ("/v1/series", "uid"): "series",
    ("/v1/webhooks", "id"): "webhook",
    ("/v1/webhooks", "delivery_id"): "delivery",
    ("/v1/event-types", "idOrSlug"): "event_type",
    ("/v1/event-types", "username"): "username",
    ("/v1/event-types", "slug"): "slug",
}
QUERY_KINDS = {
    "event_type_id": "event_type",
    "host_user_id": "user",
    "host_user_ids": "user",
    "user_id": "user",
    "series_id": "series",
    "username": "username",
    "event_slug": "slug",
    "slug": "slug",
    "attendee_email": "email",
}


def _kind(op: Operation, name: str) -> str | None:
    return next(
        (
            kind
            for (prefix, param), kind in PATH_KINDS.items()
            if op.path.startswith(prefix) and param == name
        ),
        None,
    )


def _json_value(world: World) -> st.SearchStrategy[str]:
    """JSON text of one hostile value."""
    return st.one_of(
        _value(world).map(json.dumps),
        st.sampled_from(NUMBERS + STRINGS + WRONG_TYPES),
        st.builds(_deep, st.integers(65, 2000), st.sampled_from(("array", "object"))),
    )


@st.composite
def _json_body(draw: st.DrawFn, world: World) -> bytes:
    if draw(st.integers(0, 7)) == 0:
        return draw(_json_value(world)).encode()
    names = draw(
        st.lists(
            st.sampled_from(
                (
                    "event_type_id",
                    "start",
                    "end",
                    "timezone",
                    "attendee",
                    "metadata",
                    "guests",
                    "responses",
                    "reason",
                    "url",
                    "events",
                    "status",
                    "description",
                    "host_user_id",
                    "frequency",
                    "weekdays",
                    "time",
                    "starts_on",
                    "count",
                    "until",
                    "redirect_uris",
                    "client_name",
                    "jsonrpc",
                    "method",
                    "params",
                    "id",
                    "name",
                    "email",
                )
            ),
            max_size=6,
            unique=True,
        )
    )
    members = [f"{json.dumps(n)}:{draw(_json_value(world))}" for n in names]
    return ("{" + ",".join(members) + "}").encode()


@st.composite
def _form_body(draw: st.DrawFn, world: World) -> bytes:
    names = (
        "grant_type",
        "code",
        "redirect_uri",
        "client_id",
        "client_secret",
        "code_verifier",
        "refresh_token",
        "token",
        "scope",
        "resource",
        "state",
        "decision",
        "csrf",
    )
    pairs = draw(st.lists(st.tuples(st.sampled_from(names), _value(world)), max_size=6))
    raw = "&".join(f"{n}={quote(v, safe='')}" if "\ud800" not in v else f"{n}=%ED%A0%80" for n, v in pairs)
    if draw(st.booleans()):
        raw += draw(st.sampled_from(("&%FF=1", "&a=%FF%FE", "&&=", "&x", "&grant_type=a&grant_type=b")))
    return raw.encode()


@st.composite
def requests_of(draw: st.DrawFn, op: Operation, world: World) -> dict[str, Any]:
    path = op.path
    for name in op.path_params:
        value = draw(_value(world, _kind(op, name)))
        path = path.replace("{" + name + "}", quote(value, safe="") if "\ud800" not in value else "%ED%A0%80")
    query = (
        {
            name: draw(_value(world))
            for name in draw(st.lists(st.sampled_from(op.query_params), unique=True))
            if op.query_params
        }
        if op.query_params
        else {}
    )
    query = {k: v for k, v in query.items() if "\ud800" not in v}
    headers = {}
    for name in op.header_params:
        if draw(st.integers(0, 3)):
            headers[name.lower()] = draw(
                st.sampled_from(("k-" + str(draw(st.integers(0, 10**9))), "*", '"0"', 'W/"1"', "x" * 300, ""))
            )
    body: bytes | None = None
    if op.body == "application/json":
        body = draw(_json_body(world))
    elif op.body:
        body = draw(_form_body(world))
    return {"path": path, "query": query, "headers": headers, "body": body}


# --------------------------------------------------------------------------- the check


def _token(op: Operation, org: Org) -> str:
    return str(org.seed["pats"]["series" if op.path.startswith("/v1/series") else "full"]["token"])


def _sent(request: dict[str, Any]) -> str:
    return unquote(json.dumps(request, default=lambda b: b.decode("utf-8", "replace")))


def _assert_answer(
    op: Operation, response: Response, request: dict[str, Any], world: World, before: Any
) -> None:
    assert response.status < 500, (op.name, request, response.text)
    sent = _sent(request)
    leaked = [s for s in world.foreign.secrets if s in response.text and s not in sent]
    assert not leaked, (op.name, request, leaked)
    if response.status < 400 or op.path == "/mcp":
        return  # /mcp answers JSON-RPC (50-mcp); its own tests check those bodies
    if response.status in (301, 302, 303, 307, 308):
        return
    if op.path in HTML_ERROR_PATHS and response.headers.get("content-type", "").startswith("text/html"):
        return  # the consent page's own error page: no redirect target can be trusted (10-auth §4)
    body = response.json()
    if any(op.path.startswith(p) for p in RAW_ERROR_PATHS) and "error_description" in body:
        assert isinstance(body["error"], str), body
    else:
        error = body["error"]
        assert {"code", "message", "details", "request_id"} <= set(error), body
    if op.method != "GET":
        assert _table() == before, (op.name, request, "an error changed the table")


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.name for op in OPERATIONS])
def test_every_operation_survives_hostile_input(world: World, op: Operation) -> None:
    org = world.tenants.a
    invoke = Invoker()

    @SETTINGS
    @given(requests_of(op, world))
    def check(request: dict[str, Any]) -> None:
        headers = {"authorization": f"Bearer {_token(op, org)}", **request["headers"]}
        if op.body:
            headers.setdefault("content-type", op.body)
        if op.path == "/mcp":
            headers["accept"] = "application/json, text/event-stream"
        before = _table() if op.method != "GET" else None
        response = invoke(
            op.group,
            op.method,
            request["path"],
            headers=headers,
            query=request["query"],
            body=request["body"],
        )
        _assert_answer(op, response, request, world, before)

    check()


def test_the_fuzz_reaches_every_function_that_serves_the_api() -> None:
    """The matcher found a function for every operation (a route renamed in the template would
    otherwise send every example to the catch-all and test nothing)."""
    groups = {op.group for op in OPERATIONS}
    assert {"bookings", "series", "webhooks", "slots", "event_types", "oauth", "meta", "mcp"} <= groups
    assert {op.group for op in OPERATIONS if op.path.startswith("/v1/series")} == {"series"}


# --------------------------------------------------------------------------- the MCP tools

TOOL_KINDS = {
    "event_type": "event_type",
    "event_type_id": "event_type",
    "uid": "booking",
    "user_id": "user",
    "host_user_id": "user",
    "host_user_ids": "user",
    "slug": "slug",
    "attendee_email": "email",
}


@st.composite
def tool_arguments(draw: st.DrawFn, names: list[str], world: World) -> bytes:
    """JSON text of an `arguments` object: some of the tool's own names, hostile values, and now
    and then a stray member or not an object at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(_json_value(world)).encode()
    chosen = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
    members = []
    for name in chosen:
        if name in TOOL_KINDS and draw(st.booleans()):
            members.append(f"{json.dumps(name)}:{json.dumps(draw(_value(world, TOOL_KINDS[name])))}")
        else:
            members.append(f"{json.dumps(name)}:{draw(_json_value(world))}")
    if draw(st.integers(0, 4)) == 0:
        members.append(f'"stray":{draw(_json_value(world))}')
    return ("{" + ",".join(members) + "}").encode()


def _tools() -> list[Any]:
    from fortytwo.mcp_server.catalogue import TOOLS

    return list(TOOLS)


@pytest.mark.parametrize("tool", _tools(), ids=lambda tool: tool.name)
def test_every_mcp_tool_survives_hostile_arguments(world: World, tool: Any) -> None:
    """A tool error is a result with `isError` (or a JSON-RPC error), never a 5xx, and changes
    nothing; no answer names the other organization's data."""
    org = world.tenants.a
    invoke = Invoker()
    names = list(tool.input_schema.get("properties", {}))
    ids = iter(range(1, 1_000_000))

    @SETTINGS
    @given(tool_arguments(names, world))
    def check(arguments: bytes) -> None:
        body = (
            (
                f'{{"jsonrpc":"2.0","id":{next(ids)},"method":"tools/call",'
                f'"params":{{"name":{json.dumps(tool.name)},"arguments":'
            ).encode()
            + arguments
            + b"}}"
        )
        headers = {
            "authorization": f"Bearer {org.seed['pats']['full']['token']}",
            "content-type": "application/json",
            "accept": "application/json, text/event-stream",
        }
        before = _table()
        response = invoke("mcp", "POST", "/mcp", headers=headers, body=body)
        request = {"arguments": arguments}
        assert response.status < 500, (tool.name, arguments, response.text)
        leaked = [s for s in world.foreign.secrets if s in response.text and s not in _sent(request)]
        assert not leaked, (tool.name, arguments, leaked)
        if response.status != 200:
            return
        answer = response.json()
        assert ("result" in answer) != ("error" in answer), answer
        if "error" in answer or answer["result"].get("isError"):
            assert _table() == before, (tool.name, arguments, "a refused call changed the table")

    check()
