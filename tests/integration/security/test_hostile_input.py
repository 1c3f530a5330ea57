"""Hostile input through the real handlers (issue 12, defects 2–5): never a 5xx, always the error
envelope, and an error changes nothing in the table.

Bodies are a valid request of each write endpoint with one value (or the whole body) replaced by
generated hostile JSON text: deep nesting, lone surrogates, numbers DynamoDB cannot store,
calendar-edge instants, NUL characters and wrong types. Query strings of the read endpoints that
take instants get calendar-edge values.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fortytwo.store import dynamo

from .conftest import Org, Tenants

SETTINGS = settings(
    max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
HOLE = "__HOSTILE__"

EDGE_INSTANTS = (
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",  # year 0 in UTC
    "0001-01-01T23:59:59+23:59",
    "0001-01-02T00:00:00+00:00",
    "9999-12-31T23:59:59.999Z",
    "9999-12-31T23:59:59-01:00",  # year 10000 in UTC
    "9999-12-31T00:00:00Z",
    "9999-12-30T23:30:00Z",
    "9999-12-01T00:00:00-23:59",
    "2026-02-29T10:00:00Z",
    "2028-02-29T10:00:00Z",
    "2026-05-20T24:00:00Z",
    "2026-05-20T10:00:60Z",
    "1970-01-01T00:00:00Z",
    "2026-05-20T10:00:00.999999999+14:00",
    "2026-05-20T10:00:00",
    "99999-01-01T00:00:00Z",
)
NUMBERS = (
    "1e200",
    "-1e200",
    "1e-200",
    "1e400",
    "-1e400",
    "1e126",
    "1e-131",
    "123456789012345678901234567890123456789",
    "1" + "0" * 5000,
    "0." + "0" * 300 + "1",
    "-0",
    "5e-324",
)
STRINGS = (
    '"\\ud800"',
    '"a\\udfffb"',
    '"\\ud83d"',
    '"\\u0000"',
    '"a\\u0000b@example.com"',
    '"x\\u0000"',
    '""',
    '" "',
    json.dumps("x" * 5000),
)
WRONG_TYPES = ("[]", "{}", "0", "true", "null", '{"\\ud800":1}', '{"":1}', '[{"a":[1e300]}]')


def _deep(levels: int, kind: str) -> str:
    if kind == "array":
        return "[" * levels + "]" * levels
    return '{"a":' * levels + "1" + "}" * levels


hostile_text = st.one_of(
    st.builds(_deep, st.integers(65, 3000), st.sampled_from(("array", "object"))),
    st.sampled_from([json.dumps(t) for t in EDGE_INSTANTS]),
    st.sampled_from(NUMBERS),
    st.sampled_from(STRINGS),
    st.sampled_from(WRONG_TYPES),
    st.text(max_size=20).map(lambda t: json.dumps(t, ensure_ascii=True)),
    st.floats().map(lambda f: json.dumps(f)),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a body a value can be swapped: members, items, and new members of objects."""
    found: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        found.append((*prefix, "extra"))
        for key, child in value.items():
            found.append((*prefix, key))
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for n, child in enumerate(value):
            found.append((*prefix, n))
            found += _paths(child, (*prefix, n))
    return found


def _with_hole(body: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    copy = json.loads(json.dumps(body))
    target: Any = copy
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = HOLE
    return copy


@st.composite
def hostile_bodies(draw: st.DrawFn, valid: dict[str, Any]) -> bytes:
    text = draw(hostile_text)
    if draw(st.integers(0, 9)) == 0:
        return text.encode()  # the whole body
    path = draw(st.sampled_from(_paths(valid)))
    return json.dumps(_with_hole(valid, path)).replace(json.dumps(HOLE), text).encode()


def _table() -> dict[tuple[str, str], Any]:
    """Every item but rate-limit counters (every request counts, by design).

    Read from moto's backend: a Scan through botocore takes over a second for a few hundred items,
    which would make each example slow; this takes milliseconds.
    """
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][os.environ["AWS_REGION"]].get_table(dynamo.table_name())
    return {
        (item.hash_key.value, item.range_key.value): item.to_json()
        for item in table.all_items()
        if not str(item.hash_key.value).startswith("RL#")
    }


def _send(org: Org, group: str, method: str, path: str, body: bytes, **headers: str) -> Any:
    all_headers = {"content-type": "application/json", **headers}
    if group != "oauth":
        all_headers["authorization"] = f"Bearer {org.token}"
    return org.api.invoke(group, method, path, headers=all_headers, body=body)


def _assert_refused_cleanly(response: Any, before: dict[tuple[str, str], Any], *, raw: bool = False) -> None:
    assert response.status < 500, response.text
    if response.status < 400:
        return
    body = response.json()
    if raw:  # OAuth's RFC bodies (00-conventions §5.4)
        assert set(body) == {"error", "error_description"}, body
    else:
        error = body["error"]
        assert set(error) == {"code", "message", "details", "request_id"}, body
        assert isinstance(error["details"], dict)
        assert error["request_id"] == response.headers["x-request-id"]
    assert _table() == before, "an error changed the table"


def _endpoints(org: Org) -> list[tuple[str, str, str, dict[str, Any], dict[str, str]]]:
    """(group, method, path, a valid body, extra headers) of every JSON write endpoint."""
    api = org.api
    uid = next(uid for uid, b in org.bookings.items() if b["status"] == "confirmed")
    webhook = org.webhooks[0]
    create = api.create_body(
        "survey",
        api.at(api.fresh_day(), "10:00"),
        responses={"company": "X", "size": 3, "terms": True},
        metadata={"crm": {"deal": [1, 2.5, "x"]}},
        guests=["g@example.com"],
        timezone="Europe/Berlin",
    )
    create["attendee"].update(name="Zoë", phone="+49 30 1234567", timezone="Europe/Berlin")
    return [
        ("bookings", "POST", "/v1/bookings", create, {"idempotency-key": "auto"}),
        (
            "bookings",
            "PATCH",
            f"/v1/bookings/{uid}",
            {"metadata": {"a": 1, "b": [True]}, "attendee_name": "New", "responses": {"size": 2}},
            {"idempotency-key": "auto", "if-match": "*"},
        ),
        ("bookings", "POST", f"/v1/bookings/{uid}/cancel", {"reason": "r"}, {"idempotency-key": "auto"}),
        (
            "bookings",
            "POST",
            f"/v1/bookings/{uid}/reschedule",
            {"start": api.at(api.fresh_day(), "15:00"), "timezone": "UTC", "reason": "r"},
            {"idempotency-key": "auto"},
        ),
        (
            "webhooks",
            "POST",
            "/v1/webhooks",
            {"url": "https://hooks.example.com/new", "events": ["booking_created"], "description": "d"},
            {},
        ),
        (
            "webhooks",
            "PATCH",
            f"/v1/webhooks/{webhook}",
            {"url": "https://hooks.example.com/moved", "events": ["booking_canceled"], "status": "active"},
            {},
        ),
        (
            "oauth",
            "POST",
            "/v1/oauth/register",
            {
                "redirect_uris": ["https://app.example.com/cb"],
                "client_name": "App",
                "grant_types": ["authorization_code"],
                "token_endpoint_auth_method": "none",
                "response_types": ["code"],
            },
            {},
        ),
    ]


ENDPOINT_NAMES = ("create", "patch", "cancel", "reschedule", "webhook create", "webhook patch", "register")


@pytest.mark.parametrize("index", range(len(ENDPOINT_NAMES)), ids=ENDPOINT_NAMES)
def test_hostile_bodies_never_5xx_and_change_nothing(tenants: Tenants, index: int) -> None:
    org = tenants.a
    group, method, path, valid, headers = _endpoints(org)[index]
    counter = iter(range(1_000_000))

    @SETTINGS
    @given(hostile_bodies(valid))
    def check(body: bytes) -> None:
        extra = {k: (f"hostile-{index}-{next(counter)}" if v == "auto" else v) for k, v in headers.items()}
        before = _table()
        response = _send(org, group, method, path, body, **extra)
        _assert_refused_cleanly(response, before, raw=group == "oauth")

    check()


# --------------------------------------------------------------------------- explicit regressions


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ('{"a":' + "[" * 1500 + "]" * 1500 + "}", "invalid_request"),  # defect 2: RecursionError
        ('{"event_type_id":"\\ud800"}', "invalid_request"),  # defect 3: UnicodeEncodeError
        ('{"metadata":{"n":1e200}}', "validation_error"),  # defect 5: 503 slot_lock_timeout
    ],
)
def test_booking_create_regressions(tenants: Tenants, body: str, code: str) -> None:
    org = tenants.a
    create = org.api.create_body("intro", org.api.at(org.api.fresh_day(), "10:00"))
    text = body if not body.startswith('{"metadata"') else json.dumps({**create, "metadata": {"n": "X"}})
    text = text.replace('"X"', "1e200")
    before = _table()
    response = _send(org, "bookings", "POST", "/v1/bookings", text.encode(), **{"idempotency-key": body[:30]})
    assert response.status == 400, response.text
    assert response.json()["error"]["code"] == code
    if code == "validation_error":
        assert response.json()["error"]["details"]["fields"][0]["field"] == "metadata.n"
    assert _table() == before


@pytest.mark.parametrize(
    "body",
    [
        '{"redirect_uris":["https://a.example.com/cb"],"x":' + "[" * 1500 + "]" * 1500 + "}",
        '{"redirect_uris":["https://a.example.com/cb"],"client_name":"\\udc00"}',
    ],
)
def test_register_regressions(tenants: Tenants, body: str) -> None:
    """Unauthenticated: deep nesting and lone surrogates used to answer 500."""
    before = _table()
    response = _send(tenants.a, "oauth", "POST", "/v1/oauth/register", body.encode())
    assert response.status == 400, response.text
    assert response.json()["error"] == "invalid_client_metadata"
    assert _table() == before


def test_webhook_create_with_a_surrogate_is_refused(tenants: Tenants) -> None:
    before = _table()
    body = b'{"url":"https://hooks.example.com/s","events":["booking_created"],"description":"\\ud800"}'
    response = _send(tenants.a, "webhooks", "POST", "/v1/webhooks", body)
    assert response.status == 400 and response.json()["error"]["code"] == "invalid_request", response.text
    assert _table() == before


# --------------------------------------------------------------------------- calendar edges in queries


def _get(org: Org, group: str, path: str, query: dict[str, str]) -> Any:
    return org.api.invoke(group, "GET", path, headers={"authorization": f"Bearer {org.token}"}, query=query)


@st.composite
def edge_queries(draw: st.DrawFn, org: Org) -> tuple[str, str, dict[str, str]]:
    edge = st.sampled_from(EDGE_INSTANTS)
    et = org.seed["event_types"][draw(st.sampled_from(("intro", "limited", "sales-demo", "workshop")))]
    kind = draw(st.sampled_from(("slots", "check", "bookings")))
    if kind == "bookings":
        names = draw(
            st.lists(st.sampled_from(("start_date", "end_date", "updated_since")), min_size=1, unique=True)
        )
        query = {name: draw(edge) for name in names}
        query["sort"] = draw(st.sampled_from(("start_at_asc", "created_at_desc", "updated_at_asc")))
        return "bookings", "/v1/bookings", query
    query = {"event_type_id": et, "start": draw(edge)}
    if kind == "slots" or draw(st.booleans()):
        query["end"] = draw(edge)
    if draw(st.booleans()):
        query["timezone"] = draw(st.sampled_from(("Pacific/Kiritimati", "Etc/GMT+12", "UTC")))
    return "slots", "/v1/slots" if kind == "slots" else "/v1/slots/check", query


def test_calendar_edges_in_queries_never_5xx(tenants: Tenants) -> None:
    org = tenants.a

    @SETTINGS
    @given(edge_queries(org))
    def check(case: tuple[str, str, dict[str, str]]) -> None:
        group, path, query = case
        response = _get(org, group, path, query)
        assert response.status < 500, (query, response.text)
        if response.status >= 400:
            assert response.json()["error"]["code"] == "invalid_query_param", response.text

    check()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("9999-12-31T00:00:00Z", "9999-12-31T23:59:59.999Z"),
        ("9999-12-01T00:00:00Z", "9999-12-31T23:00:00Z"),
        ("0001-01-01T00:00:00Z", "0001-01-31T00:00:00Z"),
    ],
)
def test_slot_windows_at_the_calendar_edges_are_empty(tenants: Tenants, start: str, end: str) -> None:
    """Used to raise OverflowError in the ledger window (500): no start there can be booked."""
    org = tenants.a
    for et in ("intro", "limited", "sales-demo"):
        query = {
            "event_type_id": org.seed["event_types"][et],
            "start": start,
            "end": end,
            "timezone": "Etc/GMT+12",
        }
        response = _get(org, "slots", "/v1/slots", query)
        assert response.status == 200, response.text
        assert response.json()["data"]["slots"] == []


@pytest.mark.parametrize(
    "start", ["9999-12-31T23:30:00Z", "9999-12-31T23:59:59.999Z", "0001-01-01T00:00:00Z"]
)
def test_booking_at_the_calendar_edges_is_refused_not_crashed(tenants: Tenants, start: str) -> None:
    org = tenants.a
    uid = next(uid for uid, b in org.bookings.items() if b["status"] == "confirmed")
    before = _table()
    for path, body in (
        ("/v1/bookings", org.api.create_body("intro", start)),
        (f"/v1/bookings/{uid}/reschedule", {"start": start}),
    ):
        response = _send(
            org, "bookings", "POST", path, json.dumps(body).encode(), **{"idempotency-key": path + start}
        )
        assert response.status in (400, 409, 422), response.text
    assert _table() == before


def test_an_empty_member_name_in_metadata_is_refused_and_the_booking_stays_readable(tenants: Tenants) -> None:
    """Found by the fuzz above: moto stored `{"": 1}` inside metadata (DynamoDB refuses it), after
    which every read of the booking answered 500."""
    org = tenants.a
    uid = next(uid for uid, b in org.bookings.items() if b["status"] == "confirmed")
    before = _table()
    response = _send(
        org,
        "bookings",
        "PATCH",
        f"/v1/bookings/{uid}",
        b'{"metadata": {"a": {"": 1}}}',
        **{"idempotency-key": "empty-member-name", "if-match": "*"},
    )
    assert response.status == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"]["fields"][0]["field"].startswith("metadata")
    assert _table() == before
    assert org.get("bookings", f"/v1/bookings/{uid}").status == 200
