"""Webhook deliveries in the single table: the delivery state item and the deliveries-log rows.

* Delivery (`StoredDelivery`): created by the fan-out with `attribute_not_exists` (the id is
  deterministic, so a re-run finds it), then moved through the lifecycle of
  `fortytwo.domain.webhooks.delivery_state` with writes conditional on `version`. It carries the
  event's rendered body, so an attempt needs no other read than the delivery and its
  subscription (one BatchGetItem).
* Attempt row (`StoredAttempt`), in the subscription's partition: one per completed attempt,
  read newest first by querying the partition backwards; TTL 30 days.

The queue is `store/delivery_queue.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from botocore.exceptions import ClientError

from fortytwo.domain.timefmt import format_ts
from fortytwo.domain.webhooks.attempts import FinishedAttempt
from fortytwo.domain.webhooks.delivery_state import (
    AttemptError,
    AttemptRecord,
    Delivery,
    DeliveryState,
    DeliveryStatus,
    FailureReason,
    LoggedAttempt,
    log_row_expires_at,
)
from fortytwo.domain.webhooks.envelope import OutboxEvent
from fortytwo.domain.webhooks.redelivery import DeliveryChain, Redelivery
from fortytwo.domain.webhooks.subscription import Subscription
from fortytwo.store import dynamo, keys
from fortytwo.store import idempotency as idempotency_store
from fortytwo.store import webhooks as subscriptions
from fortytwo.store.schema import ItemSchema, encode_fields
from fortytwo.store.transactions import LostRace, transact

# A delivery outlives its retry window by far; the record is only bookkeeping after that.
DELIVERY_RETENTION = timedelta(days=30)

KIND_ATTEMPT = "attempt_row"
KIND_DELIVERY = "delivery"
KIND_IDEMPOTENCY = "idempotency"

T = TypeVar("T")


def _values(entity: Any) -> dict[str, Any]:
    """A domain dataclass's fields, stored flat beside the item's other attributes."""
    return {f.name: getattr(entity, f.name) for f in fields(entity)}


def _pick(cls: type[T], stored: Any) -> T:
    """The domain dataclass `cls` from the same-named attributes of a stored row."""
    return cls(**{f.name: getattr(stored, f.name) for f in fields(cls)})  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class StoredDelivery:
    """The delivery item's attributes: the event (body as text) and the state, side by side."""

    delivery_id: str
    subscription_id: str
    organization_id: str
    event_id: str
    event: str
    event_created_at: datetime
    body: str
    status: DeliveryStatus
    attempt: int
    due_at: datetime | None
    t0: datetime | None
    claimed_at: datetime | None
    claim_expires_at: datetime | None
    failure: FailureReason | None
    version: int
    redelivery_of: str | None = None

    @classmethod
    def of(cls, delivery: Delivery) -> StoredDelivery:
        event = delivery.event
        return cls(
            delivery.delivery_id,
            delivery.subscription_id,
            event.organization_id,
            event.event_id,
            event.event,
            event.created_at,
            event.body.decode(),
            version=delivery.version,
            redelivery_of=delivery.redelivery_of,
            **_values(delivery.state),
        )

    def delivery(self) -> Delivery:
        event = OutboxEvent(
            self.event_id, self.event, self.organization_id, self.event_created_at, self.body.encode()
        )
        return Delivery(
            self.delivery_id,
            self.subscription_id,
            event,
            _pick(DeliveryState, self),
            self.version,
            self.redelivery_of,
        )


DELIVERY = ItemSchema(
    type="webhook_delivery",
    entity=StoredDelivery,
    key=lambda d: keys.delivery(d.delivery_id),
    ttl=lambda d: int((d.event_created_at + DELIVERY_RETENTION).timestamp()),
)


@dataclass(frozen=True, slots=True)
class StoredAttempt:
    """A deliveries-log row's attributes (§7.15), in its subscription's partition."""

    subscription_id: str
    delivery_id: str
    event: str  # underscore name
    attempt: int
    status_code: int | None
    error: AttemptError | None
    delivered_at: datetime | None
    created_at: datetime
    duration_ms: int
    next_retry_at: datetime | None
    redelivery_of: str | None = None

    @classmethod
    def of(cls, subscription_id: str, logged: LoggedAttempt) -> StoredAttempt:
        return cls(
            subscription_id,
            logged.delivery_id,
            logged.event,
            redelivery_of=logged.redelivery_of,
            **_values(logged.record),
        )

    def logged(self) -> LoggedAttempt:
        return LoggedAttempt(self.delivery_id, self.event, _pick(AttemptRecord, self), self.redelivery_of)


ATTEMPT = ItemSchema(
    type="webhook_attempt",
    entity=StoredAttempt,
    key=lambda a: keys.delivery_attempt(a.subscription_id, format_ts(a.created_at), a.delivery_id, a.attempt),
    ttl=lambda a: int(log_row_expires_at(a.created_at).timestamp()),
)


CHAIN = ItemSchema(
    type="webhook_delivery_chain",
    entity=DeliveryChain,
    key=lambda c: keys.delivery_chain(c.subscription_id, c.event_id),
    ttl=lambda c: int((c.event_created_at + DELIVERY_RETENTION).timestamp()),
)
KIND_CHAIN = "delivery_chain"


# --- Reads ------------------------------------------------------------------------------------------


def load(delivery_id: str, subscription_id: str) -> tuple[Delivery | None, Subscription | None]:
    """The delivery and its subscription in one consistent BatchGetItem."""
    found = dynamo.batch_get([keys.delivery(delivery_id), keys.webhook(subscription_id)], consistent=True)
    delivery = next((DELIVERY.decode(i).delivery() for i in found if i.get("type") == DELIVERY.type), None)
    sub = next(
        (
            subscriptions.SUBSCRIPTION.decode(i)
            for i in found
            if i.get("type") == subscriptions.SUBSCRIPTION.type
        ),
        None,
    )
    return delivery, sub


def get(delivery_id: str) -> Delivery | None:
    item = dynamo.get(*keys.delivery(delivery_id), consistent=True)
    return DELIVERY.decode(item).delivery() if item and item.get("type") == DELIVERY.type else None


def chain_of(delivery: Delivery) -> tuple[DeliveryChain | None, Delivery | None]:
    """The chain of the delivery's (event, subscription) and the newest delivery it names (None
    before the first redelivery, or when that delivery has expired)."""
    item = dynamo.get(
        *keys.delivery_chain(delivery.subscription_id, delivery.event.event_id), consistent=True
    )
    if not item or item.get("type") != CHAIN.type:
        return None, None
    chain = CHAIN.decode(item)
    if chain.latest_delivery_id == delivery.delivery_id:
        return chain, delivery
    return chain, get(chain.latest_delivery_id)


def list_attempts(
    subscription_id: str,
    *,
    not_before: datetime,
    limit: int,
    after: tuple[str, str, int] | None = None,
) -> list[LoggedAttempt]:
    """Up to `limit` rows, newest first (created_at, then delivery id, then attempt, all
    descending), created at or after `not_before` (retention), strictly after the keyset
    position `after` = (created_at text, delivery id, attempt) when given."""
    pk = keys.webhook_partition(subscription_id)
    start = None
    if after is not None:
        start = dynamo.key(*keys.delivery_attempt(subscription_id, *after))
    low, high = keys.delivery_attempts_since(format_ts(not_before))
    items, _ = dynamo.query(
        key_condition="pk = :p AND sk BETWEEN :lo AND :hi",
        values_={":p": pk, ":lo": low, ":hi": high},
        forward=False,
        limit=limit,
        start_key=start,
        consistent=True,
    )
    return [ATTEMPT.decode(i).logged() for i in items if i.get("type") == ATTEMPT.type]


# --- Commits ----------------------------------------------------------------------------------------


def create(delivery: Delivery) -> Delivery | None:
    """Create the delivery unless it exists. Returns None when created, else the existing one
    (a re-run fan-out reuses it)."""
    try:
        dynamo.client().put_item(
            TableName=dynamo.table_name(),
            Item=dynamo.to_item(DELIVERY.encode(StoredDelivery.of(delivery))),
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        return None
    except ClientError as exc:
        if not dynamo.is_conditional_failure(exc):
            raise
        old = cast("Mapping[str, Any] | None", exc.response.get("Item"))  # botocore types it as object
        existing = (
            dynamo.from_item(old)
            if old
            else dynamo.get(*keys.delivery(delivery.delivery_id), consistent=True)
        )
        if existing is None:  # expired between the two calls; nothing to reuse
            return create(delivery)
        return DELIVERY.decode(existing).delivery()


def _state_update(delivery: Delivery, state: DeliveryState) -> dict[str, Any]:
    """Update entry writing `state` if the delivery is still at the version read."""
    attributes = encode_fields(state)
    names = {f"#a{i}": name for i, name in enumerate(attributes)}
    values: dict[str, Any] = {f":a{i}": value for i, value in enumerate(attributes.values())}
    values[":expected"] = delivery.version
    values[":one"] = 1
    sets = ", ".join(f"#a{i} = :a{i}" for i in range(len(attributes)))
    return {
        "TableName": dynamo.table_name(),
        "Key": dynamo.key(*keys.delivery(delivery.delivery_id)),
        "UpdateExpression": f"SET {sets}, #v = #v + :one",
        "ConditionExpression": "#v = :expected",
        "ExpressionAttributeNames": {**names, "#v": "version"},
        "ExpressionAttributeValues": dynamo.values(values),
    }


def write_state(delivery: Delivery, state: DeliveryState) -> Delivery | None:
    """Move the delivery to `state` if nobody else moved it first (the claim, or a drop). Returns
    the delivery as written, or None when the condition lost."""
    try:
        with subscriptions.conditional(KIND_DELIVERY):
            dynamo.client().update_item(**_state_update(delivery, state))
    except LostRace:
        return None
    return delivery.moved_to(state)


def _attempt_put(subscription_id: str, logged: LoggedAttempt) -> dict[str, Any]:
    stored = StoredAttempt.of(subscription_id, logged)
    return {"TableName": dynamo.table_name(), "Item": dynamo.to_item(ATTEMPT.encode(stored))}


def put_attempt(subscription_id: str, delivery_id: str, rest_event: str, record: AttemptRecord) -> None:
    """A standalone row (test deliveries: no delivery state, no bookkeeping)."""
    dynamo.client().put_item(**_attempt_put(subscription_id, LoggedAttempt(delivery_id, rest_event, record)))


def commit_test_delivery(delivery: Delivery, record: AttemptRecord) -> None:
    """A test delivery's log row and the finished delivery kept for a later redelivery (55 §6)."""
    logged = LoggedAttempt(delivery.delivery_id, delivery.rest_event, record)
    stored = dynamo.to_item(DELIVERY.encode(StoredDelivery.of(delivery)))
    put = {"TableName": dynamo.table_name(), "Item": stored}
    transact(
        [{"Put": put}, {"Put": _attempt_put(delivery.subscription_id, logged)}], [KIND_DELIVERY, KIND_ATTEMPT]
    )


def commit_redelivery(plan: Redelivery, completion: idempotency_store.Completion | None = None) -> None:
    """The new delivery, the chain moved to it and (idempotent requests) the completed record, in
    ONE transaction. LostRace kinds: `delivery_chain` (another redelivery got there first),
    `subscription` (changed since read), `idempotency` (the record was taken over)."""
    delivery = dynamo.to_item(DELIVERY.encode(StoredDelivery.of(plan.delivery)))
    chain = dynamo.to_item(CHAIN.encode(plan.chain))
    if plan.chain_was is None:
        chain_condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
    else:
        chain_condition = {
            "ConditionExpression": "latest_delivery_id = :was",
            "ExpressionAttributeValues": dynamo.values({":was": plan.chain_was}),
        }
    table = dynamo.table_name()
    entries: list[dict[str, Any]] = [
        {"Put": {"TableName": table, "Item": delivery, "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Put": {"TableName": table, "Item": chain, **chain_condition}},
        {
            "ConditionCheck": {
                "TableName": table,
                "Key": dynamo.key(*keys.webhook(plan.delivery.subscription_id)),
                "ConditionExpression": "#v = :v",
                "ExpressionAttributeNames": {"#v": "version"},
                "ExpressionAttributeValues": dynamo.values({":v": plan.subscription_version}),
            }
        },
    ]
    kinds = [KIND_DELIVERY, KIND_CHAIN, subscriptions.KIND_SUBSCRIPTION]
    if completion is not None:
        entries.append(idempotency_store.completion_action(completion))
        kinds.append(KIND_IDEMPOTENCY)
    transact(entries, kinds)


def commit_attempt(plan: FinishedAttempt) -> None:
    """The log row, the delivery's next state and the subscription bookkeeping in ONE transaction.
    LostRace kinds: `delivery` (the claim was taken over), `subscription` (changed or gone since
    read), `conflict` (a concurrent transaction on one of the items)."""
    claimed = plan.claimed
    logged = LoggedAttempt(claimed.delivery_id, claimed.rest_event, plan.record, claimed.redelivery_of)
    entries: list[dict[str, Any]] = [
        {"Put": _attempt_put(claimed.subscription_id, logged)},
        {"Update": _state_update(claimed, plan.state)},
    ]
    kinds = [KIND_ATTEMPT, KIND_DELIVERY]
    if plan.subscription is not None:
        entries.append({"Put": subscriptions.change_entry(plan.subscription)})
        kinds.append(subscriptions.KIND_SUBSCRIPTION)
    transact(entries, kinds)
