"""Fixtures for the webhook integration tests: a seeded organization with PATs, the management
API through the real Lambda handler, a loopback receiver, and a simulated pipeline that feeds
the fan-out with records read from moto's table stream and the delivery worker with messages
received from moto's queue, parking retries in simulated time instead of sleeping."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from tests.conftest import Invoker, Response
from tests.integration.webhooks.receiver import Receiver
from tests.support import aws

ALL_WEBHOOK_SCOPES = ["webhooks:read", "webhooks:write"]


def seed_document(name: str = "Acme", prefix: str = "") -> dict[str, Any]:
    return {
        "organization": {"name": name, "plan": "Pro"},
        "users": [
            {
                "username": f"{prefix}ada",
                "email": f"{prefix}ada@example.com",
                "first_name": "Ada",
                "last_name": "Lovelace",
                "timezone": "Europe/London",
                "role": "owner",
            },
            {
                "username": f"{prefix}bob",
                "email": f"{prefix}bob@example.com",
                "first_name": "Bob",
                "last_name": "Builder",
                "timezone": "UTC",
                "role": "admin",
            },
        ],
        "pats": [
            {"key": "full", "user": f"{prefix}ada", "name": "full", "scopes": ALL_WEBHOOK_SCOPES},
            {"key": "other", "user": f"{prefix}ada", "name": "other", "scopes": ALL_WEBHOOK_SCOPES},
            {"key": "member", "user": f"{prefix}bob", "name": "member", "scopes": ALL_WEBHOOK_SCOPES},
            {"key": "read", "user": f"{prefix}ada", "name": "read only", "scopes": ["webhooks:read"]},
            {"key": "write", "user": f"{prefix}ada", "name": "write only", "scopes": ["webhooks:write"]},
        ],
    }


class Api:
    """`/v1/webhooks…` through the WebhooksFunction handler, as one credential."""

    def __init__(self, invoke: Invoker, token: str) -> None:
        self.invoke = invoke
        self.token = token

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def call(self, method: str, path: str, **kwargs: Any) -> Response:
        kwargs["headers"] = self._headers(kwargs.get("headers"))
        return self.invoke("webhooks", method, path, **kwargs)

    def create(self, url: str, events: list[str] | None = None, **fields: Any) -> Response:
        body = {"url": url, "events": events or ["booking_created"], **fields}
        return self.call("POST", "/v1/webhooks", body=body)

    def created(self, url: str, events: list[str] | None = None, **fields: Any) -> dict[str, Any]:
        response = self.create(url, events, **fields)
        assert response.status == 201, response.text
        return response.json()["data"]

    def get(self, webhook_id: str) -> Response:
        return self.call("GET", f"/v1/webhooks/{webhook_id}")

    def list(self) -> Response:
        return self.call("GET", "/v1/webhooks")

    def patch(self, webhook_id: str, body: dict[str, Any]) -> Response:
        return self.call("PATCH", f"/v1/webhooks/{webhook_id}", body=body)

    def delete(self, webhook_id: str) -> Response:
        return self.call("DELETE", f"/v1/webhooks/{webhook_id}")

    def rotate(self, webhook_id: str) -> Response:
        return self.call("POST", f"/v1/webhooks/{webhook_id}/rotate-secret")

    def test(self, webhook_id: str) -> Response:
        return self.call("POST", f"/v1/webhooks/{webhook_id}/test")

    def deliveries(self, webhook_id: str, **query: str) -> Response:
        return self.call("GET", f"/v1/webhooks/{webhook_id}/deliveries", query=query)


def unique_seed(name: str = "Acme") -> dict[str, Any]:
    from fortytwo_local.seed import apply_seed

    tag = secrets.token_hex(4)
    result = apply_seed(seed_document(f"{name} {tag}", prefix=f"{tag}-"))
    result["organization_name"] = f"{name} {tag}"
    return result


@pytest.fixture
def seeded(moto_env: None) -> dict[str, Any]:
    return unique_seed()


@pytest.fixture
def api(invoke: Invoker, seeded: dict[str, Any]) -> Any:
    def make(key: str = "full") -> Api:
        return Api(invoke, seeded["pats"][key]["token"])

    return make


@pytest.fixture
def functions() -> Any:
    class Functions:
        webhooks = aws.function_module("webhooks")
        fanout = aws.function_module("webhook_fanout")
        delivery = aws.function_module("webhook_delivery")

    return Functions


@pytest.fixture
def resolver(functions: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """A fake DNS for the management API and the delivery worker: name → addresses. Names not
    in the table do not resolve (the contract accepts them)."""
    from fortytwo.adapters.webhook_http import ResolutionFailed

    table: dict[str, list[str]] = {}

    def resolve(host: str, port: int, timeout: float) -> list[str]:
        if host not in table:
            raise ResolutionFailed(host)
        return list(table[host])

    monkeypatch.setattr(functions.webhooks, "deps", functions.webhooks.Dependencies(resolver=resolve))
    return table


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


class SimClock:
    """Time for the batch functions: the real clock plus whatever the simulation skipped, so
    writes made through the API (real clock) and by the workers stay in order."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        real = datetime.now(UTC) + self.offset
        return real.replace(microsecond=real.microsecond // 1000 * 1000)

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)

    def advance_to(self, moment: datetime) -> None:
        gap = moment - self.now()
        if gap > timedelta(0):
            self.offset += gap


class LongContext(aws.LambdaContext):
    def get_remaining_time_in_millis(self) -> int:
        return 60_000


class Pipeline:
    """Drives stream → fan-out → queue → delivery like the event source mappings would, with
    parked messages released in simulated time."""

    def __init__(self, functions: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        from fortytwo.store import delivery_queue

        self.functions = functions
        self.clock = SimClock()
        from fortytwo.config import reset_settings

        self.sqs = boto3.client("sqs")
        self.ddb = boto3.client("dynamodb")
        self.streams = boto3.client("dynamodbstreams")
        # A queue of its own, so nothing another fixture enqueued can interfere.
        self.queue_url = self.sqs.create_queue(QueueName=f"deliveries-{secrets.token_hex(4)}")["QueueUrl"]
        monkeypatch.setenv("FORTYTWO_DELIVERY_QUEUE_URL", self.queue_url)
        reset_settings()
        monkeypatch.setattr(functions.fanout, "deps", functions.fanout.Dependencies(now=self.clock.now))
        monkeypatch.setattr(
            functions.delivery, "deps", functions.delivery.Dependencies(now=self.clock.now, max_workers=1)
        )
        self.parked: dict[str, datetime] = {}  # receipt handle → when it is visible again
        self.parks: list[int] = []  # every visibility change, in seconds
        monkeypatch.setattr(delivery_queue, "change_visibility", self._park)
        stream_arn = self.ddb.describe_table(TableName=aws.ENV["FORTYTWO_TABLE_NAME"])["Table"][
            "LatestStreamArn"
        ]
        shard = self.streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0][
            "ShardId"
        ]
        self.stream_arn = stream_arn
        # From now on: what the seed and the set-up wrote is not this test's business.
        self.iterator = self.streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard, ShardIteratorType="LATEST"
        )["ShardIterator"]
        self.delivery_responses: list[dict[str, Any]] = []

    def _park(self, receipt_handle: str, seconds: int) -> None:
        self.parks.append(seconds)
        self.parked[receipt_handle] = self.clock.now() + timedelta(seconds=seconds)

    # --- stream -----------------------------------------------------------------------------

    def stream_records(self, only_outbox: bool = True) -> list[dict[str, Any]]:
        """New records of moto's table stream, shaped as Lambda delivers them."""
        response = self.streams.get_records(ShardIterator=self.iterator)
        self.iterator = response["NextShardIterator"]
        records = []
        for record in response["Records"]:
            record = dict(record)
            dynamodb = dict(record["dynamodb"])
            created = dynamodb.get("ApproximateCreationDateTime")
            if isinstance(created, datetime):
                dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
            record["dynamodb"] = dynamodb
            record["eventSourceARN"] = self.stream_arn
            image = dynamodb.get("NewImage") or {}
            if only_outbox and not (
                record["eventName"] == "INSERT" and image.get("type", {}).get("S") == "outbox"
            ):
                continue  # the template's filter criteria
            records.append(record)
        return records

    def fan_out(self, records: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        batch = self.stream_records() if records is None else records
        return self.functions.fanout.handler({"Records": batch}, LongContext())

    # --- queue ------------------------------------------------------------------------------

    def receive(self) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=10, AttributeNames=["All"], VisibilityTimeout=3600
        )
        return response.get("Messages", [])

    @staticmethod
    def sqs_record(message: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": {},
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:42min-test-deliveries",
            "awsRegion": "us-east-1",
        }

    def deliver_batch(self, messages: list[dict[str, Any]]) -> set[str]:
        """Invoke the delivery function once; delete what succeeded. Returns failed message ids."""
        event = {"Records": [self.sqs_record(m) for m in messages]}
        response = self.functions.delivery.handler(event, LongContext())
        self.delivery_responses.append(response)
        failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        for message in messages:
            if message["MessageId"] not in failed:
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
            elif message["ReceiptHandle"] not in self.parked:
                # Failed without a visibility change: SQS would return it after the queue's timeout.
                self.parked[message["ReceiptHandle"]] = self.clock.now() + timedelta(seconds=90)
        return failed

    def release_due(self) -> bool:
        """Advance simulated time to the next parked message and make the due ones visible."""
        if not self.parked:
            return False
        self.clock.advance_to(min(self.parked.values()))
        for receipt, at in list(self.parked.items()):
            if at <= self.clock.now():
                del self.parked[receipt]
                self.sqs.change_message_visibility(
                    QueueUrl=self.queue_url, ReceiptHandle=receipt, VisibilityTimeout=0
                )
        return True

    def run(self, max_rounds: int = 200) -> None:
        """Fan out whatever the stream holds, then deliver until the queue is empty."""
        self.fan_out()
        self.drain(max_rounds)

    def step(self) -> set[str]:
        """One delivery invocation with whatever is visible now (one attempt per message)."""
        messages = self.receive()
        assert messages, "no visible message"
        return self.deliver_batch(messages)

    def drain(self, max_rounds: int = 200) -> None:
        """Deliver until no message is left, releasing parked ones in simulated time."""
        for _ in range(max_rounds):
            messages = self.receive()
            if messages:
                self.deliver_batch(messages)
            elif not self.release_due():
                return
        raise AssertionError("the pipeline did not settle")

    def queue_depth(self) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )


@pytest.fixture
def pipeline(moto_env: None, functions: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pipeline]:
    from fortytwo.config import reset_settings

    yield Pipeline(functions, monkeypatch)
    monkeypatch.undo()
    reset_settings()


def emit_event(
    org_id: str,
    event: str = "booking.created",
    *,
    created_at: datetime | None = None,
    data: dict[str, Any] | None = None,
) -> Any:
    """Write an outbox item the way producers do: `transact_put` inside a TransactWriteItems."""
    from fortytwo.domain import clock
    from fortytwo.domain.webhooks.envelope import new_outbox_event
    from fortytwo.store import dynamo, outbox

    outbox_event = new_outbox_event(
        event, org_id, created_at or clock.now(), data or {"probe": secrets.token_hex(4)}
    )
    dynamo.client().transact_write_items(TransactItems=[outbox.transact_put(outbox_event)])
    return outbox_event
