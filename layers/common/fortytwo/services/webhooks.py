"""Webhook subscriptions (40-webhooks §2–§5, §7.12): the use cases behind `/v1/webhooks…` AND
`42min admin webhook …` (one copy of each).

A caller is a `Sandbox` (organization + owner key of the credential), or `None` for the admin
tooling, which reaches every subscription by id. A subscription outside the caller's sandbox
answers exactly like a missing one. Checks run in the contract's order: body fields → path id →
load → URL destination → duplicate URL → limit → apply. Every write is load → decide
(`domain/webhooks/subscription`) → commit (`store/webhooks`), retried on a lost race.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from fortytwo.adapters import webhook_http
from fortytwo.config import get_settings
from fortytwo.contract.errors import (
    ApiError,
    DuplicateUrl,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
    WebhookLimitReached,
    WebhookUrlForbidden,
)
from fortytwo.domain import clock
from fortytwo.domain.ids import normalize_uuid, uuid7
from fortytwo.domain.webhooks import subscription as decide
from fortytwo.domain.webhooks.delivery_state import (
    Delivery,
    LoggedAttempt,
    finished_test_delivery,
    record_for_test_delivery,
)
from fortytwo.domain.webhooks.envelope import OutboundRequest, OutboxEvent, build_test_delivery, epoch_ms
from fortytwo.domain.webhooks.errors import FieldError
from fortytwo.domain.webhooks.signature import generate_secret
from fortytwo.domain.webhooks.subscription import (
    ADMIN_OWNER_KEY,
    MAX_PER_SANDBOX,
    Sandbox,
    Subscription,
    SubscriptionChange,
    SubscriptionRemoval,
)
from fortytwo.domain.webhooks.url_policy import WebhookUrl, forbidden_host_message
from fortytwo.domain.webhooks.validation import validate_create, validate_patch
from fortytwo.observability import logger
from fortytwo.services.retry import with_retries
from fortytwo.store import deliveries
from fortytwo.store import webhooks as store
from fortytwo.store.transactions import LostRace

__all__ = ["ADMIN_OWNER_KEY", "MAX_PER_SANDBOX", "Outbound", "Sandbox", "Subscription"]

# Optimistic retries of a write that lost to a concurrent change. Each loser re-reads, so a
# handful is plenty even with several delivery workers finishing on one subscription.
MAX_WRITE_ATTEMPTS = 12

Sender = Callable[..., webhook_http.SendResult]


@dataclass
class Outbound:
    """What tests replace (§8.9): the clock, the DNS resolver and the HTTP sender."""

    now: Callable[[], datetime] = clock.late_now
    resolver: webhook_http.Resolver = webhook_http.system_resolver
    send: Sender = field(default=webhook_http.send)

    def check_destination(self, url: WebhookUrl) -> None:
        """The literal IP, or every address the name resolves to (up to 2 s of DNS), §4.3."""
        forbidden = webhook_http.check_destination(
            url, allow_insecure=_allow_insecure(), resolver=self.resolver
        )
        if forbidden is not None:
            logger.info("webhook url refused", extra={"host": url.host, "address": forbidden})
            raise WebhookUrlForbidden(forbidden_host_message(url.host))

    def post(self, request: OutboundRequest) -> webhook_http.SendResult:
        """One signed POST through the SSRF-safe adapter (re-checks the connected address)."""
        return self.send(request, allow_insecure=_allow_insecure(), resolver=self.resolver)


def _allow_insecure() -> bool:
    return get_settings().allow_insecure_webhooks


def _not_found() -> ApiError:
    return NotFound("No such webhook")


def _fields(errors: list[FieldError]) -> ValidationFailed:
    return ValidationFailed([e.to_api() for e in errors])


def _visible(sub: Subscription | None, sandbox: Sandbox | None) -> Subscription:
    if sub is None or (sandbox is not None and not sub.in_sandbox(sandbox.org_id, sandbox.owner_key)):
        raise _not_found()
    return sub


def get_webhook(raw_id: str, sandbox: Sandbox | None) -> Subscription:
    """A UUID in any case, then the subscription within the sandbox (checks 1 and 2 of §5)."""
    webhook_id = normalize_uuid(raw_id)
    if webhook_id is None:
        raise _not_found()
    return _visible(store.get(webhook_id), sandbox)


def list_webhooks(sandbox: Sandbox) -> list[Subscription]:
    """The sandbox's subscriptions, newest first."""
    return store.list_sandbox(sandbox.org_id, sandbox.owner_key)


def list_organization(org_id: str) -> list[Subscription]:
    """Admin: every subscription of the organization, whatever its sandbox, newest first."""
    return sorted(store.list_organization(org_id), key=lambda s: (s.created_at, s.id), reverse=True)


def _busy() -> ServiceUnavailable:
    return ServiceUnavailable()


def create_webhook(sandbox: Sandbox, body: Mapping[str, Any], tools: Outbound) -> Subscription:
    """§5.1: fields (400) → destination (422) → one transaction for the subscription, its URL lock
    (409 duplicate_url) and the sandbox counter (422 webhook_limit_reached)."""
    parsed = validate_create(body, allow_insecure=_allow_insecure())
    if isinstance(parsed, list):
        raise _fields(parsed)
    tools.check_destination(parsed.url)
    now = tools.now()
    sub = decide.new_subscription(uuid7(epoch_ms(now)), sandbox, parsed, generate_secret(), now)

    def attempt() -> Subscription:
        store.commit_create(sub)
        return sub

    def on_lost(lost: LostRace) -> None:
        # The duplicate is judged before the limit (409 before 422, §5.1).
        if store.KIND_URL_LOCK in lost.kinds:
            holder = store.url_holder(sub)
            if holder is not None:
                raise DuplicateUrl(holder)
            # The holder was deleted between our write and the read: the URL is free now.
        elif store.KIND_COUNTER in lost.kinds:
            raise WebhookLimitReached(MAX_PER_SANDBOX)

    return with_retries(attempt, _busy, on_lost=on_lost, attempts=MAX_WRITE_ATTEMPTS)


def _change(
    first: Subscription,
    sandbox: Sandbox | None,
    decision: Callable[[Subscription], SubscriptionChange],
    on_lost: Callable[[LostRace, SubscriptionChange], None] | None = None,
) -> Subscription:
    """Load (the snapshot already read, then fresh reads) → decide → commit, until it holds."""
    snapshot: list[Subscription] = [first]
    last: list[SubscriptionChange] = []

    def attempt() -> Subscription:
        current = snapshot.pop() if snapshot else _visible(store.get(first.id), sandbox)
        change = decision(current)
        last[:] = [change]
        store.commit_change(change)
        return change.after

    def lost(race: LostRace) -> None:
        if on_lost is not None and last:
            on_lost(race, last[0])

    return with_retries(attempt, _busy, on_lost=lost, attempts=MAX_WRITE_ATTEMPTS)


def update_webhook(
    raw_id: str, sandbox: Sandbox | None, body: Mapping[str, Any], tools: Outbound
) -> Subscription:
    """PATCH (§5.3), also the admin pause/resume: the body is judged before the id (00-conventions
    §5.3), the destination is resolved again even when the URL is unchanged (DNS may have moved)."""
    patch = validate_patch(body, allow_insecure=_allow_insecure())
    if isinstance(patch, list):
        raise _fields(patch)
    sub = get_webhook(raw_id, sandbox)
    if patch.url is not None:
        tools.check_destination(patch.url)
    now = tools.now()

    def on_lost(race: LostRace, change: SubscriptionChange) -> None:
        if store.KIND_URL_LOCK in race.kinds and store.KIND_SUBSCRIPTION not in race.kinds:
            holder = store.url_holder(change.after)
            if holder is not None and holder != change.before.id:
                raise DuplicateUrl(holder)

    return _change(sub, sandbox, lambda current: decide.patched(current, patch, now), on_lost)


def set_status(raw_id: str, status: str, tools: Outbound) -> Subscription:
    """`42min admin webhook pause|resume`: exactly PATCH `{"status": …}` on any sandbox (§7.10)."""
    return update_webhook(raw_id, None, {"status": status}, tools)


def rotate_secret(raw_id: str, sandbox: Sandbox | None, tools: Outbound) -> Subscription:
    """§5.6: a new secret, used from the next signature on (§7.13)."""
    sub = get_webhook(raw_id, sandbox)
    secret, now = generate_secret(), tools.now()
    return _change(sub, sandbox, lambda current: decide.rotated(current, secret, now))


class Deleted(NamedTuple):
    subscription: Subscription
    raced: bool  # a concurrent DELETE won; the caller still answers 204 (§5.5)


def delete_webhook(raw_id: str, sandbox: Sandbox | None) -> Deleted:
    """§5.5: the subscription, its URL lock and its slot go."""
    sub = get_webhook(raw_id, sandbox)
    return Deleted(sub, raced=not remove(sub))


def remove(sub: Subscription) -> bool:
    """Remove the subscription read as `sub`. False when it was already gone (the loser of a
    race of deletes): the sandbox's slot is released once, and never below 0."""
    snapshot: list[Subscription] = [sub]
    release_slot = [True]

    def attempt() -> bool:
        current = snapshot[0] if snapshot else store.get(sub.id)
        if current is None:
            return False
        snapshot[:] = [current]  # kept for a retry that only changes `release_slot`
        store.commit_removal(SubscriptionRemoval(current, release_slot[0]))
        return True

    def on_lost(race: LostRace) -> None:
        if store.KIND_SUBSCRIPTION in race.kinds or store.KIND_OLD_URL_LOCK in race.kinds:
            snapshot.clear()  # changed or deleted meanwhile: read again
        elif store.KIND_COUNTER in race.kinds:
            release_slot[0] = False  # a counter already at 0 cannot go negative

    return with_retries(attempt, _busy, on_lost=on_lost, attempts=MAX_WRITE_ATTEMPTS)


def test_webhook(raw_id: str, sandbox: Sandbox, tools: Outbound) -> LoggedAttempt:
    """§7.12: one signed attempt now, same signer/resolver/sender as real deliveries, no retry,
    no effect on status, counter or `last_delivery_*`; only the log row is written."""
    sub = get_webhook(raw_id, sandbox)
    started = tools.now()
    delivery = build_test_delivery(events=sub.events, url=sub.url, secret=sub.secret, now=started)
    outcome = tools.post(delivery.request).outcome()
    record = record_for_test_delivery(started, outcome)
    # Kept as a finished delivery with its envelope, so that it can be redelivered (55 §6).
    event = OutboxEvent(
        delivery.event_id, delivery.event, sub.organization_id, started, delivery.request.body
    )
    kept = Delivery(delivery.delivery_id, sub.id, event, finished_test_delivery(started, outcome), 1)
    deliveries.commit_test_delivery(kept, record)
    return LoggedAttempt(delivery.delivery_id, delivery.rest_event, record)


test_webhook.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
