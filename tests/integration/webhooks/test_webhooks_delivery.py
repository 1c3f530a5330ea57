"""WebhookDeliveryFunction against moto and a real loopback receiver (40-webhooks §7, §8.4).

The queue is moto's; retries are parked by the function with ChangeMessageVisibility, which
the pipeline fixture releases in simulated time (schedule 0,1,2,3,4,5 from the test env).
Every request the receiver gets is verified with the independent §9 verifier.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from tests.integration.webhooks.conftest import Pipeline, emit_event
from tests.integration.webhooks.receiver import Receiver, check_signature

OFFSETS = (0, 1, 2, 3, 4, 5)
pytestmark = pytest.mark.usefixtures("resolver")


def _hook(
    api: Any, receiver: Receiver, path: str, events: list[str] | None = None, key: str = "full"
) -> dict:
    hook = api(key).created(receiver.url(path), events or ["booking_created"])
    receiver.secrets[path] = [hook["signing_secret"]]
    return hook


def _sub(webhook_id: str) -> Any:
    from fortytwo.store import webhooks as store

    sub = store.get(webhook_id)
    assert sub is not None
    return sub


def _rows(api: Any, webhook_id: str, key: str = "full") -> list[dict[str, Any]]:
    return api(key).deliveries(webhook_id, limit="100").json()["data"]


def _set_failures(webhook_id: str, failures: int) -> None:
    from fortytwo.store import dynamo, keys

    dynamo.client().update_item(
        TableName=dynamo.table_name(),
        Key=dynamo.key(*keys.webhook(webhook_id)),
        UpdateExpression="SET failures = :n",
        ExpressionAttributeValues=dynamo.values({":n": failures}),
    )


def test_a_delivery_is_signed_sent_once_and_recorded(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline
) -> None:
    from fortytwo.domain.webhooks.fanout import delivery_id_for

    hook = _hook(api, receiver, "/ok")
    event = emit_event(seeded["organization_id"], data={"text": "Gestión / ação"})
    pipeline.run()
    (got,) = receiver.received
    assert got.verify_error is None
    assert got.body == event.body  # the bytes rendered once at commit, untouched
    assert got.delivery_id == delivery_id_for(event, hook["id"]) and got.attempt == 1
    assert got.event == "booking.created"
    assert got.headers["user-agent"] == "42min-Webhooks/1"
    assert got.headers["content-type"] == "application/json"
    assert int(got.headers["content-length"]) == len(event.body)
    assert "authorization" not in got.headers and "cookie" not in got.headers
    signature = got.headers["x-42min-webhook-signature"]
    assert signature.startswith("t=") and ",v1=" in signature and " " not in signature

    (row,) = _rows(api, hook["id"])
    assert row["id"] == got.delivery_id and row["event"] == "booking_created" and row["attempt"] == 1
    assert row["status_code"] == 204 and row["error"] is None and row["next_retry_at"] is None
    assert row["delivered_at"] is not None
    current = api().get(hook["id"]).json()["data"]
    assert current["last_delivery_ok"] is True and current["last_delivery_at"] == row["delivered_at"]
    assert current["updated_at"] == hook["updated_at"]  # bookkeeping does not touch it
    assert pipeline.queue_depth() == 0
    assert pipeline.delivery_responses[-1] == {"batchItemFailures": []}


def test_retries_use_the_same_id_increasing_attempts_and_the_schedule(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline
) -> None:
    from fortytwo.domain.timefmt import parse_ts

    hook = _hook(api, receiver, "/fail")
    receiver.statuses["/fail"] = 500
    emit_event(seeded["organization_id"])
    pipeline.run()
    got = receiver.on("/fail")
    assert [r.attempt for r in got] == [1, 2, 3, 4, 5, 6]
    assert len({r.delivery_id for r in got}) == 1
    assert all(r.verify_error is None for r in got)
    # Parked by visibility for what is left of each 1 s gap (0 when an attempt itself ran
    # late on a busy machine), never slept.
    assert len(pipeline.parks) == 5 and all(0 <= park <= 1 for park in pipeline.parks)

    rows = list(reversed(_rows(api, hook["id"])))
    assert [r["attempt"] for r in rows] == [1, 2, 3, 4, 5, 6]
    t0 = parse_ts(rows[0]["created_at"])
    for row, offset in zip(rows, OFFSETS, strict=True):
        assert row["status_code"] == 500 and row["error"] == "http_error" and row["delivered_at"] is None
        started = parse_ts(row["created_at"]) - t0
        # Never early; late only by this machine's processing time (the parks above are exact).
        assert timedelta(seconds=offset) <= started < timedelta(seconds=offset + 3)
    for row, following in zip(rows, OFFSETS[1:], strict=False):
        assert parse_ts(row["next_retry_at"]) == t0 + timedelta(seconds=following)
    assert rows[-1]["next_retry_at"] is None

    sub = _sub(hook["id"])
    assert sub.health.failures == 1 and sub.status == "active"  # one exhausted delivery counts once
    assert sub.last_delivery_ok is False


def test_five_exhausted_deliveries_pause_and_resume_resets(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline, capsys: Any
) -> None:
    hook = _hook(api, receiver, "/down")
    receiver.statuses["/down"] = 503
    for _ in range(5):
        emit_event(seeded["organization_id"])
    pipeline.run()
    assert len(receiver.on("/down")) == 30
    current = api().get(hook["id"]).json()["data"]
    assert current["status"] == "paused" and current["paused_reason"] == "consecutive_failures"
    assert current["updated_at"] == current["last_delivery_at"]  # set by the automatic pause
    assert "WebhookAutoPauses" in capsys.readouterr().out

    emit_event(seeded["organization_id"])
    pipeline.run()
    assert len(receiver.on("/down")) == 30  # paused: the event creates no delivery
    resumed = api().patch(hook["id"], {"status": "active"}).json()["data"]
    assert resumed["status"] == "active" and resumed["paused_reason"] is None
    assert _sub(hook["id"]).health.failures == 0
    receiver.statuses["/down"] = 200
    emit_event(seeded["organization_id"])
    pipeline.run()
    assert [r.answered for r in receiver.on("/down")][30:] == [200]  # no backfill, only the new one


def test_a_success_resets_the_counter_and_the_fifth_exhaustion_pauses(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline
) -> None:
    hook = _hook(api, receiver, "/flaky")
    _set_failures(hook["id"], 4)
    emit_event(seeded["organization_id"])
    pipeline.run()
    assert _sub(hook["id"]).health.failures == 0
    _set_failures(hook["id"], 4)
    receiver.statuses["/flaky"] = 500
    emit_event(seeded["organization_id"])
    pipeline.run()
    sub = _sub(hook["id"])
    assert sub.status == "paused" and sub.health.failures == 5


def test_410_pauses_with_endpoint_gone_and_stops(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline
) -> None:
    hook = _hook(api, receiver, "/gone")
    receiver.statuses["/gone"] = 410
    emit_event(seeded["organization_id"])
    pipeline.run()
    assert [r.attempt for r in receiver.on("/gone")] == [1]
    (row,) = _rows(api, hook["id"])
    assert row["error"] == "endpoint_gone" and row["status_code"] == 410 and row["next_retry_at"] is None
    current = api().get(hook["id"]).json()["data"]
    assert current["status"] == "paused" and current["paused_reason"] == "endpoint_gone"
    assert current["updated_at"] > hook["updated_at"]
    assert _sub(hook["id"]).health.failures == 0  # 410 leaves the counter alone


def test_a_due_retry_of_a_paused_subscription_is_dropped(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline
) -> None:
    from fortytwo.store import deliveries

    hook = _hook(api, receiver, "/paused")
    receiver.statuses["/paused"] = 500
    emit_event(seeded["organization_id"])
    pipeline.fan_out()
    pipeline.step()  # attempt 1 fails, attempt 2 is parked
    api().patch(hook["id"], {"status": "paused"})
    receiver.statuses["/paused"] = 204
    pipeline.drain()
    assert [r.attempt for r in receiver.on("/paused")] == [1]
    assert len(_rows(api, hook["id"])) == 1  # dropped: no request, no row
    delivery_id = receiver.on("/paused")[0].delivery_id
    delivery, _ = deliveries.load(delivery_id, hook["id"])
    assert delivery is not None and delivery.state.status == "dropped"
    assert _sub(hook["id"]).health.failures == 0
    api().patch(hook["id"], {"status": "active"})
    pipeline.drain()
    assert len(receiver.on("/paused")) == 1  # no backfill after resuming


def test_paused_and_resumed_before_the_retry_is_due_sends_it(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline
) -> None:
    hook = _hook(api, receiver, "/blip")
    receiver.statuses["/blip"] = 500
    emit_event(seeded["organization_id"])
    pipeline.fan_out()
    pipeline.step()
    api().patch(hook["id"], {"status": "paused"})
    api().patch(hook["id"], {"status": "active"})
    receiver.statuses["/blip"] = 204
    pipeline.drain()
    assert [(r.attempt, r.answered) for r in receiver.on("/blip")] == [(1, 500), (2, 204)]


def test_a_deleted_subscription_drops_its_pending_deliveries(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline
) -> None:
    hook = _hook(api, receiver, "/deleted")
    receiver.statuses["/deleted"] = 500
    emit_event(seeded["organization_id"])
    pipeline.fan_out()
    pipeline.step()
    assert api().delete(hook["id"]).status == 204
    pipeline.drain()
    assert len(receiver.on("/deleted")) == 1
    assert pipeline.queue_depth() == 0


def test_rotation_applies_to_the_next_attempt_of_a_pending_delivery(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline
) -> None:
    hook = _hook(api, receiver, "/rotate")
    old = hook["signing_secret"]
    receiver.statuses["/rotate"] = lambda r: 204 if r.attempt >= 3 else 500
    emit_event(seeded["organization_id"])
    pipeline.fan_out()
    pipeline.step()  # attempt 1, old secret
    new = api().rotate(hook["id"]).json()["data"]["signing_secret"]
    receiver.secrets["/rotate"] = [new]
    pipeline.drain()
    first, *later = receiver.on("/rotate")
    assert check_signature(first.body, first.headers["x-42min-webhook-signature"], [old]) is None
    assert [r.attempt for r in later] == [2, 3]
    for request in later:
        assert request.verify_error is None  # verifies with the new secret …
        assert check_signature(request.body, request.headers["x-42min-webhook-signature"], [old]) is not None


def test_a_new_url_applies_to_the_next_attempt(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline
) -> None:
    hook = _hook(api, receiver, "/before")
    receiver.statuses["/before"] = 500
    emit_event(seeded["organization_id"])
    pipeline.fan_out()
    pipeline.step()
    api().patch(hook["id"], {"url": receiver.url("/after")})
    receiver.secrets["/after"] = [hook["signing_secret"]]
    pipeline.drain()
    assert [r.attempt for r in receiver.on("/before")] == [1]
    (moved,) = receiver.on("/after")
    assert moved.attempt == 2 and moved.verify_error is None
    assert moved.delivery_id == receiver.on("/before")[0].delivery_id


def test_a_worker_exception_mid_batch_loses_no_delivery(
    api: Any,
    seeded: dict[str, Any],
    receiver: Receiver,
    pipeline: Pipeline,
    functions: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hooks = [_hook(api, receiver, f"/w{i}") for i in range(3)]
    emit_event(seeded["organization_id"])
    pipeline.fan_out()
    messages = pipeline.receive()
    assert len(messages) == 3
    real_send = functions.delivery.deps.send
    calls = {"n": 0}

    def crash_after_sending(request: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        result = real_send(request, **kwargs)
        if calls["n"] == 2:
            raise RuntimeError("worker died after sending")
        return result

    monkeypatch.setattr(functions.delivery.deps, "send", crash_after_sending)
    failed = pipeline.deliver_batch(messages)
    assert len(failed) == 1  # only the broken record; the others were acknowledged
    monkeypatch.setattr(functions.delivery.deps, "send", real_send)
    pipeline.drain()

    crashed = receiver.received[1].delivery_id
    per_delivery = {hook["id"]: [r.attempt for r in receiver.on(f"/w{i}")] for i, hook in enumerate(hooks)}
    assert sorted(per_delivery.values()) == [[1], [1], [1, 1]]  # resent with the SAME attempt number
    assert all(r.verify_error is None for r in receiver.received)
    for hook in hooks:
        rows = _rows(api, hook["id"])
        assert len(rows) == 1 and rows[0]["status_code"] == 204  # the lost outcome left no row
    # The retry waited for the claim to expire (60 s of simulated time), then re-claimed.
    assert any(park >= 50 for park in pipeline.parks)
    assert crashed in {r.delivery_id for r in receiver.received[3:]}


def test_an_exception_before_the_claim_is_retried_quickly(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fortytwo.store import deliveries

    _hook(api, receiver, "/early")
    emit_event(seeded["organization_id"])
    pipeline.fan_out()
    real_load = deliveries.load_many
    broken = {"left": 2}  # the batch's read, then the record's own

    def flaky_load(*args: Any) -> Any:
        if broken["left"]:
            broken["left"] -= 1
            raise ConnectionError("table unavailable")
        return real_load(*args)

    monkeypatch.setattr(deliveries, "load_many", flaky_load)
    pipeline.drain()
    assert [r.attempt for r in receiver.on("/early")] == [1]
    assert pipeline.parks[0] == 2 and broken["left"] == 0


def test_duplicate_messages_never_duplicate_an_attempt(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline
) -> None:
    _hook(api, receiver, "/dup")
    receiver.statuses["/dup"] = 500
    emit_event(seeded["organization_id"])
    pipeline.fan_out()
    (message,) = pipeline.receive()
    pipeline.sqs.change_message_visibility(
        QueueUrl=pipeline.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
    )
    pipeline.sqs.send_message(QueueUrl=pipeline.queue_url, MessageBody=message["Body"])
    pipeline.drain()
    assert [r.attempt for r in receiver.on("/dup")] == [1, 2, 3, 4, 5, 6]


def test_a_message_that_arrives_early_is_parked_until_due(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline
) -> None:
    _hook(api, receiver, "/early-msg")
    receiver.statuses["/early-msg"] = 500
    emit_event(seeded["organization_id"])
    pipeline.fan_out()
    (message,) = pipeline.receive()
    pipeline.deliver_batch([message])  # attempt 1; attempt 2 is due 1 s after T0
    pipeline.sqs.send_message(QueueUrl=pipeline.queue_url, MessageBody=message["Body"])
    failed = pipeline.step()  # the copy arrives before attempt 2 is due
    assert len(failed) == 1 and pipeline.parks[-1] == 1
    assert len(receiver.on("/early-msg")) == 1


def test_destination_is_checked_again_at_delivery(
    api: Any,
    seeded: dict[str, Any],
    pipeline: Pipeline,
    functions: Any,
    resolver: dict[str, list[str]],
) -> None:
    functions.delivery.deps.resolver = functions.webhooks.deps.resolver  # the same fake DNS
    resolver["rebind.example.com"] = ["93.184.216.34"]
    rebinding = api().created("https://rebind.example.com/x")
    unresolvable = api().created("https://nowhere.example.com/x")
    resolver["rebind.example.com"] = ["10.0.0.9"]
    emit_event(seeded["organization_id"])
    pipeline.run()
    rebind_rows = _rows(api, rebinding["id"])
    assert {r["error"] for r in rebind_rows} == {"forbidden_address"} and len(rebind_rows) == 6
    assert all(r["status_code"] is None for r in rebind_rows)
    nowhere_rows = _rows(api, unresolvable["id"])
    assert {r["error"] for r in nowhere_rows} == {"dns_failure"} and len(nowhere_rows) == 6


def test_concurrent_records_of_one_batch(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline, functions: Any
) -> None:
    functions.delivery.deps.max_workers = 10
    hooks = [_hook(api, receiver, f"/c{i}") for i in range(4)]
    emit_event(seeded["organization_id"])
    pipeline.run()
    assert sorted(r.path for r in receiver.received) == [f"/c{i}" for i in range(4)]
    assert all(r.verify_error is None for r in receiver.received)
    for hook in hooks:
        assert _rows(api, hook["id"])[0]["status_code"] == 204


def test_admin_sandbox_subscriptions_receive_events_too(
    seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline
) -> None:
    from fortytwo.domain import clock
    from fortytwo.services import webhooks

    created = webhooks.create_webhook(
        webhooks.Sandbox(seeded["organization_id"], webhooks.ADMIN_OWNER_KEY),
        {"url": receiver.url("/admin"), "events": ["booking_created"]},
        webhooks.Outbound(now=lambda: clock.now() - timedelta(seconds=1)),
    )
    secret = created.secret
    receiver.secrets["/admin"] = [secret]
    emit_event(seeded["organization_id"])
    pipeline.run()
    (got,) = receiver.on("/admin")
    assert got.verify_error is None and json.loads(got.body)["event"] == "booking.created"


def test_unknown_delivery_and_malformed_messages(pipeline: Pipeline) -> None:
    ghost = {"delivery_id": "whd_019e44d3-ed00-7922-8ef3-c29ca6a652e6", "subscription_id": "x"}
    pipeline.sqs.send_message(QueueUrl=pipeline.queue_url, MessageBody=json.dumps(ghost))
    pipeline.sqs.send_message(QueueUrl=pipeline.queue_url, MessageBody="not json")
    messages = pipeline.receive()
    failed = pipeline.deliver_batch(messages)
    bad = next(m["MessageId"] for m in messages if m["Body"] == "not json")
    assert failed == {bad}  # a malformed message is a bug: it fails until the DLQ takes it


def test_a_transaction_conflict_on_finish_is_retried(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    from fortytwo.store import dynamo

    hook = _hook(api, receiver, "/conflict")
    emit_event(seeded["organization_id"])
    pipeline.fan_out()
    client = dynamo.client()
    real = client.transact_write_items
    conflicts = {"left": 1}

    def conflicting(**kwargs: Any) -> Any:
        if conflicts["left"] and len(kwargs["TransactItems"]) == 3:
            conflicts["left"] -= 1
            raise ClientError(
                {
                    "Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
                    "CancellationReasons": [
                        {"Code": "None"},
                        {"Code": "None"},
                        {"Code": "TransactionConflict"},
                    ],
                },
                "TransactWriteItems",
            )
        return real(**kwargs)

    monkeypatch.setattr(client, "transact_write_items", conflicting)
    pipeline.drain()
    assert conflicts["left"] == 0
    assert [r.attempt for r in receiver.on("/conflict")] == [1]  # not sent again
    (row,) = _rows(api, hook["id"])
    assert row["status_code"] == 204
    assert api().get(hook["id"]).json()["data"]["last_delivery_ok"] is True


def test_worker_errors_after_the_claim_never_cut_the_schedule_short(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17 §2: with the template's redrive policy, a delivery whose worker fails after
    claiming (twice per attempt, three times on the last) still runs its whole schedule, ends
    `exhausted` (the last attempt as a timeout) and counts toward the auto-pause; nothing
    reaches the dead-letter queue."""
    from fortytwo.domain.webhooks.delivery_state import MAX_CLAIMS_PER_ATTEMPT, DeliveryStatus, FailureReason
    from fortytwo.domain.webhooks.fanout import delivery_id_for
    from fortytwo.services import deliveries as service
    from fortytwo.store import deliveries
    from tests.support import aws

    redrive = aws.load_template()["Resources"]["DeliveryQueue"]["Properties"]["RedrivePolicy"]
    dlq_url = pipeline.sqs.create_queue(QueueName=f"{pipeline.queue_url.rsplit('/', 1)[-1]}-dlq")["QueueUrl"]
    dlq_arn = pipeline.sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    policy = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": int(redrive["maxReceiveCount"])}
    pipeline.sqs.set_queue_attributes(
        QueueUrl=pipeline.queue_url, Attributes={"RedrivePolicy": json.dumps(policy)}
    )
    hook = _hook(api, receiver, "/broken-worker")
    receiver.statuses["/broken-worker"] = 500
    real_commit = deliveries.commit_attempt
    commits: dict[int, int] = {}

    def failing_commit(plan: Any) -> None:
        attempt = plan.record.attempt
        commits[attempt] = commits.get(attempt, 0) + 1
        last = attempt == len(OFFSETS) and plan.record.error != "timeout"
        if last or commits[attempt] < MAX_CLAIMS_PER_ATTEMPT:
            raise ConnectionError("the worker lost the table after sending")
        real_commit(plan)

    monkeypatch.setattr(deliveries, "commit_attempt", failing_commit)
    event = emit_event(seeded["organization_id"])
    pipeline.run(max_rounds=400)

    sent = [r.attempt for r in receiver.on("/broken-worker")]
    assert sent == [k for k in range(1, 7) for _ in range(MAX_CLAIMS_PER_ATTEMPT)]
    delivery, _ = deliveries.load(delivery_id_for(event, hook["id"]), hook["id"])
    assert delivery is not None and delivery.state.status is DeliveryStatus.FAILED
    assert delivery.state.failure is FailureReason.EXHAUSTED and delivery.state.attempt == 6
    rows = list(reversed(_rows(api, hook["id"])))
    assert [r["attempt"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert [r["error"] for r in rows] == ["http_error"] * 5 + ["timeout"]
    assert _sub(hook["id"]).health.failures == 1  # counts toward the auto-pause
    # Far more receives than the old budget of 10, yet nothing was dead-lettered.
    assert len(pipeline.parks) > 10 + service.ERROR_RETRY_SECONDS
    assert pipeline.queue_depth() == 0
    assert pipeline.sqs.receive_message(QueueUrl=dlq_url).get("Messages", []) == []


def test_a_batch_reads_its_deliveries_once_and_each_attempt_claims_and_commits(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline, functions: Any
) -> None:
    """Issue 18 goal 4: one BatchGetItem for the whole batch, then per attempt its claim
    (UpdateItem) and its commit (TransactWriteItems) only."""
    from bench.harness import CallCounter

    functions.delivery.deps.max_workers = 10
    for i in range(4):
        _hook(api, receiver, f"/b{i}")
    emit_event(seeded["organization_id"])
    pipeline.fan_out()
    messages = pipeline.receive()
    assert len(messages) == 4
    counter = CallCounter()
    assert pipeline.deliver_batch(messages) == set()
    assert dict(counter.calls) == {"BatchGetItem": 1, "UpdateItem": 4, "TransactWriteItems": 4}
    assert sorted(r.path for r in receiver.received) == [f"/b{i}" for i in range(4)]
