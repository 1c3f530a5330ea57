"""The typed error hierarchy of 00-conventions §5.2. Rendering happens in one place (render.py)."""

from __future__ import annotations

from typing import Any, ClassVar


class ApiError(Exception):
    """An error answered with the standard error envelope."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    default_message: ClassVar[str] = "An unexpected error occurred. Quote the request id when reporting it."

    def __init__(
        self,
        message: str | None = None,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.details = details or {}
        self.headers = headers or {}
        super().__init__(self.message)


def _error(name: str, status: int, code: str, message: str) -> type[ApiError]:
    return type(name, (ApiError,), {"status": status, "code": code, "default_message": message})


InvalidRequest = _error("InvalidRequest", 400, "invalid_request", "The request is malformed.")
MissingIdempotencyKey = _error(
    "MissingIdempotencyKey", 400, "missing_idempotency_key", "The Idempotency-Key header is required."
)
InvalidIdempotencyKey = _error(
    "InvalidIdempotencyKey",
    400,
    "invalid_idempotency_key",
    "The Idempotency-Key header must be 1-255 printable ASCII characters.",
)
InvalidIfMatch = _error("InvalidIfMatch", 400, "invalid_if_match", "The If-Match header is malformed.")
Forbidden = _error("Forbidden", 403, "forbidden", "This credential may not perform this action.")
NotFound = _error("NotFound", 404, "not_found", "The requested resource was not found.")
EventTypeNotFound = _error("EventTypeNotFound", 404, "event_type_not_found", "Event type not found.")
BookingNotFound = _error("BookingNotFound", 404, "booking_not_found", "Booking not found.")
SlotInPast = _error("SlotInPast", 409, "slot_in_past", "The requested start is in the past.")
EventTypeInactive = _error("EventTypeInactive", 409, "event_type_inactive", "The event type is switched off.")
BookingInPast = _error("BookingInPast", 409, "booking_in_past", "The booking has already ended.")
BookingAlreadyCancelled = _error(
    "BookingAlreadyCancelled", 409, "booking_already_cancelled", "The booking is already cancelled."
)
IdempotencyKeyConflict = _error(
    "IdempotencyKeyConflict",
    409,
    "idempotency_key_conflict",
    "This Idempotency-Key was already used with a different request.",
)
Conflict = _error("Conflict", 409, "conflict", "The request conflicts with the current state.")
UnsupportedMediaType = _error(
    "UnsupportedMediaType", 415, "unsupported_media_type", "The body must be sent as application/json."
)
AttendeeEmailInvalid = _error(
    "AttendeeEmailInvalid", 422, "attendee_email_invalid", "The attendee email address is not valid."
)
AttendeePhoneRequired = _error(
    "AttendeePhoneRequired", 422, "attendee_phone_required", "A phone number is required for SMS reminders."
)
AttendeePhoneInvalid = _error(
    "AttendeePhoneInvalid",
    422,
    "attendee_phone_invalid",
    "The phone number is not a valid international number.",
)
EventTypeDisallowsReschedule = _error(
    "EventTypeDisallowsReschedule",
    422,
    "event_type_disallows_reschedule",
    "This event type does not allow rescheduling.",
)
EventTypeDisallowsCancel = _error(
    "EventTypeDisallowsCancel",
    422,
    "event_type_disallows_cancel",
    "This event type does not allow cancellation.",
)
WebhookUrlForbidden = _error(
    "WebhookUrlForbidden", 422, "webhook_url_forbidden", "The webhook URL points to a forbidden address."
)
MissingIfMatch = _error("MissingIfMatch", 428, "missing_if_match", "The If-Match header is required.")
InternalError = _error(
    "InternalError",
    500,
    "internal_error",
    "An unexpected error occurred. Quote the request id when reporting it.",
)


class ValidationFailed(ApiError):
    """400 validation_error with `details.fields` in body order."""

    status = 400
    code = "validation_error"
    default_message = "The request body is invalid"

    def __init__(self, fields: list[dict[str, str]], message: str | None = None) -> None:
        super().__init__(message, details={"fields": fields})

    @classmethod
    def one(cls, field: str, message: str) -> ValidationFailed:
        return cls([{"field": field, "message": message}])


class InvalidQueryParam(ApiError):
    status = 400
    code = "invalid_query_param"

    def __init__(self, param: str, message: str | None = None) -> None:
        super().__init__(message or f"{param} is invalid", details={"param": param})


class _Unauthorized(ApiError):
    status = 401

    def __init__(self) -> None:
        description = self.code
        super().__init__(
            headers={
                "WWW-Authenticate": (
                    f'Bearer realm="42min", error="invalid_token", error_description="{description}"'
                )
            }
        )


class InvalidToken(_Unauthorized):
    code = "invalid_token"
    default_message = "The access token is missing, malformed or unknown."


class TokenExpired(_Unauthorized):
    code = "token_expired"
    default_message = "The access token has expired."


class TokenRevoked(_Unauthorized):
    code = "token_revoked"
    default_message = "The access token has been revoked."


class InsufficientScope(ApiError):
    status = 403
    code = "insufficient_scope"

    def __init__(self, scope: str) -> None:
        super().__init__(
            f"This action requires the '{scope}' scope",
            details={"required_scope": scope},
            headers={
                "WWW-Authenticate": f'Bearer realm="42min", error="insufficient_scope", scope="{scope}"'
            },
        )


class MethodNotAllowed(ApiError):
    status = 405
    code = "method_not_allowed"

    def __init__(self, method: str, allowed: list[str]) -> None:
        super().__init__(f"{method} is not allowed on this resource", headers={"Allow": ", ".join(allowed)})


class SlotUnavailable(ApiError):
    status = 409
    code = "slot_unavailable"
    default_message = "The requested start is not available."

    def __init__(self, reason: str, message: str | None = None) -> None:
        super().__init__(message, details={"reason": reason})


class BookingAlreadyRescheduled(ApiError):
    status = 409
    code = "booking_already_rescheduled"
    default_message = "The booking was already replaced by a reschedule."

    def __init__(self, replaced_by: str | None) -> None:
        super().__init__(details={"replaced_by": replaced_by})


class VersionConflict(ApiError):
    status = 409
    code = "version_conflict"
    default_message = "The If-Match version does not match the current version"

    def __init__(self, current_version: int, message: str | None = None) -> None:
        super().__init__(message, details={"current_version": current_version})


class IdempotencyInProgress(ApiError):
    status = 409
    code = "idempotency_in_progress"
    default_message = "A request with this Idempotency-Key is still in progress."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, headers={"Retry-After": "1"})


class DuplicateUrl(ApiError):
    status = 409
    code = "duplicate_url"
    default_message = "This URL is already subscribed."

    def __init__(self, webhook_id: str) -> None:
        super().__init__(details={"webhook_id": webhook_id})


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"
    default_message = "The request body is larger than 65536 bytes."

    def __init__(self) -> None:
        super().__init__(details={"max_bytes": 65536})


class FieldImmutable(ApiError):
    status = 422
    code = "field_immutable"

    def __init__(self, fields: list[str]) -> None:
        super().__init__(
            "These fields cannot be changed with PATCH: " + ", ".join(fields), details={"fields": fields}
        )


class WebhookLimitReached(ApiError):
    status = 422
    code = "webhook_limit_reached"
    default_message = "This credential already has 25 webhook subscriptions."

    def __init__(self, limit: int = 25) -> None:
        super().__init__(details={"limit": limit})


class MissingRequiredResponses(ApiError):
    status = 422
    code = "missing_required_responses"
    default_message = "Required questions are unanswered."

    def __init__(self, keys: list[str]) -> None:
        super().__init__(details={"fields": keys})


class RateLimited(ApiError):
    status = 429
    code = "rate_limited"

    def __init__(self, bucket: str, limit: int, retry_after: int) -> None:
        super().__init__(
            f"Rate limit exceeded; retry in {retry_after}s.",
            details={"bucket": bucket, "limit": limit, "window_seconds": 60},
            headers={"Retry-After": str(retry_after)},
        )
        self.retry_after = retry_after


class ServiceUnavailable(ApiError):
    status = 503
    code = "service_unavailable"
    default_message = "A dependency is unavailable; retry shortly."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, headers={"Retry-After": "1"})


class SlotLockTimeout(ApiError):
    status = 503
    code = "slot_lock_timeout"
    default_message = "The slot is being booked concurrently; retry with the same Idempotency-Key."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, headers={"Retry-After": "1"})


# --- Recurring series (35-series §14) ------------------------------------------------------------


class SeriesNotFound(ApiError):
    status = 404
    code = "series_not_found"
    default_message = "Series not found."


class SeriesEnded(ApiError):
    status = 409
    code = "series_ended"
    default_message = "The series has ended and cannot be changed."


class SeriesOperationInProgress(ApiError):
    status = 409
    code = "series_operation_in_progress"
    default_message = "Another operation is changing this series; retry shortly."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, headers={"Retry-After": "1"})


class EventTypeDisallowsSeries(ApiError):
    status = 422
    code = "event_type_disallows_series"
    default_message = "This event type does not allow recurring series."


class HostNotEligible(ApiError):
    status = 422
    code = "host_not_eligible"
    default_message = "host_user_id is not a member of this organization."


class StartsOnOutOfRange(ApiError):
    status = 422
    code = "starts_on_out_of_range"
    default_message = "starts_on must be between today and 365 days ahead in the series timezone."


class LocationUrlNotSet(ApiError):
    status = 422
    code = "location_url_not_set"
    default_message = "This series has no location_url; one cannot be added later."
