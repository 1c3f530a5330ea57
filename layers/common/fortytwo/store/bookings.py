"""Booking items, their list indexes, and the commit of a booking plan (30-bookings §11).

Items (docs/single-table.md):

- booking: pk `BOOKING#<uid>`, sk `BOOKING`; gsi1 `ACCT#<org>#BK` / `<start>#<uid>`, gsi2 same pk /
  `<created_at>#<uid>`, gsi3 same pk / `<updated_at>#<uid>`, gsi4 `ACCT#<org>#HOST#<user>#BK` /
  `<start>#<uid>`, gsi5 `ACCT#<org>#EMAIL#<lower email>` / `<start>#<uid>`, and for series meetings
  gsi6 `ACCT#<org>#SERIES#<series>#BK` / `<start>#<uid>`; `version` is the ETag.
- busy ledger entry (one item per active meeting) and busy-hour claims: `store/ledger.py`.
- limit counter: `keys.limit_counter` (pk `COUNTER#<ET#id | USER#id>`, sk `DAY#…` / `WEEK#…` /
  `MONTH#…`), `count`.
- group session: pk `SESSION#<event type id>`, sk `<start>`: host, `seats_taken`, the counter keys
  the session was counted in.

Readers return domain entities; `commit` executes a `BookingPlan` (domain/bookings/plan.py, which
explains the busy-minute conditions) as ONE TransactWriteItems together with the idempotency
completion.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fortytwo.domain.bookings.decisions import Availability, WriteFacts
from fortytwo.domain.bookings.errors import BookingRuleError
from fortytwo.domain.bookings.event_types import BookableEventType, EventLocation, Question
from fortytwo.domain.bookings.limits import CounterId
from fortytwo.domain.bookings.listing import SORTS, ListQuery
from fortytwo.domain.bookings.model import CANCELED, Booking, from_record, to_record
from fortytwo.domain.bookings.plan import (
    BookingPlan,
    BookingWrite,
    BusyHourChange,
    CounterChange,
    GroupSession,
    LedgerChange,
    SessionAction,
    SessionChange,
)
from fortytwo.domain.event_types import series_default
from fortytwo.domain.timefmt import format_ts, parse_ts, shifted
from fortytwo.store import availability, dynamo, keys, ledger, outbox
from fortytwo.store import event_types as event_type_store
from fortytwo.store import idempotency as idempotency_store
from fortytwo.store.schema import ItemSchema
from fortytwo.store.transactions import LostRace, transact

_ONE_MS = timedelta(milliseconds=1)
_ET_ITEM_ONLY = ("pk", "sk", "type", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk")

SESSION_SCHEMA: ItemSchema[GroupSession] = ItemSchema(
    type="group_session",
    entity=GroupSession,
    key=lambda s: keys.group_session(s.event_type_id, format_ts(s.start)),
)


# --------------------------------------------------------------------------- booking items


def booking_item(booking: Booking) -> dynamo.Item:
    pk, sk = keys.booking(booking.uid)
    record = to_record(booking)
    start, uid = record["start_at"], booking.uid
    account = keys.bookings_of_account(booking.organization_id)
    series: dynamo.Item = {}
    if booking.series_id is not None:
        # gsi6 is sparse: only series meetings are projected (35-series §5.3 `series_id` filter).
        series = {
            "gsi6pk": keys.bookings_of_series(booking.organization_id, booking.series_id),
            "gsi6sk": f"{start}#{uid}",
        }
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
        "gsi4pk": keys.bookings_of_host(booking.organization_id, booking.host.user_id),
        "gsi4sk": f"{start}#{uid}",
        "gsi5pk": keys.bookings_of_attendee(booking.organization_id, booking.attendee.email),
        "gsi5sk": f"{start}#{uid}",
        **series,
    }


# --------------------------------------------------------------------------- reads


def get(org_id: str, uid: str) -> Booking | None:
    """A booking of the organization (strongly consistent), or None."""
    item = dynamo.get(*keys.booking(uid), consistent=True)
    if item is None or item.get("organization_id") != org_id:
        return None
    return from_record(item)


def find(uid: str) -> Booking | None:
    """Any organization's booking (admin commands)."""
    item = dynamo.get(*keys.booking(uid.lower()), consistent=True)
    return from_record(item) if item is not None else None


def event_type_record(item: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {k: v for k, v in item.items() if k not in _ET_ITEM_ONLY}


@dataclass(frozen=True, slots=True)
class LoadedEventType:
    """An event type as the booking writes read it: the entity, and the stored record the
    availability read (`load_availability`) takes back."""

    record: Mapping[str, Any]
    event_type: BookableEventType


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
        # Records written before 35-series lack it: the kind's default (false for group).
        allow_series=bool(record.get("allow_series", series_default(record.get("scheduling_type")))),
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


def _loaded(record: Mapping[str, Any] | None) -> LoadedEventType | None:
    return LoadedEventType(record, bookable(record, None)) if record is not None else None


def resolve_event_type(
    org_id: str, *, event_type_id: str | None, username: str | None, event_slug: str | None
) -> LoadedEventType | None:
    """Create step 6: the organization's non-deleted event type by id or by `username/event_slug`."""
    if event_type_id is not None:
        return _loaded(event_type_store.get(org_id, event_type_id, consistent=True))
    if username is None or event_slug is None:
        return None
    return _loaded(event_type_store.find_by_username_slug(org_id, username, event_slug))


def booking_event_type(org_id: str, event_type_id: str) -> LoadedEventType | None:
    """A booking's event type, deleted ones included (reschedule refuses those itself)."""
    item = dynamo.get(*event_type_store.item_key(org_id, event_type_id), consistent=True)
    return _loaded(event_type_record(item))


def write_facts(booking: Booking) -> WriteFacts:
    """The event type (deleted ones included) and host user of a booking: one BatchGetItem."""
    et_pk, et_sk = event_type_store.item_key(booking.organization_id, booking.event_type_id)
    user_pk, user_sk = keys.user(booking.organization_id, booking.host.user_id)
    found = dynamo.batch_get([(et_pk, et_sk), (user_pk, user_sk)], consistent=True)
    record = event_type_record(next((i for i in found if i.get("type") == "event_type"), None))
    user = next((i for i in found if i.get("type") == "user"), None)
    return WriteFacts(
        bookable(record, None) if record is not None else None,
        availability.host_snapshot(booking.host.user_id, user) if user is not None else None,
    )


def session(booking: Booking) -> GroupSession | None:
    """The session of a group registration (None for other bookings or when it is gone)."""
    if booking.session_start is None:
        return None
    item = dynamo.get(
        *keys.group_session(booking.event_type_id, format_ts(booking.session_start)), consistent=True
    )
    return SESSION_SCHEMA.decode_optional(item)


def counter(counter_id: CounterId) -> int:
    """The count of a limit counter (0 when it was never incremented). Counters are only ever
    changed by atomic ADDs (`_counter_action`), so they have no entity beyond their count."""
    item = dynamo.get(*keys.limit_counter(*counter_id), consistent=True)
    return int(item["count"]) if item else 0


def load_availability(
    loaded: LoadedEventType,
    *,
    now: datetime,
    start: datetime,
    exclude_key: str | None = None,
    release_seat_of: str | None = None,
) -> Availability:
    """Strongly consistent engine inputs for `start` (§11.2: availability reads of a write are
    strongly consistent), read exactly as `/v1/slots` reads them."""
    inputs = availability.load_inputs(
        loaded.record,
        now=now,
        window_start=start,
        window_end=shifted(start, _ONE_MS),
        consistent=True,
        exclude_key=exclude_key,
        release_seat_of=release_seat_of,
    )
    return Availability(inputs.rules, inputs.hosts, inputs.bookings, inputs.host_users)


# --------------------------------------------------------------------------- commit


def _booking_action(write: BookingWrite) -> dict[str, Any]:
    put: dict[str, Any] = {
        "TableName": dynamo.table_name(),
        "Item": dynamo.to_item(booking_item(write.booking)),
    }
    if write.expected_version is None:
        put["ConditionExpression"] = "attribute_not_exists(pk)"
        return {"Put": put}
    condition = "version = :v"
    values: dict[str, Any] = {":v": write.expected_version}
    if write.require_active:
        condition += " AND #status IN (:confirmed, :pending)"
        values.update({":confirmed": "confirmed", ":pending": "pending"})
        put["ExpressionAttributeNames"] = {"#status": "status"}
    put["ConditionExpression"] = condition
    put["ExpressionAttributeValues"] = dynamo.values(values)
    return {"Put": put}


def _session_action(change: SessionChange) -> dict[str, Any]:
    found = change.session
    table = dynamo.table_name()
    if change.action is SessionAction.OPEN:
        item = dynamo.to_item(SESSION_SCHEMA.encode(found))
        return {"Put": {"TableName": table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}
    key = dynamo.key(*SESSION_SCHEMA.key(found))
    if change.action is SessionAction.JOIN:
        return {
            "Update": {
                "TableName": table,
                "Key": key,
                "UpdateExpression": "ADD seats_taken :one",
                "ConditionExpression": "seats_taken < :cap AND host_user_id = :host",
                "ExpressionAttributeValues": dynamo.values(
                    {":one": 1, ":cap": change.capacity, ":host": found.host_user_id}
                ),
            }
        }
    if found.seats_taken <= 1:
        return {
            "Delete": {
                "TableName": table,
                "Key": key,
                "ConditionExpression": "seats_taken = :read",
                "ExpressionAttributeValues": dynamo.values({":read": found.seats_taken}),
            }
        }
    return {
        "Update": {
            "TableName": table,
            "Key": key,
            "UpdateExpression": "ADD seats_taken :minus",
            "ConditionExpression": "seats_taken = :read",
            "ExpressionAttributeValues": dynamo.values({":read": found.seats_taken, ":minus": -1}),
        }
    }


def _ledger_action(change: LedgerChange) -> dict[str, Any]:
    if change.put is not None:
        return ledger.transact_put_entry(change.host, change.put)
    if change.remove:
        return ledger.transact_delete_entry(change.host, change.day, change.key)
    return ledger.transact_add_seats(change.host, change.day, change.key, change.seat_delta)


def _busy_action(change: BusyHourChange) -> dict[str, Any]:
    return ledger.transact_busy_hour(
        change.host, change.hour, take=change.take, fresh=change.fresh, release=change.release
    )


def _counter_action(change: CounterChange) -> dict[str, Any]:
    pk, sk = keys.limit_counter(*change.counter)
    delta, cap = change.delta, change.cap
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


def render(
    plan: BookingPlan, completion: idempotency_store.Completion | None
) -> tuple[list[dict[str, Any]], list[str]]:
    """The plan's TransactWriteItems entries, and each entry's kind (which condition failed)."""
    actions: list[tuple[str, dict[str, Any]]] = [("booking", _booking_action(w)) for w in plan.bookings]
    actions += [("ledger", _ledger_action(change)) for change in plan.entries]
    actions += [("busy", _busy_action(change)) for change in plan.busy]
    actions += [("session", _session_action(s)) for s in plan.sessions]
    actions += [("counter", _counter_action(c)) for c in plan.counters]
    actions += [("outbox", outbox.transact_put(event)) for event in plan.events]
    if completion is not None:
        actions.append(("idempotency", idempotency_store.completion_action(completion)))
    return [a for _, a in actions], [kind for kind, _ in actions]


def commit(plan: BookingPlan, completion: idempotency_store.Completion | None = None) -> None:
    """Run the plan as one transaction. Raises LostRace (re-read and retry), or BookingRuleError
    `idempotency_in_progress` when another attempt took the idempotency record over."""
    items, kinds = render(plan, completion)
    try:
        transact(items, kinds)
    except LostRace as lost:
        if "idempotency" in lost.kinds:
            raise BookingRuleError(
                "idempotency_in_progress",
                "A request with this Idempotency-Key is still being processed; retry shortly",
            ) from lost
        raise


# --------------------------------------------------------------------------- lists


def _index_for(query: ListQuery) -> tuple[str, str]:
    """(index, partition): the narrowest index whose order is the requested sort."""
    field_name, _ = SORTS[query.sort]
    if field_name == "start_at":
        if query.series_id is not None:
            return "gsi6", keys.bookings_of_series(query.org_id, query.series_id)
        if query.attendee_email is not None:
            return "gsi5", keys.bookings_of_attendee(query.org_id, query.attendee_email)
        if query.host_ids is not None and len(query.host_ids) == 1:
            return "gsi4", keys.bookings_of_host(query.org_id, query.host_ids[0])
        return "gsi1", keys.bookings_of_account(query.org_id)
    if field_name == "created_at":
        return "gsi2", keys.bookings_of_account(query.org_id)
    return "gsi3", keys.bookings_of_account(query.org_id)


def _key_condition(query: ListQuery, field_name: str, index: str, values: dict[str, Any]) -> str:
    """The partition plus the sort-key range the sort field allows (the dates of the sorted field)."""
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
    return key_condition


def _one_of(values: dict[str, Any], prefix: str, items: Iterable[str]) -> str:
    """`(:p0, :p1, …)` for an IN filter, each placeholder bound in `values`."""
    marks = []
    for n, item in enumerate(items):
        values[f":{prefix}{n}"] = item
        marks.append(f":{prefix}{n}")
    return f"({', '.join(marks)})"


def _status_filters(query: ListQuery, names: dict[str, str], values: dict[str, Any]) -> list[str]:
    if query.statuses is not None:
        names["#status"] = "status"
        return [f"#status IN {_one_of(values, 'st', query.statuses)}"]
    if query.exclude_canceled:
        names["#status"] = "status"
        values[":canceled"] = CANCELED
        return ["#status <> :canceled"]
    return []


def _attribute_filters(query: ListQuery, index: str, values: dict[str, Any]) -> list[str]:
    filters: list[str] = []
    if query.event_type_id is not None:
        values[":et"] = query.event_type_id
        filters.append("event_type_id = :et")
    if query.series_id is not None and index != "gsi6":
        values[":series"] = query.series_id
        filters.append("series_id = :series")
    if query.host_ids is not None and index != "gsi4":
        filters.append(f"host_user_id IN {_one_of(values, 'h', query.host_ids)}")
    if query.attendee_email is not None:
        # gsi5 is keyed by the lower-cased address; the contract's match is exact and case-sensitive.
        values[":email"] = query.attendee_email
        filters.append("attendee_email = :email")
    return filters


def _date_filters(query: ListQuery, field_name: str, values: dict[str, Any]) -> list[str]:
    """The date ranges on fields other than the sorted one (that one is in the key condition)."""
    filters: list[str] = []
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
    return filters


def _start_key(query: ListQuery, index: str, partition: str) -> dict[str, Any] | None:
    if query.after is None:
        return None
    value, last_uid = query.after
    pk, sk = keys.booking(last_uid)
    return dynamo.to_item(
        {"pk": pk, "sk": sk, f"{index}pk": partition, f"{index}sk": keys.ordered(value, last_uid)}
    )


def list_page(query: ListQuery) -> tuple[list[Booking], bool]:
    """One keyset page: up to `limit` bookings after `query.after`, and whether more exist.

    Keyset positions are (sort value, uid), the GSI sort key itself, so inserts never shift a page.
    Filters make DynamoDB skip items; the Query then continues from its LastEvaluatedKey.
    """
    field_name, ascending = SORTS[query.sort]
    index, partition = _index_for(query)
    names: dict[str, str] = {}
    values: dict[str, Any] = {":p": partition}
    key_condition = _key_condition(query, field_name, index, values)
    filters = [
        *_status_filters(query, names, values),
        *_attribute_filters(query, index, values),
        *_date_filters(query, field_name, values),
    ]

    return dynamo.query_page(
        from_record,
        query.limit,
        index=index,
        key_condition=key_condition,
        values_=values,
        names=names,
        forward=ascending,
        filters=filters,
        start_key=_start_key(query, index, partition),
        filtered_batch=100,
    )
