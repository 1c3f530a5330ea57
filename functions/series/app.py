"""SeriesFunction: list, get, create, PATCH, pause, resume, end and change host of series (35-series).

Handlers are parse → service → render, in the chapter's check order: authentication, rate limit
and scope (`require`, the first statement), then `Idempotency-Key` (create, resume, end) or
`If-Match` (PATCH), body, schema; then the idempotency record (`http/idempotency.idempotent_write`);
then the use case (`services/series`), which raises the contract's errors.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fortytwo.contract import errors as http_errors
from fortytwo.domain import clock
from fortytwo.domain.auth import AuthContext
from fortytwo.domain.bookings import headers as booking_headers
from fortytwo.domain.ids import uuid7
from fortytwo.domain.series import requests
from fortytwo.domain.series.model import SeriesStatus
from fortytwo.domain.series.requests import SeriesListQuery
from fortytwo.domain.timefmt import format_ts, to_ms
from fortytwo.http.app import create_app
from fortytwo.http.body import json_body, raw_body
from fortytwo.http.checks import parsed
from fortytwo.http.cursor import CursorCodec
from fortytwo.http.guard import require
from fortytwo.http.idempotency import Keyed, idempotent_write, keyed_body, required_key
from fortytwo.http.lambda_entry import make_handler
from fortytwo.http.path_params import path_uid
from fortytwo.http.query import QueryReader
from fortytwo.http.responses import ok, page
from fortytwo.services import cursors, series
from fortytwo.services.series import SeriesResult

app = create_app("42min series")

LIST_ROUTE = "/v1/series"
ITEM_ROUTE = "/v1/series/{uid}"
PAUSE_ROUTE = "/v1/series/{uid}/pause"
RESUME_ROUTE = "/v1/series/{uid}/resume"
END_ROUTE = "/v1/series/{uid}/end"
HOST_ROUTE = "/v1/series/{uid}/host"
SORTS: dict[str, tuple[str, bool]] = {  # sort → (sort field, ascending); default newest first (§8)
    "created_at_desc": ("created_at", False),
    "created_at_asc": ("created_at", True),
    "updated_at_desc": ("updated_at", False),
    "updated_at_asc": ("updated_at", True),
}
MAX_ATTENDEE_EMAIL = 254
READ = "series:read"
WRITE = "series:write"


def _created_by(auth: AuthContext) -> dict[str, str]:
    return {"credential_id": auth.credential_id, "user_id": auth.user_id}


def _etag(result: SeriesResult) -> dict[str, str]:
    return {"ETag": booking_headers.etag(result.version)}


def _versioned(result: SeriesResult) -> tuple[dict[str, Any], int]:
    """What a series write answers: the series (or action result) and the series version."""
    return result.data, result.version


def _answer(result: SeriesResult) -> Response:
    return ok(result.data, headers=_etag(result))


# --------------------------------------------------------------------------- list (§8)


def _statuses(query: QueryReader) -> tuple[str, ...] | None:
    raw = query.single("status")
    if raw is None:
        return None
    items = [item.strip() for item in raw.split(",")]
    allowed = {str(s) for s in SeriesStatus}
    if any(item not in allowed for item in items):
        raise http_errors.InvalidQueryParam("status", "status must list active, paused or ended")
    return tuple(sorted(set(items)))


def _list_filters(query: QueryReader) -> dict[str, Any]:
    statuses = _statuses(query)
    host_user_id = query.uuid("host_user_id")
    event_type_id = query.uuid("event_type_id")
    attendee_email = query.single("attendee_email")
    if attendee_email is not None and not 1 <= len(attendee_email) <= MAX_ATTENDEE_EMAIL:
        raise http_errors.InvalidQueryParam("attendee_email", "attendee_email must be 1-254 characters")
    return {
        "statuses": list(statuses) if statuses is not None else None,
        "host_user_id": host_user_id,
        "event_type_id": event_type_id,
        "attendee_email": attendee_email,
    }


@app.get(LIST_ROUTE, operation_id="listSeries")
async def list_series(request: Request) -> Response:
    auth = await require(request, READ)
    query = QueryReader.of(request)
    # Parameters in documented order (§8): the first failure names its parameter.
    limit = query.limit()
    cursor = query.single("cursor")
    sort = query.enum("sort", tuple(SORTS), "created_at_desc")
    assert sort is not None
    filters = _list_filters(query)
    codec = CursorCodec(cursors.signing_key())
    binding = CursorCodec.binding(LIST_ROUTE, {}, sort, filters, account=auth.account_id)
    after = None
    if cursor is not None:
        value, last_uid = codec.decode(cursor, binding)
        if not isinstance(value, str):
            raise http_errors.InvalidQueryParam("cursor", "cursor is invalid for this request")
        after = (value, last_uid)
    field_name, ascending = SORTS[sort]
    views, found, has_more = series.list_page(
        SeriesListQuery(auth.account_id, field_name, ascending, limit, after, filters), clock.now()
    )
    next_cursor = None
    if has_more and found:
        last = found[-1]
        next_cursor = codec.encode(binding, format_ts(getattr(last, field_name)), last.uid)
    return page(views, next_cursor)


# --------------------------------------------------------------------------- get (§7)


@app.get(ITEM_ROUTE, operation_id="getSeries")
async def get_series(request: Request) -> Response:
    auth = await require(request, READ)
    return _answer(series.get(auth.account_id, path_uid(request), clock.now()))


# --------------------------------------------------------------------------- create (§6)


@app.post(LIST_ROUTE, operation_id="createSeries")
async def create_series(request: Request) -> Response:
    auth = await require(request, WRITE, check_body_size=False)
    call = await keyed_body(request)
    create = parsed(lambda: requests.parse_create(call.body))
    write = functools.partial(
        series.create, org_id=auth.account_id, request=create, created_by=_created_by(auth)
    )
    return idempotent_write(
        request,
        auth,
        call,
        lambda now, finish: write(now=now, uid=uuid7(to_ms(now)), finish=finish),
        _versioned,
        status=201,
    )


# --------------------------------------------------------------------------- PATCH (§9)


@app.patch(ITEM_ROUTE, operation_id="updateSeries")
async def update_series(request: Request) -> Response:
    auth = await require(request, WRITE, check_body_size=False)
    expected = parsed(lambda: booking_headers.if_match(request.headers.get("if-match")))
    body = await json_body(request)
    change = parsed(lambda: requests.parse_patch(body))
    parsed(lambda: requests.check_patch_shape(change))
    result = series.patch(
        org_id=auth.account_id,
        uid=path_uid(request),
        request=change,
        expected=expected,
        now=clock.now(),
        created_by=_created_by(auth),
    )
    return _answer(result)


# --------------------------------------------------------------------------- actions (§10)


@app.post(PAUSE_ROUTE, operation_id="pauseSeries")
async def pause_series(request: Request) -> Response:
    auth = await require(request, WRITE)
    return _answer(
        series.pause_series(
            org_id=auth.account_id, uid=path_uid(request), now=clock.now(), created_by=_created_by(auth)
        )
    )


async def _idempotent_action(
    request: Request, auth: AuthContext, action: Callable[..., SeriesResult]
) -> Response:
    """Resume and end: their body is ignored and counts as `{}` in the fingerprint (§11.1)."""
    key = required_key(request)
    await raw_body(request)  # the size limit only: the body is ignored (§1)
    write = functools.partial(
        action, org_id=auth.account_id, uid=path_uid(request), created_by=_created_by(auth)
    )
    return idempotent_write(
        request, auth, Keyed(key, {}), lambda now, finish: write(now=now, finish=finish), _versioned
    )


@app.post(RESUME_ROUTE, operation_id="resumeSeries")
async def resume_series(request: Request) -> Response:
    auth = await require(request, WRITE, check_body_size=False)
    return await _idempotent_action(request, auth, series.resume)


@app.post(END_ROUTE, operation_id="endSeries")
async def end_series(request: Request) -> Response:
    auth = await require(request, WRITE, check_body_size=False)
    return await _idempotent_action(request, auth, series.end)


@app.post(HOST_ROUTE, operation_id="changeSeriesHost")
async def change_series_host(request: Request) -> Response:
    auth = await require(request, WRITE, check_body_size=False)
    body = await json_body(request)
    host_user_id = parsed(lambda: requests.parse_host(body))
    result = series.change_host(
        org_id=auth.account_id,
        uid=path_uid(request),
        host_user_id=host_user_id,
        now=clock.now(),
        created_by=_created_by(auth),
    )
    return _answer(result)


handler = make_handler(app)
