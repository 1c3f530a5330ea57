"""The schedule document of seed files and `42min admin schedule set` (20-scheduling §2.4, 60-operations §4).

```yaml
name: Working hours
timezone: Europe/London
weekly: { mon: ["09:00-12:00", "13:00-17:00"], tue: ["09:00-17:00"], sat: [] }
overrides: { "2026-12-24": ["09:00-12:00"], "2026-12-25": [] }
out_of_office: [ { from: "2026-12-28", to: "2027-01-02" } ]
```

Errors name the offending path relative to the document (`weekly.mon[0]`,
`overrides.2026-12-24[1]`, `out_of_office[0].to`); a seed loader prefixes its own path
(`users[1].schedule.`). Every problem is collected; the first one in document order leads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fortytwo.domain.scheduling.models import (
    WEEKDAY_KEYS,
    OutOfOffice,
    RangeList,
    Schedule,
    TimeRange,
)
from fortytwo.domain.scheduling.zones import MAX_TIMEZONE_LENGTH, is_valid_timezone

DEFAULT_SCHEDULE_NAME = "Working hours"
MAX_RANGES_PER_LIST = 24
MAX_OVERRIDES = 1000
MAX_OUT_OF_OFFICE = 100
MAX_OUT_OF_OFFICE_DAYS = 366
MAX_NAME_LENGTH = 100
_DOCUMENT_FIELDS = ("name", "timezone", "weekly", "overrides", "out_of_office")
_OUT_OF_OFFICE_FIELDS = ("from", "to")
_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class ScheduleDocument:
    """A validated document: the schedule and the owner's out-of-office list (§2.4.3)."""

    schedule: Schedule
    out_of_office: tuple[OutOfOffice, ...] = ()


class ScheduleDocumentError(ValueError):
    """The document is invalid. `errors` holds `(path, message)` pairs; `path`/`message` the first."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        self.path, self.message = errors[0]
        super().__init__(f"{self.path}: {self.message}")


def parse_time_range(text: str) -> TimeRange:
    """`HH:MM-HH:MM`; `24` only in the exact end `24:00`; start before end (§2.4.1)."""
    match = _RANGE.match(text)
    if not match:
        raise ValueError("must be a range HH:MM-HH:MM")
    start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
    if start_h > 23 or start_m > 59:
        raise ValueError("start must be 00:00-23:59")
    if end_m > 59 or end_h > 24 or (end_h == 24 and end_m != 0):
        raise ValueError("end must be 00:00-23:59 or 24:00")
    start, end = start_h * 60 + start_m, end_h * 60 + end_m
    if start >= end:
        raise ValueError("start must be before end")
    return TimeRange(start, end)


def format_range_list(ranges: RangeList) -> list[str]:
    return [str(time_range) for time_range in ranges]


def default_schedule(timezone: str) -> Schedule:
    """The schedule every user starts with: Mon–Fri 09:00–17:00 (§2.2)."""
    working_day = (TimeRange(9 * 60, 17 * 60),)
    return Schedule(
        timezone=timezone, weekly=dict.fromkeys(range(5), working_day), name=DEFAULT_SCHEDULE_NAME
    )


class _Collector:
    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.errors.append((path, message))


def _parse_range_list(value: Any, path: str, errors: _Collector) -> RangeList:
    if value is None:
        return ()  # YAML `sat:` with nothing after it: unavailable, like `[]`
    if not isinstance(value, list | tuple):
        errors.add(path, "must be a list of ranges HH:MM-HH:MM")
        return ()
    if len(value) > MAX_RANGES_PER_LIST:
        errors.add(path, f"at most {MAX_RANGES_PER_LIST} ranges")
        return ()
    parsed: list[tuple[TimeRange, int]] = []
    for index, item in enumerate(value):
        item_path = f"{path}[{index}]"
        if not isinstance(item, str):
            errors.add(item_path, "must be a string HH:MM-HH:MM")
            continue
        try:
            parsed.append((parse_time_range(item), index))
        except ValueError as exc:
            errors.add(item_path, str(exc))
    parsed.sort()
    for (previous, _), (current, index) in zip(parsed, parsed[1:], strict=False):
        if current.start_minute < previous.end_minute:
            errors.add(f"{path}[{index}]", f"overlaps {previous}")
    return tuple(time_range for time_range, _ in parsed)


def _parse_date(value: Any) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value  # YAML turns unquoted dates into date objects
    if isinstance(value, str) and _DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _object(value: Any, path: str, shape: str, errors: _Collector) -> Mapping[Any, Any]:
    """`value` when it is an object; absent → empty; anything else → the error and empty."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        errors.add(path, f"must be an object {shape}")
        return {}
    return value


def _parse_weekly(value: Any, errors: _Collector) -> dict[int, RangeList]:
    value = _object(value, "weekly", "with keys mon…sun", errors)
    weekly: dict[int, RangeList] = {}
    for key, ranges in value.items():
        if key not in WEEKDAY_KEYS:
            errors.add(f"weekly.{key}", "unknown weekday (use mon, tue, wed, thu, fri, sat, sun)")
            continue
        weekly[WEEKDAY_KEYS.index(key)] = _parse_range_list(ranges, f"weekly.{key}", errors)
    return {day: ranges for day, ranges in weekly.items() if ranges}


def _parse_overrides(value: Any, errors: _Collector) -> dict[date, RangeList]:
    value = _object(value, "overrides", "keyed by local date YYYY-MM-DD", errors)
    if len(value) > MAX_OVERRIDES:
        errors.add("overrides", f"at most {MAX_OVERRIDES} dates")
        return {}
    overrides: dict[date, RangeList] = {}
    for key, ranges in value.items():
        day = _parse_date(key)
        path = f"overrides.{key}"
        if day is None:
            errors.add(path, "key must be a local date YYYY-MM-DD")
            continue
        if day in overrides:
            errors.add(path, "duplicate date")
            continue
        overrides[day] = _parse_range_list(ranges, path, errors)
    return overrides


def _out_of_office_range(item: Any, path: str, errors: _Collector) -> OutOfOffice | None:
    """One `{ from, to }` entry, or None after adding its errors."""
    if not isinstance(item, Mapping):
        errors.add(path, "must be an object { from, to }")
        return None
    for key in item:
        if key not in _OUT_OF_OFFICE_FIELDS:
            errors.add(f"{path}.{key}", "unknown field")
    days: dict[str, date] = {}
    for key in _OUT_OF_OFFICE_FIELDS:
        if key not in item:
            errors.add(f"{path}.{key}", "is required")
            continue
        day = _parse_date(item[key])
        if day is None:
            errors.add(f"{path}.{key}", "must be a local date YYYY-MM-DD")
        else:
            days[key] = day
    if len(days) != 2:
        return None
    first, last = days["from"], days["to"]
    if first > last:
        errors.add(f"{path}.to", "must be on or after from")
        return None
    if (last - first).days + 1 > MAX_OUT_OF_OFFICE_DAYS:
        errors.add(f"{path}.to", f"a range spans at most {MAX_OUT_OF_OFFICE_DAYS} days")
        return None
    return OutOfOffice(first, last)


def _parse_out_of_office(value: Any, errors: _Collector) -> tuple[OutOfOffice, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        errors.add("out_of_office", "must be a list of { from, to }")
        return ()
    if len(value) > MAX_OUT_OF_OFFICE:
        errors.add("out_of_office", f"at most {MAX_OUT_OF_OFFICE} ranges")
        return ()
    entries = (
        _out_of_office_range(item, f"out_of_office[{index}]", errors) for index, item in enumerate(value)
    )
    return tuple(entry for entry in entries if entry is not None)


def parse_schedule_document(document: Any, *, default_timezone: str | None = None) -> ScheduleDocument:
    """Validate a schedule document and build the schedule and out-of-office list.

    `timezone` is required unless `default_timezone` is given (a loader may pass the user's
    profile timezone). Unknown fields are errors. Raises `ScheduleDocumentError`.
    """
    errors = _Collector()
    if not isinstance(document, Mapping):
        raise ScheduleDocumentError([("", "must be an object")])
    for key in document:
        if key not in _DOCUMENT_FIELDS:
            errors.add(str(key), "unknown field")

    name = document.get("name", DEFAULT_SCHEDULE_NAME)
    if name is None:
        name = DEFAULT_SCHEDULE_NAME
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME_LENGTH:
        errors.add("name", f"must be a string of 1-{MAX_NAME_LENGTH} characters")

    timezone = document.get("timezone")
    if timezone is None:
        timezone = default_timezone
    if timezone is None:
        errors.add("timezone", "is required")
    elif (
        not isinstance(timezone, str)
        or len(timezone) > MAX_TIMEZONE_LENGTH
        or not is_valid_timezone(timezone)
    ):
        errors.add("timezone", "must be a valid IANA time zone name")

    weekly = _parse_weekly(document.get("weekly"), errors)
    overrides = _parse_overrides(document.get("overrides"), errors)
    out_of_office = _parse_out_of_office(document.get("out_of_office"), errors)
    if errors.errors:
        raise ScheduleDocumentError(_in_document_order(errors.errors, document))
    return ScheduleDocument(
        schedule=Schedule(timezone=str(timezone), weekly=weekly, overrides=overrides, name=name),
        out_of_office=out_of_office,
    )


def _in_document_order(errors: list[tuple[str, str]], document: Mapping[Any, Any]) -> list[tuple[str, str]]:
    """Errors sorted by the position of their top-level field in the document (stable within)."""
    order = {str(key): position for position, key in enumerate(document)}

    def position(error: tuple[str, str]) -> int:
        head = re.split(r"[.\[]", error[0], maxsplit=1)[0]
        return order.get(head, len(order))

    return sorted(errors, key=position)


def schedule_to_document(schedule: Schedule, out_of_office: tuple[OutOfOffice, ...] = ()) -> dict[str, Any]:
    """The document shape of a schedule (inverse of `parse_schedule_document`)."""
    return {
        "name": schedule.name,
        "timezone": schedule.timezone,
        "weekly": {
            WEEKDAY_KEYS[day]: format_range_list(schedule.weekly[day]) for day in sorted(schedule.weekly)
        },
        "overrides": {
            day.isoformat(): format_range_list(schedule.overrides[day]) for day in sorted(schedule.overrides)
        },
        "out_of_office": [
            {"from": entry.first_day.isoformat(), "to": entry.last_day.isoformat()} for entry in out_of_office
        ],
    }
