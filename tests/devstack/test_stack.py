"""The stack in-process, on the fixture template: gateway, triggers, races, persistence."""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from fortytwo_local.devstack import DevOptions, DevStack
from fortytwo_local.devstack.moto_internals import queue_messages
from fortytwo_local.devstack.pollers import SqsPoller, StreamPoller, sqs_concurrency
from fortytwo_local.devstack.template import load_template
from fortytwo_local.devstack.ttl import sweep_expired

FIXTURE = Path(__file__).parent / "fixture" / "template.yaml"
REPO_TEMPLATE = Path(__file__).parents[2] / "template.yaml"
# One stack per process (moto is process-global) and the last test restarts it: keep this
# module's tests together and in order under xdist.
pytestmark = pytest.mark.xdist_group("devstack-in-process")


def _start(data_dir: Path) -> DevStack:
    stack = DevStack(
        DevOptions(
            port=0,
            data_dir=str(data_dir),
            template=str(FIXTURE),
            allow_insecure_webhooks=True,
            rate_limits="pat=7",
        )
    )
    stack.start()
    return stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    started = _start(tmp_path_factory.mktemp("devstack") / "data")
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def client(stack: DevStack) -> Iterator[httpx.Client]:
    # Shared by concurrent tests: enough connections for all their threads at once.
    with httpx.Client(base_url=stack.base_url, timeout=30, limits=httpx.Limits(max_connections=20)) as http:
        yield http


def _raw_request(stack: DevStack, request: bytes) -> bytes:
    assert stack.gateway is not None
    with socket.create_connection(("127.0.0.1", stack.gateway.port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _wait(condition: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def _module(stack: DevStack, function_id: str) -> Any:
    return stack.functions[function_id].module


def test_event_reaches_the_routed_function(client: httpx.Client) -> None:
    response = client.get("/v1/items/caf%C3%A9?x=1&x=2", headers={"Cookie": "s=1; t=2"})
    assert response.status_code == 200
    payload = response.json()
    event = payload["event"]
    assert event["routeKey"] == "GET /v1/items/{id}"
    assert event["rawPath"] == "/v1/items/café"  # decoded, as HTTP APIs hand it over
    assert event["pathParameters"] == {"id": "café"}
    assert event["queryStringParameters"] == {"x": "1,2"}
    assert event["cookies"] == ["s=1", "t=2"]
    assert event["requestContext"]["http"]["sourceIp"] == "127.0.0.1"
    # Import-time environment, Lambda's code folder on sys.path, the context object.
    assert payload["service"] == "echo" and payload["helper"] == "echo-helper"
    assert payload["function_name"] == "42min-local-EchoFunction" and payload["memory"] == 256
    assert 0 < int(response.headers["x-remaining"]) <= 10_000
    assert "apigw-requestid" in response.headers and "date" in response.headers


def test_process_environment(stack: DevStack) -> None:
    assert os.environ["FIXTURE_TABLE"] == "fixture-test"
    assert os.environ["FIXTURE_QUEUE_URL"].startswith(os.environ["AWS_ENDPOINT_URL"])
    assert os.environ["FORTYTWO_PUBLIC_BASE_URL"] == stack.base_url
    assert os.environ["FORTYTWO_OAUTH_DCR_ENABLED"] == "true"
    assert os.environ["FORTYTWO_ALLOW_INSECURE_WEBHOOKS"] == "true"
    assert os.environ["FORTYTWO_RATE_LIMITS"] == "pat=7"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing" and os.environ["AWS_REGION"] == "us-east-1"
    info = json.loads((stack.data_dir / "dev.json").read_text())
    assert info["base_url"] == stack.base_url and info["pid"] == os.getpid()
    assert info["table_name"] == "fixture-test" and info["pepper_param"] == "/fixture/pepper"
    pepper = stack.data_dir / "pepper"
    assert stat.S_IMODE(pepper.stat().st_mode) == 0o600 and len(pepper.read_text().strip()) == 64
    assert stack.emulator is not None
    value = stack.emulator.client("ssm").get_parameter(Name="/fixture/pepper", WithDecryption=True)
    assert value["Parameter"]["Value"] == pepper.read_text().strip()


@pytest.mark.parametrize(
    ("path", "route_key"),
    [
        ("/v1/items/special", "GET /v1/items/special"),
        ("/v1/items/", "$default"),
        ("/v1/files/a/b/c", "GET /v1/files/{path+}"),
        ("/nope", "$default"),
    ],
)
def test_routes(client: httpx.Client, path: str, route_key: str) -> None:
    assert client.get(path).json()["event"]["routeKey"] == route_key


def test_methods(client: httpx.Client) -> None:
    assert client.delete("/v1/any").json()["event"]["routeKey"] == "ANY /v1/any"
    assert client.delete("/v1/ping").json()["event"]["routeKey"] == "$default"
    head = client.head("/v1/ping")
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 0


def test_runs_of_slashes_are_collapsed_for_routing_only(stack: DevStack) -> None:
    raw = _raw_request(stack, b"GET //v1//items/x?a=%41 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    event = json.loads(body)["event"]
    assert event["routeKey"] == "GET /v1/items/{id}" and event["pathParameters"] == {"id": "x"}
    assert event["rawPath"] == "//v1//items/x" and event["rawQueryString"] == "a=%41"
    # A trailing slash stays significant.
    assert _event(stack, b"/v1/ping/")["routeKey"] == "$default"


def _event(stack: DevStack, target: bytes) -> dict[str, Any]:
    raw = _raw_request(stack, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK"), head
    return dict(json.loads(body)["event"])


@pytest.mark.parametrize(
    ("target", "route_key", "raw_path", "params"),
    [
        # %2F is a slash by the time API Gateway routes: two segments, the greedy route.
        (b"/v1/items/a%2Fb", "$default", "/v1/items/a/b", None),
        (b"/v1/files/a%2Fb%2Fc", "GET /v1/files/{path+}", "/v1/files/a/b/c", {"path": "a/b/c"}),
        # A decoded `?` ends the path; the real query string is untouched.
        (b"/v1/items/x%3Fy=1?z=2", "GET /v1/items/{id}", "/v1/items/x", {"id": "x"}),
        (b"/v1/items/%0A", "GET /v1/items/{id}", "/v1/items/\n", {"id": "\n"}),
    ],
)
def test_paths_arrive_decoded(
    stack: DevStack, target: bytes, route_key: str, raw_path: str, params: dict[str, str] | None
) -> None:
    event = _event(stack, target)
    assert event["routeKey"] == route_key and event["rawPath"] == raw_path
    assert event["requestContext"]["http"]["path"] == raw_path
    assert event.get("pathParameters") == params


@pytest.mark.parametrize("target", [b"/v1/items/100%25", b"/v1/items/%zz", b"/v1/items/%", b"/v1/items/%FF"])
def test_undecodable_paths_are_refused_by_the_gateway(stack: DevStack, target: bytes) -> None:
    raw = _raw_request(stack, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert raw.startswith(b"HTTP/1.1 400 ") and raw.endswith(b'{"message":"Bad Request"}')


def test_function_failures_and_responses(client: httpx.Client) -> None:
    failed = client.get("/v1/files/raise")
    assert failed.status_code == 500 and failed.json() == {"message": "Internal Server Error"}
    binary = client.get("/v1/files/binary")
    assert binary.content == b"\x00\xff\x10" and binary.headers["content-type"] == "application/octet-stream"
    cookies = client.get("/v1/files/cookies")
    assert cookies.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2"]
    assert client.get("/v1/files/plain").json() == {"hello": "world"}


def test_request_bodies(client: httpx.Client, stack: DevStack) -> None:
    sent = b"\xff\x00not utf-8"
    event = client.request(
        "GET", "/v1/items/x", content=sent, headers={"content-type": "application/json"}
    ).json()["event"]
    assert event["isBase64Encoded"] is True
    chunked = client.request(
        "GET", "/v1/items/x", content=iter([b"ab", b"cd"]), headers={"content-type": "text/plain"}
    ).json()["event"]
    assert chunked["body"] == "abcd"
    too_big = _raw_request(stack, b"POST /v1/items HTTP/1.1\r\nHost: x\r\nContent-Length: 10485761\r\n\r\n")
    assert too_big.startswith(b"HTTP/1.1 413") and b'{"message":"Request Entity Too Large"}' in too_big


@pytest.mark.parametrize(
    ("size", "content_type", "status"),
    [
        (6 * 1024 * 1024 - 4096, "text/plain", 200),  # event (body + envelope) under 6,291,456 bytes
        (6 * 1024 * 1024, "text/plain", 413),  # under HTTP API's 10 MB, over Lambda's invoke limit
        (5 * 1024 * 1024, "application/octet-stream", 413),  # base64 makes the event 6.7 MB
    ],
)
def test_body_limits_are_aws_limits(client: httpx.Client, size: int, content_type: str, status: int) -> None:
    response = client.request(
        "GET", "/v1/files/size", content=b"a" * size, headers={"content-type": content_type}
    )
    assert response.status_code == status
    if status == 413:
        assert response.json() == {"message": "Request Entity Too Large"}
    else:
        assert response.json() == {"received": size}


def test_requests_run_concurrently(client: httpx.Client) -> None:
    client.get("/v1/files/plain")  # connections and threads warm

    def call(_: int) -> int:
        return client.get("/v1/files/sleep").status_code

    started = time.monotonic()
    with ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(call, range(6)))
    assert codes == [204] * 6
    assert time.monotonic() - started < 2.5  # 6 × 0.5 s serialised would be 3 s


def test_conditional_writes_have_one_winner(client: httpx.Client) -> None:
    barrier = threading.Barrier(12)

    def claim(_: int) -> int:
        barrier.wait()
        return client.get("/v1/files/claim").status_code

    with ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(claim, range(12)))
    assert sorted(codes) == [201] + [409] * 11


def test_stream_to_queue_to_dead_letter_queue(client: httpx.Client, stack: DevStack) -> None:
    for name in ("ok-1", "fail-1", "retry-1", "poison-1"):
        assert client.post("/v1/items", json={"pk": name, "sk": "x", "type": "outbox"}).status_code == 201
    client.post("/v1/items", json={"pk": "ignored-1", "sk": "x", "type": "booking"})
    stream, queue = _module(stack, "StreamFunction"), _module(stack, "QueueFunction")

    def seen() -> dict[str, list[str]]:
        names: dict[str, list[str]] = {}
        for record in list(queue.RECORDS):
            names.setdefault(json.loads(record["body"])["name"], []).append(
                record["attributes"]["ApproximateReceiveCount"]
            )
        return names

    _wait(
        lambda: (
            seen().get("retry-1") == ["1", "2"]
            and seen().get("poison-1") == ["1", "2"]
            and "ok-1" in seen()
            and "fail-1" in seen()
        )
    )
    # The filter let only outbox inserts through; the partial failure was retried from itself.
    names = [r["dynamodb"]["NewImage"]["pk"]["S"] for batch in stream.BATCHES for r in batch["Records"]]
    assert "ignored-1" not in names
    assert stream.ATTEMPTS["fail-1"] == 2 and stream.ATTEMPTS["ok-1"] == 1
    record = stream.BATCHES[0]["Records"][0]
    assert record["eventSource"] == "aws:dynamodb"
    assert record["eventSourceARN"] == os.environ["FIXTURE_STREAM"]
    assert set(record["dynamodb"]) >= {
        "Keys",
        "NewImage",
        "SequenceNumber",
        "StreamViewType",
        "ApproximateCreationDateTime",
    }
    # maxReceiveCount 2: the poison message is parked in the dead-letter queue, the rest deleted.
    assert stack.emulator is not None
    sqs = stack.emulator.client("sqs")

    def depth(logical_id: str) -> int:
        assert stack.emulator is not None
        attributes = sqs.get_queue_attributes(
            QueueUrl=stack.emulator.physical[logical_id].ref, AttributeNames=["All"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )

    _wait(lambda: depth("WorkDeadLetterQueue") == 1 and depth("WorkQueue") == 0)


def test_stream_errors_retry_then_skip(client: httpx.Client, stack: DevStack) -> None:
    stream = _module(stack, "StreamFunction")
    client.post("/v1/items", json={"pk": "raise-1", "sk": "x", "type": "outbox"})
    _wait(lambda: stream.ATTEMPTS.get("raise-1", 0) >= 3)
    # MaximumRetryAttempts 2: given up on, and the shard moves on.
    client.post("/v1/items", json={"pk": "after-1", "sk": "x", "type": "outbox"})
    _wait(lambda: stream.ATTEMPTS.get("after-1"))
    assert stream.ATTEMPTS["raise-1"] == 3
    # The batch given up on is reported to the on-failure destination, in Lambda's format.
    assert stack.emulator is not None
    sqs = stack.emulator.client("sqs")
    url = stack.emulator.physical["StreamFailureQueue"].ref
    messages = _wait(lambda: sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages"))
    record = json.loads(messages[0]["Body"])
    assert record["version"] == "1.0"
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestContext"]["functionArn"].endswith(":function:42min-local-StreamFunction")
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    info = record["DDBStreamBatchInfo"]
    assert info["streamArn"] == os.environ["FIXTURE_STREAM"] and info["batchSize"] == 1
    assert info["startSequenceNumber"] == info["endSequenceNumber"] and info["shardId"].startswith("shardId-")
    failed = [b for b in stream.BATCHES if b["Records"][0]["dynamodb"]["NewImage"]["pk"]["S"] == "raise-1"]
    assert failed[0]["Records"][0]["dynamodb"]["SequenceNumber"] == info["startSequenceNumber"]


def test_sqs_concurrency_follows_the_scaling_config(client: httpx.Client, stack: DevStack) -> None:
    queue = _module(stack, "QueueFunction")
    (poller,) = [p for p in stack._pollers if isinstance(p, SqsPoller)]
    assert poller.concurrency == 2  # ScalingConfig.MaximumConcurrency: !Ref QueueConcurrency
    assert stack.emulator is not None
    sqs = stack.emulator.client("sqs")
    for n in range(6):
        sqs.send_message(
            QueueUrl=os.environ["FIXTURE_QUEUE_URL"], MessageBody=json.dumps({"name": f"slow-{n}"})
        )
        time.sleep(0.05)
    _wait(lambda: sum(1 for r in queue.RECORDS if json.loads(r["body"])["name"].startswith("slow-")) == 6)
    assert queue.IN_FLIGHT["most"] == 2


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, 5),
        ({"DeliveryConcurrency": "2"}, 2),
        ({"DeliveryConcurrency": "50"}, 50),
        ({"DeliveryConcurrency": "0"}, 5),
    ],
)
def test_the_delivery_pollers_concurrency_is_the_templates(overrides: dict[str, str], expected: int) -> None:
    template = load_template(REPO_TEMPLATE, parameter_overrides=overrides)
    worker = template.functions["WebhookDeliveryFunction"]
    assert sqs_concurrency(worker.sqs_events[0], worker) == expected


def test_each_function_logs_under_its_own_service_name(client: httpx.Client) -> None:
    # The logger was built with another name (as the shared layer's is, by the first function).
    assert client.get("/v1/files/log").json() == {"service": "echo"}


def test_ttl_sweep(stack: DevStack) -> None:
    assert stack.emulator is not None and stack.template is not None
    ddb = stack.emulator.client("dynamodb")
    now = int(time.time())
    for sk, expires in (("old", now - 5), ("new", now + 99)):
        ddb.put_item(
            TableName="fixture-test", Item={"pk": {"S": "ttl"}, "sk": {"S": sk}, "ttl": {"N": str(expires)}}
        )
    assert sweep_expired(stack.emulator, stack.template.tables["Table"]) == 1
    left = ddb.query(
        TableName="fixture-test",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "ttl"}},
    )["Items"]
    assert [item["sk"]["S"] for item in left] == ["new"]


def test_writes_are_journalled_before_they_are_acknowledged(stack: DevStack) -> None:
    assert stack.emulator is not None and stack.persistence is not None
    journal = stack.persistence.journal
    assert journal is not None
    before = journal._seq  # the pollers may journal their own records concurrently
    stack.emulator.client("dynamodb").put_item(
        TableName="fixture-test", Item={"pk": {"S": "journalled"}, "sk": {"S": "1"}}
    )
    # No waiting: the record is in the current generation's file as soon as the call returns.
    lines = (stack.data_dir / f"journal-{journal.generation}.log").read_text().splitlines()
    assert any('"journalled"' in line for line in lines)
    assert journal._durable > before  # fsynced up to (at least) this write's record, not only written


def test_an_empty_attribute_name_is_refused_as_dynamodb_refuses_it(stack: DevStack) -> None:
    """moto stores `{"M": {"": …}}` and then serves the item in a shape botocore cannot parse;
    DynamoDB answers ValidationException "Empty attribute name". The local stack does what AWS does."""
    from botocore.exceptions import ClientError

    assert stack.emulator is not None
    ddb = stack.emulator.client("dynamodb")
    item = {"pk": {"S": "empty-name"}, "sk": {"S": "1"}, "m": {"M": {"a": {"M": {"": {"N": "1"}}}}}}
    with pytest.raises(ClientError) as refused:
        ddb.put_item(TableName="fixture-test", Item=item)
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "Empty attribute name" in refused.value.response["Error"]["Message"]
    assert "Item" not in ddb.get_item(
        TableName="fixture-test", Key={"pk": {"S": "empty-name"}, "sk": {"S": "1"}}
    )


def test_state_survives_a_restart(tmp_path: Path, stack: DevStack) -> None:
    # Another stack in this process needs the module's one stopped first (moto is process-global).
    stack.stop()
    data_dir = tmp_path / "data"
    first = _start(data_dir)
    try:
        assert first.first_start
        assert first.emulator is not None
        ddb, sqs = first.emulator.client("dynamodb"), first.emulator.client("sqs")
        item = {
            "pk": {"S": "keep"},
            "sk": {"S": "1"},
            "type": {"S": "outbox"},
            "b": {"B": b"\x00\x01"},
            "m": {"M": {"n": {"N": "1.5"}, "l": {"L": [{"S": "x"}]}}},
        }
        ddb.put_item(TableName="fixture-test", Item=item)
        _wait(lambda: _module(first, "StreamFunction").ATTEMPTS.get("keep"))
        dlq = first.emulator.physical["WorkDeadLetterQueue"].ref
        sqs.send_message(
            QueueUrl=dlq,
            MessageBody="parked",
            MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}},
        )
        received = sqs.receive_message(QueueUrl=dlq, VisibilityTimeout=300)["Messages"][0]
        pepper = (data_dir / "pepper").read_text()
    finally:
        first.stop()
    assert not (data_dir / "dev.json").exists()
    assert stat.S_IMODE((data_dir / "state.json").stat().st_mode) == 0o600

    second = _start(data_dir)
    try:
        assert not second.first_start and second.restored_items >= 1
        assert (data_dir / "pepper").read_text() == pepper
        assert second.emulator is not None
        ddb, sqs = second.emulator.client("dynamodb"), second.emulator.client("sqs")
        restored = ddb.get_item(TableName="fixture-test", Key={"pk": {"S": "keep"}, "sk": {"S": "1"}})["Item"]
        assert restored == item
        time.sleep(0.6)  # a few poll cycles: the restored outbox item must not fire again
        assert _module(second, "StreamFunction").BATCHES == []
        dlq = second.emulator.physical["WorkDeadLetterQueue"].ref
        # Still in flight (about 300 s of invisibility left), with its identity and receive count.
        assert sqs.receive_message(QueueUrl=dlq).get("Messages", []) == []
        with second.emulator.sqs_lock:
            (saved,) = queue_messages(
                second.emulator.account_id, second.emulator.region, "fixture-test-work-dlq"
            )
        assert saved["message_id"] == received["MessageId"] and saved["receive_count"] == 1
        assert 200_000 < saved["visible_in_ms"] <= 300_000
        assert saved["message_attributes"] == {"k": {"DataType": "String", "StringValue": "v"}}
    finally:
        second.stop()


def test_stream_records_not_yet_processed_survive_a_crash(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = _start(data_dir)
    try:
        assert first.emulator is not None and first.persistence is not None
        ddb = first.emulator.client("dynamodb")
        ddb.put_item(
            TableName="fixture-test", Item={"pk": {"S": "done-1"}, "sk": {"S": "x"}, "type": {"S": "outbox"}}
        )
        _wait(lambda: _module(first, "StreamFunction").ATTEMPTS.get("done-1"))
        _wait(lambda: '"done-1"' not in json.dumps(first.persistence._unconsumed))  # checkpointed
        # The stack dies before its poller gets to the next record.
        for poller in first._pollers:
            if isinstance(poller, StreamPoller):
                poller.stop()
        ddb.put_item(
            TableName="fixture-test",
            Item={"pk": {"S": "pending-1"}, "sk": {"S": "x"}, "type": {"S": "outbox"}},
        )
    finally:
        first.stop(save=False)  # no final snapshot: the journal is all there is, as after kill -9
    second = _start(data_dir)
    try:
        stream = _module(second, "StreamFunction")
        _wait(lambda: stream.ATTEMPTS.get("pending-1"))
        assert "done-1" not in stream.ATTEMPTS  # processed before the crash: not again
        assert second.emulator is not None
        # New writes still flow, after the replayed ones.
        second.emulator.client("dynamodb").put_item(
            TableName="fixture-test", Item={"pk": {"S": "after-1"}, "sk": {"S": "x"}, "type": {"S": "outbox"}}
        )
        _wait(lambda: stream.ATTEMPTS.get("after-1"))
        names = [r["dynamodb"]["NewImage"]["pk"]["S"] for b in stream.BATCHES for r in b["Records"]]
        assert names.index("pending-1") < names.index("after-1")
    finally:
        second.stop()


def test_a_stack_starts_over_what_a_failed_stop_left_in_moto(
    tmp_path: Path, stack: DevStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto is process-global: a stop whose reset died used to make the next in-process start fail
    with "Table already exists" (a flaky CI failure of the crash test above)."""
    from fortytwo_local.devstack import moto_internals

    stack.stop()
    first = _start(tmp_path / "first")
    assert first.emulator is not None
    first.emulator.client("dynamodb").put_item(
        TableName="fixture-test", Item={"pk": {"S": "stale"}, "sk": {"S": "1"}}
    )
    with monkeypatch.context() as patch:
        patch.setattr(moto_internals, "reset_backends", lambda attempts=5: None)
        first.stop()
    second = _start(tmp_path / "second")
    try:
        assert second.emulator is not None
        assert second.emulator.client("dynamodb").scan(TableName="fixture-test")["Items"] == []
    finally:
        second.stop()


def test_the_moto_reset_is_retried_when_a_straggler_changes_the_backends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from moto.moto_api._internal.models import moto_api_backend

    from fortytwo_local.devstack import moto_internals

    calls: list[int] = []

    def reset() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("dictionary changed size during iteration")

    monkeypatch.setattr(moto_api_backend, "reset", reset)
    moto_internals.reset_backends()
    assert len(calls) == 2
