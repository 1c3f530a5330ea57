"""The booking plans of series meetings (35-series §4.3, §11.4): snapshot in, `BookingPlan` out.

Every meeting a series books, cancels or changes in place is one ordinary booking write: the same
`PlanBuilder` effects (booking item, ledger entry, busy-minute claims conditional on the minutes
being free, counters with their caps, outbox event) as `domain/bookings/decisions`, so the
no-overlap, seats and limit guarantees of 30-bookings §11.1 hold for series meetings exactly as for
other bookings: a series meeting and a one-off booking claim the same busy minutes. The store
adds the series record's occurrence update (conditional on the lease) to the same transaction.

Differences from the single-booking writes, all from 35-series: the check is `check_occurrence`
(§4.1: no slot grid, no notice, no horizon; the four skip reasons), and series actions cancel and
move meetings whatever the event type's `allow_cancel` says (§4.1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from fortytwo.domain.bookings.decisions import (
    Availability,
    WriteFacts,
    booking_event,
    cancel_plan,
    host_counters,
    meeting_entry,
)
from fortytwo.domain.bookings.event_types import BookableEventType
from fortytwo.domain.bookings.limits import is_host_counter
from fortytwo.domain.bookings.model import Booking, HostSnapshot
from fortytwo.domain.bookings.plan import BookingPlan, PlanBuilder
from fortytwo.domain.series.check import check_occurrence
from fortytwo.domain.series.meetings import new_meeting, with_host, with_link
from fortytwo.domain.series.model import Series, SkipReason


def occurrence_check(
    avail: Availability, host_user_id: str, start: datetime, now: datetime, exclude: str | None = None
) -> SkipReason | None:
    """`check_occurrence` for the series host on the loaded snapshot."""
    return check_occurrence(
        rules=avail.rules,
        host=avail.host(host_user_id),
        bookings=avail.bookings,
        start=start,
        now=now,
        exclude_booking_id=exclude,
    )


def decide_book(
    series: Series,
    event_type: BookableEventType,
    avail: Availability,
    *,
    index: int,
    start: datetime,
    now: datetime,
    uid: str,
    created_by: Mapping[str, str],
) -> BookingPlan | SkipReason:
    """Occurrence `index` at `start`: the booking-create plan, or the reason it is not free."""
    host_id = series.host_user_id
    reason = occurrence_check(avail, host_id, start, now)
    if reason is not None:
        return reason
    event_type = replace(event_type, timezone=avail.rules.timezone)
    counters = host_counters(event_type, avail, start, host_id)
    host = avail.host_snapshot(host_id)
    meeting = new_meeting(
        uid=uid,
        series=series,
        index=index,
        start_at=start,
        event_type=event_type,
        host=host,
        now=now,
        counter_keys=[ref.key for ref in counters],
        created_by=dict(created_by),
    )
    booking = meeting.booking
    plan = PlanBuilder()
    plan.put_booking(booking)
    plan.add_meeting(host_id, meeting_entry(booking, booking.uid, seats=None, created_at=now))
    plan.count([], counters)
    plan.emit(booking_event("booking.created", booking, WriteFacts(event_type, host), now))
    return plan.build(booking)


def decide_cancel(booking: Booking, facts: WriteFacts, *, reason: str, now: datetime) -> BookingPlan | None:
    """The 30-bookings cancel transaction of an active meeting (None: it is no longer active)."""
    if not booking.active:
        return None
    return cancel_plan(booking, facts, None, reason=reason, now=now)


def decide_location(booking: Booking, facts: WriteFacts, *, url: str, now: datetime) -> BookingPlan | None:
    """A new `location_url`, in place (§9.4): `booking.updated` with `changed_fields: ["location"]`."""
    if not booking.active:
        return None
    after = with_link(booking, url, now)
    plan = PlanBuilder()
    plan.replace_booking(after, booking.version, require_active=True)
    plan.emit(booking_event("booking.updated", after, facts, now, changed_fields=["location"]))
    return plan.build(after)


def decide_move(
    booking: Booking,
    event_type: BookableEventType,
    avail: Availability,
    facts: WriteFacts,
    *,
    new_host: HostSnapshot,
    now: datetime,
) -> BookingPlan | SkipReason:
    """A meeting moved to `new_host` in place (§10.5): checked with X = the meeting itself; the
    ledger entry and the account-wide counters move from the old host to the new one."""
    start = booking.start_at
    reason = occurrence_check(avail, new_host.user_id, start, now, exclude=booking.uid)
    if reason is not None:
        return reason
    event_type = replace(event_type, timezone=avail.rules.timezone)
    new_refs = host_counters(event_type, avail, start, new_host.user_id)
    old_user = [key for key in booking.counter_keys if is_host_counter(key)]
    added = [ref for ref in new_refs if is_host_counter(ref.key)]
    kept = [key for key in booking.counter_keys if not is_host_counter(key)]
    after = with_host(booking, new_host, [*kept, *(ref.key for ref in added)], now)
    plan = PlanBuilder()
    plan.replace_booking(after, booking.version, require_active=True)
    # The old host's entry as it was added: the minutes it claimed are released.
    plan.remove_meeting(
        booking.host.user_id, meeting_entry(booking, booking.uid, seats=None, created_at=booking.created_at)
    )
    plan.add_meeting(new_host.user_id, meeting_entry(after, after.uid, seats=None, created_at=now))
    plan.count(old_user, added)
    plan.emit(
        booking_event(
            "booking.updated", after, WriteFacts(facts.event_type, new_host), now, changed_fields=["host"]
        )
    )
    return plan.build(after)
