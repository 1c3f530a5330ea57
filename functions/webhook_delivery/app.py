"""WebhookDeliveryFunction: SQS delivery messages → signed POSTs (40-webhooks §7, §8.4).

For each message: load the delivery and its subscription (one BatchGetItem), let the pure
lifecycle (`delivery_state.on_message`) decide, claim attempt k with a conditional write, sign
with the subscription's CURRENT secret, POST through the SSRF-safe adapter, then write the log
row, the delivery's next state and the subscription's bookkeeping in one transaction.

Nothing sleeps: a retry (or a message that arrived early) is parked with ChangeMessageVisibility
and reported as a batch item failure, so SQS hands it back when it is due. Records of a batch
run concurrently (each attempt may wait up to 10 s on a slow receiver); an exception in one
record fails only that record, and its claim expires so the attempt is sent again.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from fortytwo.adapters import webhook_http
from fortytwo.config import get_settings
from fortytwo.domain import clock
from fortytwo.domain.timefmt import format_ts
from fortytwo.domain.webhooks.delivery_state import (
    DEFAULT_CLAIM_LEASE_SECONDS,
    AttemptOutcome,
    DelayMessage,
    DeliveryStatus,
    FailureReason,
    RecordAttempt,
    SendAttempt,
    Step,
    UpdateSubscription,
    on_attempt_finished,
    on_message,
)
from fortytwo.domain.webhooks.envelope import OutboundRequest, build_delivery_request
from fortytwo.domain.webhooks.retry import MAX_GAP_SECONDS, RetrySchedule
from fortytwo.observability import count_metric, logger, metrics, tracer
from fortytwo.store import deliveries
from fortytwo.store import webhooks as subscriptions

# Built at cold start so an invalid FORTYTWO_WEBHOOK_RETRY_SCHEDULE fails the function early.
SCHEDULE = RetrySchedule(tuple(get_settings().webhook_retry_schedule))
# Claim only when the invocation can still finish the attempt (10 s) and its writes.
MIN_REMAINING_MS = int(webhook_http.ATTEMPT_TIMEOUT_SECONDS * 1000) + 5000
# After an unexpected error the message comes back quickly; an unexpired claim then parks it
# until the claim expires, and the attempt is sent again.
ERROR_RETRY_SECONDS = 2
# SQS counts a message's visibility from its receive, capped at 12 h: keep a margin for the
# time already spent in this invocation (an early return only parks the message again).
VISIBILITY_CEILING = MAX_GAP_SECONDS - 120
MAX_STEPS = 8
MAX_FINISH_ATTEMPTS = 12

Sender = Callable[..., webhook_http.SendResult]


@dataclass
class Dependencies:
    """What tests replace (40-webhooks §8.9): clock, resolver, sender, lease, parallelism."""

    now: Callable[[], datetime] = clock.now
    resolver: webhook_http.Resolver = webhook_http.system_resolver
    send: Sender = field(default=webhook_http.send)
    lease_seconds: int = DEFAULT_CLAIM_LEASE_SECONDS
    max_workers: int = 10


deps = Dependencies()


class Parked(Exception):
    """The message was given a new visibility timeout; failing the item makes SQS keep it."""


@dataclass(frozen=True, slots=True)
class Result:
    """What became of one message: `park` seconds (retry/early) or None (done, delete it)."""

    outcome: str
    park: int | None = None


class ConcurrentBatchProcessor(BatchProcessor):
    """Powertools' SQS batch processor, running the records of a batch on a small thread pool:
    attempts wait on the network, and a batch of ten slow receivers must fit the timeout."""

    def __init__(self, max_workers: int) -> None:
        super().__init__(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
        self.max_workers = max_workers

    def process(self) -> list[tuple]:
        if self.max_workers <= 1 or len(self.records) <= 1:
            return super().process()
        with ThreadPoolExecutor(max_workers=min(self.max_workers, len(self.records))) as pool:
            return list(pool.map(self._process_record, self.records))


def _subscription_status(sub: subscriptions.Subscription | None) -> Any:
    return None if sub is None else sub.status


def _log(message: str, delivery: deliveries.Delivery, **extra: Any) -> None:
    # Ids, attempt, outcome and duration only: never a secret, a signature or a body (§8.8).
    logger.info(
        message,
        extra={
            "delivery_id": delivery.delivery_id,
            "subscription_id": delivery.subscription_id,
            "event_id": delivery.event.event_id,
            "event": delivery.event.event,
            **extra,
        },
    )


def _send(request: OutboundRequest) -> webhook_http.SendResult:
    return deps.send(request, allow_insecure=get_settings().allow_insecure_webhooks, resolver=deps.resolver)


def _attempt(claimed: deliveries.Delivery, sub: subscriptions.Subscription, attempt: int) -> Result:
    """Send attempt k of a claimed delivery and record everything it changed."""
    request = build_delivery_request(
        claimed.event,
        subscription_id=sub.id,
        url=sub.url,
        secret=sub.secret,  # read just now: a rotation applies to every later attempt (§7.13)
        attempt=attempt,
        now=deps.now(),
    )
    sent = _send(request)
    outcome: AttemptOutcome = sent.outcome()
    finished: Step = on_attempt_finished(claimed.state, outcome, now=deps.now(), schedule=SCHEDULE)
    record = next(e.record for e in finished.effects if isinstance(e, RecordAttempt))
    update = next(e for e in finished.effects if isinstance(e, UpdateSubscription))
    park = next((e.seconds for e in finished.effects if isinstance(e, DelayMessage)), None)

    current: subscriptions.Subscription | None = sub
    change: subscriptions.Bookkeeping | None = None
    for _ in range(MAX_FINISH_ATTEMPTS):
        change = (
            subscriptions.bookkeeping(
                current,
                finished_at=update.finished_at,
                ok=update.ok,
                event=update.health_event,
                now=deps.now(),
            )
            if current is not None
            else None
        )
        try:
            deliveries.finish(claimed, finished.state, record, change)
            break
        except deliveries.StaleSubscription:
            # A concurrent completion, PATCH or delete got there first: redo it on what is there now.
            current = subscriptions.get(sub.id)
        except deliveries.ClaimLost:
            _log("delivery claim lost; outcome not recorded", claimed, attempt=attempt)
            count_metric("WebhookClaimLost")
            return Result("claim_lost")
    else:
        raise subscriptions.WriteContention(f"webhook {sub.id}")

    if outcome.ok:
        label = "succeeded"
    elif finished.state.failure is FailureReason.ENDPOINT_GONE:
        label = "endpoint_gone"
    elif finished.state.status is DeliveryStatus.FAILED:
        label = "exhausted"
    else:
        label = "retry_scheduled"
    _log(
        "webhook attempt",
        claimed,
        attempt=attempt,
        outcome=label,
        status_code=outcome.status_code,
        error=None if outcome.error is None else str(outcome.error),
        duration_ms=outcome.duration_ms,
        next_retry_at=None if record.next_retry_at is None else format_ts(record.next_retry_at),
    )
    count_metric("WebhookDeliveryAttempts", outcome=label, attempt=str(attempt))
    if change is not None and change.auto_paused is not None:
        reason = str(change.auto_paused)
        logger.warning(
            "webhook subscription paused automatically",
            extra={"subscription_id": sub.id, "paused_reason": reason},
        )
        count_metric("WebhookAutoPauses", reason=reason)
    return Result(label, park)


def deliver(message: deliveries.Message, *, remaining_ms: Callable[[], int]) -> Result:
    """Drive one delivery as far as this message allows. Every write is conditional; a lost
    race re-reads and asks the lifecycle again."""
    for _ in range(MAX_STEPS):
        delivery, sub = deliveries.load(message.delivery_id, message.subscription_id)
        if delivery is None:
            # Expired by TTL long after its window, or never created: nothing left to do.
            logger.warning("delivery not found", extra={"delivery_id": message.delivery_id})
            return Result("missing")
        if delivery.subscription_id != message.subscription_id:
            raise ValueError(f"message names the wrong subscription for {message.delivery_id}")
        step = on_message(
            delivery.state,
            now=deps.now(),
            subscription_status=_subscription_status(sub),
            lease_seconds=deps.lease_seconds,
        )
        park = next((e.seconds for e in step.effects if isinstance(e, DelayMessage)), None)
        if step.state == delivery.state:
            return Result("terminal" if park is None else "not_due", park)
        if step.state.status is DeliveryStatus.DROPPED:
            if deliveries.write_state(delivery, step.state) is None:
                continue
            _log("delivery dropped", delivery, attempt=delivery.state.attempt)
            count_metric("WebhookDeliveryAttempts", outcome="dropped", attempt=str(delivery.state.attempt))
            return Result("dropped")
        send = next(e for e in step.effects if isinstance(e, SendAttempt))
        if remaining_ms() < MIN_REMAINING_MS:
            return Result("deferred", 1)  # not claimed: another invocation picks it up at once
        claimed = deliveries.write_state(delivery, step.state)
        if claimed is None:
            continue
        assert sub is not None  # on_message claims only for an existing, active subscription
        return _attempt(claimed, sub, send.attempt)
    raise RuntimeError(f"delivery {message.delivery_id} kept changing under this worker")


def record_handler(record: SQSRecord, lambda_context: Any = None) -> None:
    message = deliveries.Message.parse(record.body)

    def remaining() -> int:
        if lambda_context is None:
            return MIN_REMAINING_MS * 10
        return int(lambda_context.get_remaining_time_in_millis())

    try:
        result = deliver(message, remaining_ms=remaining)
    except Exception:
        logger.exception(
            "delivery failed unexpectedly",
            extra={"delivery_id": message.delivery_id, "subscription_id": message.subscription_id},
        )
        try:
            deliveries.change_visibility(record.receipt_handle, ERROR_RETRY_SECONDS)
        except Exception:  # noqa: BLE001 - the message still returns after its visibility timeout
            logger.warning("could not shorten the visibility of a failed message")
        raise
    if result.park is not None:
        deliveries.change_visibility(record.receipt_handle, min(result.park, VISIBILITY_CEILING))
        raise Parked(f"{message.delivery_id}: {result.outcome}, back in {result.park}s")


@metrics.log_metrics
@tracer.capture_lambda_handler
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    processor = ConcurrentBatchProcessor(deps.max_workers)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
