"""WebhookDeliveryFunction: SQS delivery messages → signed POSTs (40-webhooks §7, §8.4).

The deliveries and subscriptions the batch names are read at once (`services.deliveries.preload`),
then each record → `services.deliveries.handle_message` (claim → sign → send → record, or park the
message until it is due). Records of a batch run concurrently (each attempt may wait
up to 10 s on a slow receiver); an exception in one record fails only that record, and its
claim expires so the attempt is sent again.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from fortytwo.config import get_settings
from fortytwo.domain.webhooks.retry import RetrySchedule
from fortytwo.observability import capture_lambda_handler, logger
from fortytwo.services import deliveries

# Built at cold start so an invalid FORTYTWO_WEBHOOK_RETRY_SCHEDULE fails the function early.
SCHEDULE = RetrySchedule(tuple(get_settings().webhook_retry_schedule))
MIN_REMAINING_MS = deliveries.MIN_REMAINING_MS
Parked = deliveries.Parked


@dataclass
class Dependencies(deliveries.Worker):
    """What tests replace (40-webhooks §8.9): clock, resolver, sender, lease, parallelism."""

    max_workers: int = 10


deps = Dependencies()


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


def record_handler(
    record: SQSRecord, lambda_context: Any = None, batch: deliveries.Preloaded | None = None
) -> None:
    def remaining() -> int:
        if lambda_context is None:
            return MIN_REMAINING_MS * 10
        return int(lambda_context.get_remaining_time_in_millis())

    deliveries.handle_message(
        record.body,
        record.receipt_handle,
        deps,
        SCHEDULE,
        remaining_ms=remaining,
        min_remaining_ms=MIN_REMAINING_MS,
        batch=batch,
    )


@capture_lambda_handler
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    # One read for the whole batch (issue 18: an attempt then costs its claim and its commit),
    # only when every record starts at once on the pool: then the snapshot is what each record
    # would have read itself. Records that wait for a free worker read for themselves.
    records = event.get("Records") or []
    concurrent = len(records) <= 1 or len(records) <= deps.max_workers
    batch = deliveries.preload([str(r.get("body", "")) for r in records]) if concurrent else None

    def handle(record: SQSRecord, lambda_context: Any = None) -> None:
        record_handler(record, lambda_context, batch)

    processor = ConcurrentBatchProcessor(deps.max_workers)
    return process_partial_response(event=event, record_handler=handle, processor=processor, context=context)
