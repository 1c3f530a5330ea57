"""Bearer authentication (10-auth §2): header parsing, PAT and OAuth access-token verification."""

from __future__ import annotations

import re
from datetime import datetime

from fortytwo.domain import pats
from fortytwo.domain.auth import AuthContext, AuthFailure
from fortytwo.domain.hashing import pepper_hmac, same
from fortytwo.domain.timefmt import parse_ts
from fortytwo.store import access_tokens
from fortytwo.store import pats as pat_store
from fortytwo.store.pepper import get_pepper

_ACCESS_TOKEN_RE = re.compile(r"^42min_at_[A-Za-z0-9_-]{43}$")


def parse_bearer(header: str | None) -> str:
    """The credential of `Authorization: Bearer <token>` (§2.1 steps 1–4)."""
    if header is None:
        raise AuthFailure("invalid_token")
    trimmed = header.strip(" \t")
    parts = re.split(r"[ ]+", trimmed, maxsplit=1)
    if len(parts) != 2 or not parts[1]:
        raise AuthFailure("invalid_token")
    scheme, credential = parts
    if scheme.lower() != "bearer" or any(c in credential for c in " \t,"):
        raise AuthFailure("invalid_token")
    return credential


def _expired(expires_at: str | None, now: datetime) -> bool:
    return expires_at is not None and parse_ts(expires_at) <= now


def verify_pat(token: str, now: datetime) -> tuple[AuthContext, dict]:
    parsed = pats.parse_token(token)
    if parsed is None:
        raise AuthFailure("invalid_token")
    record = pat_store.get_by_lookup(parsed.lookup)
    if record is None or not same(pepper_hmac(get_pepper(), parsed.secret), record["secret_hash"]):
        raise AuthFailure("invalid_token")
    if record.get("revoked_at"):
        raise AuthFailure("token_revoked")
    if _expired(record.get("expires_at"), now):
        raise AuthFailure("token_expired")
    context = AuthContext(
        auth_type="pat",
        user_id=record["created_by"],
        account_id=record["organization_id"],
        scopes=tuple(record.get("scopes") or ()),
        credential_id=record["id"],
        sandbox_owner=f"pat:{record['id']}:{record['generation']}",
    )
    return context, record


def verify_access_token(token: str, now: datetime) -> AuthContext:
    if not _ACCESS_TOKEN_RE.fullmatch(token):
        raise AuthFailure("invalid_token")
    record = access_tokens.get_access_token(pepper_hmac(get_pepper(), token))
    if record is None:
        raise AuthFailure("invalid_token")
    if record.get("revoked_at"):
        raise AuthFailure("token_revoked")
    grant = access_tokens.get_grant(record["grant_id"])
    if grant is None or grant.get("revoked_at"):
        raise AuthFailure("token_revoked")
    if _expired(record.get("expires_at"), now) or record.get("expires_at") is None:
        raise AuthFailure("token_expired")
    return AuthContext(
        auth_type="oauth",
        user_id=record["user_id"],
        account_id=record["account_id"],
        scopes=tuple(record.get("scopes") or ()),
        credential_id=record["grant_id"],
        sandbox_owner=f"client:{record['client_id']}",
        client_id=record["client_id"],
    )


def authenticate(header: str | None, now: datetime) -> tuple[AuthContext, dict | None]:
    """(context, PAT record or None); raises AuthFailure with the 401 code."""
    token = parse_bearer(header)
    if token.startswith(pats.PAT_PREFIX):
        return verify_pat(token, now)
    if token.startswith("42min_at_"):
        return verify_access_token(token, now), None
    raise AuthFailure("invalid_token")
