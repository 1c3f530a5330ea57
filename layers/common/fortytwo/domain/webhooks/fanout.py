"""Who receives an event (40-webhooks §6.2): the fan-out's selection rule."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from fortytwo.domain.webhooks.delivery_state import Delivery, new_delivery
from fortytwo.domain.webhooks.envelope import OutboxEvent, delivery_id
from fortytwo.domain.webhooks.events import subscribed
from fortytwo.domain.webhooks.health import Status, receives_new_events
from fortytwo.domain.webhooks.subscription import Subscription


def receives(
    event: OutboxEvent,
    *,
    organization_id: str,
    status: Status,
    events: Sequence[str],
    created_at: datetime,
) -> bool:
    """Same organization, `active`, subscribed to the event's underscore name, and created at or
    before the event's `createdAt`. The owner key plays no part."""
    return (
        organization_id == event.organization_id
        and receives_new_events(status)
        and subscribed(events, event.event)
        and created_at <= event.created_at
    )


def delivery_id_for(event: OutboxEvent, subscription_id: str) -> str:
    """The deterministic delivery id of (event, subscription), so a re-run creates no duplicate."""
    return delivery_id(event.event_id, subscription_id, event.created_at)


def plan_fanout(
    event: OutboxEvent, subscriptions: Iterable[Subscription], now: datetime
) -> tuple[Delivery, ...]:
    """The deliveries of one event: one `pending(1)` delivery per receiving subscription, with
    the deterministic id, so a re-run of the fan-out plans exactly the same ones."""
    return tuple(
        Delivery(delivery_id_for(event, sub.id), sub.id, event, new_delivery(now), 1)
        for sub in subscriptions
        if receives(
            event,
            organization_id=sub.organization_id,
            status=sub.status,
            events=sub.events,
            created_at=sub.created_at,
        )
    )
