"""Webhook deliveries (40-webhooks §7, §8): the fan-out of an outbox event, one delivery attempt
(claim → send → record) with its retry scheduling and the subscription's health, and the
deliveries log.

The decisions are the pure state machines of `domain/webhooks` (`fanout.plan_fanout`,
`delivery_state.on_message` / `on_attempt_finished`, `attempts.finish_attempt`); the store
commits each plan in one call, conditional on what was read, and a lost race re-reads and
decides again. Nothing sleeps: a retry (or a message that arrived early) is parked with
ChangeMessageVisibility, so SQS hands it back when it is due.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fortytwo.adapters import webhook_http
from fortytwo.domain.timefmt import format_ts
from fortytwo.domain.webhooks.attempts import FinishedAttempt, finish_attempt
from fortytwo.domain.webhooks.delivery_state import (
    DEFAULT_CLAIM_LEASE_SECONDS,
    LOG_RETENTION,
    DelayMessage,
    Delivery,
    DeliveryStatus,
    LoggedAttempt,
    SendAttempt,
    Step,
    never_claimed,
    on_attempt_finished,
    on_message,
)
from fortytwo.domain.webhooks.envelope import OutboxEvent, build_delivery_request
from fortytwo.domain.webhooks.fanout import plan_fanout
from fortytwo.domain.webhooks.retry import MAX_GAP_SECONDS, RetrySchedule
from fortytwo.domain.webhooks.subscription import Sandbox, Subscription
from fortytwo.observability import count_metric, logger
from fortytwo.services import webhooks
from fortytwo.services.retry import with_retries
from fortytwo.services.webhooks import MAX_WRITE_ATTEMPTS, Outbound
from fortytwo.store import deliveries, delivery_queue, outbox
from fortytwo.store import webhooks as subscriptions
from fortytwo.store.transactions import LostRace

# After an unexpected error the message comes back quickly; an unexpired claim then parks it
# until the claim expires, and the attempt is sent again.
ERROR_RETRY_SECONDS = 2
# SQS counts a message's visibility from its receive, capped at 12 h: keep a margin for the
# time already spent in this invocation (an early return only parks the message again).
VISIBILITY_CEILING = MAX_GAP_SECONDS - 120
MAX_STEPS = 8
# Claim only when the invocation can still finish the attempt (10 s) and its writes.
MIN_REMAINING_MS = int(webhook_http.ATTEMPT_TIMEOUT_SECONDS * 1000) + 5000


# --- Deliveries log (§7.15) ----------------------------------------------------------------------


def list_deliveries(
    raw_id: str, sandbox: Sandbox, *, now: datetime, limit: int, after: tuple[str, str, int] | None
) -> list[LoggedAttempt]:
    """Up to `limit` deliveries-log rows of the last 30 days, newest first, strictly after the
    keyset position `after` = (created_at, delivery id, attempt) (§7.15)."""
    sub = webhooks.get_webhook(raw_id, sandbox)
    return deliveries.list_attempts(sub.id, not_before=now - LOG_RETENTION, limit=limit, after=after)


# --- Fan-out (§8.2) -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FanoutResult:
    deliveries_created: int
    deliveries_reused: int
    messages_sent: int


def event_from_stream(image: dict[str, Any]) -> OutboxEvent | None:
    """The outbox event of a stream record's NewImage, or None for any other item (the event
    source mapping filters on this already; the check keeps a misconfigured trigger harmless)."""
    if (image.get("type") or {}).get("S") != outbox.OUTBOX_EVENT.type:
        return None
    return outbox.from_image(image)


def fan_out(event: OutboxEvent, now: datetime) -> FanoutResult:
    """Create the deliveries of one event and enqueue them; raises if anything is left undone
    (the stream retries the record, and a re-run creates nothing twice)."""
    created = reused = 0
    messages: list[delivery_queue.Message] = []
    for planned in plan_fanout(event, subscriptions.list_organization(event.organization_id), now):
        existing = deliveries.create(planned)
        if existing is None:
            created += 1
        else:
            reused += 1
            if not never_claimed(existing.state):
                continue  # its message already exists and drives it
        messages.append(delivery_queue.Message(planned.delivery_id, planned.subscription_id))
    delivery_queue.enqueue(messages)
    return FanoutResult(created, reused, len(messages))


# --- One message of the delivery queue (§8.4) ---------------------------------------------------


@dataclass
class Worker(Outbound):
    """The delivery worker's tools (§8.9): clock, resolver, sender and the claim lease."""

    lease_seconds: int = DEFAULT_CLAIM_LEASE_SECONDS


@dataclass(frozen=True, slots=True)
class Result:
    """What became of one message: `park` seconds (retry/early) or None (done, delete it)."""

    outcome: str
    park: int | None = None


class Parked(Exception):
    """The message was given a new visibility timeout; failing the item makes SQS keep it."""


def _log(message: str, delivery: Delivery, **extra: Any) -> None:
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


class ClaimLost(Exception):
    """Another worker took the delivery over (our claim had expired): our outcome is not recorded."""


def _record(claimed: Delivery, sub: Subscription, finished: Step) -> FinishedAttempt | None:
    """Commit the finished attempt; a subscription changed meanwhile is re-read and the health
    rules applied again. None when the claim was lost."""
    current: list[Subscription | None] = [sub]

    def attempt() -> FinishedAttempt:
        plan = finish_attempt(claimed, finished, current[0])
        deliveries.commit_attempt(plan)
        return plan

    def on_lost(race: LostRace) -> None:
        if deliveries.KIND_DELIVERY in race.kinds:
            raise ClaimLost(claimed.delivery_id)
        # A concurrent completion, PATCH or delete got there first: redo it on what is there now.
        current[0] = subscriptions.get(sub.id)

    def exhausted() -> Exception:
        return RuntimeError(f"webhook {sub.id} kept changing under this worker")

    try:
        return with_retries(attempt, exhausted, on_lost=on_lost, attempts=MAX_WRITE_ATTEMPTS)
    except ClaimLost:
        return None


def _attempt(
    claimed: Delivery, sub: Subscription, attempt: int, tools: Worker, schedule: RetrySchedule
) -> Result:
    """Send attempt k of a claimed delivery and record everything it changed."""
    request = build_delivery_request(
        claimed.event,
        subscription_id=sub.id,
        url=sub.url,
        secret=sub.secret,  # read just now: a rotation applies to every later attempt (§7.13)
        attempt=attempt,
        now=tools.now(),
        redelivery_id=None if claimed.redelivery_of is None else claimed.delivery_id,
    )
    outcome = tools.post(request).outcome()
    finished = on_attempt_finished(claimed.state, outcome, now=tools.now(), schedule=schedule)
    plan = _record(claimed, sub, finished)
    if plan is None:
        _log("delivery claim lost; outcome not recorded", claimed, attempt=attempt)
        count_metric("WebhookClaimLost")
        return Result("claim_lost")
    label = plan.outcome
    _log(
        "webhook attempt",
        claimed,
        attempt=attempt,
        outcome=label,
        status_code=outcome.status_code,
        error=None if outcome.error is None else str(outcome.error),
        duration_ms=outcome.duration_ms,
        next_retry_at=None if plan.record.next_retry_at is None else format_ts(plan.record.next_retry_at),
    )
    count_metric("WebhookDeliveryAttempts", outcome=label, attempt=str(attempt))
    paused = plan.subscription.auto_paused if plan.subscription is not None else None
    if paused is not None:
        logger.warning(
            "webhook subscription paused automatically",
            extra={"subscription_id": sub.id, "paused_reason": str(paused)},
        )
        count_metric("WebhookAutoPauses", reason=str(paused))
    return Result(label, plan.park)


def deliver(
    message: delivery_queue.Message,
    tools: Worker,
    schedule: RetrySchedule,
    *,
    remaining_ms: Callable[[], int],
    min_remaining_ms: int = MIN_REMAINING_MS,
) -> Result:
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
            now=tools.now(),
            subscription_status=None if sub is None else sub.status,
            lease_seconds=tools.lease_seconds,
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
        if remaining_ms() < min_remaining_ms:
            return Result("deferred", 1)  # not claimed: another invocation picks it up at once
        claimed = deliveries.write_state(delivery, step.state)
        if claimed is None:
            continue
        assert sub is not None  # on_message claims only for an existing, active subscription
        return _attempt(claimed, sub, send.attempt, tools, schedule)
    raise RuntimeError(f"delivery {message.delivery_id} kept changing under this worker")


def handle_message(
    body: str,
    receipt_handle: str,
    tools: Worker,
    schedule: RetrySchedule,
    *,
    remaining_ms: Callable[[], int],
    min_remaining_ms: int = MIN_REMAINING_MS,
) -> Result:
    """One SQS message: deliver, then park it when it must come back (raises `Parked`, so the
    batch reports the item as failed and SQS keeps it). An unexpected error shortens the
    message's visibility and propagates (the item fails; its claim expires; it is sent again)."""
    message = delivery_queue.Message.parse(body)
    try:
        result = deliver(
            message, tools, schedule, remaining_ms=remaining_ms, min_remaining_ms=min_remaining_ms
        )
    except Exception:
        logger.exception(
            "delivery failed unexpectedly",
            extra={"delivery_id": message.delivery_id, "subscription_id": message.subscription_id},
        )
        try:
            delivery_queue.change_visibility(receipt_handle, ERROR_RETRY_SECONDS)
        except Exception:  # noqa: BLE001 - the message still returns after its visibility timeout
            logger.warning("could not shorten the visibility of a failed message")
        raise
    if result.park is not None:
        delivery_queue.change_visibility(receipt_handle, min(result.park, VISIBILITY_CEILING))
        raise Parked(f"{message.delivery_id}: {result.outcome}, back in {result.park}s")
    return result
