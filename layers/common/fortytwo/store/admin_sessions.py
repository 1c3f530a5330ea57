"""Admin Center sessions in the single table (55-admin-center §2): `ADMINSESSION#<hash>` / `SESSION`,
TTL at the absolute end (12 h). Every change is conditional on `version`."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from fortytwo.domain.admin.sessions import AdminSession
from fortytwo.store import dynamo, keys
from fortytwo.store.schema import ItemSchema

SESSION = ItemSchema(
    type="admin_session",
    entity=AdminSession,
    key=lambda s: keys.admin_session(s.session_hash),
    ttl=lambda s: int(s.expires_at.timestamp()),
)


def get(session_hash: str) -> AdminSession | None:
    item = dynamo.get(*keys.admin_session(session_hash), consistent=True)
    return SESSION.decode(item) if item and item.get("type") == SESSION.type else None


def create(session: AdminSession) -> None:
    dynamo.create(SESSION.encode(session))


def replace(before: AdminSession, after: AdminSession) -> bool:
    """Write `after` if the session is still at `before.version`; False when it changed or ended."""
    try:
        dynamo.client().put_item(
            TableName=dynamo.table_name(),
            Item=dynamo.to_item(SESSION.encode(after)),
            ConditionExpression="#v = :v",
            ExpressionAttributeNames={"#v": "version"},
            ExpressionAttributeValues=dynamo.values({":v": before.version}),
        )
    except ClientError as exc:
        if dynamo.is_conditional_failure(exc):
            return False
        raise
    return True


def delete(session_hash: str) -> None:
    kwargs: dict[str, Any] = {
        "TableName": dynamo.table_name(),
        "Key": dynamo.key(*keys.admin_session(session_hash)),
    }
    dynamo.client().delete_item(**kwargs)
