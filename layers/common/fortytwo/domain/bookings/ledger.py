"""The busy ledger as the booking decisions see it (store/ledger.py persists it).

A host's active meetings are bucketed by the UTC date of their start; each (host, day) item carries
a version. A write that adds a meeting is conditional on the versions it read (see
`domain/bookings/plan.py`), so `LedgerView` remembers what was read: a version, ABSENT (read, no
item) or UNKNOWN (not read: removals outside the availability window).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from fortytwo.domain.scheduling import ACTIVE_STATUSES, ExistingBooking

ABSENT = "absent"  # a ledger day that was read and has no item
UNKNOWN = "unknown"  # a ledger day that was not read

DayState = int | str  # the version read, ABSENT or UNKNOWN


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One busy item of a host. `seats` is set only for group sessions."""

    key: str
    event_type_id: str
    start: datetime
    end: datetime
    created_at: datetime
    status: str = "confirmed"
    buffer_before: int = 0
    buffer_after: int = 0
    seats: int | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def to_existing_booking(self, host_user_id: str, *, seats_taken: int | None = None) -> ExistingBooking:
        return ExistingBooking(
            id=self.key,
            event_type_id=self.event_type_id,
            host_user_id=host_user_id,
            start=self.start,
            end=self.end,
            created_at=self.created_at,
            status=self.status,
            buffer_before_minutes=self.buffer_before,
            buffer_after_minutes=self.buffer_after,
            seats_taken=self.seats if seats_taken is None else seats_taken,
        )


def day_of(start: datetime) -> date:
    """The ledger day of a meeting: the UTC date of its start."""
    return start.astimezone(UTC).date()


@dataclass(frozen=True, slots=True)
class LedgerView:
    """Which ledger days a write read, and their versions."""

    versions: Mapping[tuple[str, date], int] = field(default_factory=dict)
    first_day: date | None = None
    last_day: date | None = None
    host_ids: frozenset[str] = frozenset()

    def day_state(self, host: str, day: date) -> DayState:
        if (host, day) in self.versions:
            return self.versions[(host, day)]
        if self.first_day is None or host not in self.host_ids:
            return UNKNOWN
        in_range = self.first_day <= day and (self.last_day is None or day <= self.last_day)
        return ABSENT if in_range else UNKNOWN


NOT_READ = LedgerView()  # writes that free time without an availability read (cancel)
