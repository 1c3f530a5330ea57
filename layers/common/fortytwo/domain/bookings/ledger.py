"""The busy ledger as the booking decisions see it (store/ledger.py persists it).

A host's active meetings, one entry each, keyed by the UTC date of their start (the slot engine
reads a date range with one Query). Entries are written without conditions: what keeps two
overlapping meetings from both committing is the busy-minute claims (`claims.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from fortytwo.domain.scheduling import ACTIVE_STATUSES, ExistingBooking


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
