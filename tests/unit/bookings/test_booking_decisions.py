"""The booking decisions as pure functions: snapshot in, `BookingPlan` out (domain/bookings)."""

from __future__ import annotations

import json
from datetime import date, timedelta

from fortytwo.domain.bookings.decisions import WriteFacts, decide_cancel, decide_no_show, decide_patch
from fortytwo.domain.bookings.ledger import ABSENT, NOT_READ, UNKNOWN, LedgerEntry, LedgerView
from fortytwo.domain.bookings.limits import CounterRef
from fortytwo.domain.bookings.model import HostSnapshot
from fortytwo.domain.bookings.plan import GroupSession, PlanBuilder, SessionAction
from fortytwo.domain.bookings.requests import parse_patch

from .booking_fixtures import ADA, ET_ID, NOW, START, booking, event_type

DAY = date(2026, 5, 20)
FACTS = WriteFacts(
    event_type(title="Intro call (new title)"), HostSnapshot(ADA, "ada", "ada@now.example", "A", "L")
)


def _entry(key: str) -> LedgerEntry:
    return LedgerEntry(key, ET_ID, START, START + timedelta(minutes=30), NOW)


def test_day_states_tell_read_absent_and_unread_days_apart() -> None:
    view = LedgerView(
        {(ADA, DAY): 4},
        first_day=DAY - timedelta(days=1),
        last_day=DAY + timedelta(days=1),
        host_ids=frozenset({ADA}),
    )
    assert view.day_state(ADA, DAY) == 4
    assert view.day_state(ADA, DAY + timedelta(days=1)) == ABSENT
    assert view.day_state(ADA, DAY + timedelta(days=2)) == UNKNOWN  # outside what was read
    assert view.day_state("someone-else", DAY) == UNKNOWN
    assert NOT_READ.day_state(ADA, DAY) == UNKNOWN


def test_an_added_meeting_guards_its_neighbour_days_and_changes_merge_per_item() -> None:
    view = LedgerView(
        {(ADA, DAY): 4}, first_day=DAY - timedelta(days=1), last_day=None, host_ids=frozenset({ADA})
    )
    plan = PlanBuilder(view)
    plan.remove_meeting(ADA, START, "old")
    plan.add_meeting(ADA, _entry("new"))
    plan.count(
        [("ET#x", "DAY#2026-05-20")],
        [CounterRef("ET#x", "DAY#2026-05-20", 3), CounterRef("ET#x", "WEEK#1", 9)],
    )
    built = plan.build(booking())
    days = {d.day: d for d in built.days}
    assert set(days) == {DAY - timedelta(days=1), DAY, DAY + timedelta(days=1)}  # one change per item
    today = days[DAY]
    assert today.state == 4 and today.guard and today.removes == ("old",)
    assert [e.key for e in today.sets] == ["new"]
    assert all(days[d].guard and not days[d].changes for d in days if d != DAY)
    # The day counter nets to zero (one out, one in) and is left alone; the week counter grows.
    assert [(c.scope, c.period, c.delta, c.cap) for c in built.counters] == [("ET#x", "WEEK#1", 1, 9)]


def test_cancel_frees_the_time_and_counters_and_announces_it_as_of_the_write() -> None:
    active = booking(start_at=NOW + timedelta(days=2), end_at=NOW + timedelta(days=2, minutes=30))
    plan = decide_cancel(active, FACTS, None, reason="Sick", now=NOW)
    assert plan is not None
    [write] = plan.bookings
    assert write.expected_version == 1 and write.require_active and write.booking.status == "canceled"
    [day] = plan.days
    assert day.removes == (active.uid,) and not day.guard and day.state == UNKNOWN
    assert [(c.scope, c.delta) for c in plan.counters] == [("ET#x", -1)]
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
    session = GroupSession(ET_ID, start, "host-b", 1, (("ET#x", "DAY#d"),), NOW)
    plan = decide_cancel(registration, FACTS, session, reason=None, now=NOW)
    assert plan is not None
    assert [(s.action, s.session.seats_taken) for s in plan.sessions] == [(SessionAction.LEAVE, 1)]
    [day] = plan.days
    assert day.host == "host-b" and day.removes == (registration.meeting_id,)
    assert [(c.scope, c.period, c.delta) for c in plan.counters] == [("ET#x", "DAY#d", -1)]
    crowded = GroupSession(ET_ID, start, "host-b", 3, (("ET#x", "DAY#d"),), NOW)
    seat_only = decide_cancel(registration, FACTS, crowded, reason=None, now=NOW)
    assert seat_only is not None and not seat_only.counters
    assert seat_only.days[0].seat_deltas == ((registration.meeting_id, -1),)


def test_patch_and_no_show_write_only_the_booking_conditionally() -> None:
    current = booking()
    plan = decide_patch(current, FACTS, request=parse_patch({"metadata": {"a": "1"}}), expected=1, now=NOW)
    assert [(w.expected_version, w.require_active) for w in plan.bookings] == [(1, False)]
    assert not plan.days and not plan.counters and [e.event for e in plan.events] == ["booking.updated"]
    started = NOW + timedelta(days=3)
    marked = decide_no_show(current, FACTS, reason="No show", now=started)
    assert marked is not None and marked.result.no_show_reason == "No show"
    assert decide_no_show(marked.result, FACTS, reason="again", now=started) is None
