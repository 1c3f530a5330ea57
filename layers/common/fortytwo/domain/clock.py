"""The one clock of the system: domain code receives `now` as an argument; adapters call this."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now() -> datetime:
    """Current UTC time truncated to milliseconds (the contract's resolution)."""
    ms = int(time.time() * 1000)
    return datetime.fromtimestamp(ms / 1000, tz=UTC)
