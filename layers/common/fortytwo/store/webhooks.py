"""Webhook subscriptions in the single table (40-webhooks §2–§5, docs/single-table.md).

Items written here:

* the subscription, `WEBHOOK#<id>` / `WEBHOOK`, listed per sandbox on gsi1
  (`WHBOX#<org>#<owner key>` / `<created_at>#<id>`) and per organization on gsi2
  (`WHACCT#<org>` / `<id>`, the fan-out's query);
* the duplicate-URL lock, `WHURL#<org>#<owner key>#<sha256(comparison key)>` / `LOCK`, holding
  the id of the subscription that owns the URL in that sandbox;
* the sandbox counter, `WHBOX#<org>#<owner key>` / `COUNT`, at most 25.

Create and delete touch all three in ONE TransactWriteItems, so the URL check and the limit are
atomic under concurrency. Every change to a subscription is conditional on its `version` and
bumps it; a lost condition is re-read and re-applied (the domain decides the new state from
whatever is current), so concurrent delivery bookkeeping, PATCHes and pauses never overwrite
each other. The signing secret is stored (it is the HMAC key) but never leaves this module
except to the signer and the two responses that show it.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from fortytwo.domain.timefmt import format_ts, parse_ts
from fortytwo.domain.webhooks import health as health_rules
from fortytwo.domain.webhooks.health import DeliveryHealthEvent, Health, HealthChange, PausedReason
from fortytwo.domain.webhooks.url_policy import comparison_key
from fortytwo.domain.webhooks.validation import PatchInput
from fortytwo.store import dynamo

MAX_PER_SANDBOX = 25
ADMIN_OWNER_KEY = "admin"
# Optimistic retries of a conditional write that lost to a concurrent change. Each loser re-reads,
# so a handful is plenty even with several delivery workers finishing on one subscription.
MAX_WRITE_ATTEMPTS = 12


class SubscriptionMissing(Exception):
    """The subscription does not exist (any more)."""


class DuplicateUrlError(Exception):
    """The sandbox already has a subscription with this URL comparison key."""

    def __init__(self, webhook_id: str) -> None:
        super().__init__(webhook_id)
        self.webhook_id = webhook_id


class LimitReachedError(Exception):
    """The sandbox already holds MAX_PER_SANDBOX subscriptions."""


class WriteContention(Exception):
    """A conditional write kept losing to concurrent writers (callers answer 503)."""


# Cancellation reasons that mean "someone else got there first": re-read and try again. A
# TransactionConflict is DynamoDB refusing two transactions on one item at the same moment.
RACE_REASONS = frozenset({"ConditionalCheckFailed", "TransactionConflict"})


def lost_race(exc: ClientError) -> bool:
    """A single conditional write that lost (its condition, or a concurrent transaction)."""
    code = exc.response.get("Error", {}).get("Code", "")
    return code in ("ConditionalCheckFailedException", "TransactionConflictException")


# --- Keys -----------------------------------------------------------------------------------------


def key(webhook_id: str) -> tuple[str, str]:
    return f"WEBHOOK#{webhook_id}", "WEBHOOK"


def sandbox_partition(org_id: str, owner_key: str) -> str:
    """gsi1 partition of a sandbox's subscriptions; also the pk of its counter."""
    return f"WHBOX#{org_id}#{owner_key}"


def counter_key(org_id: str, owner_key: str) -> tuple[str, str]:
    return sandbox_partition(org_id, owner_key), "COUNT"


def account_partition(org_id: str) -> str:
    """gsi2 partition of every subscription of an organization (fan-out, admin list)."""
    return f"WHACCT#{org_id}"


def url_digest(url: str) -> str:
    return hashlib.sha256(comparison_key(url).encode("utf-8")).hexdigest()


def url_lock_key(org_id: str, owner_key: str, url: str) -> tuple[str, str]:
    return f"WHURL#{org_id}#{owner_key}#{url_digest(url)}", "LOCK"


# --- Record -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Subscription:
    id: str
    organization_id: str
    owner_key: str
    url: str
    events: tuple[str, ...]
    description: str | None
    health: Health
    secret: str
    last_delivery_at: datetime | None
    last_delivery_ok: bool | None
    created_at: datetime
    updated_at: datetime
    version: int

    @property
    def status(self) -> health_rules.Status:
        return self.health.status

    def in_sandbox(self, org_id: str, owner_key: str) -> bool:
        return self.organization_id == org_id and self.owner_key == owner_key


def _ts(value: Any) -> datetime | None:
    return parse_ts(value) if isinstance(value, str) and value else None


def from_item(item: dynamo.Item) -> Subscription:
    reason = item.get("paused_reason")
    return Subscription(
        id=item["id"],
        organization_id=item["organization_id"],
        owner_key=item["owner_key"],
        url=item["url"],
        events=tuple(item["events"]),
        description=item.get("description"),
        health=Health(item["status"], int(item.get("failures", 0)), PausedReason(reason) if reason else None),
        secret=item["secret"],
        last_delivery_at=_ts(item.get("last_delivery_at")),
        last_delivery_ok=item.get("last_delivery_ok"),
        created_at=parse_ts(item["created_at"]),
        updated_at=parse_ts(item["updated_at"]),
        version=int(item["version"]),
    )


def to_item(sub: Subscription) -> dynamo.Item:
    created = format_ts(sub.created_at)
    return {
        "pk": key(sub.id)[0],
        "sk": key(sub.id)[1],
        "type": "webhook",
        "id": sub.id,
        "organization_id": sub.organization_id,
        "owner_key": sub.owner_key,
        "url": sub.url,
        "events": list(sub.events),
        "description": sub.description,
        "status": sub.health.status,
        "failures": sub.health.failures,
        "paused_reason": None if sub.health.paused_reason is None else str(sub.health.paused_reason),
        "secret": sub.secret,
        "last_delivery_at": None if sub.last_delivery_at is None else format_ts(sub.last_delivery_at),
        "last_delivery_ok": sub.last_delivery_ok,
        "created_at": created,
        "updated_at": format_ts(sub.updated_at),
        "version": sub.version,
        "gsi1pk": sandbox_partition(sub.organization_id, sub.owner_key),
        "gsi1sk": f"{created}#{sub.id}",
        "gsi2pk": account_partition(sub.organization_id),
        "gsi2sk": sub.id,
    }


def public_view(sub: Subscription, *, secret: bool = False) -> dict[str, Any]:
    """The API's `Webhook` (or `WebhookWithSecret`): the owner key and counter never appear."""
    view: dict[str, Any] = {
        "id": sub.id,
        "url": sub.url,
        "events": list(sub.events),
        "status": sub.health.status,
        "description": sub.description,
        "paused_reason": None if sub.health.paused_reason is None else str(sub.health.paused_reason),
        "last_delivery_at": None if sub.last_delivery_at is None else format_ts(sub.last_delivery_at),
        "last_delivery_ok": sub.last_delivery_ok,
        "created_at": format_ts(sub.created_at),
        "updated_at": format_ts(sub.updated_at),
    }
    if secret:
        view["signing_secret"] = sub.secret
    return view


# --- Reads ------------------------------------------------------------------------------------------


def get(webhook_id: str, *, consistent: bool = True) -> Subscription | None:
    item = dynamo.get(*key(webhook_id), consistent=consistent)
    return from_item(item) if item and item.get("type") == "webhook" else None


def get_in_sandbox(webhook_id: str, org_id: str, owner_key: str) -> Subscription | None:
    """A subscription of another sandbox or organization looks exactly like a missing one."""
    sub = get(webhook_id)
    return sub if sub is not None and sub.in_sandbox(org_id, owner_key) else None


def list_sandbox(org_id: str, owner_key: str) -> list[Subscription]:
    """Newest first: created_at descending, then id descending (the gsi1 sort key order)."""
    items = dynamo.query_all(
        index="gsi1",
        key_condition="gsi1pk = :p",
        values_={":p": sandbox_partition(org_id, owner_key)},
        forward=False,
    )
    return [from_item(i) for i in items if i.get("type") == "webhook"]


def list_account(org_id: str) -> list[Subscription]:
    """Every subscription of the organization, whatever its sandbox (fan-out and admin)."""
    items = dynamo.query_all(
        index="gsi2", key_condition="gsi2pk = :p", values_={":p": account_partition(org_id)}
    )
    return [from_item(i) for i in items if i.get("type") == "webhook"]


# --- Writes -----------------------------------------------------------------------------------------


def _backoff(attempt: int) -> None:
    # Small jittered pause so two losers of the same race do not collide again in lockstep.
    time.sleep(random.uniform(0, 0.005 * (attempt + 1)))  # noqa: S311 - jitter, not security


def _put(item: dynamo.Item, condition: str, names: dict[str, str] | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "TableName": dynamo.table_name(),
        "Item": dynamo.to_item(item),
        "ConditionExpression": condition,
    }
    if names:
        entry["ExpressionAttributeNames"] = names
    return {"Put": entry}


def _replace_if_version(sub: Subscription, expected: int) -> dict[str, Any]:
    """Overwrite the whole subscription item if its version is still `expected`."""
    return {
        "Put": {
            "TableName": dynamo.table_name(),
            "Item": dynamo.to_item(to_item(sub)),
            "ConditionExpression": "#v = :expected",
            "ExpressionAttributeNames": {"#v": "version"},
            "ExpressionAttributeValues": dynamo.values({":expected": expected}),
        }
    }


def _lock_owner(org_id: str, owner_key: str, url: str) -> str | None:
    lock = dynamo.get(*url_lock_key(org_id, owner_key, url), consistent=True)
    return lock.get("webhook_id") if lock else None


def _lock_item(sub: Subscription) -> dynamo.Item:
    pk, sk = url_lock_key(sub.organization_id, sub.owner_key, sub.url)
    return {
        "pk": pk,
        "sk": sk,
        "type": "webhook_url_lock",
        "webhook_id": sub.id,
        "organization_id": sub.organization_id,
    }


def create(
    *,
    webhook_id: str,
    org_id: str,
    owner_key: str,
    url: str,
    events: tuple[str, ...],
    description: str | None,
    secret: str,
    now: datetime,
) -> Subscription:
    """One transaction: the subscription, its URL lock and the sandbox counter (`count < 25`).

    Raises DuplicateUrlError (checked first, as the contract orders 409 before 422) or
    LimitReachedError.
    """
    sub = Subscription(
        id=webhook_id,
        organization_id=org_id,
        owner_key=owner_key,
        url=url,
        events=events,
        description=description,
        health=health_rules.created(),
        secret=secret,
        last_delivery_at=None,
        last_delivery_ok=None,
        created_at=now,
        updated_at=now,
        version=1,
    )
    counter_pk, counter_sk = counter_key(org_id, owner_key)
    items = [
        _put(to_item(sub), "attribute_not_exists(pk)"),
        _put(_lock_item(sub), "attribute_not_exists(pk)"),
        {
            "Update": {
                "TableName": dynamo.table_name(),
                "Key": dynamo.key(counter_pk, counter_sk),
                "UpdateExpression": "ADD #n :one SET #t = :type",
                "ConditionExpression": "attribute_not_exists(#n) OR #n < :max",
                "ExpressionAttributeNames": {"#n": "count", "#t": "type"},
                "ExpressionAttributeValues": dynamo.values(
                    {":one": 1, ":max": MAX_PER_SANDBOX, ":type": "webhook_sandbox_counter"}
                ),
            }
        },
    ]
    for attempt in range(MAX_WRITE_ATTEMPTS):
        try:
            dynamo.client().transact_write_items(TransactItems=items)
            return sub
        except ClientError as exc:
            reasons = dynamo.transaction_reasons(exc)
            if not RACE_REASONS.intersection(reasons):
                raise
            if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                holder = _lock_owner(org_id, owner_key, url)
                if holder is not None:
                    raise DuplicateUrlError(holder) from None
                # The holder was deleted between our write and the read: the URL is free now.
                _backoff(attempt)
                continue
            if len(reasons) > 2 and reasons[2] == "ConditionalCheckFailed":
                raise LimitReachedError() from None
            _backoff(attempt)  # a concurrent transaction on the lock or the counter: try again
    raise WriteContention("webhook create")


def _apply(
    webhook_id: str,
    change: Callable[[Subscription], Subscription | None],
    *,
    extra: Callable[[Subscription, Subscription], list[dict[str, Any]]] | None = None,
    on_cancel: Callable[[Subscription, Subscription, list[str]], None] | None = None,
    first: Subscription | None = None,
) -> Subscription:
    """Read, let `change` compute the new record, write it conditionally on the version read.

    `change` returns None to leave the item as it is. `extra` adds transaction entries (URL lock
    moves); `on_cancel` may raise a specific error from the cancellation reasons, which follow
    the order [subscription, *extra]. Raises SubscriptionMissing when the item is gone.
    """
    current = first
    for attempt in range(MAX_WRITE_ATTEMPTS):
        if current is None:
            current = get(webhook_id)
            if current is None:
                raise SubscriptionMissing(webhook_id)
        updated = change(current)
        if updated is None:
            return current
        updated = replace(updated, version=current.version + 1)
        entries = [_replace_if_version(updated, current.version)]
        if extra is not None:
            entries.extend(extra(current, updated))
        try:
            if len(entries) == 1:
                put = entries[0]["Put"]
                dynamo.client().put_item(**put)
            else:
                dynamo.client().transact_write_items(TransactItems=entries)
            return updated
        except ClientError as exc:
            if len(entries) == 1:
                if not lost_race(exc):
                    raise
            else:
                reasons = dynamo.transaction_reasons(exc)
                if not RACE_REASONS.intersection(reasons):
                    raise
                if on_cancel is not None and reasons[0] != "ConditionalCheckFailed":
                    on_cancel(current, updated, reasons)
            current = None
            _backoff(attempt)
    raise WriteContention(f"webhook {webhook_id}")


def update(
    sub: Subscription,
    patch: PatchInput,
    now: datetime,
    *,
    still_visible: Callable[[Subscription], bool] = lambda _: True,
) -> Subscription:
    """A PATCH (or an admin pause/resume): all-or-nothing, every success resets the counter and sets
    `updated_at` (§4.2, §7.10 rows 8–11). A URL whose comparison key changes moves the lock in the
    same transaction. Raises SubscriptionMissing (also when `still_visible` no longer holds after
    a re-read) or DuplicateUrlError."""

    def change(current: Subscription) -> Subscription:
        if not still_visible(current):
            raise SubscriptionMissing(current.id)
        moved: HealthChange = health_rules.on_patch(current.health, patch.status)
        return replace(
            current,
            url=patch.url.url if patch.url is not None else current.url,
            events=patch.events if patch.events is not None else current.events,
            description=patch.description if patch.description_set else current.description,
            health=moved.health,
            updated_at=max(now, current.updated_at),
        )

    def extra(current: Subscription, updated: Subscription) -> list[dict[str, Any]]:
        if url_digest(current.url) == url_digest(updated.url):
            return []
        old_pk, old_sk = url_lock_key(current.organization_id, current.owner_key, current.url)
        return [
            {
                "Delete": {
                    "TableName": dynamo.table_name(),
                    "Key": dynamo.key(old_pk, old_sk),
                    "ConditionExpression": "webhook_id = :id",
                    "ExpressionAttributeValues": dynamo.values({":id": current.id}),
                }
            },
            _put(_lock_item(updated), "attribute_not_exists(pk)"),
        ]

    def on_cancel(current: Subscription, updated: Subscription, reasons: list[str]) -> None:
        if len(reasons) > 2 and reasons[2] == "ConditionalCheckFailed":
            holder = _lock_owner(updated.organization_id, updated.owner_key, updated.url)
            if holder is not None and holder != current.id:
                raise DuplicateUrlError(holder)

    return _apply(sub.id, change, extra=extra, on_cancel=on_cancel, first=sub)


def rotate_secret(
    sub: Subscription,
    secret: str,
    now: datetime,
    *,
    still_visible: Callable[[Subscription], bool] = lambda _: True,
) -> Subscription:
    """Row 12: a new secret from now on, `updated_at` set, status and counter unchanged."""

    def change(current: Subscription) -> Subscription:
        if not still_visible(current):
            raise SubscriptionMissing(current.id)
        moved = health_rules.on_rotate_secret(current.health)
        return replace(current, secret=secret, health=moved.health, updated_at=max(now, current.updated_at))

    return _apply(sub.id, change, first=sub)


def delete(sub: Subscription) -> bool:
    """§5.5 race semantics. One transaction deletes the subscription (if still at the version
    read), its URL lock and its counter slot. Returns False when the subscription was already
    gone (a concurrent DELETE won: the caller still answers 204, and the slot was released once)."""
    current: Subscription | None = sub
    release_slot = True
    for attempt in range(MAX_WRITE_ATTEMPTS):
        if current is None:
            current = get(sub.id)
            if current is None:
                return False
        lock_pk, lock_sk = url_lock_key(current.organization_id, current.owner_key, current.url)
        counter_pk, counter_sk = counter_key(current.organization_id, current.owner_key)
        entries: list[dict[str, Any]] = [
            {
                "Delete": {
                    "TableName": dynamo.table_name(),
                    "Key": dynamo.key(*key(current.id)),
                    "ConditionExpression": "#v = :v",
                    "ExpressionAttributeNames": {"#v": "version"},
                    "ExpressionAttributeValues": dynamo.values({":v": current.version}),
                }
            },
            {
                "Delete": {
                    "TableName": dynamo.table_name(),
                    "Key": dynamo.key(lock_pk, lock_sk),
                    "ConditionExpression": "attribute_not_exists(pk) OR webhook_id = :id",
                    "ExpressionAttributeValues": dynamo.values({":id": current.id}),
                }
            },
        ]
        if release_slot:
            entries.append(
                {
                    "Update": {
                        "TableName": dynamo.table_name(),
                        "Key": dynamo.key(counter_pk, counter_sk),
                        "UpdateExpression": "ADD #n :minus",
                        "ConditionExpression": "#n > :zero",
                        "ExpressionAttributeNames": {"#n": "count"},
                        "ExpressionAttributeValues": dynamo.values({":minus": -1, ":zero": 0}),
                    }
                }
            )
        try:
            dynamo.client().transact_write_items(TransactItems=entries)
            return True
        except ClientError as exc:
            reasons = dynamo.transaction_reasons(exc)
            if not RACE_REASONS.intersection(reasons):
                raise
            if reasons[0] in RACE_REASONS:
                current = None  # changed or deleted meanwhile: read again
            elif len(reasons) > 2 and reasons[2] == "ConditionalCheckFailed":
                # A counter already at 0 cannot go negative: delete without releasing a slot.
                release_slot = False
            _backoff(attempt)
    raise WriteContention(f"webhook {sub.id}")


# --- Delivery bookkeeping (§7.10, §8.6) -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bookkeeping:
    """The subscription after a real attempt, and whether the attempt paused it."""

    before: Subscription
    after: Subscription

    @property
    def auto_paused(self) -> PausedReason | None:
        if self.before.health.status == "active" and self.after.health.status == "paused":
            return self.after.health.paused_reason
        return None


def bookkeeping(
    sub: Subscription, *, finished_at: datetime, ok: bool, event: DeliveryHealthEvent | None, now: datetime
) -> Bookkeeping | None:
    """What a finished real attempt does to the subscription as read: `last_delivery_*` move
    forward only, and the health transition (if any) applies in any status. None when nothing
    changes. `updated_at` is set only on an automatic pause, to the moment the attempt finished."""
    moved = health_rules.on_delivery_event(sub.health, event) if event is not None else None
    advanced = health_rules.advance_last_delivery(sub.last_delivery_at, finished_at, ok)
    if advanced is None and (moved is None or moved.health == sub.health):
        return None
    after = sub
    if advanced is not None:
        after = replace(after, last_delivery_at=advanced[0], last_delivery_ok=advanced[1])
    if moved is not None:
        after = replace(after, health=moved.health)
        if moved.touch_updated_at:
            after = replace(after, updated_at=max(finished_at, sub.updated_at))
    return Bookkeeping(sub, replace(after, version=sub.version + 1))


def bookkeeping_entry(change: Bookkeeping) -> dict[str, Any]:
    """The transaction entry writing `change.after` if the subscription is still at `before`."""
    return _replace_if_version(change.after, change.before.version)
