"""OAuth records in the single table (10-auth §6.2–§6.6; docs/single-table.md).

Clients, codes, grants, access and refresh tokens, sign-in sessions. Artifacts are keyed by
HMAC-SHA256(pepper, value) and never stored in clear. Single use of codes and refresh tokens is
enforced with conditional writes; everything that expires carries a TTL and is also checked on
read by the domain functions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from fortytwo.domain.oauth.artifacts import CODE_RETENTION, SESSION_TTL, TOKEN_RETENTION
from fortytwo.domain.oauth.models import (
    AccessToken,
    AuthorizationCode,
    Grant,
    Issued,
    OAuthClient,
    RefreshToken,
    Session,
)
from fortytwo.domain.timefmt import format_ts, parse_ts
from fortytwo.store import dynamo
from fortytwo.store.access_tokens import access_token_key, grant_key

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


def client_key(client_id: str) -> tuple[str, str]:
    return f"OAUTHCLIENT#{client_id}", "CLIENT"


def code_key(code_hash: str) -> tuple[str, str]:
    return f"OAUTHCODE#{code_hash}", "CODE"


def refresh_token_key(token_hash: str) -> tuple[str, str]:
    return f"OAUTHRT#{token_hash}", "RT"


def session_key(session_hash: str) -> tuple[str, str]:
    return f"OAUTHSESSION#{session_hash}", "SESSION"


def user_grants_index(user_id: str) -> str:
    """gsi1 partition listing the grants a user approved."""
    return f"USER#{user_id}#GRANTS"


def _ts(value: datetime | None) -> str | None:
    return format_ts(value) if value is not None else None


def _dt(value: Any) -> datetime | None:
    return parse_ts(value) if value else None


def _epoch(value: datetime) -> int:
    return int(value.timestamp())


# --- item mapping -----------------------------------------------------------------------------


def client_item(client: OAuthClient) -> dynamo.Item:
    pk, sk = client_key(client.client_id)
    return {
        "pk": pk,
        "sk": sk,
        "type": "oauth_client",
        "client_id": client.client_id,
        "client_name": client.client_name,
        "client_type": client.client_type,
        "token_endpoint_auth_method": client.token_endpoint_auth_method,
        "redirect_uris": list(client.redirect_uris),
        "grant_types": list(client.grant_types),
        "response_types": list(client.response_types),
        "secret_hash": client.secret_hash,
        "organization_id": client.organization_id,
        "registered_via": client.registered_via,
        "created_at": format_ts(client.created_at),
    }


def client_from_item(item: dynamo.Item) -> OAuthClient:
    return OAuthClient(
        client_id=item["client_id"],
        client_name=item["client_name"],
        client_type=item["client_type"],
        token_endpoint_auth_method=item["token_endpoint_auth_method"],
        redirect_uris=tuple(item.get("redirect_uris") or ()),
        grant_types=tuple(item.get("grant_types") or ()),
        response_types=tuple(item.get("response_types") or ("code",)),
        secret_hash=item.get("secret_hash"),
        organization_id=item.get("organization_id"),
        registered_via=item.get("registered_via", "admin"),
        created_at=parse_ts(item["created_at"]),
    )


def code_item(code: AuthorizationCode) -> dynamo.Item:
    pk, sk = code_key(code.code_hash)
    return {
        "pk": pk,
        "sk": sk,
        "type": "oauth_code",
        "code_hash": code.code_hash,
        "client_id": code.client_id,
        "redirect_uri": code.redirect_uri,
        "code_challenge": code.code_challenge,
        "user_id": code.user_id,
        "account_id": code.account_id,
        "scopes": list(code.scopes),
        "created_at": format_ts(code.created_at),
        "expires_at": format_ts(code.expires_at),
        "used_at": _ts(code.used_at),
        "grant_id": code.grant_id,
        "ttl": _epoch(code.expires_at + CODE_RETENTION),
    }


def code_from_item(item: dynamo.Item) -> AuthorizationCode:
    return AuthorizationCode(
        code_hash=item["code_hash"],
        client_id=item["client_id"],
        redirect_uri=item["redirect_uri"],
        code_challenge=item["code_challenge"],
        user_id=item["user_id"],
        account_id=item["account_id"],
        scopes=tuple(item.get("scopes") or ()),
        created_at=parse_ts(item["created_at"]),
        expires_at=parse_ts(item["expires_at"]),
        used_at=_dt(item.get("used_at")),
        grant_id=item.get("grant_id"),
    )


def grant_item(grant: Grant, ttl: int) -> dynamo.Item:
    pk, sk = grant_key(grant.grant_id)
    created = format_ts(grant.created_at)
    return {
        "pk": pk,
        "sk": sk,
        "type": "oauth_grant",
        "grant_id": grant.grant_id,
        "client_id": grant.client_id,
        "user_id": grant.user_id,
        "account_id": grant.account_id,
        "scopes": list(grant.scopes),
        "created_at": created,
        "revoked_at": _ts(grant.revoked_at),
        "gsi1pk": user_grants_index(grant.user_id),
        "gsi1sk": f"{created}#{grant.grant_id}",
        "ttl": ttl,
    }


def grant_from_item(item: dynamo.Item) -> Grant:
    return Grant(
        grant_id=item["grant_id"],
        client_id=item["client_id"],
        user_id=item["user_id"],
        account_id=item["account_id"],
        scopes=tuple(item.get("scopes") or ()),
        created_at=parse_ts(item["created_at"]),
        revoked_at=_dt(item.get("revoked_at")),
    )


def access_item(token: AccessToken) -> dynamo.Item:
    pk, sk = access_token_key(token.token_hash)
    return {
        "pk": pk,
        "sk": sk,
        "type": "oauth_access_token",
        "token_hash": token.token_hash,
        "grant_id": token.grant_id,
        "client_id": token.client_id,
        "user_id": token.user_id,
        "account_id": token.account_id,
        "scopes": list(token.scopes),
        "created_at": format_ts(token.created_at),
        "expires_at": format_ts(token.expires_at),
        "revoked_at": _ts(token.revoked_at),
        "ttl": _epoch(token.expires_at + TOKEN_RETENTION),
    }


def access_from_item(item: dynamo.Item) -> AccessToken:
    return AccessToken(
        token_hash=item["token_hash"],
        grant_id=item["grant_id"],
        client_id=item["client_id"],
        user_id=item["user_id"],
        account_id=item["account_id"],
        scopes=tuple(item.get("scopes") or ()),
        created_at=parse_ts(item["created_at"]),
        expires_at=parse_ts(item["expires_at"]),
        revoked_at=_dt(item.get("revoked_at")),
    )


def refresh_item(token: RefreshToken) -> dynamo.Item:
    pk, sk = refresh_token_key(token.token_hash)
    return {
        "pk": pk,
        "sk": sk,
        "type": "oauth_refresh_token",
        "token_hash": token.token_hash,
        "grant_id": token.grant_id,
        "client_id": token.client_id,
        "user_id": token.user_id,
        "account_id": token.account_id,
        "scopes": list(token.scopes),
        "created_at": format_ts(token.created_at),
        "expires_at": format_ts(token.expires_at),
        "used_at": _ts(token.used_at),
        "revoked_at": _ts(token.revoked_at),
        "ttl": _epoch(token.expires_at + TOKEN_RETENTION),
    }


def refresh_from_item(item: dynamo.Item) -> RefreshToken:
    return RefreshToken(
        token_hash=item["token_hash"],
        grant_id=item["grant_id"],
        client_id=item["client_id"],
        user_id=item["user_id"],
        account_id=item["account_id"],
        scopes=tuple(item.get("scopes") or ()),
        created_at=parse_ts(item["created_at"]),
        expires_at=parse_ts(item["expires_at"]),
        used_at=_dt(item.get("used_at")),
        revoked_at=_dt(item.get("revoked_at")),
    )


# --- reads ------------------------------------------------------------------------------------


def get_client(client_id: str) -> OAuthClient | None:
    item = dynamo.get(*client_key(client_id))
    return client_from_item(item) if item else None


def get_code(code_hash: str, *, consistent: bool = False) -> AuthorizationCode | None:
    item = dynamo.get(*code_key(code_hash), consistent=consistent)
    return code_from_item(item) if item else None


def get_grant(grant_id: str, *, consistent: bool = False) -> Grant | None:
    item = dynamo.get(*grant_key(grant_id), consistent=consistent)
    return grant_from_item(item) if item else None


def get_access_token(token_hash: str) -> AccessToken | None:
    item = dynamo.get(*access_token_key(token_hash))
    return access_from_item(item) if item else None


def get_refresh_token(token_hash: str, *, consistent: bool = False) -> RefreshToken | None:
    item = dynamo.get(*refresh_token_key(token_hash), consistent=consistent)
    return refresh_from_item(item) if item else None


# --- writes -----------------------------------------------------------------------------------


def _put_new(item: dynamo.Item) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": dynamo.table_name(),
            "Item": dynamo.to_item(item),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def create_client(client: OAuthClient) -> None:
    dynamo.client().put_item(
        TableName=dynamo.table_name(),
        Item=dynamo.to_item(client_item(client)),
        ConditionExpression="attribute_not_exists(pk)",
    )


def put_code(code: AuthorizationCode) -> None:
    dynamo.client().put_item(
        TableName=dynamo.table_name(),
        Item=dynamo.to_item(code_item(code)),
        ConditionExpression="attribute_not_exists(pk)",
    )


def mark_code_used(code: AuthorizationCode, now: datetime) -> bool:
    """§6.8.3 step 4: set `used_at` on condition it is null. False → the code was already used."""
    try:
        dynamo.client().update_item(
            TableName=dynamo.table_name(),
            Key=dynamo.key(*code_key(code.code_hash)),
            UpdateExpression="SET used_at = :now",
            ConditionExpression="attribute_exists(pk) AND attribute_type(used_at, :null)",
            ExpressionAttributeValues=dynamo.values({":now": format_ts(now), ":null": "NULL"}),
        )
        return True
    except ClientError as exc:
        if dynamo.is_conditional_failure(exc):
            return False
        raise


def mark_code_reused(code_hash: str, now: datetime) -> str | None:
    """Record a reuse and return the grant the code created, if any.

    `reused_at` makes a still-running exchange of the same code fail its transaction, so a grant
    is never created after its code was replayed.
    """
    try:
        response = dynamo.client().update_item(
            TableName=dynamo.table_name(),
            Key=dynamo.key(*code_key(code_hash)),
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
        _put_new(grant_item(issued.grant, _grant_ttl(issued))),
        _put_new(access_item(issued.access_record)),
    ]
    if issued.refresh_record is not None:
        writes.append(_put_new(refresh_item(issued.refresh_record)))
    writes.append(
        {
            "Update": {
                "TableName": dynamo.table_name(),
                "Key": dynamo.key(*code_key(code.code_hash)),
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
                "Key": dynamo.key(*refresh_token_key(spent.token_hash)),
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
                "Key": dynamo.key(*grant_key(issued.grant.grant_id)),
                "UpdateExpression": "SET #ttl = :ttl",
                "ConditionExpression": "attribute_exists(pk) AND attribute_type(revoked_at, :null)",
                "ExpressionAttributeNames": _TTL,
                "ExpressionAttributeValues": dynamo.values({":ttl": _grant_ttl(issued), ":null": "NULL"}),
            }
        },
        _put_new(access_item(issued.access_record)),
        _put_new(refresh_item(issued.refresh_record)),
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
    try:
        dynamo.client().update_item(
            TableName=dynamo.table_name(),
            Key=dynamo.key(*grant_key(grant_id)),
            UpdateExpression="SET revoked_at = :now",
            ConditionExpression="attribute_exists(pk) AND attribute_type(revoked_at, :null)",
            ExpressionAttributeValues=dynamo.values({":now": format_ts(now), ":null": "NULL"}),
        )
        return True
    except ClientError as exc:
        if dynamo.is_conditional_failure(exc):
            return False
        raise


def revoke_access_token(token_hash: str, now: datetime) -> None:
    try:
        dynamo.client().update_item(
            TableName=dynamo.table_name(),
            Key=dynamo.key(*access_token_key(token_hash)),
            UpdateExpression="SET revoked_at = :now",
            ConditionExpression="attribute_exists(pk) AND attribute_type(revoked_at, :null)",
            ExpressionAttributeValues=dynamo.values({":now": format_ts(now), ":null": "NULL"}),
        )
    except ClientError as exc:
        if not dynamo.is_conditional_failure(exc):
            raise


def grants_of_user(user_id: str) -> list[Grant]:
    items = dynamo.query_all(
        index="gsi1", key_condition="gsi1pk = :p", values_={":p": user_grants_index(user_id)}
    )
    return [grant_from_item(i) for i in items]


def revoke_user_grants(user_id: str, now: datetime) -> int:
    """Revoke every active grant a user approved (user removal); returns how many were revoked."""
    revoked = 0
    for grant in grants_of_user(user_id):
        if grant.revoked_at is None and revoke_grant(grant.grant_id, now):
            revoked += 1
    return revoked


# --- sign-in sessions -------------------------------------------------------------------------


def create_session(session_hash: str, user_id: str, organization_id: str, now: datetime) -> Session:
    session = Session(session_hash, user_id, now, now + SESSION_TTL)
    pk, sk = session_key(session_hash)
    dynamo.client().put_item(
        TableName=dynamo.table_name(),
        Item=dynamo.to_item(
            {
                "pk": pk,
                "sk": sk,
                "type": "oauth_session",
                "user_id": user_id,
                "organization_id": organization_id,
                "created_at": format_ts(now),
                "expires_at": format_ts(session.expires_at),
                "ttl": _epoch(session.expires_at),
            }
        ),
        ConditionExpression="attribute_not_exists(pk)",
    )
    return session


def get_session(session_hash: str) -> tuple[Session, str] | None:
    """(session, organization id of its user) or None."""
    item = dynamo.get(*session_key(session_hash))
    if item is None:
        return None
    session = Session(
        session_hash, item["user_id"], parse_ts(item["created_at"]), parse_ts(item["expires_at"])
    )
    return session, item["organization_id"]


def delete_session(session_hash: str) -> None:
    dynamo.client().delete_item(TableName=dynamo.table_name(), Key=dynamo.key(*session_key(session_hash)))
