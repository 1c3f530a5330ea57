"""Series items, the series lease, and the transactions of a series write (35-series §11).

Item (docs/single-table.md): pk `SERIES#<uid>`, sk `SERIES`; gsi1 `ACCT#<org>#SERIES` /
`<created_at>#<uid>`, gsi2 same pk / `<updated_at>#<uid>`; the attributes are the `Series` entity's
fields (`SERIES_SCHEMA`), plus the lease `lock_token` / `lock_expires_at` (epoch ms) while a write
holds it (§11.2).

A series write is many transactions (§11.4): `create` / `take_lease` (a), one `commit_meeting` per
meeting (b): the meeting's `BookingPlan` rendered by `store/bookings.render` (the very items and
conditions of a single booking write) plus the series record, conditional on the lease token; and
`finish` (c): the final record without the lease, the series event and the idempotency completion.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from fortytwo.domain.bookings.model import RESCHEDULED, Booking, from_record
from fortytwo.domain.bookings.plan import BookingPlan
from fortytwo.domain.event_type_entity import OwnerUser, host_ref
from fortytwo.domain.series.model import MeetingFacts, Series
from fortytwo.domain.series.requests import SeriesListQuery
from fortytwo.domain.timefmt import format_ts, to_ms
from fortytwo.domain.webhooks.envelope import OutboxEvent
from fortytwo.store import bookings as booking_store
from fortytwo.store import dynamo, keys, outbox
from fortytwo.store import event_types as event_type_store
from fortytwo.store import idempotency as idempotency_store
from fortytwo.store.schema import ItemSchema
from fortytwo.store.transactions import LostRace, transact

# Series ignore the booking horizon (§4.1: every occurrence is booked up front, however far ahead),
# so their availability reads widen `future_limit_days` past the furthest occurrence.
_SERIES_HORIZON_DAYS = 3660
MAX_CHAIN = 50  # reschedules followed from an occurrence's booking to its newest one


def _list_key(series: Series, at: datetime) -> tuple[str, str]:
    return keys.series_of_account(series.organization_id), keys.series_list_sort(format_ts(at), series.uid)


SERIES_SCHEMA: ItemSchema[Series] = ItemSchema(
    type="series",
    entity=Series,
    key=lambda s: keys.series(s.uid),
    indexes={
        "gsi1": lambda s: _list_key(s, s.created_at),
        "gsi2": lambda s: _list_key(s, s.updated_at),
    },
)


class LeaseBusy(Exception):
    """Another series write holds a live lease (409 `series_operation_in_progress`)."""


class LeaseLost(Exception):
    """This write's lease was taken over: it must write nothing more (§11.2)."""


# --------------------------------------------------------------------------- reads


def get(org_id: str, uid: str) -> Series | None:
    """A series of the organization (strongly consistent), or None."""
    item = dynamo.get(*keys.series(uid), consistent=True)
    if item is None or item.get("organization_id") != org_id:
        return None
    return SERIES_SCHEMA.decode(item)


def find(uid: str) -> Series | None:
    """Any organization's series (admin commands)."""
    return SERIES_SCHEMA.decode_optional(dynamo.get(*keys.series(uid.lower()), consistent=True))


def lease_of(org_id: str, uid: str, now: datetime) -> bool:
    """Whether a live lease exists on the series (checked before the lease is taken)."""
    item = dynamo.get(*keys.series(uid), consistent=True)
    return bool(item and item.get("lock_token") and int(item.get("lock_expires_at") or 0) > to_ms(now))


def _facts(booking: Booking) -> MeetingFacts:
    return MeetingFacts(booking.uid, booking.active, booking.start_at, booking.end_at, booking.host.user_id)


def meetings(many: Sequence[Series]) -> dict[str, MeetingFacts]:
    """The current meeting of every occurrence that points at a booking, keyed by the uid the
    occurrence stores: reschedules through `/v1/bookings` are followed to the newest booking.
    One BatchGetItem per reschedule level (usually one in all)."""
    orgs = {s.organization_id for s in many}
    pending = {o.booking_uid: o.booking_uid for s in many for o in s.occurrences if o.booking_uid is not None}
    found: dict[str, MeetingFacts] = {}
    for _ in range(MAX_CHAIN):
        if not pending:
            break
        items = dynamo.batch_get([keys.booking(uid) for uid in set(pending.values())], consistent=True)
        by_uid = {item["uid"]: from_record(item) for item in items if item.get("organization_id") in orgs}
        following: dict[str, str] = {}
        for stored, current in pending.items():
            meeting = by_uid.get(current)
            if meeting is None:
                continue
            if meeting.status == RESCHEDULED and meeting.replaced_by is not None:
                following[stored] = meeting.replaced_by
            else:
                found[stored] = _facts(meeting)
        pending = following
    return found


def current_booking(org_id: str, uid: str) -> Booking | None:
    """The booking `uid`, or the newest booking of its reschedule chain."""
    for _ in range(MAX_CHAIN):
        found = booking_store.get(org_id, uid)
        if found is None or found.status != RESCHEDULED or found.replaced_by is None:
            return found
        uid = found.replaced_by
    return None


def view_facts(
    many: Sequence[Series],
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """(event type records by id, user items by id) of the series' event types and hosts, with
    one BatchGetItem: what the view shows as `event_type` and `host` (current values, §2.1)."""
    wanted: list[tuple[str, str]] = []
    for s in many:
        wanted += [
            event_type_store.item_key(s.organization_id, s.event_type_id),
            keys.user(s.organization_id, s.host_user_id),
        ]
    found = dynamo.batch_get(wanted) if wanted else []
    event_types = {i["id"]: i for i in found if i.get("type") == "event_type"}
    users = {i["id"]: i for i in found if i.get("type") == "user"}
    return event_types, users


def event_type_record(org_id: str, event_type_id: str) -> dict[str, Any] | None:
    """The event type record, deleted ones included (the series view shows their last values)."""
    item = dynamo.get(*event_type_store.item_key(org_id, event_type_id), consistent=True)
    return booking_store.event_type_record(item)


def user_item(org_id: str, user_id: str) -> dict[str, Any] | None:
    return dynamo.get(*keys.user(org_id, user_id), consistent=True)


def series_loaded_event_type(
    record: Mapping[str, Any], host_user: Mapping[str, Any]
) -> booking_store.LoadedEventType:
    """The event type as a series meeting's availability read sees it: the series host among the
    hosts (with `Sch(h)` when h hosts the event type, else h's default schedule, §4.1), and no
    booking horizon."""
    refs = list(record.get("host_refs") or [])
    if not any(ref["user_id"] == host_user["id"] for ref in refs):
        refs.append(dataclasses.asdict(host_ref(OwnerUser.of(host_user))))
    widened = {**record, "host_refs": refs, "future_limit_days": _SERIES_HORIZON_DAYS}
    return booking_store.LoadedEventType(widened, booking_store.bookable(record, None))


# --------------------------------------------------------------------------- writes


def _lease_attrs(token: str, expires: datetime) -> dict[str, Any]:
    return {"lock_token": token, "lock_expires_at": to_ms(expires)}


def _put(
    series: Series, condition: str, values: Mapping[str, Any], lease: Mapping[str, Any]
) -> dict[str, Any]:
    put: dict[str, Any] = {
        "TableName": dynamo.table_name(),
        "Item": dynamo.to_item({**SERIES_SCHEMA.encode(series), **lease}),
        "ConditionExpression": condition,
    }
    if values:
        put["ExpressionAttributeValues"] = dynamo.values(values)
    return {"Put": put}


def _held(series: Series, token: str, expires: datetime) -> dict[str, Any]:
    """The record, still leased, conditional on this write's lease (every meeting transaction)."""
    return _put(series, "lock_token = :token", {":token": token}, _lease_attrs(token, expires))


def create(
    series: Series, token: str, expires: datetime, mark: idempotency_store.SeriesMark | None = None
) -> None:
    """Transaction (a) of create: the record, every occurrence pending, leased, and its uid on the
    idempotency reservation (§11.1). StaleAttempt when another attempt took the reservation over."""
    items = [_put(series, "attribute_not_exists(pk)", {}, _lease_attrs(token, expires))]
    kinds = ["series"]
    if mark is not None:
        items.append(idempotency_store.series_mark_action(mark))
        kinds.append("idempotency")
    try:
        transact(items, kinds)
    except LostRace as lost:
        if "idempotency" in lost.kinds:
            raise idempotency_store.StaleAttempt() from lost
        raise


def take_lease(series: Series, read_version: int, token: str, expires: datetime, now: datetime) -> None:
    """Transaction (a) of the other writes: the lease (absent or expired), conditional on the
    version read; `series` is the record stored with it (PATCH stores its new fields here)."""
    condition = "version = :read AND (attribute_not_exists(lock_token) OR lock_expires_at <= :now)"
    values = {":now": to_ms(now), ":read": read_version}
    try:
        transact([_put(series, condition, values, _lease_attrs(token, expires))], ["series"])
    except LostRace as lost:
        raise LeaseBusy() from lost


def commit_meeting(plan: BookingPlan | None, series: Series, token: str, expires: datetime) -> None:
    """Transaction (b): one meeting's booking write (or none: a skip) with the occurrence update.
    Raises LostRace for the meeting's own conditions (re-read and re-check), LeaseLost when the
    lease was taken over."""
    items: list[dict[str, Any]] = []
    kinds: list[str] = []
    if plan is not None:
        items, kinds = booking_store.render(plan, None)
    items.append(_held(series, token, expires))
    kinds.append("series")
    _transact_leased(items, kinds)


def _transact_leased(items: list[dict[str, Any]], kinds: list[str]) -> None:
    """A transaction with the series record conditional on the lease: LeaseLost when that failed."""
    try:
        transact(items, kinds)
    except LostRace as lost:
        if "series" in lost.kinds:
            raise LeaseLost() from lost
        raise


def finish(
    series: Series,
    token: str,
    events: tuple[OutboxEvent, ...],
    completion: idempotency_store.Completion | None,
) -> None:
    """Transaction (c): the final record without the lease, the series event, the idempotency
    completion. Raises LeaseLost when the lease was taken over."""
    items = [_put(series, "lock_token = :token", {":token": token}, {})]
    kinds = ["series"]
    items += [outbox.transact_put(event) for event in events]
    kinds += ["outbox"] * len(events)
    if completion is not None:
        items.append(idempotency_store.completion_action(completion))
        kinds.append("idempotency")
    _transact_leased(items, kinds)


# --------------------------------------------------------------------------- lists


def list_page(query: SeriesListQuery) -> tuple[list[Series], bool]:
    """One keyset page of the organization's series (35-series §8): gsi1 by created_at, gsi2 by
    updated_at, filters applied by DynamoDB."""
    index = "gsi1" if query.sort_field == "created_at" else "gsi2"
    partition = keys.series_of_account(query.org_id)
    filters, after, limit = query.filters, query.after, query.limit
    names: dict[str, str] = {}
    values: dict[str, Any] = {":p": partition}
    conditions: list[str] = []
    statuses = filters.get("statuses")
    if statuses:
        names["#status"] = "status"
        marks = []
        for n, status in enumerate(statuses):
            values[f":st{n}"] = status
            marks.append(f":st{n}")
        conditions.append(f"#status IN ({', '.join(marks)})")
    for name, attribute in (("host_user_id", "host_user_id"), ("event_type_id", "event_type_id")):
        if filters.get(name) is not None:
            values[f":{name}"] = filters[name]
            conditions.append(f"{attribute} = :{name}")
    if filters.get("attendee_email") is not None:
        names["#attendee"] = "attendee"
        values[":email"] = filters["attendee_email"]
        conditions.append("#attendee.email = :email")
    start_key = None
    if after is not None:
        value, last_uid = after
        pk, sk = keys.series(last_uid)
        sort = keys.series_list_sort(value, last_uid)
        start_key = dynamo.to_item({"pk": pk, "sk": sk, f"{index}pk": partition, f"{index}sk": sort})
    wanted = limit + 1
    found: list[Series] = []
    while len(found) < wanted:
        page, start_key = dynamo.query(
            key_condition=f"{index}pk = :p",
            values_=values,
            names=names or None,
            index=index,
            forward=query.ascending,
            limit=wanted - len(found) if not conditions else max(wanted, 100),
            filter_=" AND ".join(conditions) or None,
            start_key=start_key,
        )
        found.extend(SERIES_SCHEMA.decode(item) for item in page)
        if not start_key:
            break
    found = found[:wanted]
    return found[:limit], len(found) > limit
