"""Retry schedule (40-webhooks §7.5)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fortytwo.domain.timefmt import parse_ts
from fortytwo.domain.webhooks.retry import (
    DEFAULT_OFFSETS,
    ENV_VAR,
    RetrySchedule,
    RetryScheduleError,
    parse_schedule,
    schedule_from_env,
    seconds_until,
)

T0 = parse_ts("2026-05-20T11:00:00.734Z")


def test_default_schedule() -> None:
    schedule = RetrySchedule()
    assert schedule.offsets == DEFAULT_OFFSETS == (0, 60, 300, 1800, 7200, 43200)
    assert schedule.attempts == 6
    assert [schedule.due_at(T0, k) for k in range(1, 7)] == [
        T0,
        T0 + timedelta(minutes=1),
        T0 + timedelta(minutes=5),
        T0 + timedelta(minutes=30),
        T0 + timedelta(hours=2),
        T0 + timedelta(hours=12),
    ]
    assert schedule.next_attempt(5) == 6 and schedule.next_attempt(6) is None
    assert schedule.next_due_at(T0, 1) == T0 + timedelta(minutes=1)
    assert schedule.next_due_at(T0, 6) is None
    assert schedule.is_last(6) and not schedule.is_last(5)
    with pytest.raises(ValueError):
        schedule.offset(0)
    with pytest.raises(ValueError):
        schedule.offset(7)


@pytest.mark.parametrize(
    ("text", "offsets"),
    [
        ("0,1,2,3,4,5", (0, 1, 2, 3, 4, 5)),
        ("0", (0,)),
        (" 0 , 60 ,300", (0, 60, 300)),
        ("0,43200,86400", (0, 43200, 86400)),
        ("0,60,300,1800,7200,43200", DEFAULT_OFFSETS),
    ],
)
def test_parse_valid(text: str, offsets: tuple[int, ...]) -> None:
    assert parse_schedule(text).offsets == offsets


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "1,2",
        "0,0",
        "0,2,1",
        "0,43201",
        "0,1,43202",
        "0,a",
        "0,-1",
        "0,1.5",
        "0,,1",
        "0,1,",
        "0x0",
        "٠,1",
    ],
)
def test_parse_invalid(text: str) -> None:
    with pytest.raises(RetryScheduleError):
        parse_schedule(text)


def test_direct_construction_is_validated() -> None:
    with pytest.raises(RetryScheduleError):
        RetrySchedule(())
    with pytest.raises(RetryScheduleError):
        RetrySchedule((0, True))  # type: ignore[arg-type]


def test_from_env() -> None:
    assert schedule_from_env({}).offsets == DEFAULT_OFFSETS
    assert schedule_from_env({ENV_VAR: "  "}).offsets == DEFAULT_OFFSETS
    assert schedule_from_env({ENV_VAR: "0,1,2"}).offsets == (0, 1, 2)
    with pytest.raises(RetryScheduleError, match=ENV_VAR):
        schedule_from_env({ENV_VAR: "5,6"})


def test_seconds_until_rounds_up_and_clamps() -> None:
    assert seconds_until(T0, T0) == 0
    assert seconds_until(T0, T0 + timedelta(hours=1)) == 0
    assert seconds_until(T0 + timedelta(milliseconds=1), T0) == 1
    assert seconds_until(T0 + timedelta(seconds=59, milliseconds=999), T0) == 60
    assert seconds_until(T0 + timedelta(days=2), T0) == 43200


@given(st.lists(st.integers(min_value=1, max_value=43200), min_size=0, max_size=12))
def test_any_valid_gap_list_parses(gaps: list[int]) -> None:
    offsets = [0]
    for gap in gaps:
        offsets.append(offsets[-1] + gap)
    schedule = parse_schedule(",".join(map(str, offsets)))
    assert schedule.attempts == len(offsets)
    for k in range(1, schedule.attempts):
        assert 0 < schedule.offset(k + 1) - schedule.offset(k) <= 43200
