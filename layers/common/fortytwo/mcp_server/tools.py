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
from datetime import datetime
from typing import Any

from fortytwo.contract.errors import ValidationFailed
from fortytwo.domain.auth import AuthContext
from fortytwo.domain.bookings import requests
from fortytwo.domain.bookings.model import Booking, to_rest
from fortytwo.domain.timefmt import TimestampError, parse_ts
from fortytwo.http import bookings_api
from fortytwo.http import idempotency as idempotent
from fortytwo.services import accounts, bookings
from fortytwo.services.bookings_errors import contract_errors
from fortytwo.services.idempotency import Attempt

Data = dict[str, Any]


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


def event_type_fields(ref: str) -> dict[str, str]:
    """§5.2: a UUID → `event_type_id`; `username/slug` → `username` and `event_slug`."""
    if "/" not in ref:
        if len(ref) == 36 and ref.count("-") == 4:
            return {"event_type_id": ref}
    else:
        username, _, slug = ref.partition("/")
        if username and slug and "/" not in slug:
            return {"username": username, "event_slug": slug}
    raise ValidationFailed.one("event_type", 'Pass an event type UUID or "username/slug"')


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


def cancel_booking(call: Call, arguments: Mapping[str, Any]) -> Outcome:
    body = _copy(arguments, "uid")
    with contract_errors():
        cancel = requests.parse_cancel(body)
    uid, auth, now = str(arguments["uid"]).lower(), call.auth, call.now
    return _write(
        call,
        arguments,
        method="POST",
        route=bookings_api.CANCEL_ROUTE,
        path_params={"uid": uid},
        body=body,
        status=200,
        write=lambda finish: bookings.cancel(
            org_id=auth.account_id, uid=uid, reason=cancel.reason, now=now, finish=finish
        ),
    )


def reschedule_booking(call: Call, arguments: Mapping[str, Any]) -> Outcome:
    body = _copy(arguments, "uid")
    with contract_errors():
        move = requests.parse_reschedule(body)
    uid, auth, now = str(arguments["uid"]).lower(), call.auth, call.now
    return _write(
        call,
        arguments,
        method="POST",
        route=bookings_api.RESCHEDULE_ROUTE,
        path_params={"uid": uid},
        body=body,
        status=200,
        write=bookings_api.reschedule_write(auth, uid, move, now),
    )


def update_booking(call: Call, arguments: Mapping[str, Any]) -> Outcome:
    body = _copy(arguments, "uid", "version")
    with contract_errors():
        change = requests.parse_patch(body)
    uid, auth, now = str(arguments["uid"]).lower(), call.auth, call.now
    expected = int(arguments["version"])
    return _write(
        call,
        arguments,
        method="PATCH",
        route=bookings_api.ITEM_ROUTE,
        path_params={"uid": uid},
        body=body,
        status=200,
        write=lambda finish: bookings.patch(
            org_id=auth.account_id, uid=uid, request=change, expected=expected, now=now, finish=finish
        ),
    )


#: The tools with a service behind them. Event type and slot tools join when their services land.
HANDLERS: dict[str, Handler] = {
    "get_me": get_me,
    "list_bookings": list_bookings,
    "get_booking": get_booking,
    "create_booking": create_booking,
    "cancel_booking": cancel_booking,
    "reschedule_booking": reschedule_booking,
    "update_booking": update_booking,
}
