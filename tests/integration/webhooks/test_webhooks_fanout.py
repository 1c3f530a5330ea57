"""WebhookFanoutFunction against moto: records read from the table's real stream after outbox
items were written the way producers write them (40-webhooks §6.2, §8.2, §8.3)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from tests.integration.webhooks.conftest import Api, Pipeline, emit_event, unique_seed

pytestmark = pytest.mark.usefixtures("resolver")


def _messages(pipeline: Pipeline) -> list[dict[str, Any]]:
    return [json.loads(m["Body"]) for m in pipeline.receive()]


def test_one_delivery_per_interested_active_subscription(
    api: Any, invoke: Any, seeded: dict[str, Any], pipeline: Pipeline
) -> None:
    from fortytwo.domain.webhooks.fanout import delivery_id_for
    from fortytwo.store import deliveries
    from fortytwo.store import webhooks as store

    mine, other = api("full"), api("other")
    wanted = mine.created("https://a.example.com/1", ["booking_created", "booking_canceled"])
    also = other.created("https://a.example.com/1", ["booking_created"])  # same URL, other sandbox
    paused = mine.created("https://a.example.com/2", ["booking_created"])
    mine.patch(paused["id"], {"status": "paused"})
    mine.created("https://a.example.com/3", ["booking_updated"])  # not interested
    stranger = unique_seed("Globex")
    Api(invoke, stranger["pats"]["full"]["token"]).created("https://a.example.com/1")  # other org

    event = emit_event(seeded["organization_id"], "booking.created")
    records = pipeline.stream_records()
    assert len(records) == 1  # only the outbox insert passes the template's filter
    assert pipeline.fan_out(records) == {"batchItemFailures": []}

    expected = {
        delivery_id_for(event, wanted["id"]): wanted["id"],
        delivery_id_for(event, also["id"]): also["id"],
    }
    assert {m["delivery_id"]: m["subscription_id"] for m in _messages(pipeline)} == expected
    for delivery_id, subscription_id in expected.items():
        delivery, sub = deliveries.load(delivery_id, subscription_id)
        assert delivery is not None and sub is not None
        assert delivery.state.status == "pending" and delivery.state.attempt == 1
        assert delivery.event.body == event.body and delivery.event.event_id == event.event_id
    assert store.get(paused["id"]) is not None


def test_a_redelivered_stream_batch_creates_nothing_twice(
    api: Any, seeded: dict[str, Any], pipeline: Pipeline
) -> None:
    api().created("https://b.example.com/1")
    api("other").created("https://b.example.com/2")
    emit_event(seeded["organization_id"])
    records = pipeline.stream_records()
    pipeline.fan_out(records)
    first = _messages(pipeline)
    assert len(first) == 2
    # Claim one delivery the way the worker does, then re-run the same batch.
    from fortytwo.domain.webhooks.delivery_state import on_message
    from fortytwo.domain.webhooks.retry import RetrySchedule
    from fortytwo.store import deliveries

    claimed, sub = deliveries.load(first[0]["delivery_id"], first[0]["subscription_id"])
    assert claimed is not None and sub is not None
    step = on_message(
        claimed.state, now=pipeline.clock.now(), subscription_status="active", schedule=RetrySchedule()
    )
    assert deliveries.write_state(claimed, step.state) is not None

    assert pipeline.fan_out(records) == {"batchItemFailures": []}
    again = pipeline.receive()
    # The unclaimed delivery may have lost its message in the first run: it is sent again
    # (harmless, attempts are claimed); the claimed one already has its message.
    assert [json.loads(m["Body"])["delivery_id"] for m in again] == [first[1]["delivery_id"]]
    assert pipeline.queue_depth() == 3


def test_a_failed_send_is_reported_and_retried_without_duplicates(
    api: Any, seeded: dict[str, Any], pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fortytwo.store import delivery_queue as deliveries

    api().created("https://c.example.com/1")
    emit_event(seeded["organization_id"])
    records = pipeline.stream_records()
    real_enqueue = deliveries.enqueue

    def broken(messages: Any) -> int:
        raise deliveries.EnqueueFailed("throttled")

    monkeypatch.setattr(deliveries, "enqueue", broken)
    response = pipeline.fan_out(records)
    assert response == {"batchItemFailures": [{"itemIdentifier": records[0]["dynamodb"]["SequenceNumber"]}]}
    assert pipeline.queue_depth() == 0
    monkeypatch.setattr(deliveries, "enqueue", real_enqueue)
    assert pipeline.fan_out(records) == {"batchItemFailures": []}
    assert len(_messages(pipeline)) == 1


def test_subscription_created_after_the_event_gets_nothing(
    api: Any, seeded: dict[str, Any], pipeline: Pipeline
) -> None:
    from fortytwo.domain import clock

    api().created("https://d.example.com/1")
    emit_event(seeded["organization_id"], created_at=clock.now() - timedelta(minutes=5))
    pipeline.fan_out()
    assert pipeline.queue_depth() == 0


def test_other_records_are_ignored(api: Any, seeded: dict[str, Any], pipeline: Pipeline) -> None:
    api().created("https://e.example.com/1")
    # Everything the stream carries (webhook writes, counters, locks) reaches the handler
    # unfiltered here: nothing but outbox inserts may create deliveries.
    records = pipeline.stream_records(only_outbox=False)
    assert records and pipeline.fan_out(records) == {"batchItemFailures": []}
    assert pipeline.queue_depth() == 0


def test_event_type_and_reserved_events_follow_the_subscription_list(
    api: Any, seeded: dict[str, Any], pipeline: Pipeline
) -> None:
    hook = api().created("https://f.example.com/1", ["event_type_deleted", "routing_form_submitted"])
    emit_event(seeded["organization_id"], "event_type.updated")
    emit_event(seeded["organization_id"], "event_type.deleted", data={"event_type": {"id": "x"}})
    pipeline.fan_out()
    messages = _messages(pipeline)
    assert [m["subscription_id"] for m in messages] == [hook["id"]]


def test_delivery_id_derivation_matches_the_contract_example() -> None:
    from fortytwo.domain.timefmt import parse_ts
    from fortytwo.domain.webhooks.envelope import OutboxEvent
    from fortytwo.domain.webhooks.fanout import delivery_id_for

    event = OutboxEvent(
        "evt_019e44d3-ed00-7246-817a-f708207473b7",
        "booking.created",
        "019bb138-1000-76a7-b2ed-66ffdcc99396",
        parse_ts("2026-05-20T10:00:00.000Z"),
        b"{}",
    )
    assert (
        delivery_id_for(event, "019e449c-fe80-783c-af56-4652466de486")
        == "whd_019e44d3-ed00-7922-8ef3-c29ca6a652e6"
    )


@pytest.fixture
def journalled_transactions() -> Iterator[None]:
    """The local stack's TransactWriteItems rollback (per item, not a copy of the whole table per
    item as plain moto does): the same results, without minutes of copying at 250 items."""
    from moto.dynamodb.models import DynamoDBBackend

    from fortytwo_local.devstack import moto_internals

    mine = moto_internals._ORIGINAL_TRANSACT not in vars(DynamoDBBackend)
    moto_internals.install_transaction_journal()
    yield
    if mine:
        moto_internals.uninstall_transaction_journal()


@pytest.mark.usefixtures("journalled_transactions")
def test_deliveries_are_created_in_transactions_of_100_and_never_overwritten(
    seeded: dict[str, Any], pipeline: Pipeline
) -> None:
    """Issue 17 §2: the fan-out writes up to 100 deliveries per TransactWriteItems; on a re-run,
    the ones that exist (whatever their state) are reused as they are, the rest created."""
    from fortytwo.domain.webhooks.delivery_state import DeliveryStatus, on_message
    from fortytwo.domain.webhooks.fanout import plan_fanout
    from fortytwo.domain.webhooks.retry import RetrySchedule
    from fortytwo.domain.webhooks.subscription import Subscription
    from fortytwo.store import deliveries, dynamo

    event = emit_event(seeded["organization_id"])
    created = event.created_at - timedelta(seconds=1)
    subs = [
        Subscription(
            f"01a25286-0000-7000-8000-{i:012d}",
            seeded["organization_id"],
            "pat:x",
            f"https://a.example.com/{i}",
            ("booking_created",),
            None,
            "whsec_" + "a" * 43,
            created,
            created,
        )
        for i in range(250)
    ]
    planned = plan_fanout(event, subs, pipeline.clock.now())
    assert len(planned) == 250
    calls: list[int] = []
    client = dynamo.client()
    real = client.transact_write_items

    def counting(**kwargs: Any) -> Any:
        calls.append(len(kwargs["TransactItems"]))
        return real(**kwargs)

    client.transact_write_items = counting  # type: ignore[method-assign]
    try:
        assert set(deliveries.create_all(planned[:120]).values()) == {None}
        assert calls == [100, 20]
        first = planned[7]
        step = on_message(
            first.state, now=pipeline.clock.now(), subscription_status="active", schedule=RetrySchedule()
        )
        claimed = deliveries.write_state(first, step.state)
        assert claimed is not None
        calls.clear()
        again = deliveries.create_all(planned)
    finally:
        del client.transact_write_items
    # 0..99 all exist (one cancelled call); 100..199: 20 exist, 80 created (two calls); 200..249 new.
    assert calls == [100, 100, 80, 50]
    assert [d for d in planned[:120] if again[d.delivery_id] is None] == []
    assert all(again[d.delivery_id] is None for d in planned[120:])
    reused = again[first.delivery_id]
    assert reused is not None and reused.state.status is DeliveryStatus.IN_FLIGHT  # not overwritten
    for delivery in planned[118:122]:
        stored, _ = deliveries.load(delivery.delivery_id, delivery.subscription_id)
        assert stored is not None and stored.state.status is DeliveryStatus.PENDING
