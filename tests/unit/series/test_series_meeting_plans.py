"""The booking plans of series meetings (35-series §4.3, §11.4): the same effects as a single
booking write (ledger guards, counters with caps, outbox event), the series fields on the booking
and its webhook, and the move of §10.5 (ledger and account-wide counters change hosts)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from fortytwo.domain.bookings.decisions import Availability, WriteFacts
from fortytwo.domain.bookings.ledger import ABSENT, LedgerView
from fortytwo.domain.bookings.model import HostSnapshot
from fortytwo.domain.scheduling import (
    EventTypeRules,
    ExistingBooking,
    Host,
    MeetingLimits,
    Schedule,
    TimeRange,
)
from fortytwo.domain.series.meeting_plans import decide_book, decide_cancel, decide_move
from fortytwo.domain.series.model import SkipReason

from .series_sim import utc
from .test_series_meetings import EVENT_TYPE, series_for

NOW = utc("2026-05-18T08:00:00Z")
WEEKDAYS = {d: (TimeRange(0, 24 * 60),) for d in range(7)}


def _avail(
    *hosts: str, bookings: tuple[ExistingBooking, ...] = (), host_cap: int | None = None
) -> Availability:
    rules = EventTypeRules(
        id=EVENT_TYPE.id, duration_minutes=45, timezone="Europe/Berlin", buffer_before_minutes=5
    )
    made = tuple(
        Host(h, Schedule("Europe/Berlin", WEEKDAYS), limits=MeetingLimits(per_day=host_cap)) for h in hosts
    )
    view = LedgerView(
        versions={}, first_day=date(2026, 5, 1), last_day=date(2026, 7, 1), host_ids=frozenset(hosts)
    )
    users = {h: HostSnapshot(h, h, f"{h}@example.com") for h in hosts}
    return Availability(rules, made, bookings, view, users)


def test_a_free_occurrence_is_the_booking_create_transaction_with_series_fields() -> None:
    series = series_for()
    start = series.occurrence(1).start_at
    plan = decide_book(
        series,
        EVENT_TYPE,
        _avail(series.host_user_id),
        index=1,
        start=start,
        now=NOW,
        uid="m-1",
        created_by={},
    )
    assert not isinstance(plan, SkipReason)
    booking = plan.result
    assert (booking.series_id, booking.series_index, booking.uid) == (series.uid, 1, "m-1")
    # The ledger day of the start is written and its neighbours guarded, all on "absent" (read, no item).
    assert sorted((d.day.isoformat(), d.guard, len(d.sets)) for d in plan.days) == [
        ("2026-05-19", True, 0),
        ("2026-05-20", True, 1),
        ("2026-05-21", True, 0),
    ]
    assert {d.state for d in plan.days} == {ABSENT}
    assert len(plan.counters) == 6 and {c.delta for c in plan.counters} == {1}
    assert booking.counter_keys == tuple((c.scope, c.period) for c in plan.counters)
    (event,) = plan.events
    payload = json.loads(event.body)["data"]["booking"]
    assert (payload["series_id"], payload["series_index"]) == (series.uid, 1)
    assert list(payload)[-2:] == ["series_id", "series_index"]


def test_a_busy_or_capped_occurrence_is_a_skip_reason() -> None:
    series = series_for()
    start = series.occurrence(1).start_at
    busy = ExistingBooking(
        "other", EVENT_TYPE.id, series.host_user_id, start, start.replace(hour=start.hour + 1), NOW
    )
    outcome = decide_book(
        series,
        EVENT_TYPE,
        _avail(series.host_user_id, bookings=(busy,)),
        index=1,
        start=start,
        now=NOW,
        uid="m-1",
        created_by={},
    )
    assert outcome is SkipReason.HOST_BUSY
    earlier = ExistingBooking(
        "earlier", "other-et", series.host_user_id, start.replace(hour=3), start.replace(hour=4), NOW
    )
    capped = decide_book(
        series,
        EVENT_TYPE,
        _avail(series.host_user_id, bookings=(earlier,), host_cap=1),
        index=1,
        start=start,
        now=NOW,
        uid="m",
        created_by={},
    )
    assert capped is SkipReason.LIMIT_REACHED


def test_cancel_frees_time_and_counts_whatever_allow_cancel_says() -> None:
    series = series_for()
    start = series.occurrence(1).start_at
    made = decide_book(
        series,
        EVENT_TYPE,
        _avail(series.host_user_id),
        index=1,
        start=start,
        now=NOW,
        uid="m-1",
        created_by={},
    )
    assert not isinstance(made, SkipReason)
    locked = replace(EVENT_TYPE, allow_cancel=False)  # series actions cancel anyway (§4.1)
    plan = decide_cancel(made.result, WriteFacts(locked, None), reason="Series paused", now=NOW)
    assert plan is not None
    assert plan.result.status == "canceled" and plan.result.cancellation_reason == "Series paused"
    assert [d.removes for d in plan.days] == [("m-1",)]
    assert {c.delta for c in plan.counters} == {-1} and len(plan.counters) == 6
    assert decide_cancel(plan.result, WriteFacts(EVENT_TYPE, None), reason="again", now=NOW) is None


def test_move_changes_the_ledger_and_only_the_account_wide_counters() -> None:
    series = series_for()
    start = series.occurrence(1).start_at
    ada, grace = series.host_user_id, "grace"
    made = decide_book(
        series, EVENT_TYPE, _avail(ada), index=1, start=start, now=NOW, uid="m-1", created_by={}
    )
    assert not isinstance(made, SkipReason)
    meeting = made.result
    plan = decide_move(
        meeting,
        EVENT_TYPE,
        _avail(ada, grace),
        WriteFacts(EVENT_TYPE, None),
        new_host=HostSnapshot(grace, "grace", "grace@example.com"),
        now=NOW,
    )
    assert not isinstance(plan, SkipReason)
    moved = plan.result
    assert (moved.uid, moved.start_at, moved.host.user_id, moved.version) == ("m-1", start, grace, 2)
    removed = {(d.host, d.day.isoformat()): d.removes for d in plan.days if d.removes}
    added = {(d.host, d.day.isoformat()) for d in plan.days if d.sets}
    assert removed == {(ada, "2026-05-20"): ("m-1",)} and added == {(grace, "2026-05-20")}
    deltas = {c.scope: c.delta for c in plan.counters}
    assert deltas == {f"USER#{ada}": -1, f"USER#{grace}": 1}
    assert all(not key[0].startswith(f"USER#{ada}") for key in moved.counter_keys)
    assert json.loads(plan.events[0].body)["data"]["changed_fields"] == ["host"]
