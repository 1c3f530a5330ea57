"""EventTypesFunction: GET /v1/event-types and GET /v1/event-types/{idOrSlug+} (20-scheduling §3)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fortytwo.config import get_settings
from fortytwo.contract.errors import ApiError, InvalidQueryParam, NotFound
from fortytwo.domain.event_types import LIST_SORTS, MAX_SLUG
from fortytwo.http import event_types_api
from fortytwo.http.app import create_app, raw_path
from fortytwo.http.guard import count_anonymous, require
from fortytwo.http.lambda_entry import make_handler
from fortytwo.http.query import QueryReader
from fortytwo.http.responses import ok, page
from fortytwo.services import event_types

app = create_app("42min event types")

LIST_ROUTE = event_types_api.LIST_ROUTE
PREFIX = "/v1/event-types/"
SCOPE = "event_types:read"


def _filters(query: QueryReader) -> tuple[str, dict[str, Any]]:
    """sort, user_id, slug, active in documented order (the first failure is raised)."""
    sort = query.single("sort") or LIST_SORTS[0]
    if sort not in LIST_SORTS:
        raise InvalidQueryParam("sort", "sort must be one of " + ", ".join(LIST_SORTS))
    user_id = query.uuid("user_id")
    slug = query.single("slug")
    if slug is not None:
        if len(slug) > MAX_SLUG:
            raise InvalidQueryParam("slug", f"slug must be 1-{MAX_SLUG} characters")
        slug = slug.lower()
    active_raw = query.single("active")
    if active_raw is not None and active_raw not in ("true", "false"):
        raise InvalidQueryParam("active", "active must be true or false")
    active = None if active_raw is None else active_raw == "true"
    return sort, {"user_id": user_id, "slug": slug, "active": active}


@app.get(LIST_ROUTE, operation_id="listEventTypes")
async def list_event_types(request: Request) -> Response:
    auth = await require(request, SCOPE)
    query = QueryReader.of(request)
    limit = query.limit()
    cursor = query.single("cursor")
    try:
        sort, filters = _filters(query)
    except ApiError:
        # A cursor is bound to a valid sort and valid filters, so it cannot match these: it is the
        # first offending parameter in the documented order (limit, cursor, sort, …).
        if cursor is not None:
            raise InvalidQueryParam("cursor", "cursor is invalid for this request") from None
        raise
    params = event_types_api.ListParams(limit=limit, sort=sort, cursor=cursor, **filters)
    return page(*event_types_api.list_page(auth, params))


def _identifier(request: Request) -> tuple[list[str], str]:
    """(segments after the prefix, the identifier).

    API Gateway hands over the path already decoded (`ada%2Fintro-call` arrives as
    `ada/intro-call`, the `{username}/{slug}` form), so the identifier is the canonical path's
    rest as it is: decoding it again would read `%2F` in a username as a slash.
    """
    path = raw_path(request)
    rest = path[len(PREFIX) :] if path.startswith(PREFIX) else ""
    return rest.split("/"), rest


@app.get(PREFIX + "{id_or_slug:path}", operation_id="getEventType")
async def get_event_type(request: Request) -> Response:
    segments, decoded = _identifier(request)
    if len(segments) > 2 or not all(segments):
        # Neither `{idOrSlug}` (one segment) nor `{username}/{slug}` (two) matches: a route 404,
        # answered like any unmatched path, before authentication (00-conventions §2.1, §5.3).
        count_anonymous(request)
        raise NotFound()
    auth = await require(request, SCOPE)
    return ok(
        event_types.detail_by_identifier(auth.account_id, decoded, get_settings().booking_page_base_url)
    )


handler = make_handler(app)
