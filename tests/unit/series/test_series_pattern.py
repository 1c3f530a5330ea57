"""The pattern expansion of 35-series §3: the chapter's worked examples, then properties
against an independent brute-force oracle (every local day, zoneinfo offsets scanned)."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fortytwo.domain.series.pattern import (
    WEEKDAYS,
    Frequency,
    Pattern,
    expand,
    future_dates,
    normalize_weekdays,
    occurrence_start,
)


def weekly(
    days: tuple[str, ...], time: str = "10:00", tz: str = "Europe/Berlin", interval: int = 1
) -> Pattern:
    return Pattern(Frequency.WEEKLY, normalize_weekdays(days), interval, time, tz)


def monthly(time: str = "10:00", tz: str = "Europe/Berlin") -> Pattern:
    return Pattern(Frequency.MONTHLY_SAME_DAY, (), None, time, tz)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- Worked examples ------------------------------------------------------------------------------


def test_weekly_every_other_week_counts_weeks_from_the_monday_of_starts_on() -> None:
    # §3.2: Wednesday 2026-05-20, mon/wed/fri, every 2 weeks.
    got = [
        p.date.isoformat() for p in expand(weekly(("mon", "wed", "fri"), interval=2), date(2026, 5, 20), 8)
    ]
    assert got == [
        "2026-05-20",
        "2026-05-22",
        "2026-06-01",
        "2026-06-03",
        "2026-06-05",
        "2026-06-15",
        "2026-06-17",
        "2026-06-19",
    ]


def test_monthly_on_the_31st_skips_months_without_it() -> None:
    # §3.3: starts_on 2026-01-31, count 4.
    got = [p.date.isoformat() for p in expand(monthly(), date(2026, 1, 31), 4)]
    assert got == ["2026-01-31", "2026-03-31", "2026-05-31", "2026-07-31"]


def test_monthly_on_the_29th_uses_february_only_in_leap_years() -> None:
    got = [p.date.isoformat() for p in expand(monthly(), date(2027, 1, 29), 3)]
    assert got == ["2027-01-29", "2027-03-29", "2027-04-29"]
    got = [p.date.isoformat() for p in expand(monthly(), date(2028, 1, 29), 3)]
    assert got == ["2028-01-29", "2028-02-29", "2028-03-29"]


def test_spring_forward_gap_reads_the_offset_before_the_gap() -> None:
    # §3.4: 01:30 Europe/London on 2026-03-29 does not exist -> 01:30Z (02:30 BST).
    start = occurrence_start(date(2026, 3, 29), weekly(("sun",), "01:30", "Europe/London"))
    assert start == utc("2026-03-29T01:30:00Z")


def test_fall_back_overlap_takes_the_first_occurrence() -> None:
    # §3.4: 01:30 Europe/London on 2026-10-25 exists twice -> 00:30Z (01:30 BST).
    start = occurrence_start(date(2026, 10, 25), weekly(("sun",), "01:30", "Europe/London"))
    assert start == utc("2026-10-25T00:30:00Z")


def test_wall_clock_stays_fixed_and_the_instant_moves_across_dst() -> None:
    pattern = weekly(("mon",), "10:00", "Europe/London")
    assert occurrence_start(date(2026, 7, 6), pattern) == utc("2026-07-06T09:00:00Z")
    assert occurrence_start(date(2026, 12, 7), pattern) == utc("2026-12-07T10:00:00Z")
    got = [p.start_at for p in expand(pattern, date(2026, 10, 19), 2)]
    assert got == [utc("2026-10-19T09:00:00Z"), utc("2026-10-26T10:00:00Z")]


def test_create_example_of_the_chapter_expands_to_its_four_occurrences() -> None:
    # §6.4 / §2.5: wed+mon (any order) 10:00 Berlin from 2026-05-20, count 4.
    got = [(p.date.isoformat(), p.start_at) for p in expand(weekly(("wed", "mon")), date(2026, 5, 20), 4)]
    assert got == [
        ("2026-05-20", utc("2026-05-20T08:00:00Z")),
        ("2026-05-25", utc("2026-05-25T08:00:00Z")),
        ("2026-05-27", utc("2026-05-27T08:00:00Z")),
        ("2026-06-01", utc("2026-06-01T08:00:00Z")),
    ]


def test_weekdays_are_stored_in_week_order_without_duplicates() -> None:
    assert normalize_weekdays(["sun", "wed", "mon", "wed"]) == ("mon", "wed", "sun")


def test_a_pattern_must_be_normalised() -> None:
    with pytest.raises(ValueError):
        Pattern(Frequency.WEEKLY, ("wed", "mon"), 1, "10:00", "UTC")
    with pytest.raises(ValueError):
        Pattern(Frequency.MONTHLY_SAME_DAY, ("mon",), None, "10:00", "UTC")
    with pytest.raises(ValueError):
        Pattern(Frequency.WEEKLY, ("mon",), 9, "10:00", "UTC")


def test_future_dates_start_after_now_and_skip_excluded_dates() -> None:
    pattern = weekly(("mon",), "10:00", "UTC")
    now = utc("2026-06-08T10:00:00Z")  # exactly the start of the 06-08 occurrence: not after now
    got = [
        p.date
        for p in list_head(
            future_dates(pattern, date(2026, 6, 1), now, excluding=frozenset({date(2026, 6, 15)})), 2
        )
    ]
    assert got == [date(2026, 6, 22), date(2026, 6, 29)]


def list_head(items, n):  # type: ignore[no-untyped-def]
    out = []
    for item in items:
        if len(out) == n:
            break
        out.append(item)
    return out


# --- Oracle -----------------------------------------------------------------------------------------

ZONES = ("Europe/London", "America/New_York", "Australia/Sydney")


def oracle_is_pattern_date(day: date, starts_on: date, freq: str, weekdays: set[int], interval: int) -> bool:
    if day < starts_on:
        return False
    if freq == "monthly_same_day":
        return day.day == starts_on.day
    if day.weekday() not in weekdays:
        return False
    # Week numbers by ordinal arithmetic from the Monday on or before starts_on.
    week0 = starts_on.toordinal() - starts_on.weekday()
    return ((day.toordinal() - week0) // 7) % interval == 0


def oracle_instant(day: date, hour: int, minute: int, tz: str) -> datetime:
    """Scan every quarter-hour offset: the earliest UTC instant that shows this wall time; in a
    gap, the wall time read with the offset in force a day before (before the transition)."""
    zone = ZoneInfo(tz)
    wall = datetime(day.year, day.month, day.day, hour, minute)
    hits = []
    for quarter in range(-14 * 4, 14 * 4 + 1):
        offset = timedelta(minutes=15 * quarter)
        instant = (wall - offset).replace(tzinfo=UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == wall:
            hits.append(instant)
    if hits:
        return min(hits)
    before = (wall - timedelta(days=1)).replace(tzinfo=UTC).astimezone(zone).utcoffset()
    assert before is not None
    return (wall - before).replace(tzinfo=UTC)


def oracle_expand(
    starts_on: date, freq: str, weekdays: set[int], interval: int, count: int, hour: int, minute: int, tz: str
) -> list[tuple[date, datetime]]:
    out = []
    day = starts_on
    while len(out) < count:
        if oracle_is_pattern_date(day, starts_on, freq, weekdays, interval):
            out.append((day, oracle_instant(day, hour, minute, tz)))
        day += timedelta(days=1)
    return out


# Dates near the DST changes of the three zones and month ends.
_INTERESTING = [
    date(2026, 3, 8),  # New York spring forward
    date(2026, 3, 29),  # London spring forward
    date(2026, 4, 5),  # Sydney fall back
    date(2026, 10, 4),  # Sydney spring forward
    date(2026, 10, 25),  # London fall back
    date(2026, 11, 1),  # New York fall back
    date(2027, 1, 31),
    date(2028, 2, 29),
    date(2027, 4, 30),
    date(2026, 12, 31),
]
starts_on_st = st.one_of(
    st.sampled_from(_INTERESTING).flatmap(lambda d: st.integers(-9, 2).map(lambda k: d + timedelta(days=k))),
    st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)),
)
times_st = st.one_of(
    st.tuples(st.integers(0, 3), st.sampled_from([0, 15, 30, 59])),  # around the transitions
    st.tuples(st.integers(0, 23), st.integers(0, 59)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    starts_on=starts_on_st,
    freq=st.sampled_from(["weekly", "monthly_same_day"]),
    weekdays=st.sets(st.integers(0, 6), min_size=1, max_size=7),
    interval=st.integers(1, 8),
    count=st.integers(1, 42),
    hm=times_st,
    tz=st.sampled_from(ZONES),
)
def test_expansion_matches_the_brute_force_oracle(
    starts_on: date, freq: str, weekdays: set[int], interval: int, count: int, hm: tuple[int, int], tz: str
) -> None:
    hour, minute = hm
    time = f"{hour:02d}:{minute:02d}"
    if freq == "weekly":
        pattern = Pattern(Frequency.WEEKLY, tuple(WEEKDAYS[i] for i in sorted(weekdays)), interval, time, tz)
    else:
        pattern = Pattern(Frequency.MONTHLY_SAME_DAY, (), None, time, tz)
    got = [(p.date, p.start_at) for p in expand(pattern, starts_on, count)]
    assert got == oracle_expand(starts_on, freq, weekdays, interval, count, hour, minute, tz)


@settings(max_examples=200, deadline=None)
@given(starts_on=starts_on_st, hm=times_st, tz=st.sampled_from(ZONES), count=st.integers(1, 42))
def test_monthly_dates_are_day_n_of_every_month_that_has_it(
    starts_on: date, hm: tuple[int, int], tz: str, count: int
) -> None:
    pattern = Pattern(Frequency.MONTHLY_SAME_DAY, (), None, f"{hm[0]:02d}:{hm[1]:02d}", tz)
    got = [p.date for p in expand(pattern, starts_on, count)]
    assert all(d.day == starts_on.day for d in got)
    # No month that has day N is passed over.
    months = {(d.year, d.month) for d in got}
    y, m = starts_on.year, starts_on.month
    while (y, m) <= (got[-1].year, got[-1].month):
        has_day = starts_on.day <= calendar.monthrange(y, m)[1]
        assert ((y, m) in months) == has_day
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


@settings(max_examples=200, deadline=None)
@given(starts_on=starts_on_st, hm=times_st, tz=st.sampled_from(ZONES))
def test_the_local_wall_time_is_kept_whenever_it_exists(
    starts_on: date, hm: tuple[int, int], tz: str
) -> None:
    pattern = Pattern(Frequency.WEEKLY, WEEKDAYS, 1, f"{hm[0]:02d}:{hm[1]:02d}", tz)
    for planned in expand(pattern, starts_on, 14):
        local = planned.start_at.astimezone(ZoneInfo(tz))
        shown = (local.hour, local.minute)
        if shown != hm:  # only in a spring-forward gap: later by the gap, same local date
            assert local.date() == planned.date
            assert shown > hm
