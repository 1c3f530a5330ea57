"""WebhookFanoutFunction: table stream (outbox INSERTs) → one delivery + one SQS message per
(event, active interested subscription) (40-webhooks §6.2, §8.2).

The delivery id is derived from (event id, subscription id), and the delivery item is created
with `attribute_not_exists`, so a stream batch that is delivered again finds the deliveries it
already created instead of duplicating them. A message is (re)sent for an existing delivery only
while that delivery was never claimed: then the first run may have died between the write and
the send. A failure of one record is reported alone (ReportBatchItemFailures) and the stream
retries it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from fortytwo.domain import clock
from fortytwo.domain.webhooks.delivery_state import DeliveryStatus, new_delivery
from fortytwo.domain.webhooks.envelope import OutboxEvent
from fortytwo.domain.webhooks.fanout import delivery_id_for, receives
from fortytwo.observability import count_metric, logger, metrics, tracer
from fortytwo.store import deliveries, outbox
from fortytwo.store import webhooks as subscriptions


@dataclass
class Dependencies:
    now: Callable[[], datetime] = clock.now


deps = Dependencies()


@dataclass(frozen=True, slots=True)
class FanoutResult:
    deliveries_created: int
    deliveries_reused: int
    messages_sent: int


def _never_claimed(delivery: deliveries.Delivery) -> bool:
    state = delivery.state
    return state.status is DeliveryStatus.PENDING and state.attempt == 1 and state.t0 is None


def fan_out(event: OutboxEvent) -> FanoutResult:
    """Create the deliveries of one event and enqueue them; raises if anything is left undone."""
    now = deps.now()
    created = reused = 0
    messages: list[deliveries.Message] = []
    for sub in subscriptions.list_account(event.organization_id):
        if not receives(
            event,
            organization_id=sub.organization_id,
            status=sub.status,
            events=sub.events,
            created_at=sub.created_at,
        ):
            continue
        delivery_id = delivery_id_for(event, sub.id)
        existing = deliveries.create(delivery_id, sub.id, event, new_delivery(now))
        if existing is None:
            created += 1
        else:
            reused += 1
            if not _never_claimed(existing):
                continue  # its message already exists and drives it
        messages.append(deliveries.Message(delivery_id, sub.id))
    deliveries.enqueue(messages)
    return FanoutResult(created, reused, len(messages))


def record_handler(record: DynamoDBRecord) -> None:
    raw: dict[str, Any] = record.raw_event
    image = (raw.get("dynamodb") or {}).get("NewImage") or {}
    # The event source mapping filters on this already; the check keeps a misconfigured
    # trigger from treating other items as events.
    if raw.get("eventName") != "INSERT" or (image.get("type") or {}).get("S") != "outbox":
        return
    event = outbox.from_image(image)
    try:
        result = fan_out(event)
    except Exception:
        logger.exception("fan-out failed", extra={"event_id": event.event_id, "event": event.event})
        raise
    logger.info(
        "event fanned out",
        extra={
            "event_id": event.event_id,
            "event": event.event,
            "organization_id": event.organization_id,
            "deliveries_created": result.deliveries_created,
            "deliveries_reused": result.deliveries_reused,
            "messages_sent": result.messages_sent,
        },
    )
    if result.deliveries_created:
        count_metric("WebhookDeliveriesCreated", result.deliveries_created)


@metrics.log_metrics
@tracer.capture_lambda_handler
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    # One processor per invocation: it holds the batch's state, and the local stack may run
    # invocations of this module concurrently.
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
