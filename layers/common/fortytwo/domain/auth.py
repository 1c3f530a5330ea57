"""What a successful authentication yields to every handler (10-auth §4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
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

    def __init__(self, code: Literal["invalid_token", "token_expired", "token_revoked"]) -> None:
        super().__init__(code)
        self.code = code
