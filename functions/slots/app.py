"""SlotsFunction: GET /v1/slots and GET /v1/slots/check (20-scheduling §5, §6).

Handlers validate the query in the documented order, resolve the event type, load the engine's
inputs (`store/availability.py`) and call the pure engine.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from fortytwo.contract.errors import EventTypeNotFound, InvalidQueryParam
from fortytwo.domain import clock
from fortytwo.domain.auth import AuthContext
from fortytwo.domain.event_types import is_valid_slug
from fortytwo.domain.scheduling import check_slot, compute_slots, is_valid_timezone
from fortytwo.domain.timefmt import TimestampError, parse_ts, shifted
from fortytwo.http.app import create_app
from fortytwo.http.guard import bearer
from fortytwo.http.lambda_entry import make_handler
from fortytwo.http.query import QueryReader
from fortytwo.http.responses import ok
from fortytwo.store import availability, event_types

app = create_app("42min slots")

SCOPE = "slots:read"
MAX_WINDOW = timedelta(days=31)
_ONE_MS = timedelta(milliseconds=1)
_INSTANT_MESSAGE = "{name} must be an RFC 3339 date-time with an offset"
_USERNAME_MAX = 127


def _instant(query: QueryReader, name: str, *, required: bool) -> datetime | None:
    value = query.single(name)
    if value is None:
        if required:
            raise InvalidQueryParam(name, f"{name} is required")
        return None
    try:
        return parse_ts(value, space_means_plus=True)
    except TimestampError as exc:
        raise InvalidQueryParam(name, _INSTANT_MESSAGE.format(name=name)) from exc


def _identification(query: QueryReader) -> dict[str, str]:
    """§5 rules 1–3: `event_type_id`, or `username` + `event_slug` (lowercased)."""
    event_type_id = query.uuid("event_type_id")
    if event_type_id is not None:
        return {"event_type_id": event_type_id}
    username = query.single("username")
    slug = query.single("event_slug")
    if username is None and slug is None:
        raise InvalidQueryParam("event_type_id", "event_type_id, or username and event_slug, is required")
    if username is None:
        raise InvalidQueryParam("username", "username is required with event_slug")
    if slug is None:
        raise InvalidQueryParam("event_slug", "event_slug is required with username")
    return {"username": username.lower(), "slug": slug.lower()}


def _timezone(query: QueryReader) -> str | None:
    value = query.single("timezone")
    if value is not None and not is_valid_timezone(value):
        raise InvalidQueryParam("timezone", "timezone must be an IANA time zone name")
    return value


def _resolve(org_id: str, ident: dict[str, str]) -> dict[str, Any]:
    if "event_type_id" in ident:
        record = event_types.get(org_id, ident["event_type_id"])
    elif len(ident["username"]) <= _USERNAME_MAX and is_valid_slug(ident["slug"]):
        record = event_types.find_by_username_slug(org_id, ident["username"], ident["slug"])
    else:
        record = None  # no event type can have this identifier
    if record is None:
        raise EventTypeNotFound()
    return record


@app.get("/v1/slots", operation_id="listSlots")
async def list_slots(request: Request, auth: AuthContext = Depends(bearer(SCOPE))) -> Response:
    query = QueryReader.of(request)
    ident = _identification(query)
    start = _instant(query, "start", required=True)
    end = _instant(query, "end", required=True)
    assert start is not None and end is not None
    if end <= start:
        raise InvalidQueryParam("end", "end must be after start")
    if end - start > MAX_WINDOW:
        raise InvalidQueryParam("end", "the window must not exceed 31 days")
    timezone = _timezone(query)
    record = _resolve(auth.account_id, ident)
    now = clock.now()
    inputs = availability.load_inputs(record, now=now, window_start=start, window_end=end)
    result = compute_slots(
        inputs.rules, inputs.hosts, inputs.bookings, now=now, start=start, end=end, timezone=timezone
    )
    return ok(result.to_data())


@app.get("/v1/slots/check", operation_id="checkSlot")
async def check(request: Request, auth: AuthContext = Depends(bearer(SCOPE))) -> Response:
    query = QueryReader.of(request)
    ident = _identification(query)
    start = _instant(query, "start", required=True)
    end = _instant(query, "end", required=False)
    assert start is not None
    if end is not None and end <= start:
        raise InvalidQueryParam("end", "end must be after start")
    _timezone(query)  # validated, then ignored (§6)
    record = _resolve(auth.account_id, ident)
    now = clock.now()
    # next_available searches up to now + F days: read the ledger that far in the same one query.
    horizon = max(shifted(start, _ONE_MS), now + timedelta(days=int(record["future_limit_days"])))
    inputs = availability.load_inputs(record, now=now, window_start=start, window_end=horizon)
    result = check_slot(inputs.rules, inputs.hosts, inputs.bookings, now=now, start=start, end=end)
    return ok(result.to_data())


handler = make_handler(app)
