"""Every endpoint's real output (the Lambda handlers against moto, the integration fixtures) matches
the contract models exactly, and every error it answers is a catalogued code declared for the
operation, with the details shape the catalogue gives."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from fortytwo.contract.webhook_events import (
    BookingWebhookEnvelope,
    EventTypeWebhookEnvelope,
    SeriesWebhookEnvelope,
    TestWebhookEnvelope,
)
from fortytwo.domain.webhooks.envelope import build_envelope, event_type_event_data
from tests.integration.bookings import conftest as bookings
from tests.integration.oauth.flow import Browser, authorize_code, basic, exchange, token_request
from tests.integration.series.conftest import outbox as series_outbox
from tests.integration.webhooks.receiver import Receiver
from tests.unit.contract.conformance import check, check_error, exact

CALLBACK = "https://app.example.com/callback"
Api = bookings.Api
# The bookings integration fixtures: one moto account, the e2e seed and a frozen clock per module.
api = bookings.api
frozen = bookings.frozen
module_moto = bookings.module_moto
_clock_back_to_now = bookings._clock_back_to_now


def bearer(api: Api, name: str = "full") -> dict[str, str]:
    return {"authorization": f"Bearer {api.token(name)}"}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


def test_meta(api: Api) -> None:
    check("ping", api.invoke("meta", "GET", "/v1/_ping", headers=bearer(api)))
    check("getMe", api.invoke("meta", "GET", "/v1/me", headers=bearer(api)))
    check("ping", api.invoke("meta", "GET", "/v1/_ping", headers={"authorization": "Bearer nope"}))
    check("getMe", api.invoke("meta", "GET", "/v1/me", headers=bearer(api, "narrow")))
    # Route-level answers (no operation): still catalogued errors with their headers.
    check_error(api.invoke("meta", "GET", "/v1/nowhere"))
    check_error(api.invoke("meta", "DELETE", "/v1/me"))


def test_event_types(api: Api) -> None:
    body = check("listEventTypes", api.invoke("event_types", "GET", "/v1/event-types", headers=bearer(api)))
    assert body["data"]
    detail = check(
        "getEventType",
        api.invoke("event_types", "GET", f"/v1/event-types/{api.et('survey')}", headers=bearer(api)),
    )["data"]
    owner = detail["hosts"][0]["username"]
    check(
        "getEventTypeByUsernameAndSlug",
        api.invoke("event_types", "GET", f"/v1/event-types/{owner}/{detail['slug']}", headers=bearer(api)),
    )
    for path in ("/v1/event-types/intro-call", "/v1/event-types/nobody%2Fnothing"):
        check("getEventType", api.invoke("event_types", "GET", path, headers=bearer(api)))
    check(
        "listEventTypes",
        api.invoke("event_types", "GET", "/v1/event-types", headers=bearer(api), query={"limit": "0"}),
    )
    # The event-type webhook payload carries the same detail object.
    envelope = build_envelope(
        "evt_019e4578-b880-7c28-a21c-4e003f9931ee",
        "event_type.updated",
        datetime(2026, 5, 18, 8, tzinfo=UTC),
        event_type_event_data("event_type.updated", detail),
    )
    exact(EventTypeWebhookEnvelope, envelope)


def test_slots(api: Api) -> None:
    day = api.fresh_day()
    window = {"event_type_id": api.et("intro"), "start": f"{day}T00:00:00Z", "end": f"{day}T23:59:00Z"}
    slots = check("listSlots", api.invoke("slots", "GET", "/v1/slots", headers=bearer(api), query=window))
    assert slots["data"]["slots"]
    team = {**window, "event_type_id": api.et("sales-demo")}
    check("listSlots", api.invoke("slots", "GET", "/v1/slots", headers=bearer(api), query=team))
    first = slots["data"]["slots"][0]["start"]
    for start in (first, f"{day}T09:10:00Z", "2020-01-01T00:00:00Z"):
        query = {"event_type_id": api.et("intro"), "start": start}
        check("checkSlot", api.invoke("slots", "GET", "/v1/slots/check", headers=bearer(api), query=query))
    bad = {**window, "end": window["start"]}
    check("listSlots", api.invoke("slots", "GET", "/v1/slots", headers=bearer(api), query=bad))


def test_bookings_and_their_webhook_payloads(api: Api) -> None:
    day = api.fresh_day()
    created = check(
        "createBooking",
        api.call(
            "POST",
            "/v1/bookings",
            body=api.create_body(
                "intro", api.at(day, "10:00"), guests=["carol@example.com"], metadata={"crm": "D-1"}
            ),
        ),
    )["data"]
    uid = created["uid"]
    check("getBooking", api.call("GET", f"/v1/bookings/{uid}", headers=api.headers(key=None)))
    check("listBookings", api.call("GET", "/v1/bookings", headers=api.headers(key=None)))
    patched = api.call(
        "PATCH",
        f"/v1/bookings/{uid}",
        headers=api.headers(**{"if-match": '"1"'}),
        body={"attendee_name": "Bo"},
    )
    check("updateBooking", patched)
    moved = check(
        "rescheduleBooking",
        api.call("POST", f"/v1/bookings/{uid}/reschedule", body={"start": api.at(day, "11:00")}),
    )["data"]
    check("cancelBooking", api.call("POST", f"/v1/bookings/{moved['uid']}/cancel", body={"reason": "x"}))
    # Errors of the writes, each against the operation's declared codes.
    check("createBooking", api.call("POST", "/v1/bookings", headers=api.headers(key=None), body={}))
    check("createBooking", api.call("POST", "/v1/bookings", body={"start": "soon"}))
    taken = api.create_body("intro", api.at(day, "14:00"))
    check("createBooking", api.call("POST", "/v1/bookings", headers=api.headers(key="taken"), body=taken))
    check("createBooking", api.call("POST", "/v1/bookings", body=taken))  # slot_unavailable
    check(
        "createBooking",
        api.call(
            "POST", "/v1/bookings", headers=api.headers(key="taken"), body={**taken, "metadata": {"a": 1}}
        ),
    )
    check(
        "createBooking",
        api.call("POST", "/v1/bookings", body=api.create_body("switched-off", api.at(day, "11:00"))),
    )
    check("cancelBooking", api.call("POST", f"/v1/bookings/{uid}/cancel"))  # replaced by the reschedule
    check("updateBooking", api.call("PATCH", f"/v1/bookings/{uid}", body={"metadata": {}}))  # no If-Match
    stale = api.headers(**{"if-match": '"1"'})
    check(
        "updateBooking", api.call("PATCH", f"/v1/bookings/{moved['uid']}", headers=stale, body={"start": "x"})
    )
    check("getBooking", api.call("GET", "/v1/bookings/not-a-uuid", headers=api.headers(key=None)))
    oversized = api.headers(**{"content-type": "application/json"})
    check("createBooking", api.call("POST", "/v1/bookings", headers=oversized, body="{" + " " * 70_000 + "}"))
    # What the writes put in the outbox is what subscribers receive.
    events = [
        event for event in bookings.outbox_events() if event["data"]["booking"]["id"] in (uid, moved["uid"])
    ]
    assert {event["event"] for event in events} >= {
        "booking.created",
        "booking.updated",
        "booking.rescheduled",
        "booking.canceled",
    }
    for event in events:
        exact(BookingWebhookEnvelope, event)


def test_series_and_their_webhook_payloads(api: Api) -> None:
    keys = iter(range(1, 100))

    def call(method: str, path: str, *, key: bool = False, **kwargs: Any) -> Any:
        headers = {**bearer(api, "series"), **kwargs.pop("headers", {})}
        if key:
            headers["idempotency-key"] = f"contract-series-{next(keys)}"
        return api.invoke("series", method, path, headers=headers, **kwargs)

    body = {
        "event_type_id": api.et("intro"),
        "host_user_id": api.user("ada"),
        "attendee": {"email": "contract@example.com", "name": "Con Tract", "phone": "+49 30 1234567"},
        "frequency": "weekly",
        "weekdays": ["mon", "thu"],
        "time": "15:00",
        "timezone": "Europe/Berlin",
        "starts_on": "2026-09-07",
        "count": 3,
        "location_url": "https://meet.example.com/contract",
        "metadata": {"crm": "D-9"},
    }
    created = check("createSeries", call("POST", "/v1/series", key=True, body=body))["data"]
    path = f"/v1/series/{created['uid']}"
    check("getSeries", call("GET", path))
    check("listSeries", call("GET", "/v1/series", query={"status": "active"}))
    check("updateSeries", call("PATCH", path, headers={"if-match": '"1"'}, body={"notify_invitee": False}))
    check("pauseSeries", call("POST", f"{path}/pause"))
    check("resumeSeries", call("POST", f"{path}/resume", key=True))
    check("changeSeriesHost", call("POST", f"{path}/host", body={"host_user_id": api.user("ada")}))
    check("endSeries", call("POST", f"{path}/end", key=True))
    # Errors, each against the operation's declared codes.
    check("createSeries", call("POST", "/v1/series", body=body))  # no Idempotency-Key
    check("createSeries", call("POST", "/v1/series", key=True, body={**body, "count": 43}))
    check(
        "createSeries",
        call("POST", "/v1/series", key=True, body={**body, "event_type_id": api.et("workshop")}),
    )
    check("getSeries", call("GET", "/v1/series/not-a-uuid"))
    check("listSeries", call("GET", "/v1/series", query={"sort": "title"}))
    check("updateSeries", call("PATCH", path, body={"time": "10:00"}))  # no If-Match
    check("pauseSeries", call("POST", f"{path}/pause"))  # series_ended
    check("changeSeriesHost", call("POST", f"{path}/host", body={"host_user_id": "x"}))
    # What the writes put in the outbox is what subscribers receive.
    events = series_outbox()
    mine = [
        e for e in events if e["event"].startswith("series.") and e["data"]["series"]["uid"] == created["uid"]
    ]
    assert {e["event"] for e in mine} >= {"series.created", "series.updated", "series.paused", "series.ended"}
    for event in mine:
        exact(SeriesWebhookEnvelope, event)
    meetings = [e for e in events if e["event"].startswith("booking.")]
    meetings = [e for e in meetings if e["data"]["booking"].get("series_id") == created["uid"]]
    assert meetings
    for event in meetings:
        exact(BookingWebhookEnvelope, event)


def test_webhooks(api: Api, receiver: Receiver) -> None:
    def call(method: str, path: str, **kwargs: Any) -> Any:
        return api.invoke("webhooks", method, path, headers=bearer(api), **kwargs)

    body = {"url": receiver.url("/hook"), "events": ["booking_created", "event_type_updated"]}
    hook = check("createWebhook", call("POST", "/v1/webhooks", body=body))["data"]
    path = f"/v1/webhooks/{hook['id']}"
    check("createWebhook", call("POST", "/v1/webhooks", body=body))  # duplicate_url
    check(
        "createWebhook", call("POST", "/v1/webhooks", body={"url": "http://x", "events": ["booking.created"]})
    )
    check("listWebhooks", call("GET", "/v1/webhooks"))
    check("getWebhook", call("GET", path))
    check("updateWebhook", call("PATCH", path, body={"description": "CRM", "status": "paused"}))
    check("updateWebhook", call("PATCH", path, body={"status": "active"}))
    check("rotateWebhookSecret", call("POST", f"{path}/rotate-secret"))
    tested = check("testWebhook", call("POST", f"{path}/test"))["data"]
    (got,) = receiver.received
    exact(TestWebhookEnvelope, json.loads(got.body))
    redeliver = f"{path}/deliveries/{tested['id']}/redeliver"

    def keyed(target: str, key: str | None) -> Any:
        headers = {**bearer(api), **({"idempotency-key": key} if key else {})}
        return api.invoke("webhooks", "POST", target, headers=headers)

    check("redeliverWebhookDelivery", keyed(redeliver, None))  # missing_idempotency_key
    again = check("redeliverWebhookDelivery", keyed(redeliver, "conformance-1"))["data"]
    assert again["redelivery_of"] == tested["id"]
    check("redeliverWebhookDelivery", keyed(redeliver, "conformance-1"))  # the replay
    check("redeliverWebhookDelivery", keyed(redeliver, "conformance-2"))  # delivery_pending
    check("redeliverWebhookDelivery", keyed(f"{path}/deliveries/whd_nope/redeliver", "conformance-3"))
    check("listWebhookDeliveries", call("GET", f"{path}/deliveries"))
    check("listWebhookDeliveries", call("GET", f"{path}/deliveries", query={"cursor": "zz"}))
    check("deleteWebhook", call("DELETE", path))
    check("getWebhook", call("GET", path))


def test_oauth_and_discovery(api: Api) -> None:
    for operation_id, path in (
        ("getAuthorizationServerMetadata", "/.well-known/oauth-authorization-server"),
        ("getProtectedResourceMetadata", "/.well-known/oauth-protected-resource"),
    ):
        check(operation_id, api.invoke("oauth", "GET", path))
    client = api.seed["oauth_clients"]["app"]
    code, verifier, _ = authorize_code(Browser(api.invoke), client["client_id"], CALLBACK)
    tokens = check("token", exchange(api.invoke, client, code, verifier, CALLBACK))
    check("token", exchange(api.invoke, client, code, verifier, CALLBACK))  # spent: invalid_grant
    auth = basic(client["client_id"], client["client_secret"])
    for token in (tokens["access_token"], "unknown"):
        response = token_request(api.invoke, {"token": token}, auth, path="/v1/oauth/introspect")
        check("introspectToken", response)
    check(
        "revokeToken",
        token_request(api.invoke, {"token": tokens["access_token"]}, auth, path="/v1/oauth/revoke"),
    )
    registration = {"client_name": "Desk", "redirect_uris": ["http://127.0.0.1/cb"]}
    for fields in (
        registration,
        {**registration, "token_endpoint_auth_method": "none"},
        {"client_name": "x"},
    ):
        check("registerClient", api.invoke("oauth", "POST", "/v1/oauth/register", body=fields))
