"""The slot engine, window form (20-scheduling §4.2).

Everything runs on integer epoch milliseconds and sorted interval lists: per host, the schedule
becomes segments (steps 1–2), busy time is subtracted (step 3), and the grid of each segment is
walked only inside free intervals that also satisfy notice, future limit and window (steps 4–6).
Limits, round robin and group seats (steps 7–9) are then decided per distinct start (step 10).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fortytwo.domain.scheduling.localtime import (
    MS_PER_DAY,
    MS_PER_MINUTE,
    from_ms,
    local_to_ms,
    to_ms,
    wall_date,
)
from fortytwo.domain.scheduling.models import (
    MAX_SLOTS,
    EventTypeRules,
    ExistingBooking,
    Host,
    Slot,
    SlotList,
)
from fortytwo.domain.scheduling.periods import LocalCalendar, PeriodCounter
from fortytwo.domain.scheduling.zones import get_zone, is_valid_timezone

_ONE_DAY = timedelta(days=1)
Interval = tuple[int, int]


@dataclass(slots=True)
class _Meeting:
    """One busy item: an ordinary booking, or a whole group session (§2.8)."""

    event_type_id: str
    host_user_id: str
    start: int
    block_start: int  # start − its own buffer before
    block_end: int  # end + its own buffer after
    created_at: int  # for a session: when it opened
    seats_taken: int = 0
    is_session: bool = False


@dataclass(frozen=True, slots=True)
class StartChoice:
    """A start that the window form lists, with every host able to take it, best-ranked first."""

    start: int
    hosts: tuple[str, ...]
    joins_session: bool = False
    seats_taken: int = 0


def collect_meetings(
    bookings: Iterable[ExistingBooking], group_event_type_id: str | None, exclude_booking_id: str | None
) -> list[_Meeting]:
    """Active meetings, group registrations folded into sessions, the excluded booking left out."""
    meetings: list[_Meeting] = []
    sessions: dict[tuple[str, int], _Meeting] = {}
    for booking in bookings:
        if not booking.active or (exclude_booking_id is not None and booking.id == exclude_booking_id):
            continue
        start = to_ms(booking.start)
        block_start = start - booking.buffer_before_minutes * MS_PER_MINUTE
        block_end = to_ms(booking.end) + booking.buffer_after_minutes * MS_PER_MINUTE
        created = to_ms(booking.created_at)
        seats = booking.seats_taken
        if seats is None and booking.event_type_id == group_event_type_id:
            seats = 1
        if seats is None:
            meetings.append(
                _Meeting(booking.event_type_id, booking.host_user_id, start, block_start, block_end, created)
            )
            continue
        key = (booking.event_type_id, start)
        session = sessions.get(key)
        if session is None:
            session = _Meeting(
                booking.event_type_id,
                booking.host_user_id,
                start,
                block_start,
                block_end,
                created,
                seats,
                True,
            )
            sessions[key] = session
            meetings.append(session)
            continue
        session.seats_taken += seats
        session.block_start = min(session.block_start, block_start)
        session.block_end = max(session.block_end, block_end)
        if created < session.created_at:
            session.created_at = created
            session.host_user_id = booking.host_user_id
    # A pre-aggregated session item may carry 0 seats: it is then no meeting at all.
    return [m for m in meetings if not m.is_session or m.seats_taken > 0]


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted union; overlapping and touching intervals join."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract_intervals(available: list[Interval], blocked: list[Interval]) -> list[Interval]:
    """`available − blocked`, both sorted and disjoint."""
    result: list[Interval] = []
    index = 0
    count = len(blocked)
    for start, end in available:
        while index < count and blocked[index][1] <= start:
            index += 1
        cursor = start
        probe = index
        while probe < count and blocked[probe][0] < end:
            block_start, block_end = blocked[probe]
            if block_start > cursor:
                result.append((cursor, block_start))
            cursor = max(cursor, block_end)
            if cursor >= end:
                break
            probe += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def schedule_segments(host: Host, first_day: date, last_day: date) -> list[Interval]:
    """Steps 1–2: the merged segments `(anchor, end)` of each local date, in date order."""
    schedule = host.schedule
    zone = get_zone(schedule.timezone)
    out_of_office = host.out_of_office
    segments: list[Interval] = []
    day = first_day
    while day <= last_day:
        if not any(entry.first_day <= day <= entry.last_day for entry in out_of_office):
            converted = []
            for time_range in schedule.ranges_for(day):
                start = local_to_ms(day, time_range.start_minute, zone, is_end=False)
                end = local_to_ms(day, time_range.end_minute, zone, is_end=True)
                if start < end:
                    converted.append((start, end))
            segments.extend(merge_intervals(converted))
        day += _ONE_DAY
    return segments


def host_starts(
    host: Host, blocked: list[Interval], *, duration: int, increment: int, lower: int, upper: int
) -> list[int]:
    """Steps 1–6 for one host: sorted grid starts in `[lower, upper)` whose meeting fits free time."""
    zone = get_zone(host.schedule.timezone)
    # One local date either side covers segments that start before `lower` and slots that run
    # past local midnight into the next date's segment.
    first_day = wall_date(lower, zone) - _ONE_DAY
    last_day = wall_date(upper - 1, zone) + _ONE_DAY
    grid = schedule_segments(host, first_day, last_day)
    if not grid:
        return []
    free = subtract_intervals(merge_intervals(grid), blocked)
    free_ends = [end for _, end in free]
    starts: set[int] = set()
    for anchor, segment_end in grid:
        low = max(anchor, lower)
        high = min(segment_end, upper)  # exclusive bound for the start
        if low >= high:
            continue
        index = bisect_right(free_ends, low)
        while index < len(free) and free[index][0] < high:
            free_start, free_end = free[index]
            first = max(low, free_start)
            last = min(high - 1, free_end - duration)
            if first <= last:
                start = anchor + -((anchor - first) // increment) * increment
                while start <= last:
                    starts.add(start)
                    start += increment
            index += 1
    return sorted(starts)


def _overlaps(intervals: list[Interval], ends: list[int], start: int, end: int) -> bool:
    index = bisect_right(ends, start)
    return index < len(intervals) and intervals[index][0] < end


def _utc_month_bounds(now_ms: int) -> Interval:
    now = from_ms(now_ms)
    first = datetime(now.year, now.month, 1, tzinfo=now.tzinfo)
    after = datetime(now.year + (now.month == 12), now.month % 12 + 1, 1, tzinfo=now.tzinfo)
    return to_ms(first), to_ms(after)


def rank_hosts(host_ids: Sequence[str], meetings_of_event_type: Iterable[_Meeting], now_ms: int) -> list[str]:
    """Step 8 order: fewest meetings created this UTC month, oldest last assignment, lowest id."""
    month_start, month_end = _utc_month_bounds(now_ms)
    counts = dict.fromkeys(host_ids, 0)
    last: dict[str, int | None] = dict.fromkeys(host_ids)
    for meeting in meetings_of_event_type:
        host = meeting.host_user_id
        if host not in counts:
            continue
        if month_start <= meeting.created_at < month_end:
            counts[host] += 1
        previous = last[host]
        if previous is None or meeting.created_at > previous:
            last[host] = meeting.created_at
    return sorted(host_ids, key=lambda h: (counts[h], last[h] is not None, last[h] or 0, h))


def _check_hosts(rules: EventTypeRules, hosts: Sequence[Host]) -> None:
    if not hosts:
        raise ValueError("an event type needs at least one host")
    if not rules.team_owned and len(hosts) != 1:
        raise ValueError("a user-owned event type has exactly one host: its owner")
    if len({host.user_id for host in hosts}) != len(hosts):
        raise ValueError("duplicate host")


def find_choices(
    rules: EventTypeRules,
    hosts: Sequence[Host],
    bookings: Iterable[ExistingBooking],
    *,
    now_ms: int,
    window_start: int,
    window_end: int,
    exclude_booking_id: str | None = None,
    max_choices: int = MAX_SLOTS,
) -> list[StartChoice]:
    """Steps 1–10 on millisecond instants; returns at most `max_choices + 1` choices.

    The extra choice tells the caller that more existed (truncation).
    """
    _check_hosts(rules, hosts)
    if not rules.active:
        return []
    duration = rules.duration_minutes * MS_PER_MINUTE
    increment = rules.increment_minutes * MS_PER_MINUTE
    buffer_before = rules.buffer_before_minutes * MS_PER_MINUTE
    buffer_after = rules.buffer_after_minutes * MS_PER_MINUTE
    lower = max(window_start, now_ms + rules.minimum_notice_minutes * MS_PER_MINUTE)
    upper = min(window_end, now_ms + rules.future_limit_days * MS_PER_DAY)
    if lower >= upper:
        return []
    group = rules.is_group
    meetings = collect_meetings(bookings, rules.id if group else None, exclude_booking_id)

    host_ids = [host.user_id for host in hosts]
    own_sessions: dict[str, list[Interval]] = {host_id: [] for host_id in host_ids}
    sessions_by_start: dict[int, _Meeting] = {}
    blocked_raw: dict[str, list[Interval]] = {host_id: [] for host_id in host_ids}
    for meeting in meetings:
        host_id = meeting.host_user_id
        if group and meeting.event_type_id == rules.id:
            # Step 3 leaves E's own sessions to step 9.
            sessions_by_start[meeting.start] = meeting
            if host_id in own_sessions:
                own_sessions[host_id].append((meeting.block_start, meeting.block_end))
        elif host_id in blocked_raw:
            blocked_raw[host_id].append(
                (meeting.block_start - buffer_after, meeting.block_end + buffer_before)
            )

    starts_by_host: dict[str, set[int]] = {}
    all_starts: set[int] = set()
    for host in hosts:
        starts = host_starts(
            host,
            merge_intervals(blocked_raw[host.user_id]),
            duration=duration,
            increment=increment,
            lower=lower,
            upper=upper,
        )
        starts_by_host[host.user_id] = set(starts)
        all_starts.update(starts)
    if not all_starts:
        return []

    first_day = from_ms(lower).date() - 2 * _ONE_DAY
    last_day = from_ms(upper).date() + 2 * _ONE_DAY
    event_type_counter: PeriodCounter | None = None
    if rules.limits.any:
        calendar = LocalCalendar(get_zone(rules.limits_timezone), first_day, last_day)
        event_type_counter = PeriodCounter(
            rules.limits, calendar, (m.start for m in meetings if m.event_type_id == rules.id)
        )
    host_counters: dict[str, PeriodCounter] = {}
    for host in hosts:
        if host.limits.any:
            calendar = LocalCalendar(get_zone(host.limits_timezone), first_day, last_day)
            host_counters[host.user_id] = PeriodCounter(
                host.limits, calendar, (m.start for m in meetings if m.host_user_id == host.user_id)
            )

    if rules.team_owned:
        ranked = rank_hosts(host_ids, (m for m in meetings if m.event_type_id == rules.id), now_ms)
    else:
        ranked = host_ids
    session_index = {
        host_id: (merged, [end for _, end in merged])
        for host_id, merged in ((h, merge_intervals(v)) for h, v in own_sessions.items())
    }
    seats = rules.seat_capacity

    choices: list[StartChoice] = []
    for start in sorted(all_starts):
        if group:
            session = sessions_by_start.get(start)
            if session is not None:
                # One session per start: join it with its host, or nothing (step 9).
                host_id = session.host_user_id
                if session.seats_taken < seats and start in starts_by_host.get(host_id, ()):
                    choices.append(StartChoice(start, (host_id,), True, session.seats_taken))
            elif event_type_counter is None or not event_type_counter.is_full(start):
                free_hosts = []
                for host_id in ranked:
                    if start not in starts_by_host[host_id]:
                        continue
                    counter = host_counters.get(host_id)
                    if counter is not None and counter.is_full(start):
                        continue
                    intervals, ends = session_index[host_id]
                    if intervals and _overlaps(
                        intervals, ends, start - buffer_before, start + duration + buffer_after
                    ):
                        continue
                    free_hosts.append(host_id)
                if free_hosts:
                    choices.append(StartChoice(start, tuple(free_hosts)))
        elif event_type_counter is None or not event_type_counter.is_full(start):
            free_hosts = [
                host_id
                for host_id in ranked
                if start in starts_by_host[host_id]
                and (host_id not in host_counters or not host_counters[host_id].is_full(start))
            ]
            if free_hosts:
                choices.append(StartChoice(start, tuple(free_hosts)))
        if len(choices) > max_choices:
            break
    return choices


def to_slot(rules: EventTypeRules, choice: StartChoice) -> Slot:
    start = from_ms(choice.start)
    return Slot(
        start=start,
        end=start + timedelta(minutes=rules.duration_minutes),
        host_user_id=choice.hosts[0] if rules.team_owned else None,
        seats_remaining=rules.seat_capacity - choice.seats_taken if rules.is_group else None,
    )


def compute_slots(
    rules: EventTypeRules,
    hosts: Sequence[Host],
    bookings: Iterable[ExistingBooking],
    *,
    now: datetime,
    start: datetime,
    end: datetime,
    timezone: str | None = None,
    exclude_booking_id: str | None = None,
) -> SlotList:
    """The bookable starts of `rules` in `[start, end)` at `now` (`GET /v1/slots`).

    `timezone` is only echoed (request parameter, else the event type's, else `UTC`); it never
    changes the slots. The window length is not limited here (the HTTP layer caps it at 31 days).
    """
    if timezone is not None and not is_valid_timezone(timezone):
        raise ValueError(f"unknown time zone: {timezone!r}")
    choices = find_choices(
        rules,
        hosts,
        bookings,
        now_ms=to_ms(now),
        window_start=to_ms(start),
        window_end=to_ms(end),
        exclude_booking_id=exclude_booking_id,
    )
    truncated = len(choices) > MAX_SLOTS
    return SlotList(
        event_type_id=rules.id,
        timezone=timezone or rules.timezone or "UTC",
        computed_at=from_ms(to_ms(now)),
        slots=tuple(to_slot(rules, choice) for choice in choices[:MAX_SLOTS]),
        truncated=truncated,
    )
