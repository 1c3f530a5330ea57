"""The booking domain's rule failures and the table's exhaustion, raised as the contract's errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError

from fortytwo.contract import errors
from fortytwo.domain.bookings.errors import BookingRuleError, FieldErrors
from fortytwo.observability import count_metric

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

# Codes the booking domain raises → the contract errors that render them (message passed through).
_SIMPLE: dict[str, type[errors.ApiError]] = {
    "missing_idempotency_key": errors.MissingIdempotencyKey,
    "invalid_idempotency_key": errors.InvalidIdempotencyKey,
    "missing_if_match": errors.MissingIfMatch,
    "invalid_if_match": errors.InvalidIfMatch,
    "booking_not_found": errors.BookingNotFound,
    "event_type_not_found": errors.EventTypeNotFound,
    "event_type_inactive": errors.EventTypeInactive,
    "slot_in_past": errors.SlotInPast,
    "booking_in_past": errors.BookingInPast,
    "booking_already_cancelled": errors.BookingAlreadyCancelled,
    "attendee_email_invalid": errors.AttendeeEmailInvalid,
    "attendee_phone_invalid": errors.AttendeePhoneInvalid,
    "attendee_phone_required": errors.AttendeePhoneRequired,
    "event_type_disallows_reschedule": errors.EventTypeDisallowsReschedule,
    "event_type_disallows_cancel": errors.EventTypeDisallowsCancel,
    "idempotency_in_progress": errors.IdempotencyInProgress,
    "slot_lock_timeout": errors.SlotLockTimeout,
    "service_unavailable": errors.ServiceUnavailable,
    # 35-series §14
    "series_not_found": errors.SeriesNotFound,
    "series_ended": errors.SeriesEnded,
    "series_operation_in_progress": errors.SeriesOperationInProgress,
    "event_type_disallows_series": errors.EventTypeDisallowsSeries,
    "host_not_eligible": errors.HostNotEligible,
    "starts_on_out_of_range": errors.StartsOnOutOfRange,
    "location_url_not_set": errors.LocationUrlNotSet,
}


def api_error(exc: BookingRuleError | FieldErrors) -> errors.ApiError:
    """The contract error of a booking rule failure."""
    if isinstance(exc, FieldErrors):
        return errors.ValidationFailed(exc.fields)
    code, details = exc.code, exc.details
    simple = _SIMPLE.get(code)
    if simple is not None:
        return simple(exc.message)
    if code == "slot_unavailable":
        return errors.SlotUnavailable(str(details.get("reason", "slot_busy")), exc.message)
    if code == "booking_already_rescheduled":
        return errors.BookingAlreadyRescheduled(details.get("replaced_by"))
    if code == "version_conflict":
        return errors.VersionConflict(int(details["current_version"]), exc.message)
    if code == "field_immutable":
        return errors.FieldImmutable(list(details["fields"]))
    if code == "missing_required_responses":
        error = errors.MissingRequiredResponses(list(details["fields"]))
        error.message = exc.message
        return error
    return errors.InternalError()


@contextmanager
def contract_errors() -> Iterator[None]:
    """Raise the domain's failures (and a table that stays exhausted) as the contract's errors."""
    try:
        yield
    except (BookingRuleError, FieldErrors) as exc:
        if isinstance(exc, BookingRuleError) and exc.code in _CONFLICTS:
            count_metric("BookingConflicts")
        raise api_error(exc) from exc
    except ClientError as exc:
        # The client already retried throttling with backoff: the table is exhausted for now.
        if exc.response.get("Error", {}).get("Code", "") in _EXHAUSTED:
            raise errors.ServiceUnavailable() from exc
        raise
    except BotoCoreError as exc:  # connection failures and timeouts after the client's retries
        raise errors.ServiceUnavailable() from exc
