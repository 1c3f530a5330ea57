"""BookingsFunction: list, get, create, cancel, reschedule and PATCH bookings (30-bookings).

Handlers are parse → service → render. They run the contract's check order: authentication, rate
limit and scope (`require`, the first statement), then `Idempotency-Key`, `If-Match`, body, schema;
then one call, `http/idempotency.idempotent_write`: the idempotency record, then the use case
(`services/bookings`), which decides and commits in one transaction and raises the contract's errors.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response

from fortytwo.contract import errors as http_errors
from fortytwo.domain.bookings import headers as booking_headers
from fortytwo.domain.bookings import requests
from fortytwo.domain.bookings.listing import SORTS, status_filter_value
from fortytwo.domain.bookings.model import to_rest
from fortytwo.domain.ids import normalize_uuid
from fortytwo.http import bookings_api
from fortytwo.http.app import create_app
from fortytwo.http.body import json_body
from fortytwo.http.checks import parsed
from fortytwo.http.guard import require
from fortytwo.http.idempotency import Keyed, idempotent_write, keyed_body, required_key
from fortytwo.http.lambda_entry import make_handler
from fortytwo.http.path_params import path_uid
from fortytwo.http.query import QueryReader
from fortytwo.http.responses import ok, page
from fortytwo.services import bookings

app = create_app("42min bookings")

LIST_ROUTE = bookings_api.LIST_ROUTE
CREATE_ROUTE = bookings_api.CREATE_ROUTE
ITEM_ROUTE = bookings_api.ITEM_ROUTE
CANCEL_ROUTE = bookings_api.CANCEL_ROUTE
RESCHEDULE_ROUTE = bookings_api.RESCHEDULE_ROUTE
MAX_HOST_IDS = 50
STATUS_MESSAGE = "status must list confirmed, pending, canceled or rescheduled"
ANSWER = bookings_api.answer
MAX_ATTENDEE_EMAIL = 254


# --------------------------------------------------------------------------- list


def _listed(
    query: QueryReader, name: str, item: Callable[[str], str | None], message: str
) -> tuple[str, ...] | None:
    """A comma-separated list parameter, repeatable: its distinct items (each read by `item`,
    None = invalid), sorted; None when not given."""
    raw = [v for v in query.values(name) if v != ""]
    if not raw:
        return None
    found: set[str] = set()
    for value in raw:
        for text in value.split(","):
            normalized = item(text.strip())
            if normalized is None:
                raise http_errors.InvalidQueryParam(name, message)
            found.add(normalized)
    return tuple(sorted(found))


def _host_ids(query: QueryReader) -> tuple[str, ...] | None:
    """`host_user_ids`; without it, `host_user_id` (with the list present, that one is ignored
    entirely: not even validated)."""
    if not any(v != "" for v in query.values("host_user_ids")):
        single = query.uuid("host_user_id")
        return (single,) if single is not None else None
    found = _listed(query, "host_user_ids", normalize_uuid, "host_user_ids must be UUIDs")
    if found is not None and len(found) > MAX_HOST_IDS:
        raise http_errors.InvalidQueryParam(
            "host_user_ids", f"host_user_ids holds at most {MAX_HOST_IDS} ids"
        )
    return found


def _attendee_email(query: QueryReader) -> str | None:
    email = query.single("attendee_email")
    if email is not None and len(email) > MAX_ATTENDEE_EMAIL:
        raise http_errors.InvalidQueryParam("attendee_email", "attendee_email must be at most 254 characters")
    return email


def _start_range(query: QueryReader) -> dict[str, datetime | None]:
    start_date = query.datetime("start_date")
    end_date = query.datetime("end_date")
    if start_date is not None and end_date is not None and end_date < start_date:
        raise http_errors.InvalidQueryParam("end_date", "end_date must not be before start_date")
    return {"start_date": start_date, "end_date": end_date}


@app.get(LIST_ROUTE, operation_id="listBookings")
async def list_bookings(request: Request) -> Response:
    auth = await require(request, "bookings:read")
    query = QueryReader.of(request)
    # Parameters in documented order (30-bookings §3), read as the arguments are evaluated, left
    # to right: the first failure names its parameter.
    params = bookings_api.ListParams(
        limit=query.limit(),
        cursor=query.single("cursor"),
        sort=query.enum("sort", tuple(SORTS), "start_at_desc") or "start_at_desc",
        statuses=_listed(
            query,
            "status",
            status_filter_value,
            "status must list confirmed, pending, canceled or rescheduled",
        ),
        event_type_id=query.uuid("event_type_id"),
        series_id=query.uuid("series_id"),
        host_ids=_host_ids(query),
        attendee_email=_attendee_email(query),
        **_start_range(query),
        updated_since=query.datetime("updated_since"),
        include_cancelled=query.boolean("include_cancelled", default=True),
    )
    items, next_cursor = bookings_api.list_page(auth, params)
    return page([to_rest(b, include_responses=False) for b in items], next_cursor)


# --------------------------------------------------------------------------- get


@app.get(ITEM_ROUTE, operation_id="getBooking")
async def get_booking(request: Request) -> Response:
    auth = await require(request, "bookings:read")
    booking = bookings.get(auth.account_id, path_uid(request))
    return ok(to_rest(booking), headers={"ETag": booking_headers.etag(booking.version)})


# --------------------------------------------------------------------------- writes


@app.post(CREATE_ROUTE, operation_id="createBooking")
async def create_booking(request: Request) -> Response:
    auth = await require(request, "bookings:create", check_body_size=False)
    call = await keyed_body(request)
    create = parsed(lambda: requests.parse_create(call.body))
    write = functools.partial(bookings_api.create_write, auth, create)
    return idempotent_write(request, auth, call, lambda now, finish: write(now)(finish), ANSWER, status=201)


@app.post(CANCEL_ROUTE, operation_id="cancelBooking")
async def cancel_booking(request: Request) -> Response:
    auth = await require(request, "bookings:cancel", check_body_size=False)
    call = await keyed_body(request, required=False)  # an empty body is `{}` (§6)
    reason = parsed(lambda: requests.parse_cancel(call.body)).reason
    write = functools.partial(bookings.cancel, org_id=auth.account_id, uid=path_uid(request), reason=reason)
    return idempotent_write(request, auth, call, lambda now, finish: write(now=now, finish=finish), ANSWER)


@app.post(RESCHEDULE_ROUTE, operation_id="rescheduleBooking")
async def reschedule_booking(request: Request) -> Response:
    auth = await require(request, "bookings:reschedule", check_body_size=False)
    call = await keyed_body(request)
    move = parsed(lambda: requests.parse_reschedule(call.body))
    write = functools.partial(bookings_api.reschedule_write, auth, path_uid(request), move)
    return idempotent_write(request, auth, call, lambda now, finish: write(now)(finish), ANSWER)


@app.patch(ITEM_ROUTE, operation_id="updateBooking")
async def update_booking(request: Request) -> Response:
    auth = await require(request, "bookings:update", check_body_size=False)
    key = required_key(request)
    expected = parsed(lambda: booking_headers.if_match(request.headers.get("if-match")))
    call = Keyed(key, await json_body(request))
    change = parsed(lambda: requests.parse_patch(call.body))
    write = functools.partial(
        bookings.patch, org_id=auth.account_id, uid=path_uid(request), request=change, expected=expected
    )
    return idempotent_write(request, auth, call, lambda now, finish: write(now=now, finish=finish), ANSWER)


handler = make_handler(app)
