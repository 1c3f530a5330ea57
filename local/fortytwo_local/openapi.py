"""The merged OpenAPI 3.1 document of the whole API (`42min openapi`, committed as docs/openapi.json).

From the code: the operations. Every route of every API function's FastAPI app (`app.openapi()`;
`create_app` only hides the document from HTTP) is mapped to the template.yaml route that serves
it, under the contract's path and parameter names, keeping what FastAPI declares for it.

Added here, per operationId, from `OPERATIONS`: what the handlers cannot declare because they parse
queries and bodies by hand (docs/decisions.md #3) — parameters, request bodies, responses with their
headers and error codes, the scope of each operation (10-auth §5.5) and examples. Adding a
documented parameter means adding it to the operation's entry, never editing a handler.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from copy import deepcopy
from pathlib import Path
from typing import Any

from fortytwo.domain.scopes import ALIASES, KNOWN_SCOPES

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
DEFAULT_SERVER = "https://api.42min.us"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
HTML = "text/html"

Schema = dict[str, Any]


class OpenApiError(RuntimeError):
    """The code and the documentation table disagree (an undocumented route, a missing function…)."""


# --- schema helpers ------------------------------------------------------------------------------


def ref(kind: str, name: str) -> Schema:
    return {"$ref": f"#/components/{kind}/{name}"}


def sref(name: str) -> Schema:
    return ref("schemas", name)


def string(**kw: Any) -> Schema:
    return {"type": "string", **kw}


def integer(**kw: Any) -> Schema:
    return {"type": "integer", **kw}


def boolean(**kw: Any) -> Schema:
    return {"type": "boolean", **kw}


def nullable(schema: Schema) -> Schema:
    return {**schema, "type": [schema["type"], "null"]}


def obj(properties: dict[str, Schema], required: list[str] | None = None, **kw: Any) -> Schema:
    schema: Schema = {"type": "object", **kw, "properties": properties}
    if required:
        schema["required"] = required
    return schema


def array(items: Schema, **kw: Any) -> Schema:
    return {"type": "array", "items": items, **kw}


UUID = string(format="uuid")
INSTANT = string(format="date-time", examples=["2026-05-20T10:00:00.000Z"])
OPEN_OBJECT = {"type": "object", "additionalProperties": True}


def _scope_wording() -> dict[str, str]:
    """Every known scope in 10-auth §5.1 order with its consent wording (aliases say what they grant)."""
    return {
        name: info.wording or f"Alias, expanded when granted to: {', '.join(ALIASES[name])}"
        for name, info in KNOWN_SCOPES.items()
    }


# --- components ----------------------------------------------------------------------------------

HEADERS: dict[str, Schema] = {
    "X-Request-Id": {
        "description": "On every response; equals `meta.request_id` / `error.request_id`. Quote it when "
        "reporting a problem.",
        "schema": string(
            pattern="^req_[0-7][0-9A-HJKMNP-TV-Z]{25}$", examples=["req_01KS2D7V80EMGAH46PXVB0K3MN"]
        ),
    },
    "X-RateLimit-Limit": {
        "description": "The limit of the bucket this request was counted in.",
        "schema": integer(),
    },
    "X-RateLimit-Remaining": {
        "description": "max(0, limit − requests counted in this window).",
        "schema": integer(),
    },
    "X-RateLimit-Reset": {
        "description": "End of the current 60-second window, Unix epoch seconds.",
        "schema": integer(),
    },
    "Retry-After": {"description": "Seconds to wait before retrying.", "schema": integer(minimum=1)},
    "ETag": {
        "description": 'The booking\'s version, quoted (`"3"`). Send it back as `If-Match` on PATCH.',
        "schema": string(examples=['"1"']),
    },
    "Idempotent-Replayed": {
        "description": "(extension) `true` when this is the stored response of an earlier request with the "
        "same Idempotency-Key.",
        "schema": string(enum=["true"]),
    },
    "WWW-Authenticate": {
        "description": 'Bearer challenge, e.g. `Bearer realm="42min", error="invalid_token", '
        'error_description="token_expired"`.',
        "schema": string(),
    },
    "Location": {"description": "Where the browser goes next.", "schema": string(format="uri")},
}
STD_HEADERS = {
    name: ref("headers", name)
    for name in ("X-Request-Id", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
}


def error_example(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "details": details or {},
            "request_id": "req_01KS2D7YVP548EBYR087GSHM8K",
        }
    }


def error_response(description: str, examples: dict[str, dict[str, Any]], *extra_headers: str) -> Schema:
    headers = dict(STD_HEADERS) | {h: ref("headers", h) for h in extra_headers}
    return {
        "description": description,
        "headers": headers,
        "content": {
            JSON: {"schema": sref("Error"), "examples": {k: {"value": v} for k, v in examples.items()}}
        },
    }


def oauth_error_response(description: str, example: dict[str, str], *extra_headers: str) -> Schema:
    headers = dict(STD_HEADERS) | {h: ref("headers", h) for h in extra_headers}
    return {
        "description": description,
        "headers": headers,
        "content": {JSON: {"schema": sref("OAuthError"), "example": example}},
    }


RESPONSES: dict[str, Schema] = {
    "BadRequest": error_response(
        "The request must change. Codes: `invalid_request` (unparseable or non-object JSON, empty body where "
        "one is required, malformed identifier), `validation_error` (`details.fields`), "
        "`invalid_query_param` "
        "(`details.param`), `missing_idempotency_key`, `invalid_idempotency_key`, `invalid_if_match`.",
        {
            "invalid_query_param": error_example(
                "invalid_query_param",
                "sort must be one of created_at_desc, created_at_asc, title_asc",
                {"param": "sort"},
            ),
            "validation_error": error_example(
                "validation_error",
                "The request body is invalid",
                {"fields": [{"field": "attendee.email", "message": "is required"}]},
            ),
            "missing_idempotency_key": error_example(
                "missing_idempotency_key", "This endpoint requires an Idempotency-Key header"
            ),
        },
    ),
    "Unauthorized": error_response(
        "Missing, malformed, unknown, expired or revoked credential: `invalid_token`, `token_expired`, "
        "`token_revoked`.",
        {"token_expired": error_example("token_expired", "The access token has expired.")},
        "WWW-Authenticate",
    ),
    "Forbidden": error_response(
        "The credential lacks the operation's scope: `insufficient_scope` with `details.required_scope`.",
        {
            "insufficient_scope": error_example(
                "insufficient_scope",
                "This action requires the 'bookings:create' scope",
                {"required_scope": "bookings:create"},
            )
        },
        "WWW-Authenticate",
    ),
    "NotFound": error_response(
        "No such resource visible to this credential (another organization's or sandbox's looks the same): "
        "`not_found`, `event_type_not_found`, `booking_not_found`.",
        {"booking_not_found": error_example("booking_not_found", "No such booking")},
    ),
    "Conflict": error_response(
        "The request conflicts with the current state; branch on `error.code`: `slot_unavailable` "
        "(`details.reason`), `slot_in_past`, `event_type_inactive`, `booking_in_past`, "
        "`booking_already_cancelled`, `booking_already_rescheduled` (`details.replaced_by`), "
        "`version_conflict` "
        "(`details.current_version`), `idempotency_key_conflict`, `idempotency_in_progress` (with "
        "`Retry-After: 1`), "
        "`duplicate_url` (`details.webhook_id`).",
        {
            "slot_unavailable": error_example(
                "slot_unavailable", "That time is no longer available", {"reason": "slot_busy"}
            ),
            "version_conflict": error_example(
                "version_conflict", "The booking changed since this ETag", {"current_version": 4}
            ),
        },
        "Retry-After",
    ),
    "PayloadTooLarge": error_response(
        "The body is larger than 65,536 bytes: `payload_too_large` with `details.max_bytes`.",
        {
            "payload_too_large": error_example(
                "payload_too_large", "The request body exceeds 65536 bytes", {"max_bytes": 65536}
            )
        },
    ),
    "UnsupportedMediaType": error_response(
        "A non-empty body without `Content-Type: application/json` (charset, if given, utf-8): "
        "`unsupported_media_type`.",
        {
            "unsupported_media_type": error_example(
                "unsupported_media_type", "Content-Type must be application/json"
            )
        },
    ),
    "UnprocessableEntity": error_response(
        "Well-formed but refused: `field_immutable` (`details.fields`), `attendee_email_invalid`, "
        "`attendee_phone_invalid`, `attendee_phone_required`, `missing_required_responses` "
        "(`details.fields`), "
        "`event_type_disallows_reschedule`, `event_type_disallows_cancel`, `webhook_url_forbidden`, "
        "`webhook_limit_reached` (`details.limit`).",
        {
            "field_immutable": error_example(
                "field_immutable", "These fields cannot be changed: start", {"fields": ["start"]}
            )
        },
    ),
    "PreconditionRequired": error_response(
        "`If-Match` is required on `PATCH /v1/bookings/{uid}`: `missing_if_match`.",
        {"missing_if_match": error_example("missing_if_match", "This endpoint requires an If-Match header")},
    ),
    "RateLimited": error_response(
        "The bucket of this request is exhausted: `rate_limited`, `details` = `{bucket, limit, "
        "window_seconds}`. "
        "Wait `Retry-After` seconds.",
        {
            "rate_limited": error_example(
                "rate_limited",
                "Rate limit exceeded; retry in 27s.",
                {"bucket": "pat", "limit": 120, "window_seconds": 60},
            )
        },
        "Retry-After",
    ),
    "InternalError": error_response(
        "Unexpected failure: `internal_error`. Retry with backoff (writes with the same Idempotency-Key).",
        {"internal_error": error_example("internal_error", "Something went wrong on our side")},
    ),
    "ServiceUnavailable": error_response(
        "A dependency is unavailable: `service_unavailable`, `Retry-After: 1`.",
        {"service_unavailable": error_example("service_unavailable", "Try again shortly")},
        "Retry-After",
    ),
    "SlotLockTimeout": error_response(
        "Contention on the same host and time (`slot_lock_timeout`) or a dependency failure "
        "(`service_unavailable`); `Retry-After: 1`. Retry with the SAME Idempotency-Key.",
        {
            "slot_lock_timeout": error_example(
                "slot_lock_timeout", "Could not reserve the slot in time; retry"
            )
        },
        "Retry-After",
    ),
    "OAuthError": oauth_error_response(
        "RFC 6749 error body (no envelope, no `request_id` member): `invalid_request`, `invalid_client` "
        '(401, `WWW-Authenticate: Basic realm="42min"` when Basic was used), `invalid_grant`, '
        "`unauthorized_client`, `unsupported_grant_type`, `invalid_scope`, `invalid_redirect_uri`, "
        "`invalid_client_metadata`, `rate_limited` (429), `server_error` (500), `temporarily_unavailable` "
        "(503).",
        {
            "error": "invalid_grant",
            "error_description": "The authorization code is invalid, expired or already used.",
        },
        "WWW-Authenticate",
    ),
    "AuthorizePage": {
        "description": "An HTML page (`text/html; charset=utf-8`): sign-in, consent, or the error page "
        '`<main id="oauth-error" data-error="…">` (400 `invalid_request`/`invalid_csrf`/`invalid_client`/'
        "`invalid_redirect_uri`, 413, 429 `rate_limited`, 500, 503). Never framed, never cached.",
        "headers": dict(STD_HEADERS),
        "content": {HTML: {"schema": string()}},
    },
    "AuthorizeRedirect": {
        "description": "Back to the client's `redirect_uri` with `code` (or `error`, `error_description`), "
        "`state` and `iss`; or, after sign-in and switch-account, to the GET authorize URL.",
        "headers": dict(STD_HEADERS) | {"Location": ref("headers", "Location")},
    },
}

PARAMETERS: dict[str, Schema] = {
    "Limit": {
        "name": "limit",
        "in": "query",
        "description": "Items per page, 1–100 (default 20). Larger values are clamped to 100; 0, negatives "
        "and non-digits are 400.",
        "schema": integer(minimum=1, maximum=100, default=20),
    },
    "Cursor": {
        "name": "cursor",
        "in": "query",
        "description": "Opaque `meta.next_cursor` of the previous page; valid only with the same sort and "
        "filters.",
        "schema": string(),
    },
    "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": True,
        "description": "**Required.** 1–255 printable ASCII characters, one per logical operation (a UUID "
        "is fine). "
        "A retry with the same key and body replays the stored result (`Idempotent-Replayed: true`) for 24 "
        "hours.",
        "schema": string(minLength=1, maxLength=255),
        "example": "0b6cf1a2-6a57-4d0c-9d6c-2c3f1f1a7e10",
    },
    "IfMatch": {
        "name": "If-Match",
        "in": "header",
        "required": True,
        "description": '**Required.** The ETag of the version you read (`"3"`, `W/"3"`, `3`) or `*`. '
        "Missing → 428, stale → 409 `version_conflict`.",
        "schema": string(),
        "example": '"1"',
    },
    "BookingUid": {
        "name": "uid",
        "in": "path",
        "required": True,
        "description": "Booking uid (UUID). Anything else is 404 `booking_not_found`.",
        "schema": string(),
        "example": "019e3a19-5800-726b-b2a7-4de452e6b438",
    },
    "SeriesUid": {
        "name": "uid",
        "in": "path",
        "required": True,
        "description": "Series uid (UUID). Anything else is 404 `series_not_found`.",
        "schema": string(),
        "example": "019e3a19-5800-7c41-8a55-3f1d2b9e6a10",
    },
    "WebhookId": {
        "name": "id",
        "in": "path",
        "required": True,
        "description": "Subscription id (UUID). Malformed, unknown, or another sandbox's: 404 `not_found`.",
        "schema": string(format="uuid"),
    },
    "IdOrSlug": {
        "name": "idOrSlug",
        "in": "path",
        "required": True,
        "description": "An event type UUID, or `username%2Fslug` (one encoded segment). A bare slug is "
        "400: slugs are unique per owner.",
        "schema": string(),
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
        "schema": string(),
    },
    "Slug": {
        "name": "slug",
        "in": "path",
        "required": True,
        "description": "The event type slug.",
        "schema": string(),
    },
}


def query(name: str, schema: Schema, description: str, *, required: bool = False, **kw: Any) -> Schema:
    param: Schema = {"name": name, "in": "query", "description": description, "schema": schema, **kw}
    if required:
        param["required"] = True
    return param


def p(name: str) -> Schema:
    return ref("parameters", name)


EVENT_NAMES = [
    "booking_created",
    "booking_updated",
    "booking_canceled",
    "booking_rescheduled",
    "booking_no_show",
    "event_type_updated",
    "event_type_deleted",
    "routing_form_submitted",
]
DOT_NAMES = [
    "booking.created",
    "booking.updated",
    "booking.canceled",
    "booking.rescheduled",
    "booking.no_show",
    "event_type.updated",
    "event_type.deleted",
    "routing.form_submitted",
]

USER_REF = obj({"user_id": UUID, "username": nullable(string()), "name": nullable(string())})
LOCATION_TYPES = ["google_meet", "microsoft_teams", "video", "phone", "in_person", "link", "ask_invitee"]
QUESTION_TYPES = [
    "text",
    "textarea",
    "email",
    "phone",
    "number",
    "select",
    "multiselect",
    "checkbox",
    "radio",
]

EVENT_TYPE_EXAMPLE = {
    "id": "019d48ea-2e00-7f28-9fb1-7c2390c192cf",
    "slug": "intro-call",
    "title": "Intro call",
    "description": "30-minute introduction.",
    "duration_minutes": 30,
    "active": True,
    "scheduling_type": "individual",
    "hosts": [{"user_id": "019d48b3-cc50-7238-b924-56de3eb13b90", "username": "ada", "name": "Ada Lovelace"}],
    "url": "https://42min.us/ada/intro-call",
    "color": "#7c3aed",
    "buffer_before_minutes": 0,
    "buffer_after_minutes": 0,
    "minimum_notice_hours": 4,
    "future_limit_days": 60,
    "timezone": "Europe/London",
    "created_at": "2026-04-01T12:00:00.000Z",
    "updated_at": "2026-05-02T08:00:00.000Z",
}
BOOKING_EXAMPLE = {
    "uid": "019e3a19-5800-726b-b2a7-4de452e6b438",
    "version": 1,
    "event_type_id": "019d48ea-2e00-7f28-9fb1-7c2390c192cf",
    "event_type_slug": "intro-call",
    "title": "Intro call",
    "status": "confirmed",
    "start_at": "2026-05-20T12:00:00.000Z",
    "end_at": "2026-05-20T12:30:00.000Z",
    "timezone": "Europe/Berlin",
    "host": {
        "user_id": "019d48b3-cc50-7238-b924-56de3eb13b90",
        "username": "ada",
        "email": "ada@example.com",
    },
    "attendees": [{"email": "bob@example.com", "name": "Bob Builder", "timezone": "Europe/Berlin"}],
    "guests": [{"email": "carol@example.com", "name": ""}],
    "location": {
        "type": "video",
        "url": "https://meet.example.com/ada",
        "value": "https://meet.example.com/ada",
    },
    "metadata": {"crm_deal_id": "D-4471"},
    "responses": {"company": "Builder & Co"},
    "calendar_sync_status": "not_applicable",
    "calendar_event_id": None,
    "rescheduled_from_uid": None,
    "cancelled_at": None,
    "cancellation_reason": None,
    "no_show_at": None,
    "no_show_reason": None,
    "created_at": "2026-05-18T08:00:00.000Z",
    "updated_at": "2026-05-18T08:00:00.000Z",
}
WEBHOOK_EXAMPLE = {
    "id": "019e449c-fe80-783c-af56-4652466de486",
    "url": "https://hooks.example.com/42min",
    "events": ["booking_created", "booking_updated", "booking_canceled", "booking_rescheduled"],
    "status": "active",
    "description": "CRM sync (production)",
    "paused_reason": None,
    "last_delivery_at": "2026-05-20T11:05:00.889Z",
    "last_delivery_ok": True,
    "created_at": "2026-05-20T09:00:00.000Z",
    "updated_at": "2026-05-20T09:03:00.000Z",
}
DELIVERY_EXAMPLE = {
    "id": "whd_019e450a-db80-770f-802a-3486c6a355a0",
    "event": "booking_updated",
    "attempt": 2,
    "status_code": None,
    "error": "timeout",
    "delivered_at": None,
    "created_at": "2026-05-20T11:01:00.901Z",
    "duration_ms": 10000,
    "next_retry_at": "2026-05-20T11:05:00.734Z",
}

SCHEMAS: dict[str, Schema] = {
    "Meta": obj({"request_id": string(description="Equals the X-Request-Id header.")}, ["request_id"]),
    "PageMeta": {
        "allOf": [
            sref("Meta"),
            obj(
                {
                    "next_cursor": nullable(
                        string(description="Pass as `cursor` for the next page; null on the last page.")
                    ),
                    "has_more": boolean(),
                },
                ["next_cursor", "has_more"],
            ),
        ]
    },
    "Error": obj(
        {
            "error": obj(
                {
                    "code": string(
                        description="Stable snake_case identifier (00-conventions §5.2); new codes may "
                        "appear, handle them by status class."
                    ),
                    "message": string(description="For humans; may change."),
                    "details": {
                        **OPEN_OBJECT,
                        "description": "Always present; `{}` when there is nothing to add.",
                    },
                    "request_id": string(),
                },
                ["code", "message", "details", "request_id"],
            )
        },
        ["error"],
        description="Every error on `/v1/*` (outside the OAuth bodies) and `/.well-known/*`. Not wrapped "
        "in `data`.",
        examples=[
            error_example("slot_unavailable", "That time is no longer available", {"reason": "slot_busy"})
        ],
    ),
    "Ping": obj(
        {
            "ok": boolean(const=True),
            "auth_type": string(enum=["pat", "oauth"]),
            "account_id": UUID,
            "scopes": array(string(), description="The credential's scopes, sorted."),
            "client_id": string(description="OAuth only; absent for PATs."),
        },
        ["ok", "auth_type", "account_id", "scopes"],
        examples=[
            {
                "ok": True,
                "auth_type": "pat",
                "account_id": "019daa55-2500-79de-b384-95d253bafe93",
                "scopes": ["bookings:read", "slots:read"],
            }
        ],
    ),
    "Me": obj(
        {
            "user": obj(
                {
                    "id": UUID,
                    "username": nullable(string()),
                    "email": string(format="email"),
                    "name": nullable(string()),
                    "first_name": nullable(string()),
                    "last_name": nullable(string()),
                    "timezone": nullable(string()),
                    "locale": nullable(string()),
                    "avatar_url": nullable(string()),
                },
                [
                    "id",
                    "username",
                    "email",
                    "name",
                    "first_name",
                    "last_name",
                    "timezone",
                    "locale",
                    "avatar_url",
                ],
            ),
            "organization": nullable(
                obj({"id": UUID, "name": string(), "plan": nullable(string())}, ["id", "name", "plan"])
            ),
        },
        ["user", "organization"],
    ),
    "EventType": obj(
        {
            "id": UUID,
            "slug": string(),
            "title": string(),
            "description": nullable(string()),
            "duration_minutes": integer(),
            "active": boolean(),
            "scheduling_type": string(
                enum=["individual", "group", "collective"], description="`collective` is round robin."
            ),
            "hosts": array(USER_REF),
            "url": nullable(string(description="Public booking page.")),
            "color": string(pattern="^#[0-9a-f]{6}$"),
            "buffer_before_minutes": integer(),
            "buffer_after_minutes": integer(),
            "minimum_notice_hours": integer(),
            "future_limit_days": integer(),
            "timezone": nullable(
                string(description="The schedule's zone (user-owned); null for team-owned.")
            ),
            "created_at": INSTANT,
            "updated_at": INSTANT,
        },
        [
            "id",
            "slug",
            "title",
            "description",
            "duration_minutes",
            "active",
            "scheduling_type",
            "hosts",
            "url",
            "color",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "minimum_notice_hours",
            "future_limit_days",
            "timezone",
            "created_at",
            "updated_at",
        ],
        examples=[EVENT_TYPE_EXAMPLE],
    ),
    "EventTypeDetail": {
        "allOf": [
            sref("EventType"),
            obj(
                {
                    "locations": array(
                        obj(
                            {
                                "type": string(enum=LOCATION_TYPES),
                                "label": string(),
                                "value": nullable(string()),
                            }
                        )
                    ),
                    "questions": array(
                        obj(
                            {
                                "id": string(),
                                "key": string(),
                                "label": string(),
                                "type": string(enum=QUESTION_TYPES),
                                "required": boolean(),
                                "options": nullable(array(string())),
                            }
                        )
                    ),
                    "max_bookings_per_day": nullable(integer()),
                    "max_bookings_per_week": nullable(integer()),
                    "max_bookings_per_month": nullable(integer()),
                    "requires_confirmation": boolean(),
                    "allow_reschedule": boolean(),
                    "allow_cancel": boolean(),
                },
                [
                    "locations",
                    "questions",
                    "max_bookings_per_day",
                    "max_bookings_per_week",
                    "max_bookings_per_month",
                    "requires_confirmation",
                    "allow_reschedule",
                    "allow_cancel",
                ],
            ),
        ]
    },
    "SlotList": obj(
        {
            "event_type_id": UUID,
            "timezone": string(),
            "computed_at": INSTANT,
            "slots": array(
                obj(
                    {
                        "start": INSTANT,
                        "end": INSTANT,
                        "available": boolean(const=True),
                        "host_user_id": {
                            **UUID,
                            "description": "Team-owned event types only: the host the booking would get.",
                        },
                        "seats_remaining": integer(description="(extension) Group event types only."),
                    },
                    ["start", "end", "available"],
                )
            ),
            "truncated": boolean(description="Present, and true, only when more than 2000 slots existed."),
        },
        ["event_type_id", "timezone", "computed_at", "slots"],
        examples=[
            {
                "event_type_id": "019d48ea-2e00-7f28-9fb1-7c2390c192cf",
                "timezone": "Europe/London",
                "computed_at": "2026-05-19T08:00:00.000Z",
                "slots": [
                    {
                        "start": "2026-05-20T08:00:00.000Z",
                        "end": "2026-05-20T08:30:00.000Z",
                        "available": True,
                    }
                ],
            }
        ],
    ),
    "SlotCheck": obj(
        {
            "available": boolean(),
            "duration_minutes": integer(description="Present when available."),
            "reason": string(
                enum=[
                    "event_type_inactive",
                    "in_past",
                    "outside_minimum_notice",
                    "outside_future_limit",
                    "slot_busy",
                ],
                description="Present when unavailable.",
            ),
            "next_available": nullable(
                string(format="date-time", description="Present when the reason is `slot_busy`.")
            ),
        },
        ["available"],
        examples=[{"available": False, "reason": "slot_busy", "next_available": "2026-05-20T10:00:00.000Z"}],
    ),
    "Booking": obj(
        {
            "uid": string(format="uuid"),
            "version": integer(minimum=1, description="The ETag; +1 on every write."),
            "event_type_id": UUID,
            "event_type_slug": nullable(string()),
            "title": nullable(string()),
            "status": string(
                description="`confirmed`, `pending`, `canceled` or `rescheduled` (more may appear)."
            ),
            "start_at": INSTANT,
            "end_at": INSTANT,
            "timezone": string(),
            "host": nullable(
                obj(
                    {
                        "user_id": UUID,
                        "username": nullable(string()),
                        "email": nullable(string(format="email")),
                    }
                )
            ),
            "attendees": array(
                obj({"email": string(format="email"), "name": string(), "timezone": nullable(string())})
            ),
            "guests": array(obj({"email": string(format="email"), "name": string()})),
            "location": nullable(
                obj({"type": nullable(string()), "url": nullable(string()), "value": nullable(string())})
            ),
            "metadata": nullable(OPEN_OBJECT),
            "responses": nullable({**OPEN_OBJECT, "description": "null in lists."}),
            "calendar_sync_status": string(enum=["synced", "pending", "failed", "not_applicable"]),
            "calendar_event_id": nullable(string()),
            "rescheduled_from_uid": nullable(string()),
            "cancelled_at": nullable(string(format="date-time")),
            "cancellation_reason": nullable(string()),
            "no_show_at": nullable(string(format="date-time")),
            "no_show_reason": nullable(string()),
            "created_at": INSTANT,
            "updated_at": INSTANT,
        },
        [
            "uid",
            "version",
            "event_type_id",
            "event_type_slug",
            "title",
            "status",
            "start_at",
            "end_at",
            "timezone",
            "host",
            "attendees",
            "guests",
            "location",
            "metadata",
            "responses",
            "calendar_sync_status",
            "calendar_event_id",
            "rescheduled_from_uid",
            "cancelled_at",
            "cancellation_reason",
            "no_show_at",
            "no_show_reason",
            "created_at",
            "updated_at",
        ],
        examples=[BOOKING_EXAMPLE],
    ),
    "CreateBookingRequest": obj(
        {
            "event_type_id": UUID,
            "username": string(maxLength=127),
            "event_slug": string(maxLength=127),
            "start": string(format="date-time", description="RFC 3339 with an offset; on the slot grid."),
            "timezone": string(maxLength=64),
            "attendee": obj(
                {
                    "email": string(format="email", maxLength=254),
                    "name": string(maxLength=255),
                    "first_name": string(maxLength=127),
                    "last_name": string(maxLength=127),
                    "phone": string(maxLength=64),
                    "timezone": string(maxLength=64),
                    "sms_opt_in": boolean(default=False),
                },
                ["email"],
            ),
            "guests": array(string(format="email", maxLength=254), maxItems=10),
            "metadata": {**OPEN_OBJECT, "maxProperties": 50},
            "responses": OPEN_OBJECT,
            "utm_source": string(maxLength=255),
            "utm_medium": string(maxLength=255),
            "utm_campaign": string(maxLength=255),
        },
        ["start", "attendee"],
        description="Identify the event type by `event_type_id`, or by `username` plus `event_slug`.",
        examples=[
            {
                "event_type_id": "019d48ea-2e00-7f28-9fb1-7c2390c192cf",
                "start": "2026-05-20T12:00:00Z",
                "timezone": "Europe/Berlin",
                "attendee": {"email": "bob@example.com", "name": "Bob Builder", "phone": "+49 30 1234567"},
                "guests": ["carol@example.com"],
                "metadata": {"crm_deal_id": "D-4471"},
                "responses": {"company": "Builder & Co"},
                "utm_source": "newsletter",
            }
        ],
    ),
    "UpdateBookingRequest": obj(
        {
            "metadata": {**OPEN_OBJECT, "description": "Shallow-merged into the stored metadata."},
            "responses": {**OPEN_OBJECT, "description": "Replaces the stored answers."},
            "attendee_name": string(description="Trimmed; truncated to 200 characters."),
        },
        description="Only these fields are writable; `start`, `end`, `timezone`, `status`, "
        "`event_type_id`, `uid`, `version` give 422 `field_immutable`.",
        examples=[{"metadata": {"crm_stage": "won"}}],
    ),
    "CancelBookingRequest": obj(
        {"reason": nullable(string(maxLength=1024))}, examples=[{"reason": "Customer asked to cancel"}]
    ),
    "RescheduleBookingRequest": obj(
        {
            "start": string(format="date-time"),
            "timezone": string(maxLength=64),
            "reason": nullable(string(maxLength=1024)),
        },
        ["start"],
        examples=[{"start": "2026-05-21T12:00:00Z", "reason": "Conflict"}],
    ),
    "WebhookEventName": string(
        enum=EVENT_NAMES, description="Names as the REST API takes and returns them (underscore form)."
    ),
    "WebhookEventDotName": string(
        enum=DOT_NAMES, description="Names on outbound deliveries (payload `event`, `X-42min-Webhook-Event`)."
    ),
    "Webhook": obj(
        {
            "id": UUID,
            "url": string(format="uri"),
            "events": array(sref("WebhookEventName"), minItems=1),
            "status": string(enum=["active", "paused"]),
            "description": nullable(string(maxLength=255)),
            "paused_reason": nullable(
                string(description="`consecutive_failures` or `endpoint_gone` when the system paused it.")
            ),
            "last_delivery_at": nullable(string(format="date-time")),
            "last_delivery_ok": nullable(boolean()),
            "created_at": INSTANT,
            "updated_at": INSTANT,
        },
        [
            "id",
            "url",
            "events",
            "status",
            "description",
            "paused_reason",
            "last_delivery_at",
            "last_delivery_ok",
            "created_at",
            "updated_at",
        ],
        examples=[WEBHOOK_EXAMPLE],
    ),
    "WebhookWithSecret": {
        "allOf": [
            sref("Webhook"),
            obj(
                {
                    "signing_secret": string(
                        pattern="^whsec_[A-Za-z0-9_-]{43}$",
                        description="Shown only on create and rotate; the HMAC key, used whole.",
                    )
                },
                ["signing_secret"],
            ),
        ]
    },
    "CreateWebhookRequest": obj(
        {
            "url": string(
                format="uri", maxLength=2000, description="Absolute https URL resolving to public addresses."
            ),
            "events": array(sref("WebhookEventName"), minItems=1),
            "description": nullable(string(maxLength=255)),
        },
        ["url", "events"],
        examples=[
            {
                "url": "https://hooks.example.com/42min",
                "events": ["booking_created", "booking_canceled"],
                "description": "CRM sync",
            }
        ],
    ),
    "UpdateWebhookRequest": obj(
        {
            "url": string(format="uri", maxLength=2000),
            "events": array(sref("WebhookEventName"), minItems=1),
            "description": nullable(string(maxLength=255)),
            "status": string(enum=["active", "paused"]),
        },
        description="Absent fields stay; `{}` is a valid no-op that resets the failure counter; `status: "
        "active` resumes.",
        examples=[{"status": "active"}],
    ),
    "WebhookDelivery": obj(
        {
            "id": string(description="Delivery id `whd_…` (the X-42min-Webhook-Id)."),
            "event": sref("WebhookEventName"),
            "attempt": integer(minimum=1),
            "status_code": nullable(integer()),
            "error": nullable(
                string(
                    description="`endpoint_gone`, `redirect_not_followed`, `http_error`, `timeout`, "
                    "`dns_failure`, `forbidden_address`, `connection_failed`, `tls_failure`, …"
                )
            ),
            "delivered_at": nullable(string(format="date-time")),
            "created_at": INSTANT,
            "duration_ms": integer(),
            "next_retry_at": nullable(string(format="date-time")),
        },
        [
            "id",
            "event",
            "attempt",
            "status_code",
            "error",
            "delivered_at",
            "created_at",
            "duration_ms",
            "next_retry_at",
        ],
        examples=[DELIVERY_EXAMPLE],
    ),
    "WebhookEnvelope": obj(
        {
            "id": string(description="Event id `evt_…` (the same for every delivery of the event)."),
            "event": sref("WebhookEventDotName"),
            "createdAt": INSTANT,
            "apiVersion": string(const="2026-04-01"),
            "data": OPEN_OBJECT,
        },
        ["id", "event", "createdAt", "apiVersion", "data"],
        description="Compact UTF-8 JSON, camelCase. Verify `X-42min-Webhook-Signature` over the raw bytes "
        "before parsing.",
    ),
    "WebhookBooking": obj(
        {
            "id": string(),
            "eventTypeId": UUID,
            "eventTypeName": nullable(string()),
            "startTime": INSTANT,
            "endTime": INSTANT,
            "timezone": string(),
            "status": string(),
            "inviteeName": string(),
            "inviteeEmail": string(format="email"),
            "inviteePhone": nullable(string()),
            "guests": array(obj({"email": string(format="email"), "name": string()})),
            "answers": OPEN_OBJECT,
            "answersById": OPEN_OBJECT,
            "routingFormAnswers": nullable(OPEN_OBJECT),
            "urlParams": OPEN_OBJECT,
            "location": nullable(string()),
            "meetLink": nullable(string()),
            "cancelledAt": nullable(string(format="date-time")),
            "cancelledReason": nullable(string()),
            "noShowAt": nullable(string(format="date-time")),
            "noShowReason": nullable(string()),
            "rescheduledAt": nullable(string(format="date-time")),
            "reschedule_generation": integer(minimum=0),
            "hostUser": nullable(
                obj(
                    {
                        "id": nullable(string()),
                        "firstName": nullable(string()),
                        "lastName": nullable(string()),
                        "email": nullable(string()),
                    }
                )
            ),
            "organizationId": UUID,
        },
        [
            "id",
            "eventTypeId",
            "eventTypeName",
            "startTime",
            "endTime",
            "timezone",
            "status",
            "inviteeName",
            "inviteeEmail",
            "inviteePhone",
            "guests",
            "answers",
            "answersById",
            "routingFormAnswers",
            "urlParams",
            "location",
            "meetLink",
            "cancelledAt",
            "cancelledReason",
            "noShowAt",
            "noShowReason",
            "rescheduledAt",
            "reschedule_generation",
            "hostUser",
            "organizationId",
        ],
    ),
    "BookingWebhookEnvelope": {
        "allOf": [
            sref("WebhookEnvelope"),
            obj(
                {
                    "data": obj(
                        {
                            "booking": sref("WebhookBooking"),
                            "previousBooking": obj(
                                {"startTime": INSTANT, "endTime": INSTANT, "timezone": string()},
                                description="`booking.rescheduled` only.",
                            ),
                            "changed_fields": array(
                                string(enum=["attendee_name", "metadata", "responses"]),
                                description="`booking.updated` only.",
                            ),
                        },
                        ["booking"],
                    )
                }
            ),
        ]
    },
    "EventTypeWebhookEnvelope": {
        "allOf": [
            sref("WebhookEnvelope"),
            obj({"data": obj({"event_type": sref("EventTypeDetail")}, ["event_type"])}),
        ]
    },
    "RoutingWebhookEnvelope": {
        "allOf": [
            sref("WebhookEnvelope"),
            obj(
                {
                    "data": obj(
                        {
                            "response": obj(
                                {
                                    "id": UUID,
                                    "routingFormId": UUID,
                                    "formName": nullable(string()),
                                    "answers": OPEN_OBJECT,
                                    "destinationType": string(),
                                    "destinationValue": nullable(string()),
                                    "organizationId": UUID,
                                },
                                ["id", "routingFormId", "organizationId"],
                            )
                        },
                        ["response"],
                    )
                }
            ),
        ],
        "description": "Reserved: nothing emits it yet; a test delivery can use the name.",
    },
    "TestWebhookEnvelope": {
        "allOf": [sref("WebhookEnvelope"), obj({"data": obj({"test": boolean(const=True)}, ["test"])})],
        "description": "A test delivery: `event` is the dot form of the subscription's first event.",
    },
    "OAuthError": obj({"error": string(), "error_description": string()}, ["error"]),
    "TokenRequest": obj(
        {
            "grant_type": string(enum=["authorization_code", "refresh_token"]),
            "code": string(description="authorization_code: the `42min_ac_…` code (60 s, single use)."),
            "redirect_uri": string(
                description="authorization_code: exactly the one of the authorization request."
            ),
            "code_verifier": string(
                pattern="^[A-Za-z0-9._~-]{43,128}$",
                description="authorization_code: the PKCE verifier (S256).",
            ),
            "refresh_token": string(
                description="refresh_token: the `42min_rt_…` token (rotated on every use)."
            ),
            "scope": string(description="refresh_token: optional narrower space-separated scopes."),
            "client_id": string(description="With `client_secret_post` or public clients."),
            "client_secret": string(description="`client_secret_post`; never with a Basic header."),
        },
        ["grant_type"],
    ),
    "TokenResponse": obj(
        {
            "access_token": string(description="`42min_at_…`, one hour."),
            "token_type": string(const="Bearer"),
            "expires_in": integer(const=3600),
            "refresh_token": string(description="`42min_rt_…`; only with `offline_access`."),
            "scope": string(description="Space-separated, expanded, sorted."),
        },
        ["access_token", "token_type", "expires_in", "scope"],
        examples=[
            {
                "access_token": "42min_at_lwbckXwThGNDci_qn3Uo9PV2QpZsqFwzaleEwJTgPhQ",
                "token_type": "Bearer",
                "expires_in": 3600,
                "refresh_token": "42min_rt_Rh8eLef1tlemmOq7fyxAaE65V0lyii6JzUFJqI4kXh4",
                "scope": "bookings:read offline_access slots:read",
            }
        ],
    ),
    "TokenTypeHintRequest": obj(
        {
            "token": string(),
            "token_type_hint": string(
                description="`access_token` or `refresh_token`; only orders the lookups."
            ),
            "client_id": string(),
            "client_secret": string(),
        },
        ["token"],
    ),
    "IntrospectionResponse": obj(
        {
            "active": boolean(),
            "scope": string(),
            "client_id": string(),
            "username": string(),
            "sub": UUID,
            "token_type": string(enum=["Bearer", "refresh_token"]),
            "exp": integer(),
            "iat": integer(),
            "iss": string(format="uri"),
        },
        ["active"],
        description='Exactly `{"active": false}` for anything that is not a live token of the calling '
        "client.",
    ),
    "ClientRegistrationRequest": obj(
        {
            "redirect_uris": array(string(format="uri"), minItems=1, maxItems=10, uniqueItems=True),
            "token_endpoint_auth_method": string(
                enum=["none", "client_secret_basic", "client_secret_post"], default="client_secret_basic"
            ),
            "grant_types": array(string(enum=["authorization_code", "refresh_token"]), minItems=1),
            "response_types": array(string(enum=["code"])),
            "client_name": string(minLength=1, maxLength=100),
        },
        ["redirect_uris"],
        examples=[
            {
                "client_name": "Desk Scheduler",
                "redirect_uris": ["http://127.0.0.1/callback"],
                "token_endpoint_auth_method": "none",
            }
        ],
    ),
    "ClientRegistrationResponse": obj(
        {
            "client_id": string(),
            "client_id_issued_at": integer(),
            "client_name": string(),
            "redirect_uris": array(string()),
            "grant_types": array(string()),
            "response_types": array(string()),
            "token_endpoint_auth_method": string(),
            "client_secret": string(description="Confidential clients only, shown once."),
            "client_secret_expires_at": integer(const=0),
        },
        [
            "client_id",
            "client_id_issued_at",
            "client_name",
            "redirect_uris",
            "grant_types",
            "response_types",
            "token_endpoint_auth_method",
        ],
    ),
    "AuthorizeForm": obj(
        {
            "action": string(enum=["sign_in", "approve", "deny", "switch_account"]),
            "csrf_token": string(),
            "email": string(format="email"),
            "password": string(format="password"),
            "response_type": string(),
            "client_id": string(),
            "redirect_uri": string(),
            "scope": string(),
            "state": string(),
            "code_challenge": string(),
            "code_challenge_method": string(),
        },
        ["action", "csrf_token"],
        description="What the sign-in and consent pages post back (with the authorization parameters as "
        "hidden fields).",
    ),
    "AuthorizationServerMetadata": obj(
        {
            "issuer": string(format="uri"),
            "authorization_endpoint": string(format="uri"),
            "token_endpoint": string(format="uri"),
            "revocation_endpoint": string(format="uri"),
            "introspection_endpoint": string(format="uri"),
            "registration_endpoint": string(
                format="uri", description="Only while dynamic client registration is enabled."
            ),
            "response_types_supported": array(string()),
            "grant_types_supported": array(string()),
            "code_challenge_methods_supported": array(string()),
            "token_endpoint_auth_methods_supported": array(string()),
            "revocation_endpoint_auth_methods_supported": array(string()),
            "introspection_endpoint_auth_methods_supported": array(string()),
            "scopes_supported": array(string()),
        },
        ["issuer", "authorization_endpoint", "token_endpoint", "scopes_supported"],
    ),
    "ProtectedResourceMetadata": obj(
        {
            "resource": string(format="uri"),
            "authorization_servers": array(string(format="uri")),
            "scopes_supported": array(string()),
            "bearer_methods_supported": array(string()),
            "resource_documentation": string(format="uri"),
        },
        ["resource", "authorization_servers", "scopes_supported", "bearer_methods_supported"],
    ),
}

REQUEST_BODIES: dict[str, Schema] = {
    "BookingWebhook": {"required": True, "content": {JSON: {"schema": sref("BookingWebhookEnvelope")}}},
    "EventTypeWebhook": {"required": True, "content": {JSON: {"schema": sref("EventTypeWebhookEnvelope")}}},
    "RoutingWebhook": {"required": True, "content": {JSON: {"schema": sref("RoutingWebhookEnvelope")}}},
}


def _security_schemes(server: str) -> dict[str, Schema]:
    return {
        "oauth2": {
            "type": "oauth2",
            "description": "OAuth 2.1 authorization code with PKCE (S256 only), for applications acting "
            "for a user. "
            f"Discovery: `{server}/.well-known/oauth-authorization-server`. Access tokens (`42min_at_…`) "
            f"are sent "
            "as `Authorization: Bearer …`; refresh tokens need `offline_access`.",
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": f"{server}/v1/oauth/authorize",
                    "tokenUrl": f"{server}/v1/oauth/token",
                    "refreshUrl": f"{server}/v1/oauth/token",
                    "scopes": _scope_wording(),
                }
            },
        },
        "personalAccessToken": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "42min_pat_<lookup>_<secret>",
            "description": "A personal access token (`42min admin pat create`), sent as `Authorization: "
            "Bearer …`. "
            "Carries scopes exactly like an OAuth access token.",
        },
        "clientSecretBasic": {
            "type": "http",
            "scheme": "basic",
            "description": "OAuth client authentication `client_secret_basic`. `client_secret_post` (form "
            "fields) and "
            "`none` (public clients, `client_id` field only) are accepted instead.",
        },
    }


# --- operations ----------------------------------------------------------------------------------


def envelope(data: Schema, *, paginated: bool = False) -> Schema:
    return obj({"data": data, "meta": sref("PageMeta" if paginated else "Meta")}, ["data", "meta"])


def ok(
    description: str,
    data: Schema | None,
    *,
    paginated: bool = False,
    headers: tuple[str, ...] = (),
    example: Any = None,
    raw: bool = False,
    media: str = JSON,
) -> Schema:
    response: Schema = {
        "description": description,
        "headers": dict(STD_HEADERS) | {h: ref("headers", h) for h in headers},
    }
    if data is not None:
        schema = data if raw else envelope(data, paginated=paginated)
        content: Schema = {"schema": schema}
        if example is not None:
            content["example"] = (
                example
                if raw
                else {"data": example, "meta": {"request_id": "req_01KS2D7WEJKJC1YBFDX34EQ70H"}}
            )
        response["content"] = {media: content}
    return response


def errors(*names: str) -> dict[str, Schema]:
    status = {
        "BadRequest": "400",
        "Unauthorized": "401",
        "Forbidden": "403",
        "NotFound": "404",
        "Conflict": "409",
        "PayloadTooLarge": "413",
        "UnsupportedMediaType": "415",
        "UnprocessableEntity": "422",
        "PreconditionRequired": "428",
        "RateLimited": "429",
        "InternalError": "500",
        "ServiceUnavailable": "503",
        "SlotLockTimeout": "503",
    }
    return {status[n]: ref("responses", n) for n in names}


def json_body(schema: str, *, required: bool = True) -> Schema:
    return {"required": required, "content": {JSON: {"schema": sref(schema)}}}


def form_body(schema: str) -> Schema:
    return {"required": True, "content": {FORM: {"schema": sref(schema)}}}


BEARER_ERRORS = ("Unauthorized", "RateLimited", "InternalError", "ServiceUnavailable")
SCOPED = (*BEARER_ERRORS, "Forbidden")
WRITE = ("PayloadTooLarge", "UnsupportedMediaType", "BadRequest")
OAUTH_ERRORS = {s: ref("responses", "OAuthError") for s in ("400", "401", "413", "429", "500", "503")}
# Registration authenticates no client, so it has no 401.
REGISTER_ERRORS = {s: r for s, r in OAUTH_ERRORS.items() if s != "401"}
SLOT_IDENTIFICATION = [
    query("event_type_id", UUID, "The event type; when present, `username` and `event_slug` are ignored."),
    query("username", string(), "With `event_slug`: the owner of a user-owned event type."),
    query("event_slug", string(), "With `username`: the event type's slug."),
]
TIMEZONE_EXAMPLE = ["Europe/Lisbon"]

# operationId → (tags, scope, documentation). `scope`: a scope string, "" (any valid bearer
# credential), "public" (no credential) or "client" (OAuth client authentication).
OPERATIONS: dict[str, Schema] = {
    "ping": {
        "tags": ["Meta"],
        "scope": "",
        "summary": "Verify a credential and see what it is",
        "description": "The cheapest authenticated call. Requires no scope.",
        "responses": {"200": ok("The credential works.", sref("Ping")), **errors(*BEARER_ERRORS)},
    },
    "getMe": {
        "tags": ["Meta"],
        "scope": "user:read",
        "summary": "The user behind the credential and their organization",
        "responses": {"200": ok("The connected identity.", sref("Me")), **errors(*SCOPED, "NotFound")},
    },
    "listEventTypes": {
        "tags": ["Event types"],
        "scope": "event_types:read",
        "summary": "List event types",
        "parameters": [
            p("Limit"),
            p("Cursor"),
            query(
                "sort",
                string(enum=["created_at_desc", "created_at_asc", "title_asc"], default="created_at_desc"),
                "Order; ties break on `id`.",
            ),
            query("user_id", UUID, "Only event types hosted by this user."),
            query(
                "slug",
                string(minLength=1, maxLength=127),
                "Exact slug (lower-cased); several owners may match.",
            ),
            query("active", string(enum=["true", "false"]), "Bookable or not; omitted = both."),
        ],
        "responses": {
            "200": ok(
                "A page of event types.",
                array(sref("EventType")),
                paginated=True,
                example=[EVENT_TYPE_EXAMPLE],
            ),
            **errors(*SCOPED, "BadRequest"),
        },
    },
    "getEventType": {
        "tags": ["Event types"],
        "scope": "event_types:read",
        "summary": "Get one event type by id or username/slug",
        "description": "`/v1/event-types/ada%2Fintro-call` and `/v1/event-types/ada/intro-call` "
        "(extension) both name "
        "Ada's user-owned `intro-call`. A bare slug is 400 `invalid_request`.",
        "parameters": [p("IdOrSlug")],
        "responses": {
            "200": ok(
                "The event type with its locations, questions and limits.",
                sref("EventTypeDetail"),
                example={
                    **EVENT_TYPE_EXAMPLE,
                    "locations": [{"type": "video", "label": "Video call", "value": None}],
                    "questions": [],
                    "max_bookings_per_day": None,
                    "max_bookings_per_week": None,
                    "max_bookings_per_month": None,
                    "requires_confirmation": False,
                    "allow_reschedule": True,
                    "allow_cancel": True,
                },
            ),
            **errors(*SCOPED, "BadRequest", "NotFound"),
        },
    },
    "getEventTypeByUsernameAndSlug": {
        "tags": ["Event types"],
        "scope": "event_types:read",
        "summary": "Get one event type by username and slug (extension)",
        "description": "The two-segment form of `getEventType`; same handler, same answers.",
        "parameters": [p("Username"), p("Slug")],
        "responses": {
            "200": ok("The event type.", sref("EventTypeDetail")),
            **errors(*SCOPED, "BadRequest", "NotFound"),
        },
    },
    "listSlots": {
        "tags": ["Slots"],
        "scope": "slots:read",
        "summary": "Bookable starts of an event type in a window (≤ 31 days)",
        "description": "Not paginated: at most 2000 slots, then `truncated: true` (narrow the window).",
        "parameters": [
            *SLOT_IDENTIFICATION,
            query(
                "start",
                string(format="date-time"),
                "Window start, inclusive (RFC 3339 with offset).",
                required=True,
            ),
            query(
                "end",
                string(format="date-time"),
                "Window end, exclusive; at most 31 days after `start`.",
                required=True,
            ),
            query(
                "timezone",
                string(examples=TIMEZONE_EXAMPLE),
                "IANA zone echoed in `data.timezone`; does not change the result.",
            ),
        ],
        "responses": {
            "200": ok("Computed availability.", sref("SlotList")),
            **errors(*SCOPED, "BadRequest", "NotFound"),
        },
    },
    "checkSlot": {
        "tags": ["Slots"],
        "scope": "slots:read",
        "summary": "Is this one start bookable now, and if not why",
        "description": "Unavailability is a 200 with a `reason`, in the order `event_type_inactive`, "
        "`in_past`, "
        "`outside_minimum_notice`, `outside_future_limit`, `slot_busy`.",
        "parameters": [
            *SLOT_IDENTIFICATION,
            query("start", string(format="date-time"), "The start to check.", required=True),
            query(
                "end",
                string(format="date-time"),
                "Defaults to start + duration; any other end is `slot_busy`.",
            ),
            query("timezone", string(), "Validated, then ignored."),
        ],
        "responses": {
            "200": ok("Whether the start can be booked.", sref("SlotCheck")),
            **errors(*SCOPED, "BadRequest", "NotFound"),
        },
    },
    "listBookings": {
        "tags": ["Bookings"],
        "scope": "bookings:read",
        "summary": "List the organization's bookings",
        "description": "Lists come from an index (eventually consistent, normally within a second). "
        "For reconciliation use `sort=updated_at_asc&updated_since=…`.",
        "parameters": [
            p("Limit"),
            p("Cursor"),
            query(
                "sort",
                string(
                    enum=[
                        "start_at_desc",
                        "start_at_asc",
                        "created_at_desc",
                        "created_at_asc",
                        "updated_at_asc",
                        "updated_at_desc",
                    ],
                    default="start_at_desc",
                ),
                "Order; ties break on `uid`.",
            ),
            query(
                "status",
                string(),
                "Comma-separated `confirmed`, `pending`, `canceled`, `rescheduled`.",
                example="confirmed,pending",
            ),
            query("event_type_id", UUID, "Only this event type."),
            query(
                "host_user_id",
                UUID,
                "Only bookings hosted by this user (ignored when `host_user_ids` is given).",
            ),
            query(
                "host_user_ids",
                array(UUID, minItems=1, maxItems=50),
                "Repeated or comma-separated (extension) host ids.",
                style="form",
                explode=True,
            ),
            query(
                "attendee_email",
                string(format="email", maxLength=254),
                "Exact, case-sensitive attendee email.",
            ),
            query("start_date", string(format="date-time"), "`start_at ≥ start_date`."),
            query("end_date", string(format="date-time"), "`start_at ≤ end_date`."),
            query("updated_since", string(format="date-time"), "`updated_at ≥ updated_since`."),
            query(
                "include_cancelled",
                string(enum=["true", "false"], default="true"),
                "`false` leaves out canceled bookings (when `status` is absent).",
            ),
        ],
        "responses": {
            "200": ok(
                "A page of bookings (`responses` is null in lists).",
                array(sref("Booking")),
                paginated=True,
                example=[{**BOOKING_EXAMPLE, "responses": None}],
            ),
            **errors(*SCOPED, "BadRequest"),
        },
    },
    "createBooking": {
        "tags": ["Bookings"],
        "scope": "bookings:create",
        "summary": "Book a start on an event type",
        "description": "Check the start with `/v1/slots/check` first. Retry network errors, 5xx and 409 "
        "`idempotency_in_progress` with the SAME Idempotency-Key: a new key is a new booking.",
        "parameters": [p("IdempotencyKey")],
        "requestBody": json_body("CreateBookingRequest"),
        "responses": {
            "201": ok(
                "The booking (also on an idempotent replay).",
                sref("Booking"),
                headers=("ETag", "Idempotent-Replayed"),
                example=BOOKING_EXAMPLE,
            ),
            **errors(*SCOPED, *WRITE, "NotFound", "Conflict", "UnprocessableEntity", "SlotLockTimeout"),
        },
    },
    "getBooking": {
        "tags": ["Bookings"],
        "scope": "bookings:read",
        "summary": "Get one booking (strongly consistent) with its ETag",
        "parameters": [p("BookingUid")],
        "responses": {
            "200": ok(
                "The booking, answers included.", sref("Booking"), headers=("ETag",), example=BOOKING_EXAMPLE
            ),
            **errors(*SCOPED, "NotFound"),
        },
    },
    "updateBooking": {
        "tags": ["Bookings"],
        "scope": "bookings:update",
        "summary": "Change metadata, answers or the attendee name",
        "description": "Optimistic locking: send the ETag you read as `If-Match`; a stale one is 409 "
        "`version_conflict` "
        "(re-read, re-apply, retry with a NEW Idempotency-Key).",
        "parameters": [p("BookingUid"), p("IdempotencyKey"), p("IfMatch")],
        "requestBody": json_body("UpdateBookingRequest"),
        "responses": {
            "200": ok("The updated booking.", sref("Booking"), headers=("ETag", "Idempotent-Replayed")),
            **errors(*SCOPED, *WRITE, "NotFound", "Conflict", "UnprocessableEntity", "PreconditionRequired"),
        },
    },
    "cancelBooking": {
        "tags": ["Bookings"],
        "scope": "bookings:cancel",
        "summary": "Cancel a booking",
        "description": "Cancelling a canceled booking answers 200 with its current state and sends nothing.",
        "parameters": [p("BookingUid"), p("IdempotencyKey")],
        "requestBody": json_body("CancelBookingRequest", required=False),
        "responses": {
            "200": ok("The canceled booking.", sref("Booking"), headers=("ETag", "Idempotent-Replayed")),
            **errors(*SCOPED, *WRITE, "NotFound", "Conflict", "UnprocessableEntity"),
        },
    },
    "rescheduleBooking": {
        "tags": ["Bookings"],
        "scope": "bookings:reschedule",
        "summary": "Move a booking (creates a new booking)",
        "description": "The old booking becomes `rescheduled`; the response and its ETag are the NEW "
        "booking's.",
        "parameters": [p("BookingUid"), p("IdempotencyKey")],
        "requestBody": json_body("RescheduleBookingRequest"),
        "responses": {
            "200": ok("The new booking.", sref("Booking"), headers=("ETag", "Idempotent-Replayed")),
            **errors(*SCOPED, *WRITE, "NotFound", "Conflict", "UnprocessableEntity", "SlotLockTimeout"),
        },
    },
    "listSeries": {
        "tags": ["Series"],
        "scope": "series:read",
        "summary": "List recurring series",
        "description": "Items have `occurrences` and `responses` null. Filters: `status`, `host_user_id`, "
        "`event_type_id`, `attendee_email`; sorts `created_at_*` / `updated_at_*`.",
        "parameters": [p("Limit"), p("Cursor")],
        "responses": {
            "200": ok("A page of series.", sref("Series"), paginated=True),
            **errors(*SCOPED, "BadRequest"),
        },
    },
    "createSeries": {
        "tags": ["Series"],
        "scope": "series:write",
        "summary": "Create a series and book its occurrences",
        "description": "Dates that are not free are skipped (reported in `occurrences`), never moved.",
        "parameters": [p("IdempotencyKey")],
        "requestBody": json_body("CreateSeriesBody"),
        "responses": {
            "201": ok("The series.", sref("Series"), headers=("ETag", "Idempotent-Replayed")),
            **errors(*SCOPED, *WRITE, "NotFound", "Conflict", "UnprocessableEntity"),
        },
    },
    "getSeries": {
        "tags": ["Series"],
        "scope": "series:read",
        "summary": "Get a series with its occurrences",
        "parameters": [p("SeriesUid")],
        "responses": {
            "200": ok("The series.", sref("Series"), headers=("ETag",)),
            **errors(*SCOPED, "NotFound"),
        },
    },
    "updateSeries": {
        "tags": ["Series"],
        "scope": "series:write",
        "summary": "Change the pattern, the link or notify_invitee",
        "description": "A pattern change rebooks the meetings still to come.",
        "parameters": [p("SeriesUid"), p("IfMatch")],
        "requestBody": json_body("PatchSeriesBody"),
        "responses": {
            "200": ok("The series.", sref("Series"), headers=("ETag",)),
            **errors(*SCOPED, *WRITE, "NotFound", "Conflict", "UnprocessableEntity", "PreconditionRequired"),
        },
    },
    "pauseSeries": {
        "tags": ["Series"],
        "scope": "series:write",
        "summary": "Pause: cancel the meetings to come and record them as owed",
        "parameters": [p("SeriesUid")],
        "responses": {
            "200": ok("The action result.", sref("SeriesActionResult"), headers=("ETag",)),
            **errors(*SCOPED, "PayloadTooLarge", "NotFound", "Conflict"),
        },
    },
    "resumeSeries": {
        "tags": ["Series"],
        "scope": "series:write",
        "summary": "Resume: book replacements for the owed meetings",
        "parameters": [p("SeriesUid"), p("IdempotencyKey")],
        "responses": {
            "200": ok(
                "The action result.", sref("SeriesActionResult"), headers=("ETag", "Idempotent-Replayed")
            ),
            **errors(*SCOPED, "BadRequest", "PayloadTooLarge", "NotFound", "Conflict"),
        },
    },
    "endSeries": {
        "tags": ["Series"],
        "scope": "series:write",
        "summary": "End: cancel the meetings to come and close the series for good",
        "parameters": [p("SeriesUid"), p("IdempotencyKey")],
        "responses": {
            "200": ok(
                "The action result.", sref("SeriesActionResult"), headers=("ETag", "Idempotent-Replayed")
            ),
            **errors(*SCOPED, "BadRequest", "PayloadTooLarge", "NotFound", "Conflict"),
        },
    },
    "changeSeriesHost": {
        "tags": ["Series"],
        "scope": "series:write",
        "summary": "Move the series and its meetings to come to another host",
        "description": "Stops at the first meeting the new host cannot take (`stopped_by`); repeatable.",
        "parameters": [p("SeriesUid")],
        "requestBody": json_body("ChangeHostBody"),
        "responses": {
            "200": ok("The action result.", sref("SeriesActionResult"), headers=("ETag",)),
            **errors(*SCOPED, *WRITE, "NotFound", "Conflict", "UnprocessableEntity"),
        },
    },
    "listWebhooks": {
        "tags": ["Webhooks"],
        "scope": "webhooks:read",
        "summary": "List this credential's subscriptions (≤ 25, not paginated)",
        "description": "Each credential sees only the subscriptions it created (its sandbox).",
        "responses": {
            "200": ok("The subscriptions, newest first.", array(sref("Webhook")), example=[WEBHOOK_EXAMPLE]),
            **errors(*SCOPED),
        },
    },
    "createWebhook": {
        "tags": ["Webhooks"],
        "scope": "webhooks:write",
        "summary": "Subscribe a URL to events",
        "description": "The `signing_secret` is in this response only. No Idempotency-Key: a retried "
        "create may "
        "answer 409 `duplicate_url` naming the first subscription.",
        "requestBody": json_body("CreateWebhookRequest"),
        "responses": {
            "201": ok(
                "Created; store the signing secret now.",
                sref("WebhookWithSecret"),
                example={
                    **WEBHOOK_EXAMPLE,
                    "last_delivery_at": None,
                    "last_delivery_ok": None,
                    "signing_secret": "whsec_q3KD0sZ7Hk1l9yQm2b8JYzqVQeG5J8kzq1mX0aW3xYE",
                },
            ),
            **errors(*SCOPED, *WRITE, "Conflict", "UnprocessableEntity"),
        },
    },
    "getWebhook": {
        "tags": ["Webhooks"],
        "scope": "webhooks:read",
        "summary": "Get one subscription",
        "parameters": [p("WebhookId")],
        "responses": {"200": ok("The subscription.", sref("Webhook")), **errors(*SCOPED, "NotFound")},
    },
    "updateWebhook": {
        "tags": ["Webhooks"],
        "scope": "webhooks:write",
        "summary": "Update, pause or resume a subscription",
        "parameters": [p("WebhookId")],
        "requestBody": json_body("UpdateWebhookRequest"),
        "responses": {
            "200": ok("The subscription.", sref("Webhook")),
            **errors(*SCOPED, *WRITE, "NotFound", "Conflict", "UnprocessableEntity"),
        },
    },
    "deleteWebhook": {
        "tags": ["Webhooks"],
        "scope": "webhooks:write",
        "summary": "Delete a subscription",
        "description": "Concurrent deletes both succeed; a later repeat is 404 (treat it as done).",
        "parameters": [p("WebhookId")],
        "responses": {"204": ok("Deleted; no body.", None), **errors(*SCOPED, "NotFound", "PayloadTooLarge")},
    },
    "rotateWebhookSecret": {
        "tags": ["Webhooks"],
        "scope": "webhooks:write",
        "summary": "Replace the signing secret",
        "description": "Later attempts are signed with the new secret only; verify against [new, old] "
        "while you switch.",
        "parameters": [p("WebhookId")],
        "responses": {
            "200": ok("The subscription with its new secret.", sref("WebhookWithSecret")),
            **errors(*SCOPED, "NotFound", "PayloadTooLarge"),
        },
    },
    "testWebhook": {
        "tags": ["Webhooks"],
        "scope": "webhooks:write",
        "summary": "Send one signed test delivery now (≤ 10 s)",
        "description": "A failed test is still 200: the outcome is in the attempt record. Never retried, "
        "never counted.",
        "parameters": [p("WebhookId")],
        "responses": {
            "200": ok(
                "The attempt record.",
                sref("WebhookDelivery"),
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
            **errors(*SCOPED, "NotFound", "PayloadTooLarge"),
        },
    },
    "listWebhookDeliveries": {
        "tags": ["Webhooks"],
        "scope": "webhooks:read",
        "summary": "Delivery attempts of a subscription, newest first (30 days)",
        "parameters": [p("WebhookId"), p("Limit"), p("Cursor")],
        "responses": {
            "200": ok(
                "A page of attempts.",
                array(sref("WebhookDelivery")),
                paginated=True,
                example=[DELIVERY_EXAMPLE],
            ),
            **errors(*SCOPED, "BadRequest", "NotFound"),
        },
    },
    "authorize": {
        "tags": ["OAuth"],
        "scope": "public",
        "summary": "Start an authorization (sign-in or consent page)",
        "description": "Browser endpoint. Client and redirect URI problems show an error page and never "
        "redirect; "
        "later problems redirect with `error`, `state` and `iss`.",
        "parameters": [
            query("response_type", string(enum=["code"]), "Must be `code`.", required=True),
            query("client_id", string(), "A registered client.", required=True),
            query(
                "redirect_uri",
                string(format="uri"),
                "One of the client's registered redirect URIs.",
                required=True,
            ),
            query(
                "scope",
                string(),
                "Space-separated scopes (aliases are expanded).",
                required=True,
                example="bookings:read slots:read offline_access",
            ),
            query("state", string(), "Echoed on the redirect."),
            query(
                "code_challenge",
                string(pattern="^[A-Za-z0-9_-]{43}$"),
                "BASE64URL(SHA-256(code_verifier)).",
                required=True,
            ),
            query("code_challenge_method", string(enum=["S256"]), "Only `S256`.", required=True),
        ],
        "responses": {
            "200": ref("responses", "AuthorizePage"),
            "302": ref("responses", "AuthorizeRedirect"),
            "400": ref("responses", "AuthorizePage"),
            "429": ref("responses", "AuthorizePage"),
            "500": ref("responses", "AuthorizePage"),
            "503": ref("responses", "AuthorizePage"),
        },
    },
    "authorizeSubmit": {
        "tags": ["OAuth"],
        "scope": "public",
        "summary": "Sign in, approve, deny or switch account (form posts of the pages)",
        "requestBody": form_body("AuthorizeForm"),
        "responses": {
            "200": ref("responses", "AuthorizePage"),
            "303": ref("responses", "AuthorizeRedirect"),
            "400": ref("responses", "AuthorizePage"),
            "413": ref("responses", "AuthorizePage"),
            "429": ref("responses", "AuthorizePage"),
            "500": ref("responses", "AuthorizePage"),
            "503": ref("responses", "AuthorizePage"),
        },
    },
    "token": {
        "tags": ["OAuth"],
        "scope": "client",
        "summary": "Exchange a code or a refresh token",
        "description": "Refresh tokens rotate on every use; presenting a spent one revokes the whole grant.",
        "requestBody": form_body("TokenRequest"),
        "responses": {"200": ok("Tokens.", sref("TokenResponse"), raw=True), **OAUTH_ERRORS},
    },
    "revokeToken": {
        "tags": ["OAuth"],
        "scope": "client",
        "summary": "Revoke an access or refresh token (RFC 7009)",
        "description": "Always 200 with an empty body for anything that is not the caller's token.",
        "requestBody": form_body("TokenTypeHintRequest"),
        "responses": {"200": ok("Revoked (or nothing to revoke); empty body.", None), **OAUTH_ERRORS},
    },
    "introspectToken": {
        "tags": ["OAuth"],
        "scope": "client",
        "summary": "Introspect a token (RFC 7662, confidential clients)",
        "requestBody": form_body("TokenTypeHintRequest"),
        "responses": {"200": ok("Token state.", sref("IntrospectionResponse"), raw=True), **OAUTH_ERRORS},
    },
    "registerClient": {
        "tags": ["OAuth"],
        "scope": "public",
        "summary": "Dynamic client registration (RFC 7591), when enabled",
        "description": "404 `not_found` while registration is disabled (the template's default). 5 per "
        "minute per IP.",
        "requestBody": json_body("ClientRegistrationRequest"),
        "responses": {
            "201": ok("The registered client.", sref("ClientRegistrationResponse"), raw=True),
            **REGISTER_ERRORS,
            **errors("NotFound"),
        },
    },
    "getAuthorizationServerMetadata": {
        "tags": ["Discovery"],
        "scope": "public",
        "summary": "OAuth authorization server metadata (RFC 8414)",
        "responses": {
            "200": ok("Metadata (cacheable for an hour).", sref("AuthorizationServerMetadata"), raw=True),
            **errors("RateLimited", "InternalError"),
        },
    },
    "getOpenApiDocument": {
        "tags": ["Discovery"],
        "scope": "public",
        "summary": "This document (extension)",
        "description": "The merged OpenAPI 3.1 document of the whole API, as committed in docs/openapi.json. "
        "Unauthenticated; counted in the `anonymous` bucket.",
        "responses": {
            "200": ok("The OpenAPI document (cacheable for five minutes).", dict(OPEN_OBJECT), raw=True),
            **errors("RateLimited", "InternalError"),
        },
    },
    "getProtectedResourceMetadata": {
        "tags": ["Discovery"],
        "scope": "public",
        "summary": "Protected resource metadata (RFC 9728)",
        "responses": {
            "200": ok("Metadata (cacheable for an hour).", sref("ProtectedResourceMetadata"), raw=True),
            **errors("RateLimited", "InternalError"),
        },
    },
}

# (METHOD, contract path) → operationId. 10-auth §5.5 names the /v1 resource operations; the OAuth
# and discovery ones are ours (the contract names none).
OPERATION_IDS: dict[tuple[str, str], str] = {
    ("GET", "/v1/_ping"): "ping",
    ("GET", "/v1/me"): "getMe",
    ("GET", "/v1/event-types"): "listEventTypes",
    ("GET", "/v1/event-types/{idOrSlug}"): "getEventType",
    ("GET", "/v1/slots"): "listSlots",
    ("GET", "/v1/slots/check"): "checkSlot",
    ("GET", "/v1/bookings"): "listBookings",
    ("POST", "/v1/bookings"): "createBooking",
    ("GET", "/v1/bookings/{uid}"): "getBooking",
    ("PATCH", "/v1/bookings/{uid}"): "updateBooking",
    ("POST", "/v1/bookings/{uid}/cancel"): "cancelBooking",
    ("POST", "/v1/bookings/{uid}/reschedule"): "rescheduleBooking",
    ("GET", "/v1/series"): "listSeries",
    ("POST", "/v1/series"): "createSeries",
    ("GET", "/v1/series/{uid}"): "getSeries",
    ("PATCH", "/v1/series/{uid}"): "updateSeries",
    ("POST", "/v1/series/{uid}/pause"): "pauseSeries",
    ("POST", "/v1/series/{uid}/resume"): "resumeSeries",
    ("POST", "/v1/series/{uid}/end"): "endSeries",
    ("POST", "/v1/series/{uid}/host"): "changeSeriesHost",
    ("GET", "/v1/webhooks"): "listWebhooks",
    ("POST", "/v1/webhooks"): "createWebhook",
    ("GET", "/v1/webhooks/{id}"): "getWebhook",
    ("PATCH", "/v1/webhooks/{id}"): "updateWebhook",
    ("DELETE", "/v1/webhooks/{id}"): "deleteWebhook",
    ("POST", "/v1/webhooks/{id}/rotate-secret"): "rotateWebhookSecret",
    ("POST", "/v1/webhooks/{id}/test"): "testWebhook",
    ("GET", "/v1/webhooks/{id}/deliveries"): "listWebhookDeliveries",
    ("GET", "/v1/oauth/authorize"): "authorize",
    ("POST", "/v1/oauth/authorize"): "authorizeSubmit",
    ("POST", "/v1/oauth/token"): "token",
    ("POST", "/v1/oauth/revoke"): "revokeToken",
    ("POST", "/v1/oauth/introspect"): "introspectToken",
    ("POST", "/v1/oauth/register"): "registerClient",
    ("GET", "/.well-known/oauth-authorization-server"): "getAuthorizationServerMetadata",
    ("GET", "/.well-known/oauth-protected-resource"): "getProtectedResourceMetadata",
    ("GET", "/openapi.json"): "getOpenApiDocument",
}
# A greedy template route that the contract documents as several paths (20-scheduling §3.4).
GREEDY_ALIASES: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("GET", "/v1/event-types/{idOrSlug}"): [
        ("/v1/event-types/{username}/{slug}", "getEventTypeByUsernameAndSlug")
    ],
}
TAGS = [
    {"name": "Meta", "description": "Connectivity and identity."},
    {"name": "Event types", "description": "Bookable meeting templates (read-only over the API)."},
    {"name": "Slots", "description": "Availability."},
    {"name": "Bookings", "description": "Create, read, move, cancel and annotate bookings."},
    {"name": "Series", "description": "Recurring series: one pattern, ordinary meetings (35-series)."},
    {"name": "Webhooks", "description": "Subscriptions (per credential) and their delivery history."},
    {"name": "OAuth", "description": "OAuth 2.1 authorization server with PKCE."},
    {"name": "Discovery", "description": "Metadata documents for OAuth clients."},
]
DELIVERY_HEADERS = [
    {
        "name": "X-42min-Webhook-Signature",
        "in": "header",
        "required": True,
        "schema": string(pattern="^t=[0-9]+,v1=[0-9a-f]{64}$"),
        "description": '`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`; parse by key, '
        "reject |now − t| > 300 s.",
    },
    {
        "name": "X-42min-Webhook-Event",
        "in": "header",
        "required": True,
        "schema": sref("WebhookEventDotName"),
    },
    {
        "name": "X-42min-Webhook-Id",
        "in": "header",
        "required": True,
        "schema": string(pattern="^[A-Za-z0-9_.-]{1,128}$"),
        "description": "The delivery id, the same on every attempt: deduplicate on it.",
    },
    {"name": "X-42min-Webhook-Attempt", "in": "header", "required": True, "schema": integer(minimum=1)},
]


def _outbound_webhooks() -> dict[str, Schema]:
    bodies = {"booking": "BookingWebhook", "event_type": "EventTypeWebhook", "routing": "RoutingWebhook"}
    hooks = {}
    for name in DOT_NAMES:
        camel = "".join(part.capitalize() for part in re.split(r"[._]", name))
        hooks[name] = {
            "post": {
                "operationId": f"on{camel}",
                "summary": f"`{name}` delivered to a subscription that lists "
                f"`{EVENT_NAMES[DOT_NAMES.index(name)]}`",
                "parameters": DELIVERY_HEADERS,
                "requestBody": ref("requestBodies", bodies[name.split(".")[0]]),
                "responses": {
                    "2XX": {
                        "description": "Acknowledged; no retry. Answer within 10 s. `410` pauses the "
                        "subscription; anything else is retried."
                    }
                },
            }
        }
    return hooks


# --- merging -------------------------------------------------------------------------------------

_GREEDY = re.compile(r"\{([^}/]+?)(?:\+|:path)\}")
_PARAM = re.compile(r"\{([^}/:+]+)(?::[^}]*)?\}")


def _shape(path: str) -> str:
    return _PARAM.sub("{}", _GREEDY.sub("{+}", path))


def _contract_path(template_path: str) -> str:
    return template_path.replace("+}", "}")


def _load_app(group: str, module_file: Path) -> Any:
    if not module_file.exists():
        raise OpenApiError(f"{module_file.relative_to(ROOT)} does not exist, but template.yaml routes to it")
    name = f"fortytwo_openapi_{group}"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, module_file)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses resolve annotations through sys.modules
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
    return module.app


def code_operations() -> list[tuple[str, str, Schema]]:
    """(METHOD, contract path, FastAPI's operation) for every route the template serves, from the code."""
    from fastapi.routing import APIRoute

    from fortytwo_local.devstack.template import load_template

    template = load_template(TEMPLATE)
    found = []
    for fn in template.functions.values():
        routes = {(r.method, _shape(r.path)): r.path for r in fn.http_routes if r.path is not None}
        if not routes:
            continue
        app = _load_app(fn.code_dir.name, fn.module_file)
        generated = app.openapi()["paths"]
        # app.routes keeps `{x:path}` (greedy), which the generated document drops.
        for route in app.routes:
            if not isinstance(route, APIRoute) or not route.include_in_schema:
                continue
            for method in sorted(route.methods or ()):
                key = (method, _shape(route.path))
                if key not in routes:
                    raise OpenApiError(
                        f"{fn.logical_id}: {method} {route.path} is not routed by template.yaml"
                    )
                found.append(
                    (method, _contract_path(routes.pop(key)), generated[route.path_format][method.lower()])
                )
        if routes:
            raise OpenApiError(f"{fn.logical_id}: no handler for {sorted(routes.values())}")
    return found


def _security(scope: str) -> list[Schema]:
    if scope == "public":
        return []
    if scope == "client":
        return [{"clientSecretBasic": []}, {}]
    scopes = [scope] if scope else []
    return [{"oauth2": scopes}, {"personalAccessToken": scopes}]


def _operation(method: str, path: str, operation_id: str, generated: Schema) -> Schema:
    documented = OPERATIONS.get(operation_id)
    if documented is None:
        raise OpenApiError(f"{method} {path}: operation {operation_id} is not documented in OPERATIONS")
    op: Schema = {"tags": documented["tags"], "operationId": operation_id, "summary": documented["summary"]}
    if "description" in documented:
        op["description"] = documented["description"]
    # Path parameters are renamed to the contract's; FastAPI's own query/header ones are kept and
    # the documented ones fill in what the hand-written parsers read.
    parameters = [prm for prm in generated.get("parameters", []) if prm.get("in") != "path"]
    declared = {(prm["name"], prm["in"]) for prm in parameters}
    for prm in documented.get("parameters", []):
        resolved = PARAMETERS[prm["$ref"].rsplit("/", 1)[1]] if "$ref" in prm else prm
        if (resolved["name"], resolved["in"]) not in declared:
            parameters.append(deepcopy(prm))
    if parameters:
        op["parameters"] = parameters
    if "requestBody" in documented:
        op["requestBody"] = deepcopy(documented["requestBody"])
    op["responses"] = deepcopy(dict(sorted(documented["responses"].items())))
    op["security"] = _security(documented["scope"])
    if documented["scope"] not in ("", "public", "client"):
        op["x-required-scope"] = documented["scope"]
    return op


def _series_schemas() -> dict[str, Schema]:
    """The series components, from the contract's models (35-series)."""
    from pydantic.json_schema import models_json_schema

    from fortytwo.contract import series as contract

    models = (
        contract.Series,
        contract.SeriesActionResult,
        contract.CreateSeriesBody,
        contract.PatchSeriesBody,
        contract.ChangeHostBody,
    )
    _, top = models_json_schema(
        [(model, "serialization") for model in models], ref_template="#/components/schemas/{model}"
    )
    return dict(sorted(top["$defs"].items()))


def merged_openapi(server: str = DEFAULT_SERVER) -> dict[str, Any]:
    """The whole API as one OpenAPI 3.1 document (paths sorted; deterministic for a given code base)."""
    paths: dict[str, dict[str, Schema]] = {}
    for method, path, generated in code_operations():
        operation_id = OPERATION_IDS.get((method, path))
        if operation_id is None:
            raise OpenApiError(f"{method} {path} has no operationId in OPERATION_IDS")
        paths.setdefault(path, {})[method.lower()] = _operation(method, path, operation_id, generated)
        for alias_path, alias_id in GREEDY_ALIASES.get((method, path), []):
            paths.setdefault(alias_path, {})[method.lower()] = _operation(
                method, alias_path, alias_id, generated
            )
    order = ("get", "post", "patch", "delete")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "42min API",
            "version": "1.0.0",
            "summary": "Scheduling, availability, bookings and webhooks.",
            "description": 'Every success on `/v1/*` (outside `/v1/oauth/*`) is `{"data": …, "meta": '
            '{"request_id": …}}`; '
            'every error is `{"error": {code, message, details, request_id}}`. Every response carries '
            "`X-Request-Id` and the `X-RateLimit-*` headers. Unknown routes answer 404, unknown methods 405 "
            "with `Allow`. Ignore unknown fields: new fields, enum values and error codes ship without "
            "notice. "
            "Operations marked (extension) are this implementation's additions.",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": server}],
        "security": [{"oauth2": []}, {"personalAccessToken": []}],
        "tags": TAGS,
        "paths": {
            path: dict(sorted(item.items(), key=lambda kv: order.index(kv[0])))
            for path, item in sorted(paths.items())
        },
        "webhooks": _outbound_webhooks(),
        "components": {
            "securitySchemes": _security_schemes(server),
            "parameters": deepcopy(PARAMETERS),
            "headers": deepcopy(HEADERS),
            "responses": deepcopy(RESPONSES),
            "requestBodies": deepcopy(REQUEST_BODIES),
            "schemas": {**deepcopy(SCHEMAS), **_series_schemas()},
        },
    }
