"""Timestamp rules of the contract (00-conventions §7.2)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

# What `format_ts` writes, exactly (ASCII digits; not the ISO week or ordinal forms
# `datetime.fromisoformat` also reads).
_STORED = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\Z", re.ASCII)
# The offset is optional here only so that a naive date-time is recognised as such (NaiveTimestamp).
_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))?$"
)


class TimestampError(ValueError):
    """Input is not an RFC 3339 date-time with an offset."""


class NaiveTimestamp(TimestampError):
    """A well-formed date-time without offset, and no zone to read it in was given."""


def format_ts(value: datetime) -> str:
    """UTC, `YYYY-MM-DDTHH:MM:SS.sssZ` with exactly three fractional digits."""
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_ts(text: str, *, space_means_plus: bool = False, naive_zone: str | None = None) -> datetime:
    """Parse an RFC 3339 date-time with `Z` or a numeric offset; truncate to milliseconds; UTC.

    `space_means_plus`: query strings decode an unencoded `+` to a space (00-conventions §3.3).
    `naive_zone`: the IANA zone a date-time without offset is wall-clock time in (00-conventions
    §7.2: the request's `timezone`, else `UTC`); without it such input raises NaiveTimestamp.
    Stored values always carry `Z`, so the store parses without a zone.
    """
    if _STORED.match(text):
        # The stored form (`format_ts`), read on every item decode: the C parser gives the same
        # value; anything it refuses (a day out of range) gets the full parser's answer below.
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    if space_means_plus and len(text) > 6 and text[-6] == " ":
        text = text[:-6] + "+" + text[-5:]
    match = _RFC3339.match(text)
    if not match:
        raise TimestampError("must be an RFC 3339 date-time with an offset")
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    frac = match.group(7) or ""
    millis = int((frac + "000")[:3]) if frac else 0
    if hour > 23 or minute > 59 or second > 59:
        raise TimestampError("time out of range")
    try:
        if match.group(8):
            return datetime(year, month, day, hour, minute, second, millis * 1000, tzinfo=UTC)
        if match.group(9):
            sign = 1 if match.group(9) == "+" else -1
            oh, om = int(match.group(10)), int(match.group(11))
            if oh > 23 or om > 59:
                raise TimestampError("offset out of range")
            tz = timezone(sign * timedelta(hours=oh, minutes=om))
            value = datetime(year, month, day, hour, minute, second, millis * 1000, tzinfo=tz)
            # An offset can move the instant out of years 1-9999 (`0001-01-01T00:00:00+01:00`),
            # which no output timestamp can express: invalid input, not an OverflowError later.
            return value.astimezone(UTC)
        wall = datetime(year, month, day, hour, minute, second, millis * 1000)
    except (ValueError, OverflowError) as exc:
        raise TimestampError(str(exc)) from exc
    if naive_zone is None:
        raise NaiveTimestamp("must be an RFC 3339 date-time with an offset")
    return _wall_in_zone(wall, naive_zone)


def _wall_in_zone(wall: datetime, zone_name: str) -> datetime:
    """A wall-clock time in `zone_name` as a UTC instant, with the slot engine's DST rules
    (20-scheduling §4.3): a time in a spring-forward gap is the transition instant, a repeated
    time its earlier occurrence (docs/decisions.md)."""
    # Imported here: the scheduling package imports this module (format_ts) at load time.
    from fortytwo.domain.scheduling.localtime import from_ms, wall_to_ms
    from fortytwo.domain.scheduling.zones import get_zone

    try:
        return from_ms(wall_to_ms(wall, get_zone(zone_name)))
    except (ValueError, OverflowError, OSError) as exc:  # an unknown zone, or out of years 1-9999
        raise TimestampError(str(exc)) from exc


_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)


def shifted(value: datetime, delta: timedelta) -> datetime:
    """`value + delta`, saturating at the ends of the calendar (years 1 and 9999) instead of raising
    OverflowError. Valid input reaches those ends (`9999-12-31T23:59:59.999Z`); nothing there is ever
    bookable, so a window that runs past them only has to stay computable."""
    try:
        return value + delta
    except OverflowError:
        return _LATEST if delta > timedelta(0) else _EARLIEST


def utc_from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def to_ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)
