"""Records of the OAuth authorization server (10-auth §6.2–§6.6) and the OAuth error value.

Plain frozen dataclasses: the store maps them to items, the domain functions transform them.
Timestamps are timezone-aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from fortytwo.domain.timefmt import format_ts

ClientType = Literal["confidential", "public"]
AuthMethod = Literal["client_secret_basic", "client_secret_post", "none"]
GRANT_TYPES: tuple[str, ...] = ("authorization_code", "refresh_token")
AUTH_METHODS: tuple[str, ...] = ("client_secret_basic", "client_secret_post", "none")


@dataclass(frozen=True, slots=True)
class OAuthError:
    """A raw RFC 6749 error (`{"error", "error_description"}`) with its HTTP status."""

    error: str
    description: str
    status: int = 400

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


class OAuthProblem(Exception):
    """An OAuth endpoint error answered with its raw body and status (rendered in http/oauth_raw)."""

    def __init__(self, error: OAuthError, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(error.error)
        self.error = error
        self.headers = dict(headers or {})


def invalid_request(description: str, status: int = 400) -> OAuthProblem:
    return OAuthProblem(OAuthError("invalid_request", description, status))


@dataclass(frozen=True, slots=True)
class OAuthClient:
    client_id: str
    client_name: str
    client_type: ClientType
    token_endpoint_auth_method: AuthMethod
    redirect_uris: tuple[str, ...]
    grant_types: tuple[str, ...]
    response_types: tuple[str, ...]
    secret_hash: str | None
    organization_id: str | None
    registered_via: Literal["admin", "page", "dcr"]
    created_at: datetime

    @property
    def is_confidential(self) -> bool:
        return self.client_type == "confidential"

    def public_view(self, client_secret: str | None = None) -> dict[str, object]:
        """The admin command's `--json` shape (§6.2); `client_secret` only when just created."""
        out: dict[str, object] = {"client_id": self.client_id}
        if client_secret is not None:
            out["client_secret"] = client_secret
        out.update(
            {
                "client_name": self.client_name,
                "client_type": self.client_type,
                "token_endpoint_auth_method": self.token_endpoint_auth_method,
                "redirect_uris": list(self.redirect_uris),
                "grant_types": list(self.grant_types),
                "response_types": list(self.response_types),
                "organization_id": self.organization_id,
                "registered_via": self.registered_via,
                "created_at": format_ts(self.created_at),
            }
        )
        return out


@dataclass(frozen=True, slots=True)
class AuthorizationCode:
    code_hash: str
    client_id: str
    redirect_uri: str
    code_challenge: str
    user_id: str
    account_id: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    grant_id: str | None = None
    audience: str | None = None  # the normalised `resource` of the authorization request (50-mcp §4.5)


@dataclass(frozen=True, slots=True)
class Grant:
    grant_id: str
    client_id: str
    user_id: str
    account_id: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None = None
    audience: str | None = None  # shared by every token of the family; None = both surfaces


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """What every token of a grant holds; stored under its hash (HMAC of the token), never the token."""

    token_hash: str
    grant_id: str
    client_id: str
    user_id: str
    account_id: str
    scopes: tuple[str, ...]  # a refresh token's: always the grant's full scope
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class AccessToken(IssuedToken):
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RefreshToken(IssuedToken):
    used_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Session:
    """A browser sign-in on the authorization pages, keyed by HMAC(pepper, cookie value)."""

    session_hash: str
    user_id: str
    created_at: datetime
    expires_at: datetime
    organization_id: str = ""  # the user's organization at sign-in


@dataclass(frozen=True, slots=True)
class Issued:
    """What one successful token request creates; plaintext tokens exist only here, once."""

    grant: Grant
    access_token: str
    access_record: AccessToken
    refresh_token: str | None = None
    refresh_record: RefreshToken | None = None
    spent_refresh: RefreshToken | None = None  # the refresh token this rotation consumed

    def response(self) -> dict[str, object]:
        """The §6.8.5 body; `refresh_token` absent (not null) when none was issued."""
        body: dict[str, object] = {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": int(
                (self.access_record.expires_at - self.access_record.created_at).total_seconds()
            ),
        }
        if self.refresh_token is not None:
            body["refresh_token"] = self.refresh_token
        body["scope"] = " ".join(self.access_record.scopes)
        return body
