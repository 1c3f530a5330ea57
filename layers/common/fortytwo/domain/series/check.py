"""`check_occurrence` (35-series §4.1): can the series host take a meeting at `start`?

A single-host form of steps 1–3 and 7 of the slot engine (20-scheduling §4.2) plus `in_past`,
built from the engine's own pieces so it agrees with the window form for the same host, state
and `now` on availability, busy time and limits. The booking-page rules are deliberately not
applied (§4.1): no slot grid, no minimum notice (only the past is excluded), no future limit.

Which schedule (decided by the caller when it builds `host`): the host's `Sch(h)` for `E` when
`h` is a host of `E`, otherwise `h`'s default schedule (any member may host a series).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from fortytwo.domain.scheduling.engine import collect_meetings, merge_intervals, schedule_segments
from fortytwo.domain.scheduling.localtime import MS_PER_MINUTE, to_ms, wall_date
from fortytwo.domain.scheduling.models import EventTypeRules, ExistingBooking, Host
from fortytwo.domain.scheduling.periods import full_periods
from fortytwo.domain.scheduling.zones import get_zone
from fortytwo.domain.series.model import SkipReason

_ONE_DAY = timedelta(days=1)


def _inside_any(intervals: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in intervals)


def check_occurrence(
    *,
    rules: EventTypeRules,
    host: Host,
    bookings: Iterable[ExistingBooking],
    start: datetime,
    now: datetime,
    exclude_booking_id: str | None = None,
) -> SkipReason | None:
    """None when free, else the first failing reason of §4.1 (in_past, host_unavailable,
    host_busy, limit_reached). `bookings`: the active meetings of the host (any event type)
    and of `E` (all hosts) near `start`; `exclude_booking_id` is X (the meeting being moved)."""
    s = to_ms(start)
    if s <= to_ms(now):
        return SkipReason.IN_PAST
    duration = rules.duration_minutes * MS_PER_MINUTE
    zone = get_zone(host.schedule.timezone)
    # Steps 1–2: U(h), segments of consecutive dates that touch at local midnight joined.
    segments = schedule_segments(
        host, wall_date(s, zone) - _ONE_DAY, wall_date(s + duration, zone) + _ONE_DAY
    )
    if not _inside_any(merge_intervals(segments), s, s + duration):
        return SkipReason.HOST_UNAVAILABLE
    # Step 3: the buffered meeting against every active meeting of h, group sessions included.
    meetings = collect_meetings(bookings, None, exclude_booking_id)
    low = s - rules.buffer_before_minutes * MS_PER_MINUTE
    high = s + duration + rules.buffer_after_minutes * MS_PER_MINUTE
    for meeting in meetings:
        if meeting.host_user_id == host.user_id and meeting.block_start < high and low < meeting.block_end:
            return SkipReason.HOST_BUSY
    # Step 7: per-event-type caps of E, then account-wide caps of h.
    if rules.limits.any:
        mine = (m.start for m in meetings if m.event_type_id == rules.id)
        full = full_periods(rules.limits, get_zone(rules.limits_timezone), mine, s, s + 1)
        if any(a <= s < b for a, b in full):
            return SkipReason.LIMIT_REACHED
    if host.limits.any:
        hosted = (m.start for m in meetings if m.host_user_id == host.user_id)
        full = full_periods(host.limits, get_zone(host.limits_timezone), hosted, s, s + 1)
        if any(a <= s < b for a, b in full):
            return SkipReason.LIMIT_REACHED
    return None
