"""`POST /v1/bookings` and `GET /v1/bookings/{uid}`: fields, derived values, every check in order."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import NOW, WEDNESDAY, Api, outbox_events


def test_create_returns_the_booking_with_etag(api: Api) -> None:
    day = api.fresh_day()
    body = api.create_body(
        start=api.at(day, "10:00"),
        timezone="Europe/Berlin",
        attendee={"email": " bob@example.com ", "name": "Bob Builder", "phone": "+49 30 1234567"},
        guests=["carol@example.com", "Bob@example.com", "CAROL@example.com"],
        metadata={"crm_deal_id": "D-4471"},
        responses={"company": "Builder & Co", "unknown_key": "dropped"},
        utm_source="newsletter",
    )
    response = api.call("POST", "/v1/bookings", body=body)
    assert response.status == 201, response.text
    assert response.headers["etag"] == '"1"'
    assert response.headers["content-type"] == "application/json"
    assert "idempotent-replayed" not in response.headers
    data = response.json()["data"]
    assert response.json()["meta"] == {"request_id": response.headers["x-request-id"]}
    assert data["version"] == 1 and data["status"] == "confirmed"
    assert (data["start_at"], data["end_at"]) == (f"{day}T10:00:00.000Z", f"{day}T10:30:00.000Z")
    assert data["timezone"] == "Europe/Berlin"
    assert data["host"] == {"user_id": api.user("ada"), "username": "ada", "email": "ada@example.com"}
    assert data["attendees"] == [
        {"email": "bob@example.com", "name": "Bob Builder", "timezone": "Europe/Berlin"}
    ]
    assert data["guests"] == [{"email": "carol@example.com", "name": ""}]
    assert data["location"] == {"type": "video", "url": None, "value": None}
    assert data["metadata"] == {"crm_deal_id": "D-4471"} and data["responses"] == {"company": "Builder & Co"}
    assert data["created_at"] == data["updated_at"] == "2026-05-18T08:00:00.000Z"
    assert api.get(data["uid"]) == data
    got = api.call("GET", f"/v1/bookings/{data['uid'].upper()}", headers=api.headers(key=None))
    assert got.headers["etag"] == '"1"' and got.json()["data"] == data

    [event] = [e for e in outbox_events() if e["data"]["booking"]["id"] == data["uid"]]
    assert event["event"] == "booking.created"
    assert event["createdAt"] == "2026-05-18T08:00:00.000Z" and event["apiVersion"] == "2026-04-01"
    webhook = event["data"]["booking"]
    assert list(event["data"]) == ["booking"]
    assert webhook["id"] == data["uid"] and webhook["eventTypeName"] == "Intro call"
    assert webhook["inviteePhone"] == "+49 30 1234567" and webhook["answers"] == {"Company": "Builder & Co"}
    assert webhook["answersById"] == {"q_company": "Builder & Co"}
    # metadata with the utm values merged over it (40-webhooks §6.3)
    assert webhook["urlParams"] == {"crm_deal_id": "D-4471", "utm_source": "newsletter"}
    assert webhook["location"] == "video"
    assert webhook["hostUser"] == {
        "id": api.user("ada"),
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "ada@example.com",
    }
    assert webhook["organizationId"] == api.seed["organization_id"]


def test_create_by_username_and_slug(api: Api) -> None:
    day = api.fresh_day()
    body = {
        "username": "ADA",
        "event_slug": "Intro-Call",
        "start": f"{day}T11:00:00+01:00",
        "attendee": {"email": "b@example.com", "timezone": "Asia/Tokyo"},
    }
    data = api.call("POST", "/v1/bookings", body=body).json()["data"]
    assert data["event_type_id"] == api.et("intro") and data["start_at"] == f"{day}T10:00:00.000Z"
    assert data["timezone"] == "Asia/Tokyo" and data["attendees"][0]["timezone"] == "Asia/Tokyo"


def test_defaults_pending_and_link_location(api: Api) -> None:
    day = api.fresh_day()
    data = api.create(
        "confirm",
        api.at(day, "10:00"),
        attendee={"email": "b@example.com", "first_name": "Bo", "last_name": "B"},
    )["data"]
    assert data["status"] == "pending" and data["timezone"] == "Europe/London"
    assert data["attendees"] == [{"email": "b@example.com", "name": "Bo B", "timezone": None}]
    assert data["metadata"] == {} and data["responses"] == {} and data["location"] is None
    survey = api.create("survey", api.at(day, "12:00"), responses={"company": "X", "size": 3, "terms": True})[
        "data"
    ]
    assert survey["location"] == {
        "type": "link",
        "url": "https://meet.example.com/linus",
        "value": "https://meet.example.com/linus",
    }
    assert survey["timezone"] == "UTC"


def _error(response) -> tuple[int, str, dict]:  # type: ignore[no-untyped-def]
    body = response.json()["error"]
    return response.status, body["code"], body["details"]


def test_check_order_headers_and_body(api: Api) -> None:
    post = "/v1/bookings"
    bad = api.create_body(start="nope")
    # 1. scope before everything else
    response = api.call(
        "POST",
        post,
        headers=api.headers("narrow"),
        body=b"{",
    )
    assert _error(response) == (403, "insufficient_scope", {"required_scope": "bookings:create"})
    # 2. the key before the body
    assert _error(api.call("POST", post, headers=api.headers(key=None), body=b"x" * 70000))[1] == (
        "missing_idempotency_key"
    )
    assert (
        _error(api.call("POST", post, headers=api.headers(key="  "), body=bad))[1]
        == "invalid_idempotency_key"
    )
    assert (
        _error(api.call("POST", post, headers=api.headers(key="é"), body=bad))[1] == "invalid_idempotency_key"
    )
    # 3. size, media type, JSON
    assert _error(api.call("POST", post, body=b"{" + b" " * 65536 + b"}"))[:2] == (413, "payload_too_large")
    raw = json.dumps(bad).encode()
    assert _error(api.call("POST", post, body=raw))[:2] == (415, "unsupported_media_type")
    text = {"content-type": "text/plain"}
    assert (
        _error(api.call("POST", post, headers={**api.headers(), **text}, body=raw))[1]
        == "unsupported_media_type"
    )
    json_type = {"content-type": "application/json; charset=UTF-8"}
    for broken in (b"", b"[1]", b"{", b'{"a":1,"a":2}', b"\xef\xbb\xbf{}"):
        assert _error(api.call("POST", post, headers={**api.headers(), **json_type}, body=broken))[:2] == (
            400,
            "invalid_request",
        )
    # 4. schema
    status, code, details = _error(api.call("POST", post, body=bad))
    assert (status, code) == (400, "validation_error")
    assert details["fields"] == [
        {"field": "start", "message": "must be an RFC 3339 date-time with a UTC offset"}
    ]


def test_check_order_endpoint_steps(api: Api) -> None:
    post = "/v1/bookings"
    unknown = "019d48ea-2e00-7f28-9fb1-000000000000"
    past = "2026-05-18T07:59:59.999Z"
    bad_attendee = {"email": "nope", "phone": "1", "sms_opt_in": True}

    def error(**body):  # type: ignore[no-untyped-def]
        return _error(api.call("POST", post, body={**api.create_body(), **body}))

    # 6 → 7 → 8 → 9 → 10 → 11, each failing only from its own step on
    assert error(event_type_id=unknown, start=past, attendee=bad_attendee)[:2] == (
        404,
        "event_type_not_found",
    )
    assert error(username="ada", event_slug="nope", event_type_id=None)[:2] == (404, "event_type_not_found")
    assert error(event_type_id=api.et("switched-off"), start=past)[:2] == (409, "event_type_inactive")
    assert error(start=past, attendee=bad_attendee)[:2] == (409, "slot_in_past")
    assert error(attendee=bad_attendee) == (422, "attendee_email_invalid", {})
    assert error(attendee={"email": "b@x.io", "phone": "12", "sms_opt_in": True}) == (
        422,
        "attendee_phone_invalid",
        {},
    )
    assert error(attendee={"email": "b@x.io", "sms_opt_in": True}) == (422, "attendee_phone_required", {})
    survey = api.et("survey")
    status, code, details = error(event_type_id=survey, responses={"size": "3", "terms": "y"})
    assert (status, code) == (400, "validation_error")
    assert [f["field"] for f in details["fields"]] == ["responses.size", "responses.terms"]
    assert error(event_type_id=survey, responses={"size": 3}, start=f"{WEDNESDAY}T03:00:00Z") == (
        422,
        "missing_required_responses",
        {"fields": ["company", "terms"]},
    )
    assert error(start=f"{WEDNESDAY}T10:15:00Z") == (409, "slot_unavailable", {"reason": "slot_busy"})
    assert error(start=f"{WEDNESDAY}T06:00:00Z") == (409, "slot_unavailable", {"reason": "slot_busy"})
    assert error(start="2027-06-01T10:00:00Z") == (
        409,
        "slot_unavailable",
        {"reason": "outside_future_limit"},
    )
    assert error(event_type_id=api.et("notice"), start=f"{WEDNESDAY[:-2]}18T10:00:00Z") == (
        409,
        "slot_unavailable",
        {"reason": "outside_minimum_notice"},
    )


def test_start_equal_to_now_is_not_in_the_past(api: Api) -> None:
    api.clock.now = NOW.replace(hour=9)  # 10:00 London, on ada's grid
    assert api.create("intro", "2026-05-18T09:00:00Z")["data"]["start_at"] == "2026-05-18T09:00:00.000Z"


def test_slot_taken_and_buffers(api: Api) -> None:
    day = api.fresh_day()
    api.create("intro", api.at(day, "10:00"))
    assert api.create("intro", api.at(day, "10:00"), expect=409)["error"]["details"] == {
        "reason": "slot_busy"
    }
    # survey (linus) has a 10 min buffer before and 5 after: 12:00 blocks [11:50, 12:35) for itself
    answers = {"company": "X", "size": 1, "terms": True}
    api.create("survey", api.at(day, "12:00"), responses=answers)
    # [12:00 − 10, 12:30 + 5) blocks survey at 12:30 (its own 10 min before-buffer reaches 12:20)
    api.create("survey", api.at(day, "12:30"), responses=answers, expect=409)
    # …and a limited-call (no buffers) at 12:30 as well: the 5 min after-buffer runs to 12:35
    api.create("limited", api.at(day, "12:30"), expect=409)
    api.create("limited", api.at(day, "13:00"))


@pytest.mark.parametrize(
    "uid", ["nope", "019e3a19-5800-726b-b2a7-4de452e6b43", "019e3a19-5800-726b-b2a7-4de452e6b438"]
)
def test_get_unknown_or_malformed_uid_is_404(api: Api, uid: str) -> None:
    response = api.call("GET", f"/v1/bookings/{uid}", headers=api.headers(key=None))
    assert _error(response) == (404, "booking_not_found", {})


def test_other_organizations_bookings_are_invisible(api: Api) -> None:
    from fortytwo_local.seed import apply_seed

    other = apply_seed(
        {
            "organization": {"name": "Other"},
            "users": [{"username": "zed", "email": "zed@other.test", "timezone": "UTC", "role": "owner"}],
            "pats": [{"key": "z", "user": "zed", "name": "z", "scopes": ["bookings:read", "bookings:write"]}],
        }
    )
    uid = api.create("intro", api.at(api.fresh_day(), "10:00"))["data"]["uid"]
    headers = {"authorization": f"Bearer {other['pats']['z']['token']}"}
    assert api.call("GET", f"/v1/bookings/{uid}", headers=headers).status == 404
    assert api.call("GET", "/v1/bookings", headers=headers).json()["data"] == []
    assert (
        api.call("POST", f"/v1/bookings/{uid}/cancel", headers={**headers, "idempotency-key": "k"}).status
        == 404
    )
    foreign = api.call(
        "POST", "/v1/bookings", headers={**headers, "idempotency-key": "k2"}, body=api.create_body()
    )
    assert _error(foreign)[:2] == (404, "event_type_not_found")


def test_a_create_makes_at_most_seven_table_calls(api: Api) -> None:
    """PAT, rate limit, reservation, event type, hosts and schedules (with the hosts' users, so the
    chosen host needs no read of its own), the host's ledger days, and the one transaction."""
    from collections import Counter

    from fortytwo.store import dynamo

    day = api.fresh_day()
    api.create("intro", api.at(day, "09:00"))  # warm: pepper, the PAT's last_used_at
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    clients = (dynamo.client(), dynamo.fast_client())
    for client in clients:
        client.meta.events.register("before-call.dynamodb.*", count)
    try:
        assert (
            api.call("POST", "/v1/bookings", body=api.create_body(start=api.at(day, "10:00"))).status == 201
        )
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.dynamodb.*", count)
    assert sum(calls.values()) <= 7, calls
    assert calls["BatchGetItem"] == 1 and calls["TransactWriteItems"] == 1, calls


def test_naive_starts_are_wall_clock_time_in_the_request_timezone(api: Api) -> None:
    """00-conventions §7.2: n8n's date picker sends no offset; the body's `timezone`, else UTC."""
    day = api.fresh_day()
    berlin = api.create("intro", f"{day}T12:00:00", timezone="Europe/Berlin")["data"]  # CEST, UTC+2
    assert berlin["start_at"] == f"{day}T10:00:00.000Z" and berlin["timezone"] == "Europe/Berlin"
    # the attendee's zone is not the request's: without a top-level timezone it is UTC
    tokyo = {"email": "b@example.com", "timezone": "Asia/Tokyo"}
    utc = api.create("intro", f"{day}T11:00:00", attendee=tokyo)
    assert utc["data"]["start_at"] == f"{day}T11:00:00.000Z"
    moved = api.call(
        "POST",
        f"/v1/bookings/{berlin['uid']}/reschedule",
        body={"start": f"{day}T15:00:00", "timezone": "Europe/Berlin"},
    )
    assert moved.status == 200, moved.text
    assert moved.json()["data"]["start_at"] == f"{day}T13:00:00.000Z"
    # an invalid timezone is the only error: the naive start itself is well-formed
    body = api.create_body(start=f"{day}T12:00:00", timezone="Mars/Base")
    bad = api.call("POST", "/v1/bookings", body=body)
    assert bad.status == 400
    assert [d["field"] for d in bad.json()["error"]["details"]["fields"]] == ["timezone"]
    # every other malformed form stays 400
    for start in (f"{day}", f"{day} 12:00:00", f"{day}T12:00", f"{day}T24:00:00", f"{day}T12:00:00+2:00"):
        bad = api.call("POST", "/v1/bookings", body=api.create_body(start=start, timezone="Europe/Berlin"))
        assert bad.status == 400 and bad.json()["error"]["details"]["fields"][0]["field"] == "start", start
