"""Property tests of the slot engine (§4.5 invariants), against a brute-force reference.

The reference reads schedules through `WallClock` (minute-by-minute wall clock, no `fold`), checks
every grid point one by one against every busy item, counts limit periods from wall-clock
midnights, and ranks hosts directly from §4.2 step 8. The engine must agree with it exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wallclock_oracle import WallClock

from fortytwo.domain.scheduling import (
    EventTypeRules,
    ExistingBooking,
    Host,
    MeetingLimits,
    OutOfOffice,
    SchedulingType,
    Slot,
    compute_slots,
    evaluate,
    get_zone,
    parse_schedule_document,
)

ZONES = [
    "Europe/London",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "America/Santiago",
    "America/St_Johns",
    "UTC",
]
BASE_DAYS = [
    date(2026, 3, 8),
    date(2026, 3, 29),
    date(2026, 4, 4),
    date(2026, 4, 5),
    date(2026, 5, 20),
    date(2026, 9, 6),
    date(2026, 10, 4),
    date(2026, 10, 25),
    date(2026, 11, 1),
]
LONDON_NEW_YORK_TRANSITIONS = {
    "Europe/London": [date(2026, 3, 29), date(2026, 10, 25)],
    "America/New_York": [date(2026, 3, 8), date(2026, 11, 1)],
}
HOST_IDS = [f"019d48b3-0000-7000-8000-00000000000{letter}" for letter in "abc"]
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
MINUTE = timedelta(minutes=1)
PROPERTY_SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@dataclass
class Scenario:
    rules: EventTypeRules
    hosts: list[Host]
    bookings: list[ExistingBooking]
    now: datetime
    window_start: datetime
    window_end: datetime
    base_day: date
    notes: list[str] = field(default_factory=list)


COMMON_LISTS = [
    ["09:00-17:00"],
    ["08:00-12:00", "13:00-18:00"],
    ["00:00-03:00"],
    ["22:00-24:00"],
    ["00:00-24:00"],
]


@st.composite
def range_lists(draw: st.DrawFn, max_ranges: int = 3) -> list[str]:
    if draw(st.booleans()):
        return draw(st.sampled_from(COMMON_LISTS))
    count = draw(st.integers(0, max_ranges))
    points = sorted(draw(st.lists(st.integers(0, 1440), min_size=2 * count, max_size=2 * count, unique=True)))
    return [f"{_hhmm(points[2 * i])}-{_hhmm(points[2 * i + 1])}" for i in range(count)]


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def hosts_strategy(draw: st.DrawFn, count: int, zones: list[str], base_day: date) -> list[Host]:
    hosts = []
    for index in range(count):
        timezone = draw(st.sampled_from(zones))
        weekly = {day: draw(range_lists()) for day in WEEKDAYS if draw(st.integers(0, 9)) < 7}
        nearby = [(base_day + timedelta(days=offset)).isoformat() for offset in range(-2, 4)]
        overrides = {day: draw(range_lists()) for day in draw(st.lists(st.sampled_from(nearby), max_size=3))}
        document = parse_schedule_document({"timezone": timezone, "weekly": weekly, "overrides": overrides})
        out_of_office = ()
        if draw(st.integers(0, 4)) == 0:
            first = base_day + timedelta(days=draw(st.integers(-2, 3)))
            out_of_office = (OutOfOffice(first, first + timedelta(days=draw(st.integers(0, 1)))),)
        limits = MeetingLimits()
        if draw(st.integers(0, 3)) == 0:
            limits = MeetingLimits(
                per_day=draw(st.none() | st.integers(1, 3)),
                per_week=draw(st.none() | st.integers(1, 6)),
                per_month=draw(st.none() | st.integers(1, 8)),
            )
        hosts.append(
            Host(
                HOST_IDS[index],
                document.schedule,
                out_of_office,
                limits,
                default_schedule_timezone=draw(st.none() | st.sampled_from(zones)),
            )
        )
    return hosts


@st.composite
def scenarios(draw: st.DrawFn, zones: list[str] | None = None, days: list[date] | None = None) -> Scenario:
    zones = zones or ZONES
    base_day = draw(st.sampled_from(days or BASE_DAYS))
    kind = draw(st.sampled_from(list(SchedulingType)))
    team_owned = kind is SchedulingType.COLLECTIVE or (kind is SchedulingType.GROUP and draw(st.booleans()))
    host_count = draw(st.integers(1, 3)) if team_owned else 1
    hosts = draw(hosts_strategy(host_count, zones, base_day))
    rules = EventTypeRules(
        id="event-type-e",
        duration_minutes=draw(st.sampled_from([15, 20, 30, 45, 60, 90])),
        slot_increment_minutes=draw(st.sampled_from([None, 5, 10, 15, 25, 30, 60])),
        scheduling_type=kind,
        team_owned=team_owned,
        buffer_before_minutes=draw(st.sampled_from([0, 5, 15])),
        buffer_after_minutes=draw(st.sampled_from([0, 10, 30])),
        minimum_notice_minutes=draw(st.sampled_from([0, 0, 30, 240, 1440])),
        future_limit_days=draw(st.sampled_from([1, 3, 7, 7])),
        max_bookings_per_day=draw(st.none() | st.integers(1, 3)),
        max_bookings_per_week=draw(st.none() | st.integers(1, 5)),
        max_bookings_per_month=draw(st.none() | st.integers(1, 8)),
        seats=draw(st.integers(2, 4)) if kind is SchedulingType.GROUP else None,
        timezone=None if team_owned else hosts[0].schedule.timezone,
    )
    day_start = datetime(base_day.year, base_day.month, base_day.day, tzinfo=UTC)
    window_start = day_start + timedelta(minutes=draw(st.integers(-24 * 60, 24 * 60)))
    length = draw(st.sampled_from([24 * 60, 2 * 24 * 60, 3 * 24 * 60]) | st.integers(1, 3 * 24 * 60))
    window_end = window_start + timedelta(minutes=length)
    if draw(st.integers(0, 4)):
        now = window_start - timedelta(minutes=draw(st.integers(0, 2 * 24 * 60)))
    else:
        now = window_start + timedelta(minutes=draw(st.integers(0, 24 * 60)))
    # Bookings of E on listed starts make sessions, round robin history and reached caps likely.
    open_starts = [
        slot.start
        for slot in compute_slots(rules, hosts, [], now=now, start=window_start, end=window_end).slots
    ]
    bookings = []
    for number in range(draw(st.integers(0, 10))):
        host = draw(st.sampled_from([h.user_id for h in hosts] + ["someone-else"]))
        of_e = draw(st.booleans())
        if of_e and open_starts:
            start = draw(st.sampled_from(open_starts))
        else:
            start = window_start + timedelta(minutes=5 * draw(st.integers(-288, 3 * 288)))
        duration = rules.duration_minutes if of_e else draw(st.sampled_from([15, 30, 60, 120]))
        bookings.append(
            ExistingBooking(
                id=f"b{number}",
                event_type_id=rules.id if of_e else "event-type-other",
                host_user_id=host,
                start=start,
                end=start + timedelta(minutes=duration),
                created_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=draw(st.integers(0, 24 * 330))),
                status=draw(
                    st.sampled_from(["confirmed", "confirmed", "pending", "canceled", "rescheduled"])
                ),
                buffer_before_minutes=draw(st.sampled_from([0, 10])),
                buffer_after_minutes=draw(st.sampled_from([0, 5, 20])),
            )
        )
    return Scenario(rules, hosts, bookings, now, window_start, window_end, base_day)


# ---------------------------------------------------------------- the reference


@cache
def _clock(timezone: str, base_day: date) -> WallClock:
    return WallClock(timezone, base_day - timedelta(days=5), base_day + timedelta(days=6))


def _merge(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _period_day(clock: WallClock, instant: datetime) -> date:
    day = clock.wall(instant)[0]
    while instant < clock.start(day, 0):
        day -= timedelta(days=1)
    while instant >= clock.start(day + timedelta(days=1), 0):
        day += timedelta(days=1)
    return day


def _period_of(clock: WallClock, instant: datetime) -> tuple[date, date, tuple[int, int]]:
    day = _period_day(clock, instant)
    return day, day - timedelta(days=day.weekday()), (day.year, day.month)


def _cap_reached(
    limits: MeetingLimits, clock: WallClock, meeting_starts: list[datetime], start: datetime
) -> bool:
    day, week, month = _period_of(clock, start)
    periods = [_period_of(clock, s) for s in meeting_starts]
    return (
        (limits.per_day is not None and sum(p[0] == day for p in periods) >= limits.per_day)
        or (limits.per_week is not None and sum(p[1] == week for p in periods) >= limits.per_week)
        or (limits.per_month is not None and sum(p[2] == month for p in periods) >= limits.per_month)
    )


@dataclass
class _RefMeeting:
    event_type_id: str
    host: str
    start: datetime
    busy: tuple[datetime, datetime]
    created_at: datetime
    seats: int


def _reference_meetings(s: Scenario) -> list[_RefMeeting]:
    group = s.rules.scheduling_type is SchedulingType.GROUP
    meetings: list[_RefMeeting] = []
    sessions: dict[datetime, _RefMeeting] = {}
    for b in sorted(s.bookings, key=lambda b: b.created_at):
        if b.status not in ("confirmed", "pending"):
            continue
        busy = (
            b.start - timedelta(minutes=b.buffer_before_minutes),
            b.end + timedelta(minutes=b.buffer_after_minutes),
        )
        if group and b.event_type_id == s.rules.id:
            if b.start in sessions:
                session = sessions[b.start]
                session.seats += 1
                session.busy = (min(session.busy[0], busy[0]), max(session.busy[1], busy[1]))
                continue
            sessions[b.start] = _RefMeeting(b.event_type_id, b.host_user_id, b.start, busy, b.created_at, 1)
            meetings.append(sessions[b.start])
        else:
            meetings.append(_RefMeeting(b.event_type_id, b.host_user_id, b.start, busy, b.created_at, 0))
    return meetings


@dataclass(frozen=True)
class _RefGrid:
    """The event type's lengths and the notice / future-limit range, as datetimes."""

    group: bool
    duration: timedelta
    step: timedelta
    before: timedelta
    after: timedelta
    earliest: datetime
    latest: datetime

    @classmethod
    def of(cls, s: Scenario) -> _RefGrid:
        rules = s.rules
        return cls(
            group=rules.scheduling_type is SchedulingType.GROUP,
            duration=timedelta(minutes=rules.duration_minutes),
            step=timedelta(minutes=rules.slot_increment_minutes or rules.duration_minutes),
            before=timedelta(minutes=rules.buffer_before_minutes),
            after=timedelta(minutes=rules.buffer_after_minutes),
            earliest=s.now + timedelta(minutes=rules.minimum_notice_minutes),
            latest=s.now + timedelta(days=rules.future_limit_days),
        )


def _reference_segments(s: Scenario, host: Host) -> list[tuple[datetime, datetime]]:
    """The host's working time, day by day through the wall clock, out-of-office days left out."""
    clock = _clock(host.schedule.timezone, s.base_day)
    zone = get_zone(host.schedule.timezone)
    first = s.window_start.astimezone(zone).date() - timedelta(days=1)
    last = s.window_end.astimezone(zone).date() + timedelta(days=1)
    segments = []
    day = first
    while day <= last:
        if not any(o.first_day <= day <= o.last_day for o in host.out_of_office):
            day_ranges = [
                (clock.start(day, r.start_minute), clock.end(day, r.end_minute))
                for r in host.schedule.ranges_for(day)
            ]
            segments += _merge([(a, b) for a, b in day_ranges if a < b])
        day += timedelta(days=1)
    return segments


def _reference_candidates(s: Scenario, g: _RefGrid, host: Host, meetings: list[_RefMeeting]) -> set[datetime]:
    """Every grid point of the host's segments that fits its working time and clears its busy time."""
    segments = _reference_segments(s, host)
    union = _merge(segments)
    busy = [
        m.busy for m in meetings if m.host == host.user_id and not (g.group and m.event_type_id == s.rules.id)
    ]
    found = set()
    for anchor, end in segments:
        start = anchor
        while start < end:
            fits = any(a <= start and start + g.duration <= b for a, b in union)
            clear = all(start + g.duration + g.after <= a or b <= start - g.before for a, b in busy)
            if fits and clear and s.window_start <= start < s.window_end and g.earliest <= start < g.latest:
                found.add(start)
            start += g.step
    return found


def _reference_ranking(s: Scenario, e_meetings: list[_RefMeeting]) -> list[str]:
    """§4.2 step 8 read directly: fewest this month, never booked first, then longest ago, then id."""
    month = (s.now.year, s.now.month)

    def rank(host_id: str) -> tuple:
        mine = [m.created_at for m in e_meetings if m.host == host_id]
        this_month = sum((c.year, c.month) == month for c in mine)
        last = max(mine) if mine else None
        return (this_month, last is not None, last or s.now, host_id)

    return sorted((h.user_id for h in s.hosts), key=rank) if s.rules.team_owned else [s.hosts[0].user_id]


def _reference_free_hosts(
    s: Scenario,
    g: _RefGrid,
    start: datetime,
    candidates: dict[str, set[datetime]],
    meetings: list[_RefMeeting],
    e_meetings: list[_RefMeeting],
) -> list[str]:
    """The hosts able to open a new meeting at `start`: a candidate, under its caps, no own session near."""
    free = []
    for host in s.hosts:
        if start not in candidates[host.user_id]:
            continue
        host_clock = _clock(host.default_schedule_timezone or host.schedule.timezone, s.base_day)
        mine = [m.start for m in meetings if m.host == host.user_id]
        if _cap_reached(host.limits, host_clock, mine, start):
            continue
        if g.group and any(
            m.host == host.user_id
            and m.busy[0] < start + g.duration + g.after
            and start - g.before < m.busy[1]
            for m in e_meetings
        ):
            continue
        free.append(host.user_id)
    return free


def reference_slots(s: Scenario) -> list[tuple[datetime, str | None, int | None]]:
    rules = s.rules
    g = _RefGrid.of(s)
    group = g.group
    meetings = _reference_meetings(s)
    candidates = {host.user_id: _reference_candidates(s, g, host, meetings) for host in s.hosts}

    e_meetings = [m for m in meetings if m.event_type_id == rules.id]
    ranked = _reference_ranking(s, e_meetings)
    e_clock = _clock(rules.timezone or "UTC", s.base_day)
    seats = rules.seats or 10
    result = []
    for start in sorted(set().union(*candidates.values())):
        session = next((m for m in e_meetings if group and m.start == start), None)
        if session is not None:
            if session.seats < seats and start in candidates.get(session.host, set()):
                result.append((start, session.host, seats - session.seats))
            continue
        if _cap_reached(rules.limits, e_clock, [m.start for m in e_meetings], start):
            continue
        free = _reference_free_hosts(s, g, start, candidates, meetings, e_meetings)
        if free:
            best = min(free, key=ranked.index)
            result.append((start, best, seats if group else None))
    return [(start, host if rules.team_owned else None, left) for start, host, left in result]


def _compute(
    s: Scenario, timezone: str | None = None, start: datetime | None = None, end: datetime | None = None
):
    return compute_slots(
        s.rules,
        s.hosts,
        s.bookings,
        now=s.now,
        start=start or s.window_start,
        end=end or s.window_end,
        timezone=timezone,
    )


def _triples(slots: tuple[Slot, ...]) -> list[tuple[datetime, str | None, int | None]]:
    return [(slot.start, slot.host_user_id, slot.seats_remaining) for slot in slots]


# ---------------------------------------------------------------- properties


@settings(PROPERTY_SETTINGS, max_examples=75)
@given(scenarios())
def test_engine_matches_the_brute_force_reference(s: Scenario) -> None:
    assert _triples(_compute(s).slots) == reference_slots(s)


@settings(PROPERTY_SETTINGS, max_examples=40)
@given(st.data())
def test_spring_forward_and_fall_back_days_london_new_york(data: st.DataObject) -> None:
    timezone = data.draw(st.sampled_from(sorted(LONDON_NEW_YORK_TRANSITIONS)))
    s = data.draw(scenarios(zones=[timezone], days=LONDON_NEW_YORK_TRANSITIONS[timezone]))
    assert _triples(_compute(s).slots) == reference_slots(s)


@PROPERTY_SETTINGS
@given(scenarios())
def test_safety_invariants(s: Scenario) -> None:
    result = _compute(s)
    rules = s.rules
    duration = timedelta(minutes=rules.duration_minutes)
    before, after = (
        timedelta(minutes=rules.buffer_before_minutes),
        timedelta(minutes=rules.buffer_after_minutes),
    )
    hosts = {host.user_id: host for host in s.hosts}
    group = rules.scheduling_type is SchedulingType.GROUP
    for index, slot in enumerate(result.slots):
        assert slot.end - slot.start == duration
        assert s.window_start <= slot.start < s.window_end
        assert slot.start >= s.now + timedelta(minutes=rules.minimum_notice_minutes)
        assert slot.start < s.now + timedelta(days=rules.future_limit_days)
        host = hosts[slot.host_user_id] if rules.team_owned else s.hosts[0]
        for booking in s.bookings:
            if booking.host_user_id != host.user_id or booking.status not in ("confirmed", "pending"):
                continue
            if group and booking.event_type_id == rules.id:
                continue  # a session of E itself: joined or checked by step 9
            blocked_from = booking.start - timedelta(minutes=booking.buffer_before_minutes)
            blocked_to = booking.end + timedelta(minutes=booking.buffer_after_minutes)
            assert slot.start + duration + after <= blocked_from or blocked_to <= slot.start - before
        if index >= 25:
            continue  # the minute walk below is slow; the reference test covers every slot
        # Every minute of the meeting is inside the host's hours as the wall clock reads them.
        clock = _clock(host.schedule.timezone, s.base_day)
        minute = slot.start
        while minute < slot.end:
            assert _inside_hours(host, clock, minute), minute
            minute += MINUTE


def _inside_hours(host: Host, clock: WallClock, instant: datetime) -> bool:
    day = clock.wall(instant)[0]
    for candidate in (day - timedelta(days=1), day, day + timedelta(days=1)):
        if any(o.first_day <= candidate <= o.last_day for o in host.out_of_office):
            continue
        for r in host.schedule.ranges_for(candidate):
            if clock.start(candidate, r.start_minute) <= instant < clock.end(candidate, r.end_minute):
                return True
    return False


@PROPERTY_SETTINGS
@given(scenarios(), st.sampled_from(["UTC", "America/Los_Angeles", "Asia/Tokyo", "Pacific/Kiritimati"]))
def test_requested_timezone_never_changes_the_slots(s: Scenario, timezone: str) -> None:
    plain = _compute(s)
    echoed = _compute(s, timezone=timezone)
    assert echoed.timezone == timezone
    assert echoed.slots == plain.slots
    assert echoed.to_data()["slots"] == plain.to_data()["slots"]


@PROPERTY_SETTINGS
@given(scenarios(), st.floats(0, 1))
def test_results_do_not_depend_on_the_window(s: Scenario, split: float) -> None:
    whole = _compute(s).slots
    middle = s.window_start + (s.window_end - s.window_start) * split
    middle = middle.replace(microsecond=middle.microsecond // 1000 * 1000)
    parts = (
        _compute(s, end=middle).slots + _compute(s, start=middle).slots if middle > s.window_start else whole
    )
    assert parts == whole
    wider = _compute(s, start=s.window_start - timedelta(days=1), end=s.window_end + timedelta(days=1)).slots
    assert tuple(slot for slot in wider if s.window_start <= slot.start < s.window_end) == whole


@PROPERTY_SETTINGS
@given(scenarios(), st.lists(st.integers(0, 3 * 24 * 12), max_size=6))
def test_single_start_evaluation_agrees_with_the_window_form(s: Scenario, probes: list[int]) -> None:
    listed = {slot.start: slot for slot in _compute(s).slots}
    starts = set(listed) | {s.window_start + timedelta(minutes=5 * p) for p in probes}
    for start in sorted(starts):
        if not s.window_start <= start < s.window_end:
            continue
        evaluation = evaluate(s.rules, s.hosts, s.bookings, now=s.now, start=start)
        assert evaluation.bookable == (start in listed), start
        if evaluation.bookable:
            slot = listed[start]
            assert slot.host_user_id in (None, evaluation.host_user_id)
            assert evaluation.candidate_host_ids[0] == evaluation.host_user_id
            assert slot.seats_remaining == evaluation.seats_remaining
