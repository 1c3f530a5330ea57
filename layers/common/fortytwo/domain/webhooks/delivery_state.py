"""The delivery lifecycle (40-webhooks §7.4, §7.5, §7.9, §8.4) as pure transitions.

    pending(k) --due, subscription active--> in_flight(k) --2xx--> succeeded
        |                                        |--410--> failed(endpoint_gone)
        |                                        |--other failure, k < N--> pending(k+1)
        |                                        `--other failure, k = N--> failed(exhausted)
        `--due, subscription paused or deleted--> dropped

An in_flight claim that expired (the worker died) is claimed again with the same attempt
number. Every transition returns the new state and the effects the delivery function must
carry out: the log row, the subscription bookkeeping and what to do with the SQS message.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from fortytwo.domain.timefmt import format_ts
from fortytwo.domain.webhooks.envelope import OutboxEvent
from fortytwo.domain.webhooks.events import rest_name
from fortytwo.domain.webhooks.health import DeliveryHealthEvent, Status, sends_due_attempt
from fortytwo.domain.webhooks.retry import RetrySchedule, seconds_until

# Must exceed the longest time a live worker can hold a claim (the delivery function's
# timeout), so that an expired claim really means the worker is gone.
DEFAULT_CLAIM_LEASE_SECONDS = 60
LOG_RETENTION = timedelta(days=30)


class InvalidTransition(ValueError):
    """A transition that the lifecycle does not have (a bug in the caller)."""


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DROPPED = "dropped"


TERMINAL = frozenset({DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED, DeliveryStatus.DROPPED})


class FailureReason(StrEnum):
    EXHAUSTED = "exhausted"
    ENDPOINT_GONE = "endpoint_gone"


class AttemptError(StrEnum):
    """The `error` values of §7.4."""

    ENDPOINT_GONE = "endpoint_gone"
    REDIRECT_NOT_FOLLOWED = "redirect_not_followed"
    HTTP_ERROR = "http_error"
    TIMEOUT = "timeout"
    DNS_FAILURE = "dns_failure"
    FORBIDDEN_ADDRESS = "forbidden_address"
    CONNECTION_FAILED = "connection_failed"
    TLS_FAILURE = "tls_failure"


# Failures without a status line, as reported by the transport.
TRANSPORT_ERRORS = frozenset(
    {
        AttemptError.TIMEOUT,
        AttemptError.DNS_FAILURE,
        AttemptError.FORBIDDEN_ADDRESS,
        AttemptError.CONNECTION_FAILED,
        AttemptError.TLS_FAILURE,
    }
)


@dataclass(frozen=True, slots=True)
class AttemptOutcome:
    """The classified result of one POST (§7.4)."""

    status_code: int | None
    error: AttemptError | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def gone(self) -> bool:
        return self.error is AttemptError.ENDPOINT_GONE


def classify_attempt(
    status_code: int | None, transport_error: str | None, duration_ms: int
) -> AttemptOutcome:
    """Map what the transport saw to the §7.4 outcome. Exactly one of `status_code` and
    `transport_error` is given; a 2xx that arrived after the timeout is reported by the
    transport as `timeout`, so it never reaches here as a status."""
    duration_ms = max(0, int(duration_ms))
    if transport_error is not None:
        if status_code is not None:
            raise ValueError("a transport error has no status code")
        error = AttemptError(transport_error)
        if error not in TRANSPORT_ERRORS:
            raise ValueError(f"{transport_error!r} is not a transport error")
        return AttemptOutcome(None, error, duration_ms)
    if status_code is None:
        raise ValueError("either a status code or a transport error is needed")
    if 200 <= status_code <= 299:
        return AttemptOutcome(status_code, None, duration_ms)
    if status_code == 410:
        return AttemptOutcome(status_code, AttemptError.ENDPOINT_GONE, duration_ms)
    if 300 <= status_code <= 399:
        return AttemptOutcome(status_code, AttemptError.REDIRECT_NOT_FOLLOWED, duration_ms)
    return AttemptOutcome(status_code, AttemptError.HTTP_ERROR, duration_ms)


@dataclass(frozen=True, slots=True)
class DeliveryState:
    """Internal delivery state. `attempt` is the attempt due or being sent; in a terminal
    state it is the last attempt sent (a delivery dropped before attempt 1 keeps 1)."""

    status: DeliveryStatus
    attempt: int
    due_at: datetime | None = None  # pending only
    t0: datetime | None = None  # start of attempt 1; offsets are measured from it
    claimed_at: datetime | None = None  # in_flight: when this attempt started
    claim_expires_at: datetime | None = None
    failure: FailureReason | None = None  # failed only

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL


def new_delivery(now: datetime) -> DeliveryState:
    """What the fan-out creates: `pending(1)`, due immediately."""
    return DeliveryState(DeliveryStatus.PENDING, 1, due_at=now)


def never_claimed(state: DeliveryState) -> bool:
    """Still as the fan-out created it: its queue message may have been lost with the run that
    created it, so a re-run fan-out sends one again (harmless: attempts are claimed)."""
    return state.status is DeliveryStatus.PENDING and state.attempt == 1 and state.t0 is None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event for one subscription (§8.2) with its lifecycle state; every write of the state
    is conditional on `version`."""

    delivery_id: str
    subscription_id: str
    event: OutboxEvent
    state: DeliveryState
    version: int
    # The delivery this one repeats (55-admin-center §6), None for the fan-out's and tests' own.
    redelivery_of: str | None = None

    @property
    def rest_event(self) -> str:
        return rest_name(self.event.event)

    def moved_to(self, state: DeliveryState) -> Delivery:
        """The delivery as written by a state change conditional on this version."""
        return replace(self, state=state, version=self.version + 1)


# --- Effects ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """One deliveries-log row (§7.15) minus its identity (delivery id, event name)."""

    attempt: int
    status_code: int | None
    error: AttemptError | None
    created_at: datetime  # when the attempt started
    duration_ms: int
    delivered_at: datetime | None  # when the 2xx arrived
    next_retry_at: datetime | None

    @property
    def finished_at(self) -> datetime:
        return self.created_at + timedelta(milliseconds=self.duration_ms)

    def to_api(self, delivery_id: str, rest_event: str) -> dict[str, Any]:
        """The `WebhookDelivery` object; `rest_event` is the underscore name."""
        return {
            "id": delivery_id,
            "event": rest_event,
            "attempt": self.attempt,
            "status_code": self.status_code,
            "error": None if self.error is None else str(self.error),
            "delivered_at": None if self.delivered_at is None else format_ts(self.delivered_at),
            "created_at": format_ts(self.created_at),
            "duration_ms": self.duration_ms,
            "next_retry_at": None if self.next_retry_at is None else format_ts(self.next_retry_at),
        }


@dataclass(frozen=True, slots=True)
class LoggedAttempt:
    """A deliveries-log row as read back: the row plus the identity it is listed under."""

    delivery_id: str
    event: str  # underscore name
    record: AttemptRecord
    redelivery_of: str | None = None

    def to_api(self) -> dict[str, Any]:
        """The `WebhookDelivery` object, with `redelivery_of` (extension, 55-admin-center §6)."""
        return {**self.record.to_api(self.delivery_id, self.event), "redelivery_of": self.redelivery_of}


@dataclass(frozen=True, slots=True)
class SendAttempt:
    """The claim is written: resolve, check, sign with the current secret, send attempt k."""

    attempt: int


@dataclass(frozen=True, slots=True)
class RecordAttempt:
    """Write the deliveries-log row."""

    record: AttemptRecord


@dataclass(frozen=True, slots=True)
class UpdateSubscription:
    """Subscription bookkeeping after a real attempt: `last_delivery_*` (forward only, see
    `health.advance_last_delivery`) and, if set, the health transition to apply."""

    finished_at: datetime
    ok: bool
    health_event: DeliveryHealthEvent | None


@dataclass(frozen=True, slots=True)
class DelayMessage:
    """ChangeMessageVisibility to `seconds` and report the item as failed (§8.4)."""

    seconds: int


@dataclass(frozen=True, slots=True)
class DeleteMessage:
    """The message is done with: report the item as processed."""


Effect = SendAttempt | RecordAttempt | UpdateSubscription | DelayMessage | DeleteMessage


@dataclass(frozen=True, slots=True)
class Step:
    state: DeliveryState
    effects: tuple[Effect, ...]


# --- Transitions --------------------------------------------------------------------------------


def on_message(
    state: DeliveryState,
    *,
    now: datetime,
    subscription_status: Status | None,
    lease_seconds: int = DEFAULT_CLAIM_LEASE_SECONDS,
) -> Step:
    """A queue message naming this delivery arrived. `subscription_status` is None when the
    subscription no longer exists.

    When the step's state differs from `state`, the caller writes it conditionally on
    `state` (the claim); if that write loses, it re-reads and calls again.
    """
    if state.terminal:
        return Step(state, (DeleteMessage(),))
    if state.status is DeliveryStatus.PENDING:
        if state.due_at is not None and now < state.due_at:
            return Step(state, (DelayMessage(seconds_until(state.due_at, now)),))
    elif state.status is DeliveryStatus.IN_FLIGHT:
        if state.claim_expires_at is not None and now < state.claim_expires_at:
            # Someone holds the claim; look again when it would have expired.
            return Step(state, (DelayMessage(max(1, seconds_until(state.claim_expires_at, now))),))
    else:  # pragma: no cover - the enum is exhausted above
        raise InvalidTransition(f"unexpected status {state.status}")
    if not sends_due_attempt(subscription_status):
        return Step(DeliveryState(DeliveryStatus.DROPPED, state.attempt, t0=state.t0), (DeleteMessage(),))
    claimed = DeliveryState(
        DeliveryStatus.IN_FLIGHT,
        state.attempt,
        t0=now if state.attempt == 1 else state.t0,
        claimed_at=now,
        claim_expires_at=now + timedelta(seconds=lease_seconds),
    )
    return Step(claimed, (SendAttempt(state.attempt),))


def on_attempt_finished(
    state: DeliveryState, outcome: AttemptOutcome, *, now: datetime, schedule: RetrySchedule
) -> Step:
    """Attempt k came back (or failed). The attempt started at the claim; it finished
    `duration_ms` later, which is also when a 2xx was delivered."""
    if state.status is not DeliveryStatus.IN_FLIGHT or state.claimed_at is None or state.t0 is None:
        raise InvalidTransition(f"no attempt in flight (status {state.status})")
    k = state.attempt
    started = state.claimed_at
    finished = started + timedelta(milliseconds=outcome.duration_ms)

    def record(next_retry_at: datetime | None) -> RecordAttempt:
        delivered = finished if outcome.ok else None
        return RecordAttempt(
            AttemptRecord(
                k, outcome.status_code, outcome.error, started, outcome.duration_ms, delivered, next_retry_at
            )
        )

    if outcome.ok:
        return Step(
            DeliveryState(DeliveryStatus.SUCCEEDED, k, t0=state.t0),
            (
                record(None),
                UpdateSubscription(finished, True, DeliveryHealthEvent.SUCCEEDED),
                DeleteMessage(),
            ),
        )
    if outcome.gone:
        return Step(
            DeliveryState(DeliveryStatus.FAILED, k, t0=state.t0, failure=FailureReason.ENDPOINT_GONE),
            (
                record(None),
                UpdateSubscription(finished, False, DeliveryHealthEvent.ENDPOINT_GONE),
                DeleteMessage(),
            ),
        )
    next_due = schedule.next_due_at(state.t0, k)
    if next_due is None:
        return Step(
            DeliveryState(DeliveryStatus.FAILED, k, t0=state.t0, failure=FailureReason.EXHAUSTED),
            (
                record(None),
                UpdateSubscription(finished, False, DeliveryHealthEvent.EXHAUSTED),
                DeleteMessage(),
            ),
        )
    return Step(
        DeliveryState(DeliveryStatus.PENDING, k + 1, due_at=next_due, t0=state.t0),
        (
            record(next_due),
            UpdateSubscription(finished, False, None),
            DelayMessage(seconds_until(next_due, now)),
        ),
    )


def record_for_test_delivery(started_at: datetime, outcome: AttemptOutcome) -> AttemptRecord:
    """The single log row of a test delivery (§7.12): attempt 1, never a retry."""
    delivered = started_at + timedelta(milliseconds=outcome.duration_ms) if outcome.ok else None
    return AttemptRecord(
        1, outcome.status_code, outcome.error, started_at, outcome.duration_ms, delivered, None
    )


def finished_test_delivery(started_at: datetime, outcome: AttemptOutcome) -> DeliveryState:
    """A test delivery is kept as a delivery that already ended after its one attempt (so it can be
    redelivered, 55-admin-center §6); no queue message ever drives it."""
    if outcome.ok:
        return DeliveryState(DeliveryStatus.SUCCEEDED, 1, t0=started_at)
    failure = FailureReason.ENDPOINT_GONE if outcome.gone else FailureReason.EXHAUSTED
    return DeliveryState(DeliveryStatus.FAILED, 1, t0=started_at, failure=failure)


def log_row_visible(created_at: datetime, now: datetime) -> bool:
    """Rows older than 30 days are never returned, even if storage still holds them."""
    return now - created_at <= LOG_RETENTION


def log_row_expires_at(created_at: datetime) -> datetime:
    """When storage may delete a row (its TTL)."""
    return created_at + LOG_RETENTION
