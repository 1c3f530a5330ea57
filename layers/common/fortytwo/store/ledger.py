"""The busy ledger: every active meeting of a host, bucketed by the UTC date of its start.

One item per (host, UTC day): pk `LEDGER#<host user id>`, sk `DAY#<YYYY-MM-DD>`, attribute
`entries` = map of entry key → entry, and `version` (bumped by every write, so booking commits can
be conditional on the host-days they read). The slot engine reads a host's ledger with ONE Query
over a day range (`read_entries`); booking writes use the `transact_*` builders below inside their
TransactWriteItems.

Entry shape (the map value):

    {"event_type_id": str, "start": "<instant>", "end": "<instant>", "buffer_before": int,
     "buffer_after": int, "status": "confirmed" | "pending", "created_at": "<instant>",
     "seats": int (group sessions only)}

Entry keys: a booking uid for an ordinary meeting; for a group event type ONE entry per session,
keyed `session_key(event_type_id, start)`, whose `seats` counts its active registrations and whose
`created_at` is when it opened (a session is one busy item, §2.8). Canceled meetings are removed
(or left with an inactive `status`, which readers ignore).

A meeting lasts at most 720 minutes and carries at most 240 minutes of buffer on each side, so any
meeting that can touch an instant t starts on the UTC date of t, the day before, or the day after.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from fortytwo.domain.bookings import ledger as booking_ledger
from fortytwo.domain.bookings.ledger import day_of
from fortytwo.domain.scheduling import ExistingBooking
from fortytwo.domain.timefmt import format_ts, parse_ts
from fortytwo.store import dynamo, keys

_LAST_DAY = keys.ledger_day_sort_key("9999-12-31")


def entry_attr(entry: booking_ledger.LedgerEntry) -> dict[str, Any]:
    """The map value stored under `entries.<key>`."""
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
    """A ledger entry with its stored form (the domain's `LedgerEntry` plus the map codec)."""

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


def partition(host_user_id: str) -> str:
    return keys.ledger_partition(host_user_id)


def day_sort_key(day: date) -> str:
    return keys.ledger_day_sort_key(day.isoformat())


def day_key(host_user_id: str, day: date) -> tuple[str, str]:
    return partition(host_user_id), day_sort_key(day)


def session_key(event_type_id: str, start: datetime) -> str:
    """The entry key of a group session (one per event type and start, §2.8)."""
    return f"session:{event_type_id}:{format_ts(start)}"


def day_item(
    host_user_id: str, day: date, entries: Iterable[booking_ledger.LedgerEntry], version: int = 1
) -> dynamo.Item:
    """A whole ledger day (tests and first writes of a day)."""
    pk, sk = day_key(host_user_id, day)
    return {
        "pk": pk,
        "sk": sk,
        "type": "ledger_day",
        "host_user_id": host_user_id,
        "day": day.isoformat(),
        "entries": {entry.key: entry_attr(entry) for entry in entries},
        "version": version,
    }


def entries_of(item: Mapping[str, Any]) -> list[LedgerEntry]:
    return [LedgerEntry.from_attr(key, value) for key, value in (item.get("entries") or {}).items()]


def read_days(
    host_user_id: str, first_day: date, last_day: date | None, *, consistent: bool = False
) -> list[dynamo.Item]:
    """The ledger day items of `[first_day, last_day]` (open-ended when `last_day` is None).

    One Query (more pages only past 1 MB of ledger), never one call per day.
    """
    return dynamo.query_all(
        key_condition="pk = :p AND sk BETWEEN :a AND :b",
        values_={
            ":p": partition(host_user_id),
            ":a": day_sort_key(first_day),
            ":b": day_sort_key(last_day) if last_day is not None else _LAST_DAY,
        },
        consistent=consistent,
    )


def read_entries(
    host_user_id: str, first_day: date, last_day: date | None, *, consistent: bool = False
) -> list[LedgerEntry]:
    """Every active entry of the host whose start lies on a UTC date in the range."""
    return [
        entry
        for item in read_days(host_user_id, first_day, last_day, consistent=consistent)
        for entry in entries_of(item)
        if entry.active
    ]


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


def transact_add_entry(
    host_user_id: str, entry: LedgerEntry, *, expected_version: int | None
) -> dict[str, Any]:
    """Add or replace one entry of the day of `entry.start`.

    `expected_version` is the version read for that day (None when the day item did not exist):
    the write fails (ConditionalCheckFailed) if another booking touched the host-day meanwhile.
    """
    day = day_of(entry.start)
    pk, sk = day_key(host_user_id, day)
    table = dynamo.table_name()
    if expected_version is None:
        return {
            "Put": {
                "TableName": table,
                "Item": dynamo.to_item(day_item(host_user_id, day, [entry])),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
    return {
        "Update": {
            "TableName": table,
            "Key": dynamo.key(pk, sk),
            "UpdateExpression": "SET entries.#k = :e, version = version + :one",
            "ConditionExpression": "version = :v",
            "ExpressionAttributeNames": {"#k": entry.key},
            "ExpressionAttributeValues": dynamo.values(
                {":e": entry_attr(entry), ":one": 1, ":v": expected_version}
            ),
        }
    }


def transact_check_day(host_user_id: str, day: date, *, expected_version: int | None) -> dict[str, Any]:
    """A ConditionCheck that a host-day is unchanged since it was read (None: it still does not
    exist). Booking commits add it for the neighbouring days a meeting and its buffers reach into."""
    pk, sk = day_key(host_user_id, day)
    check: dict[str, Any] = {"TableName": dynamo.table_name(), "Key": dynamo.key(pk, sk)}
    if expected_version is None:
        check["ConditionExpression"] = "attribute_not_exists(pk)"
    else:
        check["ConditionExpression"] = "version = :v"
        check["ExpressionAttributeValues"] = dynamo.values({":v": expected_version})
    return {"ConditionCheck": check}


def transact_remove_entry(host_user_id: str, day: date, key: str, *, expected_version: int) -> dict[str, Any]:
    """Remove one entry (cancel, reschedule away, last registration of a session gone)."""
    pk, sk = day_key(host_user_id, day)
    return {
        "Update": {
            "TableName": dynamo.table_name(),
            "Key": dynamo.key(pk, sk),
            "UpdateExpression": "REMOVE entries.#k SET version = version + :one",
            "ConditionExpression": "version = :v",
            "ExpressionAttributeNames": {"#k": key},
            "ExpressionAttributeValues": dynamo.values({":one": 1, ":v": expected_version}),
        }
    }


def transact_set_entry_field(
    host_user_id: str, day: date, key: str, field: str, value: Any, *, expected_version: int
) -> dict[str, Any]:
    """Change one field of an entry (`status` on confirm, `seats` when a session grows or shrinks)."""
    pk, sk = day_key(host_user_id, day)
    return {
        "Update": {
            "TableName": dynamo.table_name(),
            "Key": dynamo.key(pk, sk),
            "UpdateExpression": "SET entries.#k.#f = :x, version = version + :one",
            "ConditionExpression": "version = :v AND attribute_exists(entries.#k)",
            "ExpressionAttributeNames": {"#k": key, "#f": field},
            "ExpressionAttributeValues": dynamo.values({":x": value, ":one": 1, ":v": expected_version}),
        }
    }


def put_day(host_user_id: str, day: date, entries: Iterable[LedgerEntry], version: int = 1) -> None:
    """Write a whole day item unconditionally (tests, benchmarks and repair tooling)."""
    dynamo.client().put_item(
        TableName=dynamo.table_name(), Item=dynamo.to_item(day_item(host_user_id, day, entries, version))
    )
