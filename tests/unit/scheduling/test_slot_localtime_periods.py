"""Local wall time → instant (§4.3) and limit periods (§2.9)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slot_fixtures import at, iso
from wallclock_oracle import WallClock

from fortytwo.domain.scheduling import (
    PeriodKind,
    get_zone,
    is_valid_timezone,
    local_to_instant,
    period_bounds,
    period_keys,
)
from fortytwo.domain.scheduling.localtime import from_ms, local_to_ms, to_ms
from fortytwo.domain.scheduling.periods import LocalCalendar, period_day


@pytest.mark.parametrize(
    ("timezone", "day", "hhmm", "is_end", "expected"),
    [
        ("Europe/London", date(2026, 5, 20), "09:00", False, "2026-05-20T08:00:00.000Z"),
        # spring-forward gap: the transition instant, for starts and ends alike
        ("America/New_York", date(2026, 3, 8), "02:30", False, "2026-03-08T07:00:00.000Z"),
        ("America/New_York", date(2026, 3, 8), "02:30", True, "2026-03-08T07:00:00.000Z"),
        ("America/New_York", date(2026, 3, 8), "02:00", False, "2026-03-08T07:00:00.000Z"),
        ("America/New_York", date(2026, 3, 8), "03:00", False, "2026-03-08T07:00:00.000Z"),
        ("Europe/London", date(2026, 3, 29), "01:30", False, "2026-03-29T01:00:00.000Z"),
        ("Europe/London", date(2026, 3, 29), "03:00", True, "2026-03-29T02:00:00.000Z"),
        # fall-back overlap: earlier occurrence for a start, later for an end
        ("America/New_York", date(2026, 11, 1), "01:30", False, "2026-11-01T05:30:00.000Z"),
        ("America/New_York", date(2026, 11, 1), "01:30", True, "2026-11-01T06:30:00.000Z"),
        ("America/New_York", date(2026, 11, 1), "03:00", True, "2026-11-01T08:00:00.000Z"),
        ("Europe/London", date(2026, 10, 25), "01:00", False, "2026-10-25T00:00:00.000Z"),
        ("Europe/London", date(2026, 10, 25), "01:00", True, "2026-10-25T01:00:00.000Z"),
        ("Europe/London", date(2026, 10, 25), "00:00", False, "2026-10-24T23:00:00.000Z"),
        # 24:00 is 00:00 of the next date
        ("Europe/London", date(2026, 5, 20), "24:00", True, "2026-05-20T23:00:00.000Z"),
        ("America/New_York", date(2026, 10, 31), "24:00", True, "2026-11-01T04:00:00.000Z"),
        # a 30-minute DST shift (Lord Howe) and a midnight gap (Santiago)
        ("Australia/Lord_Howe", date(2026, 10, 4), "02:10", False, "2026-10-03T15:30:00.000Z"),
        ("America/Santiago", date(2026, 9, 6), "00:00", False, "2026-09-06T04:00:00.000Z"),
    ],
)
def test_local_to_instant(timezone: str, day: date, hhmm: str, is_end: bool, expected: str) -> None:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    assert iso(local_to_instant(day, hours * 60 + minutes, timezone, is_end=is_end)) == expected


def test_fold_zero_alone_would_be_wrong() -> None:
    # The pitfall named in §4.3: fold=0 maps 02:30 to 07:30Z; the rule says 07:00Z.
    naive = datetime(2026, 3, 8, 2, 30, tzinfo=get_zone("America/New_York"))
    assert iso(naive.astimezone(UTC)) == "2026-03-08T07:30:00.000Z"
    assert iso(local_to_instant(date(2026, 3, 8), 150, "America/New_York")) == "2026-03-08T07:00:00.000Z"


TRANSITION_DAYS = [
    ("Europe/London", date(2026, 3, 29)),
    ("Europe/London", date(2026, 10, 25)),
    ("America/New_York", date(2026, 3, 8)),
    ("America/New_York", date(2026, 11, 1)),
    ("Australia/Lord_Howe", date(2026, 4, 5)),
    ("Australia/Lord_Howe", date(2026, 10, 4)),
    ("America/Santiago", date(2026, 4, 4)),  # midnight falls back: 23:00-24:00 repeats
    ("America/Santiago", date(2026, 9, 6)),  # midnight springs forward
    ("Pacific/Chatham", date(2026, 4, 5)),
]


@pytest.mark.parametrize(("timezone", "day"), TRANSITION_DAYS)
def test_every_minute_of_transition_days_matches_the_wall_clock(timezone: str, day: date) -> None:
    oracle = WallClock(timezone, day, day)
    zone = get_zone(timezone)
    for minute in range(0, 1441):
        assert from_ms(local_to_ms(day, minute, zone, is_end=False)) == oracle.start(day, minute), minute
        if minute > 0:
            assert from_ms(local_to_ms(day, minute, zone, is_end=True)) == oracle.end(day, minute), minute


def test_ranges_across_transitions_have_the_elapsed_length_of_the_spec() -> None:
    def length(day: date, timezone: str) -> timedelta:
        return local_to_instant(day, 180, timezone, is_end=True) - local_to_instant(day, 0, timezone)

    assert length(date(2026, 3, 29), "Europe/London") == timedelta(hours=2)
    assert length(date(2026, 10, 25), "Europe/London") == timedelta(hours=4)
    assert length(date(2026, 3, 8), "America/New_York") == timedelta(hours=2)
    assert length(date(2026, 11, 1), "America/New_York") == timedelta(hours=4)


def test_ms_round_trip_is_exact() -> None:
    value = at("2026-05-20T10:00:00.123Z")
    assert to_ms(value) == 1779271200123
    assert from_ms(to_ms(value)) == value
    with pytest.raises(ValueError):
        to_ms(datetime(2026, 5, 20))


def test_zones_come_from_tzdata_and_are_case_sensitive() -> None:
    assert is_valid_timezone("Europe/London")
    assert is_valid_timezone("UTC") and is_valid_timezone("Etc/UTC")
    assert not is_valid_timezone("europe/london")
    assert not is_valid_timezone("localtime")  # a system file, not a tzdata zone
    assert not is_valid_timezone("../etc/passwd")
    assert not is_valid_timezone(None)
    assert get_zone("Europe/London") is get_zone("Europe/London")


# ---------------------------------------------------------------- periods


def test_period_keys() -> None:
    keys = period_keys(at("2026-05-20T23:30:00Z"), "Europe/London")
    assert (keys.day, keys.week, keys.month) == ("2026-05-21", "2026-05-18", "2026-05")
    keys = period_keys(at("2026-05-31T23:30:00Z"), "Europe/London")
    assert (keys.day, keys.week, keys.month) == ("2026-06-01", "2026-06-01", "2026-06")
    keys = period_keys(at("2026-06-01T03:00:00Z"), "America/New_York")
    assert (keys.day, keys.week, keys.month) == ("2026-05-31", "2026-05-25", "2026-05")


@pytest.mark.parametrize(
    ("instant", "timezone", "kind", "start", "end"),
    [
        ("2026-05-20T12:00Z", "Europe/London", PeriodKind.DAY, "2026-05-19T23:00", "2026-05-20T23:00"),
        ("2026-03-29T12:00Z", "Europe/London", PeriodKind.DAY, "2026-03-29T00:00", "2026-03-29T23:00"),
        ("2026-10-25T12:00Z", "Europe/London", PeriodKind.DAY, "2026-10-24T23:00", "2026-10-26T00:00"),
        ("2026-05-22T12:00Z", "Europe/London", PeriodKind.WEEK, "2026-05-17T23:00", "2026-05-24T23:00"),
        ("2026-03-10T12:00Z", "America/New_York", PeriodKind.MONTH, "2026-03-01T05:00", "2026-04-01T04:00"),
        ("2026-12-31T12:00Z", "UTC", PeriodKind.MONTH, "2026-12-01T00:00", "2027-01-01T00:00"),
        ("2026-09-06T12:00Z", "America/Santiago", PeriodKind.DAY, "2026-09-06T04:00", "2026-09-07T03:00"),
    ],
)
def test_period_bounds(instant: str, timezone: str, kind: PeriodKind, start: str, end: str) -> None:
    first, after = period_bounds(kind, at(instant.replace("Z", ":00Z")), timezone)
    assert (iso(first), iso(after)) == (f"{start}:00.000Z", f"{end}:00.000Z")


@settings(max_examples=60, deadline=None)
@given(
    offset_minutes=st.integers(min_value=0, max_value=400 * 1440),
    timezone=st.sampled_from(["Europe/London", "America/New_York", "America/Santiago", "Pacific/Kiritimati"]),
)
def test_calendar_bisect_agrees_with_direct_period_day(offset_minutes: int, timezone: str) -> None:
    zone = get_zone(timezone)
    calendar = LocalCalendar(zone, date(2026, 1, 1), date(2026, 12, 31))
    ms = to_ms(datetime(2025, 12, 15, tzinfo=UTC)) + offset_minutes * 60_000 + 17
    day = calendar.day_of(ms)
    assert day == period_day(ms, zone)
    first, after = period_bounds(PeriodKind.DAY, from_ms(ms), timezone)
    assert first <= from_ms(ms) < after
