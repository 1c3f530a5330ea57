"""The plan of one booking write: every item change its single transaction makes (30-bookings §11.3).

A decision (`domain/bookings/decisions.py`) builds a `BookingPlan`; the store commits it as ONE
TransactWriteItems (`store/bookings.commit`). Each item is touched once: changes of the same ledger
entry, busy-hour item, counter or session merge here (a transaction may touch an item only once).

Why double booking is impossible: a new meeting claims every minute of its buffered interval in
the host's busy-hour items, each minute conditional on being unclaimed (`claims.py`). Overlapping
adders share a minute, so at most one commits; the other re-reads and re-checks. Adders that do
not overlap never fail each other's conditions, however close they are. Removals release their
minutes without a condition, so they never fail on contention; a reschedule releases the old
minutes and claims the new ones in the same transaction, a minute both had being simply kept.
The ledger entries (the slot engine's busy source) are written without conditions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from fortytwo.domain.bookings.claims import claimed_minutes
from fortytwo.domain.bookings.ledger import LedgerEntry, day_of
from fortytwo.domain.bookings.limits import CounterId, CounterRef, net_changes
from fortytwo.domain.bookings.model import Booking
from fortytwo.domain.webhooks.envelope import OutboxEvent


@dataclass(frozen=True, slots=True)
class GroupSession:
    """One session of a group event type (pk `SESSION#<event type id>`, sk `<start>`): its host, the
    seats taken and the counter keys it was counted in. "One session per (event type, start)" is a
    conditional put, whichever member would host it."""

    event_type_id: str
    start: datetime
    host_user_id: str
    seats_taken: int
    counter_keys: tuple[CounterId, ...]
    created_at: datetime
    # The busy time the session claimed when it opened (its registrations may carry later event
    # type settings); `end` None: read from the registration being released.
    end: datetime | None = None
    buffer_before: int = 0
    buffer_after: int = 0

    def meeting(self, key: str, registration_end: datetime) -> LedgerEntry:
        """The session's ledger entry as it was claimed (`key`: its meeting id)."""
        return LedgerEntry(
            key=key,
            event_type_id=self.event_type_id,
            start=self.start,
            end=self.end or registration_end,
            created_at=self.created_at,
            buffer_before=self.buffer_before,
            buffer_after=self.buffer_after,
            seats=self.seats_taken,
        )


@dataclass(frozen=True, slots=True)
class BookingWrite:
    """Put `booking`: new (must not exist) when `expected_version` is None, else conditional on it."""

    booking: Booking
    expected_version: int | None = None
    require_active: bool = False


@dataclass(frozen=True, slots=True)
class LedgerChange:
    """One ledger entry item (`host`, UTC `day` of its start, `key`): put whole, removed, or its
    group session's seat count moved by `seat_delta`."""

    host: str
    day: date
    key: str
    put: LedgerEntry | None = None
    remove: bool = False
    seat_delta: int = 0


@dataclass(frozen=True, slots=True)
class BusyHourChange:
    """One busy-hour item of a host (`claims.py`): `take` sets minute → owner entry key, of which
    `fresh` must still be unclaimed (the others are released by this same plan: a reschedule keeps
    them); `release` removes minutes unconditionally."""

    host: str
    hour: datetime
    take: tuple[tuple[int, str], ...] = ()
    fresh: frozenset[int] = frozenset()
    release: frozenset[int] = frozenset()


class SessionAction(StrEnum):
    OPEN = "open"  # conditional put: nobody opened it meanwhile
    JOIN = "join"  # +1 seat while below capacity and with the same host
    LEAVE = "leave"  # −1 seat (delete at the last one), conditional on the seats read


@dataclass(frozen=True, slots=True)
class SessionChange:
    action: SessionAction
    session: GroupSession  # OPEN: the new session; JOIN/LEAVE: its key fields and what was read
    capacity: int = 0


@dataclass(frozen=True, slots=True)
class CounterChange:
    counter: CounterId
    delta: int
    cap: int | None  # an increment commits only while `count + delta <= cap`


@dataclass(frozen=True, slots=True)
class BookingPlan:
    bookings: tuple[BookingWrite, ...]
    entries: tuple[LedgerChange, ...]
    busy: tuple[BusyHourChange, ...]
    sessions: tuple[SessionChange, ...]
    counters: tuple[CounterChange, ...]
    events: tuple[OutboxEvent, ...]
    result: Booking  # what the response shows


@dataclass
class _Entry:
    day: date
    put: LedgerEntry | None = None
    remove: bool = False
    seat_delta: int = 0


@dataclass
class _Hour:
    take: dict[int, str] = field(default_factory=dict)
    release: set[int] = field(default_factory=set)


@dataclass
class PlanBuilder:
    """Collects a decision's effects, merging those that touch the same item."""

    bookings: list[BookingWrite] = field(default_factory=list)
    entries: dict[tuple[str, str], _Entry] = field(default_factory=dict)
    hours: dict[tuple[str, datetime], _Hour] = field(default_factory=dict)
    counters: dict[CounterId, tuple[int, int | None]] = field(default_factory=dict)
    sessions: list[SessionChange] = field(default_factory=list)
    events: list[OutboxEvent] = field(default_factory=list)

    def _entry(self, host: str, key: str, start: datetime) -> _Entry:
        return self.entries.setdefault((host, key), _Entry(day_of(start)))

    def _hour(self, host: str, hour: datetime) -> _Hour:
        return self.hours.setdefault((host, hour), _Hour())

    def put_booking(self, booking: Booking) -> None:
        self.bookings.append(BookingWrite(booking))

    def replace_booking(self, booking: Booking, read_version: int, *, require_active: bool) -> None:
        self.bookings.append(BookingWrite(booking, read_version, require_active))

    def add_meeting(self, host: str, entry: LedgerEntry) -> None:
        """Record a new meeting and claim its minutes (module docstring)."""
        target = self._entry(host, entry.key, entry.start)
        target.put, target.remove = entry, False
        for hour, minutes in claimed_minutes(entry).items():
            self._hour(host, hour).take.update(dict.fromkeys(minutes, entry.key))

    def remove_meeting(self, host: str, entry: LedgerEntry) -> None:
        """Drop a meeting's entry and release the minutes it claimed (`entry` as it was added)."""
        target = self._entry(host, entry.key, entry.start)
        target.put, target.remove = None, True
        for hour, minutes in claimed_minutes(entry).items():
            self._hour(host, hour).release.update(minutes)

    def change_seats(self, host: str, start: datetime, key: str, delta: int) -> None:
        self._entry(host, key, start).seat_delta += delta

    def count(self, removed: Iterable[CounterId], added: Iterable[CounterRef]) -> None:
        for key, (delta, cap) in net_changes(removed, added).items():
            current, current_cap = self.counters.get(key, (0, None))
            self.counters[key] = (current + delta, cap if cap is not None else current_cap)
        self.counters = {k: v for k, v in self.counters.items() if v[0] != 0}

    def session(self, action: SessionAction, session: GroupSession, capacity: int = 0) -> None:
        self.sessions.append(SessionChange(action, session, capacity))

    def emit(self, event: OutboxEvent) -> None:
        self.events.append(event)

    def _busy(self) -> tuple[BusyHourChange, ...]:
        changes = []
        for (host, hour), h in self.hours.items():
            taken = frozenset(h.take)
            if not taken and not h.release:
                continue
            changes.append(
                BusyHourChange(
                    host,
                    hour,
                    tuple(sorted(h.take.items())),
                    fresh=taken - h.release,
                    release=frozenset(h.release) - taken,
                )
            )
        return tuple(changes)

    def build(self, result: Booking) -> BookingPlan:
        return BookingPlan(
            bookings=tuple(self.bookings),
            entries=tuple(
                LedgerChange(host, e.day, key, e.put, e.remove, e.seat_delta)
                for (host, key), e in self.entries.items()
                if e.put is not None or e.remove or e.seat_delta
            ),
            busy=self._busy(),
            sessions=tuple(self.sessions),
            counters=tuple(CounterChange(c, d, cap) for c, (d, cap) in self.counters.items()),
            events=tuple(self.events),
            result=result,
        )
