"""A webhook subscription (40-webhooks §2, §3) and the pure decisions that change it.

Each decision returns a plan that the store commits in ONE call: a `SubscriptionChange`
(before → after, written if the subscription is still at `before.version`; a URL whose
comparison key changes moves the sandbox's URL lock in the same transaction) or a
`SubscriptionRemoval`. The health rules themselves are `health.py`'s (§7.10).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, NamedTuple

from fortytwo.domain.timefmt import format_ts
from fortytwo.domain.webhooks import health as health_rules
from fortytwo.domain.webhooks.delivery_state import UpdateSubscription
from fortytwo.domain.webhooks.health import Health, PausedReason, Status
from fortytwo.domain.webhooks.url_policy import comparison_key
from fortytwo.domain.webhooks.validation import CreateInput, PatchInput

MAX_PER_SANDBOX = 25
# The owner key of subscriptions created by `42min admin webhook create` (§2.1): no API
# credential ever has it, so they are invisible to `/v1/webhooks`.
ADMIN_OWNER_KEY = "admin"
# Not an owner key but a reach: Admin Center's pages see every sandbox of their organization
# (55-admin-center §2, §5). Nothing is ever created under it.
ALL_OWNERS = "*"


class Sandbox(NamedTuple):
    """(organization, owner key): what one credential sees and changes (§2)."""

    org_id: str
    owner_key: str


@dataclass(frozen=True, slots=True)
class Subscription:
    """The stored subscription. `status`, `failures` and `paused_reason` are its `Health`."""

    id: str
    organization_id: str
    owner_key: str
    url: str
    events: tuple[str, ...]
    description: str | None
    secret: str
    created_at: datetime
    updated_at: datetime
    # Row 1 of §7.10: a new subscription is active with n = 0, never delivered, at version 1.
    status: Status = "active"
    failures: int = 0
    paused_reason: PausedReason | None = None
    last_delivery_at: datetime | None = None
    last_delivery_ok: bool | None = None
    version: int = 1

    @property
    def health(self) -> Health:
        return Health(self.status, self.failures, self.paused_reason)

    def with_health(self, health: Health) -> Subscription:
        return replace(
            self, status=health.status, failures=health.failures, paused_reason=health.paused_reason
        )

    @property
    def sandbox(self) -> Sandbox:
        return Sandbox(self.organization_id, self.owner_key)

    def in_sandbox(self, org_id: str, owner_key: str) -> bool:
        return self.organization_id == org_id and owner_key in (self.owner_key, ALL_OWNERS)

    def to_api(self, *, secret: bool = False) -> dict[str, Any]:
        """The API's `Webhook` (or `WebhookWithSecret`): the owner key and counter never appear."""
        view: dict[str, Any] = {
            "id": self.id,
            "url": self.url,
            "events": list(self.events),
            "status": self.status,
            "description": self.description,
            "paused_reason": None if self.paused_reason is None else str(self.paused_reason),
            "last_delivery_at": None if self.last_delivery_at is None else format_ts(self.last_delivery_at),
            "last_delivery_ok": self.last_delivery_ok,
            "created_at": format_ts(self.created_at),
            "updated_at": format_ts(self.updated_at),
        }
        return {**view, "signing_secret": self.secret} if secret else view


@dataclass(frozen=True, slots=True)
class SubscriptionChange:
    """Write `after` if the subscription is still at `before.version` (`after.version` is one more)."""

    before: Subscription
    after: Subscription

    @property
    def moves_url(self) -> bool:
        """The URL's comparison key changed: the sandbox's URL lock moves with it (§4.4)."""
        return comparison_key(self.before.url) != comparison_key(self.after.url)

    @property
    def auto_paused(self) -> PausedReason | None:
        """The reason when this change is an automatic pause (§7.10 rows 4 and 6)."""
        if self.before.status == "active" and self.after.status == "paused":
            return self.after.paused_reason
        return None


@dataclass(frozen=True, slots=True)
class SubscriptionRemoval:
    """Delete the subscription (if still at its version), its URL lock and, when `release_slot`,
    one slot of the sandbox counter (§5.5, §7.14)."""

    subscription: Subscription
    release_slot: bool = True


def _change(before: Subscription, after: Subscription) -> SubscriptionChange:
    return SubscriptionChange(before, replace(after, version=before.version + 1))


def new_subscription(
    webhook_id: str, sandbox: Sandbox, parsed: CreateInput, secret: str, now: datetime
) -> Subscription:
    """A new subscription of `sandbox` (§5.1): the fields as validated, health as created."""
    if sandbox.owner_key == ALL_OWNERS:
        raise ValueError("a subscription belongs to one sandbox")
    sub = Subscription(
        webhook_id, *sandbox, parsed.url.url, parsed.events, parsed.description, secret, now, now
    )
    return sub.with_health(health_rules.created())


def patched(current: Subscription, patch: PatchInput, now: datetime) -> SubscriptionChange:
    """A PATCH (or an admin pause/resume), all-or-nothing: absent fields unchanged, the counter
    reset and `updated_at` set on every success (§4.2, §7.10 rows 8–11)."""
    moved = health_rules.on_patch(current.health, patch.status)
    after = replace(
        current.with_health(moved.health),
        url=patch.url.url if patch.url is not None else current.url,
        events=patch.events if patch.events is not None else current.events,
        description=patch.description if patch.description_set else current.description,
        updated_at=max(now, current.updated_at),
    )
    return _change(current, after)


def rotated(current: Subscription, secret: str, now: datetime) -> SubscriptionChange:
    """Row 12: a new secret from now on, `updated_at` set, status and counter unchanged (§7.13)."""
    moved = health_rules.on_rotate_secret(current.health)
    after = replace(current.with_health(moved.health), secret=secret, updated_at=max(now, current.updated_at))
    return _change(current, after)


def after_attempt(current: Subscription, update: UpdateSubscription) -> SubscriptionChange | None:
    """What a finished real attempt does to the subscription as read: `last_delivery_*` move
    forward only, and the health transition (if any) applies in any status. None when nothing
    changes. `updated_at` is set only on an automatic pause, to the moment the attempt finished."""
    event = update.health_event
    moved = health_rules.on_delivery_event(current.health, event) if event is not None else None
    advanced = health_rules.advance_last_delivery(current.last_delivery_at, update.finished_at, update.ok)
    if advanced is None and (moved is None or moved.health == current.health):
        return None
    after = current
    if advanced is not None:
        after = replace(after, last_delivery_at=advanced[0], last_delivery_ok=advanced[1])
    if moved is not None:
        after = after.with_health(moved.health)
        if moved.touch_updated_at:
            after = replace(after, updated_at=max(update.finished_at, current.updated_at))
    return _change(current, after)
