"""The booking writes' decisions (30-bookings §5–§8, admin no-show): snapshot in, plan out.

Each `decide_*` is pure: it takes what the service loaded (typed), applies the rules of the
endpoint in the contract's order (raising `BookingRuleError` / `FieldErrors`), and returns the
`BookingPlan` the store commits in one transaction. Outbox events carry the webhook payload "as of
the write", so the decision renders them too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from fortytwo.domain.bookings import lifecycle
from fortytwo.domain.bookings.errors import BookingRuleError
from fortytwo.domain.bookings.event_types import BookableEventType
from fortytwo.domain.bookings.hosting import choose_host
from fortytwo.domain.bookings.ledger import LedgerEntry
from fortytwo.domain.bookings.limits import CounterRef, meeting_counters
from fortytwo.domain.bookings.model import (
    Booking,
    HostSnapshot,
    WriteContext,
    previous_booking,
    webhook_fields,
)
from fortytwo.domain.bookings.plan import BookingPlan, GroupSession, PlanBuilder, SessionAction
from fortytwo.domain.bookings.requests import CreateRequest, PatchRequest, RescheduleRequest
from fortytwo.domain.scheduling import Evaluation, EventTypeRules, ExistingBooking, Host, evaluate
from fortytwo.domain.webhooks.envelope import OutboxEvent, booking_event_data, new_outbox_event


@dataclass(frozen=True, slots=True)
class Availability:
    """The engine's inputs for one start (strongly consistent reads) and the hosts' current user
    facts."""

    rules: EventTypeRules
    hosts: tuple[Host, ...]
    bookings: tuple[ExistingBooking, ...]
    host_users: Mapping[str, HostSnapshot] = field(default_factory=dict)

    def host(self, user_id: str) -> Host:
        return next(h for h in self.hosts if h.user_id == user_id)

    def host_snapshot(self, user_id: str) -> HostSnapshot:
        return self.host_users.get(user_id) or HostSnapshot(user_id, None, None)


@dataclass(frozen=True, slots=True)
class WriteFacts:
    """An existing booking's event type (deleted ones included) and host user, as of the write."""

    event_type: BookableEventType | None
    host_user: HostSnapshot | None


def write_context(facts: WriteFacts, booking: Booking) -> WriteContext:
    """The webhook's "as of the write" values: the event type's current title and labels, the host's
    current names (the snapshot taken at creation when the event type or user is gone)."""
    event_type = facts.event_type
    title = event_type.title if event_type is not None else booking.title
    questions = event_type.questions if event_type is not None else ()
    host = facts.host_user or booking.host
    return WriteContext(title, questions, host.first_name, host.last_name, host.email)


def unavailable(evaluation: Evaluation) -> BookingRuleError:
    reason = str(evaluation.reason)
    if reason == "event_type_inactive":
        return BookingRuleError("event_type_inactive", "The event type is switched off.")
    if reason == "in_past":
        return BookingRuleError("slot_in_past", "The requested start is in the past.")
    return BookingRuleError("slot_unavailable", "That time is no longer available", {"reason": reason})


def booking_event(
    name: str,
    booking: Booking,
    facts: WriteFacts,
    now: datetime,
    *,
    previous: Booking | None = None,
    changed_fields: Sequence[str] | None = None,
) -> OutboxEvent:
    data = booking_event_data(
        name,
        webhook_fields(booking, write_context(facts, booking)),
        previous_booking=previous_booking(previous) if previous is not None else None,
        changed_fields=changed_fields,
    )
    return new_outbox_event(name, booking.organization_id, now, data)


# --------------------------------------------------------------------------- meetings


@dataclass(frozen=True, slots=True)
class _Placement:
    """Where a new meeting goes: its host, and for group event types whether it joins a session."""

    host: str
    joins_session: bool = False


def _place(event_type: BookableEventType, evaluation: Evaluation, keep_host: str | None) -> _Placement:
    host = choose_host(evaluation.candidate_host_ids, keep=None if evaluation.joins_session else keep_host)
    return _Placement(host, event_type.is_group and evaluation.joins_session)


def meeting_entry(booking: Booking, key: str, *, seats: int | None, created_at: datetime) -> LedgerEntry:
    """The ledger entry of a booking's meeting (`key`: its uid, or its group session's id)."""
    return LedgerEntry(
        key=key,
        event_type_id=booking.event_type_id,
        start=booking.start_at,
        end=booking.end_at,
        created_at=created_at,
        status=booking.status,
        buffer_before=booking.buffer_before_minutes,
        buffer_after=booking.buffer_after_minutes,
        seats=seats,
    )


def _add_new_meeting(
    plan: PlanBuilder,
    avail: Availability,
    event_type: BookableEventType,
    booking: Booking,
    placement: _Placement,
    counters: Sequence[CounterRef],
    now: datetime,
) -> None:
    """Ledger, session and counter changes of one new booking (individual, round robin or group)."""
    if not event_type.is_group:
        plan.add_meeting(placement.host, meeting_entry(booking, booking.uid, seats=None, created_at=now))
        plan.count([], counters)
        return
    key = booking.meeting_id
    session = GroupSession(
        event_type.id,
        booking.start_at,
        placement.host,
        1,
        tuple(ref.key for ref in counters),
        now,
        booking.end_at,
        booking.buffer_before_minutes,
        booking.buffer_after_minutes,
    )
    if placement.joins_session:
        # The session is already busy time and already counted (§2.9): only a seat changes.
        plan.session(SessionAction.JOIN, session, avail.rules.seat_capacity)
        plan.change_seats(placement.host, booking.start_at, key, 1)
        return
    plan.session(SessionAction.OPEN, session)
    plan.add_meeting(placement.host, meeting_entry(booking, key, seats=1, created_at=now))
    plan.count([], counters)


def remove_old_meeting(plan: PlanBuilder, booking: Booking, session: GroupSession | None) -> None:
    """Free the time, seat and limit capacity of an active booking (cancel, reschedule away)."""
    host = booking.host.user_id
    if not booking.is_group_registration:
        # The booking keeps the interval and buffers it claimed at creation.
        plan.remove_meeting(
            host, meeting_entry(booking, booking.uid, seats=None, created_at=booking.created_at)
        )
        plan.count(booking.counter_keys, [])
        return
    if session is None:
        return  # nothing left to release
    plan.session(SessionAction.LEAVE, session)
    if session.seats_taken <= 1:
        plan.remove_meeting(session.host_user_id, session.meeting(booking.meeting_id, booking.end_at))
        plan.count(session.counter_keys, [])
    else:
        plan.change_seats(session.host_user_id, booking.start_at, booking.meeting_id, -1)


def host_counters(
    event_type: BookableEventType, avail: Availability, start: datetime, host: str
) -> list[CounterRef]:
    chosen = avail.host(host)
    return meeting_counters(event_type, start, host, chosen.limits, chosen.limits_timezone)


# --------------------------------------------------------------------------- create (§5.2 steps 11–12)


def decide_create(
    event_type: BookableEventType,
    avail: Availability,
    *,
    request: CreateRequest,
    responses: Mapping[str, object],
    now: datetime,
    uid: str,
    created_by: Mapping[str, str],
) -> BookingPlan:
    event_type = replace(event_type, timezone=avail.rules.timezone)
    evaluation = evaluate(avail.rules, avail.hosts, list(avail.bookings), now=now, start=request.start)
    if not evaluation.bookable:
        raise unavailable(evaluation)
    placement = _place(event_type, evaluation, None)
    counters = host_counters(event_type, avail, request.start, placement.host)
    host = avail.host_snapshot(placement.host)
    booking = lifecycle.new_booking(
        uid=uid,
        request=request,
        event_type=event_type,
        event_type_timezone=avail.rules.timezone,
        host=host,
        responses=responses,
        now=now,
        session_start=request.start if event_type.is_group else None,
        counter_keys=[] if event_type.is_group else [ref.key for ref in counters],
        created_by=created_by,
    )
    plan = PlanBuilder()
    plan.put_booking(booking)
    _add_new_meeting(plan, avail, event_type, booking, placement, counters, now)
    plan.emit(booking_event("booking.created", booking, WriteFacts(event_type, host), now))
    return plan.build(booking)


# --------------------------------------------------------------------------- cancel (§6 steps 7–11)


def decide_cancel(
    booking: Booking, facts: WriteFacts, session: GroupSession | None, *, reason: str | None, now: datetime
) -> BookingPlan | None:
    """None for an already canceled booking (step 7: 200, nothing written)."""
    if lifecycle.cancel_is_noop(booking, facts.event_type, now):
        return None
    return cancel_plan(booking, facts, session, reason=reason, now=now)


def cancel_plan(
    booking: Booking, facts: WriteFacts, session: GroupSession | None, *, reason: str | None, now: datetime
) -> BookingPlan:
    """The cancel transaction of an active booking: its new state, its meeting freed, the event."""
    after = lifecycle.canceled(booking, reason, now)
    plan = PlanBuilder()
    plan.replace_booking(after, booking.version, require_active=True)
    remove_old_meeting(plan, booking, session)
    plan.emit(booking_event("booking.canceled", after, facts, now))
    return plan.build(after)


# --------------------------------------------------------------------------- reschedule (§7 steps 9–14)


def check_reschedule(
    old: Booking, event_type: BookableEventType | None, start: datetime, now: datetime
) -> None:
    """Steps 6–8, before the availability read: the booking may move, its event type still exists."""
    lifecycle.check_reschedulable(old)
    lifecycle.check_reschedule_event_type(event_type, start, now)


def decide_reschedule(
    old: Booking,
    event_type: BookableEventType,
    avail: Availability,
    session: GroupSession | None,
    *,
    request: RescheduleRequest,
    now: datetime,
    new_uid: str,
    created_by: Mapping[str, str],
) -> BookingPlan:
    start = request.start
    event_type = replace(event_type, timezone=avail.rules.timezone)
    evaluation = evaluate(
        avail.rules,
        avail.hosts,
        list(avail.bookings),
        now=now,
        start=start,
        exclude_booking_id=None if old.is_group_registration else old.uid,
    )
    if not evaluation.bookable:
        raise unavailable(evaluation)
    placement = _place(event_type, evaluation, old.host.user_id)
    same_session = (
        old.is_group_registration
        and event_type.is_group
        and old.start_at == start
        and old.event_type_id == event_type.id
    )
    counters = host_counters(event_type, avail, start, placement.host)
    host = avail.host_snapshot(placement.host)
    replaced, new = lifecycle.rescheduled_pair(
        old,
        new_uid=new_uid,
        start=start,
        timezone=request.timezone,
        reason=request.reason,
        event_type=event_type,
        host=host if not same_session else old.host,
        now=now,
        session_start=start if event_type.is_group else None,
        counter_keys=[] if event_type.is_group else [ref.key for ref in counters],
        created_by=created_by,
    )
    plan = PlanBuilder()
    plan.replace_booking(replaced, old.version, require_active=True)
    plan.put_booking(new)
    if not same_session:
        # Old and new changes of the same busy-hour item or counter merge inside the plan.
        remove_old_meeting(plan, old, session)
        _add_new_meeting(plan, avail, event_type, new, placement, counters, now)
    facts = WriteFacts(event_type, host)
    plan.emit(booking_event("booking.rescheduled", new, facts, now, previous=old))
    return plan.build(new)


# --------------------------------------------------------------------------- PATCH (§8 steps 11–13)


def decide_patch(
    booking: Booking, facts: WriteFacts, *, request: PatchRequest, expected: int | str, now: datetime
) -> BookingPlan:
    lifecycle.check_if_match(booking, expected)
    questions = facts.event_type.questions if facts.event_type is not None else ()
    after = lifecycle.patched(booking, request, questions, now)
    plan = PlanBuilder()
    plan.replace_booking(after, booking.version, require_active=False)
    changed = list(request.changed_fields)
    plan.emit(booking_event("booking.updated", after, facts, now, changed_fields=changed))
    return plan.build(after)


# --------------------------------------------------------------------------- no-show (admin)


def decide_no_show(
    booking: Booking, facts: WriteFacts, *, reason: str | None, now: datetime
) -> BookingPlan | None:
    """None when the booking is already marked (nothing written, no event)."""
    if lifecycle.no_show_is_noop(booking, now):
        return None
    after = lifecycle.marked_no_show(booking, reason, now)
    plan = PlanBuilder()
    plan.replace_booking(after, booking.version, require_active=True)
    plan.emit(booking_event("booking.no_show", after, facts, now))
    return plan.build(after)
