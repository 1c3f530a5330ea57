"""What a successful authentication yields to every handler (10-auth §4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from fortytwo.domain.hashing import pepper_hmac, same
from fortytwo.domain.oauth.grants import access_token_status
from fortytwo.domain.oauth.models import AccessToken, Grant
from fortytwo.domain.pats import Pat


@dataclass(frozen=True, slots=True)
class AuthContext:
    auth_type: Literal["pat", "oauth"]
    user_id: str
    account_id: str
    scopes: tuple[str, ...]
    credential_id: str
    sandbox_owner: str
    client_id: str | None = None

    @property
    def bucket(self) -> str:
        return self.auth_type

    @property
    def bucket_key(self) -> str:
        return self.credential_id if self.auth_type == "pat" else f"{self.client_id}:{self.account_id}"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class AuthFailure(Exception):
    """Authentication failed; `code` is invalid_token, token_expired or token_revoked."""

    def __init__(self, code: AuthCode) -> None:
        super().__init__(code)
        self.code = code


AuthCode = Literal["invalid_token", "token_expired", "token_revoked"]


def pat_context(pat: Pat | None, secret: str, pepper: bytes, now: datetime) -> AuthContext | AuthCode:
    """The PAT rule of §2.2 (checks 2–5): exists, secret matches (constant time), not revoked,
    not expired — in that order."""
    if pat is None or not same(pepper_hmac(pepper, secret), pat.secret_hash):
        return "invalid_token"
    state = pat.status(now)
    if state == "revoked":
        return "token_revoked"
    if state == "expired":
        return "token_expired"
    return AuthContext(
        auth_type="pat",
        user_id=pat.created_by,
        account_id=pat.organization_id,
        scopes=pat.scopes,
        credential_id=pat.id,
        sandbox_owner=f"pat:{pat.id}:{pat.generation}",
    )


def access_token_context(
    token: AccessToken | None, grant: Grant | None, now: datetime, resource: str
) -> AuthContext | AuthCode:
    """The access-token rule of §2.2 (checks 2–4, the same one revocation and introspection use,
    `grants.access_token_status`), then check 5: the grant's audience is none or `resource`, the
    surface the token is used on (50-mcp §4.5)."""
    if token is None:
        return "invalid_token"
    status = access_token_status(token, grant, now)
    if status != "active":
        return status
    audience = grant.audience if grant is not None else None
    if audience is not None and audience != resource:
        return "invalid_token"
    return AuthContext(
        auth_type="oauth",
        user_id=token.user_id,
        account_id=token.account_id,
        scopes=token.scopes,
        credential_id=token.grant_id,
        sandbox_owner=f"client:{token.client_id}",
        client_id=token.client_id,
    )
