"""The booking plans of series meetings (35-series §4.3, §11.4): the same effects as a single
booking write (ledger entry, busy-minute claims, counters with caps, outbox event), the series
fields on the booking and its webhook, and the move of §10.5 (ledger entry, claims and account-wide
counters change hosts)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta

from fortytwo.domain.bookings.decisions import Availability, WriteFacts
from fortytwo.domain.bookings.limits import CounterOwner
from fortytwo.domain.bookings.model import HostSnapshot
from fortytwo.domain.bookings.plan import BookingPlan
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
    users = {h: HostSnapshot(h, h, f"{h}@example.com") for h in hosts}
    return Availability(rules, made, bookings, users)


def _minutes(plan: BookingPlan, host: str, *, fresh: bool) -> set[datetime]:
    """The busy minutes of `host` the plan claims (`fresh`) or releases."""
    found: set[datetime] = set()
    for change in plan.busy:
        if change.host == host:
            minutes = change.fresh if fresh else change.release
            found |= {change.hour.replace(minute=m) for m in minutes}
    return found


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
    # One ledger entry on the UTC day of the start, and every buffered minute claimed (as for a
    # one-off booking, so the two can never overlap).
    assert [(e.host, e.day.isoformat(), e.key, e.put is not None) for e in plan.entries] == [
        (series.host_user_id, "2026-05-20", "m-1", True)
    ]
    claimed = _minutes(plan, series.host_user_id, fresh=True)
    assert len(claimed) == 50 and min(claimed) == booking.start_at - timedelta(minutes=5)  # 5 min buffer
    assert {owner for change in plan.busy for _, owner in change.take} == {"m-1"}
    assert len(plan.counters) == 6 and {c.delta for c in plan.counters} == {1}
    assert booking.counter_keys == tuple(c.counter for c in plan.counters)
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
    assert [(e.key, e.remove) for e in plan.entries] == [("m-1", True)]
    assert len(_minutes(plan, series.host_user_id, fresh=False)) == 50
    assert not _minutes(plan, series.host_user_id, fresh=True)
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
    removed = {(e.host, e.day.isoformat(), e.key) for e in plan.entries if e.remove}
    added = {(e.host, e.day.isoformat(), e.key) for e in plan.entries if e.put is not None}
    assert removed == {(ada, "2026-05-20", "m-1")} and added == {(grace, "2026-05-20", "m-1")}
    # The old host's minutes are released, the new host's claimed (conditional on being free).
    released, claimed = _minutes(plan, ada, fresh=False), _minutes(plan, grace, fresh=True)
    assert released == claimed and len(claimed) == 50
    deltas = {(c.counter.owner, c.counter.owner_id): c.delta for c in plan.counters}
    assert set(deltas.values()) == {-1, 1}
    assert {k for k, d in deltas.items() if d == -1} == {(CounterOwner.USER, ada)}
    assert {k for k, d in deltas.items() if d == 1} == {(CounterOwner.USER, grace)}
    assert all(key.owner_id != ada for key in moved.counter_keys)
    assert json.loads(plan.events[0].body)["data"]["changed_fields"] == ["host"]
