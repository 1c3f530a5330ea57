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


def api_error(exc: BookingRuleError | FieldErrors) -> errors.ApiError:
    """The contract error of a booking rule failure: the catalogue decides status and details."""
    if isinstance(exc, FieldErrors):
        return errors.ValidationFailed(exc.fields)
    return errors.error_for(exc.code, exc.message, exc.details)


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
