"""The booking use cases (30-bookings §3–§8, admin no-show): load → decide → commit.

Every write loads a snapshot through `store/bookings` readers, asks ONE pure decision of
`domain/bookings/decisions` for a `BookingPlan`, and commits it in ONE transaction together with the
idempotency completion (`finish`, None outside idempotent requests: admin commands).
`services/retry.with_retries` wraps the three beats where a commit can lose a race (§11.4).
Every failure leaves as a contract error (`services/bookings_errors`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Protocol

from fortytwo.domain.bookings import decisions, lifecycle
from fortytwo.domain.bookings.errors import BookingRuleError
from fortytwo.domain.bookings.listing import ListQuery
from fortytwo.domain.bookings.model import Booking
from fortytwo.domain.bookings.plan import BookingPlan
from fortytwo.domain.bookings.requests import (
    CreateRequest,
    PatchRequest,
    RescheduleRequest,
    check_patch_shape,
)
from fortytwo.domain.ids import normalize_uuid
from fortytwo.observability import count_metric
from fortytwo.services.bookings_errors import contract_errors
from fortytwo.services.idempotency import Completer
from fortytwo.services.retry import with_retries
from fortytwo.store import bookings as store
from fortytwo.store.bookings import LoadedEventType
from fortytwo.store.transactions import LostRace

Finish = Completer[Booking] | None


def _slot_lock_timeout() -> BookingRuleError:
    return BookingRuleError(
        "slot_lock_timeout", "The slot is being booked concurrently; retry with the same Idempotency-Key."
    )


def _unavailable_service(what: str) -> Callable[[], BookingRuleError]:
    return lambda: BookingRuleError("service_unavailable", f"The {what} could not complete; retry shortly.")


def _commit(plan: BookingPlan, finish: Finish) -> Booking:
    store.commit(plan, finish.completion(plan.result) if finish is not None else None)
    if finish is not None:
        finish.committed()
    return plan.result


def _existing(org_id: str, uid: str) -> Booking:
    # A uid that is not a UUID is a 404, never a 400 (and needs no read).
    booking = store.get(org_id, uid) if normalize_uuid(uid) is not None else None
    if booking is None:
        raise BookingRuleError("booking_not_found", "Booking not found.")
    return booking


# --------------------------------------------------------------------------- reads


class EventTypeTarget(Protocol):
    """The event type a create request names: by id, or by username and slug (30-bookings §5.1)."""

    @property
    def event_type_id(self) -> str | None: ...
    @property
    def username(self) -> str | None: ...
    @property
    def event_slug(self) -> str | None: ...


def resolve_event_type(org_id: str, target: EventTypeTarget) -> LoadedEventType | None:
    """The event type a booking or series create names (None: not found)."""
    return store.resolve_event_type(
        org_id, event_type_id=target.event_type_id, username=target.username, event_slug=target.event_slug
    )


def list_page(query: ListQuery) -> tuple[list[Booking], bool]:
    with contract_errors():
        return store.list_page(query)


def get(org_id: str, uid: str) -> Booking:
    with contract_errors():
        return _existing(org_id, uid)


# --------------------------------------------------------------------------- create (§5.2 steps 6–12)


def create(
    *,
    org_id: str,
    request: CreateRequest,
    now: datetime,
    uid: str,
    created_by: Mapping[str, str],
    finish: Finish = None,
) -> Booking:
    """Resolve and check the event type once, then evaluate the start with fresh, consistent reads
    and commit; a lost race re-reads and re-checks (at most 3 attempts) → 409 slot_unavailable or
    503 slot_lock_timeout."""
    with contract_errors():
        loaded = resolve_event_type(org_id, request)
        if loaded is None:
            raise BookingRuleError("event_type_not_found", "Event type not found.")
        event_type = loaded.event_type
        lifecycle.check_bookable(event_type, request.start, now)
        lifecycle.check_attendee(request.attendee)
        responses = lifecycle.check_create_answers(event_type.questions, request.responses)

        def attempt() -> Booking:
            avail = store.load_availability(loaded, now=now, start=request.start)
            plan = decisions.decide_create(
                event_type,
                avail,
                request=request,
                responses=responses,
                now=now,
                uid=uid,
                created_by=created_by,
            )
            return _commit(plan, finish)

        booking = with_retries(attempt, _slot_lock_timeout)
    count_metric("BookingsCreated")
    return booking


# --------------------------------------------------------------------------- cancel (§6 steps 6–11)


def cancel(*, org_id: str, uid: str, reason: str | None, now: datetime, finish: Finish = None) -> Booking:
    """Each attempt restarts at step 6. An already canceled booking comes back unchanged (step 7):
    nothing is written, and the idempotency record completes on its own."""

    def attempt() -> Booking:
        booking = _existing(org_id, uid)
        facts = store.write_facts(booking)
        if lifecycle.cancel_is_noop(booking, facts.event_type, now):
            return booking  # checked before the session read, which only a change needs
        plan = decisions.decide_cancel(booking, facts, store.session(booking), reason=reason, now=now)
        return booking if plan is None else _commit(plan, finish)

    with contract_errors():
        return with_retries(attempt, _unavailable_service("cancellation"))


# --------------------------------------------------------------------------- reschedule (§7 steps 6–14)


def reschedule(
    *,
    org_id: str,
    uid: str,
    request: RescheduleRequest,
    now: datetime,
    new_uid: str,
    created_by: Mapping[str, str],
    finish: Finish = None,
) -> Booking:
    """The new booking. Each attempt restarts at step 6."""

    def attempt() -> Booking:
        old = _existing(org_id, uid)
        loaded = store.booking_event_type(org_id, old.event_type_id)
        decisions.check_reschedule(old, loaded.event_type if loaded else None, request.start, now)
        assert loaded is not None
        group = old.is_group_registration
        avail = store.load_availability(
            loaded,
            now=now,
            start=request.start,
            exclude_key=None if group else old.uid,
            release_seat_of=old.meeting_id if group else None,
        )
        plan = decisions.decide_reschedule(
            old,
            loaded.event_type,
            avail,
            store.session(old),
            request=request,
            now=now,
            new_uid=new_uid,
            created_by=created_by,
        )
        return _commit(plan, finish)

    with contract_errors():
        return with_retries(attempt, _slot_lock_timeout)


# --------------------------------------------------------------------------- PATCH (§8 steps 10–13)


def patch(
    *,
    org_id: str,
    uid: str,
    request: PatchRequest,
    expected: int | str,
    now: datetime,
    finish: Finish = None,
) -> Booking:
    """Load, If-Match, apply, then one write conditional on the version read. Another write that
    won since the read is final (§11.4: the client re-reads); other lost races retry the commit."""
    with contract_errors():
        check_patch_shape(request)
        booking = _existing(org_id, uid)
        lifecycle.check_if_match(booking, expected)  # a stale version needs no further read
        plan = decisions.decide_patch(
            booking, store.write_facts(booking), request=request, expected=expected, now=now
        )

        def on_lost(lost: LostRace) -> None:
            if "booking" in lost.kinds:
                current = store.get(org_id, uid)
                raise BookingRuleError(
                    "version_conflict",
                    "The If-Match version does not match the current booking version",
                    {"current_version": current.version if current else booking.version},
                ) from lost

        return with_retries(lambda: _commit(plan, finish), _unavailable_service("update"), on_lost=on_lost)


# --------------------------------------------------------------------------- no-show (admin)


def mark_no_show(uid: str, reason: str | None, now: datetime) -> tuple[Booking, bool]:
    """`42min admin booking no-show`: (booking, whether it changed). A change bumps the version,
    sets `no_show_*` and emits `booking.no_show` in one transaction; an already marked booking is
    left unchanged and emits nothing. An admin command, not an API call: failures stay the domain's
    `BookingRuleError` (its codes, e.g. `booking_not_started`, have no HTTP status)."""
    booking = store.find(uid)
    if booking is None:
        raise BookingRuleError("booking_not_found", "Booking not found.")
    if lifecycle.no_show_is_noop(booking, now):
        return booking, False
    plan = decisions.decide_no_show(booking, store.write_facts(booking), reason=reason, now=now)
    assert plan is not None
    try:
        return _commit(plan, None), True
    except LostRace as lost:
        raise BookingRuleError(
            "version_conflict", "The booking changed meanwhile; run the command again."
        ) from lost
