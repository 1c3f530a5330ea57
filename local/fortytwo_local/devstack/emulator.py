"""moto's server on loopback, with the template's tables, queues and the pepper parameter.

moto's backends are not thread-safe: two concurrent conditional writes can both pass their
condition, and a failed TransactWriteItems restores a whole-table copy that can erase another
thread's write. Real DynamoDB makes each call atomic, and the API's concurrency guarantees (one
winner per slot, one success per version) depend on that, so every DynamoDB call is serialised
here. Function invocations themselves still run concurrently.

moto itself (its server, the in-process transport, the speed-ups) is reached only through the
adapter `moto_internals`, which refuses to start on any moto but the pinned release.
"""

from __future__ import annotations

import io
import json
import logging
import os
import secrets
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

import boto3
from botocore.config import Config

from fortytwo_local.devstack import moto_internals
from fortytwo_local.devstack.template import PhysicalResource, QueueDef, TableDef, Template

log = logging.getLogger("fortytwo.devstack")

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}

# Calls that change state: each is journalled (persistence) before its response leaves.
_WRITE_ACTIONS = frozenset(
    {
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "TransactWriteItems",
        "SendMessage",
        "SendMessageBatch",
        "ReceiveMessage",  # receive counts, visibility, moves to a dead-letter queue
        "DeleteMessage",
        "DeleteMessageBatch",
        "ChangeMessageVisibility",
        "ChangeMessageVisibilityBatch",
        "PurgeQueue",
    }
)


class Recorder(Protocol):
    """Makes a call's changes durable (persistence.Persistence)."""

    def capture(self, service: str, action: str, request: dict[str, Any] | None) -> int | None: ...

    def sync(self, seq: int) -> None: ...


class _SerialisingApp:
    """WSGI wrapper around moto: one call at a time per service, and every change journalled
    under that service's lock, durable before the response is returned."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.dynamodb_lock = threading.RLock()
        self.sqs_lock = threading.RLock()
        self.recorder: Recorder | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        service, _, action = environ.get("HTTP_X_AMZ_TARGET", "").partition(".")
        # A DynamoDB write's body is read once: for the refusals below and for the journal.
        request = (
            _request_json(environ) if service.startswith("DynamoDB_") and action in _WRITE_ACTIONS else None
        )
        refused = _refused_by_dynamodb(request) if action in _ITEM_WRITES else None
        if refused is not None:
            return _validation_error(refused, start_response)
        if service.startswith("DynamoDB"):  # DynamoDB_20120810 and DynamoDBStreams_20120810
            lock: threading.RLock | None = self.dynamodb_lock
        elif service == "AmazonSQS" and action != "ReceiveMessage":
            # ReceiveMessage may long-poll inside moto; it runs unlocked and is journalled after.
            lock = self.sqs_lock
        else:
            lock = None
        recorder = self.recorder if action in _WRITE_ACTIONS else None
        if recorder is None:
            if lock is None:
                return self.app(environ, start_response)
            with lock:
                return [self._run(environ, start_response)]
        kind = "dynamodb" if service.startswith("DynamoDB") else "sqs"
        status: list[int] = []

        def capture_status(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status.append(int(code.split(" ", 1)[0]))
            return start_response(code, headers, exc_info)

        if lock is None:
            body = self._run(environ, capture_status)
            with self.sqs_lock:
                seq = recorder.capture(kind, action, request)
        else:
            with lock:
                body = self._run(environ, capture_status)
                seq = recorder.capture(kind, action, request) if status and status[0] < 300 else None
        if seq is not None:
            recorder.sync(seq)  # outside the lock: concurrent calls share one fsync
        return [body]

    def _run(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> bytes:
        """The whole call, body included, before the next one may start."""
        result = self.app(environ, start_response)
        try:
            return b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()


_ITEM_WRITES = frozenset({"PutItem", "UpdateItem", "BatchWriteItem", "TransactWriteItems"})


def _refused_by_dynamodb(request: Any) -> str | None:
    """What DynamoDB refuses in a write that moto 5 stores anyway, and then serves in a shape
    botocore cannot parse: an empty attribute name, at the top of an item or as a map key at any
    depth ("Empty attribute name", before the table is even looked up)."""
    if isinstance(request, dict):
        for name, value in request.items():
            if name in ("Item", "M") and isinstance(value, dict) and "" in value:
                return "One or more parameter values were invalid: Empty attribute name"
            found = _refused_by_dynamodb(value)
            if found is not None:
                return found
    elif isinstance(request, list):
        for value in request:
            found = _refused_by_dynamodb(value)
            if found is not None:
                return found
    return None


def _validation_error(message: str, start_response: Callable[..., Any]) -> list[bytes]:
    body = json.dumps(
        {"__type": "com.amazon.coral.validation#ValidationException", "message": message}
    ).encode()
    start_response(
        "400 Bad Request",
        [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(body)))],
    )
    return [body]


def _request_json(environ: dict[str, Any]) -> dict[str, Any] | None:
    """The request body (read, then put back for moto) as JSON."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(raw)
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


class Emulator:
    """An in-process moto server and the resources the template declares."""

    def __init__(self, template: Template) -> None:
        self.template = template
        self.region = template.region
        self.account_id = template.account_id
        self._server: moto_internals.MotoServer | None = None
        self._app: _SerialisingApp | None = None
        self.endpoint_url = ""
        self.physical: dict[str, PhysicalResource] = {}
        self._clients: dict[str, Any] = {}

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start moto (raises moto_internals.MotoMismatchError unless moto is the pinned release)."""
        over_http = os.environ.get("FORTYTWO_DEVSTACK_AWS_OVER_HTTP") == "1"
        self._server = moto_internals.MotoServer(self._wrap, over_http=over_http)
        self.endpoint_url = self._server.endpoint_url
        leftovers = moto_internals.leftover_resources(self.account_id, self.region)
        if leftovers:
            # moto is process-global: a stack whose stop could not reset it must not make this one
            # fail with "Table already exists" (or see its data).
            log.warning("devstack: moto still held %s from an earlier stack; reset", ", ".join(leftovers))
            moto_internals.reset_backends()
        if not over_http:
            # boto3's default session registers handlers once, when created: start a new one.
            boto3.DEFAULT_SESSION = None

    def _wrap(self, app: Callable[..., Iterable[bytes]]) -> _SerialisingApp:
        self._app = _SerialisingApp(app)
        return self._app

    def stop(self) -> None:
        if self._server is None:
            return
        # moto's backends are process-global: leave nothing behind for a later stack in this process.
        moto_internals.reset_backends()
        self._server.stop()
        self._server = None

    # --- access ------------------------------------------------------------------------------

    @property
    def dynamodb_lock(self) -> threading.RLock:
        assert self._app is not None
        return self._app.dynamodb_lock

    @property
    def sqs_lock(self) -> threading.RLock:
        assert self._app is not None
        return self._app.sqs_lock

    def record_with(self, recorder: Recorder | None) -> None:
        assert self._app is not None
        self._app.recorder = recorder

    def client(self, service: str) -> Any:
        """A boto3 client for the emulator (clients are thread-safe once created)."""
        if service not in self._clients:
            self._clients[service] = _session().client(
                service,
                endpoint_url=self.endpoint_url,
                region_name=self.region,
                aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                aws_session_token=FAKE_CREDENTIALS["AWS_SESSION_TOKEN"],
                config=Config(retries={"max_attempts": 2, "mode": "standard"}, max_pool_connections=32),
            )
        return self._clients[service]

    # --- resources ---------------------------------------------------------------------------

    def create_resources(self) -> dict[str, PhysicalResource]:
        for table in self.template.tables.values():
            self.physical[table.logical_id] = self._create_table(table)
        for queue in self.template.queues_in_creation_order():
            self.physical[queue.logical_id] = self._create_queue(queue)
        for fn in self.template.functions.values():
            arn = f"arn:aws:lambda:{self.region}:{self.account_id}:function:{fn.name}"
            self.physical[fn.logical_id] = PhysicalResource(fn.name, {"Arn": arn})
        for logical_id, resource in self.template.resources.items():
            if resource.get("Type") == "AWS::Serverless::HttpApi":
                self.physical[logical_id] = PhysicalResource("local", {"ApiEndpoint": "http://local"})
        return self.physical

    def _create_table(self, table: TableDef) -> PhysicalResource:
        ddb = self.client("dynamodb")
        kwargs: dict[str, Any] = {
            "TableName": table.name,
            "AttributeDefinitions": table.attribute_definitions,
            "KeySchema": table.key_schema,
            "BillingMode": "PAY_PER_REQUEST",
        }
        if table.global_secondary_indexes:
            kwargs["GlobalSecondaryIndexes"] = [
                {k: v for k, v in gsi.items() if k != "ProvisionedThroughput"}
                for gsi in table.global_secondary_indexes
            ]
        if table.local_secondary_indexes:
            kwargs["LocalSecondaryIndexes"] = table.local_secondary_indexes
        if table.stream_view_type:
            kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": table.stream_view_type}
        description = ddb.create_table(**kwargs)["TableDescription"]
        if table.ttl_attribute:
            ddb.update_time_to_live(
                TableName=table.name,
                TimeToLiveSpecification={"AttributeName": table.ttl_attribute, "Enabled": True},
            )
        attributes = {"Arn": description["TableArn"]}
        if "LatestStreamArn" in description:
            attributes["StreamArn"] = description["LatestStreamArn"]
        return PhysicalResource(table.name, attributes)

    def _create_queue(self, queue: QueueDef) -> PhysicalResource:
        sqs = self.client("sqs")
        attributes = {
            "VisibilityTimeout": str(queue.visibility_timeout_s),
            "MessageRetentionPeriod": str(queue.retention_s),
            "DelaySeconds": str(queue.delay_s),
            "ReceiveMessageWaitTimeSeconds": str(queue.receive_wait_s),
        }
        if queue.fifo:
            attributes["FifoQueue"] = "true"
        if queue.dead_letter_queue_id is not None:
            dlq_arn = self.physical[queue.dead_letter_queue_id].attributes["Arn"]
            attributes["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": queue.max_receive_count}
            )
        url = sqs.create_queue(QueueName=queue.name, Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return PhysicalResource(url, {"Arn": arn, "QueueName": queue.name, "QueueUrl": url})

    def put_pepper(self, parameter_name: str, pepper_file: Path) -> None:
        value = load_or_create_pepper(pepper_file)
        self.client("ssm").put_parameter(
            Name=parameter_name, Value=value, Type="SecureString", Overwrite=True
        )


_shared_session: boto3.session.Session | None = None
_session_lock = threading.Lock()


def _session() -> boto3.session.Session:
    """One session for the stack's own clients: it loads each service model once (a session per
    client re-read them, seconds of startup). Created after the in-process transport is set up."""
    global _shared_session
    with _session_lock:
        if _shared_session is None:
            _shared_session = boto3.session.Session()
        return _shared_session


def load_or_create_pepper(path: Path) -> str:
    """32 random bytes, hex-encoded, generated once per data dir so tokens survive restarts."""
    if path.exists():
        value = path.read_text(encoding="ascii").strip()
        if len(value) == 64 and all(c in "0123456789abcdef" for c in value):
            return value
        raise ValueError(f"{path}: not a 64-character hex pepper (delete it to start with a new one)")
    value = secrets.token_hex(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    return value
