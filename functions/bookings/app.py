"""BookingsFunction: list, get, create, cancel, reschedule and PATCH bookings (30-bookings).

Handlers are parse → service → render. They run the contract's check order: authentication, rate
limit and scope (`require`, the first statement), then `Idempotency-Key`, `If-Match`, body, schema;
then one call, `http/idempotency.idempotent_write`: the idempotency record, then the use case
(`services/bookings`), which decides and commits in one transaction and raises the contract's errors.
"""

from __future__ import annotations

from collections.abc import Callable

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
from fortytwo.http.idempotency import idempotent_write, required_key
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
    found = _listed(query, "host_user_ids", normalize_uuid, "host_user_ids must be UUIDs")
    if found is not None and len(found) > MAX_HOST_IDS:
        raise http_errors.InvalidQueryParam(
            "host_user_ids", f"host_user_ids holds at most {MAX_HOST_IDS} ids"
        )
    return found


@app.get(LIST_ROUTE, operation_id="listBookings")
async def list_bookings(request: Request) -> Response:
    auth = await require(request, "bookings:read")
    query = QueryReader.of(request)
    # Parameters in documented order (30-bookings §3): the first failure names its parameter.
    limit = query.limit()
    cursor = query.single("cursor")
    sort = query.enum("sort", tuple(SORTS), "start_at_desc")
    assert sort is not None
    statuses = _listed(
        query, "status", status_filter_value, "status must list confirmed, pending, canceled or rescheduled"
    )
    event_type_id = query.uuid("event_type_id")
    series_id = query.uuid("series_id")
    # With `host_user_ids` present, `host_user_id` is ignored entirely: not even validated.
    has_host_list = any(v != "" for v in query.values("host_user_ids"))
    host_user_id = query.uuid("host_user_id") if not has_host_list else None
    host_ids = _host_ids(query)
    attendee_email = query.single("attendee_email")
    if attendee_email is not None and len(attendee_email) > MAX_ATTENDEE_EMAIL:
        raise http_errors.InvalidQueryParam("attendee_email", "attendee_email must be at most 254 characters")
    start_date = query.datetime("start_date")
    end_date = query.datetime("end_date")
    if start_date is not None and end_date is not None and end_date < start_date:
        raise http_errors.InvalidQueryParam("end_date", "end_date must not be before start_date")
    updated_since = query.datetime("updated_since")
    include_cancelled = query.boolean("include_cancelled", default=True)
    if host_ids is None and host_user_id is not None:
        host_ids = (host_user_id,)
    items, next_cursor = bookings_api.list_page(
        auth,
        bookings_api.ListParams(
            limit=limit,
            sort=sort,
            cursor=cursor,
            statuses=statuses,
            event_type_id=event_type_id,
            series_id=series_id,
            host_ids=host_ids,
            attendee_email=attendee_email,
            start_date=start_date,
            end_date=end_date,
            updated_since=updated_since,
            include_cancelled=include_cancelled,
        ),
    )
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
    key = required_key(request)
    body = await json_body(request)
    create = parsed(lambda: requests.parse_create(body))
    return idempotent_write(
        request,
        auth,
        key,
        body,
        write=lambda now, finish: bookings_api.create_write(auth, create, now)(finish),
        answer=bookings_api.answer,
        status=201,
    )


@app.post(CANCEL_ROUTE, operation_id="cancelBooking")
async def cancel_booking(request: Request) -> Response:
    auth = await require(request, "bookings:cancel", check_body_size=False)
    key = required_key(request)
    body = await json_body(request, required=False)  # an empty body is `{}` (§6)
    cancel = parsed(lambda: requests.parse_cancel(body))
    uid = path_uid(request)
    return idempotent_write(
        request,
        auth,
        key,
        body,
        write=lambda now, finish: bookings.cancel(
            org_id=auth.account_id, uid=uid, reason=cancel.reason, now=now, finish=finish
        ),
        answer=bookings_api.answer,
    )


@app.post(RESCHEDULE_ROUTE, operation_id="rescheduleBooking")
async def reschedule_booking(request: Request) -> Response:
    auth = await require(request, "bookings:reschedule", check_body_size=False)
    key = required_key(request)
    body = await json_body(request)
    move = parsed(lambda: requests.parse_reschedule(body))
    uid = path_uid(request)
    return idempotent_write(
        request,
        auth,
        key,
        body,
        write=lambda now, finish: bookings_api.reschedule_write(auth, uid, move, now)(finish),
        answer=bookings_api.answer,
    )


@app.patch(ITEM_ROUTE, operation_id="updateBooking")
async def update_booking(request: Request) -> Response:
    auth = await require(request, "bookings:update", check_body_size=False)
    key = required_key(request)
    expected = parsed(lambda: booking_headers.if_match(request.headers.get("if-match")))
    body = await json_body(request)
    change = parsed(lambda: requests.parse_patch(body))
    uid = path_uid(request)
    return idempotent_write(
        request,
        auth,
        key,
        body,
        write=lambda now, finish: bookings.patch(
            org_id=auth.account_id, uid=uid, request=change, expected=expected, now=now, finish=finish
        ),
        answer=bookings_api.answer,
    )


handler = make_handler(app)
