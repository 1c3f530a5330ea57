"""Each tool as the REST operation it views (50-mcp §5.3–§5.14): arguments → the REST parameters or
body → the same service call as the REST handler → the REST `data`.

Writes run under the REST idempotency record with the REST fingerprint (§6), and store the REST
answer, so an MCP call and the equivalent REST request replay each other.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from fortytwo.config import get_settings
from fortytwo.contract.errors import ValidationFailed
from fortytwo.domain.auth import AuthContext
from fortytwo.domain.bookings import requests
from fortytwo.domain.bookings.model import Booking, to_rest
from fortytwo.domain.event_types import LIST_SORTS, ByUsernameSlug, classify_identifier
from fortytwo.domain.timefmt import TimestampError, parse_ts
from fortytwo.http import bookings_api, event_types_api
from fortytwo.http import idempotency as idempotent
from fortytwo.services import accounts, bookings, event_types, slots
from fortytwo.services.bookings_errors import contract_errors
from fortytwo.services.idempotency import Attempt

Data = dict[str, Any]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Call:
    """One `tools/call`: who asks, this request's id, the Lambda context (for the record's expiry)."""

    auth: AuthContext
    request_id: str
    now: datetime
    lambda_context: object = None


@dataclass(frozen=True, slots=True)
class Outcome:
    data: Data
    replayed: bool = False


Handler = Callable[[Call, Mapping[str, Any]], Outcome]

EVENT_TYPE_MESSAGE = 'Pass an event type UUID or "username/slug"'


def event_type_fields(ref: str) -> dict[str, str]:
    """§5.2: a UUID → `event_type_id`; `username/slug` → `username` and `event_slug`."""
    if "/" not in ref:
        if len(ref) == 36 and ref.count("-") == 4:
            return {"event_type_id": ref}
    else:
        username, _, slug = ref.partition("/")
        if username and slug and "/" not in slug:
            return {"username": username, "event_slug": slug}
    raise ValidationFailed.one("event_type", EVENT_TYPE_MESSAGE)


def idempotency_key(arguments: Mapping[str, Any]) -> str:
    """The key as REST trims it (§6); absent → a fresh `mcp-<uuid4>` (the call runs exactly once)."""
    given = arguments.get("idempotency_key")
    if given is None:
        return f"mcp-{uuid.uuid4()}"
    key = str(given).strip(" \t")
    if not key:
        raise ValidationFailed.one("idempotency_key", "idempotency_key must not be blank")
    return key


def _instant(arguments: Mapping[str, Any], name: str) -> datetime | None:
    value = arguments.get(name)
    if value is None:
        return None
    try:
        return parse_ts(str(value))
    except TimestampError:
        raise ValidationFailed.one(
            name, f"{name} must be an RFC 3339 date-time with Z or an offset"
        ) from None


# --------------------------------------------------------------------------- reads


def get_me(call: Call, arguments: Mapping[str, Any]) -> Outcome:
    return Outcome(accounts.me(call.auth))


def get_booking(call: Call, arguments: Mapping[str, Any]) -> Outcome:
    return Outcome(to_rest(bookings.get(call.auth.account_id, str(arguments["uid"]).lower())))


def list_params(arguments: Mapping[str, Any]) -> bookings_api.ListParams:
    """§5.9: the REST query of `list_bookings`, with the REST defaults."""
    statuses = arguments.get("status")
    host_ids = arguments.get("host_user_ids")
    if host_ids is None and arguments.get("host_user_id") is not None:
        host_ids = [arguments["host_user_id"]]
    start_date = _instant(arguments, "start_date")
    end_date = _instant(arguments, "end_date")
    if start_date is not None and end_date is not None and end_date < start_date:
        raise ValidationFailed.one("end_date", "end_date must not be before start_date")
    event_type_id = arguments.get("event_type_id")
    return bookings_api.ListParams(
        limit=int(arguments.get("limit", 20)),
        sort=str(arguments.get("sort", "start_at_desc")),
        cursor=arguments.get("cursor"),
        statuses=tuple(sorted(set(statuses))) if statuses is not None else None,
        event_type_id=str(event_type_id).lower() if event_type_id is not None else None,
        host_ids=tuple(sorted({str(h).lower() for h in host_ids})) if host_ids is not None else None,
        attendee_email=arguments.get("attendee_email"),
        start_date=start_date,
        end_date=end_date,
        updated_since=_instant(arguments, "updated_since"),
        include_cancelled=bool(arguments.get("include_cancelled", True)),
    )


def list_bookings(call: Call, arguments: Mapping[str, Any]) -> Outcome:
    items, next_cursor = bookings_api.list_page(call.auth, list_params(arguments))
    include = bool(arguments.get("include_responses", False))
    return Outcome(
        {
            "bookings": [to_rest(b, include_responses=include) for b in items],
            "next_cursor": next_cursor,
            "has_more": next_cursor is not None,
        }
    )


# --------------------------------------------------------------------------- event types and slots

#: §5.7: at most this many slots in a result; `end` defaults to a week after `start`.
MAX_SLOTS = 200
DEFAULT_WINDOW = timedelta(days=7)


def event_type_target(ref: str) -> str | ByUsernameSlug:
    """§5.2: what REST resolves for `event_type`: the lower-cased id, or username and slug
    lower-cased; anything else is `validation_error` on `event_type`."""
    event_type_fields(ref)
    _, target = classify_identifier(ref)
    if target is None:  # UUID-shaped but not a UUID
        raise ValidationFailed.one("event_type", EVENT_TYPE_MESSAGE)
    return target


def get_event_type(call: Call, arguments: Mapping[str, Any]) -> Outcome:
    """§5.5: `GET /v1/event-types/{idOrSlug}` with the UUID or `username%2Fslug`."""
    ref = str(arguments["event_type"])
    event_type_target(ref)
    base_url = get_settings().booking_page_base_url
    return Outcome(event_types.detail_by_identifier(call.auth.account_id, ref, base_url))


def event_type_list_params(arguments: Mapping[str, Any]) -> event_types_api.ListParams:
    """§5.6: the REST query of `list_event_types`, with the REST defaults and normalisation."""
    user_id = arguments.get("user_id")
    slug = arguments.get("slug")
    active = arguments.get("active")
    return event_types_api.ListParams(
        limit=int(arguments.get("limit", 20)),
        sort=str(arguments.get("sort", LIST_SORTS[0])),
        cursor=arguments.get("cursor"),
        user_id=str(user_id).lower() if user_id is not None else None,
        slug=str(slug).lower() if slug is not None else None,
        active=bool(active) if active is not None else None,
    )


def list_event_types(call: Call, arguments: Mapping[str, Any]) -> Outcome:
    items, next_cursor = event_types_api.list_page(call.auth, event_type_list_params(arguments))
    return Outcome({"event_types": items, "next_cursor": next_cursor, "has_more": next_cursor is not None})


def _start(arguments: Mapping[str, Any]) -> datetime:
    start = _instant(arguments, "start")
    assert start is not None, "the schema requires start"
    return start


def first_slots(data: Data) -> Data:
    """§5.7: the REST `SlotList` with its first 200 slots; `truncated` when it had more (or was)."""
    if len(data["slots"]) <= MAX_SLOTS:
        return data
    return {**data, "slots": data["slots"][:MAX_SLOTS], "truncated": True}


def find_available_slots(call: Call, arguments: Mapping[str, Any]) -> Outcome:
    """§5.7: `GET /v1/slots`, `end` defaulting to `start` + 7 days, the REST window rules."""
    target = event_type_target(str(arguments["event_type"]))
    start = _start(arguments)
    end = _instant(arguments, "end") or start + DEFAULT_WINDOW
    slots.check_window(start, end)
    timezone = slots.check_timezone(arguments.get("timezone"))
    found = slots.list_slots(call.auth.account_id, target, start=start, end=end, timezone=timezone)
    return Outcome(first_slots(found))


def check_slot(call: Call, arguments: Mapping[str, Any]) -> Outcome:
    """§5.8: `GET /v1/slots/check` without `end`; an unavailable start is a result, not an error."""
    target = event_type_target(str(arguments["event_type"]))
    start = _start(arguments)
    slots.check_timezone(arguments.get("timezone"))  # validated, then ignored (20-scheduling §6)
    return Outcome(slots.check(call.auth.account_id, target, start=start, end=None))


# --------------------------------------------------------------------------- writes


def _copy(arguments: Mapping[str, Any], *skip: str) -> Data:
    return {k: v for k, v in arguments.items() if k not in skip and k != "idempotency_key"}


def _write(
    call: Call,
    arguments: Mapping[str, Any],
    *,
    method: str,
    route: str,
    path_params: Mapping[str, str],
    body: Data,
    status: int,
    write: Callable[[Attempt[Booking]], Booking],
) -> Outcome:
    reply, replayed = idempotent.run(
        call.auth,
        request_id=call.request_id,
        lambda_context=call.lambda_context,
        key=idempotency_key(arguments),
        method=method,
        route=route,
        path_params=path_params,
        body=body,
        now=call.now,
        render=bookings_api.render_write(call.request_id, status),
        write=write,
    )
    data: Data = json.loads(reply.body)["data"]
    return Outcome(data, replayed)


def create_body(arguments: Mapping[str, Any]) -> Data:
    """§5.3: the REST create body (`event_type` → `event_type_id`, or `username` and `event_slug`)."""
    body = _copy(arguments, "event_type")
    return {**event_type_fields(str(arguments["event_type"])), **body}


def create_booking(call: Call, arguments: Mapping[str, Any]) -> Outcome:
    body = create_body(arguments)
    with contract_errors():
        create = requests.parse_create(body)
    auth, now = call.auth, call.now
    return _write(
        call,
        arguments,
        method="POST",
        route=bookings_api.CREATE_ROUTE,
        path_params={},
        body=body,
        status=201,
        write=bookings_api.create_write(auth, create, now),
    )


@dataclass(frozen=True, slots=True)
class BookingWrite(Generic[T]):
    """A parsed write on one booking; `run` runs it under the REST idempotency record."""

    call: Call
    arguments: Mapping[str, Any]
    uid: str
    body: Data
    request: T
    route: str

    def run(self, write: Callable[[Attempt[Booking]], Booking], method: str = "POST") -> Outcome:
        return _write(
            self.call,
            self.arguments,
            method=method,
            route=self.route,
            path_params={"uid": self.uid},
            body=self.body,
            status=200,
            write=write,
        )


def _on_booking(
    call: Call,
    arguments: Mapping[str, Any],
    parse: Callable[[Data], T],
    route: str,
    skip: tuple[str, ...] = ("uid",),
) -> BookingWrite[T]:
    """A write on one booking (`uid` its path parameter, 200 on success): the REST body is the
    arguments but `skip` (the uid, ...), parsed as REST parses it."""
    body = _copy(arguments, *skip)
    with contract_errors():
        request = parse(body)
    return BookingWrite(call, arguments, str(arguments["uid"]).lower(), body, request, route)


def cancel_booking(call: Call, arguments: Mapping[str, Any]) -> Outcome:
    cancel = _on_booking(call, arguments, requests.parse_cancel, bookings_api.CANCEL_ROUTE)
    org_id, uid, reason = call.auth.account_id, cancel.uid, cancel.request.reason
    return cancel.run(
        lambda finish: bookings.cancel(org_id=org_id, uid=uid, reason=reason, now=call.now, finish=finish)
    )


def reschedule_booking(call: Call, arguments: Mapping[str, Any]) -> Outcome:
    move = _on_booking(call, arguments, requests.parse_reschedule, bookings_api.RESCHEDULE_ROUTE)
    return move.run(bookings_api.reschedule_write(call.auth, move.uid, move.request, call.now))


def update_booking(call: Call, arguments: Mapping[str, Any]) -> Outcome:
    change = _on_booking(call, arguments, requests.parse_patch, bookings_api.ITEM_ROUTE, ("uid", "version"))
    org_id, uid, patch, expected = call.auth.account_id, change.uid, change.request, int(arguments["version"])
    return change.run(
        lambda finish: bookings.patch(
            org_id=org_id, uid=uid, request=patch, expected=expected, now=call.now, finish=finish
        ),
        method="PATCH",
    )


#: Every tool of the catalogue, with the service call behind it.
HANDLERS: dict[str, Handler] = {
    "get_me": get_me,
    "get_event_type": get_event_type,
    "list_event_types": list_event_types,
    "find_available_slots": find_available_slots,
    "check_slot": check_slot,
    "list_bookings": list_bookings,
    "get_booking": get_booking,
    "create_booking": create_booking,
    "cancel_booking": cancel_booking,
    "reschedule_booking": reschedule_booking,
    "update_booking": update_booking,
}
