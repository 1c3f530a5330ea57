"""Query parameter rules (00-conventions §3.3, §7, §8.1): read on the raw query string, one param at a time.

Handlers read parameters in their documented order, so the first failure names the first offending
parameter.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qsl

from starlette.requests import Request

from fortytwo.contract.errors import InvalidQueryParam
from fortytwo.domain.ids import normalize_uuid
from fortytwo.domain.scheduling.zones import is_valid_timezone
from fortytwo.domain.timefmt import NaiveTimestamp, TimestampError, parse_ts

_DIGITS = re.compile(r"^[0-9]+$")


def valid_timezone(name: str) -> bool:
    """IANA names from the pinned tzdata only (one rule for the whole system)."""
    return is_valid_timezone(name)


class QueryReader:
    def __init__(self, raw_query: str) -> None:
        self.pairs = parse_qsl(raw_query, keep_blank_values=True)

    @classmethod
    def of(cls, request: Request) -> QueryReader:
        return cls(request.scope.get("query_string", b"").decode("latin-1"))

    def values(self, name: str) -> list[str]:
        return [v for k, v in self.pairs if k == name]

    def single(self, name: str) -> str | None:
        """The value, None when absent or empty; repeated → invalid_query_param."""
        found = self.values(name)
        if len(found) > 1:
            raise InvalidQueryParam(name, f"{name} must be given at most once")
        if not found or found[0] == "":
            return None
        return found[0]

    def required(self, name: str) -> str:
        value = self.single(name)
        if value is None:
            raise InvalidQueryParam(name, f"{name} is required")
        return value

    def limit(self, name: str = "limit", default: int = 20, maximum: int = 100) -> int:
        value = self.single(name)
        if value is None:
            return default
        significant = value.lstrip("0")
        if not _DIGITS.match(value) or not significant:
            raise InvalidQueryParam(name, f"{name} must be an integer between 1 and {maximum}")
        # Any digit string, however long, clamps (int() refuses strings past 4300 digits).
        if len(significant) > len(str(maximum)):
            return maximum
        return min(int(significant), maximum)

    def integer(self, name: str) -> int | None:
        value = self.single(name)
        if value is None:
            return None
        if not _DIGITS.match(value):
            raise InvalidQueryParam(name, f"{name} must be an integer")
        return int(value)

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.single(name)
        if value is None:
            return default
        if value not in ("true", "false"):
            raise InvalidQueryParam(name, f"{name} must be true or false")
        return value == "true"

    def uuid(self, name: str) -> str | None:
        value = self.single(name)
        if value is None:
            return None
        normalized = normalize_uuid(value)
        if normalized is None:
            raise InvalidQueryParam(name, f"{name} must be a UUID")
        return normalized

    def datetime(
        self, name: str, *, required: bool = False, zone_param: str | None = None
    ) -> datetime | None:
        """An instant (00-conventions §7.2). A naive date-time is read in the `zone_param` parameter's
        zone when the route has one and it is given, else in UTC; an invalid zone is that
        parameter's error, since the date-time itself is well-formed."""
        value = self.required(name) if required else self.single(name)
        if value is None:
            return None
        try:
            try:
                return parse_ts(value, space_means_plus=True)
            except NaiveTimestamp:
                zone = self.timezone(zone_param) if zone_param is not None else None
                return parse_ts(value, space_means_plus=True, naive_zone=zone or "UTC")
        except TimestampError as exc:
            raise InvalidQueryParam(name, f"{name} must be an RFC 3339 date-time with an offset") from exc

    def enum(self, name: str, allowed: tuple[str, ...], default: str | None = None) -> str | None:
        value = self.single(name)
        if value is None:
            return default
        if value not in allowed:
            raise InvalidQueryParam(name, f"{name} must be one of: {', '.join(allowed)}")
        return value

    def timezone(self, name: str = "timezone", default: str | None = None) -> str | None:
        value = self.single(name)
        if value is None:
            return default
        if not valid_timezone(value):
            raise InvalidQueryParam(name, f"{name} must be an IANA time zone name")
        return value
