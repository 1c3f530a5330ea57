"""Event source mappings: DynamoDB stream → function, SQS queue → function, as Lambda runs them.

Stream: records are read in order, filtered (FilterCriteria), batched (BatchSize, batching
window), and a failing batch blocks the shard: it is retried (partial failures from the first
failed sequence number; whole-batch errors bisected when BisectBatchOnFunctionError) until
MaximumRetryAttempts, then skipped, with a record of the skipped batch sent to the on-failure
destination (DestinationConfig.OnFailure) in Lambda's format. Queue: batches of up to BatchSize; with
ReportBatchItemFailures only the successful messages are deleted; an error leaves the whole
batch to reappear after its visibility timeout (or whatever the function set); moto moves a
message to the dead-letter queue once its receive count reaches maxReceiveCount. The number of
batches in flight follows ScalingConfig.MaximumConcurrency and the function's reserved concurrency.
"""

from __future__ import annotations

import abc
import base64
import json
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from fortytwo_local.devstack import moto_internals
from fortytwo_local.devstack.attribute_values import json_item
from fortytwo_local.devstack.background import BackgroundThread
from fortytwo_local.devstack.emulator import Emulator
from fortytwo_local.devstack.event_filter import matches_any
from fortytwo_local.devstack.functions import FunctionError, LocalFunction, release_thread_loop
from fortytwo_local.devstack.template import DynamoDBEventSource, FunctionDef, SqsEventSource

log = logging.getLogger("fortytwo.devstack")

IDLE_SLEEP_S = 0.2  # the brief: at most 200 ms between idle polls
MAX_RETRY_BACKOFF_S = 5.0
SQS_CONCURRENCY = 5  # Lambda starts SQS event sources with five concurrent batches


def sqs_concurrency(source: SqsEventSource, function: FunctionDef) -> int:
    """Batches in flight at once: capped by ScalingConfig.MaximumConcurrency and by the function's
    reserved concurrency (Lambda throttles beyond it); else Lambda's starting five."""
    caps = [c for c in (source.maximum_concurrency, function.reserved_concurrency) if c]
    return min(caps) if caps else SQS_CONCURRENCY


def _iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def stream_failure_record(
    batch: list[dict[str, Any]],
    *,
    function_arn: str,
    shard_id: str,
    stream_arn: str,
    invoke_count: int,
    function_error: bool,
) -> dict[str, Any]:
    """What Lambda sends an on-failure destination for a stream batch it gives up on: an
    invocation record pointing at the records (they stay in the stream), not the records."""
    first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
    response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if function_error:
        response["functionError"] = "Unhandled"
    return {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": function_arn,
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": invoke_count,
        },
        "responseContext": response,
        "version": "1.0",
        "timestamp": _iso(time.time()),
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": first["SequenceNumber"],
            "endSequenceNumber": last["SequenceNumber"],
            "approximateArrivalOfFirstRecord": _iso(first["ApproximateCreationDateTime"]),
            "approximateArrivalOfLastRecord": _iso(last["ApproximateCreationDateTime"]),
            "batchSize": len(batch),
            "streamArn": stream_arn,
        },
    }


def lambda_stream_record(raw: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """A GetRecords record (boto3-parsed) → the record Lambda puts in a DynamoDB stream event."""
    source = raw["dynamodb"]
    created = source.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        created = created.timestamp()
    dynamodb: dict[str, Any] = {"ApproximateCreationDateTime": int(created or time.time())}
    for key in ("Keys", "NewImage", "OldImage"):
        if key in source:
            dynamodb[key] = json_item(source[key])
    dynamodb["SequenceNumber"] = source["SequenceNumber"]
    dynamodb["SizeBytes"] = source.get("SizeBytes", 0)
    dynamodb["StreamViewType"] = source.get("StreamViewType")
    record = {
        "eventID": raw["eventID"],
        "eventName": raw["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }
    if "userIdentity" in raw:
        record["userIdentity"] = raw["userIdentity"]
    return record


def lambda_sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """A ReceiveMessage message → the record Lambda puts in an SQS event."""
    attributes = {name: value for name, value in (message.get("Attributes") or {}).items()}
    message_attributes = {}
    for name, value in (message.get("MessageAttributes") or {}).items():
        binary = value.get("BinaryValue")
        message_attributes[name] = {
            "stringValue": value.get("StringValue"),
            "binaryValue": base64.b64encode(binary).decode("ascii") if binary is not None else None,
            "stringListValues": list(value.get("StringListValues") or []),
            "binaryListValues": [
                base64.b64encode(b).decode("ascii") for b in value.get("BinaryListValues") or []
            ],
            "dataType": value.get("DataType"),
        }
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": message.get("MD5OfBody"),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def failed_item_ids(result: Any, batch_ids: list[str]) -> set[str] | None:
    """The identifiers a ReportBatchItemFailures response names; None means "the whole batch
    failed" (Lambda's reading of a malformed or unknown identifier)."""
    if not isinstance(result, dict) or not result.get("batchItemFailures"):
        return set()
    failures = result["batchItemFailures"]
    if not isinstance(failures, list):
        return None
    ids = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or identifier not in batch_ids:
            return None
        ids.add(identifier)
    return ids


class _PollerThread(BackgroundThread):
    """An event source mapping's poller: hands `source`'s batches to `function`."""

    def __init__(
        self,
        kind: str,
        source: DynamoDBEventSource | SqsEventSource,
        function: LocalFunction,
        emulator: Emulator,
    ) -> None:
        super().__init__(f"devstack-{kind}-{function.name}-{source.event_name}")
        self.function = function
        self.emulator = emulator

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    if not self.poll_once():
                        self._stop.wait(IDLE_SLEEP_S)
                except Exception:  # keep the mapping alive, as Lambda's pollers are
                    log.exception("devstack: %s failed; retrying", self._thread.name)
                    self._stop.wait(1.0)
        finally:
            release_thread_loop()

    @abc.abstractmethod
    def poll_once(self) -> bool:
        """One step; False when there was nothing to do (the caller then sleeps)."""


class StreamPoller(_PollerThread):
    def __init__(
        self,
        source: DynamoDBEventSource,
        function: LocalFunction,
        emulator: Emulator,
        table_name: str,
        stream_arn: str,
        failure_queue_url: str | None = None,
        on_consumed: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__("stream", source, function, emulator)
        self.source = source
        self.table_name = table_name
        self.stream_arn = stream_arn
        self.failure_queue_url = failure_queue_url
        self.on_consumed = on_consumed  # told how far the stream is done with (the journal keeps the rest)
        self._consumed = -1
        self._shard_id: str | None = None
        self._function_failed = False
        self._after: str | None = None  # last sequence number read; None: from the trim horizon
        self._pending: deque[dict[str, Any]] = deque()  # filtered records, oldest first
        self._pending_since = 0.0
        self._limit = source.batch_size
        self._attempts = 0
        self._retry_at = 0.0

    def start_at_latest(self, backlog: list[dict[str, Any]] | None = None) -> None:
        """Skip what is in the stream now (restored items must not fire again), queue the records a
        previous run left unprocessed (`backlog`, from the journal), then start."""
        backlog = backlog or []
        with self.emulator.dynamodb_lock:
            last = moto_internals.skip_stream(self.emulator.account_id, self.emulator.region, self.table_name)
            if backlog:
                past = int(backlog[-1]["dynamodb"]["SequenceNumber"])
                moto_internals.advance_stream(
                    self.emulator.account_id, self.emulator.region, self.table_name, past
                )
                last = max(last or 0, past)
        if last is not None:
            self._after = str(last)
        self._pending.clear()
        self._queue(backlog)
        self.start()

    def _queue(self, raws: list[dict[str, Any]]) -> None:
        for raw in raws:
            record = lambda_stream_record(raw, self.stream_arn, self.emulator.region)
            if matches_any(record, self.source.filters):
                if not self._pending:
                    self._pending_since = time.monotonic()
                self._pending.append(record)

    def _read(self) -> int:
        # moto's shard read in-process (moto_internals.take_stream_records): GetRecords' records
        # without moto's per-record serialising, and read records leave moto's table copy.
        with self.emulator.dynamodb_lock:
            raws = moto_internals.take_stream_records(
                self.emulator.account_id,
                self.emulator.region,
                self.table_name,
                None if self._after is None else int(self._after),
                1000,
            )
        if not raws:
            return 0
        self._queue(raws)
        self._after = raws[-1]["dynamodb"]["SequenceNumber"]
        self._report_consumed()
        return len(raws)

    def _report_consumed(self) -> None:
        """Everything before the first pending record (or up to the read position) is done."""
        if self.on_consumed is None:
            return
        if self._pending:
            position = int(self._pending[0]["dynamodb"]["SequenceNumber"]) - 1
        elif self._after is not None:
            position = int(self._after)
        else:
            return
        if position > self._consumed:
            self._consumed = position
            self.on_consumed(position)

    def poll_once(self) -> bool:
        fetched = self._read() if len(self._pending) < self.source.batch_size else 0
        if not self._pending:
            return fetched > 0
        now = time.monotonic()
        if self._attempts:
            if now < self._retry_at:
                return False
        elif (
            len(self._pending) < self.source.batch_size
            and now - self._pending_since < self.source.max_batching_window_s
        ):
            return fetched > 0
        self._invoke(list(self._pending)[: self._limit])
        return True

    def _invoke(self, batch: list[dict[str, Any]]) -> None:
        ids = [r["dynamodb"]["SequenceNumber"] for r in batch]
        self._function_failed = False
        try:
            result = self.function.invoke({"Records": batch}).result
            failed = failed_item_ids(result, ids) if self.source.report_batch_item_failures else set()
        except FunctionError:
            failed = None
            self._function_failed = True
        if failed == set():
            self._done(len(batch))
            return
        if failed is not None:
            # Checkpoint before the first failure; retry from there.
            first = min(ids.index(i) for i in failed)
            self._done(first, reset=False)
            remaining = len(batch) - first
        else:
            remaining = len(batch)
            if self.source.bisect_on_error and len(batch) > 1:
                self._limit = (len(batch) + 1) // 2
        self._attempts += 1
        limit = self.source.maximum_retry_attempts
        if 0 <= limit < self._attempts:
            log.error(
                "devstack: %s gave up on %d stream record(s) from %s after %d retries",
                self.function.name,
                remaining,
                ids[len(batch) - remaining],
                limit,
            )
            self._send_to_failure_destination(batch[len(batch) - remaining :])
            self._done(remaining)
            return
        self._retry_at = time.monotonic() + min(0.25 * 2 ** (self._attempts - 1), MAX_RETRY_BACKOFF_S)

    def _send_to_failure_destination(self, given_up: list[dict[str, Any]]) -> None:
        if self.failure_queue_url is None:
            return
        if self._shard_id is None:
            description = self.emulator.client("dynamodbstreams").describe_stream(StreamArn=self.stream_arn)
            self._shard_id = str(description["StreamDescription"]["Shards"][0]["ShardId"])
        fn = self.function
        record = stream_failure_record(
            given_up,
            function_arn=f"arn:aws:lambda:{fn.region}:{fn.account_id}:function:{fn.definition.name}",
            shard_id=self._shard_id,
            stream_arn=self.stream_arn,
            invoke_count=self._attempts,
            function_error=self._function_failed,
        )
        self.emulator.client("sqs").send_message(
            QueueUrl=self.failure_queue_url, MessageBody=json.dumps(record)
        )

    def _done(self, count: int, reset: bool = True) -> None:
        # Records left behind have waited since _pending_since already: they go out next
        # without another batching window.
        for _ in range(count):
            self._pending.popleft()
        self._report_consumed()
        if reset:
            self._attempts = 0
            self._limit = self.source.batch_size


class SqsPoller(_PollerThread):
    def __init__(
        self,
        source: SqsEventSource,
        function: LocalFunction,
        emulator: Emulator,
        queue_url: str,
        queue_arn: str,
        concurrency: int = SQS_CONCURRENCY,
    ) -> None:
        super().__init__("sqs", source, function, emulator)
        self.source = source
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self._sqs = emulator.client("sqs")
        self.concurrency = concurrency
        self._slots = threading.Semaphore(concurrency)
        self._workers = ThreadPoolExecutor(concurrency, thread_name_prefix=f"devstack-sqs-{function.name}")

    def stop(self, timeout: float = 15.0) -> None:
        super().stop(timeout)
        # In-flight batches finish (or stay invisible in the queue and come back later).
        self._workers.shutdown(wait=True, cancel_futures=True)

    def poll_once(self) -> bool:
        if not self._slots.acquire(timeout=IDLE_SLEEP_S):
            return True
        try:
            messages = self._gather()
        except BaseException:
            self._slots.release()
            raise
        if not messages:
            self._slots.release()
            return False
        self._workers.submit(self._process, messages)
        return True

    def _anything_visible(self) -> bool:
        """Asked of moto in-process before ReceiveMessage, so an idle queue costs nothing."""
        with self.emulator.sqs_lock:
            return moto_internals.has_visible_messages(
                self.emulator.account_id, self.emulator.region, self.queue_arn.rsplit(":", 1)[1]
            )

    def _receive(self, count: int) -> list[dict[str, Any]]:
        if not self._anything_visible():
            return []
        return self._sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=min(10, count),
            WaitTimeSeconds=0,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])

    def _gather(self) -> list[dict[str, Any]]:
        messages = self._receive(self.source.batch_size)
        if not messages:
            return []
        deadline = time.monotonic() + self.source.max_batching_window_s
        while len(messages) < self.source.batch_size and not self._stop.is_set():
            more = self._receive(self.source.batch_size - len(messages))
            messages.extend(more)
            if not more:
                if time.monotonic() >= deadline:
                    break
                self._stop.wait(min(IDLE_SLEEP_S, max(0.0, deadline - time.monotonic())))
        return messages

    def _process(self, messages: list[dict[str, Any]]) -> None:
        try:
            records = [lambda_sqs_record(m, self.queue_arn, self.emulator.region) for m in messages]
            ids = [r["messageId"] for r in records]
            try:
                result = self.function.invoke({"Records": records}).result
            except FunctionError:
                return  # the whole batch becomes visible again after its visibility timeout
            failed = failed_item_ids(result, ids) if self.source.report_batch_item_failures else set()
            if failed is None:
                log.warning(
                    "devstack: %s reported an unknown batch item; the whole batch is retried",
                    self.function.name,
                )
                return
            done = [m for m in messages if m["MessageId"] not in failed]
            for start in range(0, len(done), 10):
                chunk = done[start : start + 10]
                response = self._sqs.delete_message_batch(
                    QueueUrl=self.queue_url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)
                    ],
                )
                for error in response.get("Failed", []):
                    log.warning("devstack: could not delete an SQS message: %s", error.get("Message"))
        except Exception:
            log.exception("devstack: SQS batch for %s failed", self.function.name)
        finally:
            self._slots.release()
            release_thread_loop()
