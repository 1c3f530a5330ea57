"""35-series §9.5 and §10 through the real handlers: the PATCH example, pause, resume, end and the
change of host, each checked on the series AND on its meetings (the bookings they really are)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.series.conftest import SeriesApi, outbox


def _meetings(api: SeriesApi, uid: str) -> list[dict[str, Any]]:
    response = api.bookings("GET", f"/v1/bookings?series_id={uid}&sort=start_at_asc&limit=100")
    assert response.status == 200, response.text
    return list(response.json()["data"])


def _active(api: SeriesApi, uid: str) -> list[tuple[int, str, str]]:
    return [
        (m["series_index"], m["start_at"], m["host"]["username"])
        for m in _meetings(api, uid)
        if m["status"] in ("confirmed", "pending")
    ]


def _action(api: SeriesApi, uid: str, name: str, body: Any = None, key: bool = True) -> dict[str, Any]:
    headers = api.headers(key="auto" if key else None)
    response = api.call("POST", f"/v1/series/{uid}/{name}", headers=headers, body=body)
    assert response.status == 200, response.text
    data = dict(response.json()["data"])
    assert response.headers["etag"] == f'"{data["series"]["version"]}"'
    return data


def test_patch_time_rebooks_the_meetings_still_to_come(api: SeriesApi) -> None:
    """§9.5 on a series of its own (Thursdays from 2026-06-04, 10:00 Berlin, 3 times)."""
    series = api.create(weekdays=["thu"], starts_on="2026-06-04", count=3)
    before = {m["series_index"]: m["uid"] for m in _meetings(api, series["uid"])}
    response = api.call(
        "PATCH",
        f"/v1/series/{series['uid']}",
        headers=api.headers(**{"if-match": '"1"'}),
        body={"time": "11:00"},
    )
    assert response.status == 200, response.text
    assert response.headers["etag"] == '"2"'
    after = response.json()["data"]
    assert (after["time"], after["version"]) == ("11:00", 2)
    assert [(o["start_at"], o["state"]) for o in after["occurrences"]] == [
        ("2026-06-04T09:00:00.000Z", "booked"),
        ("2026-06-11T09:00:00.000Z", "booked"),
        ("2026-06-18T09:00:00.000Z", "booked"),
    ]
    assert _active(api, series["uid"]) == [
        (1, "2026-06-04T09:00:00.000Z", "ada"),
        (2, "2026-06-11T09:00:00.000Z", "ada"),
        (3, "2026-06-18T09:00:00.000Z", "ada"),
    ]
    old = {m["uid"]: m for m in _meetings(api, series["uid"])}
    assert all(old[uid]["status"] == "canceled" for uid in before.values())
    assert {old[uid]["cancellation_reason"] for uid in before.values()} == {"Series pattern changed"}
    updated = [e for e in outbox() if e["event"] == "series.updated"]
    assert updated[-1]["data"]["changed_fields"] == ["time"]
    # The same values again change nothing (no version bump).
    same = api.call(
        "PATCH",
        f"/v1/series/{series['uid']}",
        headers=api.headers(**{"if-match": "*"}),
        body={"time": "11:00"},
    )
    assert same.status == 200 and same.headers["etag"] == '"2"'


def test_patch_location_updates_meetings_in_place(api: SeriesApi) -> None:
    series = api.create(
        weekdays=["tue"], starts_on="2026-06-09", count=2, location_url="https://meet.example.com/old"
    )
    uids = [m["uid"] for m in _meetings(api, series["uid"])]
    response = api.call(
        "PATCH",
        f"/v1/series/{series['uid']}",
        headers=api.headers(**{"if-match": '"1"'}),
        body={"location_url": "https://meet.example.com/new"},
    )
    assert response.status == 200, response.text
    meetings = _meetings(api, series["uid"])
    assert [m["uid"] for m in meetings] == uids
    assert [(m["version"], m["location"]["url"]) for m in meetings] == [
        (2, "https://meet.example.com/new")
    ] * 2
    updated = [e for e in outbox() if e["event"] == "booking.updated" and e["data"]["booking"]["id"] in uids]
    assert [e["data"]["changed_fields"] for e in updated] == [["location"], ["location"]]


def test_pause_resume_end(api: SeriesApi) -> None:
    series = api.create(weekdays=["fri"], starts_on="2026-06-05", count=3)
    uid = series["uid"]
    paused = _action(api, uid, "pause", key=False)
    assert list(paused) == ["held", "owed", "series"]
    assert (paused["held"], paused["owed"], paused["series"]["status"]) == (3, 3, "paused")
    assert [o["state"] for o in paused["series"]["occurrences"]] == ["held"] * 3
    assert _active(api, uid) == []
    again = _action(api, uid, "pause", key=False)
    assert (again["held"], again["owed"], again["series"]["version"]) == (0, 3, 2)

    resumed = _action(api, uid, "resume")
    assert list(resumed) == ["created", "owed", "skipped", "series"]
    assert (resumed["created"], resumed["owed"], resumed["skipped"]) == (3, 0, [])
    assert resumed["series"]["status"] == "active"
    # The held dates are free again, so the replacements take the same Fridays.
    assert [start for _, start, _ in _active(api, uid)] == [
        "2026-06-05T08:00:00.000Z",
        "2026-06-12T08:00:00.000Z",
        "2026-06-19T08:00:00.000Z",
    ]
    noop = _action(api, uid, "resume")
    assert (noop["created"], noop["owed"], noop["skipped"]) == (0, 0, [])

    ended = _action(api, uid, "end")
    assert list(ended) == ["canceled", "series"]
    assert (ended["canceled"], ended["series"]["status"]) == (3, "ended")
    assert ended["series"]["ended_at"] is not None and _active(api, uid) == []
    assert _action(api, uid, "end")["canceled"] == 0
    for name in ("pause", "resume"):
        refused = api.call("POST", f"/v1/series/{uid}/{name}")
        assert (refused.status, refused.json()["error"]["code"]) == (409, "series_ended")
    events = [e["event"] for e in outbox() if (e["data"].get("series") or {}).get("uid") == uid]
    # The frozen clock gives every event one instant: compare as a set of names.
    assert sorted(events) == ["series.created", "series.ended", "series.paused", "series.resumed"]


def test_change_host_moves_meetings_in_place(api: SeriesApi) -> None:
    """15:00 Berlin = 09:00 New York: inside Grace's default hours."""
    series = api.create(weekdays=["thu"], starts_on="2026-06-25", count=2, time="15:00")
    uids = [m["uid"] for m in _meetings(api, series["uid"])]
    moved = _action(api, series["uid"], "host", body={"host_user_id": api.user("grace")}, key=False)
    assert list(moved) == ["moved", "unchanged", "stopped_by", "stopped_at", "series"]
    assert (moved["moved"], moved["unchanged"], moved["stopped_by"]) == (2, 0, None)
    assert moved["series"]["host"]["username"] == "grace" and moved["series"]["version"] == 2
    meetings = _meetings(api, series["uid"])
    assert [(m["uid"], m["host"]["username"], m["version"]) for m in meetings] == [
        (u, "grace", 2) for u in uids
    ]
    again = _action(api, series["uid"], "host", body={"host_user_id": api.user("grace")}, key=False)
    assert (again["moved"], again["unchanged"], again["series"]["version"]) == (0, 2, 2)
    changed = [e for e in outbox() if e["event"] == "series.host_changed"]
    assert changed[-1]["data"]["previous_host"]["username"] == "ada"


def test_change_host_stops_at_the_first_busy_meeting(api: SeriesApi) -> None:
    """10:00 Berlin = 04:00 New York: Grace is not available, the move stops and can be repeated."""
    series = api.create(weekdays=["tue"], starts_on="2026-06-30", count=2)
    stopped = _action(api, series["uid"], "host", body={"host_user_id": api.user("grace")}, key=False)
    assert (stopped["moved"], stopped["stopped_by"]) == (0, "host_unavailable")
    assert stopped["stopped_at"] == "2026-06-30T08:00:00.000Z"
    assert stopped["series"]["host"]["username"] == "ada" and stopped["series"]["version"] == 1
    refused = api.call(
        "POST", f"/v1/series/{series['uid']}/host", headers=api.headers(key=None), body={"host_user_id": "x"}
    )
    assert refused.status == 400
    stranger = api.call(
        "POST",
        f"/v1/series/{series['uid']}/host",
        headers=api.headers(key=None),
        body={"host_user_id": "019d48b3-cc50-7238-b924-56de3eb13b90"},
    )
    assert stranger.json()["error"]["code"] == "host_not_eligible"


@pytest.mark.usefixtures("api")
def test_a_meeting_canceled_through_bookings_reads_canceled(api: SeriesApi) -> None:
    series = api.create(weekdays=["wed"], starts_on="2026-07-08", count=2)
    first = _meetings(api, series["uid"])[0]
    canceled = api.bookings("POST", f"/v1/bookings/{first['uid']}/cancel", body={})
    assert canceled.status == 200, canceled.text
    view = api.get(series["uid"]).json()["data"]
    assert [o["state"] for o in view["occurrences"]] == ["canceled", "booked"]
    assert view["version"] == 1


def test_a_write_while_another_holds_the_lease_is_409_with_retry_after(api: SeriesApi) -> None:
    from datetime import timedelta

    from fortytwo.store import series as store
    from tests.integration.series.conftest import NOW

    made = api.create(weekdays=["mon"], starts_on="2026-07-13", count=1)
    series = store.find(made["uid"])
    assert series is not None
    store.take_lease(series, series.version, "someone-else", NOW + timedelta(seconds=30), NOW)
    for method, path, body in (
        ("POST", "pause", None),
        ("POST", "host", {"host_user_id": api.user("grace")}),
        ("PATCH", "", {"time": "12:00"}),
    ):
        url = f"/v1/series/{made['uid']}/{path}".rstrip("/")
        response = api.call(method, url, headers=api.headers(**{"if-match": "*"}), body=body)
        assert (response.status, response.json()["error"]["code"]) == (409, "series_operation_in_progress")
        assert response.headers["retry-after"] == "1"
    # Once the lease expired, the next write takes it over and goes through.
    api.clock.advance(seconds=31)
    paused = api.call("POST", f"/v1/series/{made['uid']}/pause")
    assert paused.status == 200, paused.text


def test_a_paused_series_stores_a_new_pattern_and_resume_walks_it(api: SeriesApi) -> None:
    made = api.create(weekdays=["wed"], starts_on="2026-07-22", count=2)
    uid = made["uid"]
    assert _action(api, uid, "pause", key=False)["owed"] == 2
    patched = api.call(
        "PATCH", f"/v1/series/{uid}", headers=api.headers(**{"if-match": '"2"'}), body={"time": "14:00"}
    )
    assert patched.status == 200, patched.text
    assert (patched.json()["data"]["version"], _active(api, uid)) == (3, [])  # nothing rebooked while paused
    resumed = _action(api, uid, "resume")
    assert (resumed["created"], resumed["owed"], resumed["series"]["status"]) == (2, 0, "active")
    assert [start for _, start, _ in _active(api, uid)] == [
        "2026-07-22T12:00:00.000Z",
        "2026-07-29T12:00:00.000Z",
    ]
