"""Single-start evaluation (20-scheduling §4.4) and `GET /v1/slots/check` (§6).

`evaluate` runs the window form over `[s, s + 1 ms)`, so it says `bookable` exactly when any
window containing `s` lists `s`, and names the same host.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from fortytwo.domain.scheduling.engine import find_choices
from fortytwo.domain.scheduling.localtime import MS_PER_DAY, MS_PER_MINUTE, from_ms, to_ms
from fortytwo.domain.scheduling.models import (
    Evaluation,
    EventTypeRules,
    ExistingBooking,
    Host,
    SlotCheck,
    UnavailableReason,
)
from fortytwo.domain.timefmt import shifted

# Growing search windows: the common answer is close by, the worst case spans `future_limit_days`.
_SEARCH_SPANS_DAYS = (1, 2, 4, 8, 16, 31)


def _first_failing_rule(rules: EventTypeRules, start_ms: int, now_ms: int) -> UnavailableReason | None:
    if not rules.active:
        return UnavailableReason.EVENT_TYPE_INACTIVE
    if start_ms < now_ms:
        return UnavailableReason.IN_PAST
    if start_ms < now_ms + rules.minimum_notice_minutes * MS_PER_MINUTE:
        return UnavailableReason.OUTSIDE_MINIMUM_NOTICE
    if start_ms >= now_ms + rules.future_limit_days * MS_PER_DAY:
        return UnavailableReason.OUTSIDE_FUTURE_LIMIT
    return None


def evaluate(
    rules: EventTypeRules,
    hosts: Sequence[Host],
    bookings: Iterable[ExistingBooking],
    *,
    now: datetime,
    start: datetime,
    exclude_booking_id: str | None = None,
) -> Evaluation:
    """Whether a booking of `rules` can start at `start`, with which host, or the first reason not.

    `exclude_booking_id` is the booking being rescheduled (X): absent everywhere.
    """
    now_ms = to_ms(now)
    start_ms = to_ms(start)
    slot_start = from_ms(start_ms)
    slot_end = shifted(slot_start, timedelta(minutes=rules.duration_minutes))
    reason = _first_failing_rule(rules, start_ms, now_ms)
    if reason is None and start.microsecond % 1000:
        reason = UnavailableReason.SLOT_BUSY  # no grid point has sub-millisecond digits
    if reason is None:
        choices = find_choices(
            rules,
            hosts,
            bookings,
            now_ms=now_ms,
            window_start=start_ms,
            window_end=start_ms + 1,
            exclude_booking_id=exclude_booking_id,
            max_choices=1,
            every_host=True,
        )
        if choices and choices[0].start == start_ms:
            choice = choices[0]
            return Evaluation(
                bookable=True,
                start=slot_start,
                end=slot_end,
                host_user_id=choice.hosts[0],
                candidate_host_ids=choice.hosts,
                joins_session=choice.joins_session,
                seats_taken=choice.seats_taken,
                seats_remaining=rules.seat_capacity - choice.seats_taken if rules.is_group else None,
            )
        reason = UnavailableReason.SLOT_BUSY
    return Evaluation(bookable=False, start=slot_start, end=slot_end, reason=reason)


def next_available(
    rules: EventTypeRules,
    hosts: Sequence[Host],
    bookings: Iterable[ExistingBooking],
    *,
    now: datetime,
    after: datetime,
) -> datetime | None:
    """The first listed start strictly after `after`, searched up to `now + F days` (exclusive)."""
    bookings = list(bookings)
    now_ms = to_ms(now)
    limit = now_ms + rules.future_limit_days * MS_PER_DAY
    window_start = to_ms(after) + 1
    step = 0
    while window_start < limit:
        span = _SEARCH_SPANS_DAYS[min(step, len(_SEARCH_SPANS_DAYS) - 1)] * MS_PER_DAY
        window_end = min(window_start + span, limit)
        choices = find_choices(
            rules,
            hosts,
            bookings,
            now_ms=now_ms,
            window_start=window_start,
            window_end=window_end,
            max_choices=1,
        )
        if choices:
            return from_ms(choices[0].start)
        window_start = window_end
        step += 1
    return None


def check_slot(
    rules: EventTypeRules,
    hosts: Sequence[Host],
    bookings: Iterable[ExistingBooking],
    *,
    now: datetime,
    start: datetime,
    end: datetime | None = None,
) -> SlotCheck:
    """`GET /v1/slots/check`: `evaluate`, plus the length rule for a given `end` and `next_available`."""
    bookings = list(bookings)
    evaluation = evaluate(rules, hosts, bookings, now=now, start=start)
    reason = evaluation.reason
    if evaluation.bookable and end is not None and to_ms(end) != to_ms(evaluation.end):
        reason = UnavailableReason.SLOT_BUSY  # a booking always lasts exactly duration_minutes
    if reason is None:
        return SlotCheck(available=True, duration_minutes=rules.duration_minutes)
    following = None
    if reason is UnavailableReason.SLOT_BUSY:
        following = next_available(rules, hosts, bookings, now=now, after=start)
    return SlotCheck(
        available=False,
        duration_minutes=rules.duration_minutes,
        reason=reason,
        next_available=following,
    )
