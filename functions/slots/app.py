"""SlotsFunction: GET /v1/slots and GET /v1/slots/check (20-scheduling §5, §6).

Handlers validate the query in the documented order, then ask `services/slots.py`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fortytwo.contract.errors import InvalidQueryParam
from fortytwo.domain.event_types import ByUsernameSlug
from fortytwo.http.app import create_app
from fortytwo.http.guard import require
from fortytwo.http.lambda_entry import make_handler
from fortytwo.http.query import QueryReader
from fortytwo.http.responses import ok
from fortytwo.services import slots

app = create_app("42min slots")

SCOPE = "slots:read"


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


@app.get("/v1/slots", operation_id="listSlots")
async def list_slots(request: Request) -> Response:
    auth = await require(request, SCOPE)
    query = QueryReader.of(request)
    ident = _identification(query)
    start = query.datetime("start", required=True, zone_param="timezone")
    end = query.datetime("end", required=True, zone_param="timezone")
    assert start is not None and end is not None
    slots.check_window(start, end)
    timezone = query.timezone()
    return ok(slots.list_slots(auth.account_id, ident, start=start, end=end, timezone=timezone))


@app.get("/v1/slots/check", operation_id="checkSlot")
async def check(request: Request) -> Response:
    auth = await require(request, SCOPE)
    query = QueryReader.of(request)
    ident = _identification(query)
    start = query.datetime("start", required=True, zone_param="timezone")
    end = query.datetime("end", zone_param="timezone")
    assert start is not None
    if end is not None and end <= start:
        raise InvalidQueryParam("end", "end must be after start")
    query.timezone()  # validated, then ignored (§6)
    return ok(slots.check(auth.account_id, ident, start=start, end=end))


handler = make_handler(app)
