"""Booking items, their list indexes, and the concurrency-safe booking writes (30-bookings §11).

Items (docs/single-table.md):

- booking: pk `BOOKING#<uid>`, sk `BOOKING`; gsi1 `ACCT#<org>#BK` / `<start>#<uid>`, gsi2 same pk /
  `<created_at>#<uid>`, gsi3 same pk / `<updated_at>#<uid>`, gsi4 `ACCT#<org>#HOST#<user>#BK` /
  `<start>#<uid>`, gsi5 `ACCT#<org>#EMAIL#<lower email>` / `<start>#<uid>`; `version` is the ETag.
- busy ledger day: `store/ledger.py` (one item per host and UTC date of a meeting's start).
- limit counter: pk `COUNTER#<ET#id | USER#id>`, sk `DAY#…` / `WEEK#…` / `MONTH#…`, `count`.
- group session: pk `SESSION#<event type id>`, sk `<start>`: host, `seats_taken`, the counter keys
  the session was counted in. It makes "one session per (event type, start)" a conditional put,
  whichever member would host it.

Every write is ONE TransactWriteItems holding the booking change, its ledger / session / counter
changes, the outbox event and the idempotency completion (all or nothing, §11.1 rule 5).

Why the ledger conditions make double booking impossible: a meeting is recorded on the UTC date of
its start, and two meetings that conflict start at most one UTC date apart (720 min + 2 × 240 min
of buffer < 24 h). A write that adds a meeting therefore reads the host's days d−1, d, d+1 (d = its
start date), writes day d and checks days d−1 and d+1, all conditional on the versions it read (or
on the item not existing). Any two conflicting adders touch a common item with a stale version, so
at most one of them commits; the other re-reads and re-checks. Removals bump the version without a
condition, so concurrent adders re-check and removals never fail on contention.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from fortytwo.domain.bookings import lifecycle
from fortytwo.domain.bookings.errors import BookingRuleError
from fortytwo.domain.bookings.event_types import BookableEventType, EventLocation, Question
from fortytwo.domain.bookings.hosting import choose_host
from fortytwo.domain.bookings.limits import CounterRef, meeting_counters, net_changes
from fortytwo.domain.bookings.model import (
    CANCELED,
    Booking,
    HostSnapshot,
    WriteContext,
    from_record,
    previous_booking,
    to_record,
    webhook_fields,
)
from fortytwo.domain.bookings.requests import CreateRequest, PatchRequest
from fortytwo.domain.scheduling import (
    Evaluation,
    EventTypeRules,
    ExistingBooking,
    Host,
    evaluate,
)
from fortytwo.domain.timefmt import format_ts, parse_ts, shifted
from fortytwo.domain.webhooks.envelope import booking_event_data, new_outbox_event
from fortytwo.store import availability, dynamo, keys, ledger, outbox
from fortytwo.store import event_types as event_type_store

MAX_ATTEMPTS = 3
RETRY_WAIT_MS = (25, 100)
_ONE_MS = timedelta(milliseconds=1)
_ONE_DAY = timedelta(days=1)
_ET_ITEM_ONLY = ("pk", "sk", "type", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk")
ABSENT = "absent"  # a ledger day that was read and has no item
UNKNOWN = "unknown"  # a ledger day that was not read (removals outside the availability window)

# A completion hook: given the booking a write is about to commit, the idempotency record's
# completion item for the same transaction (or None outside idempotent requests: admin commands).
Completion = Callable[[Booking], dict[str, Any] | None]


# --------------------------------------------------------------------------- keys and items


def booking_key(uid: str) -> tuple[str, str]:
    return f"BOOKING#{uid}", "BOOKING"


def account_partition(org_id: str) -> str:
    return f"ACCT#{org_id}#BK"


def host_partition(org_id: str, user_id: str) -> str:
    """gsi4: the organization is part of the key, so a foreign host id matches nothing (never a filter)."""
    return f"ACCT#{org_id}#HOST#{user_id}#BK"


def email_partition(org_id: str, email: str) -> str:
    return f"ACCT#{org_id}#EMAIL#{email.lower()}"


def counter_key(scope: str, period: str) -> tuple[str, str]:
    return f"COUNTER#{scope}", period


def session_key(event_type_id: str, start: datetime) -> tuple[str, str]:
    return f"SESSION#{event_type_id}", format_ts(start)


def booking_item(booking: Booking) -> dynamo.Item:
    pk, sk = booking_key(booking.uid)
    record = to_record(booking)
    start, uid = record["start_at"], booking.uid
    account = account_partition(booking.organization_id)
    return {
        "pk": pk,
        "sk": sk,
        "type": "booking",
        **record,
        "gsi1pk": account,
        "gsi1sk": f"{start}#{uid}",
        "gsi2pk": account,
        "gsi2sk": f"{record['created_at']}#{uid}",
        "gsi3pk": account,
        "gsi3sk": f"{record['updated_at']}#{uid}",
        "gsi4pk": host_partition(booking.organization_id, booking.host.user_id),
        "gsi4sk": f"{start}#{uid}",
        "gsi5pk": email_partition(booking.organization_id, booking.attendee.email),
        "gsi5sk": f"{start}#{uid}",
    }


def booking_from_item(item: Mapping[str, Any]) -> Booking:
    return from_record(item)


# --------------------------------------------------------------------------- reads


def get(org_id: str, uid: str) -> Booking | None:
    """A booking of the organization (strongly consistent), or None."""
    item = dynamo.get(*booking_key(uid), consistent=True)
    if item is None or item.get("organization_id") != org_id:
        return None
    return booking_from_item(item)


def find(uid: str) -> Booking | None:
    """Any organization's booking (admin commands)."""
    item = dynamo.get(*booking_key(uid.lower()), consistent=True)
    return booking_from_item(item) if item is not None else None


def _event_type_record(item: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {k: v for k, v in item.items() if k not in _ET_ITEM_ONLY}


def bookable(record: Mapping[str, Any], timezone: str | None) -> BookableEventType:
    """The booking view of a stored event type record."""
    deleted = record.get("deleted_at")
    return BookableEventType(
        id=record["id"],
        organization_id=record["organization_id"],
        slug=record["slug"],
        title=record["title"],
        scheduling_type=record.get("scheduling_type") or "individual",
        owner_user_id=record.get("owner_user_id"),
        team_id=record.get("owner_team_id"),
        duration_minutes=int(record["duration_minutes"]),
        active=bool(record.get("active", True)),
        buffer_before_minutes=int(record.get("buffer_before_minutes") or 0),
        buffer_after_minutes=int(record.get("buffer_after_minutes") or 0),
        requires_confirmation=bool(record.get("requires_confirmation", False)),
        allow_reschedule=bool(record.get("allow_reschedule", True)),
        allow_cancel=bool(record.get("allow_cancel", True)),
        seats=record.get("seats"),
        max_bookings_per_day=record.get("max_bookings_per_day"),
        max_bookings_per_week=record.get("max_bookings_per_week"),
        max_bookings_per_month=record.get("max_bookings_per_month"),
        timezone=timezone,
        locations=tuple(
            EventLocation(loc["type"], loc.get("label"), loc.get("value"))
            for loc in record.get("locations") or []
        ),
        questions=tuple(
            Question(
                key=q["key"],
                label=q["label"],
                type=q["type"],
                required=bool(q.get("required", False)),
                options=tuple(q["options"]) if q.get("options") is not None else None,
            )
            for q in record.get("questions") or []
        ),
        deleted_at=parse_ts(deleted) if deleted else None,
    )


def resolve_event_type(
    org_id: str, *, event_type_id: str | None, username: str | None, event_slug: str | None
) -> dict[str, Any] | None:
    """Create step 6: the organization's non-deleted event type by id or by `username/event_slug`."""
    if event_type_id is not None:
        return event_type_store.get(org_id, event_type_id, consistent=True)
    if username is None or event_slug is None:
        return None
    return event_type_store.find_by_username_slug(org_id, username, event_slug)


def write_context(
    record: Mapping[str, Any] | None, booking: Booking, host_user: Mapping[str, Any] | None
) -> WriteContext:
    """The webhook's "as of the write" values: the event type's current title and labels, the host's
    current names (the snapshot taken at creation when the event type or user is gone)."""
    title = record["title"] if record is not None else booking.title
    questions = bookable(record, None).questions if record is not None else ()
    host = booking.host
    if host_user is not None:
        return WriteContext(
            title, questions, host_user.get("first_name"), host_user.get("last_name"), host_user.get("email")
        )
    return WriteContext(title, questions, host.first_name, host.last_name, host.email)


def load_write_context(booking: Booking) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(event type record, deleted ones included; host user) of an existing booking: one BatchGetItem."""
    et_pk, et_sk = event_type_store.item_key(booking.organization_id, booking.event_type_id)
    user_pk, user_sk = keys.user(booking.organization_id, booking.host.user_id)
    found = dynamo.batch_get([(et_pk, et_sk), (user_pk, user_sk)], consistent=True)
    record = next((i for i in found if i.get("type") == "event_type"), None)
    user = next((i for i in found if i.get("type") == "user"), None)
    return _event_type_record(record), user


def get_user(org_id: str, user_id: str) -> dict[str, Any] | None:
    return dynamo.get(*keys.user(org_id, user_id))


def host_snapshot(user_id: str, user: Mapping[str, Any] | None) -> HostSnapshot:
    if user is None:
        return HostSnapshot(user_id, None, None)
    return HostSnapshot(
        user_id, user.get("username"), user.get("email"), user.get("first_name"), user.get("last_name")
    )


# --------------------------------------------------------------------------- availability


@dataclass
class Availability:
    """The engine's inputs for one start, plus the ledger versions the commit is conditional on."""

    record: Mapping[str, Any]
    rules: EventTypeRules
    hosts: tuple[Host, ...]
    timezone: str | None
    bookings: list[ExistingBooking]
    versions: dict[tuple[str, date], int]  # (host, UTC day) → version of each item read
    first_day: date
    last_day: date | None

    def day_state(self, host: str, day: date) -> int | str:
        """The version read for a host-day, ABSENT when it was read and has no item, else UNKNOWN."""
        if (host, day) in self.versions:
            return self.versions[(host, day)]
        in_range = self.first_day <= day and (self.last_day is None or day <= self.last_day)
        if in_range and any(h.user_id == host for h in self.hosts):
            return ABSENT
        return UNKNOWN


def load_availability(
    record: Mapping[str, Any],
    *,
    now: datetime,
    start: datetime,
    exclude_key: str | None = None,
    release_seat_of: str | None = None,
) -> Availability:
    """Strongly consistent engine inputs for `start` (§11.2: availability reads of a write are
    strongly consistent), read exactly as `/v1/slots` reads them, with each ledger day's version."""
    inputs = availability.load_inputs(
        record,
        now=now,
        window_start=start,
        window_end=shifted(start, _ONE_MS),
        consistent=True,
        exclude_key=exclude_key,
        release_seat_of=release_seat_of,
    )
    return Availability(
        record=record,
        rules=inputs.rules,
        hosts=inputs.hosts,
        timezone=inputs.rules.timezone,
        bookings=list(inputs.bookings),
        versions=dict(inputs.day_versions),
        first_day=inputs.ledger_first_day,
        last_day=inputs.ledger_last_day,
    )


def host_limits(avail: Availability, user_id: str) -> tuple[Any, str]:
    host = next(h for h in avail.hosts if h.user_id == user_id)
    return host.limits, host.limits_timezone


# --------------------------------------------------------------------------- transaction plan


@dataclass
class _LedgerDay:
    host: str
    day: date
    state: int | str  # version read, ABSENT or UNKNOWN
    guard: bool = False  # conditional on the version read (adders and their neighbour days)
    sets: dict[str, ledger.LedgerEntry] = field(default_factory=dict)
    removes: set[str] = field(default_factory=set)
    seat_deltas: dict[str, int] = field(default_factory=dict)


@dataclass
class Plan:
    """The items of one booking transaction. Each item is touched once: changes of the same ledger
    day, counter or session merge into one action (a transaction may touch an item only once)."""

    bookings: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    days: dict[tuple[str, date], _LedgerDay] = field(default_factory=dict)
    counters: dict[tuple[str, str], tuple[int, int | None]] = field(default_factory=dict)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    tail: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def day(self, host: str, day: date, avail: Availability | None) -> _LedgerDay:
        key = (host, day)
        if key not in self.days:
            state = avail.day_state(host, day) if avail is not None else UNKNOWN
            self.days[key] = _LedgerDay(host, day, state)
        return self.days[key]

    def put_booking(self, booking: Booking) -> None:
        self.bookings.append(
            (
                "booking",
                {
                    "Put": {
                        "TableName": dynamo.table_name(),
                        "Item": dynamo.to_item(booking_item(booking)),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            )
        )

    def replace_booking(self, booking: Booking, read_version: int, *, require_active: bool) -> None:
        condition = "version = :v"
        values: dict[str, Any] = {":v": read_version}
        names: dict[str, str] = {}
        if require_active:
            condition += " AND #status IN (:confirmed, :pending)"
            values.update({":confirmed": "confirmed", ":pending": "pending"})
            names["#status"] = "status"
        put: dict[str, Any] = {
            "TableName": dynamo.table_name(),
            "Item": dynamo.to_item(booking_item(booking)),
            "ConditionExpression": condition,
            "ExpressionAttributeValues": dynamo.values(values),
        }
        if names:
            put["ExpressionAttributeNames"] = names
        self.bookings.append(("booking", {"Put": put}))

    def add_meeting(self, avail: Availability, host: str, entry: ledger.LedgerEntry) -> None:
        """Record a new meeting on its start day and guard the neighbouring days (module docstring)."""
        day = ledger.day_of(entry.start)
        target = self.day(host, day, avail)
        target.guard = True
        target.sets[entry.key] = entry
        for neighbour in (day - _ONE_DAY, day + _ONE_DAY):
            self.day(host, neighbour, avail).guard = True

    def remove_meeting(self, host: str, start: datetime, key: str, avail: Availability | None) -> None:
        self.day(host, ledger.day_of(start), avail).removes.add(key)

    def change_seats(
        self, host: str, start: datetime, key: str, delta: int, avail: Availability | None
    ) -> None:
        plan_day = self.day(host, ledger.day_of(start), avail)
        plan_day.seat_deltas[key] = plan_day.seat_deltas.get(key, 0) + delta

    def count(self, removed: Iterable[tuple[str, str]], added: Iterable[CounterRef]) -> None:
        for key, (delta, cap) in net_changes(removed, added).items():
            current, current_cap = self.counters.get(key, (0, None))
            self.counters[key] = (current + delta, cap if cap is not None else current_cap)
        self.counters = {k: v for k, v in self.counters.items() if v[0] != 0}

    def open_session(
        self, event_type_id: str, start: datetime, host: str, counters: Sequence[CounterRef], now: datetime
    ) -> None:
        pk, sk = session_key(event_type_id, start)
        item = {
            "pk": pk,
            "sk": sk,
            "type": "group_session",
            "event_type_id": event_type_id,
            "start": format_ts(start),
            "host_user_id": host,
            "seats_taken": 1,
            "counter_keys": [list(ref.key) for ref in counters],
            "created_at": format_ts(now),
        }
        self.sessions.append(
            {
                "Put": {
                    "TableName": dynamo.table_name(),
                    "Item": dynamo.to_item(item),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        )

    def join_session(self, event_type_id: str, start: datetime, host: str, capacity: int) -> None:
        pk, sk = session_key(event_type_id, start)
        self.sessions.append(
            {
                "Update": {
                    "TableName": dynamo.table_name(),
                    "Key": dynamo.key(pk, sk),
                    "UpdateExpression": "ADD seats_taken :one",
                    "ConditionExpression": "seats_taken < :cap AND host_user_id = :host",
                    "ExpressionAttributeValues": dynamo.values({":one": 1, ":cap": capacity, ":host": host}),
                }
            }
        )

    def leave_session(self, event_type_id: str, start: datetime, seats_read: int) -> None:
        pk, sk = session_key(event_type_id, start)
        values = dynamo.values({":read": seats_read})
        if seats_read <= 1:
            action: dict[str, Any] = {
                "Delete": {
                    "TableName": dynamo.table_name(),
                    "Key": dynamo.key(pk, sk),
                    "ConditionExpression": "seats_taken = :read",
                    "ExpressionAttributeValues": values,
                }
            }
        else:
            action = {
                "Update": {
                    "TableName": dynamo.table_name(),
                    "Key": dynamo.key(pk, sk),
                    "UpdateExpression": "ADD seats_taken :minus",
                    "ConditionExpression": "seats_taken = :read",
                    "ExpressionAttributeValues": dynamo.values({":read": seats_read, ":minus": -1}),
                }
            }
        self.sessions.append(action)

    def outbox(self, event: str, org_id: str, now: datetime, data: Mapping[str, Any]) -> None:
        self.tail.append(("outbox", outbox.transact_put(new_outbox_event(event, org_id, now, data))))

    def complete(self, item: dict[str, Any] | None) -> None:
        if item is not None:
            self.tail.append(("idempotency", item))

    # -- rendering ---------------------------------------------------------------------------

    def items(self) -> tuple[list[dict[str, Any]], list[str]]:
        actions: list[tuple[str, dict[str, Any]]] = list(self.bookings)
        actions += [("ledger", a) for a in (_ledger_action(d) for d in self.days.values()) if a is not None]
        actions += [("session", a) for a in self.sessions]
        actions += [("counter", _counter_action(k, d, cap)) for k, (d, cap) in self.counters.items()]
        actions += self.tail
        return [a for _, a in actions], [kind for kind, _ in actions]


def _ledger_action(plan: _LedgerDay) -> dict[str, Any] | None:
    pk, sk = ledger.day_key(plan.host, plan.day)
    table = dynamo.table_name()
    changes = bool(plan.sets or plan.removes or any(plan.seat_deltas.values()))
    if plan.state == ABSENT:
        if plan.sets:
            # The day had no item when read: create it whole, unless someone created it meanwhile.
            item = ledger.day_item(plan.host, plan.day, plan.sets.values())
            return {
                "Put": {
                    "TableName": table,
                    "Item": dynamo.to_item(item),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        if plan.guard:
            return ledger.transact_check_day(plan.host, plan.day, expected_version=None)
        return None  # nothing stored to change
    guarded = plan.guard and isinstance(plan.state, int)
    if not changes:
        if not guarded:
            return None
        assert isinstance(plan.state, int)
        return ledger.transact_check_day(plan.host, plan.day, expected_version=plan.state)
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    sets: list[str] = []
    removes: list[str] = []
    conditions: list[str] = []
    for n, (key, entry) in enumerate(plan.sets.items()):
        names[f"#s{n}"] = key
        values[f":s{n}"] = entry.to_attr()
        sets.append(f"entries.#s{n} = :s{n}")
    for n, (key, delta) in enumerate(plan.seat_deltas.items()):
        if delta == 0:
            continue
        names[f"#d{n}"] = key
        values[f":d{n}"] = delta
        sets.append(f"entries.#d{n}.seats = entries.#d{n}.seats + :d{n}")
        conditions.append(f"attribute_exists(entries.#d{n})")
    for n, key in enumerate(sorted(plan.removes)):
        names[f"#r{n}"] = key
        removes.append(f"entries.#r{n}")
    expression = []
    if sets:
        expression.append("SET " + ", ".join(sets))
    if removes:
        expression.append("REMOVE " + ", ".join(removes))
    if plan.sets or plan.removes:
        # Busy time changed: bump the version so that every concurrent adder re-checks.
        expression.append("ADD version :one")
        values[":one"] = 1
    if guarded:
        conditions.append("version = :v")
        values[":v"] = plan.state
    else:
        conditions.append("attribute_exists(pk)")  # removals are unconditional, but never create items
    action: dict[str, Any] = {
        "TableName": table,
        "Key": dynamo.key(pk, sk),
        "UpdateExpression": " ".join(expression),
        "ConditionExpression": " AND ".join(conditions),
        "ExpressionAttributeValues": dynamo.values(values),
        "ExpressionAttributeNames": names,
    }
    return {"Update": action}


def _counter_action(key: tuple[str, str], delta: int, cap: int | None) -> dict[str, Any]:
    pk, sk = counter_key(*key)
    values: dict[str, Any] = {":d": delta, ":type": "limit_counter"}
    if delta > 0 and cap is not None:
        # A cap is never exceeded: the increment commits only while the count is below it.
        condition: str | None = "attribute_not_exists(#c) OR #c <= :room"
        values[":room"] = cap - delta
    elif delta < 0:
        condition = "#c >= :need"
        values[":need"] = -delta
    else:
        condition = None
    update: dict[str, Any] = {
        "TableName": dynamo.table_name(),
        "Key": dynamo.key(pk, sk),
        "UpdateExpression": "ADD #c :d SET #t = :type",
        "ExpressionAttributeNames": {"#c": "count", "#t": "type"},
        "ExpressionAttributeValues": dynamo.values(values),
    }
    if condition is not None:
        update["ConditionExpression"] = condition
    return {"Update": update}


# --------------------------------------------------------------------------- commit and retries


class LostRace(Exception):
    """A condition on a booking, ledger, session or counter item failed, or DynamoDB asked to retry."""

    def __init__(self, kinds: Sequence[str]) -> None:
        super().__init__(", ".join(kinds))
        self.kinds = tuple(kinds)


def commit(plan: Plan) -> None:
    """Run the plan's transaction. Raises LostRace (retry), or BookingRuleError
    `idempotency_in_progress` when another attempt took the idempotency record over."""
    items, kinds = plan.items()
    try:
        dynamo.client().transact_write_items(TransactItems=items)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "TransactionCanceledException":
            reasons = dynamo.transaction_reasons(exc)
            failed = [
                kinds[i] for i, r in enumerate(reasons) if r == "ConditionalCheckFailed" and i < len(kinds)
            ]
            if "idempotency" in failed:
                raise BookingRuleError(
                    "idempotency_in_progress",
                    "A request with this Idempotency-Key is still being processed; retry shortly",
                ) from exc
            raise LostRace(failed or ["conflict"]) from exc
        if code in (
            "TransactionConflictException",
            "ProvisionedThroughputExceededException",
            "ThrottlingException",
            "RequestLimitExceeded",
            "TransactionInProgressException",
        ):
            raise LostRace([code]) from exc
        raise


def _pause() -> None:
    time.sleep(random.uniform(*RETRY_WAIT_MS) / 1000)  # noqa: S311 - jitter, not security


def _with_retries(
    attempt: Callable[[], Booking],
    exhausted: BookingRuleError,
    on_lost: Callable[[LostRace], None] | None = None,
) -> Booking:
    """At most MAX_ATTEMPTS runs of `attempt` (each re-reads and re-checks from scratch)."""
    for number in range(MAX_ATTEMPTS):
        try:
            return attempt()
        except LostRace as lost:
            if on_lost is not None:
                on_lost(lost)
            if number + 1 < MAX_ATTEMPTS:
                _pause()
    raise exhausted


def _slot_lock_timeout() -> BookingRuleError:
    return BookingRuleError(
        "slot_lock_timeout", "The slot is being booked concurrently; retry with the same Idempotency-Key."
    )


def _unavailable(evaluation: Evaluation) -> BookingRuleError:
    reason = str(evaluation.reason)
    if reason == "event_type_inactive":
        return BookingRuleError("event_type_inactive", "The event type is switched off.")
    if reason == "in_past":
        return BookingRuleError("slot_in_past", "The requested start is in the past.")
    return BookingRuleError("slot_unavailable", "That time is no longer available", {"reason": reason})


def _meeting_entry(
    booking: Booking, key: str, *, seats: int | None, created_at: datetime
) -> ledger.LedgerEntry:
    return ledger.LedgerEntry(
        key=key,
        event_type_id=booking.event_type_id,
        start=booking.start_at,
        end=booking.end_at,
        created_at=created_at,
        status=booking.status,
        buffer_before=booking.buffer_before_minutes,
        buffer_after=booking.buffer_after_minutes,
        seats=seats,
    )


@dataclass(frozen=True)
class _Placement:
    """Where a new meeting goes: its host, and for group event types the session it joins or opens."""

    host: str
    joins_session: bool = False


def _place(event_type: BookableEventType, evaluation: Evaluation, keep_host: str | None) -> _Placement:
    host = choose_host(evaluation.candidate_host_ids, keep=None if evaluation.joins_session else keep_host)
    return _Placement(host, event_type.is_group and evaluation.joins_session)


def _add_new_meeting(
    plan: Plan,
    avail: Availability,
    event_type: BookableEventType,
    booking: Booking,
    placement: _Placement,
    counters: Sequence[CounterRef],
    now: datetime,
) -> None:
    """Ledger, session and counter actions of one new booking (individual, round robin or group)."""
    if not event_type.is_group:
        plan.add_meeting(
            avail, placement.host, _meeting_entry(booking, booking.uid, seats=None, created_at=now)
        )
        plan.count([], counters)
        return
    capacity = avail.rules.seat_capacity
    key = booking.meeting_id
    if placement.joins_session:
        # The session is already busy time and already counted (§2.9): only a seat changes.
        plan.join_session(event_type.id, booking.start_at, placement.host, capacity)
        plan.change_seats(placement.host, booking.start_at, key, 1, avail)
        return
    plan.open_session(event_type.id, booking.start_at, placement.host, counters, now)
    plan.add_meeting(avail, placement.host, _meeting_entry(booking, key, seats=1, created_at=now))
    plan.count([], counters)


def _session_item(event_type_id: str, start: datetime) -> dict[str, Any] | None:
    return dynamo.get(*session_key(event_type_id, start), consistent=True)


def _remove_old_meeting(plan: Plan, booking: Booking, avail: Availability | None) -> None:
    """Free the time, seat and limit capacity of an active booking (cancel, reschedule away)."""
    host = booking.host.user_id
    if not booking.is_group_registration:
        plan.remove_meeting(host, booking.start_at, booking.uid, avail)
        plan.count(booking.counter_keys, [])
        return
    session = _session_item(booking.event_type_id, booking.start_at)
    if session is None:
        return  # nothing left to release
    seats = int(session.get("seats_taken") or 0)
    session_host = session.get("host_user_id") or host
    plan.leave_session(booking.event_type_id, booking.start_at, seats)
    if seats <= 1:
        plan.remove_meeting(session_host, booking.start_at, booking.meeting_id, avail)
        plan.count([(str(p[0]), str(p[1])) for p in session.get("counter_keys") or []], [])
    else:
        plan.change_seats(session_host, booking.start_at, booking.meeting_id, -1, avail)


# --------------------------------------------------------------------------- create


def create(
    *,
    record: Mapping[str, Any],
    request: CreateRequest,
    responses: Mapping[str, Any],
    now: datetime,
    uid: str,
    created_by: Mapping[str, str],
    complete: Completion,
) -> Booking:
    """§5.2 steps 11–12: evaluate the start with fresh, consistent reads, then commit; a lost race
    re-reads and re-checks (at most 3 attempts) → 409 slot_unavailable or 503 slot_lock_timeout."""

    def attempt() -> Booking:
        avail = load_availability(record, now=now, start=request.start)
        event_type = bookable(record, avail.timezone)
        evaluation = evaluate(avail.rules, avail.hosts, avail.bookings, now=now, start=request.start)
        if not evaluation.bookable:
            raise _unavailable(evaluation)
        placement = _place(event_type, evaluation, None)
        user = get_user(event_type.organization_id, placement.host)
        limits, limits_tz = host_limits(avail, placement.host)
        counters = meeting_counters(event_type, request.start, placement.host, limits, limits_tz)
        booking = lifecycle.new_booking(
            uid=uid,
            request=request,
            event_type=event_type,
            event_type_timezone=avail.timezone,
            host=host_snapshot(placement.host, user),
            responses=responses,
            now=now,
            session_start=request.start if event_type.is_group else None,
            counter_keys=[] if event_type.is_group else [ref.key for ref in counters],
            created_by=created_by,
        )
        plan = Plan()
        plan.put_booking(booking)
        _add_new_meeting(plan, avail, event_type, booking, placement, counters, now)
        context = write_context(record, booking, user)
        plan.outbox(
            "booking.created",
            booking.organization_id,
            now,
            booking_event_data("booking.created", webhook_fields(booking, context)),
        )
        plan.complete(complete(booking))
        commit(plan)
        return booking

    return _with_retries(attempt, _slot_lock_timeout())


# --------------------------------------------------------------------------- cancel


def cancel(
    *,
    org_id: str,
    uid: str,
    reason: str | None,
    now: datetime,
    complete: Completion,
) -> tuple[Booking, bool]:
    """§6 steps 6–11: (booking after the call, whether it changed). Each attempt restarts at step 6.

    An already canceled booking comes back unchanged (step 7): nothing is written here, and the
    caller completes its idempotency record on its own."""
    changed = False

    def attempt() -> Booking:
        nonlocal changed
        booking = get(org_id, uid)
        if booking is None:
            raise BookingRuleError("booking_not_found", "Booking not found.")
        record, user = load_write_context(booking)
        event_type = bookable(record, None) if record is not None else None
        if lifecycle.cancel_is_noop(booking, event_type, now):
            changed = False
            return booking
        after = lifecycle.canceled(booking, reason, now)
        plan = Plan()
        plan.replace_booking(after, booking.version, require_active=True)
        _remove_old_meeting(plan, booking, None)
        context = write_context(record, after, user)
        plan.outbox(
            "booking.canceled",
            after.organization_id,
            now,
            booking_event_data("booking.canceled", webhook_fields(after, context)),
        )
        plan.complete(complete(after))
        commit(plan)
        changed = True
        return after

    exhausted = BookingRuleError("service_unavailable", "The cancellation could not complete; retry shortly.")
    result = _with_retries(attempt, exhausted)
    return result, changed


# --------------------------------------------------------------------------- reschedule


def reschedule(
    *,
    org_id: str,
    uid: str,
    start: datetime,
    timezone: str | None,
    reason: str | None,
    now: datetime,
    new_uid: str,
    created_by: Mapping[str, str],
    complete: Completion,
) -> tuple[Booking, Booking]:
    """§7 steps 6–14: (old booking after, new booking). Each attempt restarts at step 6."""
    result: list[Booking] = []

    def attempt() -> Booking:
        old = get(org_id, uid)
        if old is None:
            raise BookingRuleError("booking_not_found", "Booking not found.")
        lifecycle.check_reschedulable(old)
        item = dynamo.get(*event_type_store.item_key(org_id, old.event_type_id), consistent=True)
        record = _event_type_record(item)
        if record is None or record.get("deleted_at"):
            raise BookingRuleError("event_type_not_found", "The booking's event type no longer exists.")
        lifecycle.check_reschedule_event_type(bookable(record, None), start, now)
        avail = load_availability(
            record,
            now=now,
            start=start,
            exclude_key=None if old.is_group_registration else old.uid,
            release_seat_of=old.meeting_id if old.is_group_registration else None,
        )
        event_type = bookable(record, avail.timezone)
        evaluation = evaluate(
            avail.rules,
            avail.hosts,
            avail.bookings,
            now=now,
            start=start,
            exclude_booking_id=None if old.is_group_registration else old.uid,
        )
        if not evaluation.bookable:
            raise _unavailable(evaluation)
        placement = _place(event_type, evaluation, old.host.user_id)
        same_session = (
            old.is_group_registration
            and event_type.is_group
            and old.start_at == start
            and old.event_type_id == event_type.id
        )
        user = get_user(org_id, placement.host)
        limits, limits_tz = host_limits(avail, placement.host)
        counters = meeting_counters(event_type, start, placement.host, limits, limits_tz)
        replaced, new = lifecycle.rescheduled_pair(
            old,
            new_uid=new_uid,
            start=start,
            timezone=timezone,
            reason=reason,
            event_type=event_type,
            host=host_snapshot(placement.host, user) if not same_session else old.host,
            now=now,
            session_start=start if event_type.is_group else None,
            counter_keys=[] if event_type.is_group else [ref.key for ref in counters],
            created_by=created_by,
        )
        plan = Plan()
        plan.replace_booking(replaced, old.version, require_active=True)
        plan.put_booking(new)
        if not same_session:
            # Old and new changes of the same ledger day or counter merge inside the plan.
            _remove_old_meeting(plan, old, avail)
            _add_new_meeting(plan, avail, event_type, new, placement, counters, now)
        context = write_context(record, new, user)
        plan.outbox(
            "booking.rescheduled",
            new.organization_id,
            now,
            booking_event_data(
                "booking.rescheduled", webhook_fields(new, context), previous_booking=previous_booking(old)
            ),
        )
        plan.complete(complete(new))
        commit(plan)
        result[:] = [replaced, new]
        return new

    _with_retries(attempt, _slot_lock_timeout())
    return result[0], result[1]


# --------------------------------------------------------------------------- PATCH


def patch(
    *,
    org_id: str,
    uid: str,
    request: PatchRequest,
    expected: int | str,
    now: datetime,
    complete: Completion,
) -> Booking:
    """§8 steps 10–13: load, If-Match, apply, then one write conditional on the version read."""
    booking = get(org_id, uid)
    if booking is None:
        raise BookingRuleError("booking_not_found", "Booking not found.")
    lifecycle.check_if_match(booking, expected)
    record, user = load_write_context(booking)
    questions = bookable(record, None).questions if record is not None else ()
    after = lifecycle.patched(booking, request, questions, now)
    plan = Plan()
    plan.replace_booking(after, booking.version, require_active=False)
    context = write_context(record, after, user)
    plan.outbox(
        "booking.updated",
        after.organization_id,
        now,
        booking_event_data(
            "booking.updated", webhook_fields(after, context), changed_fields=list(request.changed_fields)
        ),
    )
    plan.complete(complete(after))
    for number in range(MAX_ATTEMPTS):
        try:
            commit(plan)
            return after
        except LostRace as lost:
            if "booking" in lost.kinds:
                # Another write won since the read: never retried (§11.4), the client re-reads.
                current = get(org_id, uid)
                raise BookingRuleError(
                    "version_conflict",
                    "The If-Match version does not match the current booking version",
                    {"current_version": current.version if current else booking.version},
                ) from lost
            if number + 1 < MAX_ATTEMPTS:
                _pause()
    raise BookingRuleError("service_unavailable", "The update could not complete; retry shortly.")


# --------------------------------------------------------------------------- no-show (admin)


def mark_no_show(uid: str, reason: str | None, now: datetime) -> tuple[Booking, bool]:
    """`42min admin booking no-show`: (booking, whether it changed). A change bumps the version,
    sets `no_show_*` and emits `booking.no_show` in one transaction; an already marked booking is
    left unchanged and emits nothing."""
    booking = find(uid)
    if booking is None:
        raise BookingRuleError("booking_not_found", "Booking not found.")
    if lifecycle.no_show_is_noop(booking, now):
        return booking, False
    after = lifecycle.marked_no_show(booking, reason, now)
    record, user = load_write_context(booking)
    plan = Plan()
    plan.replace_booking(after, booking.version, require_active=True)
    context = write_context(record, after, user)
    plan.outbox(
        "booking.no_show",
        after.organization_id,
        now,
        booking_event_data("booking.no_show", webhook_fields(after, context)),
    )
    try:
        commit(plan)
    except LostRace as lost:
        raise BookingRuleError(
            "version_conflict", "The booking changed meanwhile; run the command again."
        ) from lost
    return after, True


# --------------------------------------------------------------------------- lists

SORTS: dict[str, tuple[str, bool]] = {  # sort → (sort field, ascending)
    "start_at_desc": ("start_at", False),
    "start_at_asc": ("start_at", True),
    "created_at_desc": ("created_at", False),
    "created_at_asc": ("created_at", True),
    "updated_at_asc": ("updated_at", True),
    "updated_at_desc": ("updated_at", False),
}


@dataclass(frozen=True)
class ListQuery:
    """Normalised filters of `GET /v1/bookings` (30-bookings §3); every filter combines with AND."""

    org_id: str
    sort: str = "start_at_desc"
    limit: int = 20
    after: tuple[str, str] | None = None  # (sort value, uid) of the previous page's last item
    statuses: tuple[str, ...] | None = None
    exclude_canceled: bool = False
    event_type_id: str | None = None
    host_ids: tuple[str, ...] | None = None
    attendee_email: str | None = None
    start_from: datetime | None = None
    start_to: datetime | None = None
    updated_since: datetime | None = None


def _index_for(query: ListQuery) -> tuple[str, str]:
    """(index, partition): the narrowest index whose order is the requested sort."""
    field_name, _ = SORTS[query.sort]
    if field_name == "start_at":
        if query.attendee_email is not None:
            return "gsi5", email_partition(query.org_id, query.attendee_email)
        if query.host_ids is not None and len(query.host_ids) == 1:
            return "gsi4", host_partition(query.org_id, query.host_ids[0])
        return "gsi1", account_partition(query.org_id)
    if field_name == "created_at":
        return "gsi2", account_partition(query.org_id)
    return "gsi3", account_partition(query.org_id)


def sort_value(booking: Booking, sort: str) -> str:
    field_name, _ = SORTS[sort]
    return format_ts(getattr(booking, field_name))


def list_page(query: ListQuery) -> tuple[list[Booking], bool]:
    """One keyset page: up to `limit` bookings after `query.after`, and whether more exist.

    Keyset positions are (sort value, uid), the GSI sort key itself, so inserts never shift a page.
    Filters make DynamoDB skip items; the Query then continues from its LastEvaluatedKey.
    """
    field_name, ascending = SORTS[query.sort]
    index, partition = _index_for(query)
    names: dict[str, str] = {}
    values: dict[str, Any] = {":p": partition}
    key_condition = f"{index}pk = :p"
    low: str | None = None
    high: str | None = None
    if field_name == "start_at":
        low = format_ts(query.start_from) if query.start_from else None
        high = f"{format_ts(query.start_to)}#~" if query.start_to else None  # '~' sorts after any uid
    elif field_name == "updated_at" and query.updated_since is not None:
        low = format_ts(query.updated_since)
    if low is not None and high is not None:
        key_condition += f" AND {index}sk BETWEEN :lo AND :hi"
        values.update({":lo": low, ":hi": high})
    elif low is not None:
        key_condition += f" AND {index}sk >= :lo"
        values[":lo"] = low
    elif high is not None:
        key_condition += f" AND {index}sk <= :hi"
        values[":hi"] = high

    filters: list[str] = []
    if query.statuses is not None:
        names["#status"] = "status"
        marks = []
        for n, status in enumerate(query.statuses):
            values[f":st{n}"] = status
            marks.append(f":st{n}")
        filters.append(f"#status IN ({', '.join(marks)})")
    elif query.exclude_canceled:
        names["#status"] = "status"
        values[":canceled"] = CANCELED
        filters.append("#status <> :canceled")
    if query.event_type_id is not None:
        values[":et"] = query.event_type_id
        filters.append("event_type_id = :et")
    if query.host_ids is not None and index != "gsi4":
        marks = []
        for n, host in enumerate(query.host_ids):
            values[f":h{n}"] = host
            marks.append(f":h{n}")
        filters.append(f"host_user_id IN ({', '.join(marks)})")
    if query.attendee_email is not None:
        # gsi5 is keyed by the lower-cased address; the contract's match is exact and case-sensitive.
        values[":email"] = query.attendee_email
        filters.append("attendee_email = :email")
    if field_name != "start_at":
        if query.start_from is not None:
            values[":sf"] = format_ts(query.start_from)
            filters.append("start_at >= :sf")
        if query.start_to is not None:
            values[":stt"] = format_ts(query.start_to)
            filters.append("start_at <= :stt")
    if field_name != "updated_at" and query.updated_since is not None:
        values[":us"] = format_ts(query.updated_since)
        filters.append("updated_at >= :us")

    start_key = None
    if query.after is not None:
        value, last_uid = query.after
        pk, sk = booking_key(last_uid)
        start_key = dynamo.to_item(
            {"pk": pk, "sk": sk, f"{index}pk": partition, f"{index}sk": f"{value}#{last_uid}"}
        )
    wanted = query.limit + 1
    found: list[Booking] = []
    while len(found) < wanted:
        page, start_key = dynamo.query(
            key_condition=key_condition,
            values_=values,
            names=names or None,
            index=index,
            forward=ascending,
            limit=wanted - len(found) if not filters else max(wanted, 100),
            filter_=" AND ".join(filters) or None,
            start_key=start_key,
        )
        found.extend(booking_from_item(item) for item in page)
        if not start_key:
            break
    found = found[:wanted]
    return found[: query.limit], len(found) > query.limit
