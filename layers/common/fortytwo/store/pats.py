"""PAT records (10-auth §3.2) in the single table: lookup item, name lock, org listing, id index."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from fortytwo.domain import pats as rules
from fortytwo.domain.hashing import pepper_hmac
from fortytwo.domain.ids import uuid7
from fortytwo.domain.timefmt import format_ts, parse_ts
from fortytwo.store import dynamo, keys

PUBLIC_FIELDS = (
    "id",
    "name",
    "organization_id",
    "created_by",
    "scopes",
    "last4",
    "generation",
    "created_at",
    "expires_at",
    "last_used_at",
    "revoked_at",
)


def _ts(value: str | None) -> datetime | None:
    return parse_ts(value) if value else None


def status_of(item: dynamo.Item, now: datetime) -> str:
    return rules.status(_ts(item.get("revoked_at")), _ts(item.get("expires_at")), now)


def public_view(item: dynamo.Item, now: datetime, token: str | None = None) -> dict[str, Any]:
    view = {name: item.get(name) for name in PUBLIC_FIELDS}
    view["scopes"] = list(item.get("scopes") or [])
    view["status"] = status_of(item, now)
    if token is not None:
        view["token"] = token
    return view


def get_by_lookup(lookup: str) -> dynamo.Item | None:
    return dynamo.get(*keys.pat(lookup))


def get_by_id(pat_id: str) -> dynamo.Item | None:
    items, _ = dynamo.query(
        index="gsi2", key_condition="gsi2pk = :p", values_={":p": keys.pat_id_index(pat_id)}, limit=1
    )
    return items[0] if items else None


def list_for_org(org_id: str) -> list[dynamo.Item]:
    """Every PAT of the organization, newest created_at first."""
    return dynamo.query_all(
        index="gsi1", key_condition="gsi1pk = :p", values_={":p": keys.pats_of_org(org_id)}, forward=False
    )


def touch_last_used(lookup: str, now: datetime) -> bool:
    """Set last_used_at if null or ≥ 60 s old; a conditional write, so at most one per PAT per minute."""
    cutoff = format_ts(now - rules.LAST_USED_THROTTLE)
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


def create(
    *,
    org_id: str,
    user_id: str,
    name: str,
    scopes: list[str],
    expires_in_days: int | None,
    pepper: bytes,
    now: datetime,
) -> tuple[dynamo.Item, str]:
    """Checks 6–7 of 10-auth §3.3 against the table, then one transaction. Returns (record, token)."""
    existing = list_for_org(org_id)
    active = [p for p in existing if status_of(p, now) == "active"]
    if len(active) >= rules.MAX_ACTIVE_PER_ORG:
        raise rules.PatRuleError(f"the organization already has {rules.MAX_ACTIVE_PER_ORG} active PATs")
    folded = name.casefold()
    if any(p["name"].casefold() == folded for p in active):
        raise rules.PatRuleError(f"an active PAT named {name!r} already exists in the organization")
    lock_pk, lock_sk = keys.pat_name(org_id, name)
    lock = dynamo.get(lock_pk, lock_sk, consistent=True)
    pat_id, created_at = uuid7(), format_ts(now)
    for _ in range(5):
        lookup, secret = rules.new_lookup(), rules.new_secret()
        token = rules.format_token(lookup, secret)
        expires = rules.expiry(now, expires_in_days)
        item: dynamo.Item = {
            "pk": keys.pat(lookup)[0],
            "sk": keys.pat(lookup)[1],
            "type": "pat",
            "id": pat_id,
            "lookup": lookup,
            "secret_hash": pepper_hmac(pepper, secret),
            "last4": token[-4:],
            "name": name,
            "scopes": scopes,
            "created_by": user_id,
            "organization_id": org_id,
            "created_at": created_at,
            "expires_at": format_ts(expires) if expires else None,
            "last_used_at": None,
            "revoked_at": None,
            "generation": 1,
            "version": 1,
            "gsi1pk": keys.pats_of_org(org_id),
            "gsi1sk": f"{created_at}#{pat_id}",
            "gsi2pk": keys.pat_id_index(pat_id),
            "gsi2sk": "PAT",
        }
        lock_condition = "attribute_not_exists(pk)"
        lock_values: dict[str, Any] = {}
        if lock is not None:
            lock_condition = "pat_id = :stale"
            lock_values = {":stale": lock["pat_id"]}
        put_lock: dict[str, Any] = {
            "TableName": dynamo.table_name(),
            "Item": dynamo.to_item({"pk": lock_pk, "sk": lock_sk, "type": "pat_name", "pat_id": pat_id}),
            "ConditionExpression": lock_condition,
        }
        if lock_values:
            put_lock["ExpressionAttributeValues"] = dynamo.values(lock_values)
        try:
            dynamo.client().transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": dynamo.table_name(),
                            "Item": dynamo.to_item(item),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {"Put": put_lock},
                ]
            )
            return item, token
        except ClientError as exc:
            reasons = dynamo.transaction_reasons(exc)
            if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                raise rules.PatRuleError(
                    f"an active PAT named {name!r} already exists in the organization"
                ) from exc
            if reasons and reasons[0] == "ConditionalCheckFailed":
                continue  # lookup collision: draw again
            raise
    raise RuntimeError("could not draw a unique PAT lookup")


def regenerate(item: dynamo.Item, pepper: bytes, now: datetime) -> tuple[dynamo.Item, str]:
    if status_of(item, now) != "active":
        raise rules.PatRuleError(f"PAT {item['id']} is {status_of(item, now)} and cannot be regenerated")
    secret = rules.new_secret()
    token = rules.format_token(item["lookup"], secret)
    try:
        response = dynamo.client().update_item(
            TableName=dynamo.table_name(),
            Key=dynamo.key(item["pk"], item["sk"]),
            UpdateExpression=(
                "SET secret_hash = :h, last4 = :l, generation = generation + :one, version = version + :one"
            ),
            ConditionExpression="version = :v AND attribute_type(revoked_at, :null)",
            ExpressionAttributeValues=dynamo.values(
                {
                    ":h": pepper_hmac(pepper, secret),
                    ":l": token[-4:],
                    ":one": 1,
                    ":v": item["version"],
                    ":null": "NULL",
                }
            ),
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if dynamo.is_conditional_failure(exc):
            raise rules.PatRuleError(f"PAT {item['id']} changed concurrently; try again") from exc
        raise
    return dynamo.from_item(response["Attributes"]) or {}, token


def revoke(item: dynamo.Item, now: datetime) -> dynamo.Item:
    """Irreversible; revoking a revoked PAT changes nothing. Frees the name."""
    if item.get("revoked_at"):
        return item
    try:
        response = dynamo.client().update_item(
            TableName=dynamo.table_name(),
            Key=dynamo.key(item["pk"], item["sk"]),
            UpdateExpression="SET revoked_at = :now, version = version + :one",
            ConditionExpression="attribute_exists(pk) AND attribute_type(revoked_at, :null)",
            ExpressionAttributeValues=dynamo.values({":now": format_ts(now), ":one": 1, ":null": "NULL"}),
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if dynamo.is_conditional_failure(exc):
            return get_by_lookup(item["lookup"]) or item
        raise
    return dynamo.from_item(response["Attributes"]) or {}
