"""The series status lifecycle (35-series §2.2) as one pure transition function.

    (new) --create--> active --pause--> paused --resume, owed = 0--> active
                        |                  |--resume, owed > 0--> paused
                        `------end---------+--end--> ended (terminal)

Repeats are no-ops by state (pause when paused, resume when active, end when ended); on an
ended series every other write is refused with 409 `series_ended`. PATCH and a change of host
never change the status. Nothing changes a status by itself (a series whose meetings all lie in
the past stays active).
"""

from __future__ import annotations

from enum import StrEnum

from fortytwo.domain.series.errors import SeriesRuleError
from fortytwo.domain.series.model import SeriesStatus


class Operation(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    END = "end"
    PATCH = "patch"
    CHANGE_HOST = "change_host"


def series_ended() -> SeriesRuleError:
    return SeriesRuleError("series_ended", "The series has ended and cannot be changed.")


def check_not_ended(status: SeriesStatus) -> None:
    if status is SeriesStatus.ENDED:
        raise series_ended()


def is_noop(status: SeriesStatus, operation: Operation) -> bool:
    """The repeats that answer 200 and change nothing (checked before the lock)."""
    return (status, operation) in {
        (SeriesStatus.PAUSED, Operation.PAUSE),
        (SeriesStatus.ACTIVE, Operation.RESUME),
        (SeriesStatus.ENDED, Operation.END),
    }


def next_status(status: SeriesStatus, operation: Operation, *, owed_after: int = 0) -> SeriesStatus:
    """The status after `operation` (`owed_after`: held occurrences left, for resume)."""
    if status is SeriesStatus.ENDED:
        if operation is Operation.END:
            return status
        raise series_ended()
    if operation is Operation.END:
        return SeriesStatus.ENDED
    if operation is Operation.PAUSE:
        return SeriesStatus.PAUSED
    if operation is Operation.RESUME:
        if status is SeriesStatus.ACTIVE:
            return status
        return SeriesStatus.ACTIVE if owed_after == 0 else SeriesStatus.PAUSED
    return status  # PATCH, change of host
