"""PAT records (10-auth §3.2) in the single table: the record keyed by lookup (listed per organization
in gsi1, found by id in gsi2) and the name lock. Readers return `Pat`; one commit per plan."""

from __future__ import annotations

from datetime import datetime

from botocore.exceptions import ClientError

from fortytwo.domain.pats import LAST_USED_THROTTLE, Pat, PatCreation, PatNameLock
from fortytwo.domain.timefmt import format_ts
from fortytwo.store import dynamo, keys
from fortytwo.store.schema import ItemSchema
from fortytwo.store.transactions import transact

PAT = ItemSchema(
    type="pat",
    entity=Pat,
    key=lambda p: keys.pat(p.lookup),
    indexes={
        "gsi1": lambda p: keys.pats_of_org_entry(p.organization_id, format_ts(p.created_at), p.id),
        "gsi2": lambda p: keys.pat_id_entry(p.id),
    },
)
NAME_LOCK = ItemSchema(
    type="pat_name", entity=PatNameLock, key=lambda lock: keys.pat_name(lock.organization_id, lock.name)
)


# --- reads ------------------------------------------------------------------------------------


def get_by_lookup(lookup: str) -> Pat | None:
    return PAT.decode_optional(dynamo.get(*keys.pat(lookup)))


def get_by_id(pat_id: str) -> Pat | None:
    items, _ = dynamo.query(
        index="gsi2", key_condition="gsi2pk = :p", values_={":p": keys.pat_id_index(pat_id)}, limit=1
    )
    return PAT.decode(items[0]) if items else None


def list_for_org(org_id: str) -> list[Pat]:
    """Every PAT of the organization, newest created_at first."""
    items = dynamo.query_all(
        index="gsi1", key_condition="gsi1pk = :p", values_={":p": keys.pats_of_org(org_id)}, forward=False
    )
    return [PAT.decode(i) for i in items]


def get_name_lock(org_id: str, name: str) -> PatNameLock | None:
    item = dynamo.get(*keys.pat_name(org_id, name), consistent=True)
    # Locks written before the schema held only `pat_id`.
    return NAME_LOCK.decode({"organization_id": org_id, "name": name, **item}) if item else None


# --- commits ----------------------------------------------------------------------------------


def commit_creation(plan: PatCreation) -> None:
    """One transaction: the record (a new lookup) and the name lock (new, or taken over from the
    revoked/expired PAT that held it). LostRace kinds: `lookup` (draw again), `name` (taken)."""
    lock: dict[str, object] = {
        "TableName": dynamo.table_name(),
        "Item": dynamo.to_item(NAME_LOCK.encode(plan.lock)),
        "ConditionExpression": "attribute_not_exists(pk)",
    }
    if plan.stale_lock_holder is not None:
        lock["ConditionExpression"] = "pat_id = :stale"
        lock["ExpressionAttributeValues"] = dynamo.values({":stale": plan.stale_lock_holder})
    record = {
        "TableName": dynamo.table_name(),
        "Item": dynamo.to_item(PAT.encode(plan.pat)),
        "ConditionExpression": "attribute_not_exists(pk)",
    }
    transact([{"Put": record}, {"Put": lock}], ["lookup", "name"])


def commit_regeneration(renewed: Pat) -> bool:
    """Replace the secret on condition the record is still the version read and not revoked.
    False: it changed meanwhile."""
    try:
        dynamo.client().update_item(
            TableName=dynamo.table_name(),
            Key=dynamo.key(*keys.pat(renewed.lookup)),
            UpdateExpression="SET secret_hash = :h, last4 = :l, generation = :g, version = :v",
            ConditionExpression="version = :read AND attribute_type(revoked_at, :null)",
            ExpressionAttributeValues=dynamo.values(
                {
                    ":h": renewed.secret_hash,
                    ":l": renewed.last4,
                    ":g": renewed.generation,
                    ":v": renewed.version,
                    ":read": renewed.version - 1,
                    ":null": "NULL",
                }
            ),
        )
        return True
    except ClientError as exc:
        if dynamo.is_conditional_failure(exc):
            return False
        raise


def commit_revocation(revoked: Pat) -> bool:
    """Set `revoked_at` once (frees the name). False: it was revoked meanwhile."""
    assert revoked.revoked_at is not None
    try:
        dynamo.client().update_item(
            TableName=dynamo.table_name(),
            Key=dynamo.key(*keys.pat(revoked.lookup)),
            UpdateExpression="SET revoked_at = :now, version = version + :one",
            ConditionExpression="attribute_exists(pk) AND attribute_type(revoked_at, :null)",
            ExpressionAttributeValues=dynamo.values(
                {":now": format_ts(revoked.revoked_at), ":one": 1, ":null": "NULL"}
            ),
        )
        return True
    except ClientError as exc:
        if dynamo.is_conditional_failure(exc):
            return False
        raise


def touch_last_used(lookup: str, now: datetime) -> bool:
    """Set last_used_at if null or ≥ 60 s old; a conditional write, so at most one per PAT per minute."""
    cutoff = format_ts(now - LAST_USED_THROTTLE)
    try:
        dynamo.client().update_item(
            TableName=dynamo.table_name(),
            Key=dynamo.key(*keys.pat(lookup)),
            UpdateExpression="SET last_used_at = :now",
            ConditionExpression=(
                "attribute_exists(pk) AND (attribute_type(last_used_at, :null) OR last_used_at <= :cutoff)"
            ),
            ExpressionAttributeValues=dynamo.values(
                {":now": format_ts(now), ":cutoff": cutoff, ":null": "NULL"}
            ),
        )
        return True
    except ClientError as exc:
        if dynamo.is_conditional_failure(exc):
            return False
        raise
