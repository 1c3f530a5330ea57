"""The declared route table: every operation of the API with its scope, parameters, bodies, success
responses and the error codes it may answer (00-conventions §2, 10-auth §5.5, each chapter's
error table). The OpenAPI document is generated from this table, the models and the error
catalogue (contract/openapi.py); `42min openapi` checks it against the FastAPI apps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from fortytwo.contract.bookings import (
    BOOKING_EXAMPLE,
    Booking,
    CancelBookingRequest,
    CreateBookingRequest,
    RescheduleBookingRequest,
    UpdateBookingRequest,
)
from fortytwo.contract.event_types import (
    EVENT_TYPE_DETAIL_EXAMPLE,
    EVENT_TYPE_EXAMPLE,
    EventType,
    EventTypeDetail,
)
from fortytwo.contract.mcp import JsonRpcMessage
from fortytwo.contract.meta import Me, Ping
from fortytwo.contract.oauth import (
    AuthorizationServerMetadata,
    AuthorizeForm,
    ClientRegistrationRequest,
    ClientRegistrationResponse,
    IntrospectionResponse,
    McpProtectedResourceMetadata,
    ProtectedResourceMetadata,
    TokenRequest,
    TokenResponse,
    TokenTypeHintRequest,
)
from fortytwo.contract.series import (
    ChangeHostBody,
    CreateSeriesBody,
    PatchSeriesBody,
    Series,
    SeriesActionResult,
)
from fortytwo.contract.slots import SlotCheck, SlotList
from fortytwo.contract.webhooks import (
    DELIVERY_EXAMPLE,
    REDELIVERY_EXAMPLE,
    WEBHOOK_EXAMPLE,
    WEBHOOK_WITH_SECRET_EXAMPLE,
    CreateWebhookRequest,
    UpdateWebhookRequest,
    Webhook,
    WebhookDelivery,
    WebhookRedelivery,
    WebhookWithSecret,
)

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
HTML = "text/html"
Schema = dict[str, Any]

# How a success body is shaped: in the envelope (one resource, a plain list, a page), raw JSON
# (OAuth, discovery), an HTML page, or no body.
Shape = Literal["envelope", "list", "page", "raw", "open", "html", "none"]


@dataclass(frozen=True, slots=True)
class Param:
    """A query, header or path parameter. `ref` names a shared component instead."""

    name: str = ""
    where: Literal["query", "header", "path"] = "query"
    schema: Schema = field(default_factory=dict)
    description: str = ""
    required: bool = False
    extra: Schema = field(default_factory=dict)
    ref: str = ""


@dataclass(frozen=True, slots=True)
class Success:
    status: int
    description: str
    model: type[BaseModel] | None = None
    shape: Shape = "envelope"
    headers: tuple[str, ...] = ()
    example: Any = None


@dataclass(frozen=True, slots=True)
class Operation:
    """`scope`: a scope, "" (any valid bearer credential), "public" (none) or "client" (OAuth
    client authentication). `errors`: catalogue codes; `oauth_errors`: statuses answered with the
    raw OAuth body; `pages`: statuses answered with the authorize HTML page."""

    method: str
    path: str
    operation_id: str
    tag: str
    scope: str
    summary: str
    success: tuple[Success, ...]
    description: str = ""
    parameters: tuple[Param, ...] = ()
    body: type[BaseModel] | None = None
    body_media: str = JSON
    body_required: bool = True
    errors: tuple[str, ...] = ()
    oauth_errors: tuple[int, ...] = ()
    pages: tuple[int, ...] = ()
    redirect: int | None = None


def ref(name: str) -> Param:
    return Param(ref=name)


def query(name: str, schema: Schema, description: str, *, required: bool = False, **extra: Any) -> Param:
    return Param(name, "query", schema, description, required, extra)


UUID: Schema = {"type": "string", "format": "uuid"}
DATE_TIME: Schema = {"type": "string", "format": "date-time"}
BOOLEAN_TEXT: Schema = {"type": "string", "enum": ["true", "false"]}

# Shared parameters (components.parameters).
PARAMETERS: dict[str, Schema] = {
    "Limit": {
        "name": "limit",
        "in": "query",
        "description": "Items per page, 1–100 (default 20). Larger values are clamped to 100; 0, negatives "
        "and non-digits are 400.",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
    },
    "Cursor": {
        "name": "cursor",
        "in": "query",
        "description": "Opaque `meta.next_cursor` of the previous page; valid only with the same sort and "
        "filters.",
        "schema": {"type": "string"},
    },
    "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": True,
        "description": "**Required.** 1–255 printable ASCII characters, one per logical operation (a UUID "
        "is fine). A retry with the same key and body replays the stored result "
        "(`Idempotent-Replayed: true`) for 24 hours.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        "example": "0b6cf1a2-6a57-4d0c-9d6c-2c3f1f1a7e10",
    },
    "IfMatch": {
        "name": "If-Match",
        "in": "header",
        "required": True,
        "description": '**Required.** The ETag of the version you read (`"3"`, `W/"3"`, `3`) or `*`. '
        "Missing → 428, stale → 409 `version_conflict`.",
        "schema": {"type": "string"},
        "example": '"1"',
    },
    "BookingUid": {
        "name": "uid",
        "in": "path",
        "required": True,
        "description": "Booking uid (UUID). Anything else is 404 `booking_not_found`.",
        "schema": {"type": "string"},
        "example": "019e3a19-5800-726b-b2a7-4de452e6b438",
    },
    "SeriesUid": {
        "name": "uid",
        "in": "path",
        "required": True,
        "description": "Series uid (UUID). Anything else is 404 `series_not_found`.",
        "schema": {"type": "string"},
        "example": "019e3a19-5800-7c41-8a55-3f1d2b9e6a10",
    },
    "WebhookId": {
        "name": "id",
        "in": "path",
        "required": True,
        "description": "Subscription id (UUID). Malformed, unknown, or another sandbox's: 404 `not_found`.",
        "schema": {"type": "string", "format": "uuid"},
    },
    "DeliveryId": {
        "name": "delivery_id",
        "in": "path",
        "required": True,
        "description": "A delivery id `whd_…` of this subscription's deliveries log (30 days, test "
        "deliveries included). Anything else: 404 `not_found`.",
        "schema": {"type": "string", "pattern": "^whd_"},
    },
    "IdOrSlug": {
        "name": "idOrSlug",
        "in": "path",
        "required": True,
        "description": "An event type UUID, or `username%2Fslug` (one encoded segment). A bare slug is "
        "400: slugs are unique per owner.",
        "schema": {"type": "string"},
        "examples": {
            "id": {"value": "019d48ea-2e00-7f28-9fb1-7c2390c192cf"},
            "username/slug": {"value": "ada%2Fintro-call"},
        },
    },
    "Username": {
        "name": "username",
        "in": "path",
        "required": True,
        "description": "The owner's username.",
        "schema": {"type": "string"},
    },
    "Slug": {
        "name": "slug",
        "in": "path",
        "required": True,
        "description": "The event type slug.",
        "schema": {"type": "string"},
    },
}

# Response headers (components.headers).
HEADERS: dict[str, Schema] = {
    "X-Request-Id": {
        "description": "On every response; equals `meta.request_id` / `error.request_id`. Quote it when "
        "reporting a problem.",
        "schema": {
            "type": "string",
            "pattern": "^req_[0-7][0-9A-HJKMNP-TV-Z]{25}$",
            "examples": ["req_01KS2D7V80EMGAH46PXVB0K3MN"],
        },
    },
    "X-RateLimit-Limit": {
        "description": "The limit of the bucket this request was counted in.",
        "schema": {"type": "integer"},
    },
    "X-RateLimit-Remaining": {
        "description": "max(0, limit − requests counted in this window).",
        "schema": {"type": "integer"},
    },
    "X-RateLimit-Reset": {
        "description": "End of the current 60-second window, Unix epoch seconds.",
        "schema": {"type": "integer"},
    },
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer", "minimum": 1},
    },
    "ETag": {
        "description": "The booking's (or series') version, quoted (`\"3\"`). Send it back as `If-Match` on "
        "PATCH.",
        "schema": {"type": "string", "examples": ['"1"']},
    },
    "Idempotent-Replayed": {
        "description": "(extension) `true` when this is the stored response of an earlier request with the "
        "same Idempotency-Key.",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "WWW-Authenticate": {
        "description": 'Bearer challenge, e.g. `Bearer realm="42min", error="invalid_token", '
        'error_description="token_expired"`; `Basic realm="42min"` on OAuth `invalid_client`.',
        "schema": {"type": "string"},
    },
    "Allow": {"description": "The route's methods, e.g. `GET, PATCH`.", "schema": {"type": "string"}},
    "Location": {
        "description": "Where the browser goes next.",
        "schema": {"type": "string", "format": "uri"},
    },
}
STANDARD_HEADERS = ("X-Request-Id", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")

# Error response components: name → (status, codes). An operation's errors of one status point at
# the smallest component that holds them all.
ERROR_RESPONSES: dict[str, tuple[int, tuple[str, ...]]] = {
    "BadRequest": (
        400,
        (
            "invalid_request",
            "validation_error",
            "invalid_query_param",
            "missing_idempotency_key",
            "invalid_idempotency_key",
            "invalid_if_match",
        ),
    ),
    "Unauthorized": (401, ("invalid_token", "token_expired", "token_revoked")),
    "Forbidden": (403, ("insufficient_scope", "forbidden")),
    "NotFound": (404, ("not_found", "event_type_not_found", "booking_not_found", "series_not_found")),
    "MethodNotAllowed": (405, ("method_not_allowed",)),
    "NotAcceptable": (406, ("not_acceptable",)),
    "Conflict": (
        409,
        (
            "slot_unavailable",
            "slot_in_past",
            "event_type_inactive",
            "booking_in_past",
            "booking_already_cancelled",
            "booking_already_rescheduled",
            "version_conflict",
            "idempotency_key_conflict",
            "idempotency_in_progress",
            "duplicate_url",
            "webhook_paused",
            "delivery_pending",
            "series_ended",
            "series_operation_in_progress",
            "conflict",
        ),
    ),
    "PayloadTooLarge": (413, ("payload_too_large",)),
    "UnsupportedMediaType": (415, ("unsupported_media_type",)),
    "UnprocessableEntity": (
        422,
        (
            "field_immutable",
            "attendee_email_invalid",
            "attendee_phone_required",
            "attendee_phone_invalid",
            "event_type_disallows_reschedule",
            "event_type_disallows_cancel",
            "missing_required_responses",
            "webhook_url_forbidden",
            "webhook_limit_reached",
            "event_type_disallows_series",
            "host_not_eligible",
            "starts_on_out_of_range",
            "location_url_not_set",
        ),
    ),
    "PreconditionRequired": (428, ("missing_if_match",)),
    "RateLimited": (429, ("rate_limited",)),
    "InternalError": (500, ("internal_error",)),
    "ServiceUnavailable": (503, ("service_unavailable",)),
    "SlotLockTimeout": (503, ("slot_lock_timeout", "service_unavailable")),
}

# --- error code groups ------------------------------------------------------------------------------

UNAUTHORIZED = ("invalid_token", "token_expired", "token_revoked")
BEARER = (*UNAUTHORIZED, "rate_limited", "internal_error", "service_unavailable")
SCOPED = (*BEARER, "insufficient_scope")
JSON_BODY = ("payload_too_large", "unsupported_media_type", "invalid_request", "validation_error")
IDEMPOTENT = (
    "missing_idempotency_key",
    "invalid_idempotency_key",
    "idempotency_key_conflict",
    "idempotency_in_progress",
)
BOOKING_WRITE = (*SCOPED, *JSON_BODY, *IDEMPOTENT)
ON_BOOKING = (*BOOKING_WRITE, "booking_not_found")
ON_SERIES = (*SCOPED, "series_not_found", "series_operation_in_progress")
PUBLIC = ("rate_limited", "internal_error")
OAUTH_STATUSES = (400, 401, 413, 429, 500, 503)

SLOT_IDENTIFICATION = (
    query("event_type_id", UUID, "The event type; when present, `username` and `event_slug` are ignored."),
    query("username", {"type": "string"}, "With `event_slug`: the owner of a user-owned event type."),
    query("event_slug", {"type": "string"}, "With `username`: the event type's slug."),
)


# The item parameter of each resource's `/{id}` paths.
BY_EVENT_TYPE = (ref("IdOrSlug"),)
BY_BOOKING = (ref("BookingUid"),)
BY_SERIES = (ref("SeriesUid"),)
BY_WEBHOOK = (ref("WebhookId"),)
# An idempotent write: its Idempotency-Key, and the headers of its answer (ETag, replayed or not).
KEYED = (ref("IdempotencyKey"),)
KEYED_ON_BOOKING = (*BY_BOOKING, *KEYED)
REPLAYABLE = ("ETag", "Idempotent-Replayed")
# A body-less write on one subscription (delete, rotate-secret, test).
ON_WEBHOOK_NO_BODY = (*SCOPED, "not_found", "payload_too_large")

# A list's paging parameters (00-conventions §4).
PAGING = (ref("Limit"), ref("Cursor"))


def sort_param(orders: tuple[str, ...], tie: str) -> Param:
    """A list's `sort`: its orders, the first the default; ties break on the item's id."""
    return query(
        "sort",
        {"type": "string", "enum": list(orders), "default": orders[0]},
        f"Order; ties break on `{tie}`.",
    )


def status_param(statuses: tuple[str, ...]) -> Param:
    """A comma-separated status filter; the example picks the first two."""
    listed = ", ".join(f"`{status}`" for status in statuses)
    return query("status", {"type": "string"}, f"Comma-separated {listed}.", example=",".join(statuses[:2]))


def _ok(description: str, model: type[BaseModel] | None, **kw: Any) -> tuple[Success, ...]:
    return (Success(200, description, model, **kw),)


def booking_action(
    action: str,
    operation_id: str,
    summary: str,
    answer: str,
    description: str,
    body: type[BaseModel],
    errors: tuple[str, ...],
    *,
    body_required: bool = True,
) -> Operation:
    """`POST /v1/bookings/{uid}/<action>` under the scope `bookings:<action>`: idempotent, answers a
    booking with its ETag (30-bookings §6, §7)."""
    return Operation(
        "POST",
        f"/v1/bookings/{{uid}}/{action}",
        operation_id,
        "Bookings",
        f"bookings:{action}",
        summary,
        _ok(answer, Booking, headers=REPLAYABLE),
        description=description,
        parameters=KEYED_ON_BOOKING,
        body=body,
        body_required=body_required,
        errors=(*ON_BOOKING, *errors),
    )


def series_action(
    action: str,
    operation_id: str,
    summary: str,
    description: str,
    *,
    idempotent: bool = False,
    body: type[BaseModel] | None = None,
    errors: tuple[str, ...] = (),
) -> Operation:
    """`POST /v1/series/{uid}/<action>`: answers the action result with the series' ETag; an
    idempotent action takes an Idempotency-Key (35-series §10)."""
    return Operation(
        "POST",
        f"/v1/series/{{uid}}/{action}",
        operation_id,
        "Series",
        "series:write",
        summary,
        _ok(
            "The action result.",
            SeriesActionResult,
            headers=REPLAYABLE if idempotent else ("ETag",),
        ),
        description=description,
        parameters=(*BY_SERIES, ref("IdempotencyKey")) if idempotent else BY_SERIES,
        body=body,
        errors=(*ON_SERIES, *(IDEMPOTENT if idempotent else ()), *errors),
    )


def oauth_form(
    path: str,
    operation_id: str,
    summary: str,
    success: tuple[Success, ...],
    body: type[BaseModel],
    description: str = "",
) -> Operation:
    """A token endpoint: client-authenticated, a form body, errors in the raw OAuth shape (10-auth §6)."""
    return Operation(
        "POST",
        path,
        operation_id,
        "OAuth",
        "client",
        summary,
        success,
        description=description,
        body=body,
        body_media=FORM,
        oauth_errors=OAUTH_STATUSES,
    )


def metadata_document(path: str, operation_id: str, summary: str, model: type[BaseModel]) -> Operation:
    """A public discovery document, answered raw and cacheable for an hour."""
    return Operation(
        "GET",
        path,
        operation_id,
        "Discovery",
        "public",
        summary,
        _ok("Metadata (cacheable for an hour).", model, shape="raw"),
        errors=PUBLIC,
    )


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET",
        "/v1/_ping",
        "ping",
        "Meta",
        "",
        "Verify a credential and see what it is",
        _ok("The credential works.", Ping),
        description="The cheapest authenticated call. Requires no scope.",
        errors=BEARER,
    ),
    Operation(
        "GET",
        "/v1/me",
        "getMe",
        "Meta",
        "user:read",
        "The user behind the credential and their organization",
        _ok("The connected identity.", Me),
        errors=(*SCOPED, "not_found"),
    ),
    Operation(
        "GET",
        "/v1/event-types",
        "listEventTypes",
        "Event types",
        "event_types:read",
        "List event types",
        _ok("A page of event types.", EventType, shape="page", example=[EVENT_TYPE_EXAMPLE]),
        parameters=(
            *PAGING,
            sort_param(("created_at_desc", "created_at_asc", "title_asc"), tie="id"),
            query("user_id", UUID, "Only event types hosted by this user."),
            query(
                "slug",
                {"type": "string", "minLength": 1, "maxLength": 127},
                "Exact slug (lower-cased); several owners may match.",
            ),
            query("active", BOOLEAN_TEXT, "Bookable or not; omitted = both."),
        ),
        errors=(*SCOPED, "invalid_query_param"),
    ),
    Operation(
        "GET",
        "/v1/event-types/{idOrSlug}",
        "getEventType",
        "Event types",
        "event_types:read",
        "Get one event type by id or username/slug",
        _ok(
            "The event type with its locations, questions and limits.",
            EventTypeDetail,
            example=EVENT_TYPE_DETAIL_EXAMPLE,
        ),
        description="`/v1/event-types/ada%2Fintro-call` and `/v1/event-types/ada/intro-call` (extension) "
        "both name Ada's user-owned `intro-call`. A bare slug is 400 `invalid_request`.",
        parameters=BY_EVENT_TYPE,
        errors=(*SCOPED, "invalid_request", "event_type_not_found"),
    ),
    Operation(
        "GET",
        "/v1/event-types/{username}/{slug}",
        "getEventTypeByUsernameAndSlug",
        "Event types",
        "event_types:read",
        "Get one event type by username and slug (extension)",
        _ok("The event type.", EventTypeDetail),
        description="The two-segment form of `getEventType`; same handler, same answers.",
        parameters=(ref("Username"), ref("Slug")),
        errors=(*SCOPED, "invalid_request", "event_type_not_found"),
    ),
    Operation(
        "GET",
        "/v1/slots",
        "listSlots",
        "Slots",
        "slots:read",
        "Bookable starts of an event type in a window (≤ 31 days)",
        _ok("Computed availability.", SlotList),
        description="Not paginated: at most 2000 slots, then `truncated: true` (narrow the window).",
        parameters=(
            *SLOT_IDENTIFICATION,
            query(
                "start",
                DATE_TIME,
                "Window start, inclusive (RFC 3339; without an offset, read in `timezone`, else UTC).",
                required=True,
            ),
            query("end", DATE_TIME, "Window end, exclusive; at most 31 days after `start`.", required=True),
            query(
                "timezone",
                {"type": "string", "examples": ["Europe/Lisbon"]},
                "IANA zone echoed in `data.timezone`; does not change the result.",
            ),
        ),
        errors=(*SCOPED, "invalid_query_param", "event_type_not_found"),
    ),
    Operation(
        "GET",
        "/v1/slots/check",
        "checkSlot",
        "Slots",
        "slots:read",
        "Is this one start bookable now, and if not why",
        _ok("Whether the start can be booked.", SlotCheck),
        description="Unavailability is a 200 with a `reason`, in the order `event_type_inactive`, `in_past`, "
        "`outside_minimum_notice`, `outside_future_limit`, `slot_busy`.",
        parameters=(
            *SLOT_IDENTIFICATION,
            query("start", DATE_TIME, "The start to check.", required=True),
            query("end", DATE_TIME, "Defaults to start + duration; any other end is `slot_busy`."),
            query("timezone", {"type": "string"}, "Validated, then ignored."),
        ),
        errors=(*SCOPED, "invalid_query_param", "event_type_not_found"),
    ),
    Operation(
        "GET",
        "/v1/bookings",
        "listBookings",
        "Bookings",
        "bookings:read",
        "List the organization's bookings",
        _ok(
            "A page of bookings (`responses` is null in lists).",
            Booking,
            shape="page",
            example=[{**BOOKING_EXAMPLE, "responses": None}],
        ),
        description="Lists come from an index (eventually consistent, normally within a second). For "
        "reconciliation use `sort=updated_at_asc&updated_since=…`.",
        parameters=(
            *PAGING,
            sort_param(
                (
                    "start_at_desc",
                    "start_at_asc",
                    "created_at_desc",
                    "created_at_asc",
                    "updated_at_asc",
                    "updated_at_desc",
                ),
                tie="uid",
            ),
            status_param(("confirmed", "pending", "canceled", "rescheduled")),
            query("event_type_id", UUID, "Only this event type."),
            query("series_id", UUID, "Only the meetings of this recurring series (35-series §5.3)."),
            query(
                "host_user_id",
                UUID,
                "Only bookings hosted by this user (ignored when `host_user_ids` is given).",
            ),
            query(
                "host_user_ids",
                {"type": "array", "items": UUID, "minItems": 1, "maxItems": 50},
                "Repeated or comma-separated (extension) host ids.",
                style="form",
                explode=True,
            ),
            query(
                "attendee_email",
                {"type": "string", "format": "email", "maxLength": 254},
                "Exact, case-sensitive attendee email.",
            ),
            query("start_date", DATE_TIME, "`start_at ≥ start_date`."),
            query("end_date", DATE_TIME, "`start_at ≤ end_date`."),
            query("updated_since", DATE_TIME, "`updated_at ≥ updated_since`."),
            query(
                "include_cancelled",
                {**BOOLEAN_TEXT, "default": "true"},
                "`false` leaves out canceled bookings (when `status` is absent).",
            ),
        ),
        errors=(*SCOPED, "invalid_query_param"),
    ),
    Operation(
        "POST",
        "/v1/bookings",
        "createBooking",
        "Bookings",
        "bookings:create",
        "Book a start on an event type",
        (
            Success(
                201,
                "The booking (also on an idempotent replay).",
                Booking,
                headers=REPLAYABLE,
                example=BOOKING_EXAMPLE,
            ),
        ),
        description="Check the start with `/v1/slots/check` first. Retry network errors, 5xx and 409 "
        "`idempotency_in_progress` with the SAME Idempotency-Key: a new key is a new booking.",
        parameters=KEYED,
        body=CreateBookingRequest,
        errors=(
            *BOOKING_WRITE,
            "event_type_not_found",
            "event_type_inactive",
            "slot_in_past",
            "attendee_email_invalid",
            "attendee_phone_invalid",
            "attendee_phone_required",
            "missing_required_responses",
            "slot_unavailable",
            "slot_lock_timeout",
        ),
    ),
    Operation(
        "GET",
        "/v1/bookings/{uid}",
        "getBooking",
        "Bookings",
        "bookings:read",
        "Get one booking (strongly consistent) with its ETag",
        _ok("The booking, answers included.", Booking, headers=("ETag",), example=BOOKING_EXAMPLE),
        parameters=BY_BOOKING,
        errors=(*SCOPED, "booking_not_found"),
    ),
    Operation(
        "PATCH",
        "/v1/bookings/{uid}",
        "updateBooking",
        "Bookings",
        "bookings:update",
        "Change metadata, answers or the attendee name",
        _ok("The updated booking.", Booking, headers=REPLAYABLE),
        description="Optimistic locking: send the ETag you read as `If-Match`; a stale one is 409 "
        "`version_conflict` (re-read, re-apply, retry with a NEW Idempotency-Key).",
        parameters=(*KEYED_ON_BOOKING, ref("IfMatch")),
        body=UpdateBookingRequest,
        errors=(*ON_BOOKING, "missing_if_match", "invalid_if_match", "field_immutable", "version_conflict"),
    ),
    booking_action(
        "cancel",
        "cancelBooking",
        "Cancel a booking",
        "The canceled booking.",
        "Cancelling a canceled booking answers 200 with its current state and sends nothing.",
        CancelBookingRequest,
        ("booking_in_past", "booking_already_rescheduled", "event_type_disallows_cancel"),
        body_required=False,
    ),
    booking_action(
        "reschedule",
        "rescheduleBooking",
        "Move a booking (creates a new booking)",
        "The new booking.",
        "The old booking becomes `rescheduled`; the response and its ETag are the NEW booking's.",
        RescheduleBookingRequest,
        (
            "event_type_not_found",
            "event_type_inactive",
            "slot_in_past",
            "booking_already_cancelled",
            "booking_already_rescheduled",
            "event_type_disallows_reschedule",
            "slot_unavailable",
            "slot_lock_timeout",
        ),
    ),
    Operation(
        "GET",
        "/v1/series",
        "listSeries",
        "Series",
        "series:read",
        "List recurring series",
        _ok("A page of series (`occurrences` and `responses` are null in lists).", Series, shape="page"),
        parameters=(
            *PAGING,
            sort_param(("created_at_desc", "created_at_asc", "updated_at_desc", "updated_at_asc"), tie="uid"),
            status_param(("active", "paused", "ended")),
            query("host_user_id", UUID, "Only series hosted by this user."),
            query("event_type_id", UUID, "Only series of this event type."),
            query(
                "attendee_email",
                {"type": "string", "minLength": 1, "maxLength": 254},
                "Exact, case-sensitive attendee email.",
            ),
        ),
        errors=(*SCOPED, "invalid_query_param"),
    ),
    Operation(
        "POST",
        "/v1/series",
        "createSeries",
        "Series",
        "series:write",
        "Create a series and book its occurrences",
        (
            Success(
                201,
                "The series with its occurrences (also on an idempotent replay).",
                Series,
                headers=REPLAYABLE,
            ),
        ),
        description="Every occurrence is booked at once; dates that are not free are skipped (reported in "
        "`occurrences`), never moved. Retry with the SAME Idempotency-Key: it continues the same series.",
        parameters=KEYED,
        body=CreateSeriesBody,
        errors=(
            *SCOPED,
            *JSON_BODY,
            *IDEMPOTENT,
            "event_type_not_found",
            "event_type_inactive",
            "event_type_disallows_series",
            "host_not_eligible",
            "starts_on_out_of_range",
            "attendee_email_invalid",
            "attendee_phone_invalid",
            "series_operation_in_progress",
        ),
    ),
    Operation(
        "GET",
        "/v1/series/{uid}",
        "getSeries",
        "Series",
        "series:read",
        "Get one series with its occurrences and ETag",
        _ok("The series.", Series, headers=("ETag",)),
        parameters=BY_SERIES,
        errors=(*SCOPED, "series_not_found"),
    ),
    Operation(
        "PATCH",
        "/v1/series/{uid}",
        "updateSeries",
        "Series",
        "series:write",
        "Change the pattern, the meeting link or notify_invitee",
        _ok("The series.", Series, headers=("ETag",)),
        description="Send the ETag you read as `If-Match`. A pattern change rebooks the meetings still to "
        "come; a `location_url` change updates them in place.",
        parameters=(*BY_SERIES, ref("IfMatch")),
        body=PatchSeriesBody,
        errors=(
            *ON_SERIES,
            *JSON_BODY,
            "missing_if_match",
            "invalid_if_match",
            "version_conflict",
            "field_immutable",
            "location_url_not_set",
            "series_ended",
            "event_type_not_found",
            "event_type_inactive",
        ),
    ),
    series_action(
        "pause",
        "pauseSeries",
        "Pause: cancel the meetings to come and record them as owed",
        "Pausing a paused series answers 200 with `held: 0`. No body.",
        errors=("payload_too_large", "series_ended"),
    ),
    series_action(
        "resume",
        "resumeSeries",
        "Resume: book replacements for the owed meetings",
        "The series stays paused while any meeting remains owed. No body.",
        idempotent=True,
        errors=("payload_too_large", "series_ended", "event_type_not_found", "event_type_inactive"),
    ),
    series_action(
        "end",
        "endSeries",
        "End: cancel the meetings to come and close the series for good",
        "Ending an ended series answers 200 with `canceled: 0`. No body.",
        idempotent=True,
        errors=("payload_too_large",),
    ),
    series_action(
        "host",
        "changeSeriesHost",
        "Move the series and its meetings to come to another host",
        "Stops at the first meeting the new host cannot take (`stopped_by`); the call can be repeated "
        "later to move the rest.",
        body=ChangeHostBody,
        errors=(*JSON_BODY, "series_ended", "host_not_eligible"),
    ),
    Operation(
        "GET",
        "/v1/webhooks",
        "listWebhooks",
        "Webhooks",
        "webhooks:read",
        "List this credential's subscriptions (≤ 25, not paginated)",
        _ok("The subscriptions, newest first.", Webhook, shape="list", example=[WEBHOOK_EXAMPLE]),
        description="Each credential sees only the subscriptions it created (its sandbox).",
        errors=SCOPED,
    ),
    Operation(
        "POST",
        "/v1/webhooks",
        "createWebhook",
        "Webhooks",
        "webhooks:write",
        "Subscribe a URL to events",
        (
            Success(
                201,
                "Created; store the signing secret now.",
                WebhookWithSecret,
                example=WEBHOOK_WITH_SECRET_EXAMPLE,
            ),
        ),
        description="The `signing_secret` is in this response only. No Idempotency-Key: a retried create "
        "may answer 409 `duplicate_url` naming the first subscription.",
        body=CreateWebhookRequest,
        errors=(*SCOPED, *JSON_BODY, "duplicate_url", "webhook_url_forbidden", "webhook_limit_reached"),
    ),
    Operation(
        "GET",
        "/v1/webhooks/{id}",
        "getWebhook",
        "Webhooks",
        "webhooks:read",
        "Get one subscription",
        _ok("The subscription.", Webhook),
        parameters=BY_WEBHOOK,
        errors=(*SCOPED, "not_found"),
    ),
    Operation(
        "PATCH",
        "/v1/webhooks/{id}",
        "updateWebhook",
        "Webhooks",
        "webhooks:write",
        "Update, pause or resume a subscription",
        _ok("The subscription.", Webhook),
        parameters=BY_WEBHOOK,
        body=UpdateWebhookRequest,
        errors=(*SCOPED, *JSON_BODY, "not_found", "duplicate_url", "webhook_url_forbidden"),
    ),
    Operation(
        "DELETE",
        "/v1/webhooks/{id}",
        "deleteWebhook",
        "Webhooks",
        "webhooks:write",
        "Delete a subscription",
        (Success(204, "Deleted; no body.", shape="none"),),
        description="Concurrent deletes both succeed; a later repeat is 404 (treat it as done).",
        parameters=BY_WEBHOOK,
        errors=ON_WEBHOOK_NO_BODY,
    ),
    Operation(
        "POST",
        "/v1/webhooks/{id}/rotate-secret",
        "rotateWebhookSecret",
        "Webhooks",
        "webhooks:write",
        "Replace the signing secret",
        _ok("The subscription with its new secret.", WebhookWithSecret),
        description="Later attempts are signed with the new secret only; verify against [new, old] while "
        "you switch.",
        parameters=BY_WEBHOOK,
        errors=ON_WEBHOOK_NO_BODY,
    ),
    Operation(
        "POST",
        "/v1/webhooks/{id}/test",
        "testWebhook",
        "Webhooks",
        "webhooks:write",
        "Send one signed test delivery now (≤ 10 s)",
        _ok(
            "The attempt record.",
            WebhookDelivery,
            example={
                **DELIVERY_EXAMPLE,
                "attempt": 1,
                "status_code": 204,
                "error": None,
                "delivered_at": "2026-05-20T09:05:00.164Z",
                "duration_ms": 143,
                "next_retry_at": None,
            },
        ),
        description="A failed test is still 200: the outcome is in the attempt record. Never retried, never "
        "counted.",
        parameters=BY_WEBHOOK,
        errors=ON_WEBHOOK_NO_BODY,
    ),
    Operation(
        "GET",
        "/v1/webhooks/{id}/deliveries",
        "listWebhookDeliveries",
        "Webhooks",
        "webhooks:read",
        "Delivery attempts of a subscription, newest first (30 days)",
        _ok("A page of attempts.", WebhookDelivery, shape="page", example=[DELIVERY_EXAMPLE]),
        parameters=(*BY_WEBHOOK, *PAGING),
        errors=(*SCOPED, "invalid_query_param", "not_found"),
    ),
    Operation(
        "POST",
        "/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver",
        "redeliverWebhookDelivery",
        "Webhooks",
        "webhooks:write",
        "Deliver an event again as a new delivery (extension)",
        (
            Success(
                202,
                "The new delivery, scheduled (also on an idempotent replay).",
                WebhookRedelivery,
                headers=("Idempotent-Replayed",),
                example=REDELIVERY_EXAMPLE,
            ),
        ),
        description="A new delivery (new `whd_` id, attempt 1, the full retry schedule) of the same event "
        "envelope (same `evt_` id and body). Checks in order: the subscription (404), the delivery in its "
        "30-day log (404), the subscription active (409 `webhook_paused`), nothing of the same event pending "
        "for it (409 `delivery_pending`). The body is ignored; idempotent like the booking writes.",
        parameters=(*BY_WEBHOOK, ref("DeliveryId"), ref("IdempotencyKey")),
        errors=(
            *SCOPED,
            "payload_too_large",
            *IDEMPOTENT,
            "not_found",
            "webhook_paused",
            "delivery_pending",
        ),
    ),
    Operation(
        "GET",
        "/v1/oauth/authorize",
        "authorize",
        "OAuth",
        "public",
        "Start an authorization (sign-in or consent page)",
        (Success(200, "", shape="html"),),
        description="Browser endpoint. Client and redirect URI problems show an error page and never "
        "redirect; later problems redirect with `error`, `state` and `iss`.",
        parameters=(
            query("response_type", {"type": "string", "enum": ["code"]}, "Must be `code`.", required=True),
            query("client_id", {"type": "string"}, "A registered client.", required=True),
            query(
                "redirect_uri",
                {"type": "string", "format": "uri"},
                "One of the client's registered redirect URIs.",
                required=True,
            ),
            query(
                "scope",
                {"type": "string"},
                "Space-separated scopes (aliases are expanded).",
                required=True,
                example="bookings:read slots:read offline_access",
            ),
            query("state", {"type": "string"}, "Echoed on the redirect."),
            query(
                "code_challenge",
                {"type": "string", "pattern": "^[A-Za-z0-9_-]{43}$"},
                "BASE64URL(SHA-256(code_verifier)).",
                required=True,
            ),
            query(
                "code_challenge_method", {"type": "string", "enum": ["S256"]}, "Only `S256`.", required=True
            ),
            query(
                "resource",
                {"type": "string", "format": "uri"},
                "(50-mcp §4.5) RFC 8707: `{issuer}` or `{issuer}/mcp`, the audience of the tokens; "
                "another value redirects with `invalid_target`.",
            ),
        ),
        pages=(400, 429, 500, 503),
        redirect=302,
    ),
    Operation(
        "POST",
        "/v1/oauth/authorize",
        "authorizeSubmit",
        "OAuth",
        "public",
        "Sign in, approve, deny or switch account (form posts of the pages)",
        (Success(200, "", shape="html"),),
        body=AuthorizeForm,
        body_media=FORM,
        pages=(400, 413, 429, 500, 503),
        redirect=303,
    ),
    oauth_form(
        "/v1/oauth/token",
        "token",
        "Exchange a code or a refresh token",
        _ok("Tokens.", TokenResponse, shape="raw"),
        TokenRequest,
        description="Refresh tokens rotate on every use; presenting a spent one revokes the whole grant.",
    ),
    oauth_form(
        "/v1/oauth/revoke",
        "revokeToken",
        "Revoke an access or refresh token (RFC 7009)",
        _ok("Revoked (or nothing to revoke); empty body.", None, shape="none"),
        TokenTypeHintRequest,
        description="Always 200 with an empty body for anything that is not the caller's token.",
    ),
    oauth_form(
        "/v1/oauth/introspect",
        "introspectToken",
        "Introspect a token (RFC 7662, confidential clients)",
        _ok("Token state.", IntrospectionResponse, shape="raw"),
        TokenTypeHintRequest,
    ),
    Operation(
        "POST",
        "/v1/oauth/register",
        "registerClient",
        "OAuth",
        "public",
        "Dynamic client registration (RFC 7591), when enabled",
        (Success(201, "The registered client.", ClientRegistrationResponse, shape="raw"),),
        description="404 `not_found` while registration is disabled (the template's default). 5 per minute "
        "per IP.",
        body=ClientRegistrationRequest,
        errors=("not_found",),
        # Registration authenticates no client, so it has no 401.
        oauth_errors=tuple(s for s in OAUTH_STATUSES if s != 401),
    ),
    metadata_document(
        "/.well-known/oauth-authorization-server",
        "getAuthorizationServerMetadata",
        "OAuth authorization server metadata (RFC 8414)",
        AuthorizationServerMetadata,
    ),
    metadata_document(
        "/.well-known/oauth-protected-resource",
        "getProtectedResourceMetadata",
        "Protected resource metadata (RFC 9728)",
        ProtectedResourceMetadata,
    ),
    metadata_document(
        "/.well-known/oauth-protected-resource/mcp",
        "getMcpProtectedResourceMetadata",
        "Protected resource metadata of the MCP server (RFC 9728)",
        McpProtectedResourceMetadata,
    ),
    Operation(
        "POST",
        "/mcp",
        "mcp",
        "MCP",
        "",
        "The MCP server: one JSON-RPC message per request (stateless Streamable HTTP)",
        (
            Success(200, "The JSON-RPC response.", shape="open"),
            Success(202, "A notification, accepted.", shape="none"),
        ),
        description="Tools for AI assistants over the same operations as REST (spec 50). Answers are JSON, "
        "never SSE. Tools are listed and callable by the credential's scopes; OAuth tokens must have the "
        "audience `{issuer}/mcp` or none. A malformed JSON-RPC message is a JSON-RPC error (400), not an "
        "error envelope.",
        body=JsonRpcMessage,
        errors=(*BEARER, "forbidden", "payload_too_large", "unsupported_media_type", "not_acceptable"),
    ),
    Operation(
        "GET",
        "/openapi.json",
        "getOpenApiDocument",
        "Discovery",
        "public",
        "This document (extension)",
        _ok("The OpenAPI document (cacheable for five minutes).", None, shape="open"),
        description="The merged OpenAPI 3.1 document of the whole API, as committed in docs/openapi.json. "
        "Unauthenticated; counted in the `anonymous` bucket.",
        errors=PUBLIC,
    ),
)

# The template routes `/v1/event-types/{idOrSlug+}` (greedy) to one handler; the contract documents
# it as these two paths.
GREEDY_ALIASES: dict[tuple[str, str], tuple[str, ...]] = {
    ("GET", "/v1/event-types/{idOrSlug}"): (
        "/v1/event-types/{idOrSlug}",
        "/v1/event-types/{username}/{slug}",
    ),
}

TAGS: tuple[Schema, ...] = (
    {"name": "Meta", "description": "Connectivity and identity."},
    {"name": "Event types", "description": "Bookable meeting templates (read-only over the API)."},
    {"name": "Slots", "description": "Availability."},
    {"name": "Bookings", "description": "Create, read, move, cancel and annotate bookings."},
    {"name": "Series", "description": "Recurring series: one pattern, ordinary meetings (35-series)."},
    {"name": "Webhooks", "description": "Subscriptions (per credential) and their delivery history."},
    {"name": "OAuth", "description": "OAuth 2.1 authorization server with PKCE."},
    {"name": "Discovery", "description": "Metadata documents for OAuth clients."},
    {"name": "MCP", "description": "The Model Context Protocol server for AI assistants."},
)
