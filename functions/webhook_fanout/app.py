"""WebhookFanoutFunction: table stream (outbox INSERTs) → one delivery + one SQS message per
(event, active interested subscription) (40-webhooks §6.2, §8.2).

Parse the stream record → `services.deliveries.fan_out` → log. The delivery ids are
deterministic and deliveries are created with `attribute_not_exists`, so a stream batch that is
delivered again creates nothing twice. A failure of one record is reported alone
(ReportBatchItemFailures) and the stream retries it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from fortytwo.domain import clock
from fortytwo.observability import count_metric, logger, metrics, tracer
from fortytwo.services import deliveries


@dataclass
class Dependencies:
    now: Callable[[], datetime] = clock.late_now


deps = Dependencies()


def record_handler(record: DynamoDBRecord) -> None:
    raw: dict[str, Any] = record.raw_event
    if raw.get("eventName") != "INSERT":
        return
    event = deliveries.event_from_stream((raw.get("dynamodb") or {}).get("NewImage") or {})
    if event is None:
        return
    try:
        result = deliveries.fan_out(event, deps.now())
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
