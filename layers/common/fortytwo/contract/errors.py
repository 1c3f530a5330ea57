"""THE error catalogue of the API (00-conventions §5.2, §5.4 and every chapter's error table).

`CATALOGUE` declares each envelope error code once: HTTP status, default message, the shape of
`details` (a TypedDict), the headers it adds and when it happens. The exception classes below take
their status and default message from it (`__init_subclass__` refuses a class whose code is not
catalogued), `error_for` builds the typed error of any catalogued code, and the OpenAPI document
describes its error responses from it. `OAUTH_CATALOGUE` does the same for the raw OAuth bodies.
Rendering happens in one place (http/responses.py).
"""

# No `from __future__ import annotations` here: the TypedDicts would then compile a ForwardRef per
# member at import, and every function imports this module at cold start.
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Literal, NamedTuple, TypedDict

# --- details shapes -------------------------------------------------------------------------------


class NoDetails(TypedDict):
    """`{}`: nothing to add."""


class FieldProblem(TypedDict):
    field: str
    message: str


class ValidationDetails(TypedDict):
    fields: list[FieldProblem]


class QueryParamDetails(TypedDict):
    param: str


class ScopeDetails(TypedDict):
    required_scope: str


class SlotUnavailableDetails(TypedDict):
    reason: Literal["outside_minimum_notice", "outside_future_limit", "slot_busy"]


class ReplacedByDetails(TypedDict):
    replaced_by: str | None


class VersionDetails(TypedDict):
    current_version: int


class DuplicateUrlDetails(TypedDict):
    webhook_id: str


class MaxBytesDetails(TypedDict):
    max_bytes: int


class FieldNamesDetails(TypedDict):
    fields: list[str]


class LimitDetails(TypedDict):
    limit: int


class RateLimitDetails(TypedDict):
    bucket: str
    limit: int
    window_seconds: int


# --- the catalogue --------------------------------------------------------------------------------

Surface = Literal["rest", "cli", "admin"]


_NONE: Mapping[str, Any] = MappingProxyType({})


class ErrorSpec(NamedTuple):
    """One error code. `headers`: names of the extra headers it carries; `fixed_headers`: their
    values when constant. `emitted` False: reserved by the contract, nothing raises it today.
    `name`: set only when `code` is answered with another status too (406 `invalid_request`).
    (A NamedTuple, not a dataclass: every function imports this module at cold start.)"""

    code: str
    status: int
    message: str
    when: str
    details: type = NoDetails
    example: Mapping[str, Any] = _NONE
    headers: tuple[str, ...] = ()
    fixed_headers: Mapping[str, str] = _NONE
    chapter: str = "00"
    emitted: bool = True
    surface: Surface = "rest"
    name: str = ""

    @property
    def key(self) -> str:
        """The catalogue key: the code, or `name` for a code answered with a second status."""
        return self.name or self.code


_RETRY_1 = {"Retry-After": "1"}
_BEARER = "WWW-Authenticate"


def _unauthorized(code: str, message: str, when: str) -> ErrorSpec:
    """A 401 of the bearer check: it carries the Bearer challenge naming the code (10-auth §5)."""
    return ErrorSpec(
        code, 401, message, when, headers=(_BEARER,), fixed_headers=_challenge(code), chapter="10"
    )


def _challenge(code: str) -> dict[str, str]:
    """The 401 challenge of a bearer failure (00-conventions §5.2): constant per code."""
    return {_BEARER: f'Bearer realm="42min", error="invalid_token", error_description="{code}"'}


_SPECS: tuple[ErrorSpec, ...] = (
    # 400
    ErrorSpec(
        "invalid_request",
        400,
        "The request is malformed.",
        "Body not parseable JSON, not an object, or empty where required; a malformed header without "
        "a more specific code; a bare or malformed event type identifier.",
    ),
    ErrorSpec(
        "validation_error",
        400,
        "The request body is invalid",
        "The JSON body breaks a field rule; one entry per failing field, in body order.",
        ValidationDetails,
        {"fields": [{"field": "attendee.email", "message": "is required"}]},
    ),
    ErrorSpec(
        "invalid_query_param",
        400,
        "A query parameter is invalid.",
        "A query parameter is missing, malformed, out of range, repeated or inconsistent.",
        QueryParamDetails,
        {"param": "limit"},
    ),
    ErrorSpec(
        "missing_idempotency_key",
        400,
        "The Idempotency-Key header is required.",
        "`Idempotency-Key` absent on a booking write or a webhook redelivery.",
        chapter="30",
    ),
    ErrorSpec(
        "invalid_idempotency_key",
        400,
        "The Idempotency-Key header must be 1-255 printable ASCII characters.",
        "(extension) `Idempotency-Key` empty, longer than 255 or not printable ASCII.",
        chapter="30",
    ),
    ErrorSpec(
        "invalid_if_match",
        400,
        "The If-Match header is malformed.",
        '`If-Match` present but not `"3"`, `W/"3"`, `3` or `*`.',
        chapter="30",
    ),
    # 401
    _unauthorized(
        "invalid_token",
        "The access token is missing, malformed or unknown.",
        "Bearer credential missing, malformed, unknown or not matching its hash.",
    ),
    _unauthorized(
        "token_expired",
        "The access token has expired.",
        "PAT past `expires_at`; OAuth access token past its hour.",
    ),
    _unauthorized(
        "token_revoked",
        "The access token has been revoked.",
        "PAT revoked; OAuth access token revoked, alone or with its grant.",
    ),
    # 403
    ErrorSpec(
        "insufficient_scope",
        403,
        "This action requires another scope.",
        "Valid credential without the operation's scope.",
        ScopeDetails,
        {"required_scope": "bookings:create"},
        headers=(_BEARER,),
        chapter="10",
    ),
    ErrorSpec(
        "forbidden",
        403,
        "This credential may not perform this action.",
        "(50-mcp) `POST /mcp` from an `Origin` other than the issuer's; reserved on `/v1`.",
    ),
    # 404
    ErrorSpec(
        "not_found",
        404,
        "The requested resource was not found.",
        "Unknown route; `/v1/me` without its user; webhook id unknown, malformed or another sandbox's.",
    ),
    ErrorSpec(
        "event_type_not_found",
        404,
        "Event type not found.",
        "Event type id, slug or `username/slug` unknown or another organization's.",
        chapter="20",
    ),
    ErrorSpec(
        "booking_not_found",
        404,
        "Booking not found.",
        "Booking uid unknown, not a UUID, or another organization's.",
        chapter="30",
    ),
    ErrorSpec(
        "series_not_found",
        404,
        "Series not found.",
        "Series uid unknown, not a UUID, or another organization's.",
        chapter="35",
    ),
    # 405
    ErrorSpec(
        "method_not_allowed",
        405,
        "This method is not allowed on this resource.",
        "Known path, unsupported method.",
        headers=("Allow",),
    ),
    # 409
    ErrorSpec(
        "slot_unavailable",
        409,
        "The requested start is not available.",
        "The start cannot be booked (create or reschedule), including a lost race at commit.",
        SlotUnavailableDetails,
        {"reason": "slot_busy"},
        chapter="30",
    ),
    ErrorSpec(
        "slot_in_past", 409, "The requested start is in the past.", "The (new) start is past.", chapter="30"
    ),
    ErrorSpec(
        "event_type_inactive",
        409,
        "The event type is switched off.",
        "Booking create or reschedule on an inactive event type.",
        chapter="30",
    ),
    ErrorSpec(
        "booking_in_past", 409, "The booking has already ended.", "Cancel of an ended booking.", chapter="30"
    ),
    ErrorSpec(
        "booking_already_cancelled",
        409,
        "The booking is already cancelled.",
        "Reschedule of a canceled booking.",
        chapter="30",
    ),
    ErrorSpec(
        "booking_already_rescheduled",
        409,
        "The booking was already replaced by a reschedule.",
        "(extension) Cancel or reschedule of a booking already replaced.",
        ReplacedByDetails,
        {"replaced_by": "019e3a19-5800-726b-b2a7-4de452e6b438"},
        chapter="30",
    ),
    ErrorSpec(
        "version_conflict",
        409,
        "The If-Match version does not match the current version",
        "`If-Match` is not the current version, or the conditional write lost a race.",
        VersionDetails,
        {"current_version": 4},
        chapter="30",
    ),
    ErrorSpec(
        "idempotency_key_conflict",
        409,
        "This Idempotency-Key was already used with a different request.",
        "Same `Idempotency-Key` reused with a different request.",
        chapter="30",
    ),
    ErrorSpec(
        "idempotency_in_progress",
        409,
        "A request with this Idempotency-Key is still in progress.",
        "Same key while the first request is still running.",
        headers=("Retry-After",),
        fixed_headers=_RETRY_1,
        chapter="30",
    ),
    ErrorSpec(
        "duplicate_url",
        409,
        "This URL is already subscribed.",
        "Webhook URL already subscribed in the caller's sandbox.",
        DuplicateUrlDetails,
        {"webhook_id": "019e449c-fe80-783c-af56-4652466de486"},
        chapter="40",
    ),
    ErrorSpec(
        "webhook_paused",
        409,
        "This webhook is paused; resume it before redelivering.",
        "Redelivery to a paused subscription (55-admin-center §6 check 3).",
        chapter="55",
    ),
    ErrorSpec(
        "delivery_pending",
        409,
        "A delivery of this event to this webhook is still pending; wait until it finishes.",
        "Redelivery while a delivery of the same event to the subscription is scheduled or retrying "
        "(55-admin-center §6 check 4).",
        chapter="55",
    ),
    ErrorSpec(
        "conflict",
        409,
        "The request conflicts with the current state.",
        "Reserved: no v1 endpoint emits it today.",
        emitted=False,
    ),
    ErrorSpec(
        "series_ended",
        409,
        "The series has ended and cannot be changed.",
        "`PATCH`, pause, resume or change of host on an ended series.",
        chapter="35",
    ),
    ErrorSpec(
        "series_operation_in_progress",
        409,
        "Another operation is changing this series; retry shortly.",
        "(extension) A series write while another write holds the series lease.",
        headers=("Retry-After",),
        fixed_headers=_RETRY_1,
        chapter="35",
    ),
    # 413, 415
    ErrorSpec(
        "payload_too_large",
        413,
        "The request body is larger than 65536 bytes.",
        "Body larger than 65,536 bytes.",
        MaxBytesDetails,
        {"max_bytes": 65536},
    ),
    ErrorSpec(
        "invalid_request",
        406,
        "The Accept header must admit application/json.",
        "(50-mcp) `POST /mcp` whose `Accept` admits neither `application/json` nor a wildcard of it.",
        chapter="50",
        name="not_acceptable",
    ),
    ErrorSpec(
        "unsupported_media_type",
        415,
        "The body must be sent as application/json.",
        "Non-empty body on a JSON endpoint without `application/json` (charset, if any, utf-8).",
    ),
    # 422
    ErrorSpec(
        "field_immutable",
        422,
        "These fields cannot be changed with PATCH.",
        "`PATCH` body names an immutable field.",
        FieldNamesDetails,
        {"fields": ["start"]},
        chapter="30",
    ),
    ErrorSpec(
        "attendee_email_invalid",
        422,
        "The attendee email address is not valid.",
        "`attendee.email` is not an acceptable address.",
        chapter="30",
    ),
    ErrorSpec(
        "attendee_phone_required",
        422,
        "A phone number is required for SMS reminders.",
        "SMS opt-in without a phone number.",
        chapter="30",
    ),
    ErrorSpec(
        "attendee_phone_invalid",
        422,
        "The phone number is not a valid international number.",
        "A phone number that is not a valid international number.",
        chapter="30",
    ),
    ErrorSpec(
        "event_type_disallows_reschedule",
        422,
        "This event type does not allow rescheduling.",
        "Reschedule on an event type with rescheduling disabled.",
        chapter="30",
    ),
    ErrorSpec(
        "event_type_disallows_cancel",
        422,
        "This event type does not allow cancellation.",
        "(extension) Cancel on an event type with cancellation disabled.",
        chapter="30",
    ),
    ErrorSpec(
        "missing_required_responses",
        422,
        "Required questions are unanswered.",
        "(extension) Required invitee questions unanswered on create.",
        FieldNamesDetails,
        {"fields": ["company"]},
        chapter="30",
    ),
    ErrorSpec(
        "webhook_url_forbidden",
        422,
        "The webhook URL points to a forbidden address.",
        "Webhook host is, or resolves to, a non-public address.",
        chapter="40",
    ),
    ErrorSpec(
        "webhook_limit_reached",
        422,
        "This credential already has 25 webhook subscriptions.",
        "The sandbox already holds 25 subscriptions.",
        LimitDetails,
        {"limit": 25},
        chapter="40",
    ),
    ErrorSpec(
        "event_type_disallows_series",
        422,
        "This event type does not allow recurring series.",
        "(extension) Series create on a group event type or one with `allow_series` false.",
        chapter="35",
    ),
    ErrorSpec(
        "host_not_eligible",
        422,
        "host_user_id is not a member of this organization.",
        "(extension) Series create or change of host naming a user outside the organization.",
        chapter="35",
    ),
    ErrorSpec(
        "starts_on_out_of_range",
        422,
        "starts_on must be between today and 365 days ahead in the series timezone.",
        "(extension) Series `starts_on` before today or after today + 365 days (series timezone).",
        chapter="35",
    ),
    ErrorSpec(
        "location_url_not_set",
        422,
        "This series has no location_url; one cannot be added later.",
        "(extension) Series `PATCH` giving `location_url` to a series created without one.",
        chapter="35",
    ),
    # 428, 429
    ErrorSpec(
        "missing_if_match",
        428,
        "The If-Match header is required.",
        "`If-Match` absent on `PATCH /v1/bookings/{uid}`.",
        chapter="30",
    ),
    ErrorSpec(
        "rate_limited",
        429,
        "Rate limit exceeded.",
        "The request's bucket is exhausted for the current window.",
        RateLimitDetails,
        {"bucket": "pat", "limit": 120, "window_seconds": 60},
        headers=("Retry-After",),
    ),
    # 5xx
    ErrorSpec(
        "internal_error",
        500,
        "An unexpected error occurred. Quote the request id when reporting it.",
        "Unexpected failure, logged with the request id.",
    ),
    ErrorSpec(
        "service_unavailable",
        503,
        "A dependency is unavailable; retry shortly.",
        "A dependency failed or throttled after bounded retries.",
        headers=("Retry-After",),
        fixed_headers=_RETRY_1,
    ),
    ErrorSpec(
        "slot_lock_timeout",
        503,
        "The slot is being booked concurrently; retry with the same Idempotency-Key.",
        "A create or reschedule commit lost to concurrent bookings of the same slot after retries.",
        headers=("Retry-After",),
        fixed_headers=_RETRY_1,
        chapter="30",
    ),
    # Not on the REST surface: `42min admin booking no-show`.
    ErrorSpec(
        "booking_not_active",
        409,
        "Only active bookings can be marked.",
        "No-show of a booking that is not confirmed or pending.",
        chapter="60",
        surface="cli",
    ),
    ErrorSpec(
        "booking_not_started",
        409,
        "The booking has not started yet.",
        "No-show of a booking that has not started.",
        chapter="60",
        surface="cli",
    ),
)

CATALOGUE: dict[str, ErrorSpec] = {spec.key: spec for spec in _SPECS}


class OAuthErrorSpec(NamedTuple):
    """An `error` of the raw OAuth bodies (00-conventions §5.4, 10-auth §6, 50-mcp §4.5)."""

    error: str
    statuses: tuple[int, ...]
    endpoints: tuple[str, ...]
    when: str


OAUTH_CATALOGUE: dict[str, OAuthErrorSpec] = {
    spec.error: spec
    for spec in (
        OAuthErrorSpec(
            "invalid_request",
            (400, 413),
            ("token", "revoke", "introspect", "register", "authorize"),
            "Malformed form, repeated or missing parameter, two client authentications; 413 too large.",
        ),
        OAuthErrorSpec(
            "invalid_client",
            (401, 400),
            ("token", "revoke", "introspect", "authorize"),
            "Client unknown or its authentication wrong; public client at introspect.",
        ),
        OAuthErrorSpec("invalid_grant", (400,), ("token",), "Code or refresh token unusable; PKCE wrong."),
        OAuthErrorSpec("unauthorized_client", (400,), ("token",), "Client not registered for this grant."),
        OAuthErrorSpec("unsupported_grant_type", (400,), ("token",), "Unknown `grant_type`."),
        OAuthErrorSpec("invalid_scope", (400,), ("token", "authorize"), "Unknown or ungranted scope."),
        OAuthErrorSpec(
            "invalid_redirect_uri", (400,), ("register", "authorize"), "Redirect URIs missing or invalid."
        ),
        OAuthErrorSpec("invalid_client_metadata", (400,), ("register",), "Any other metadata invalid."),
        OAuthErrorSpec("invalid_target", (400,), ("token", "authorize"), "(50-mcp) Unaccepted `resource`."),
        OAuthErrorSpec("invalid_csrf", (400,), ("authorize",), "Form post without the session's CSRF token."),
        OAuthErrorSpec("unsupported_response_type", (), ("authorize",), "`response_type` other than code."),
        OAuthErrorSpec("access_denied", (), ("authorize",), "The user denied consent."),
        OAuthErrorSpec(
            "rate_limited",
            (429,),
            ("token", "revoke", "introspect", "register", "authorize"),
            "Bucket exhausted.",
        ),
        OAuthErrorSpec(
            "server_error", (500,), ("token", "revoke", "introspect", "register", "authorize"), "Unexpected."
        ),
        OAuthErrorSpec(
            "temporarily_unavailable",
            (503,),
            ("token", "revoke", "introspect", "register", "authorize"),
            "Dependency failure after bounded retries.",
        ),
    )
}


# --- the exception classes (status and default message from the catalogue) -----------------------

CLASSES: dict[str, "type[ApiError]"] = {}


class ApiError(Exception):
    """An error answered with the standard error envelope.

    A subclass names its code (`class X(ApiError, code="..."):`); status, default message and
    constant headers come from `CATALOGUE`.
    """

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    key: ClassVar[str] = "internal_error"  # its catalogue entry (the code unless answered twice)
    default_message: ClassVar[str] = CATALOGUE["internal_error"].message

    def __init_subclass__(cls, code: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if code is None:  # an abstract intermediate class (e.g. _Unauthorized)
            return
        spec = CATALOGUE.get(code)
        if spec is None:
            raise TypeError(f"{cls.__name__}: error code {code!r} is not in the catalogue")
        cls.status, cls.code, cls.key, cls.default_message = spec.status, spec.code, code, spec.message
        CLASSES.setdefault(code, cls)

    def __init__(
        self,
        message: str | None = None,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.details = details or {}
        spec = CATALOGUE.get(self.key)
        self.headers = {**(spec.fixed_headers if spec else {}), **(headers or {})}
        super().__init__(self.message)

    @classmethod
    def from_catalogue(cls, message: str | None, details: dict[str, Any]) -> "ApiError":
        """The error from a message and its (shape-checked) details; classes whose headers depend
        on the request override it or refuse."""
        spec = CATALOGUE[cls.key]
        if set(spec.headers) - set(spec.fixed_headers):
            raise ValueError(f"{cls.code} needs {cls.__name__}(...): its headers depend on the request")
        error = Exception.__new__(cls)
        ApiError.__init__(error, message, details=details)
        return error


def _error(name: str, code: str) -> type[ApiError]:
    """A class for a code whose details are always `{}` (its message may be overridden)."""
    return type(name, (ApiError,), {"__module__": __name__}, code=code)


InvalidRequest = _error("InvalidRequest", "invalid_request")
NotAcceptable = _error("NotAcceptable", "not_acceptable")  # 50-mcp §2.2 step 6
MissingIdempotencyKey = _error("MissingIdempotencyKey", "missing_idempotency_key")
InvalidIdempotencyKey = _error("InvalidIdempotencyKey", "invalid_idempotency_key")
InvalidIfMatch = _error("InvalidIfMatch", "invalid_if_match")
Forbidden = _error("Forbidden", "forbidden")
NotFound = _error("NotFound", "not_found")
EventTypeNotFound = _error("EventTypeNotFound", "event_type_not_found")
BookingNotFound = _error("BookingNotFound", "booking_not_found")
SeriesNotFound = _error("SeriesNotFound", "series_not_found")
SlotInPast = _error("SlotInPast", "slot_in_past")
EventTypeInactive = _error("EventTypeInactive", "event_type_inactive")
BookingInPast = _error("BookingInPast", "booking_in_past")
BookingAlreadyCancelled = _error("BookingAlreadyCancelled", "booking_already_cancelled")
IdempotencyKeyConflict = _error("IdempotencyKeyConflict", "idempotency_key_conflict")
Conflict = _error("Conflict", "conflict")
SeriesEnded = _error("SeriesEnded", "series_ended")
SeriesOperationInProgress = _error("SeriesOperationInProgress", "series_operation_in_progress")
UnsupportedMediaType = _error("UnsupportedMediaType", "unsupported_media_type")
AttendeeEmailInvalid = _error("AttendeeEmailInvalid", "attendee_email_invalid")
AttendeePhoneRequired = _error("AttendeePhoneRequired", "attendee_phone_required")
AttendeePhoneInvalid = _error("AttendeePhoneInvalid", "attendee_phone_invalid")
EventTypeDisallowsReschedule = _error("EventTypeDisallowsReschedule", "event_type_disallows_reschedule")
EventTypeDisallowsCancel = _error("EventTypeDisallowsCancel", "event_type_disallows_cancel")
EventTypeDisallowsSeries = _error("EventTypeDisallowsSeries", "event_type_disallows_series")
HostNotEligible = _error("HostNotEligible", "host_not_eligible")
StartsOnOutOfRange = _error("StartsOnOutOfRange", "starts_on_out_of_range")
LocationUrlNotSet = _error("LocationUrlNotSet", "location_url_not_set")
WebhookUrlForbidden = _error("WebhookUrlForbidden", "webhook_url_forbidden")
MissingIfMatch = _error("MissingIfMatch", "missing_if_match")
InternalError = _error("InternalError", "internal_error")
BookingNotActive = _error("BookingNotActive", "booking_not_active")
BookingNotStarted = _error("BookingNotStarted", "booking_not_started")
WebhookPaused = _error("WebhookPaused", "webhook_paused")
DeliveryPending = _error("DeliveryPending", "delivery_pending")


class ValidationFailed(ApiError, code="validation_error"):
    """400 validation_error with `details.fields` in body order."""

    def __init__(self, fields: list[dict[str, str]], message: str | None = None) -> None:
        super().__init__(message, details={"fields": fields})

    @classmethod
    def one(cls, field: str, message: str) -> "ValidationFailed":
        return cls([{"field": field, "message": message}])


class InvalidQueryParam(ApiError, code="invalid_query_param"):
    def __init__(self, param: str, message: str | None = None) -> None:
        super().__init__(message or f"{param} is invalid", details={"param": param})


class _Unauthorized(ApiError):
    """A bearer failure: fixed message, the catalogue's `WWW-Authenticate` challenge."""

    def __init__(self) -> None:
        super().__init__()


class InvalidToken(_Unauthorized, code="invalid_token"):
    pass


class TokenExpired(_Unauthorized, code="token_expired"):
    pass


class TokenRevoked(_Unauthorized, code="token_revoked"):
    pass


class InsufficientScope(ApiError, code="insufficient_scope"):
    @classmethod
    def from_catalogue(cls, message: str | None, details: dict[str, Any]) -> "ApiError":
        return cls(str(details["required_scope"]))

    def __init__(self, scope: str) -> None:
        super().__init__(
            f"This action requires the '{scope}' scope",
            details={"required_scope": scope},
            headers={
                "WWW-Authenticate": f'Bearer realm="42min", error="insufficient_scope", scope="{scope}"'
            },
        )


class MethodNotAllowed(ApiError, code="method_not_allowed"):
    def __init__(self, method: str, allowed: list[str]) -> None:
        super().__init__(f"{method} is not allowed on this resource", headers={"Allow": ", ".join(allowed)})


class SlotUnavailable(ApiError, code="slot_unavailable"):
    def __init__(self, reason: str, message: str | None = None) -> None:
        super().__init__(message, details={"reason": reason})


class BookingAlreadyRescheduled(ApiError, code="booking_already_rescheduled"):
    def __init__(self, replaced_by: str | None) -> None:
        super().__init__(details={"replaced_by": replaced_by})


class VersionConflict(ApiError, code="version_conflict"):
    def __init__(self, current_version: int, message: str | None = None) -> None:
        super().__init__(message, details={"current_version": current_version})


class IdempotencyInProgress(ApiError, code="idempotency_in_progress"):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(message)


class DuplicateUrl(ApiError, code="duplicate_url"):
    def __init__(self, webhook_id: str) -> None:
        super().__init__(details={"webhook_id": webhook_id})


class PayloadTooLarge(ApiError, code="payload_too_large"):
    def __init__(self) -> None:
        super().__init__(details={"max_bytes": 65536})


class FieldImmutable(ApiError, code="field_immutable"):
    def __init__(self, fields: list[str]) -> None:
        super().__init__(
            "These fields cannot be changed with PATCH: " + ", ".join(fields), details={"fields": fields}
        )


class WebhookLimitReached(ApiError, code="webhook_limit_reached"):
    def __init__(self, limit: int = 25) -> None:
        super().__init__(details={"limit": limit})


class MissingRequiredResponses(ApiError, code="missing_required_responses"):
    def __init__(self, keys: list[str]) -> None:
        super().__init__(details={"fields": keys})


class RateLimited(ApiError, code="rate_limited"):
    def __init__(self, bucket: str, limit: int, retry_after: int) -> None:
        super().__init__(
            f"Rate limit exceeded; retry in {retry_after}s.",
            details={"bucket": bucket, "limit": limit, "window_seconds": 60},
            headers={"Retry-After": str(retry_after)},
        )
        self.retry_after = retry_after


class ServiceUnavailable(ApiError, code="service_unavailable"):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(message)


class SlotLockTimeout(ApiError, code="slot_lock_timeout"):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(message)


# --- lookup ---------------------------------------------------------------------------------------


def error_for(code: str, message: str | None = None, details: Mapping[str, Any] | None = None) -> ApiError:
    """The typed error of a catalogued code (e.g. a domain rule's `BookingRuleError`).

    Only the members of the code's declared details shape are kept (a domain detail never leaks into
    a `{}` error); an uncatalogued code is an internal error, never a made-up one.
    """
    spec = CATALOGUE.get(code)
    if spec is None:
        return InternalError()
    # Every declared member is present (null when the rule gave none); a lost race is `slot_busy`.
    fallback = {"reason": "slot_busy"} if code == "slot_unavailable" else {}
    kept = {name: (details or {}).get(name, fallback.get(name)) for name in spec.details.__annotations__}
    return CLASSES[code].from_catalogue(message, kept)
