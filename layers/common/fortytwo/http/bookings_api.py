"""What the REST booking routes and the MCP booking tools share (30-bookings, 50-mcp §5.3, §6): the
route templates the idempotency fingerprint names, the stored 2xx answer of a write, and the list
query with its cursor. One copy, so an MCP call and the equivalent REST request replay each other
and a list cursor works on both surfaces."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fortytwo.domain.auth import AuthContext
from fortytwo.domain.bookings.listing import ListQuery, sort_value
from fortytwo.domain.bookings.model import Booking, to_rest
from fortytwo.domain.bookings.requests import CreateRequest, RescheduleRequest
from fortytwo.domain.ids import uuid7
from fortytwo.domain.timefmt import format_ts, to_ms
from fortytwo.http.cursor import CursorCodec
from fortytwo.http.idempotency import stored_reply
from fortytwo.services import bookings, cursors
from fortytwo.services.idempotency import Attempt, Reply

LIST_ROUTE = "/v1/bookings"
CREATE_ROUTE = "/v1/bookings"
ITEM_ROUTE = "/v1/bookings/{uid}"
CANCEL_ROUTE = "/v1/bookings/{uid}/cancel"
RESCHEDULE_ROUTE = "/v1/bookings/{uid}/reschedule"


def created_by(auth: AuthContext) -> dict[str, str]:
    return {"credential_id": auth.credential_id, "user_id": auth.user_id}


def create_write(
    auth: AuthContext, request: CreateRequest, now: datetime
) -> Callable[[Attempt[Booking]], Booking]:
    """The create use case under a reservation, as both surfaces run it."""
    return lambda finish: bookings.create(
        org_id=auth.account_id,
        request=request,
        now=now,
        uid=uuid7(to_ms(now)),
        created_by=created_by(auth),
        finish=finish,
    )


def reschedule_write(
    auth: AuthContext, uid: str, request: RescheduleRequest, now: datetime
) -> Callable[[Attempt[Booking]], Booking]:
    """The reschedule use case under a reservation, as both surfaces run it."""
    return lambda finish: bookings.reschedule(
        org_id=auth.account_id,
        uid=uid,
        request=request,
        now=now,
        new_uid=uuid7(to_ms(now)),
        created_by=created_by(auth),
        finish=finish,
    )


def answer(booking: Booking) -> tuple[dict[str, Any], int]:
    """What a booking write answers: the booking and its version (the ETag)."""
    return to_rest(booking), booking.version


def render_write(request_id: str, status: int) -> Callable[[Booking], Reply]:
    """The 2xx answer of a write, as stored for replays: the booking and this request's id."""
    return lambda booking: stored_reply(request_id, status, *answer(booking))


@dataclass(frozen=True, slots=True)
class ListParams:
    """`GET /v1/bookings` after its parameter checks (30-bookings §3); None = not given."""

    limit: int
    sort: str
    cursor: str | None = None
    statuses: tuple[str, ...] | None = None
    event_type_id: str | None = None
    series_id: str | None = None
    host_ids: tuple[str, ...] | None = None
    attendee_email: str | None = None
    start_date: datetime | None = None
    end_date: datetime | None = None
    updated_since: datetime | None = None
    include_cancelled: bool = True


def _ts(value: datetime | None) -> str | None:
    return format_ts(value) if value is not None else None


def list_page(auth: AuthContext, params: ListParams) -> tuple[list[Booking], str | None]:
    """One page and the cursor of the next (None on the last page)."""
    effective_include = params.include_cancelled if params.statuses is None else None
    filters = {
        "status": list(params.statuses) if params.statuses is not None else None,
        "event_type_id": params.event_type_id,
        "series_id": params.series_id,
        "host_user_ids": list(params.host_ids) if params.host_ids is not None else None,
        "attendee_email": params.attendee_email,
        "start_date": _ts(params.start_date),
        "end_date": _ts(params.end_date),
        "updated_since": _ts(params.updated_since),
        "include_cancelled": effective_include,
    }
    codec = CursorCodec(cursors.signing_key())
    binding = CursorCodec.binding(LIST_ROUTE, {}, params.sort, filters, account=auth.account_id)
    after = codec.text_after(params.cursor, binding)
    items, has_more = bookings.list_page(
        ListQuery(
            org_id=auth.account_id,
            sort=params.sort,
            limit=params.limit,
            after=after,
            statuses=params.statuses,
            exclude_canceled=effective_include is False,
            event_type_id=params.event_type_id,
            series_id=params.series_id,
            host_ids=params.host_ids,
            attendee_email=params.attendee_email,
            start_from=params.start_date,
            start_to=params.end_date,
            updated_since=params.updated_since,
        )
    )
    next_cursor = None
    if has_more and items:
        last = items[-1]
        next_cursor = codec.encode(binding, sort_value(last, params.sort), last.uid)
    return items, next_cursor
