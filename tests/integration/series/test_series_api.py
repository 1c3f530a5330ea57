"""The worked examples of 35-series through the real handlers (moto), in one story per module:
create (§6.4), the PATCH of §9.5, pause, resume, end, change of host, and the error paths."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.series.conftest import SeriesApi, outbox

pytestmark = pytest.mark.usefixtures("api")


def _states(series: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [(o["start_at"], o["state"], o["reason"]) for o in series["occurrences"]]


@pytest.fixture(scope="module")
def example(api: SeriesApi) -> dict[str, Any]:
    """§6.4: Ada already has a meeting at 2026-05-25T08:00Z; the series skips that Monday."""
    taken = api.bookings(
        "POST",
        "/v1/bookings",
        body={
            "event_type_id": api.et("intro"),
            "start": "2026-05-25T08:00:00Z",
            "attendee": {"email": "carol@example.com", "name": "Carol"},
        },
    )
    assert taken.status == 201, taken.text
    response = api.call("POST", "/v1/series", body=api.body())
    assert response.status == 201, response.text
    assert response.headers["etag"] == '"1"'
    return dict(response.json()["data"])


def test_create_books_free_dates_and_skips_the_busy_one(api: SeriesApi, example: dict[str, Any]) -> None:
    assert _states(example) == [
        ("2026-05-20T08:00:00.000Z", "booked", None),
        ("2026-05-25T08:00:00.000Z", "skipped", "host_busy"),
        ("2026-05-27T08:00:00.000Z", "booked", None),
        ("2026-06-01T08:00:00.000Z", "booked", None),
    ]
    assert list(example) == [
        "uid", "version", "event_type", "host", "attendee", "frequency", "interval_weeks", "weekdays",
        "time", "timezone", "starts_on", "count", "status", "location_url", "notify_invitee", "source",
        "metadata", "responses", "owed", "next_occurrence_at", "occurrences_remaining", "occurrences",
        "created_at", "updated_at", "ended_at",
    ]  # fmt: skip
    assert example["weekdays"] == ["mon", "wed"]
    assert example["event_type"] == {"id": api.et("intro"), "slug": "intro-call", "name": "Intro call"}
    assert example["host"] == {"user_id": api.user("ada"), "username": "ada", "email": "ada@example.com"}
    assert example["attendee"] == {
        "name": "Bob Builder",
        "email": "bob@example.com",
        "phone": "+49 30 1234567",
    }
    assert (example["status"], example["version"], example["owed"]) == ("active", 1, 0)
    assert example["next_occurrence_at"] == "2026-05-20T08:00:00.000Z"
    assert example["occurrences_remaining"] == 3
    assert example["metadata"] == {"crm_deal_id": "D-4471"}


def test_meetings_are_ordinary_bookings_with_series_fields(api: SeriesApi, example: dict[str, Any]) -> None:
    listed = api.bookings("GET", f"/v1/bookings?series_id={example['uid']}&sort=start_at_asc")
    assert listed.status == 200, listed.text
    meetings = listed.json()["data"]
    assert [(m["series_index"], m["start_at"]) for m in meetings] == [
        (1, "2026-05-20T08:00:00.000Z"),
        (3, "2026-05-27T08:00:00.000Z"),
        (4, "2026-06-01T08:00:00.000Z"),
    ]
    first = meetings[0]
    assert first["series_id"] == example["uid"]
    keys = list(first)
    assert keys.index("series_id") == keys.index("no_show_reason") + 1
    assert keys.index("series_index") + 1 == keys.index("created_at")
    assert first["timezone"] == "Europe/Berlin" and first["metadata"] == {"crm_deal_id": "D-4471"}
    one_off = api.bookings("GET", "/v1/bookings?attendee_email=carol@example.com").json()["data"][0]
    assert one_off["series_id"] is None and one_off["series_index"] is None
    assert api.bookings("GET", "/v1/bookings?series_id=nope").json()["error"]["details"] == {
        "param": "series_id"
    }


def test_create_emits_booking_events_with_series_fields_and_series_created(example: dict[str, Any]) -> None:
    mine = [e for e in outbox() if (e["data"].get("booking") or {}).get("series_id") == example["uid"]]
    # One commit instant: the outbox order within it is the event ids' random bits.
    assert sorted((e["event"], e["data"]["booking"]["series_index"]) for e in mine) == [
        ("booking.created", 1),
        ("booking.created", 3),
        ("booking.created", 4),
    ]
    created = [e for e in outbox() if e["event"] == "series.created"]
    assert [e["data"]["series"]["uid"] for e in created] == [example["uid"]]
    assert created[0]["data"]["series"]["occurrences"] == example["occurrences"]
    carol = [
        e for e in outbox() if (e["data"].get("booking") or {}).get("inviteeEmail") == "carol@example.com"
    ]
    assert "series_id" not in carol[0]["data"]["booking"]


def test_get_is_the_created_series_with_etag(api: SeriesApi, example: dict[str, Any]) -> None:
    response = api.get(example["uid"])
    assert response.status == 200 and response.headers["etag"] == '"1"'
    assert response.json()["data"] == example
    assert api.get(example["uid"].upper()).status == 200
    missing = api.get("not-a-uuid")
    assert (missing.status, missing.json()["error"]["code"]) == (404, "series_not_found")


def test_list_has_null_occurrences_and_filters(api: SeriesApi, example: dict[str, Any]) -> None:
    response = api.call("GET", "/v1/series?status=active,%20paused", headers=api.headers(key=None))
    assert response.status == 200, response.text
    items = response.json()["data"]
    assert example["uid"] in [i["uid"] for i in items]
    item = next(i for i in items if i["uid"] == example["uid"])
    assert item["occurrences"] is None and item["responses"] is None
    assert item["occurrences_remaining"] == 3
    for query, param in (("status=done", "status"), ("host_user_id=x", "host_user_id"), ("sort=x", "sort")):
        bad = api.call("GET", f"/v1/series?{query}", headers=api.headers(key=None))
        assert (bad.status, bad.json()["error"]["details"]["param"]) == (400, param)
    by_email = api.call("GET", "/v1/series?attendee_email=bob@example.com", headers=api.headers(key=None))
    assert example["uid"] in [i["uid"] for i in by_email.json()["data"]]
    nobody = api.call("GET", "/v1/series?attendee_email=Bob@example.com", headers=api.headers(key=None))
    assert nobody.json()["data"] == []  # exact, case-sensitive (§8)
    other = api.call("GET", f"/v1/series?event_type_id={api.et('survey')}", headers=api.headers(key=None))
    assert other.json()["data"] == []


def test_replay_returns_the_first_answer(api: SeriesApi) -> None:
    headers = api.headers(key="replay-series")
    body = api.body(starts_on="2026-07-01", time="14:00", count=1)
    first = api.call("POST", "/v1/series", headers=headers, body=body)
    again = api.call("POST", "/v1/series", headers=headers, body=body)
    assert first.status == again.status == 201
    assert again.text == first.text and again.headers["idempotent-replayed"] == "true"
    other = api.call("POST", "/v1/series", headers=headers, body={**body, "count": 2})
    assert other.json()["error"]["code"] == "idempotency_key_conflict"


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"event_type_id": "019d48ea-2e00-7f28-9fb1-7c2390c192cf"}, 404, "event_type_not_found"),
        ({"event_type_key": "workshop"}, 422, "event_type_disallows_series"),
        ({"event_type_key": "locked"}, 422, "event_type_disallows_series"),  # allow_series: false
        ({"event_type_key": "switched-off"}, 409, "event_type_inactive"),
        ({"host_user_id": "019d48b3-cc50-7238-b924-56de3eb13b90"}, 422, "host_not_eligible"),
        ({"starts_on": "2026-05-17"}, 422, "starts_on_out_of_range"),
        ({"starts_on": "2027-05-19"}, 422, "starts_on_out_of_range"),
        ({"attendee": {"email": "not-an-address"}}, 422, "attendee_email_invalid"),
        ({"count": 43}, 400, "validation_error"),
    ],
)
def test_create_refusals(api: SeriesApi, change: dict[str, Any], status: int, code: str) -> None:
    if "event_type_key" in change:
        change = {"event_type_id": api.et(change.pop("event_type_key"))}
    response = api.call("POST", "/v1/series", body=api.body(**change))
    assert (response.status, response.json()["error"]["code"]) == (status, code), response.text


def test_headers_and_scopes(api: SeriesApi, example: dict[str, Any]) -> None:
    no_key = api.call("POST", "/v1/series", headers=api.headers(key=None), body=api.body())
    assert no_key.json()["error"]["code"] == "missing_idempotency_key"
    read_only = api.call("POST", "/v1/series", headers=api.headers("series-read"), body=api.body())
    assert (
        read_only.status == 403 and read_only.json()["error"]["details"]["required_scope"] == "series:write"
    )
    no_match = api.call("PATCH", f"/v1/series/{example['uid']}", body={"time": "11:00"})
    assert (no_match.status, no_match.json()["error"]["code"]) == (428, "missing_if_match")
    immutable = api.call(
        "PATCH",
        f"/v1/series/{example['uid']}",
        headers=api.headers(**{"if-match": '"1"'}),
        body={"count": 3, "uid": "x"},
    )
    assert immutable.status == 422 and immutable.json()["error"]["details"]["fields"] == ["count", "uid"]
    unset = api.call(
        "PATCH",
        f"/v1/series/{example['uid']}",
        headers=api.headers(**{"if-match": '"1"'}),
        body={"location_url": "https://meet.example.com/x"},
    )
    assert (unset.status, unset.json()["error"]["code"]) == (422, "location_url_not_set")
    stale = api.call(
        "PATCH",
        f"/v1/series/{example['uid']}",
        headers=api.headers(**{"if-match": '"7"'}),
        body={"time": "11:00"},
    )
    assert stale.status == 409 and stale.json()["error"]["details"] == {"current_version": 1}
    delete = api.call("DELETE", f"/v1/series/{example['uid']}")
    assert delete.status == 405 and delete.headers["allow"] == "GET, PATCH"


def test_list_pages_with_bound_cursors(api: SeriesApi, example: dict[str, Any]) -> None:
    api.create(starts_on="2026-08-03", weekdays=["mon"], count=1, time="16:00")  # a second series
    first = api.call("GET", "/v1/series?limit=1&sort=created_at_asc", headers=api.headers(key=None)).json()
    assert first["meta"]["has_more"] is True
    cursor = first["meta"]["next_cursor"]
    second = api.call(
        "GET", f"/v1/series?limit=1&sort=created_at_asc&cursor={cursor}", headers=api.headers(key=None)
    ).json()
    assert second["data"][0]["uid"] != first["data"][0]["uid"]
    rebound = api.call(
        "GET", f"/v1/series?limit=1&sort=created_at_desc&cursor={cursor}", headers=api.headers(key=None)
    )
    assert (rebound.status, rebound.json()["error"]["details"]["param"]) == (400, "cursor")


def _expire_reservation(api: SeriesApi, key: str) -> dict[str, Any]:
    """The first attempt's invocation is over: its in-progress reservation has expired."""
    import boto3

    from fortytwo.store import dynamo
    from tests.integration.bookings.test_booking_idempotency_api import _sort_key

    pk = f"IDEMPOTENCY#{api.seed['organization_id']}"
    record = boto3.client("dynamodb").update_item(
        TableName=dynamo.table_name(),
        Key=dynamo.key(pk, _sort_key(key)),
        UpdateExpression="SET in_progress_expires_at = :past",
        ExpressionAttributeValues={":past": {"N": "1000"}},
        ReturnValues="ALL_NEW",
    )["Attributes"]
    return dynamo.from_item(record) or {}


def test_a_create_retried_after_a_crash_continues_the_same_series(
    api: SeriesApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """§11.1: the first attempt dies after writing its series and booking its first meeting. Its
    reservation names the series and survives; once it (and the lease) expired, the retry with the
    same key books the rest of THAT series: one series, one meeting per occurrence."""
    from fortytwo.services import series as service

    real_book = service._Run.book
    booked: list[int] = []

    def dies_after_one(self: Any, index: int, *args: Any) -> Any:
        if booked:
            raise RuntimeError("the function died")
        booked.append(index)
        return real_book(self, index, *args)

    monkeypatch.setattr(service._Run, "book", dies_after_one)
    headers = api.headers(key="crashing-create")
    email = "crash@example.com"
    body = api.body(
        starts_on="2026-08-03", weekdays=["mon"], time="11:00", count=3, attendee={"email": email}
    )
    first = api.call("POST", "/v1/series", headers=headers, body=body)
    monkeypatch.undo()
    assert first.status == 500, first.text
    busy = api.call("POST", "/v1/series", headers=headers, body=body)
    assert busy.json()["error"]["code"] == "idempotency_in_progress"  # kept, not deleted
    record = _expire_reservation(api, "crashing-create")
    assert record["state"] == "INPROGRESS" and record["series_uid"]
    api.clock.advance(seconds=31)  # the lease of the dead attempt expired too
    retry = api.call("POST", "/v1/series", headers=headers, body=body)
    assert retry.status == 201, retry.text
    data = retry.json()["data"]
    assert data["uid"] == record["series_uid"]
    assert [(o["index"], o["state"]) for o in data["occurrences"]] == [
        (1, "booked"),
        (2, "booked"),
        (3, "booked"),
    ]
    listed = api.call("GET", f"/v1/series?attendee_email={email}", headers=api.headers(key=None))
    assert [s["uid"] for s in listed.json()["data"]] == [data["uid"]]
    meetings = api.bookings("GET", f"/v1/bookings?series_id={data['uid']}&limit=100").json()["data"]
    assert sorted(m["series_index"] for m in meetings) == [1, 2, 3]
    again = api.call("POST", "/v1/series", headers=headers, body=body)
    assert again.headers["idempotent-replayed"] == "true" and again.text == retry.text


def test_a_4xx_before_any_write_releases_the_key(api: SeriesApi) -> None:
    """§11.1: nothing was written, so the same key runs afresh (here: once the body is fixed)."""
    headers = api.headers(key="refused-then-fixed")
    refused = api.call("POST", "/v1/series", headers=headers, body=api.body(starts_on="2026-05-17"))
    assert refused.json()["error"]["code"] == "starts_on_out_of_range"
    retried = api.call("POST", "/v1/series", headers=headers, body=api.body(starts_on="2026-05-17"))
    assert retried.json()["error"]["code"] == "starts_on_out_of_range"  # ran again, not in progress
