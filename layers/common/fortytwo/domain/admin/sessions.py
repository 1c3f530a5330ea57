"""Admin Center sessions (55-admin-center §2): opaque ids, idle and absolute expiry, the per-session
CSRF token and the one-time notice ("flash") that carries a secret to the page after its creation.

Only HMAC-SHA256(pepper, cookie value) is stored. The CSRF token and the flash key are derived from
the cookie value too, so neither can be computed from what the table holds: a flash (sealed with
an HMAC-SHA256 keystream and tag, a fresh nonce each time) is readable only by the browser's
next request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from fortytwo.domain.hashing import pepper_hmac, same

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
TOUCH_EVERY = timedelta(seconds=60)  # at most one last-seen write per session per minute
ADMIN_ROLES = frozenset({"owner", "admin"})


@dataclass(frozen=True, slots=True)
class AdminSession:
    session_hash: str
    user_id: str
    organization_id: str
    created_at: datetime
    last_seen_at: datetime
    flash: str | None = None  # sealed notice for the next page, or None
    version: int = 1

    @property
    def expires_at(self) -> datetime:
        """Absolute end; the idle end is `last_seen_at` + 30 min."""
        return self.created_at + ABSOLUTE_TIMEOUT


def new_session_value() -> str:
    """≥ 128 bits: 32 random bytes, 43 base64url characters."""
    return secrets.token_urlsafe(32)


def session_hash(pepper: bytes, value: str) -> str:
    return pepper_hmac(pepper, "admin-session:" + value)


def start(pepper: bytes, value: str, user_id: str, organization_id: str, now: datetime) -> AdminSession:
    return AdminSession(session_hash(pepper, value), user_id, organization_id, now, now)


def alive(session: AdminSession, now: datetime) -> bool:
    return now < session.expires_at and now < session.last_seen_at + IDLE_TIMEOUT


def touched(session: AdminSession, now: datetime) -> AdminSession | None:
    """The session with `last_seen_at` = now, or None when the last write is recent enough."""
    if now - session.last_seen_at < TOUCH_EVERY:
        return None
    return replace(session, last_seen_at=now, version=session.version + 1)


def csrf_token(pepper: bytes, value: str) -> str:
    return pepper_hmac(pepper, "admin-csrf:" + value)


def csrf_ok(pepper: bytes, value: str, presented: str | None) -> bool:
    return presented is not None and same(csrf_token(pepper, value), presented)


def may_sign_in(role: str | None) -> bool:
    return role in ADMIN_ROLES


# --- the one-time notice ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Notice:
    """What the next page says once: a message, and a secret shown once (token, client secret,
    signing secret) with its label."""

    message: str
    secret: str | None = None
    secret_label: str | None = None


def _key(pepper: bytes, value: str) -> bytes:
    return hmac.new(pepper, ("admin-flash:" + value).encode(), hashlib.sha256).digest()


def _stream(key: bytes, nonce: bytes, length: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < length:
        out += hmac.new(key, nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest()
        counter += 1
    return out[:length]


def seal(pepper: bytes, value: str, notice: Notice) -> str:
    plain = json.dumps([notice.message, notice.secret, notice.secret_label]).encode()
    key, nonce = _key(pepper, value), secrets.token_bytes(16)
    cipher = bytes(a ^ b for a, b in zip(plain, _stream(key, nonce, len(plain)), strict=True))
    tag = hmac.new(key, nonce + cipher, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(nonce + tag + cipher).decode()


def unseal(pepper: bytes, value: str, sealed: str) -> Notice | None:
    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
    except ValueError:
        return None
    nonce, tag, cipher = raw[:16], raw[16:48], raw[48:]
    key = _key(pepper, value)
    if not hmac.compare_digest(tag, hmac.new(key, nonce + cipher, hashlib.sha256).digest()):
        return None
    plain = bytes(a ^ b for a, b in zip(cipher, _stream(key, nonce, len(cipher)), strict=True))
    message, secret, label = json.loads(plain)
    return Notice(str(message), secret, label)
