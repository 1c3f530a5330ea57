"""The retry schedule (40-webhooks §7.5): fixed offsets from T0, the start of attempt 1.

No jitter, and a late attempt does not move later ones: attempt k is due at T0 + offset[k].
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_OFFSETS: tuple[int, ...] = (0, 60, 300, 1800, 7200, 43200)
# SQS visibility tops out at 12 h, and a retry is parked with ChangeMessageVisibility (§8.4).
MAX_GAP_SECONDS = 43200
ENV_VAR = "FORTYTWO_WEBHOOK_RETRY_SCHEDULE"


class RetryScheduleError(ValueError):
    """An invalid schedule; fatal at cold start (§7.5)."""


@dataclass(frozen=True, slots=True)
class RetrySchedule:
    """Attempt offsets in seconds; the number of offsets is the number of attempts."""

    offsets: tuple[int, ...] = DEFAULT_OFFSETS

    def __post_init__(self) -> None:
        _check_offsets(self.offsets)

    @property
    def attempts(self) -> int:
        return len(self.offsets)

    def offset(self, attempt: int) -> int:
        """Seconds from T0 at which `attempt` (1-based) is due."""
        if not 1 <= attempt <= self.attempts:
            raise ValueError(f"attempt {attempt} is outside 1..{self.attempts}")
        return self.offsets[attempt - 1]

    def due_at(self, t0: datetime, attempt: int) -> datetime:
        return t0 + timedelta(seconds=self.offset(attempt))

    def is_last(self, attempt: int) -> bool:
        return attempt >= self.attempts

    def next_attempt(self, attempt: int) -> int | None:
        """The attempt after `attempt`, or None when `attempt` was the last one."""
        return None if self.is_last(attempt) else attempt + 1

    def next_due_at(self, t0: datetime, attempt: int) -> datetime | None:
        """When the attempt after `attempt` is due (`next_retry_at`), or None after the last."""
        following = self.next_attempt(attempt)
        return None if following is None else self.due_at(t0, following)


def seconds_until(due: datetime, now: datetime) -> int:
    """Whole seconds to wait until `due` (rounded up so the message is never early), within
    SQS's visibility range 0..43200."""
    remaining = math.ceil((due - now) / timedelta(seconds=1))
    return max(0, min(MAX_GAP_SECONDS, remaining))


def _check_offsets(offsets: tuple[int, ...]) -> None:
    if not offsets:
        raise RetryScheduleError("the retry schedule must have at least one offset")
    if any(isinstance(o, bool) or not isinstance(o, int) for o in offsets):
        raise RetryScheduleError("retry offsets must be integers")
    if offsets[0] != 0:
        raise RetryScheduleError("the retry schedule must start with 0")
    for previous, current in zip(offsets, offsets[1:], strict=False):
        if current <= previous:
            raise RetryScheduleError("retry offsets must be strictly increasing")
        if current - previous > MAX_GAP_SECONDS:
            raise RetryScheduleError(f"a gap between retry offsets must be at most {MAX_GAP_SECONDS} seconds")


def parse_schedule(text: str) -> RetrySchedule:
    """Parse `0,60,300,…` (seconds, decimal digits, spaces around items tolerated)."""
    items = [item.strip() for item in text.split(",")]
    if items == [""]:
        raise RetryScheduleError("the retry schedule must have at least one offset")
    offsets: list[int] = []
    for item in items:
        if not (item.isascii() and item.isdigit()):
            raise RetryScheduleError(f"retry offset {item!r} is not a whole number of seconds")
        offsets.append(int(item))
    return RetrySchedule(tuple(offsets))


def schedule_from_env(environ: Mapping[str, str]) -> RetrySchedule:
    """The schedule configured in `FORTYTWO_WEBHOOK_RETRY_SCHEDULE`, or the default when the
    variable is unset or blank. Raises `RetryScheduleError` naming the variable otherwise."""
    raw = environ.get(ENV_VAR, "")
    if not raw.strip():
        return RetrySchedule()
    try:
        return parse_schedule(raw)
    except RetryScheduleError as exc:
        raise RetryScheduleError(f"{ENV_VAR}: {exc}") from None
