"""The plan of one booking write: every item change its single transaction makes (30-bookings §11.3).

A decision (`domain/bookings/decisions.py`) builds a `BookingPlan`; the store commits it as ONE
TransactWriteItems (`store/bookings.commit`). Each item is touched once: changes of the same ledger
day, counter or session merge here (a transaction may touch an item only once).

Why the ledger conditions make double booking impossible: a meeting is recorded on the UTC date of
its start, and two meetings that conflict start at most one UTC date apart (720 min + 2 × 240 min
of buffer < 24 h). A write that adds a meeting therefore reads the host's days d−1, d, d+1 (d = its
start date), writes day d and checks days d−1 and d+1, all conditional on the versions it read (or
on the item not existing). Any two conflicting adders touch a common item with a stale version, so
at most one of them commits; the other re-reads and re-checks. Removals bump the version without a
condition, so concurrent adders re-check and removals never fail on contention.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from fortytwo.domain.bookings.ledger import DayState, LedgerEntry, LedgerView, day_of
from fortytwo.domain.bookings.limits import CounterRef, net_changes
from fortytwo.domain.bookings.model import Booking
from fortytwo.domain.webhooks.envelope import OutboxEvent

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class GroupSession:
    """One session of a group event type (pk `SESSION#<event type id>`, sk `<start>`): its host, the
    seats taken and the counter keys it was counted in. "One session per (event type, start)" is a
    conditional put, whichever member would host it."""

    event_type_id: str
    start: datetime
    host_user_id: str
    seats_taken: int
    counter_keys: tuple[tuple[str, str], ...]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class BookingWrite:
    """Put `booking`: new (must not exist) when `expected_version` is None, else conditional on it."""

    booking: Booking
    expected_version: int | None = None
    require_active: bool = False


@dataclass(frozen=True, slots=True)
class LedgerDayChange:
    host: str
    day: date
    state: DayState  # the version read, ABSENT or UNKNOWN
    guard: bool  # conditional on the version read (adders and their neighbour days)
    sets: tuple[LedgerEntry, ...] = ()
    removes: tuple[str, ...] = ()
    seat_deltas: tuple[tuple[str, int], ...] = ()

    @property
    def changes(self) -> bool:
        return bool(self.sets or self.removes or any(d for _, d in self.seat_deltas))


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
    scope: str
    period: str
    delta: int
    cap: int | None  # an increment commits only while `count + delta <= cap`


@dataclass(frozen=True, slots=True)
class BookingPlan:
    bookings: tuple[BookingWrite, ...]
    days: tuple[LedgerDayChange, ...]
    sessions: tuple[SessionChange, ...]
    counters: tuple[CounterChange, ...]
    events: tuple[OutboxEvent, ...]
    result: Booking  # what the response shows


@dataclass
class _Day:
    state: DayState
    guard: bool = False
    sets: dict[str, LedgerEntry] = field(default_factory=dict)
    removes: set[str] = field(default_factory=set)
    seat_deltas: dict[str, int] = field(default_factory=dict)


@dataclass
class PlanBuilder:
    """Collects a decision's effects, merging those that touch the same item."""

    ledger: LedgerView
    bookings: list[BookingWrite] = field(default_factory=list)
    days: dict[tuple[str, date], _Day] = field(default_factory=dict)
    counters: dict[tuple[str, str], tuple[int, int | None]] = field(default_factory=dict)
    sessions: list[SessionChange] = field(default_factory=list)
    events: list[OutboxEvent] = field(default_factory=list)

    def _day(self, host: str, day: date) -> _Day:
        key = (host, day)
        if key not in self.days:
            self.days[key] = _Day(self.ledger.day_state(host, day))
        return self.days[key]

    def put_booking(self, booking: Booking) -> None:
        self.bookings.append(BookingWrite(booking))

    def replace_booking(self, booking: Booking, read_version: int, *, require_active: bool) -> None:
        self.bookings.append(BookingWrite(booking, read_version, require_active))

    def add_meeting(self, host: str, entry: LedgerEntry) -> None:
        """Record a new meeting on its start day and guard the neighbouring days (module docstring)."""
        day = day_of(entry.start)
        target = self._day(host, day)
        target.guard = True
        target.sets[entry.key] = entry
        for neighbour in (day - _ONE_DAY, day + _ONE_DAY):
            self._day(host, neighbour).guard = True

    def remove_meeting(self, host: str, start: datetime, key: str) -> None:
        self._day(host, day_of(start)).removes.add(key)

    def change_seats(self, host: str, start: datetime, key: str, delta: int) -> None:
        target = self._day(host, day_of(start))
        target.seat_deltas[key] = target.seat_deltas.get(key, 0) + delta

    def count(self, removed: Iterable[tuple[str, str]], added: Iterable[CounterRef]) -> None:
        for key, (delta, cap) in net_changes(removed, added).items():
            current, current_cap = self.counters.get(key, (0, None))
            self.counters[key] = (current + delta, cap if cap is not None else current_cap)
        self.counters = {k: v for k, v in self.counters.items() if v[0] != 0}

    def session(self, action: SessionAction, session: GroupSession, capacity: int = 0) -> None:
        self.sessions.append(SessionChange(action, session, capacity))

    def emit(self, event: OutboxEvent) -> None:
        self.events.append(event)

    def build(self, result: Booking) -> BookingPlan:
        return BookingPlan(
            bookings=tuple(self.bookings),
            days=tuple(
                LedgerDayChange(
                    host,
                    day,
                    d.state,
                    d.guard,
                    tuple(d.sets.values()),
                    tuple(sorted(d.removes)),
                    tuple(d.seat_deltas.items()),
                )
                for (host, day), d in self.days.items()
            ),
            sessions=tuple(self.sessions),
            counters=tuple(CounterChange(s, p, d, cap) for (s, p), (d, cap) in self.counters.items()),
            events=tuple(self.events),
            result=result,
        )
