"""The busy ledger (every active meeting of a host) and the busy-minute claims that guard it.

Ledger entry: ONE item per active meeting, pk `LEDGER#<host user id>`, sk `DAY#<YYYY-MM-DD>#<entry
key>` (the UTC date of its start), so the slot engine reads a host's meetings of a date range with
ONE Query (`read_entries`) and two bookings never write the same ledger item. Attributes:

    {"type": "ledger_entry", "host_user_id", "day", "key", "event_type_id", "start", "end",
     "buffer_before", "buffer_after", "status", "created_at", "seats" (group sessions only)}

Entry keys: a booking uid for an ordinary meeting; for a group event type ONE entry per session,
keyed `session_key(event_type_id, start)`, whose `seats` counts its active registrations and whose
`created_at` is when it opened (a session is one busy item, §2.8). Canceled meetings are deleted.

Busy-hour item (`domain/bookings/claims.py`): pk `BUSY#<host user id>`, sk `HOUR#<YYYY-MM-DDTHH>`
(UTC), one attribute `mNN` per claimed minute holding the entry key that claimed it. A booking
commit claims each minute of its buffered interval with `attribute_not_exists`, so only
overlapping meetings can make each other's commit fail; releases are unconditional REMOVEs.

A meeting lasts at most 720 minutes and carries at most 240 minutes of buffer on each side, so any
meeting that can touch an instant t starts on the UTC date of t, the day before, or the day after.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from fortytwo.domain.bookings import ledger as booking_ledger
from fortytwo.domain.bookings.claims import MINUTES_PER_HOUR
from fortytwo.domain.bookings.ledger import day_of
from fortytwo.domain.scheduling import ExistingBooking
from fortytwo.domain.timefmt import format_ts, parse_ts
from fortytwo.store import dynamo, keys

_LAST_DAY = "9999-12-31"
ENTRY_TYPE = "ledger_entry"
BUSY_HOUR_TYPE = "busy_hour"


def entry_attr(entry: booking_ledger.LedgerEntry) -> dict[str, Any]:
    """The entry's own attributes (without keys)."""
    value: dict[str, Any] = {
        "event_type_id": entry.event_type_id,
        "start": format_ts(entry.start),
        "end": format_ts(entry.end),
        "buffer_before": entry.buffer_before,
        "buffer_after": entry.buffer_after,
        "status": entry.status,
        "created_at": format_ts(entry.created_at),
    }
    if entry.seats is not None:
        value["seats"] = entry.seats
    return value


class LedgerEntry(booking_ledger.LedgerEntry):
    """A ledger entry with its stored form (the domain's `LedgerEntry` plus the codec)."""

    __slots__ = ()

    def to_attr(self) -> dict[str, Any]:
        return entry_attr(self)

    @classmethod
    def from_attr(cls, key: str, value: Mapping[str, Any]) -> LedgerEntry:
        return cls(
            key=key,
            event_type_id=value["event_type_id"],
            start=parse_ts(value["start"]),
            end=parse_ts(value["end"]),
            created_at=parse_ts(value.get("created_at") or value["start"]),
            status=value.get("status", "confirmed"),
            buffer_before=int(value.get("buffer_before", 0)),
            buffer_after=int(value.get("buffer_after", 0)),
            seats=int(value["seats"]) if value.get("seats") is not None else None,
        )


def entry_key(host_user_id: str, day: date, key: str) -> tuple[str, str]:
    return keys.ledger_entry(host_user_id, day.isoformat(), key)


def session_key(event_type_id: str, start: datetime) -> str:
    """The entry key of a group session (one per event type and start, §2.8)."""
    return f"session:{event_type_id}:{format_ts(start)}"


def entry_item(host_user_id: str, entry: booking_ledger.LedgerEntry) -> dynamo.Item:
    day = day_of(entry.start)
    pk, sk = entry_key(host_user_id, day, entry.key)
    return {
        "pk": pk,
        "sk": sk,
        "type": ENTRY_TYPE,
        "host_user_id": host_user_id,
        "day": day.isoformat(),
        "key": entry.key,
        **entry_attr(entry),
    }


def read_entries(
    host_user_id: str, first_day: date, last_day: date | None, *, consistent: bool = False
) -> list[LedgerEntry]:
    """Every active entry of the host whose start lies on a UTC date in `[first_day, last_day]`
    (open-ended when `last_day` is None). One Query (more pages only past 1 MB of ledger)."""
    low, high = keys.ledger_day_range(
        first_day.isoformat(), (last_day.isoformat() if last_day else _LAST_DAY)
    )
    items = dynamo.query_all(
        key_condition="pk = :p AND sk BETWEEN :a AND :b",
        values_={":p": keys.ledger_partition(host_user_id), ":a": low, ":b": high},
        consistent=consistent,
    )
    found = (LedgerEntry.from_attr(item["key"], item) for item in items if item.get("type") == ENTRY_TYPE)
    return [entry for entry in found if entry.active]


def existing_bookings(
    host_user_id: str,
    entries: Iterable[LedgerEntry],
    *,
    exclude_key: str | None = None,
    release_seat_of: str | None = None,
) -> list[ExistingBooking]:
    """Engine inputs for one host's entries.

    `exclude_key`: the booking being rescheduled (X), absent everywhere. `release_seat_of`: the
    session key whose count must not include X's registration (rescheduling a group registration).
    """
    result = []
    for entry in entries:
        if entry.key == exclude_key:
            continue
        released = release_seat_of is not None and entry.key == release_seat_of and entry.seats is not None
        seats = max(0, (entry.seats or 0) - 1) if released else None
        result.append(entry.to_existing_booking(host_user_id, seats_taken=seats))
    return result


# --------------------------------------------------------------------------- writes (bookings)


def transact_put_entry(host_user_id: str, entry: booking_ledger.LedgerEntry) -> dict[str, Any]:
    """Record a meeting (unconditional: the busy-minute claims decide who may add it)."""
    return {
        "Put": {"TableName": dynamo.table_name(), "Item": dynamo.to_item(entry_item(host_user_id, entry))}
    }


def transact_delete_entry(host_user_id: str, day: date, key: str) -> dict[str, Any]:
    """Drop a meeting (cancel, reschedule away, last registration of a session gone)."""
    return {
        "Delete": {"TableName": dynamo.table_name(), "Key": dynamo.key(*entry_key(host_user_id, day, key))}
    }


def transact_add_seats(host_user_id: str, day: date, key: str, delta: int) -> dict[str, Any]:
    """Move a session entry's seat count (the session item's own conditions guard capacity)."""
    return {
        "Update": {
            "TableName": dynamo.table_name(),
            "Key": dynamo.key(*entry_key(host_user_id, day, key)),
            "UpdateExpression": "ADD seats :d",
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeValues": dynamo.values({":d": delta}),
        }
    }


def transact_busy_hour(
    host_user_id: str,
    hour: datetime,
    *,
    take: Iterable[tuple[int, str]] = (),
    fresh: Iterable[int] = (),
    release: Iterable[int] = (),
) -> dict[str, Any]:
    """One busy-hour item's change: set the `take` minutes (minute → owner entry key), each of the
    `fresh` ones only if unclaimed; remove the `release` minutes without a condition."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    owners: dict[str, str] = {}  # owner key → value placeholder
    sets: list[str] = []
    for minute, owner in take:
        assert 0 <= minute < MINUTES_PER_HOUR
        if owner not in owners:
            owners[owner] = f":o{len(owners)}"
            values[owners[owner]] = owner
        names[f"#m{minute}"] = keys.busy_minute_attribute(minute)
        sets.append(f"#m{minute} = {owners[owner]}")
    removes = []
    for minute in sorted(release):
        names[f"#m{minute}"] = keys.busy_minute_attribute(minute)
        removes.append(f"#m{minute}")
    conditions = [f"attribute_not_exists(#m{minute})" for minute in sorted(fresh)]
    if sets:
        names["#t"] = "type"
        values[":t"] = BUSY_HOUR_TYPE
        sets.append("#t = :t")
    expression = " ".join(
        part
        for part in (
            "SET " + ", ".join(sets) if sets else "",
            "REMOVE " + ", ".join(removes) if removes else "",
        )
        if part
    )
    update: dict[str, Any] = {
        "TableName": dynamo.table_name(),
        "Key": dynamo.key(*keys.busy_hour(host_user_id, hour.strftime("%Y-%m-%dT%H"))),
        "UpdateExpression": expression,
        "ExpressionAttributeNames": names,
    }
    if values:
        update["ExpressionAttributeValues"] = dynamo.values(values)
    if conditions:
        update["ConditionExpression"] = " AND ".join(conditions)
    return {"Update": update}


def busy_minutes(host_user_id: str, hour: datetime) -> dict[int, str]:
    """The claimed minutes of one busy-hour item → owner entry key (tests and repair tooling)."""
    item = dynamo.get(*keys.busy_hour(host_user_id, hour.strftime("%Y-%m-%dT%H")), consistent=True) or {}
    return {
        minute: item[keys.busy_minute_attribute(minute)]
        for minute in range(MINUTES_PER_HOUR)
        if keys.busy_minute_attribute(minute) in item
    }


def put_entries(host_user_id: str, entries: Iterable[booking_ledger.LedgerEntry]) -> None:
    """Write ledger entries unconditionally and without claims (tests and benchmarks that stage
    busy time for the slot engine)."""
    requests = [{"PutRequest": {"Item": dynamo.to_item(entry_item(host_user_id, e))}} for e in entries]
    for first in range(0, len(requests), 25):  # BatchWriteItem takes 25 requests at a time
        dynamo.client().batch_write_item(RequestItems={dynamo.table_name(): requests[first : first + 25]})
