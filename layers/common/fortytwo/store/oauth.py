"""OAuth records in the single table (10-auth §6.2–§6.6; docs/single-table.md).

Clients, codes, grants, access and refresh tokens, sign-in sessions. Artifacts are keyed by
HMAC-SHA256(pepper, value) and never stored in clear. Single use of codes and refresh tokens is
enforced with conditional writes; everything that expires carries a TTL and is also checked on
read by the domain functions.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from botocore.exceptions import ClientError

from fortytwo.domain.oauth.artifacts import CODE_RETENTION, TOKEN_RETENTION
from fortytwo.domain.oauth.models import (
    AccessToken,
    AuthorizationCode,
    Grant,
    Issued,
    IssuedToken,
    OAuthClient,
    RefreshToken,
    Session,
)
from fortytwo.domain.timefmt import format_ts
from fortytwo.store import dynamo, keys
from fortytwo.store.schema import ItemSchema

_TTL = {"#ttl": "ttl"}


class CodeReused(Exception):
    """The code was already used (or was reused while this exchange ran): answer invalid_grant."""


class RefreshReused(Exception):
    """The refresh token was spent concurrently: treat as reuse."""

    def __init__(self, grant_id: str) -> None:
        super().__init__(grant_id)
        self.grant_id = grant_id


class GrantRevoked(Exception):
    """The grant was revoked while a refresh ran."""


def _epoch(value: datetime) -> int:
    return int(value.timestamp())


# --- item schemas (docs/single-table.md) ------------------------------------------------------

CLIENT = ItemSchema(
    type="oauth_client",
    entity=OAuthClient,
    key=lambda c: keys.oauth_client(c.client_id),
    # Listed on Admin Center's OAuth apps tab (55 §4); dynamically registered clients have no organization.
    indexes={
        "gsi1": lambda c: (
            keys.oauth_client_of_org(c.organization_id, format_ts(c.created_at), c.client_id)
            if c.organization_id
            else None
        )
    },
)
CODE = ItemSchema(
    type="oauth_code",
    entity=AuthorizationCode,
    key=lambda c: keys.oauth_code(c.code_hash),
    ttl=lambda c: _epoch(c.expires_at + CODE_RETENTION),
)
# A grant's TTL follows its latest token (`_grant_ttl`), so it is set where the grant is written.
GRANT = ItemSchema(
    type="oauth_grant",
    entity=Grant,
    key=lambda g: keys.oauth_grant(g.grant_id),
    indexes={
        "gsi1": lambda g: keys.user_grants(g.user_id, format_ts(g.created_at), g.grant_id),
        # Deleting a client revokes every grant of it (55 §4).
        "gsi2": lambda g: keys.oauth_grant_of_client(g.client_id, format_ts(g.created_at), g.grant_id),
    },
)
TokenT = TypeVar("TokenT", bound=IssuedToken)


def _token_schema(item_type: str, entity: type[TokenT], key: keys.KeyOf) -> ItemSchema[TokenT]:
    """A token of a grant: found by its hash, kept TOKEN_RETENTION past its expiry."""
    return ItemSchema(
        type=item_type,
        entity=entity,
        key=lambda t: key(t.token_hash),
        ttl=lambda t: _epoch(t.expires_at + TOKEN_RETENTION),
    )


ACCESS_TOKEN = _token_schema("oauth_access_token", AccessToken, keys.oauth_access_token)
REFRESH_TOKEN = _token_schema("oauth_refresh_token", RefreshToken, keys.oauth_refresh_token)
SESSION = ItemSchema(
    type="oauth_session",
    entity=Session,
    key=lambda s: keys.oauth_session(s.session_hash),
    ttl=lambda s: _epoch(s.expires_at),
)


def grant_item(grant: Grant, ttl: int) -> dynamo.Item:
    return {**GRANT.encode(grant), "ttl": ttl}


# --- reads ------------------------------------------------------------------------------------


def get_client(client_id: str) -> OAuthClient | None:
    return CLIENT.decode_optional(dynamo.get(*keys.oauth_client(client_id)))


def get_code(code_hash: str, *, consistent: bool = False) -> AuthorizationCode | None:
    return CODE.decode_optional(dynamo.get(*keys.oauth_code(code_hash), consistent=consistent))


def get_grant(grant_id: str, *, consistent: bool = False) -> Grant | None:
    return GRANT.decode_optional(dynamo.get(*keys.oauth_grant(grant_id), consistent=consistent))


def get_access_token(token_hash: str) -> AccessToken | None:
    return ACCESS_TOKEN.decode_optional(dynamo.get(*keys.oauth_access_token(token_hash)))


def get_refresh_token(token_hash: str, *, consistent: bool = False) -> RefreshToken | None:
    item = dynamo.get(*keys.oauth_refresh_token(token_hash), consistent=consistent)
    return REFRESH_TOKEN.decode_optional(item)


# --- writes -----------------------------------------------------------------------------------


def create_client(client: OAuthClient) -> None:
    dynamo.create(CLIENT.encode(client))


def put_code(code: AuthorizationCode) -> None:
    dynamo.create(CODE.encode(code))


def mark_code_used(code: AuthorizationCode, now: datetime) -> bool:
    """§6.8.3 step 4: set `used_at` on condition it is null. False → the code was already used."""
    return dynamo.set_once(keys.oauth_code(code.code_hash), "used_at", format_ts(now))


def mark_code_reused(code_hash: str, now: datetime) -> str | None:
    """Record a reuse and return the grant the code created, if any.

    `reused_at` makes a still-running exchange of the same code fail its transaction, so a grant
    is never created after its code was replayed.
    """
    try:
        response = dynamo.client().update_item(
            TableName=dynamo.table_name(),
            Key=dynamo.key(*keys.oauth_code(code_hash)),
            UpdateExpression="SET reused_at = if_not_exists(reused_at, :now)",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues=dynamo.values({":now": format_ts(now)}),
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if dynamo.is_conditional_failure(exc):
            return None  # purged meanwhile: nothing left to revoke through it
        raise
    item = dynamo.from_item(response.get("Attributes")) or {}
    return item.get("grant_id")


def _grant_ttl(issued: Issued) -> int:
    """A grant lives as long as the latest of its tokens (§6.3 retention)."""
    latest = issued.access_record.expires_at
    if issued.refresh_record is not None:
        latest = max(latest, issued.refresh_record.expires_at)
    return _epoch(latest + TOKEN_RETENTION)


def save_code_exchange(issued: Issued, code: AuthorizationCode) -> None:
    """§6.8.3 step 8 in one transaction: grant, access token, refresh token (when issued), and the
    code's `grant_id`, on condition the code is ours (used, not reused, no grant yet)."""
    if code.used_at is None:
        raise ValueError("the code must be marked used before its exchange is saved")
    writes = [
        dynamo.put_new(grant_item(issued.grant, _grant_ttl(issued))),
        dynamo.put_new(ACCESS_TOKEN.encode(issued.access_record)),
    ]
    if issued.refresh_record is not None:
        writes.append(dynamo.put_new(REFRESH_TOKEN.encode(issued.refresh_record)))
    writes.append(
        {
            "Update": {
                "TableName": dynamo.table_name(),
                "Key": dynamo.key(*keys.oauth_code(code.code_hash)),
                "UpdateExpression": "SET grant_id = :g",
                "ConditionExpression": (
                    "used_at = :used AND attribute_type(grant_id, :null) AND attribute_not_exists(reused_at)"
                ),
                "ExpressionAttributeValues": dynamo.values(
                    {":g": issued.grant.grant_id, ":used": format_ts(code.used_at), ":null": "NULL"}
                ),
            }
        }
    )
    try:
        dynamo.client().transact_write_items(TransactItems=writes)
    except ClientError as exc:
        reasons = dynamo.transaction_reasons(exc)
        if reasons and reasons[-1] == "ConditionalCheckFailed":
            raise CodeReused() from exc
        raise


def save_rotation(issued: Issued) -> None:
    """§6.8.4 step 8 in one transaction: spend the presented refresh token (condition: still unspent),
    store the new access and refresh tokens, extend the grant's retention (condition: not revoked)."""
    spent = issued.spent_refresh
    if spent is None or spent.used_at is None or issued.refresh_record is None:
        raise ValueError("a rotation needs the spent refresh token and a new one")
    writes = [
        {
            "Update": {
                "TableName": dynamo.table_name(),
                "Key": dynamo.key(*keys.oauth_refresh_token(spent.token_hash)),
                "UpdateExpression": "SET used_at = :now",
                "ConditionExpression": "attribute_exists(pk) AND attribute_type(used_at, :null)",
                "ExpressionAttributeValues": dynamo.values(
                    {":now": format_ts(spent.used_at), ":null": "NULL"}
                ),
            }
        },
        {
            "Update": {
                "TableName": dynamo.table_name(),
                "Key": dynamo.key(*keys.oauth_grant(issued.grant.grant_id)),
                "UpdateExpression": "SET #ttl = :ttl",
                "ConditionExpression": "attribute_exists(pk) AND attribute_type(revoked_at, :null)",
                "ExpressionAttributeNames": _TTL,
                "ExpressionAttributeValues": dynamo.values({":ttl": _grant_ttl(issued), ":null": "NULL"}),
            }
        },
        dynamo.put_new(ACCESS_TOKEN.encode(issued.access_record)),
        dynamo.put_new(REFRESH_TOKEN.encode(issued.refresh_record)),
    ]
    try:
        dynamo.client().transact_write_items(TransactItems=writes)
    except ClientError as exc:
        reasons = dynamo.transaction_reasons(exc)
        if reasons and reasons[0] == "ConditionalCheckFailed":
            raise RefreshReused(spent.grant_id) from exc
        if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
            raise GrantRevoked() from exc
        raise


def revoke_grant(grant_id: str, now: datetime) -> bool:
    """Set the grant's `revoked_at` once; every token of the family reads as revoked from then on.
    True when this call revoked it, False when it was already revoked or does not exist."""
    return dynamo.set_once(keys.oauth_grant(grant_id), "revoked_at", format_ts(now))


def revoke_access_token(token_hash: str, now: datetime) -> None:
    dynamo.set_once(keys.oauth_access_token(token_hash), "revoked_at", format_ts(now))  # a repeat: no-op


def grants_of_user(user_id: str) -> list[Grant]:
    items = dynamo.query_all(
        index="gsi1", key_condition="gsi1pk = :p", values_={":p": keys.user_grants_partition(user_id)}
    )
    return [GRANT.decode(i) for i in items]


def revoke_user_grants(user_id: str, now: datetime) -> int:
    """Revoke every active grant a user approved (user removal); returns how many were revoked."""
    revoked = 0
    for grant in grants_of_user(user_id):
        if grant.revoked_at is None and revoke_grant(grant.grant_id, now):
            revoked += 1
    return revoked


# --- clients managed on Admin Center (55 §4) ---------------------------------------------------


def clients_of_org(org_id: str) -> list[OAuthClient]:
    """Newest first."""
    items = dynamo.query_all(
        index="gsi1",
        key_condition="gsi1pk = :p",
        values_={":p": keys.oauth_clients_of_org(org_id)},
        forward=False,
    )
    return [CLIENT.decode(i) for i in items if i.get("type") == CLIENT.type]


def replace_client(before: OAuthClient, after: OAuthClient) -> bool:
    """Write `after` if the stored client still has `before`'s secret hash and redirect URIs (the
    fields these edits change); False when it changed or was deleted meanwhile."""
    values = {":uris": list(before.redirect_uris), ":null": "NULL"}
    condition = "attribute_exists(pk) AND redirect_uris = :uris AND "
    if before.secret_hash is None:
        condition += "attribute_type(secret_hash, :null)"
    else:
        condition += "secret_hash = :secret"
        values[":secret"] = before.secret_hash
    try:
        dynamo.client().put_item(
            TableName=dynamo.table_name(),
            Item=dynamo.to_item(CLIENT.encode(after)),
            ConditionExpression=condition,
            ExpressionAttributeValues=dynamo.values(values),
        )
    except ClientError as exc:
        if dynamo.is_conditional_failure(exc):
            return False
        raise
    return True


def grants_of_client(client_id: str) -> list[Grant]:
    items = dynamo.query_all(
        index="gsi2", key_condition="gsi2pk = :p", values_={":p": keys.oauth_grants_of_client(client_id)}
    )
    return [GRANT.decode(i) for i in items if i.get("type") == GRANT.type]


def delete_client(client_id: str) -> None:
    dynamo.client().delete_item(TableName=dynamo.table_name(), Key=dynamo.key(*keys.oauth_client(client_id)))


# --- sign-in sessions -------------------------------------------------------------------------


def create_session(session: Session) -> None:
    dynamo.create(SESSION.encode(session))


def get_session(session_hash: str) -> Session | None:
    item = dynamo.get(*keys.oauth_session(session_hash))
    # Items written before the schema did not repeat their own hash.
    return SESSION.decode({**item, "session_hash": session_hash}) if item else None


def delete_session(session_hash: str) -> None:
    dynamo.client().delete_item(
        TableName=dynamo.table_name(), Key=dynamo.key(*keys.oauth_session(session_hash))
    )
