"""Webhook pipeline benchmarks (40-webhooks §8).

1. `pipeline`: the local stack (`42min dev`, its stream and SQS pollers and the real fan-out and
   delivery functions) delivering to a loopback receiver that verifies every signature with the
   independent §9 verifier. Events are outbox items written into the stack's table the way
   producers write them, as fast as one writer can; reported: verified deliveries per second
   and the latency from the outbox write to receipt (p50/p99).
2. `bookings`: the same stack, latency from a `POST /v1/bookings` commit (its 201) to receipt.
3. `calls`: AWS calls per delivery, counted in-process against moto by driving the two batch
   handlers the way their event source mappings do (the mappings' own ReceiveMessage and
   DeleteMessageBatch are listed separately: they are SQS requests too, though not ours).
4. `api_calls`: DynamoDB calls per `/v1/webhooks…` request through the WebhooksFunction handler
   (in-process, moto), the bearer guard's own calls included.
5. `batched_attempt`: AWS calls per attempt when the worker gets a full batch of 10 messages (as
   under load): the batch's one BatchGetItem is shared, so an attempt is its claim and its commit.
6. `fanout_scale`: one event fanned out to 1,000 subscriptions of one organization by the real
   fan-out handler (in-process, moto with the local stack's transaction journal): AWS calls by
   operation and seconds, beside the template's stream BatchSize and the function's Timeout (a
   batch of BatchSize such events must fit the timeout with margin).
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.harness import moto_account, percentiles
from tests.support import aws

ROOT = Path(__file__).resolve().parents[1]
SEED_FILE = ROOT / "tests" / "e2e" / "seed.yaml"
RATE_LIMITS = aws.lifted_rate_limits()


def _now_ms() -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _subscribe(http: Any, token: str, receiver: Any, path: str) -> None:
    response = http.post(
        "/v1/webhooks",
        headers={"Authorization": f"Bearer {token}"},
        json={"url": receiver.url(path), "events": ["booking_created"]},
    )
    response.raise_for_status()
    receiver.secrets[path] = [response.json()["data"]["signing_secret"]]


def _pipeline(stack: Any, receiver: Any, events: int, subscriptions: int, sequential: int) -> dict[str, Any]:
    import boto3
    import httpx

    from fortytwo.domain.webhooks.envelope import new_outbox_event
    from fortytwo.store import dynamo, outbox

    info = stack.dev_info
    org_id = stack.seed_result["organization_id"]
    ddb = boto3.client(
        "dynamodb",
        endpoint_url=info["endpoint_url"],
        region_name=info.get("region") or "us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    paths = [f"/pipeline-{i}" for i in range(subscriptions)]
    with httpx.Client(base_url=stack.base_url, timeout=60) as http:
        for path in paths:
            _subscribe(http, stack.pat("full"), receiver, path)
    written: dict[str, float] = {}  # event id → when its outbox write returned

    def write() -> None:
        event = new_outbox_event("booking.created", org_id, _now_ms(), {"bench": True})
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": info["table_name"],
                        "Item": dynamo.to_item(outbox.item(event)),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            ]
        )
        written[event.event_id] = time.time()

    def arrived() -> list[Any]:
        return [r for r in receiver.received if r.path in paths]

    # Light load: one event at a time, the next once every delivery of the previous arrived.
    for n in range(1, sequential + 1):
        write()
        receiver.wait_for(lambda _, n=n: len(arrived()) >= n * subscriptions, timeout=120)
    light = arrived()
    light_latencies = [(r.at - written[json.loads(r.body)["id"]]) * 1000 for r in light]

    # Burst: every event written as fast as one writer can, then wait for all deliveries.
    started = time.time()
    for _ in range(events):
        write()
    write_seconds = time.time() - started
    expected = len(light) + events * subscriptions
    receiver.wait_for(lambda _: len(arrived()) >= expected, timeout=1200)
    burst = arrived()[len(light) :]
    finished = max(r.at for r in burst)
    latencies = [(r.at - written[json.loads(r.body)["id"]]) * 1000 for r in burst]
    everything = light + burst
    return {
        "subscriptions": subscriptions,
        "verified": sum(1 for r in everything if r.verify_error is None),
        "deliveries": len(everything),
        "duplicates": len(everything) - len({r.delivery_id for r in everything}),
        "light_load": {"events": sequential, "outbox_write_to_receipt": percentiles(light_latencies)},
        "burst": {
            "events": events,
            "outbox_writes_per_s": round(events / write_seconds, 1),
            "deliveries_per_s": round(len(burst) / (finished - started), 2),
            "outbox_write_to_receipt": percentiles(latencies),
        },
    }


def _bookings(stack: Any, receiver: Any, count: int) -> dict[str, Any]:
    import httpx

    path = "/bookings"
    london = ZoneInfo("Europe/London")
    with httpx.Client(base_url=stack.base_url, timeout=60) as http:
        _subscribe(http, stack.pat("full"), receiver, path)
        committed: dict[str, float] = {}
        day = datetime.now(UTC).date() + timedelta(days=30)
        made = 0
        while made < count:
            day += timedelta(days=1)
            if day.weekday() >= 5:
                continue
            for hour in range(9, 17):
                if made >= count:
                    break
                start = datetime(day.year, day.month, day.day, hour, 0, tzinfo=london).astimezone(UTC)
                response = http.post(
                    "/v1/bookings",
                    headers={
                        "Authorization": f"Bearer {stack.pat('full')}",
                        "Idempotency-Key": f"bench-{time.time_ns()}",
                    },
                    json={
                        "event_type_id": stack.seed_result["event_types"]["intro"],
                        "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "attendee": {"email": "bench@example.com", "name": "Bench"},
                    },
                )
                if response.status_code != 201:
                    raise RuntimeError(f"booking create failed: {response.status_code} {response.text}")
                committed[response.json()["data"]["uid"]] = time.time()
                made += 1
                # One at a time: the latency of a commit, not of a queue behind it.
                receiver.wait_for(lambda r, n=made: sum(1 for x in r if x.path == path) >= n, timeout=120)
    got = receiver.wait_for(lambda r: sum(1 for x in r if x.path == path) >= count, timeout=300)
    mine = [r for r in got if r.path == path]
    latencies = [(r.at - committed[json.loads(r.body)["data"]["booking"]["id"]]) * 1000 for r in mine]
    return {
        "bookings": count,
        "verified": sum(1 for r in mine if r.verify_error is None),
        "commit_to_receipt": percentiles(latencies),
    }


def _stack_benches(events: int, subscriptions: int, bookings: int, sequential: int) -> dict[str, Any]:
    from tests.e2e.harness import Stack
    from tests.integration.webhooks.receiver import Receiver

    receiver = Receiver().start()
    stack = Stack(
        "--seed",
        str(SEED_FILE),
        "--allow-insecure-webhooks",
        "--webhook-retry-schedule",
        "0,1,2,3,4,5",
        "--rate-limits",
        RATE_LIMITS,
        env={"POWERTOOLS_LOG_LEVEL": "WARNING"},
    ).start()
    try:
        return {
            "pipeline": _pipeline(stack, receiver, events, subscriptions, sequential),
            "bookings": _bookings(stack, receiver, bookings),
        }
    finally:
        stack.stop()
        receiver.stop()


# --- calls per delivery (in-process, moto) ---------------------------------------------------------


class AwsCalls:
    """Counts every DynamoDB and SQS call made through the shared layer's clients."""

    def __init__(self) -> None:
        from fortytwo.store import delivery_queue, dynamo

        self.calls: Counter[str] = Counter()
        self.spans: list[tuple[float, float]] = []  # (start, end) of each call, any thread
        self._started = threading.local()
        for client in (dynamo.client(), delivery_queue.sqs()):
            service = client.meta.service_model.service_name
            client.meta.events.register(f"before-call.{service}.*", self._hook(service))
            client.meta.events.register(f"after-call.{service}.*", self._done)

    def _hook(self, service: str) -> Any:
        def count(model: Any, **_: Any) -> None:
            self.calls[f"{service}:{model.name}"] += 1
            self._started.at = time.perf_counter()

        return count

    def _done(self, **_: Any) -> None:
        self.spans.append((self._started.at, time.perf_counter()))

    def seconds_inside(self) -> float:
        """Wall time during which at least one call was in flight (the emulator's share)."""
        total, reached = 0.0, 0.0
        for start, end in sorted(self.spans):
            if end > reached:
                total += end - max(start, reached)
                reached = end
        return total

    def take(self) -> dict[str, int]:
        taken = dict(self.calls)
        self.calls.clear()
        return taken


def _calls(events: int, subscriptions: int) -> dict[str, Any]:
    import boto3

    from fortytwo_local.seed import apply_seed, demo_seed
    from tests.integration.webhooks.receiver import Receiver
    from tests.support import aws

    receiver = Receiver().start()
    try:
        with moto_account():
            from fortytwo.domain import clock
            from fortytwo.domain.webhooks.envelope import new_outbox_event
            from fortytwo.services import webhooks
            from fortytwo.store import delivery_queue, dynamo, outbox

            org_id = apply_seed(demo_seed())["organization_id"]
            for i in range(subscriptions):
                path = f"/calls-{i}"
                sub = webhooks.create_webhook(
                    webhooks.Sandbox(org_id, f"pat:bench:{i}"),
                    {"url": receiver.url(path), "events": ["booking_created"]},
                    webhooks.Outbound(now=lambda: clock.now() - timedelta(seconds=1)),
                )
                secret = sub.secret
                receiver.secrets[path] = [secret]
                receiver.statuses[path] = 204 if i == 0 else 500  # one healthy, the rest failing
            fanout = aws.function_module("webhook_fanout")
            delivery = aws.function_module("webhook_delivery")
            delivery.deps.max_workers = 1
            ddb, streams, sqs = boto3.client("dynamodb"), boto3.client("dynamodbstreams"), boto3.client("sqs")
            stream_arn = ddb.describe_table(TableName=dynamo.table_name())["Table"]["LatestStreamArn"]
            shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
            iterator = streams.get_shard_iterator(
                StreamArn=stream_arn, ShardId=shard, ShardIteratorType="LATEST"
            )["ShardIterator"]
            counter = AwsCalls()
            for _ in range(events):
                event = new_outbox_event("booking.created", org_id, clock.now(), {"bench": True})
                dynamo.client().transact_write_items(TransactItems=[outbox.transact_put(event)])
            counter.take()  # the producers' writes are not the pipeline's

            records = streams.get_records(ShardIterator=iterator)["Records"]
            batch = []
            for record in records:
                image = record["dynamodb"].get("NewImage") or {}
                if record["eventName"] == "INSERT" and image.get("type", {}).get("S") == "outbox":
                    dynamodb = {**record["dynamodb"], "ApproximateCreationDateTime": 0}
                    batch.append({**record, "dynamodb": dynamodb, "eventSourceARN": stream_arn})
            fanout.handler({"Records": batch}, aws.LambdaContext())
            fanout_calls = counter.take()

            # Deliver message by message until the queue is empty; a parked retry is released as
            # soon as it is due (the schedule's gaps are 1 s here).
            attempts: Counter[str] = Counter()
            esm_calls: Counter[str] = Counter()
            success_calls: Counter[str] = Counter()
            retry_calls: Counter[str] = Counter()
            while True:
                messages = sqs.receive_message(
                    QueueUrl=delivery_queue.queue_url(), MaxNumberOfMessages=1, AttributeNames=["All"]
                ).get("Messages", [])
                esm_calls["sqs:ReceiveMessage"] += 1
                if not messages:
                    break
                (message,) = messages
                before = len(receiver.received)
                record = {
                    "messageId": message["MessageId"],
                    "receiptHandle": message["ReceiptHandle"],
                    "body": message["Body"],
                    "attributes": message.get("Attributes", {}),
                    "messageAttributes": {},
                    "eventSource": "aws:sqs",
                }
                response = delivery.handler({"Records": [record]}, aws.LambdaContext())
                used = counter.take()
                sent = receiver.received[before:]
                if sent and sent[-1].answered < 300:
                    success_calls.update(used)
                    attempts["succeeded"] += 1
                elif sent:
                    retry_calls.update(used)
                    attempts["failed"] += 1
                else:
                    attempts["not_sent"] += 1
                if not response.get("batchItemFailures"):
                    sqs.delete_message(
                        QueueUrl=delivery_queue.queue_url(), ReceiptHandle=message["ReceiptHandle"]
                    )
                    esm_calls["sqs:DeleteMessageBatch"] += 1
                else:
                    time.sleep(1.05)
                    sqs.change_message_visibility(
                        QueueUrl=delivery_queue.queue_url(),
                        ReceiptHandle=message["ReceiptHandle"],
                        VisibilityTimeout=0,
                    )
            verified = sum(1 for r in receiver.received if r.verify_error is None)
    finally:
        receiver.stop()

    deliveries_made = events * subscriptions

    def per(counter_: Counter[str] | dict[str, int], n: int) -> dict[str, float]:
        return {k: round(v / n, 3) for k, v in sorted(counter_.items())} if n else {}

    return {
        "events": events,
        "subscriptions": subscriptions,
        "deliveries": deliveries_made,
        "attempts": dict(attempts),
        "verified_requests": verified,
        "fanout_per_event": per(fanout_calls, events),
        "fanout_per_delivery": per(fanout_calls, deliveries_made),
        "successful_attempt": per(success_calls, attempts["succeeded"]),
        "failed_attempt": per(retry_calls, attempts["failed"]),
        # The event source mapping's own requests, here with batches of one message; in AWS one
        # ReceiveMessage and one DeleteMessageBatch serve a batch of up to 10.
        "event_source_mapping": dict(esm_calls),
    }


def _batched_calls(subscriptions: int = 10) -> dict[str, Any]:
    """AWS calls per attempt when the event source mapping hands the worker a full batch (10
    messages, as under load): the batch's one read is shared by its attempts."""
    from fortytwo_local.seed import apply_seed, demo_seed
    from tests.integration.webhooks.receiver import Receiver

    receiver = Receiver().start()
    try:
        with moto_account():
            import boto3

            from fortytwo.domain import clock
            from fortytwo.domain.webhooks.envelope import new_outbox_event
            from fortytwo.services import deliveries, webhooks
            from fortytwo.store import delivery_queue, dynamo, outbox

            org_id = apply_seed(demo_seed())["organization_id"]
            for i in range(subscriptions):
                path = f"/batched-{i}"
                sub = webhooks.create_webhook(
                    webhooks.Sandbox(org_id, f"pat:bench:{i}"),
                    {"url": receiver.url(path), "events": ["booking_created"]},
                    webhooks.Outbound(now=lambda: clock.now() - timedelta(seconds=1)),
                )
                receiver.secrets[path] = [sub.secret]
            event = new_outbox_event("booking.created", org_id, clock.now(), {"bench": True})
            dynamo.client().transact_write_items(TransactItems=[outbox.transact_put(event)])
            deliveries.fan_out(event, clock.now())
            delivery = aws.function_module("webhook_delivery")
            delivery.deps.max_workers = 10
            sqs = boto3.client("sqs")
            messages: list[dict[str, Any]] = []
            for _ in range(subscriptions):  # SQS may hand out fewer than asked per receive
                if len(messages) == subscriptions:
                    break
                messages += sqs.receive_message(
                    QueueUrl=delivery_queue.queue_url(),
                    MaxNumberOfMessages=subscriptions - len(messages),
                    VisibilityTimeout=300,  # each message once (the test queue's default is 0)
                ).get("Messages", [])
            records = [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "attributes": {},
                    "messageAttributes": {},
                    "eventSource": "aws:sqs",
                }
                for m in messages
            ]
            counter = AwsCalls()
            response = delivery.handler({"Records": records}, aws.LambdaContext())
            used = counter.take()
    finally:
        receiver.stop()
    sent = len(records)
    return {
        "batch": sent,
        "failed_records": len(response.get("batchItemFailures", [])),
        "verified_requests": sum(1 for r in receiver.received if r.verify_error is None),
        "per_attempt": {k: round(v / sent, 3) for k, v in sorted(used.items())},
        "calls_per_attempt": round(sum(used.values()) / sent, 2),
    }


def _api_calls() -> dict[str, Any]:
    """DynamoDB calls of one request per management route (after a warm-up request)."""
    from bench.harness import CallCounter
    from fortytwo_local.seed import apply_seed, demo_seed
    from tests.integration.webhooks.receiver import Receiver

    receiver = Receiver().start()
    results: dict[str, Any] = {}
    try:
        with moto_account():
            token = apply_seed(demo_seed())["pats"]["demo"]["token"]
            handler = aws.function_module("webhooks").handler
            headers = {"Authorization": f"Bearer {token}"}

            def call(method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
                event = aws.http_event(method, path, headers=headers, body=body)
                response = handler(event, aws.LambdaContext())
                assert response["statusCode"] < 300, response
                return json.loads(response["body"]) if response.get("body") else {}

            call("GET", "/v1/webhooks")  # warm: pepper, last_used_at
            counter = CallCounter()

            def measure(name: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
                counter.reset()
                answer = call(method, path, body)
                results[name] = {
                    "dynamodb_calls": counter.total,
                    "by_operation": dict(sorted(counter.calls.items())),
                }
                return answer

            hook = measure(
                "create", "POST", "/v1/webhooks", {"url": receiver.url("/a"), "events": ["booking_created"]}
            )
            hook_id = hook["data"]["id"]
            measure("list", "GET", "/v1/webhooks")
            measure("get", "GET", f"/v1/webhooks/{hook_id}")
            measure("patch", "PATCH", f"/v1/webhooks/{hook_id}", {"description": "x"})
            measure("patch_url", "PATCH", f"/v1/webhooks/{hook_id}", {"url": receiver.url("/b")})
            measure("rotate_secret", "POST", f"/v1/webhooks/{hook_id}/rotate-secret")
            measure("test", "POST", f"/v1/webhooks/{hook_id}/test")
            measure("deliveries", "GET", f"/v1/webhooks/{hook_id}/deliveries")
            measure("delete", "DELETE", f"/v1/webhooks/{hook_id}")
    finally:
        receiver.stop()
    return results


def _template_fanout() -> dict[str, Any]:
    resources = aws.load_template()
    function = resources["Resources"]["WebhookFanoutFunction"]["Properties"]
    outbox = function["Events"]["Outbox"]["Properties"]
    timeout = int(function.get("Timeout", resources["Globals"]["Function"]["Timeout"]))
    return {"batch_size": int(outbox["BatchSize"]), "timeout_s": timeout}


def _fanout_scale(subscriptions: int = 1000) -> dict[str, Any]:
    """One event, `subscriptions` interested subscriptions: the fan-out's calls and time."""
    from fortytwo_local.devstack import moto_internals
    from fortytwo_local.seed import apply_seed, demo_seed

    moto_internals.install_transaction_journal()  # what `42min dev` runs: per-item rollback
    with moto_account():
        import boto3

        from fortytwo.domain import clock
        from fortytwo.domain.webhooks.envelope import new_outbox_event
        from fortytwo.domain.webhooks.subscription import Subscription
        from fortytwo.store import dynamo, outbox
        from fortytwo.store import webhooks as store

        org_id = apply_seed(demo_seed())["organization_id"]
        created = clock.now() - timedelta(seconds=1)
        items = [
            dynamo.to_item(
                store.SUBSCRIPTION.encode(
                    Subscription(
                        f"01a25286-0000-7000-8000-{i:012d}",
                        org_id,
                        f"pat:bench:{i}",
                        f"https://hooks.example.com/{i}",
                        ("booking_created",),
                        None,
                        "whsec_" + "b" * 43,
                        created,
                        created,
                    )
                )
            )
            for i in range(subscriptions)
        ]
        for start in range(0, len(items), 25):  # set-up only: the subscriptions as stored
            dynamo.client().batch_write_item(
                RequestItems={
                    dynamo.table_name(): [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]
                }
            )
        fanout = aws.function_module("webhook_fanout")
        ddb, streams = boto3.client("dynamodb"), boto3.client("dynamodbstreams")
        stream_arn = ddb.describe_table(TableName=dynamo.table_name())["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard, ShardIteratorType="LATEST"
        )["ShardIterator"]
        event = new_outbox_event("booking.created", org_id, clock.now(), {"bench": "x" * 1500})
        dynamo.client().transact_write_items(TransactItems=[outbox.transact_put(event)])
        (record,) = [
            {
                **r,
                "dynamodb": {**r["dynamodb"], "ApproximateCreationDateTime": 0},
                "eventSourceARN": stream_arn,
            }
            for r in streams.get_records(ShardIterator=iterator)["Records"]
            if (r["dynamodb"].get("NewImage") or {}).get("type", {}).get("S") == "outbox"
        ]
        counter = AwsCalls()
        started = time.perf_counter()
        response = fanout.handler({"Records": [record]}, aws.LambdaContext())
        seconds = time.perf_counter() - started
        calls = counter.take()
        sqs = boto3.client("sqs")
        from fortytwo.store import delivery_queue

        queued = int(
            sqs.get_queue_attributes(
                QueueUrl=delivery_queue.queue_url(), AttributeNames=["ApproximateNumberOfMessages"]
            )["Attributes"]["ApproximateNumberOfMessages"]
        )
        inside = counter.seconds_inside()
    moto_internals.uninstall_transaction_journal()
    template = _template_fanout()
    # On AWS: our own time (measured: the handler's wall time outside the emulator's calls) plus
    # each call at an assumed AWS latency, SQS batches SENDERS at a time. The assumptions are
    # generous p99-ish figures for one region, written out here so the projection can be checked.
    own = seconds - inside
    latency_ms = {"dynamodb:Query": 100, "dynamodb:TransactWriteItems": 400, "sqs:SendMessageBatch": 60}
    sqs_rounds = -(-calls.get("sqs:SendMessageBatch", 0) // delivery_queue.SENDERS)
    projected = (
        own
        + (
            calls.get("dynamodb:Query", 0) * latency_ms["dynamodb:Query"]
            + calls.get("dynamodb:TransactWriteItems", 0) * latency_ms["dynamodb:TransactWriteItems"]
            + sqs_rounds * latency_ms["sqs:SendMessageBatch"]
        )
        / 1000
    )
    worst_batch = template["batch_size"] * seconds
    return {
        "own_seconds_per_event": round(own, 3),
        "emulator_seconds_per_event": round(inside, 3),
        "assumed_aws_latency_ms": latency_ms,
        "projected_aws_seconds_per_event": round(projected, 2),
        "projected_aws_timeout_margin": round(
            template["timeout_s"] / (template["batch_size"] * projected), 2
        ),
        "subscriptions": subscriptions,
        "failed_records": len(response.get("batchItemFailures", [])),
        "messages_queued": queued,
        "calls": dict(sorted(calls.items())),
        "calls_total": sum(calls.values()),
        "seconds_per_event": round(seconds, 3),
        "template": template,
        # A batch of BatchSize such events at the in-process emulator's speed (moto is far slower
        # than DynamoDB and SQS: this is the local stack's figure, not AWS's).
        "batch_seconds_at_emulator_speed": round(worst_batch, 2),
        "emulator_timeout_margin": round(template["timeout_s"] / worst_batch, 2),
    }


def run(events: int = 60, subscriptions: int = 2, bookings: int = 10, sequential: int = 20) -> dict[str, Any]:
    results = _stack_benches(events, subscriptions, bookings, sequential)
    from fortytwo.observability import logger

    # The in-process handlers log and print metrics to stdout; the result must stay clean JSON.
    logger.setLevel("CRITICAL")
    with contextlib.redirect_stdout(io.StringIO()):
        results["calls"] = _calls(events=5, subscriptions=2)
        results["api_calls"] = _api_calls()
        results["batched_attempt"] = _batched_calls()
        results["fanout_scale"] = _fanout_scale()
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
