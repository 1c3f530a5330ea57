"""/v1/slots and /v1/slots/check: every validation rule in its documented order, 404s, scopes."""

from __future__ import annotations

from fortytwo.domain import clock
from fortytwo.services import event_types

from .conftest import DEFAULT_NOW, starts

OK_WINDOW = [("start", "2026-05-20T00:00:00Z"), ("end", "2026-05-21T00:00:00Z")]
UNKNOWN_ID = "019d48ea-2e00-7f28-9fb1-000000000000"


def _error(invoke, acme, path: str, query: list[tuple[str, str]], headers=None):
    r = invoke("slots", "GET", path, headers=headers or acme.headers, query=query)
    return r.status, r.json()


def test_slots_query_rules_in_order(invoke, acme, freeze):
    freeze(DEFAULT_NOW)
    et = acme.et("intro")
    cases: list[tuple[list[tuple[str, str]], str]] = [
        ([("event_type_id", "nope"), ("start", "bad")], "event_type_id"),
        ([("event_type_id", et), ("event_type_id", et), *OK_WINDOW], "event_type_id"),
        (OK_WINDOW, "event_type_id"),
        ([("username", "ada"), *OK_WINDOW], "event_slug"),
        ([("event_slug", "intro-call"), ("start", "bad")], "username"),
        ([("event_type_id", et), ("end", "2026-05-21T00:00:00Z")], "start"),
        ([("event_type_id", et), ("start", "2026-05-20"), ("end", "x")], "start"),
        ([("event_type_id", et), ("start", "2026-05-20T00:00"), ("end", "x")], "start"),
        ([("event_type_id", et), ("start", "2026-05-20T00:00:00"), ("end", "x")], "end"),  # naive is valid
        # a naive start is read in `timezone`: when that is invalid, it is the error
        ([("event_type_id", et), ("start", "2026-05-20T00:00:00"), ("timezone", "Mars/Base")], "timezone"),
        ([("event_type_id", et), ("start", "2026-05-20 00:00:00Z")], "start"),
        ([("event_type_id", et), ("start", "2026-05-20T00:00:00Z")], "end"),
        ([("event_type_id", et), ("start", "2026-05-20T00:00:00Z"), ("end", "2026-05-21T24:00:00Z")], "end"),
        (
            [
                ("event_type_id", et),
                ("start", "2026-05-20T00:00:00Z"),
                ("end", "2026-05-20T00:00:00Z"),
                ("timezone", "Mars/Base"),
            ],
            "end",
        ),
        (
            [("event_type_id", et), ("start", "2026-05-20T00:00:00Z"), ("end", "2026-06-20T00:00:00.001Z")],
            "end",
        ),
        ([("event_type_id", et), *OK_WINDOW, ("timezone", "europe/london")], "timezone"),
        ([("event_type_id", et), *OK_WINDOW, ("timezone", "Europe/London"), ("timezone", "UTC")], "timezone"),
        ([("event_type_id", et), *OK_WINDOW, ("start", "2026-05-20T00:00:00Z")], "start"),
    ]
    for query, param in cases:
        status, body = _error(invoke, acme, "/v1/slots", query)
        assert status == 400, (query, body)
        assert body["error"]["code"] == "invalid_query_param", query
        assert body["error"]["details"] == {"param": param}, (query, body)
    # Exactly 31 days is allowed; `+` decoded to a space still reads as a positive offset.
    ok = invoke(
        "slots",
        "GET",
        "/v1/slots",
        headers=acme.headers,
        query=f"event_type_id={et}&start=2026-05-20T01:00:00+01:00&end=2026-06-20T00:00:00Z",
    )
    assert ok.status == 200, ok.text
    assert ok.json()["data"]["slots"][0]["start"] == "2026-05-20T08:00:00.000Z"
    for key in ("intro", "demo"):  # a window in the past is valid and lists nothing
        past = invoke(
            "slots",
            "GET",
            "/v1/slots",
            headers=acme.headers,
            query={
                "event_type_id": acme.et(key),
                "start": "2020-01-06T00:00:00Z",
                "end": "2020-02-06T00:00:00Z",
            },
        )
        assert past.status == 200 and past.json()["data"]["slots"] == []


def test_slots_identification_and_not_found(invoke, acme, freeze):
    freeze(DEFAULT_NOW)
    by_name = invoke(
        "slots",
        "GET",
        "/v1/slots",
        headers=acme.headers,
        query=[("username", "ADA"), ("event_slug", "Intro-Call"), *OK_WINDOW],
    )
    by_id = invoke(
        "slots",
        "GET",
        "/v1/slots",
        headers=acme.headers,
        query=[("event_type_id", acme.et("intro").upper()), ("username", "x"), *OK_WINDOW],
    )
    assert by_name.status == by_id.status == 200
    assert starts(by_name.json()) == starts(by_id.json()) and len(starts(by_id.json())) == 14
    assert by_id.json()["data"]["event_type_id"] == acme.et("intro")
    for query in (
        [("event_type_id", UNKNOWN_ID), *OK_WINDOW],
        [("username", "ada"), ("event_slug", "nope"), *OK_WINDOW],
        [("username", "nobody"), ("event_slug", "intro-call"), *OK_WINDOW],
        [("username", "sales"), ("event_slug", "sales-demo"), *OK_WINDOW],  # team-owned: never by username
        [("username", "a" * 300), ("event_slug", "b" * 300), *OK_WINDOW],
    ):
        status, body = _error(invoke, acme, "/v1/slots", query)
        assert status == 404 and body["error"]["code"] == "event_type_not_found", query
        status, body = _error(invoke, acme, "/v1/slots/check", [*query[:-1]])
        assert status == 404 and body["error"]["code"] == "event_type_not_found", query


def test_slots_of_a_deleted_or_foreign_event_type_are_404(invoke, acme, freeze):
    from .conftest import acme_seed, make_seed

    freeze(DEFAULT_NOW)
    doc = acme_seed()
    doc["organization"] = {"name": "Other"}
    for user in doc["users"]:
        user["username"] = "other-" + user["username"]
        user["email"] = "other-" + user["email"]
    doc["teams"][0]["members"] = ["other-ada", "other-grace"]
    for item in doc["event_types"]:
        if "owner" in item:
            item["owner"] = "other-" + item["owner"]
    doc["pats"] = [{"key": "full", "user": "other-ada", "name": "x", "scopes": ["slots:read"]}]
    other = make_seed(doc)
    status, body = _error(invoke, acme, "/v1/slots", [("event_type_id", other.et("intro")), *OK_WINDOW])
    assert status == 404 and body["error"]["code"] == "event_type_not_found"
    status, body = _error(
        invoke, acme, "/v1/slots", [("username", "other-ada"), ("event_slug", "intro-call"), *OK_WINDOW]
    )
    assert status == 404
    record = event_types.get(acme.result["organization_id"], acme.et("intro"), consistent=True)
    event_types.delete(record, clock.now(), "https://42min.test")
    status, body = _error(invoke, acme, "/v1/slots", [("event_type_id", acme.et("intro")), *OK_WINDOW])
    assert status == 404 and body["error"]["code"] == "event_type_not_found"


def test_check_query_rules_in_order(invoke, acme, freeze):
    freeze(DEFAULT_NOW)
    et = acme.et("intro")
    cases: list[tuple[list[tuple[str, str]], str]] = [
        ([("event_type_id", "x"), ("start", "bad")], "event_type_id"),
        ([("start", "2026-05-20T09:00:00Z")], "event_type_id"),
        ([("username", "ada"), ("start", "2026-05-20T09:00:00Z")], "event_slug"),
        ([("event_type_id", et)], "start"),
        ([("event_type_id", et), ("start", "tomorrow")], "start"),
        (
            [("event_type_id", et), ("start", "2026-05-20T09:00:00Z"), ("end", "soon"), ("timezone", "x")],
            "end",
        ),
        ([("event_type_id", et), ("start", "2026-05-20T09:00:00Z"), ("end", "2026-05-20T09:00:00Z")], "end"),
        ([("event_type_id", et), ("start", "2026-05-20T09:00:00Z"), ("end", "2026-05-20T08:00:00Z")], "end"),
        (
            [("event_type_id", et), ("start", "2026-05-20T09:00:00Z"), ("timezone", "Nowhere/City")],
            "timezone",
        ),
    ]
    for query, param in cases:
        status, body = _error(invoke, acme, "/v1/slots/check", query)
        assert status == 400 and body["error"]["details"] == {"param": param}, (query, body)
    # An hour-long window check is valid input (it answers slot_busy: bookings last 30 minutes).
    r = invoke(
        "slots",
        "GET",
        "/v1/slots/check",
        headers=acme.headers,
        query=[
            ("event_type_id", et),
            ("start", "2026-05-20T09:00:00Z"),
            ("end", "2026-05-20T10:00:00Z"),
            ("timezone", "Asia/Tokyo"),
        ],
    )
    assert r.status == 200 and r.json()["data"]["reason"] == "slot_busy"
    assert r.json()["data"]["next_available"] == "2026-05-20T09:30:00.000Z"


def test_slots_auth_scope_and_headers(invoke, acme, freeze):
    freeze(DEFAULT_NOW)
    query = [("event_type_id", acme.et("intro")), *OK_WINDOW]
    r = invoke("slots", "GET", "/v1/slots", query=query)
    assert (
        r.status == 401 and r.json()["error"]["code"] == "invalid_token" and "www-authenticate" in r.headers
    )
    narrow = {"Authorization": f"Bearer {acme.result['pats']['narrow']['token']}"}
    for path in ("/v1/slots", "/v1/slots/check"):
        r = invoke("slots", "GET", path, headers=narrow, query=[("event_type_id", "bad")])
        assert r.status == 403 and r.json()["error"]["details"] == {"required_scope": "slots:read"}
    r = invoke("slots", "GET", "/v1/slots", headers=acme.headers, query=query)
    assert r.headers["x-request-id"] == r.json()["meta"]["request_id"]
    assert r.headers["cache-control"] == "no-store" and "x-ratelimit-remaining" in r.headers


def test_naive_instants_are_wall_clock_time_in_the_timezone_parameter(invoke, acme, freeze):
    """00-conventions §7.2: n8n's date picker sends `2026-05-20T02:00:00`; the request's `timezone`
    places it, else UTC."""
    freeze(DEFAULT_NOW)
    et = acme.et("intro")

    def slots(query: list[tuple[str, str]]) -> list[str]:
        r = invoke("slots", "GET", "/v1/slots", headers=acme.headers, query=[("event_type_id", et), *query])
        assert r.status == 200, r.text
        return starts(r.json())

    utc_window = slots([("start", "2026-05-20T00:00:00Z"), ("end", "2026-05-21T00:00:00Z")])
    assert slots([("start", "2026-05-20T00:00:00"), ("end", "2026-05-21T00:00:00.000")]) == utc_window
    tokyo = [("start", "2026-05-20T09:00:00"), ("end", "2026-05-21T09:00:00"), ("timezone", "Asia/Tokyo")]
    assert slots(tokyo) == utc_window  # 09:00 in Tokyo is 00:00Z
    assert slots([("start", "2026-05-20T09:00:00"), ("end", "2026-05-21T09:00:00")]) != utc_window

    def check(start: str, zone: str | None) -> dict:
        query = [("event_type_id", et), ("start", start), *([("timezone", zone)] if zone else [])]
        r = invoke("slots", "GET", "/v1/slots/check", headers=acme.headers, query=query)
        assert r.status == 200, r.text
        return r.json()["data"]

    assert check("2026-05-20T09:00:00Z", None) == check("2026-05-20T18:00:00", "Asia/Tokyo")
    assert check("2026-05-20T09:00:00", None) == check("2026-05-20T09:00:00Z", None)
    # every other malformed form stays 400, whatever the timezone
    for bad in ("2026-05-20", "2026-05-20 09:00:00", "2026-05-20T09:00", "2026-05-20T24:00:00"):
        status, body = _error(
            invoke, acme, "/v1/slots/check", [("event_type_id", et), ("start", bad), ("timezone", "UTC")]
        )
        assert status == 400 and body["error"]["details"] == {"param": "start"}, bad
