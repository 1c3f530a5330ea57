"""BookingsFunction: list, get, create, cancel, reschedule and PATCH bookings (30-bookings).

Handlers run the contract's check order: authentication, rate limit and scope (the `bearer`
dependency), then `Idempotency-Key`, `If-Match`, body, schema; then the idempotency record
(`http/idempotency.py`); then the endpoint's own checks, which the booking domain decides and the
store commits in one transaction. Rule failures come back as `BookingRuleError` / `FieldErrors`
and are raised here as the contract's typed errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from fortytwo.contract import errors as http_errors
from fortytwo.domain import clock
from fortytwo.domain.auth import AuthContext
from fortytwo.domain.bookings import headers as booking_headers
from fortytwo.domain.bookings import lifecycle, requests
from fortytwo.domain.bookings.errors import BookingRuleError, FieldErrors
from fortytwo.domain.bookings.model import STATUSES, Booking, to_rest
from fortytwo.domain.ids import normalize_uuid, uuid7
from fortytwo.domain.timefmt import format_ts, to_ms
from fortytwo.http import idempotency
from fortytwo.http.app import create_app
from fortytwo.http.body import json_body
from fortytwo.http.context import RequestState
from fortytwo.http.cursor import CursorCodec
from fortytwo.http.guard import bearer, request_state
from fortytwo.http.lambda_entry import make_handler
from fortytwo.http.query import QueryReader
from fortytwo.http.responses import dumps, ok, page
from fortytwo.observability import count_metric
from fortytwo.store import bookings as store
from fortytwo.store.pepper import get_pepper

app = create_app("42min bookings")

LIST_ROUTE = "/v1/bookings"
CREATE_ROUTE = "/v1/bookings"
ITEM_ROUTE = "/v1/bookings/{uid}"
CANCEL_ROUTE = "/v1/bookings/{uid}/cancel"
RESCHEDULE_ROUTE = "/v1/bookings/{uid}/reschedule"
MAX_HOST_IDS = 50
MAX_ATTENDEE_EMAIL = 254
T = TypeVar("T")

_EXHAUSTED = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
    }
)
# Lost or refused slots, counted for the operations dashboards (design.md §7).
_CONFLICTS = frozenset({"slot_unavailable", "slot_lock_timeout"})

# Contract codes the booking domain and store raise → the typed errors that render them.
_SIMPLE_ERRORS: dict[str, type[http_errors.ApiError]] = {
    "missing_idempotency_key": http_errors.MissingIdempotencyKey,
    "invalid_idempotency_key": http_errors.InvalidIdempotencyKey,
    "missing_if_match": http_errors.MissingIfMatch,
    "invalid_if_match": http_errors.InvalidIfMatch,
    "booking_not_found": http_errors.BookingNotFound,
    "event_type_not_found": http_errors.EventTypeNotFound,
    "event_type_inactive": http_errors.EventTypeInactive,
    "slot_in_past": http_errors.SlotInPast,
    "booking_in_past": http_errors.BookingInPast,
    "booking_already_cancelled": http_errors.BookingAlreadyCancelled,
    "attendee_email_invalid": http_errors.AttendeeEmailInvalid,
    "attendee_phone_invalid": http_errors.AttendeePhoneInvalid,
    "attendee_phone_required": http_errors.AttendeePhoneRequired,
    "event_type_disallows_reschedule": http_errors.EventTypeDisallowsReschedule,
    "event_type_disallows_cancel": http_errors.EventTypeDisallowsCancel,
}


def api_error(exc: BookingRuleError | FieldErrors) -> http_errors.ApiError:
    """The typed API error of a booking rule failure."""
    if isinstance(exc, FieldErrors):
        return http_errors.ValidationFailed(exc.fields)
    code, details = exc.code, exc.details
    simple = _SIMPLE_ERRORS.get(code)
    if simple is not None:
        return simple(exc.message)
    if code == "slot_unavailable":
        return http_errors.SlotUnavailable(str(details.get("reason", "slot_busy")), exc.message)
    if code == "booking_already_rescheduled":
        return http_errors.BookingAlreadyRescheduled(details.get("replaced_by"))
    if code == "version_conflict":
        return http_errors.VersionConflict(int(details["current_version"]), exc.message)
    if code == "field_immutable":
        return http_errors.FieldImmutable(list(details["fields"]))
    if code == "missing_required_responses":
        error = http_errors.MissingRequiredResponses(list(details["fields"]))
        error.message = exc.message
        return error
    if code == "idempotency_in_progress":
        return http_errors.IdempotencyInProgress(exc.message)
    if code == "slot_lock_timeout":
        return http_errors.SlotLockTimeout(exc.message)
    if code == "service_unavailable":
        return http_errors.ServiceUnavailable(exc.message)
    return http_errors.InternalError()


def checked(step: Callable[[], T]) -> T:
    """Run a domain/store step, raising its failure as the contract's typed error."""
    try:
        return step()
    except (BookingRuleError, FieldErrors) as exc:
        if isinstance(exc, BookingRuleError) and exc.code in _CONFLICTS:
            count_metric("BookingConflicts")
        raise api_error(exc) from exc
    except ClientError as exc:
        # The client already retried throttling with backoff: the table is exhausted for now.
        if exc.response.get("Error", {}).get("Code", "") in _EXHAUSTED:
            raise http_errors.ServiceUnavailable() from exc
        raise
    except BotoCoreError as exc:  # connection failures and timeouts after the client's retries
        raise http_errors.ServiceUnavailable() from exc


def _idempotency_key(request: Request) -> str:
    return checked(lambda: booking_headers.idempotency_key(request.headers.get("idempotency-key")))


def _path_uid(raw: str) -> str:
    """Path uids compare lower-cased; the fingerprint uses that form even for non-UUIDs (then 404)."""
    return raw.lower()


def _existing_uid(uid: str) -> str:
    if normalize_uuid(uid) is None:
        raise http_errors.BookingNotFound()  # a uid that is not a UUID is a 404, never a 400
    return uid


def _created_by(auth: AuthContext) -> dict[str, str]:
    return {"credential_id": auth.credential_id, "user_id": auth.user_id}


def _single(booking: Booking, status: int, request_id: str) -> idempotency.StoredResponse:
    body = dumps({"data": to_rest(booking), "meta": {"request_id": request_id}}).decode("utf-8")
    return idempotency.StoredResponse(
        status=status,
        body=body,
        request_id=request_id,
        headers={"ETag": booking_headers.etag(booking.version)},
    )


def _run_idempotent(
    request: Request,
    auth: AuthContext,
    *,
    key: str,
    method: str,
    route: str,
    path_params: Mapping[str, str],
    body: Mapping[str, Any],
    now: datetime,
    work: Callable[[idempotency.Attempt], idempotency.StoredResponse],
) -> Response:
    state: RequestState = request_state(request)
    return idempotency.run(
        request,
        account_id=auth.account_id,
        credential_id=auth.credential_id,
        request_id=state.request_id,
        key=key,
        method=method,
        route=route,
        path_params=path_params,
        body=body,
        now=now,
        work=lambda attempt: checked(lambda: work(attempt)),
    )


# --------------------------------------------------------------------------- list


def _statuses(query: QueryReader) -> tuple[str, ...] | None:
    raw = [v for v in query.values("status") if v != ""]
    if not raw:
        return None
    found: set[str] = set()
    for value in raw:
        for item in value.split(","):
            item = item.strip()
            if item not in STATUSES:
                raise http_errors.InvalidQueryParam(
                    "status", "status must list confirmed, pending, canceled or rescheduled"
                )
            found.add(item)
    return tuple(sorted(found))


def _host_ids(query: QueryReader) -> tuple[str, ...] | None:
    raw = [v for v in query.values("host_user_ids") if v != ""]
    if not raw:
        return None
    found: set[str] = set()
    for value in raw:
        for item in value.split(","):
            normalized = normalize_uuid(item.strip())
            if normalized is None:
                raise http_errors.InvalidQueryParam("host_user_ids", "host_user_ids must be UUIDs")
            found.add(normalized)
    if len(found) > MAX_HOST_IDS:
        raise http_errors.InvalidQueryParam(
            "host_user_ids", f"host_user_ids holds at most {MAX_HOST_IDS} ids"
        )
    return tuple(sorted(found))


def _ts(value: datetime | None) -> str | None:
    return format_ts(value) if value is not None else None


@app.get(LIST_ROUTE, operation_id="listBookings")
async def list_bookings(request: Request, auth: AuthContext = Depends(bearer("bookings:read"))) -> Response:
    query = QueryReader.of(request)
    # Parameters in documented order (30-bookings §3): the first failure names its parameter.
    limit = query.limit()
    cursor = query.single("cursor")
    sort = query.enum("sort", tuple(store.SORTS), "start_at_desc")
    assert sort is not None
    statuses = _statuses(query)
    event_type_id = query.uuid("event_type_id")
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
    effective_include = include_cancelled if statuses is None else None
    filters = {
        "status": list(statuses) if statuses is not None else None,
        "event_type_id": event_type_id,
        "host_user_ids": list(host_ids) if host_ids is not None else None,
        "attendee_email": attendee_email,
        "start_date": _ts(start_date),
        "end_date": _ts(end_date),
        "updated_since": _ts(updated_since),
        "include_cancelled": effective_include,
    }
    codec = CursorCodec(get_pepper())
    binding = CursorCodec.binding(LIST_ROUTE, {}, sort, filters, account=auth.account_id)
    after = None
    if cursor is not None:
        value, last_uid = codec.decode(cursor, binding)
        if not isinstance(value, str):
            raise http_errors.InvalidQueryParam("cursor", "cursor is invalid for this request")
        after = (value, last_uid)
    items, has_more = store.list_page(
        store.ListQuery(
            org_id=auth.account_id,
            sort=sort,
            limit=limit,
            after=after,
            statuses=statuses,
            exclude_canceled=effective_include is False,
            event_type_id=event_type_id,
            host_ids=host_ids,
            attendee_email=attendee_email,
            start_from=start_date,
            start_to=end_date,
            updated_since=updated_since,
        )
    )
    next_cursor = None
    if has_more and items:
        last = items[-1]
        next_cursor = codec.encode(binding, store.sort_value(last, sort), last.uid)
    return page([to_rest(b, include_responses=False) for b in items], next_cursor)


# --------------------------------------------------------------------------- get


@app.get(ITEM_ROUTE, operation_id="getBooking")
async def get_booking(uid: str, auth: AuthContext = Depends(bearer("bookings:read"))) -> Response:
    booking = store.get(auth.account_id, _existing_uid(_path_uid(uid)))
    if booking is None:
        raise http_errors.BookingNotFound()
    return ok(to_rest(booking), headers={"ETag": booking_headers.etag(booking.version)})


# --------------------------------------------------------------------------- create


@app.post(CREATE_ROUTE, operation_id="createBooking")
async def create_booking(
    request: Request, auth: AuthContext = Depends(bearer("bookings:create", check_body_size=False))
) -> Response:
    key = _idempotency_key(request)
    body = await json_body(request)
    parsed = checked(lambda: requests.parse_create(body))
    now = clock.now()
    request_id = request_state(request).request_id

    def work(attempt: idempotency.Attempt) -> idempotency.StoredResponse:
        record = store.resolve_event_type(
            auth.account_id,
            event_type_id=parsed.event_type_id,
            username=parsed.username,
            event_slug=parsed.event_slug,
        )
        if record is None:
            raise BookingRuleError("event_type_not_found", "Event type not found.")
        event_type = store.bookable(record, None)
        lifecycle.check_bookable(event_type, parsed.start, now)
        lifecycle.check_attendee(parsed.attendee)
        responses = lifecycle.check_create_answers(event_type.questions, parsed.responses)
        stored: list[idempotency.StoredResponse] = []

        def complete(booking: Booking) -> dict[str, Any]:
            stored[:] = [_single(booking, 201, request_id)]
            return attempt.completion_item(stored[0])

        store.create(
            record=record,
            request=parsed,
            responses=responses,
            now=now,
            uid=uuid7(to_ms(now)),
            created_by=_created_by(auth),
            complete=complete,
        )
        attempt.mark_completed()
        count_metric("BookingsCreated")
        return stored[0]

    return _run_idempotent(
        request,
        auth,
        key=key,
        method="POST",
        route=CREATE_ROUTE,
        path_params={},
        body=body,
        now=now,
        work=work,
    )


# --------------------------------------------------------------------------- cancel


@app.post(CANCEL_ROUTE, operation_id="cancelBooking")
async def cancel_booking(
    uid: str, request: Request, auth: AuthContext = Depends(bearer("bookings:cancel", check_body_size=False))
) -> Response:
    key = _idempotency_key(request)
    body = await json_body(request, required=False)  # an empty body is `{}` (§6)
    parsed = checked(lambda: requests.parse_cancel(body))
    uid = _path_uid(uid)
    now = clock.now()
    request_id = request_state(request).request_id

    def work(attempt: idempotency.Attempt) -> idempotency.StoredResponse:
        stored: list[idempotency.StoredResponse] = []

        def complete(booking: Booking) -> dict[str, Any]:
            stored[:] = [_single(booking, 200, request_id)]
            return attempt.completion_item(stored[0])

        booking, changed = store.cancel(
            org_id=auth.account_id, uid=_existing_uid(uid), reason=parsed.reason, now=now, complete=complete
        )
        if changed:
            attempt.mark_completed()
            return stored[0]
        # Already canceled: 200 with the current state, stored under the key like any success.
        return _single(booking, 200, request_id)

    return _run_idempotent(
        request,
        auth,
        key=key,
        method="POST",
        route=CANCEL_ROUTE,
        path_params={"uid": uid},
        body=body,
        now=now,
        work=work,
    )


# --------------------------------------------------------------------------- reschedule


@app.post(RESCHEDULE_ROUTE, operation_id="rescheduleBooking")
async def reschedule_booking(
    uid: str,
    request: Request,
    auth: AuthContext = Depends(bearer("bookings:reschedule", check_body_size=False)),
) -> Response:
    key = _idempotency_key(request)
    body = await json_body(request)
    parsed = checked(lambda: requests.parse_reschedule(body))
    uid = _path_uid(uid)
    now = clock.now()
    request_id = request_state(request).request_id

    def work(attempt: idempotency.Attempt) -> idempotency.StoredResponse:
        stored: list[idempotency.StoredResponse] = []

        def complete(booking: Booking) -> dict[str, Any]:
            stored[:] = [_single(booking, 200, request_id)]
            return attempt.completion_item(stored[0])

        store.reschedule(
            org_id=auth.account_id,
            uid=_existing_uid(uid),
            start=parsed.start,
            timezone=parsed.timezone,
            reason=parsed.reason,
            now=now,
            new_uid=uuid7(to_ms(now)),
            created_by=_created_by(auth),
            complete=complete,
        )
        attempt.mark_completed()
        return stored[0]

    return _run_idempotent(
        request,
        auth,
        key=key,
        method="POST",
        route=RESCHEDULE_ROUTE,
        path_params={"uid": uid},
        body=body,
        now=now,
        work=work,
    )


# --------------------------------------------------------------------------- PATCH


@app.patch(ITEM_ROUTE, operation_id="updateBooking")
async def update_booking(
    uid: str, request: Request, auth: AuthContext = Depends(bearer("bookings:update", check_body_size=False))
) -> Response:
    key = _idempotency_key(request)
    expected = checked(lambda: booking_headers.if_match(request.headers.get("if-match")))
    body = await json_body(request)
    parsed = checked(lambda: requests.parse_patch(body))
    uid = _path_uid(uid)
    now = clock.now()
    request_id = request_state(request).request_id

    def work(attempt: idempotency.Attempt) -> idempotency.StoredResponse:
        requests.check_patch_shape(parsed)
        stored: list[idempotency.StoredResponse] = []

        def complete(booking: Booking) -> dict[str, Any]:
            stored[:] = [_single(booking, 200, request_id)]
            return attempt.completion_item(stored[0])

        store.patch(
            org_id=auth.account_id,
            uid=_existing_uid(uid),
            request=parsed,
            expected=expected,
            now=now,
            complete=complete,
        )
        attempt.mark_completed()
        return stored[0]

    return _run_idempotent(
        request,
        auth,
        key=key,
        method="PATCH",
        route=ITEM_ROUTE,
        path_params={"uid": uid},
        body=body,
        now=now,
        work=work,
    )


handler = make_handler(app)
