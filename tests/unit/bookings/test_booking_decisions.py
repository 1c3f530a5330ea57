"""The booking decisions as pure functions: snapshot in, `BookingPlan` out (domain/bookings)."""

from __future__ import annotations

import json
from datetime import timedelta

from fortytwo.domain.bookings.claims import claimed_minutes
from fortytwo.domain.bookings.decisions import WriteFacts, decide_cancel, decide_no_show, decide_patch
from fortytwo.domain.bookings.ledger import LedgerEntry
from fortytwo.domain.bookings.limits import CounterId, CounterRef
from fortytwo.domain.bookings.model import HostSnapshot
from fortytwo.domain.bookings.plan import GroupSession, PlanBuilder, SessionAction
from fortytwo.domain.bookings.requests import parse_patch

from .booking_fixtures import ADA, ET_DAY, ET_ID, NOW, START, booking, event_type

FACTS = WriteFacts(
    event_type(title="Intro call (new title)"), HostSnapshot(ADA, "ada", "ada@now.example", "A", "L")
)


def _entry(key: str, start=START, minutes: int = 30, before: int = 0, after: int = 0) -> LedgerEntry:  # type: ignore[no-untyped-def]
    return LedgerEntry(key, ET_ID, start, start + timedelta(minutes=minutes), NOW, "confirmed", before, after)


def test_a_meeting_claims_every_minute_of_its_buffered_interval_by_utc_hour() -> None:
    # 12:50–13:20 with 10 minutes of buffer each side: 12:40–13:30.
    claims = claimed_minutes(_entry("x", START + timedelta(minutes=50), before=10, after=10))
    assert claims == {START: frozenset(range(40, 60)), START + timedelta(hours=1): frozenset(range(30))}
    # Back to back meetings claim disjoint minutes; a stray second widens, never narrows, a claim.
    assert claimed_minutes(_entry("y", START + timedelta(minutes=30))) == {START: frozenset(range(30, 60))}
    odd = claimed_minutes(_entry("z", START + timedelta(seconds=90), minutes=1))
    assert odd == {START: frozenset({1, 2})}
    # The longest meeting (720 + 2 × 240 minutes) spans 21 hour items at most.
    longest = claimed_minutes(_entry("l", START + timedelta(minutes=1), minutes=720, before=240, after=240))
    assert len(longest) == 21 and sum(len(m) for m in longest.values()) == 1200


def test_a_reschedule_merges_release_and_claim_per_busy_hour_item() -> None:
    plan = PlanBuilder()
    plan.remove_meeting(ADA, _entry("old"))  # 12:00–12:30
    plan.add_meeting(ADA, _entry("new", START + timedelta(minutes=15), minutes=60))  # 12:15–13:15
    week = CounterId("event_type", "x", "week", "2026-05-18")
    plan.count([ET_DAY], [CounterRef(ET_DAY, 3), CounterRef(week, 9)])
    built = plan.build(booking())
    hours = {change.hour: change for change in built.busy}
    assert set(hours) == {START, START + timedelta(hours=1)}  # one change per item
    noon = hours[START]
    assert noon.release == frozenset(range(15))  # released, not retaken
    assert noon.fresh == frozenset(range(30, 60))  # only minutes "old" did not hold are conditional
    assert dict(noon.take) == dict.fromkeys(range(15, 60), "new")
    assert hours[START + timedelta(hours=1)].fresh == frozenset(range(15))
    assert {(e.key, e.put is not None, e.remove) for e in built.entries} == {
        ("old", False, True),
        ("new", True, False),
    }
    # The day counter nets to zero (one out, one in) and is left alone; the week counter grows.
    assert [(c.counter, c.delta, c.cap) for c in built.counters] == [(week, 1, 9)]


def test_cancel_frees_the_time_and_counters_and_announces_it_as_of_the_write() -> None:
    active = booking(start_at=NOW + timedelta(days=2), end_at=NOW + timedelta(days=2, minutes=30))
    plan = decide_cancel(active, FACTS, None, reason="Sick", now=NOW)
    assert plan is not None
    [write] = plan.bookings
    assert write.expected_version == 1 and write.require_active and write.booking.status == "canceled"
    [entry] = plan.entries
    assert entry.remove and entry.key == active.uid
    [hour] = plan.busy
    assert hour.release == frozenset(range(30)) and not hour.fresh and not hour.take
    assert [(c.counter, c.delta) for c in plan.counters] == [(ET_DAY, -1)]
    [event] = plan.events
    payload = json.loads(event.body)
    assert (
        event.event == "booking.canceled"
        and payload["data"]["booking"]["eventTypeName"] == "Intro call (new title)"
    )
    assert decide_cancel(plan.result, FACTS, None, reason=None, now=NOW) is None  # already canceled


def test_the_last_registration_closes_its_group_session() -> None:
    start = NOW + timedelta(days=2)
    registration = booking(start_at=start, end_at=start + timedelta(minutes=30), session_start=start)
    # The session claimed 60 minutes and a 15-minute buffer when it opened: that is what it frees.
    session = GroupSession(ET_ID, start, "host-b", 1, (ET_DAY,), NOW, start + timedelta(minutes=60), 0, 15)
    plan = decide_cancel(registration, FACTS, session, reason=None, now=NOW)
    assert plan is not None
    assert [(s.action, s.session.seats_taken) for s in plan.sessions] == [(SessionAction.LEAVE, 1)]
    [entry] = plan.entries
    assert entry.host == "host-b" and entry.remove and entry.key == registration.meeting_id
    assert {h.host for h in plan.busy} == {"host-b"}
    assert sum(len(h.release) for h in plan.busy) == 75
    assert [(c.counter, c.delta) for c in plan.counters] == [(ET_DAY, -1)]
    crowded = GroupSession(ET_ID, start, "host-b", 3, (ET_DAY,), NOW)
    seat_only = decide_cancel(registration, FACTS, crowded, reason=None, now=NOW)
    assert seat_only is not None and not seat_only.counters and not seat_only.busy
    assert [(e.key, e.seat_delta) for e in seat_only.entries] == [(registration.meeting_id, -1)]


def test_patch_and_no_show_write_only_the_booking_conditionally() -> None:
    current = booking()
    plan = decide_patch(current, FACTS, request=parse_patch({"metadata": {"a": "1"}}), expected=1, now=NOW)
    assert [(w.expected_version, w.require_active) for w in plan.bookings] == [(1, False)]
    assert (
        not plan.entries
        and not plan.busy
        and not plan.counters
        and [e.event for e in plan.events] == ["booking.updated"]
    )
    started = NOW + timedelta(days=3)
    marked = decide_no_show(current, FACTS, reason="No show", now=started)
    assert marked is not None and marked.result.no_show_reason == "No show"
    assert decide_no_show(marked.result, FACTS, reason="again", now=started) is None
