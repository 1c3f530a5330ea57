"""Outbox items: written in the same transaction as the change they describe; the stream fans them out.

Producers call `transact_put(event)` and add the result to their TransactWriteItems list; the
fan-out function reads stream images back with `from_image`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fortytwo.domain.timefmt import format_ts, parse_ts
from fortytwo.domain.webhooks.envelope import OutboxEvent
from fortytwo.store import dynamo

RETENTION = timedelta(days=7)


def key(event_id: str) -> tuple[str, str]:
    return f"OUTBOX#{event_id}", "EVENT"


def item(event: OutboxEvent) -> dynamo.Item:
    pk, sk = key(event.event_id)
    return {
        "pk": pk,
        "sk": sk,
        "type": "outbox",
        "event_id": event.event_id,
        "event": event.event,
        "organization_id": event.organization_id,
        "created_at": format_ts(event.created_at),
        "body": event.body.decode("utf-8"),
        "ttl": int((event.created_at + RETENTION).timestamp()),
    }


def transact_put(event: OutboxEvent) -> dict[str, Any]:
    """A TransactWriteItems entry creating the outbox item (never overwrites)."""
    return {
        "Put": {
            "TableName": dynamo.table_name(),
            "Item": dynamo.to_item(item(event)),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def from_item(data: dynamo.Item) -> OutboxEvent:
    return OutboxEvent(
        event_id=data["event_id"],
        event=data["event"],
        organization_id=data["organization_id"],
        created_at=parse_ts(data["created_at"]),
        body=data["body"].encode("utf-8"),
    )


def from_image(image: dict[str, Any]) -> OutboxEvent:
    """From a DynamoDB stream NewImage (typed attribute values)."""
    return from_item(dynamo.from_item(image) or {})
