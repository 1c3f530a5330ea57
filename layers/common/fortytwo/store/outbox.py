"""Outbox items: written in the same transaction as the change they describe; the stream fans them out.

Producers call `transact_put(event)` and add the result to their TransactWriteItems list; the
fan-out function reads stream images back with `from_image`. The body is stored as text (the
rendered JSON, always UTF-8), exactly the bytes every delivery sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fortytwo.domain.webhooks.envelope import OutboxEvent
from fortytwo.store import dynamo, keys
from fortytwo.store.schema import ItemSchema

RETENTION = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """The outbox item's attributes: an `OutboxEvent` with its body as text."""

    event_id: str
    event: str
    organization_id: str
    created_at: datetime
    body: str

    @classmethod
    def of(cls, event: OutboxEvent) -> StoredEvent:
        return cls(event.event_id, event.event, event.organization_id, event.created_at, event.body.decode())

    def outbox_event(self) -> OutboxEvent:
        return OutboxEvent(
            self.event_id, self.event, self.organization_id, self.created_at, self.body.encode()
        )


OUTBOX_EVENT = ItemSchema(
    type="outbox",
    entity=StoredEvent,
    key=lambda e: keys.outbox_event(e.event_id),
    ttl=lambda e: int((e.created_at + RETENTION).timestamp()),
)


def item(event: OutboxEvent) -> dynamo.Item:
    return OUTBOX_EVENT.encode(StoredEvent.of(event))


def transact_put(event: OutboxEvent) -> dict[str, Any]:
    """A TransactWriteItems entry creating the outbox item (never overwrites)."""
    return dynamo.put_new(item(event))


def from_item(data: dynamo.Item) -> OutboxEvent:
    return OUTBOX_EVENT.decode(data).outbox_event()


def from_image(image: dict[str, Any]) -> OutboxEvent:
    """From a DynamoDB stream NewImage (typed attribute values)."""
    return from_item(dynamo.from_item(image) or {})
