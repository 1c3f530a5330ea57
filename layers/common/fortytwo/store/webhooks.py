"""Webhook subscriptions in the single table (40-webhooks §2–§5, docs/single-table.md).

Three declared items:

* the subscription (`Subscription`), listed per sandbox on gsi1 and per organization on gsi2
  (the fan-out's query);
* the duplicate-URL lock of a sandbox (`UrlLock`), keyed by the sha256 of the URL's comparison
  key, holding the id of the subscription that owns the URL there;
* the sandbox counter (`SandboxCounter`), at most 25.

Create and delete touch all three in ONE TransactWriteItems, so the URL check and the limit are
atomic under concurrency. Every change is conditional on the subscription's `version`; a lost
condition raises `LostRace` naming the items that failed, and the service re-reads and decides
again. The signing secret is stored (it is the HMAC key) but leaves the store only inside the
entity, for the signer and the two responses that show it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from fortytwo.domain.timefmt import format_ts
from fortytwo.domain.webhooks.subscription import (
    MAX_PER_SANDBOX,
    Subscription,
    SubscriptionChange,
    SubscriptionRemoval,
)
from fortytwo.domain.webhooks.url_policy import comparison_key
from fortytwo.store import dynamo, keys
from fortytwo.store.schema import ItemSchema
from fortytwo.store.transactions import LostRace, transact

SUBSCRIPTION = ItemSchema(
    type="webhook",
    entity=Subscription,
    key=lambda s: keys.webhook(s.id),
    indexes={
        "gsi1": lambda s: (
            keys.webhook_sandbox(s.organization_id, s.owner_key),
            keys.webhook_sandbox_sort(format_ts(s.created_at), s.id),
        ),
        "gsi2": lambda s: (keys.webhooks_of_org(s.organization_id), s.id),
    },
)


def url_digest(url: str) -> str:
    return hashlib.sha256(comparison_key(url).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class UrlLock:
    """Who holds a URL comparison key in a sandbox (§4.4)."""

    webhook_id: str
    organization_id: str
    owner_key: str = ""
    url_digest: str = ""

    @classmethod
    def of(cls, sub: Subscription) -> UrlLock:
        return cls(sub.id, sub.organization_id, sub.owner_key, url_digest(sub.url))


URL_LOCK = ItemSchema(
    type="webhook_url_lock",
    entity=UrlLock,
    key=lambda lock: keys.webhook_url_lock(lock.organization_id, lock.owner_key, lock.url_digest),
)


@dataclass(frozen=True, slots=True)
class SandboxCounter:
    """How many subscriptions a sandbox holds; only ever changed by `ADD` (never put whole)."""

    organization_id: str = ""
    owner_key: str = ""
    count: int = 0


SANDBOX_COUNTER = ItemSchema(
    type="webhook_sandbox_counter",
    entity=SandboxCounter,
    key=lambda c: keys.webhook_sandbox_counter(c.organization_id, c.owner_key),
)

# Transaction roles, named by a cancelled transaction's LostRace.kinds.
KIND_SUBSCRIPTION = "subscription"
KIND_URL_LOCK = "url_lock"
KIND_OLD_URL_LOCK = "old_url_lock"
KIND_COUNTER = "sandbox_counter"
KIND_CONFLICT = "conflict"  # DynamoDB refused concurrent transactions on one item: retry

# --- Reads ------------------------------------------------------------------------------------------


def get(webhook_id: str, *, consistent: bool = True) -> Subscription | None:
    item = dynamo.get(*keys.webhook(webhook_id), consistent=consistent)
    return SUBSCRIPTION.decode(item) if item and item.get("type") == SUBSCRIPTION.type else None


def list_sandbox(org_id: str, owner_key: str) -> list[Subscription]:
    """Newest first: created_at descending, then id descending (the gsi1 sort key order)."""
    items = dynamo.query_all(
        index="gsi1",
        key_condition="gsi1pk = :p",
        values_={":p": keys.webhook_sandbox(org_id, owner_key)},
        forward=False,
    )
    return [SUBSCRIPTION.decode(i) for i in items if i.get("type") == SUBSCRIPTION.type]


def list_organization(org_id: str) -> list[Subscription]:
    """Every subscription of the organization, whatever its sandbox (fan-out and admin)."""
    items = dynamo.query_all(
        index="gsi2", key_condition="gsi2pk = :p", values_={":p": keys.webhooks_of_org(org_id)}
    )
    return [SUBSCRIPTION.decode(i) for i in items if i.get("type") == SUBSCRIPTION.type]


def url_holder(sub: Subscription) -> str | None:
    """The id of the subscription holding `sub`'s URL comparison key in its sandbox, if any."""
    item = dynamo.get(*URL_LOCK.key(UrlLock.of(sub)), consistent=True)
    return None if item is None else URL_LOCK.decode(item).webhook_id


# --- Commits ----------------------------------------------------------------------------------------


@contextmanager
def conditional(kind: str) -> Iterator[None]:
    """A single conditional write: its lost condition (or a concurrent transaction) is a LostRace."""
    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("ConditionalCheckFailedException", "TransactionConflictException"):
            raise LostRace([kind]) from None
        raise


def _put(item: dynamo.Item, condition: str) -> dict[str, Any]:
    return {"TableName": dynamo.table_name(), "Item": dynamo.to_item(item), "ConditionExpression": condition}


def change_entry(change: SubscriptionChange) -> dict[str, Any]:
    """A Put writing `change.after` if the subscription is still at `change.before`'s version."""
    return {
        **_put(SUBSCRIPTION.encode(change.after), "#v = :expected"),
        "ExpressionAttributeNames": {"#v": "version"},
        "ExpressionAttributeValues": dynamo.values({":expected": change.before.version}),
    }


def _counter_update(
    sub: Subscription, expression: str, condition: str, values: dict[str, Any]
) -> dict[str, Any]:
    names = {"#n": "count", **({"#t": "type"} if "#t" in expression else {})}
    return {
        "Update": {
            "TableName": dynamo.table_name(),
            "Key": dynamo.key(*SANDBOX_COUNTER.key(SandboxCounter(sub.organization_id, sub.owner_key))),
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": dynamo.values(values),
        }
    }


def _lock_delete(sub: Subscription, condition: str) -> dict[str, Any]:
    return {
        "Delete": {
            "TableName": dynamo.table_name(),
            "Key": dynamo.key(*URL_LOCK.key(UrlLock.of(sub))),
            "ConditionExpression": condition,
            "ExpressionAttributeValues": dynamo.values({":id": sub.id}),
        }
    }


def commit_create(sub: Subscription) -> None:
    """One transaction: the subscription, its URL lock and the sandbox counter (`count < 25`).
    LostRace kinds: `url_lock` (the URL is taken), `sandbox_counter` (the sandbox is full)."""
    transact(
        [
            {"Put": _put(SUBSCRIPTION.encode(sub), "attribute_not_exists(pk)")},
            {"Put": _put(URL_LOCK.encode(UrlLock.of(sub)), "attribute_not_exists(pk)")},
            _counter_update(
                sub,
                "ADD #n :one SET #t = :type",
                "attribute_not_exists(#n) OR #n < :max",
                {":one": 1, ":max": MAX_PER_SANDBOX, ":type": SANDBOX_COUNTER.type},
            ),
        ],
        [KIND_SUBSCRIPTION, KIND_URL_LOCK, KIND_COUNTER],
    )


def commit_change(change: SubscriptionChange) -> None:
    """One PutItem conditional on the version read, or, when the URL's comparison key moves, one
    transaction that also moves the URL lock. LostRace kinds: `subscription` (changed or gone
    meanwhile), `url_lock` (the new URL is taken)."""
    if not change.moves_url:
        with conditional(KIND_SUBSCRIPTION):
            dynamo.client().put_item(**change_entry(change))
        return
    transact(
        [
            {"Put": change_entry(change)},
            _lock_delete(change.before, "webhook_id = :id"),
            {"Put": _put(URL_LOCK.encode(UrlLock.of(change.after)), "attribute_not_exists(pk)")},
        ],
        [KIND_SUBSCRIPTION, KIND_OLD_URL_LOCK, KIND_URL_LOCK],
    )


def commit_removal(removal: SubscriptionRemoval) -> None:
    """One transaction: the subscription (if still at the version read), its URL lock and, when
    `release_slot`, a slot of the counter (`count > 0`). LostRace kinds: `subscription`,
    `sandbox_counter` (already at 0)."""
    sub = removal.subscription
    entries: list[dict[str, Any]] = [
        {
            "Delete": {
                "TableName": dynamo.table_name(),
                "Key": dynamo.key(*SUBSCRIPTION.key(sub)),
                "ConditionExpression": "#v = :v",
                "ExpressionAttributeNames": {"#v": "version"},
                "ExpressionAttributeValues": dynamo.values({":v": sub.version}),
            }
        },
        _lock_delete(sub, "attribute_not_exists(pk) OR webhook_id = :id"),
    ]
    kinds = [KIND_SUBSCRIPTION, KIND_OLD_URL_LOCK]
    if removal.release_slot:
        entries.append(_counter_update(sub, "ADD #n :minus", "#n > :zero", {":minus": -1, ":zero": 0}))
        kinds.append(KIND_COUNTER)
    transact(entries, kinds)
