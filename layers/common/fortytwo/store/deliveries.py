"""Webhook deliveries: the delivery state item, the deliveries-log rows and the delivery queue.

* Delivery `DELIVERY#<whd id>` / `DELIVERY`: created by the fan-out with `attribute_not_exists`
  (the id is deterministic, so a re-run finds it), then moved through the lifecycle of
  `fortytwo.domain.webhooks.delivery_state` with writes conditional on `version`. It carries the
  event's rendered body, so an attempt needs no other read than the delivery and its
  subscription (one BatchGetItem).
* Attempt row `WEBHOOK#<subscription id>` / `ATTEMPT#<created_at>#<whd id>#<attempt, 6 digits>`:
  one per completed attempt, read newest first by querying the partition backwards; TTL 30 days.
* The SQS delivery queue: one message per delivery naming it; retries are parked with
  ChangeMessageVisibility.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from fortytwo.config import get_settings
from fortytwo.domain.timefmt import format_ts, parse_ts
from fortytwo.domain.webhooks.delivery_state import (
    AttemptError,
    AttemptRecord,
    DeliveryState,
    DeliveryStatus,
    FailureReason,
    log_row_expires_at,
)
from fortytwo.domain.webhooks.envelope import OutboxEvent
from fortytwo.domain.webhooks.events import rest_name
from fortytwo.store import dynamo
from fortytwo.store import webhooks as subscriptions

ATTEMPT_DIGITS = 6
# A delivery outlives its retry window by far; the record is only bookkeeping after that.
DELIVERY_RETENTION_DAYS = 30


# --- Keys -----------------------------------------------------------------------------------------


def key(delivery_id: str) -> tuple[str, str]:
    return f"DELIVERY#{delivery_id}", "DELIVERY"


def attempt_sort_key(created_at: str, delivery_id: str, attempt: int) -> str:
    # Zero-padded so attempt 10 sorts after attempt 9 within one delivery and instant.
    return f"ATTEMPT#{created_at}#{delivery_id}#{attempt:0{ATTEMPT_DIGITS}d}"


# --- Delivery item --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Delivery:
    delivery_id: str
    subscription_id: str
    event: OutboxEvent
    state: DeliveryState
    version: int

    @property
    def rest_event(self) -> str:
        return rest_name(self.event.event)


def _opt_ts(value: datetime | None) -> str | None:
    return None if value is None else format_ts(value)


def _ts(value: Any) -> datetime | None:
    return parse_ts(value) if isinstance(value, str) and value else None


def _state_attributes(state: DeliveryState) -> dict[str, Any]:
    return {
        "status": str(state.status),
        "attempt": state.attempt,
        "due_at": _opt_ts(state.due_at),
        "t0": _opt_ts(state.t0),
        "claimed_at": _opt_ts(state.claimed_at),
        "claim_expires_at": _opt_ts(state.claim_expires_at),
        "failure": None if state.failure is None else str(state.failure),
    }


def new_item(delivery_id: str, subscription_id: str, event: OutboxEvent, state: DeliveryState) -> dynamo.Item:
    pk, sk = key(delivery_id)
    return {
        "pk": pk,
        "sk": sk,
        "type": "webhook_delivery",
        "delivery_id": delivery_id,
        "subscription_id": subscription_id,
        "organization_id": event.organization_id,
        "event_id": event.event_id,
        "event": event.event,
        "event_created_at": format_ts(event.created_at),
        "body": event.body.decode("utf-8"),
        **_state_attributes(state),
        "version": 1,
        "ttl": int(event.created_at.timestamp()) + DELIVERY_RETENTION_DAYS * 86400,
    }


def from_item(item: dynamo.Item) -> Delivery:
    failure = item.get("failure")
    state = DeliveryState(
        status=DeliveryStatus(item["status"]),
        attempt=int(item["attempt"]),
        due_at=_ts(item.get("due_at")),
        t0=_ts(item.get("t0")),
        claimed_at=_ts(item.get("claimed_at")),
        claim_expires_at=_ts(item.get("claim_expires_at")),
        failure=FailureReason(failure) if failure else None,
    )
    event = OutboxEvent(
        event_id=item["event_id"],
        event=item["event"],
        organization_id=item["organization_id"],
        created_at=parse_ts(item["event_created_at"]),
        body=item["body"].encode("utf-8"),
    )
    return Delivery(item["delivery_id"], item["subscription_id"], event, state, int(item["version"]))


def create(
    delivery_id: str, subscription_id: str, event: OutboxEvent, state: DeliveryState
) -> Delivery | None:
    """Create the delivery unless it exists. Returns None when created, else the existing one
    (a re-run fan-out reuses it)."""
    item = new_item(delivery_id, subscription_id, event, state)
    try:
        dynamo.client().put_item(
            TableName=dynamo.table_name(),
            Item=dynamo.to_item(item),
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        return None
    except ClientError as exc:
        if not dynamo.is_conditional_failure(exc):
            raise
        old = exc.response.get("Item")  # type: ignore[attr-defined]
        existing = dynamo.from_item(old) if old else dynamo.get(*key(delivery_id), consistent=True)
        if existing is None:  # expired between the two calls; nothing to reuse
            return create(delivery_id, subscription_id, event, state)
        return from_item(existing)


def load(delivery_id: str, subscription_id: str) -> tuple[Delivery | None, subscriptions.Subscription | None]:
    """The delivery and its subscription in one consistent BatchGetItem."""
    found = dynamo.batch_get([key(delivery_id), subscriptions.key(subscription_id)], consistent=True)
    delivery = next((from_item(i) for i in found if i.get("type") == "webhook_delivery"), None)
    sub = next((subscriptions.from_item(i) for i in found if i.get("type") == "webhook"), None)
    return delivery, sub


def _state_update(delivery: Delivery, state: DeliveryState) -> dict[str, Any]:
    """Update entry writing `state` if the delivery is still at the version read."""
    attributes = _state_attributes(state)
    names = {f"#a{i}": name for i, name in enumerate(attributes)}
    values: dict[str, Any] = {f":a{i}": value for i, value in enumerate(attributes.values())}
    values[":expected"] = delivery.version
    values[":one"] = 1
    sets = ", ".join(f"#a{i} = :a{i}" for i in range(len(attributes)))
    return {
        "TableName": dynamo.table_name(),
        "Key": dynamo.key(*key(delivery.delivery_id)),
        "UpdateExpression": f"SET {sets}, #v = #v + :one",
        "ConditionExpression": "#v = :expected",
        "ExpressionAttributeNames": {**names, "#v": "version"},
        "ExpressionAttributeValues": dynamo.values(values),
    }


def write_state(delivery: Delivery, state: DeliveryState) -> Delivery | None:
    """Move the delivery to `state` if nobody else moved it first (the claim). Returns the
    delivery as written, or None when the condition lost."""
    try:
        dynamo.client().update_item(**_state_update(delivery, state))
    except ClientError as exc:
        if subscriptions.lost_race(exc):
            return None
        raise
    return Delivery(
        delivery.delivery_id, delivery.subscription_id, delivery.event, state, delivery.version + 1
    )


# --- Attempt rows ---------------------------------------------------------------------------------


def attempt_item(
    subscription_id: str, delivery_id: str, rest_event: str, record: AttemptRecord
) -> dynamo.Item:
    created = format_ts(record.created_at)
    return {
        "pk": subscriptions.key(subscription_id)[0],
        "sk": attempt_sort_key(created, delivery_id, record.attempt),
        "type": "webhook_attempt",
        "delivery_id": delivery_id,
        "event": rest_event,
        "attempt": record.attempt,
        "status_code": record.status_code,
        "error": None if record.error is None else str(record.error),
        "delivered_at": _opt_ts(record.delivered_at),
        "created_at": created,
        "duration_ms": record.duration_ms,
        "next_retry_at": _opt_ts(record.next_retry_at),
        "ttl": int(log_row_expires_at(record.created_at).timestamp()),
    }


def record_from_item(item: dynamo.Item) -> tuple[str, str, AttemptRecord]:
    """(delivery id, underscore event name, the row)."""
    error = item.get("error")
    record = AttemptRecord(
        attempt=int(item["attempt"]),
        status_code=item.get("status_code"),
        error=AttemptError(error) if error in AttemptError._value2member_map_ else None,
        created_at=parse_ts(item["created_at"]),
        duration_ms=int(item["duration_ms"]),
        delivered_at=_ts(item.get("delivered_at")),
        next_retry_at=_ts(item.get("next_retry_at")),
    )
    return item["delivery_id"], item["event"], record


def put_attempt(subscription_id: str, delivery_id: str, rest_event: str, record: AttemptRecord) -> None:
    """A standalone row (test deliveries: no delivery state, no bookkeeping)."""
    dynamo.client().put_item(
        TableName=dynamo.table_name(),
        Item=dynamo.to_item(attempt_item(subscription_id, delivery_id, rest_event, record)),
    )


def list_attempts(
    subscription_id: str,
    *,
    not_before: datetime,
    limit: int,
    after: tuple[str, str, int] | None = None,
) -> list[dynamo.Item]:
    """Up to `limit` rows, newest first (created_at, then delivery id, then attempt, all
    descending), created at or after `not_before` (retention), strictly after the keyset
    position `after` = (created_at, delivery id, attempt) when given."""
    pk = subscriptions.key(subscription_id)[0]
    start = None
    if after is not None:
        start = dynamo.key(pk, attempt_sort_key(*after))
    items, _ = dynamo.query(
        key_condition="pk = :p AND sk BETWEEN :lo AND :hi",
        values_={":p": pk, ":lo": f"ATTEMPT#{format_ts(not_before)}", ":hi": "ATTEMPT#~"},
        forward=False,
        limit=limit,
        start_key=start,
        consistent=True,
    )
    return [i for i in items if i.get("type") == "webhook_attempt"]


# --- Finishing an attempt -------------------------------------------------------------------------


class ClaimLost(Exception):
    """Another worker took the delivery over (our claim had expired): our outcome is not recorded."""


class StaleSubscription(Exception):
    """The subscription changed (or vanished) since it was read; re-read and retry."""


def finish(
    delivery: Delivery,
    state: DeliveryState,
    record: AttemptRecord,
    bookkeeping: subscriptions.Bookkeeping | None,
) -> None:
    """Write the log row, the delivery's next state and the subscription bookkeeping in ONE
    transaction, so a crash never leaves a row without its state or an exhausted delivery
    without its counter increment.

    Raises ClaimLost when the delivery moved on without us, and StaleSubscription when the
    subscription changed or vanished since it was read (the caller re-reads and retries).
    """
    entries: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": dynamo.table_name(),
                "Item": dynamo.to_item(
                    attempt_item(delivery.subscription_id, delivery.delivery_id, delivery.rest_event, record)
                ),
            }
        },
        {"Update": _state_update(delivery, state)},
    ]
    if bookkeeping is not None:
        entries.append(subscriptions.bookkeeping_entry(bookkeeping))
    try:
        dynamo.client().transact_write_items(TransactItems=entries)
    except ClientError as exc:
        reasons = dynamo.transaction_reasons(exc)
        if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
            raise ClaimLost(delivery.delivery_id) from None
        if len(reasons) > 2 and reasons[2] == "ConditionalCheckFailed":
            raise StaleSubscription(delivery.subscription_id) from None
        if "TransactionConflict" in reasons:
            # Another transaction touched the subscription (or the delivery) at that instant:
            # nothing was written; re-read and write again.
            raise StaleSubscription(delivery.subscription_id) from None
        raise


# --- Queue ----------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def sqs() -> Any:
    return boto3.client(
        "sqs",
        config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=2, read_timeout=5),
    )


def reset_clients() -> None:
    sqs.cache_clear()


def queue_url() -> str:
    return get_settings().delivery_queue_url


@dataclass(frozen=True, slots=True)
class Message:
    delivery_id: str
    subscription_id: str

    def body(self) -> str:
        return json.dumps({"delivery_id": self.delivery_id, "subscription_id": self.subscription_id})

    @classmethod
    def parse(cls, body: str) -> Message:
        """The message the fan-out wrote; anything else is a bug (it ends in the DLQ)."""
        data = json.loads(body)
        delivery_id, subscription_id = data["delivery_id"], data["subscription_id"]
        if not isinstance(delivery_id, str) or not isinstance(subscription_id, str):
            raise ValueError("malformed delivery message")
        return cls(delivery_id, subscription_id)


class EnqueueFailed(Exception):
    """Some messages were not accepted by SQS (the fan-out reports its record as failed)."""


def enqueue(messages: Sequence[Message]) -> int:
    """SendMessageBatch in chunks of 10; the entry id is the delivery id. Returns the call count."""
    calls = 0
    for start in range(0, len(messages), 10):
        chunk = messages[start : start + 10]
        response = sqs().send_message_batch(
            QueueUrl=queue_url(),
            Entries=[{"Id": m.delivery_id, "MessageBody": m.body()} for m in chunk],
        )
        calls += 1
        failed = response.get("Failed") or []
        if failed:
            raise EnqueueFailed(", ".join(f"{f.get('Id')}: {f.get('Code')}" for f in failed))
    return calls


def change_visibility(receipt_handle: str, seconds: int) -> None:
    sqs().change_message_visibility(
        QueueUrl=queue_url(), ReceiptHandle=receipt_handle, VisibilityTimeout=max(0, int(seconds))
    )
