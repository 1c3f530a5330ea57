"""The slot engine, window form (20-scheduling §4.2).

Everything runs on integer epoch milliseconds and sorted interval lists: per host, the schedule
becomes segments (steps 1–2), busy time is subtracted (step 3), and the grid of each segment is
walked only inside free intervals that also satisfy notice, future limit and window (steps 4–6).
Limits, round robin and group seats (steps 7–9) are then decided per distinct start (step 10).
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from fortytwo.domain.scheduling.localtime import (
    MS_PER_DAY,
    MS_PER_MINUTE,
    from_ms,
    local_to_ms,
    to_ms,
    wall_date,
)
from fortytwo.domain.scheduling.models import (
    ACTIVE_STATUSES,
    MAX_SLOTS,
    EventTypeRules,
    ExistingBooking,
    Host,
    Slot,
    SlotList,
)
from fortytwo.domain.scheduling.periods import full_periods
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
    created_at: datetime  # for a session: when it opened
    seats_taken: int = 0
    is_session: bool = False


@dataclass(frozen=True, slots=True)
class StartChoice:
    """A start that the window form lists, with the hosts able to take it, best-ranked first."""

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
        if booking.status not in ACTIVE_STATUSES or (
            exclude_booking_id is not None and booking.id == exclude_booking_id
        ):
            continue
        start = to_ms(booking.start)
        block_start = start - booking.buffer_before_minutes * MS_PER_MINUTE
        block_end = to_ms(booking.end) + booking.buffer_after_minutes * MS_PER_MINUTE
        seats = booking.seats_taken
        if seats is None and booking.event_type_id == group_event_type_id:
            seats = 1
        key = (booking.event_type_id, start)
        session = sessions.get(key) if seats is not None else None  # an ordinary booking is its own meeting
        if session is None:
            meeting = _Meeting(
                booking.event_type_id,
                booking.host_user_id,
                start,
                block_start,
                block_end,
                booking.created_at,
                seats or 0,
                seats is not None,
            )
            if seats is not None:
                sessions[key] = meeting
            meetings.append(meeting)
            continue
        session.seats_taken += seats or 0  # only a group registration (seats set) finds a session
        session.block_start = min(session.block_start, block_start)
        session.block_end = max(session.block_end, block_end)
        if booking.created_at < session.created_at:
            session.created_at = booking.created_at
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


def drop_inside(starts: list[int], intervals: list[Interval]) -> list[int]:
    """The sorted `starts` that lie in none of `intervals`."""
    if not intervals:
        return starts
    merged = merge_intervals(intervals)
    kept = []
    index = 0
    for start in starts:
        while index < len(merged) and merged[index][1] <= start:
            index += 1
        if index == len(merged) or start < merged[index][0]:
            kept.append(start)
    return kept


def rank_hosts(host_ids: Sequence[str], meetings: Iterable[_Meeting], now: datetime) -> list[str]:
    """Step 8 order over meetings of the event type: fewest created this UTC month, oldest last
    assignment (a host with none first), lowest id."""
    now = now.astimezone(UTC)
    month_start = datetime(now.year, now.month, 1, tzinfo=UTC)
    month_end = datetime(now.year + (now.month == 12), now.month % 12 + 1, 1, tzinfo=UTC)
    counts = dict.fromkeys(host_ids, 0)
    last: dict[str, datetime | None] = dict.fromkeys(host_ids)
    for meeting in meetings:
        host = meeting.host_user_id
        if host not in counts:
            continue
        if month_start <= meeting.created_at < month_end:
            counts[host] += 1
        previous = last[host]
        if previous is None or meeting.created_at > previous:
            last[host] = meeting.created_at
    return sorted(host_ids, key=lambda h: (counts[h], last[h] is not None, last[h] or now, h))


def _check_hosts(rules: EventTypeRules, hosts: Sequence[Host]) -> None:
    if not hosts:
        raise ValueError("an event type needs at least one host")
    if not rules.team_owned and len(hosts) != 1:
        raise ValueError("a user-owned event type has exactly one host: its owner")
    if len({host.user_id for host in hosts}) != len(hosts):
        raise ValueError("duplicate host")


@dataclass(frozen=True, slots=True)
class _Grid:
    """The event type's lengths in milliseconds and the bookable range [lower, upper) (steps 4–6)."""

    duration: int
    increment: int
    buffer_before: int
    buffer_after: int
    lower: int
    upper: int


@dataclass(slots=True)
class _Busy:
    """Meetings sorted for step 3: what blocks each host, and E's own group sessions (left to step 9)."""

    own_sessions: dict[str, list[Interval]]
    sessions_by_start: dict[int, _Meeting]
    blocked: dict[str, list[Interval]]


def _grid(rules: EventTypeRules, now_ms: int, window_start: int, window_end: int) -> _Grid:
    return _Grid(
        duration=rules.duration_minutes * MS_PER_MINUTE,
        increment=rules.increment_minutes * MS_PER_MINUTE,
        buffer_before=rules.buffer_before_minutes * MS_PER_MINUTE,
        buffer_after=rules.buffer_after_minutes * MS_PER_MINUTE,
        lower=max(window_start, now_ms + rules.minimum_notice_minutes * MS_PER_MINUTE),
        upper=min(window_end, now_ms + rules.future_limit_days * MS_PER_DAY),
    )


def _sort_busy(rules: EventTypeRules, host_ids: list[str], meetings: list[_Meeting], grid: _Grid) -> _Busy:
    busy = _Busy({host_id: [] for host_id in host_ids}, {}, {host_id: [] for host_id in host_ids})
    own_sessions, sessions_by_start, blocked = busy.own_sessions, busy.sessions_by_start, busy.blocked
    group = rules.is_group
    for meeting in meetings:
        host_id = meeting.host_user_id
        if group and meeting.event_type_id == rules.id:
            # Step 3 leaves E's own sessions to step 9.
            sessions_by_start[meeting.start] = meeting
            if host_id in own_sessions:
                own_sessions[host_id].append((meeting.block_start, meeting.block_end))
        elif host_id in blocked:
            blocked[host_id].append(
                (meeting.block_start - grid.buffer_after, meeting.block_end + grid.buffer_before)
            )
    return busy


def _open_starts(
    rules: EventTypeRules, host: Host, starts: list[int], meetings: list[_Meeting], busy: _Busy, grid: _Grid
) -> list[int]:
    """Steps 7 and 9's own-session rule on one host's grid starts: where a new meeting may open."""
    if starts and host.limits.any:
        mine = (m.start for m in meetings if m.host_user_id == host.user_id)
        full = full_periods(host.limits, get_zone(host.limits_timezone), mine, grid.lower, grid.upper)
        starts = drop_inside(starts, full)
    if starts and rules.is_group and busy.own_sessions[host.user_id]:
        sessions = merge_intervals(busy.own_sessions[host.user_id])
        ends = [end for _, end in sessions]
        before, after, duration = grid.buffer_before, grid.buffer_after, grid.duration
        starts = [s for s in starts if not _overlaps(sessions, ends, s - before, s + duration + after)]
    return starts


def _event_type_full(rules: EventTypeRules, meetings: list[_Meeting], grid: _Grid) -> list[Interval]:
    if not rules.limits.any:
        return []
    mine = (m.start for m in meetings if m.event_type_id == rules.id)
    return full_periods(rules.limits, get_zone(rules.limits_timezone), mine, grid.lower, grid.upper)


def _ranked(rules: EventTypeRules, host_ids: list[str], meetings: list[_Meeting], now_ms: int) -> list[str]:
    if not rules.team_owned:
        return host_ids
    return rank_hosts(host_ids, (m for m in meetings if m.event_type_id == rules.id), from_ms(now_ms))


def _group_choices(
    rules: EventTypeRules,
    opening: list[int],
    busy: _Busy,
    grid_starts: dict[str, list[int]],
    grid: _Grid,
    pick: Callable[[int], tuple[str, ...]],
    max_choices: int,
) -> list[StartChoice]:
    """Step 9: a start with a session is joined with its host or not offered at all."""
    choices = []
    seats = rules.seat_capacity
    sessions_by_start = busy.sessions_by_start
    joinable = sorted(
        start
        for start, session in sessions_by_start.items()
        if grid.lower <= start < grid.upper
        and session.seats_taken < seats
        and session.host_user_id in grid_starts
        and _contains(grid_starts[session.host_user_id], start)
    )
    opening = [start for start in opening if start not in sessions_by_start]
    for start in heapq.merge(opening, joinable):
        session = sessions_by_start.get(start)
        if session is not None:
            choices.append(StartChoice(start, (session.host_user_id,), True, session.seats_taken))
        else:
            choices.append(StartChoice(start, pick(start)))
        if len(choices) > max_choices:
            break
    return choices


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
    every_host: bool = False,
) -> list[StartChoice]:
    """Steps 1–10 on millisecond instants; returns at most `max_choices + 1` choices.

    The extra choice tells the caller that more existed (truncation). Each choice names the
    best-ranked host; with `every_host`, all hosts able to take the start, best first.
    """
    _check_hosts(rules, hosts)
    if not rules.active:
        return []
    grid = _grid(rules, now_ms, window_start, window_end)
    if grid.lower >= grid.upper:
        return []
    meetings = collect_meetings(bookings, rules.id if rules.is_group else None, exclude_booking_id)
    host_ids = [host.user_id for host in hosts]
    busy = _sort_busy(rules, host_ids, meetings, grid)

    grid_starts: dict[str, list[int]] = {}  # steps 1–6: enough to join a group session
    open_starts: dict[str, list[int]] = {}  # steps 1–7 (+ step 9's own-session rule): a new meeting
    for host in hosts:
        starts = host_starts(
            host,
            merge_intervals(busy.blocked[host.user_id]),
            duration=grid.duration,
            increment=grid.increment,
            lower=grid.lower,
            upper=grid.upper,
        )
        grid_starts[host.user_id] = starts
        open_starts[host.user_id] = _open_starts(rules, host, starts, meetings, busy, grid)

    ranked = _ranked(rules, host_ids, meetings, now_ms)
    # Steps 8 and 10: the best-ranked host wins each start, so lower-ranked hosts write first.
    best: dict[int, str] = {}
    for host_id in reversed(ranked):
        for start in open_starts[host_id]:
            best[start] = host_id
    opening = drop_inside(sorted(best), _event_type_full(rules, meetings, grid))

    def pick(start: int) -> tuple[str, ...]:
        return _hosts_at(start, ranked, open_starts) if every_host else (best[start],)

    if not rules.is_group:
        return [StartChoice(start, pick(start)) for start in opening[: max_choices + 1]]
    return _group_choices(rules, opening, busy, grid_starts, grid, pick, max_choices)


def _contains(sorted_values: list[int], value: int) -> bool:
    index = bisect_left(sorted_values, value)
    return index < len(sorted_values) and sorted_values[index] == value


def _hosts_at(start: int, ranked: list[str], open_starts: dict[str, list[int]]) -> tuple[str, ...]:
    return tuple(host_id for host_id in ranked if _contains(open_starts[host_id], start))


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
    duration = timedelta(minutes=rules.duration_minutes)
    team_owned = rules.team_owned
    seats = rules.seat_capacity if rules.is_group else None
    slots = []
    for choice in choices[:MAX_SLOTS]:
        slot_start = from_ms(choice.start)
        slots.append(
            Slot(
                slot_start,
                slot_start + duration,
                choice.hosts[0] if team_owned else None,
                None if seats is None else seats - choice.seats_taken,
            )
        )
    return SlotList(
        event_type_id=rules.id,
        timezone=timezone or rules.timezone or "UTC",
        computed_at=from_ms(to_ms(now)),
        slots=tuple(slots),
        truncated=len(choices) > MAX_SLOTS,
    )
