"""Retries wrap the three beats of a write: each run re-loads, re-decides and re-commits."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from fortytwo.store.transactions import LostRace

T = TypeVar("T")

MAX_ATTEMPTS = 3
WAIT_MS = (25.0, 100.0)


def pause() -> None:
    time.sleep(random.uniform(*WAIT_MS) / 1000)  # noqa: S311 - jitter, not security


def with_retries(
    attempt: Callable[[], T],
    exhausted: Callable[[], Exception],
    *,
    on_lost: Callable[[LostRace], None] | None = None,
    attempts: int = MAX_ATTEMPTS,
) -> T:
    """At most `attempts` runs of `attempt`; `on_lost` may raise to stop early (e.g. a version
    conflict is final); after the last lost race, raise `exhausted()`."""
    for number in range(attempts):
        try:
            return attempt()
        except LostRace as lost:
            if on_lost is not None:
                on_lost(lost)
            if number + 1 < attempts:
                pause()
    raise exhausted()
