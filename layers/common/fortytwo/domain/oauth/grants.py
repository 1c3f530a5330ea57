"""Codes, grants and token families as pure state transitions (10-auth §6.4, §6.7, §6.8, §6.10, §6.11).

The store performs the conditional writes these functions describe (single use of a code,
single use of a refresh token); the functions decide outcomes and build the new records.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal, TypeVar

from fortytwo.domain.ids import uuid7
from fortytwo.domain.oauth.artifacts import (
    ACCESS_TOKEN_RE,
    ACCESS_TOKEN_TTL,
    CODE_RE,
    CODE_TTL,
    REFRESH_TOKEN_RE,
    REFRESH_TOKEN_TTL,
    hash_secret,
    new_access_token,
    new_code,
    new_refresh_token,
)
from fortytwo.domain.oauth.models import (
    AccessToken,
    AuthorizationCode,
    Grant,
    Issued,
    OAuthClient,
    OAuthError,
    RefreshToken,
)
from fortytwo.domain.oauth.pkce import verify_pkce
from fortytwo.domain.scopes import OFFLINE_ACCESS, ScopeError, parse_refresh_scope

INVALID_CODE = OAuthError("invalid_grant", "The authorization code is invalid, expired or already used.")
REDIRECT_MISMATCH = OAuthError("invalid_grant", "The redirect_uri does not match the authorization request.")
PKCE_MISMATCH = OAuthError("invalid_grant", "The code_verifier does not match the code_challenge.")
INVALID_REFRESH = OAuthError(
    "invalid_grant", "The refresh token is invalid, expired, revoked or already used."
)


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def epoch_seconds(value: datetime) -> int:
    return int(value.timestamp())


# --- Authorization codes (§6.7) ---------------------------------------------------------------


def issue_code(
    *,
    pepper: bytes,
    client_id: str,
    redirect_uri: str,
    code_challenge: str,
    user_id: str,
    account_id: str,
    scopes: tuple[str, ...],
    now: datetime,
    audience: str | None = None,
) -> tuple[str, AuthorizationCode]:
    """A new single-use code valid for 60 s; returns (plaintext code, record)."""
    code = new_code()
    record = AuthorizationCode(
        code_hash=hash_secret(pepper, code),
        client_id=client_id,
        redirect_uri=redirect_uri,
        code_challenge=code_challenge,
        user_id=user_id,
        account_id=account_id,
        scopes=tuple(sorted(set(scopes))),
        created_at=now,
        expires_at=now + CODE_TTL,
        audience=audience,
    )
    return code, record


def code_lookup_key(pepper: bytes, code: str) -> str | None:
    """The record key of a well-formed code; None means "unknown" without a read."""
    return hash_secret(pepper, code) if CODE_RE.match(code) else None


def check_code_owner(code: AuthorizationCode | None, client_id: str) -> OAuthError | None:
    """Steps 2–3: the code exists and was issued to this client (a mismatch leaves it untouched)."""
    if code is None or code.client_id != client_id:
        return INVALID_CODE
    return None


@dataclass(frozen=True, slots=True)
class CodeReuse:
    """Step 4 found `used_at` set: revoke the grant the code created (if any) and answer invalid_grant."""

    revoke_grant_id: str | None
    error: OAuthError = INVALID_CODE


def use_code(code: AuthorizationCode, now: datetime) -> AuthorizationCode | CodeReuse:
    """Step 4: mark the code used. The store applies it on condition `used_at` is null; a failed
    condition is reuse, decided again from the fresh record with this same function."""
    if code.used_at is not None:
        return CodeReuse(code.grant_id)
    return replace(code, used_at=now)


def check_code_redemption(
    code: AuthorizationCode, *, now: datetime, redirect_uri: str, code_verifier: str
) -> OAuthError | None:
    """Steps 5–7 on a code just marked used; a failure leaves it spent."""
    if not now < code.expires_at:
        return INVALID_CODE
    if redirect_uri != code.redirect_uri:
        return REDIRECT_MISMATCH
    if not verify_pkce(code_verifier, code.code_challenge):
        return PKCE_MISMATCH
    return None


def redeem_code(
    code: AuthorizationCode,
    client: OAuthClient,
    *,
    pepper: bytes,
    now: datetime,
    grant_id: str | None = None,
    audience: str | None = None,
) -> tuple[Issued, AuthorizationCode]:
    """Step 8: the grant, its first access token and (when `offline_access` was granted and the
    client may refresh) its first refresh token; plus the code with `grant_id` set. All written
    in one transaction by the store."""
    grant = Grant(
        grant_id=grant_id or uuid7(_ms(now)),
        client_id=code.client_id,
        user_id=code.user_id,
        account_id=code.account_id,
        scopes=code.scopes,
        created_at=now,
        audience=audience,
    )
    access, access_record = _new_access(grant, grant.scopes, pepper, now)
    refresh: str | None = None
    refresh_record: RefreshToken | None = None
    if OFFLINE_ACCESS in grant.scopes and "refresh_token" in client.grant_types:
        refresh, refresh_record = _new_refresh(grant, pepper, now)
    issued = Issued(grant, access, access_record, refresh, refresh_record)
    return issued, replace(code, grant_id=grant.grant_id)


def _new_access(
    grant: Grant, scopes: tuple[str, ...], pepper: bytes, now: datetime
) -> tuple[str, AccessToken]:
    return _issue(AccessToken, new_access_token(), grant, scopes, pepper, now, ACCESS_TOKEN_TTL)


def _new_refresh(grant: Grant, pepper: bytes, now: datetime) -> tuple[str, RefreshToken]:
    return _issue(RefreshToken, new_refresh_token(), grant, grant.scopes, pepper, now, REFRESH_TOKEN_TTL)


TokenT = TypeVar("TokenT", AccessToken, RefreshToken)


def _issue(
    kind: type[TokenT],
    token: str,
    grant: Grant,
    scopes: tuple[str, ...],
    pepper: bytes,
    now: datetime,
    lifetime: timedelta,
) -> tuple[str, TokenT]:
    """A new token of `grant` and its record, which holds the token's hash only."""
    return token, kind(
        token_hash=hash_secret(pepper, token),
        grant_id=grant.grant_id,
        client_id=grant.client_id,
        user_id=grant.user_id,
        account_id=grant.account_id,
        scopes=scopes,
        created_at=now,
        expires_at=now + lifetime,
    )


# --- Refresh (§6.8.4) -------------------------------------------------------------------------


def refresh_lookup_key(pepper: bytes, token: str) -> str | None:
    return hash_secret(pepper, token) if REFRESH_TOKEN_RE.match(token) else None


def access_lookup_key(pepper: bytes, token: str) -> str | None:
    return hash_secret(pepper, token) if ACCESS_TOKEN_RE.match(token) else None


@dataclass(frozen=True, slots=True)
class RefreshReuse:
    """A spent refresh token came back: revoke the whole grant and answer invalid_grant."""

    revoke_grant_id: str
    error: OAuthError = INVALID_REFRESH


@dataclass(frozen=True, slots=True)
class RefreshAllowed:
    access_scopes: tuple[str, ...]


def check_refresh(
    token: RefreshToken | None,
    grant: Grant | None,
    *,
    client_id: str,
    now: datetime,
    scope: str | None,
) -> RefreshAllowed | RefreshReuse | OAuthError:
    """Steps 2–7 in order. `grant` is the token's grant (None when it no longer exists)."""
    if token is None or token.client_id != client_id:
        return INVALID_REFRESH
    if token.used_at is not None:
        return RefreshReuse(token.grant_id)
    if token.revoked_at is not None or grant is None or grant.revoked_at is not None:
        return INVALID_REFRESH
    if not now < token.expires_at:
        return INVALID_REFRESH
    try:
        scopes = parse_refresh_scope(scope, grant.scopes)
    except ScopeError as exc:
        if exc.reason == "not_granted":
            return OAuthError("invalid_scope", f"The scope {exc.scope} was not granted.")
        return OAuthError("invalid_scope", str(exc))
    return RefreshAllowed(scopes)


def rotate_refresh(
    token: RefreshToken, grant: Grant, *, access_scopes: tuple[str, ...], pepper: bytes, now: datetime
) -> Issued:
    """Step 8: spend `token` (conditional on `used_at` still null) and issue a new access token with
    `access_scopes` and a new refresh token with the grant's full scope, 30 days from now."""
    access, access_record = _new_access(grant, access_scopes, pepper, now)
    refresh, refresh_record = _new_refresh(grant, pepper, now)
    spent = replace(token, used_at=now)
    return Issued(grant, access, access_record, refresh, refresh_record, spent_refresh=spent)


# --- Status, revocation, introspection --------------------------------------------------------

AccessStatus = Literal["active", "token_revoked", "token_expired"]


def access_token_status(token: AccessToken, grant: Grant | None, now: datetime) -> AccessStatus:
    """Bearer checks 3–4 of §2.2: revoked (token or grant) before expired.

    A missing grant counts as revoked.
    """
    if token.revoked_at is not None or grant is None or grant.revoked_at is not None:
        return "token_revoked"
    if not now < token.expires_at:
        return "token_expired"
    return "active"


def refresh_token_active(token: RefreshToken, grant: Grant | None, now: datetime) -> bool:
    return (
        token.used_at is None
        and token.revoked_at is None
        and grant is not None
        and grant.revoked_at is None
        and now < token.expires_at
    )


def revoke_grant(grant: Grant, now: datetime) -> Grant:
    """Idempotent: an already revoked grant keeps its first `revoked_at`."""
    return grant if grant.revoked_at is not None else replace(grant, revoked_at=now)


def revoke_access_token(token: AccessToken, now: datetime) -> AccessToken:
    return token if token.revoked_at is not None else replace(token, revoked_at=now)


@dataclass(frozen=True, slots=True)
class RevokeAccessToken:
    token_hash: str


@dataclass(frozen=True, slots=True)
class RevokeGrant:
    grant_id: str


def revocation_effect(
    record: AccessToken | RefreshToken | None, grant: Grant | None, *, client_id: str, now: datetime
) -> RevokeAccessToken | RevokeGrant | None:
    """§6.10: a live access token of the caller → that token; a live refresh token of the caller →
    its whole grant; anything else (unknown, expired, revoked, spent, another client's) → nothing.
    The endpoint answers 200 either way."""
    if record is None or record.client_id != client_id:
        return None
    if isinstance(record, AccessToken):
        if access_token_status(record, grant, now) != "active":
            return None
        return RevokeAccessToken(record.token_hash)
    if not refresh_token_active(record, grant, now):
        return None
    return RevokeGrant(record.grant_id)


INACTIVE: dict[str, object] = {"active": False}


def introspection_response(
    record: AccessToken | RefreshToken | None,
    grant: Grant | None,
    *,
    client_id: str,
    username: str | None,
    issuer: str,
    now: datetime,
) -> dict[str, object]:
    """§6.11: the active document for a live token of the calling client, else exactly {"active": false}."""
    if record is None or record.client_id != client_id:
        return dict(INACTIVE)
    if isinstance(record, AccessToken):
        if access_token_status(record, grant, now) != "active":
            return dict(INACTIVE)
        scopes, token_type = record.scopes, "Bearer"
    else:
        if not refresh_token_active(record, grant, now) or grant is None:
            return dict(INACTIVE)
        scopes, token_type = grant.scopes, "refresh_token"
    body: dict[str, object] = {
        "active": True,
        "scope": " ".join(sorted(scopes)),
        "client_id": record.client_id,
    }
    if username:
        body["username"] = username
    body.update(
        {
            "sub": record.user_id,
            "token_type": token_type,
            "exp": epoch_seconds(record.expires_at),
            "iat": epoch_seconds(record.created_at),
            "iss": issuer,
        }
    )
    if grant is not None and grant.audience is not None:
        body["aud"] = grant.audience  # extension (50-mcp §4.5)
    return body
