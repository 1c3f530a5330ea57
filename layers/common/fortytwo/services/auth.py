"""Bearer authentication (10-auth §2.2): load the typed token, let the domain decide, return the outcome.

The store returns typed records (a `Pat`; an `AccessToken` and its `Grant`); `domain/auth.py` holds
the one rule for each family; `http/guard.py` maps a refusal to its 401.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fortytwo.domain.auth import AuthCode, AuthContext, access_token_context, pat_context
from fortytwo.domain.oauth.artifacts import ACCESS_TOKEN_PREFIX
from fortytwo.domain.oauth.grants import access_lookup_key
from fortytwo.domain.pats import PAT_PREFIX, Pat, parse_token
from fortytwo.services import pats as pat_service
from fortytwo.store import oauth as oauth_store
from fortytwo.store import pats as pat_store
from fortytwo.store.pepper import get_pepper


@dataclass(frozen=True, slots=True)
class Authenticated:
    context: AuthContext
    pat: Pat | None = None  # for the `last_used_at` touch after counting


@dataclass(frozen=True, slots=True)
class Refused:
    code: AuthCode


def authenticate(credential: str, now: datetime, resource: str) -> Authenticated | Refused:
    """Dispatch on the prefix (§2.1 step 5), then the family's checks in order. `resource` is the
    surface the token is used on; an OAuth token's audience must allow it (50-mcp §4.5)."""
    if credential.startswith(PAT_PREFIX):
        return _pat(credential, now)
    if credential.startswith(ACCESS_TOKEN_PREFIX):
        return _access_token(credential, now, resource)
    return Refused("invalid_token")


def _pat(credential: str, now: datetime) -> Authenticated | Refused:
    parsed = parse_token(credential)
    if parsed is None:
        return Refused("invalid_token")
    pat = pat_store.get_by_lookup(parsed.lookup)
    outcome = pat_context(pat, parsed.secret, get_pepper(), now)
    return Refused(outcome) if isinstance(outcome, str) else Authenticated(outcome, pat)


def _access_token(credential: str, now: datetime, resource: str) -> Authenticated | Refused:
    key = access_lookup_key(get_pepper(), credential)
    token = oauth_store.get_access_token(key) if key else None
    grant = oauth_store.get_grant(token.grant_id) if token is not None else None
    outcome = access_token_context(token, grant, now, resource)
    return Refused(outcome) if isinstance(outcome, str) else Authenticated(outcome)


def after_authentication(done: Authenticated, now: datetime) -> None:
    """§3.7: a PAT that passed §2.2 records its use (before the scope check)."""
    if done.pat is not None:
        pat_service.touch_last_used(done.pat, now)
