"""The schedule document of seed files and `admin schedule set` (20-scheduling §2.4, 60-operations §4)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from fortytwo.domain.scheduling import (
    OutOfOffice,
    ScheduleDocumentError,
    TimeRange,
    default_schedule,
    parse_schedule_document,
    parse_time_range,
    schedule_to_document,
)

SPEC_DOCUMENT: dict[str, Any] = {
    "name": "Working hours",
    "timezone": "Europe/London",
    "weekly": {"mon": ["09:00-12:00", "13:00-17:00"], "tue": ["09:00-17:00"], "sat": []},
    "overrides": {"2026-12-24": ["09:00-12:00"], "2026-12-25": []},
    "out_of_office": [{"from": "2026-12-28", "to": "2027-01-02"}],
}


def test_spec_document_parses() -> None:
    parsed = parse_schedule_document(SPEC_DOCUMENT)
    schedule = parsed.schedule
    assert schedule.name == "Working hours"
    assert schedule.timezone == "Europe/London"
    assert schedule.weekly[0] == (TimeRange(540, 720), TimeRange(780, 1020))
    assert schedule.weekly[1] == (TimeRange(540, 1020),)
    assert 5 not in schedule.weekly and 2 not in schedule.weekly
    assert schedule.overrides == {date(2026, 12, 24): (TimeRange(540, 720),), date(2026, 12, 25): ()}
    assert parsed.out_of_office == (OutOfOffice(date(2026, 12, 28), date(2027, 1, 2)),)
    assert schedule.ranges_for(date(2026, 12, 25)) == ()
    assert schedule.ranges_for(date(2026, 12, 21)) == schedule.weekly[0]


def test_round_trip_to_document() -> None:
    parsed = parse_schedule_document(SPEC_DOCUMENT)
    document = schedule_to_document(parsed.schedule, parsed.out_of_office)
    assert document == {
        **SPEC_DOCUMENT,
        "weekly": {"mon": ["09:00-12:00", "13:00-17:00"], "tue": ["09:00-17:00"]},
    }
    assert parse_schedule_document(document) == parsed


def test_lists_are_stored_sorted_and_touching_ranges_are_allowed() -> None:
    parsed = parse_schedule_document(
        {"timezone": "UTC", "weekly": {"wed": ["13:00-17:00", "09:00-12:00", "12:00-13:00"]}}
    )
    assert [str(r) for r in parsed.schedule.weekly[2]] == ["09:00-12:00", "12:00-13:00", "13:00-17:00"]


def test_minimal_document_and_defaults() -> None:
    parsed = parse_schedule_document({"timezone": "Asia/Tokyo"})
    assert parsed.schedule.name == "Working hours"
    assert parsed.schedule.weekly == {} and parsed.schedule.overrides == {}
    assert parsed.out_of_office == ()
    assert parse_schedule_document({}, default_timezone="UTC").schedule.timezone == "UTC"


def test_yaml_shapes_are_accepted() -> None:
    # YAML gives date objects for unquoted dates and None for `sat:` with nothing after it.
    parsed = parse_schedule_document(
        {
            "timezone": "UTC",
            "weekly": {"sat": None},
            "overrides": {date(2026, 12, 25): None},
            "out_of_office": [{"from": date(2026, 12, 28), "to": date(2026, 12, 28)}],
        }
    )
    assert parsed.schedule.overrides == {date(2026, 12, 25): ()}
    assert parsed.out_of_office == (OutOfOffice(date(2026, 12, 28), date(2026, 12, 28)),)


def test_default_schedule_is_weekdays_nine_to_five() -> None:
    schedule = default_schedule("America/New_York")
    assert schedule.timezone == "America/New_York"
    assert schedule.weekly == {day: (TimeRange(540, 1020),) for day in range(5)}


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("00:00-24:00", (0, 1440)), ("09:00-23:59", (540, 1439)), ("23:59-24:00", (1439, 1440))],
)
def test_valid_ranges(text: str, minutes: tuple[int, int]) -> None:
    parsed = parse_time_range(text)
    assert (parsed.start_minute, parsed.end_minute) == minutes
    assert str(parsed) == text


@pytest.mark.parametrize(
    "text",
    [
        "24:00-24:00",
        "09:00-24:30",
        "09:00-25:00",
        "09:60-10:00",
        "9:00-10:00",
        "10:00-09:00",
        "09:00-09:00",
        "09:00",
    ],
)
def test_invalid_ranges(text: str) -> None:
    with pytest.raises(ValueError):
        parse_time_range(text)


def _error(document: dict[str, Any]) -> tuple[str, str]:
    with pytest.raises(ScheduleDocumentError) as caught:
        parse_schedule_document(document)
    return caught.value.path, caught.value.message


def _utc(**fields: Any) -> dict[str, Any]:
    return {"timezone": "UTC", **fields}


def _ooo(*entries: dict[str, Any]) -> dict[str, Any]:
    return _utc(out_of_office=list(entries))


HALF_HOURS = [f"{h:02d}:00-{h:02d}:30" for h in range(24)] + ["23:30-24:00"]


@pytest.mark.parametrize(
    ("document", "path"),
    [
        (_utc(weekly={"mon": ["9-5"]}), "weekly.mon[0]"),
        (_utc(weekly={"mon": ["09:00-12:00", "11:00-13:00"]}), "weekly.mon[1]"),
        (_utc(weekly={"mon": ["11:00-13:00", "09:00-12:00"]}), "weekly.mon[0]"),
        (_utc(weekly={"mon": [540]}), "weekly.mon[0]"),
        (_utc(weekly={"mon": "09:00-12:00"}), "weekly.mon"),
        (_utc(weekly={"mon": HALF_HOURS}), "weekly.mon"),
        (_utc(weekly={"monday": []}), "weekly.monday"),
        (_utc(weekly=["09:00-12:00"]), "weekly"),
        (_utc(overrides={"2026-02-30": []}), "overrides.2026-02-30"),
        (_utc(overrides={"2026-12-24": ["12:00-09:00"]}), "overrides.2026-12-24[0]"),
        (_utc(overrides={f"2026-01-01{i}": [] for i in range(1001)}), "overrides"),
        (_ooo({"from": "2026-12-28", "to": "2026-12-27"}), "out_of_office[0].to"),
        (_ooo({"from": "2026-01-01", "to": "2027-01-02"}), "out_of_office[0].to"),
        (_ooo({"from": "2026-01-01"}), "out_of_office[0].to"),
        (_ooo({"from": "2026-01-01", "to": "2026-01-01", "x": 1}), "out_of_office[0].x"),
        (_ooo(*[{"from": "2026-01-01", "to": "2026-01-02"}] * 101), "out_of_office"),
        ({"timezone": "Europe/london"}, "timezone"),
        ({"timezone": "localtime"}, "timezone"),
        ({}, "timezone"),
        (_utc(name=""), "name"),
        (_utc(name="x" * 101), "name"),
        (_utc(holidays=[]), "holidays"),
    ],
)
def test_errors_name_the_offending_path(document: dict[str, Any], path: str) -> None:
    assert _error(document)[0] == path


def test_a_full_year_of_out_of_office_is_allowed() -> None:
    parsed = parse_schedule_document(
        {"timezone": "UTC", "out_of_office": [{"from": "2028-01-01", "to": "2028-12-31"}]}  # 366 days
    )
    assert parsed.out_of_office[0].last_day == date(2028, 12, 31)


def test_first_error_follows_document_order_and_all_are_collected() -> None:
    with pytest.raises(ScheduleDocumentError) as caught:
        parse_schedule_document(
            {"weekly": {"tue": ["x"], "mon": ["y"]}, "timezone": "Nowhere/City", "out_of_office": "soon"}
        )
    error = caught.value
    assert error.path == "weekly.tue[0]"
    assert [path for path, _ in error.errors] == [
        "weekly.tue[0]",
        "weekly.mon[0]",
        "timezone",
        "out_of_office",
    ]
    assert str(error).startswith("weekly.tue[0]: ")


def test_not_an_object() -> None:
    with pytest.raises(ScheduleDocumentError):
        parse_schedule_document(["timezone", "UTC"])
