"""Time zones from the pinned `tzdata` package only (20-scheduling §1).

`zoneinfo.ZoneInfo(name)` reads the system zone files first when they exist, so two machines could
disagree. Zones are loaded here straight from the `tzdata` package data instead.
"""

from __future__ import annotations

import importlib.resources
from functools import cache
from zoneinfo import ZoneInfo

MAX_TIMEZONE_LENGTH = 64


class UnknownTimezoneError(ValueError):
    """The name is not a zone of the pinned tzdata package."""


@cache
def timezone_names() -> frozenset[str]:
    """Every valid IANA name (the `zones` list shipped with tzdata)."""
    text = importlib.resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def is_valid_timezone(name: object) -> bool:
    """Case-sensitive, at most 64 characters, known to tzdata."""
    return isinstance(name, str) and len(name) <= MAX_TIMEZONE_LENGTH and name in timezone_names()


@cache
def get_zone(name: str) -> ZoneInfo:
    """The zone `name`, loaded from tzdata and shared by every caller."""
    if not is_valid_timezone(name):
        raise UnknownTimezoneError(f"unknown time zone: {name!r}")
    resource = importlib.resources.files("tzdata.zoneinfo").joinpath(*name.split("/"))
    with resource.open("rb") as handle:
        return ZoneInfo.from_file(handle, key=name)
