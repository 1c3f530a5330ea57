"""What `GET /v1/event-types` and the MCP tool `list_event_types` share (20-scheduling §3.3, 50-mcp
§5.6): the list query with its cursor. One copy, so a cursor issued on one surface pages on the
other (the binding covers the route, sort and filters, never the surface)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fortytwo.config import get_settings
from fortytwo.domain.auth import AuthContext
from fortytwo.http.cursor import CursorCodec
from fortytwo.services import cursors, event_types

LIST_ROUTE = "/v1/event-types"


@dataclass(frozen=True, slots=True)
class ListParams:
    """`GET /v1/event-types` after its parameter checks; None = not given."""

    limit: int
    sort: str
    cursor: str | None = None
    user_id: str | None = None
    slug: str | None = None
    active: bool | None = None

    def filters(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "slug": self.slug, "active": self.active}


def list_page(auth: AuthContext, params: ListParams) -> tuple[list[dict[str, Any]], str | None]:
    """One page of list items and the cursor of the next (None on the last page)."""
    codec = CursorCodec(cursors.signing_key())
    binding = CursorCodec.binding(LIST_ROUTE, {}, params.sort, params.filters(), account=auth.account_id)
    after = codec.text_after(params.cursor, binding)
    result = event_types.list_page(
        auth.account_id,
        sort=params.sort,
        limit=params.limit,
        after=after,
        base_url=get_settings().booking_page_base_url,
        **params.filters(),
    )
    next_cursor = codec.encode(binding, *result.next_after) if result.next_after is not None else None
    return result.data, next_cursor
