"""The one clock of the system: domain code receives `now` as an argument; adapters call this."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now() -> datetime:
    """Current UTC time truncated to milliseconds (the contract's resolution)."""
    ms = int(time.time() * 1000)
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def late_now() -> datetime:
    """`now()` looked up at call time: a default that survives a test replacing `clock.now`.

    A dataclass default of `clock.now` would capture whichever function was installed when
    the module was first imported, frozen test clocks included.
    """
    return now()
