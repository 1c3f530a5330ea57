"""SlotsFunction: GET /v1/slots and GET /v1/slots/check (20-scheduling §5, §6).

Handlers validate the query in the documented order, then ask `services/slots.py`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from fortytwo.contract.errors import InvalidQueryParam
from fortytwo.domain.auth import AuthContext
from fortytwo.domain.event_types import ByUsernameSlug
from fortytwo.domain.scheduling import is_valid_timezone
from fortytwo.domain.timefmt import TimestampError, parse_ts
from fortytwo.http.app import create_app
from fortytwo.http.guard import bearer
from fortytwo.http.lambda_entry import make_handler
from fortytwo.http.query import QueryReader
from fortytwo.http.responses import ok
from fortytwo.services import slots

app = create_app("42min slots")

SCOPE = "slots:read"
MAX_WINDOW = timedelta(days=31)
_INSTANT_MESSAGE = "{name} must be an RFC 3339 date-time with an offset"


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


def _identification(query: QueryReader) -> str | ByUsernameSlug:
    """§5 rules 1–3: `event_type_id`, or `username` + `event_slug` (lowercased)."""
    event_type_id = query.uuid("event_type_id")
    if event_type_id is not None:
        return event_type_id
    username = query.single("username")
    slug = query.single("event_slug")
    if username is None and slug is None:
        raise InvalidQueryParam("event_type_id", "event_type_id, or username and event_slug, is required")
    if username is None:
        raise InvalidQueryParam("username", "username is required with event_slug")
    if slug is None:
        raise InvalidQueryParam("event_slug", "event_slug is required with username")
    return ByUsernameSlug(username.lower(), slug.lower())


def _timezone(query: QueryReader) -> str | None:
    value = query.single("timezone")
    if value is not None and not is_valid_timezone(value):
        raise InvalidQueryParam("timezone", "timezone must be an IANA time zone name")
    return value


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
    return ok(slots.list_slots(auth.account_id, ident, start=start, end=end, timezone=timezone))


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
    return ok(slots.check(auth.account_id, ident, start=start, end=end))


handler = make_handler(app)
