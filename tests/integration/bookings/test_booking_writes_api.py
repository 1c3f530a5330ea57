"""Cancel, reschedule, PATCH and no-show: rules in check order, effects and webhook events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fortytwo.domain.timefmt import parse_ts

from .conftest import NOW, Api, outbox_events


def _error(response) -> tuple[int, str, dict]:  # type: ignore[no-untyped-def]
    body = response.json()["error"]
    return response.status, body["code"], body["details"]


def _events(uid: str) -> list[dict[str, Any]]:
    return [e for e in outbox_events() if e["data"]["booking"]["id"] == uid]


# --- cancel ------------------------------------------------------------------------------------


def test_cancel_frees_the_time_and_is_idempotent_at_the_domain_level(api: Api) -> None:
    day = api.fresh_day()
    booking = api.create("intro", api.at(day, "10:00"))["data"]
    uid = booking["uid"]
    api.clock.advance(hours=1)
    response = api.call(
        "POST",
        f"/v1/bookings/{uid}/cancel",
        headers={**api.headers(), "content-type": "application/json"},
        body='{"reason": "Customer postponed"}',
    )
    assert response.status == 200 and response.headers["etag"] == '"2"'
    data = response.json()["data"]
    assert (data["status"], data["version"], data["cancellation_reason"]) == (
        "canceled",
        2,
        "Customer postponed",
    )
    assert data["cancelled_at"] == data["updated_at"] == "2026-05-18T09:00:00.000Z"
    assert data["responses"] == {}
    # Empty body without a content type is `{}`; a canceled booking answers 200 unchanged, no event.
    again = api.call("POST", f"/v1/bookings/{uid}/cancel")
    assert again.status == 200 and again.json()["data"] == data and again.headers["etag"] == '"2"'
    assert [e["event"] for e in _events(uid)] == ["booking.created", "booking.canceled"]
    [canceled] = [e for e in _events(uid) if e["event"] == "booking.canceled"]
    assert canceled["data"]["booking"]["cancelledReason"] == "Customer postponed"
    assert canceled["data"]["booking"]["status"] == "canceled"
    # the time is free again
    assert api.create("intro", api.at(day, "10:00"))["data"]["uid"] != uid


def test_cancel_check_order(api: Api) -> None:
    day = api.fresh_day()
    locked = api.create("locked", api.at(day, "10:00"))["data"]["uid"]
    old = api.create("intro", api.at(day, "10:00"))["data"]["uid"]
    new = api.call("POST", f"/v1/bookings/{old}/reschedule", body={"start": api.at(day, "11:00")}).json()[
        "data"
    ]
    post = api.call
    assert _error(post("POST", "/v1/bookings/nope/cancel", headers=api.headers(key=None)))[1] == (
        "missing_idempotency_key"
    )
    assert _error(post("POST", "/v1/bookings/nope/cancel", body={"reason": 1}))[1] == "validation_error"
    assert _error(post("POST", "/v1/bookings/nope/cancel", body=b"{}"))[1] == "unsupported_media_type"
    assert _error(post("POST", "/v1/bookings/nope/cancel")) == (404, "booking_not_found", {})
    assert _error(post("POST", f"/v1/bookings/{old}/cancel")) == (
        409,
        "booking_already_rescheduled",
        {"replaced_by": new["uid"]},
    )
    assert _error(post("POST", f"/v1/bookings/{locked}/cancel"))[:2] == (422, "event_type_disallows_cancel")
    api.clock.now = parse_ts(new["end_at"])
    assert _error(post("POST", f"/v1/bookings/{new['uid']}/cancel"))[:2] == (409, "booking_in_past")
    api.clock.now = parse_ts(new["end_at"]) - timedelta(milliseconds=1)  # in progress: still cancellable
    assert post("POST", f"/v1/bookings/{new['uid']}/cancel").status == 200
    narrow = post("POST", f"/v1/bookings/{new['uid']}/cancel", headers=api.headers("narrow"))
    assert _error(narrow)[:2] == (403, "insufficient_scope")


# --- reschedule -------------------------------------------------------------------------------


def test_reschedule_replaces_the_booking(api: Api) -> None:
    day = api.fresh_day()
    old = api.create(
        "intro",
        api.at(day, "10:00"),
        timezone="Europe/Berlin",
        metadata={"m": 1},
        guests=["g@example.com"],
        utm_campaign="c",
        attendee={"email": "b@example.com", "phone": "+4930123456"},
    )["data"]
    api.clock.advance(minutes=5)
    # A move into an overlapping time works: the old booking counts as absent.
    response = api.call(
        "POST",
        f"/v1/bookings/{old['uid']}/reschedule",
        body={"start": api.at(day, "10:30").replace("Z", "+00:00"), "reason": "Clash"},
    )
    assert response.status == 200 and response.headers["etag"] == '"1"'
    new = response.json()["data"]
    assert new["uid"] != old["uid"] and new["rescheduled_from_uid"] == old["uid"]
    assert new["start_at"] == f"{day}T10:30:00.000Z" and new["version"] == 1
    assert new["timezone"] == "Europe/Berlin" and new["created_at"] == "2026-05-18T08:05:00.000Z"
    for name in ("attendees", "guests", "location", "metadata", "responses", "host"):
        assert new[name] == old[name]
    before = api.get(old["uid"])
    assert (before["status"], before["version"], before["cancelled_at"]) == ("rescheduled", 2, None)
    assert before["updated_at"] == "2026-05-18T08:05:00.000Z"
    [event] = [e for e in _events(new["uid"])]
    assert event["event"] == "booking.rescheduled"
    assert event["data"]["previousBooking"] == {
        "startTime": old["start_at"],
        "endTime": old["end_at"],
        "timezone": "Europe/Berlin",
    }
    assert event["data"]["booking"]["rescheduledAt"] == "2026-05-18T08:05:00.000Z"
    assert event["data"]["booking"]["reschedule_generation"] == 1
    assert event["data"]["booking"]["urlParams"] == {"m": 1, "utm_campaign": "c"}  # kept from the old one
    assert event["data"]["booking"]["inviteePhone"] == "+4930123456"
    assert [e["event"] for e in _events(old["uid"])] == ["booking.created"]  # nothing else for the old one
    # the old time is free, and the same start works for a second move
    api.create("intro", api.at(day, "10:00"))
    same = api.call(
        "POST",
        f"/v1/bookings/{new['uid']}/reschedule",
        body={"start": new["start_at"], "timezone": "Asia/Tokyo"},
    )
    assert same.status == 200 and same.json()["data"]["timezone"] == "Asia/Tokyo"
    assert _events(same.json()["data"]["uid"])[0]["data"]["booking"]["reschedule_generation"] == 2
    again = api.call("POST", f"/v1/bookings/{old['uid']}/reschedule", body={"start": api.at(day, "15:00")})
    assert _error(again) == (409, "booking_already_rescheduled", {"replaced_by": new["uid"]})


def test_reschedule_check_order(api: Api) -> None:
    day = api.fresh_day()
    target = {"start": api.at(day, "14:00")}
    locked = api.create("locked", api.at(day, "10:00"))["data"]["uid"]
    canceled = api.create("intro", api.at(day, "10:00"))["data"]["uid"]
    api.call("POST", f"/v1/bookings/{canceled}/cancel")
    live = api.create("intro", api.at(day, "11:00"))["data"]["uid"]
    busy = api.create("intro", api.at(day, "12:00"))["data"]
    post = api.call
    assert _error(post("POST", "/v1/bookings/nope/reschedule", body={}))[1] == "validation_error"
    assert (
        _error(
            post(
                "POST",
                "/v1/bookings/nope/reschedule",
                body=b"",
                headers={**api.headers(), "content-type": "application/json"},
            )
        )[1]
        == "invalid_request"
    )
    assert _error(post("POST", "/v1/bookings/nope/reschedule", body=target))[:2] == (404, "booking_not_found")
    assert _error(post("POST", f"/v1/bookings/{canceled}/reschedule", body=target))[:2] == (
        409,
        "booking_already_cancelled",
    )
    assert _error(post("POST", f"/v1/bookings/{locked}/reschedule", body={"start": "2026-01-01T00:00:00Z"}))[
        :2
    ] == (422, "event_type_disallows_reschedule")
    assert _error(post("POST", f"/v1/bookings/{live}/reschedule", body={"start": "2026-05-18T07:00:00Z"}))[
        :2
    ] == (409, "slot_in_past")
    assert _error(post("POST", f"/v1/bookings/{live}/reschedule", body={"start": busy["start_at"]})) == (
        409,
        "slot_unavailable",
        {"reason": "slot_busy"},
    )
    assert _error(
        post("POST", f"/v1/bookings/{live}/reschedule", body={"start": "2027-06-01T10:00:00Z"})
    ) == (409, "slot_unavailable", {"reason": "outside_future_limit"})
    # A booking whose time has passed can still be moved: only the new start is checked.
    api.clock.now = NOW + timedelta(days=10)
    moved = post("POST", f"/v1/bookings/{live}/reschedule", body={"start": "2026-06-01T10:00:00Z"})
    assert moved.status == 200, moved.text


def test_reschedule_of_deleted_or_inactive_event_type(api: Api) -> None:
    from fortytwo.services import event_types

    day = api.fresh_day()
    booking = api.create("confirm", api.at(day, "10:00"))["data"]
    record = event_types.get(api.seed["organization_id"], api.et("confirm"), consistent=True)
    assert record is not None
    off, _ = event_types.set_active(record, False, NOW, "https://42min.test")
    response = api.call(
        "POST", f"/v1/bookings/{booking['uid']}/reschedule", body={"start": api.at(day, "11:00")}
    )
    assert _error(response)[:2] == (409, "event_type_inactive")
    # PATCH and cancel still work on an inactive or deleted event type
    patched = api.call(
        "PATCH",
        f"/v1/bookings/{booking['uid']}",
        headers=api.headers(**{"if-match": "*"}),
        body={"attendee_name": "Changed"},
    )
    assert patched.status == 200
    event_types.delete(off, NOW, "https://42min.test")
    response = api.call(
        "POST", f"/v1/bookings/{booking['uid']}/reschedule", body={"start": api.at(day, "11:00")}
    )
    assert _error(response)[:2] == (404, "event_type_not_found")
    canceled = api.call("POST", f"/v1/bookings/{booking['uid']}/cancel")
    assert canceled.status == 200
    assert _events(booking["uid"])[-1]["data"]["booking"]["eventTypeName"] == "Call needing confirmation"


# --- PATCH ------------------------------------------------------------------------------------


def test_patch(api: Api) -> None:
    day = api.fresh_day()
    created = api.create(
        "survey",
        api.at(day, "10:00"),
        metadata={"crm_deal_id": "D-4471"},
        responses={"company": "X", "size": 3, "terms": True},
    )["data"]
    uid = created["uid"]
    api.clock.advance(minutes=1)
    response = api.call(
        "PATCH",
        f"/v1/bookings/{uid}",
        headers=api.headers(**{"if-match": 'W/"1"'}),
        body={
            "metadata": {"stage": "demo"},
            "attendee_name": "  Robert Builder ",
            "responses": {"plan": "Pro", "junk": 1},
            "note": "ignored",
        },
    )
    assert response.status == 200, response.text
    assert response.headers["etag"] == '"2"'
    data = response.json()["data"]
    assert data["metadata"] == {"crm_deal_id": "D-4471", "stage": "demo"}
    assert data["responses"] == {"plan": "Pro"}  # replaced; required questions are not enforced
    assert data["attendees"][0]["name"] == "Robert Builder" and data["status"] == "confirmed"
    assert data["updated_at"] == "2026-05-18T08:01:00.000Z" and data["version"] == 2
    [updated] = [e for e in _events(uid) if e["event"] == "booking.updated"]
    assert updated["data"]["changed_fields"] == ["attendee_name", "metadata", "responses"]
    assert updated["data"]["booking"]["inviteeName"] == "Robert Builder"
    assert updated["data"]["booking"]["answers"] == {"Plan": "Pro"}
    # urlParams carries the booking's current metadata (40-webhooks §6.3)
    assert updated["data"]["booking"]["urlParams"] == {"crm_deal_id": "D-4471", "stage": "demo"}
    # PATCH works on canceled bookings too, and the version keeps counting
    api.call("POST", f"/v1/bookings/{uid}/cancel")
    late = api.call(
        "PATCH",
        f"/v1/bookings/{uid}",
        headers=api.headers(**{"if-match": "3"}),
        body={"metadata": {"after": True}},
    )
    assert late.status == 200 and late.json()["data"]["version"] == 4


def test_patch_check_order(api: Api) -> None:
    day = api.fresh_day()
    uid = api.create("intro", api.at(day, "10:00"), metadata={f"k{i}": i for i in range(48)})["data"]["uid"]
    path = f"/v1/bookings/{uid}"
    match = {"if-match": '"1"'}
    call = api.call
    assert _error(call("PATCH", path, headers=api.headers(key=None, **match), body=b"{"))[1] == (
        "missing_idempotency_key"
    )
    assert _error(call("PATCH", path, body=b"{")) == (428, "missing_if_match", {})
    assert _error(call("PATCH", path, headers=api.headers(**{"if-match": '"1", "2"'}), body=b"{")) == (
        400,
        "invalid_if_match",
        {},
    )
    assert _error(call("PATCH", path, headers=api.headers(**match), body=b"x" * 65537))[:2] == (
        413,
        "payload_too_large",
    )
    assert _error(call("PATCH", path, headers=api.headers(**match), body={"attendee_name": ""}))[1] == (
        "validation_error"
    )
    assert _error(
        call(
            "PATCH",
            path,
            headers=api.headers(**match),
            body={"version": 9, "metadata": {"a": 1}, "start": "x", "uid": "u"},
        )
    ) == (422, "field_immutable", {"fields": ["version", "start", "uid"]})
    assert _error(call("PATCH", path, headers=api.headers(**match), body={"foo": 1})) == (
        400,
        "validation_error",
        {"fields": [{"field": "", "message": "nothing to update"}]},
    )
    assert _error(call("PATCH", "/v1/bookings/nope", headers=api.headers(**match), body={"foo": 1}))[1] == (
        "validation_error"
    )
    assert _error(
        call("PATCH", "/v1/bookings/nope", headers=api.headers(**match), body={"metadata": {"a": 1}})
    )[:2] == (404, "booking_not_found")
    assert _error(
        call("PATCH", path, headers=api.headers(**{"if-match": "0"}), body={"metadata": {"a": 1}})
    ) == (409, "version_conflict", {"current_version": 1})
    too_many = call(
        "PATCH",
        path,
        headers=api.headers(**match),
        body={"responses": {"company": 5}, "metadata": {f"n{i}": i for i in range(3)}},
    )
    assert _error(too_many) == (
        400,
        "validation_error",
        {
            "fields": [
                {"field": "responses.company", "message": "must be a string"},
                {"field": "metadata", "message": "the merged metadata must have at most 50 keys"},
            ]
        },
    )
    assert api.get(uid)["version"] == 1  # nothing changed


def test_patch_lost_race_is_a_version_conflict(api: Api, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from fortytwo.store import bookings as store

    day = api.fresh_day()
    uid = api.create("intro", api.at(day, "10:00"))["data"]["uid"]
    real_commit = store.commit

    def sneak_in(plan, completion=None):  # type: ignore[no-untyped-def]
        monkeypatch.setattr(store, "commit", real_commit)
        from fortytwo.domain.bookings.requests import parse_patch
        from fortytwo.services import bookings

        bookings.patch(
            org_id=api.seed["organization_id"],
            uid=uid,
            request=parse_patch({"metadata": {"first": True}}),
            expected="*",
            now=NOW,
        )
        return real_commit(plan, completion)

    monkeypatch.setattr(store, "commit", sneak_in)
    response = api.call(
        "PATCH",
        f"/v1/bookings/{uid}",
        headers=api.headers(**{"if-match": "*"}),
        body={"metadata": {"second": True}},
    )
    assert _error(response) == (409, "version_conflict", {"current_version": 2})
    assert api.get(uid)["metadata"] == {"first": True}


# --- no-show ---------------------------------------------------------------------------------


def test_no_show(api: Api) -> None:
    from fortytwo.domain.bookings.errors import BookingRuleError
    from fortytwo.services import bookings as store

    day = api.fresh_day()
    booking = api.create("intro", api.at(day, "10:00"))["data"]
    try:
        store.mark_no_show(booking["uid"], None, NOW)
        raise AssertionError("a future booking cannot be a no-show")
    except BookingRuleError as exc:
        assert exc.code == "booking_not_started"
    later = parse_ts(booking["start_at"]) + timedelta(minutes=10)
    marked, changed = store.mark_no_show(booking["uid"], "Did not join", later)
    assert changed and marked.version == 2 and marked.status == "confirmed"
    again, changed_again = store.mark_no_show(booking["uid"], "x", later)
    assert not changed_again and again.no_show_reason == "Did not join"
    data = api.get(booking["uid"])
    assert data["no_show_reason"] == "Did not join" and data["no_show_at"] == data["updated_at"]
    events = [e for e in _events(booking["uid"]) if e["event"] == "booking.no_show"]
    assert len(events) == 1 and events[0]["data"]["booking"]["noShowReason"] == "Did not join"
