"""Formats, generators and lifetimes of OAuth artifacts (10-auth §6.3).

Every random part comes from `secrets` (a CSPRNG). Only HMAC-SHA256(pepper, value) is ever
stored; the hex digest doubles as the lookup key.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from fortytwo.domain.hashing import pepper_hmac, same
from fortytwo.domain.ids import ulid

ACCESS_TOKEN_PREFIX = "42min_at_"
REFRESH_TOKEN_PREFIX = "42min_rt_"
CODE_PREFIX = "42min_ac_"
CLIENT_SECRET_PREFIX = "42min_cs_"
CLIENT_ID_PREFIX = "42min_"

_B64URL43 = "[A-Za-z0-9_-]{43}"
ACCESS_TOKEN_RE = re.compile(rf"^42min_at_{_B64URL43}\Z")
REFRESH_TOKEN_RE = re.compile(rf"^42min_rt_{_B64URL43}\Z")
CODE_RE = re.compile(rf"^42min_ac_{_B64URL43}\Z")
CLIENT_SECRET_RE = re.compile(rf"^42min_cs_{_B64URL43}\Z")
CLIENT_ID_RE = re.compile(r"^42min_[0-7][0-9A-HJKMNP-TV-Z]{25}\Z")
COOKIE_VALUE_RE = re.compile(rf"^{_B64URL43}\Z")

CODE_TTL = timedelta(seconds=60)
ACCESS_TOKEN_TTL = timedelta(seconds=3600)
REFRESH_TOKEN_TTL = timedelta(days=30)
SESSION_TTL = timedelta(hours=12)
CSRF_COOKIE_MAX_AGE = 43200
SESSION_COOKIE_MAX_AGE = 43200

# Retention after expiry (§6.3): afterwards the records read as unknown.
CODE_RETENTION = timedelta(hours=24)
TOKEN_RETENTION = timedelta(days=30)

ACCESS_TOKEN_EXPIRES_IN = int(ACCESS_TOKEN_TTL.total_seconds())


def _random43() -> str:
    # 32 random bytes → 43 base64url characters without padding.
    return secrets.token_urlsafe(32)


def new_access_token() -> str:
    return ACCESS_TOKEN_PREFIX + _random43()


def new_refresh_token() -> str:
    return REFRESH_TOKEN_PREFIX + _random43()


def new_code() -> str:
    return CODE_PREFIX + _random43()


def new_client_secret() -> str:
    return CLIENT_SECRET_PREFIX + _random43()


def new_client_id(now_ms: int | None = None) -> str:
    return CLIENT_ID_PREFIX + ulid(now_ms)


def new_cookie_value() -> str:
    """Session and CSRF cookie values: 43 base64url characters."""
    return _random43()


def hash_secret(pepper: bytes, value: str) -> str:
    """Lower-case hex HMAC-SHA256(pepper, value): the stored form and lookup key of every artifact."""
    return pepper_hmac(pepper, value)


def constant_time_equals(a: str, b: str) -> bool:
    return same(a, b)


def token_kind(token: str) -> str | None:
    """`access_token`, `refresh_token` or None by well-formedness (prefix and length)."""
    if ACCESS_TOKEN_RE.match(token):
        return "access_token"
    if REFRESH_TOKEN_RE.match(token):
        return "refresh_token"
    return None
