"""Real races on the commit (30-bookings §11.1): handlers on threads against moto, every AWS call
applied atomically (tests/support/aws.py serialises them, as DynamoDB applies each call atomically).

Overlapping requests race for at least one busy minute, so exactly one wins; requests for distinct,
non-overlapping slots claim disjoint minutes (even inside one hour item) and all win, without a
single 503 `slot_lock_timeout`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fortytwo.domain.timefmt import parse_ts
from tests.conftest import Response

from .conftest import Api


def _parallel(calls: list[Callable[[], Response]]) -> list[Response]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def _creates(api: Api, et: str, starts: list[str]) -> list[Response]:
    bodies = [
        api.create_body(et, start, attendee={"email": f"p{i}@example.com", "name": f"P {i}"}, responses=extra)
        for i, start in enumerate(starts)
        for extra in [_answers(et)]
    ]
    return _parallel([lambda body=body: api.call("POST", "/v1/bookings", body=body) for body in bodies])


def _answers(et: str) -> dict[str, Any]:
    return {"company": "Acme", "size": 3, "terms": True} if et == "survey" else {}


def _active_of(api: Api, day: str) -> list[dict[str, Any]]:
    listed = api.call(
        "GET",
        "/v1/bookings",
        headers=api.headers(key=None),
        query={"start_date": f"{day}T00:00:00Z", "end_date": f"{day}T23:59:59Z", "limit": "100"},
    ).json()["data"]
    return [b for b in listed if b["status"] in ("confirmed", "pending")]


def _no_overlap_per_host(bookings: list[dict[str, Any]], before: int = 0, after: int = 0) -> bool:
    from datetime import timedelta

    by_host: dict[str, list[tuple[Any, Any]]] = {}
    for b in bookings:
        interval = (
            parse_ts(b["start_at"]) - timedelta(minutes=before),
            parse_ts(b["end_at"]) + timedelta(minutes=after),
        )
        by_host.setdefault(b["host"]["user_id"], []).append(interval)
    return all(
        a[1] <= b[0] for intervals in by_host.values() for a, b in itertools.pairwise(sorted(intervals))
    )


def test_twenty_parallel_creates_on_one_slot_have_exactly_one_winner(api: Api) -> None:
    day = api.fresh_day()
    responses = _creates(api, "intro", [api.at(day, "10:00")] * 20)
    statuses = sorted(r.status for r in responses)
    assert statuses == [201] + [409] * 19, [r.text for r in responses if r.status not in (201, 409)]
    assert all(r.json()["error"]["code"] == "slot_unavailable" for r in responses if r.status == 409)
    assert len(_active_of(api, day)) == 1


def test_eight_distinct_slots_of_one_host_day_all_win(api: Api) -> None:
    day = api.fresh_day()
    # Back to back half hours: pairs share a busy-hour item, none shares a minute.
    starts = [api.at(day, f"{9 + n // 2:02d}:{30 * (n % 2):02d}") for n in range(8)]
    responses = _creates(api, "intro", starts)
    assert [r.status for r in responses] == [201] * 8, [r.text for r in responses if r.status != 201]
    active = _active_of(api, day)
    assert len(active) == 8 and _no_overlap_per_host(active)


def test_buffers_separate_winners_and_keep_distinct_slots_apart(api: Api) -> None:
    """`survey` carries 10 minutes of buffer before and 5 after: slots an hour apart never touch,
    while 10:00 and 10:30 (buffers overlapping) have exactly one winner."""
    day = api.fresh_day()
    hourly = [api.at(day, f"{h:02d}:00") for h in range(10, 16)]
    responses = _creates(api, "survey", hourly)
    assert [r.status for r in responses] == [201] * 6, [r.text for r in responses if r.status != 201]
    other = api.fresh_day()
    clash = _creates(api, "survey", [api.at(other, "10:00"), api.at(other, "10:30")] * 4)
    assert sorted(r.status for r in clash) == [201] + [409] * 7, [r.text for r in clash]
    assert _no_overlap_per_host(_active_of(api, day), before=10, after=5)


def test_eight_distinct_slots_of_a_round_robin_team_all_win(api: Api) -> None:
    day = api.fresh_day()
    # 12:00–15:30Z: ada alone before 13:00Z, ada and grace after.
    starts = [api.at(day, f"{12 + n // 2:02d}:{30 * (n % 2):02d}") for n in range(8)]
    responses = _creates(api, "sales-demo", starts)
    assert [r.status for r in responses] == [201] * 8, [r.text for r in responses if r.status != 201]
    active = [b for b in _active_of(api, day) if b["event_type_id"] == api.et("sales-demo")]
    assert len(active) == 8 and _no_overlap_per_host(active)
    # 15:00 already holds one member: of six more requests for it, exactly one gets the other.
    again = _creates(api, "sales-demo", [api.at(day, "15:00")] * 6)
    assert sorted(r.status for r in again) == [201] + [409] * 5, [r.text for r in again]
    assert _no_overlap_per_host(_active_of(api, day))


def test_parallel_reschedules_onto_one_slot_have_one_winner_and_release_the_old_time(api: Api) -> None:
    day = api.fresh_day()
    uids = [api.create("intro", api.at(day, f"{h:02d}:00"))["data"]["uid"] for h in (9, 10, 11, 12)]
    target = {"start": api.at(day, "14:00")}
    responses = _parallel(
        [lambda uid=uid: api.call("POST", f"/v1/bookings/{uid}/reschedule", body=target) for uid in uids]
    )
    assert sorted(r.status for r in responses) == [200, 409, 409, 409], [r.text for r in responses]
    [moved] = [uid for uid, r in zip(uids, responses, strict=True) if r.status == 200]
    freed = api.at(day, f"{9 + uids.index(moved):02d}:00")
    assert api.create("intro", freed)["data"]["status"] == "confirmed"  # the old minutes were released
    assert _no_overlap_per_host(_active_of(api, day))
