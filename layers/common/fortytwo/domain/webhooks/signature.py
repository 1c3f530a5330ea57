"""Signing secrets (40-webhooks §3.2) and the `X-42min-Webhook-Signature` header (§7.2, §9)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets as _secrets
from collections.abc import Sequence

SECRET_PREFIX = "whsec_"
SECRET_RANDOM_BYTES = 32
SECRET_LENGTH = len(SECRET_PREFIX) + 43
_SECRET_RE = re.compile(r"whsec_[A-Za-z0-9_-]{43}")
TOLERANCE_SECONDS = 300


def generate_secret(random_bytes: bytes | None = None) -> str:
    """`whsec_` + unpadded base64url of 32 CSPRNG bytes (49 characters in all).

    `random_bytes` exists only so tests can pin the output.
    """
    raw = _secrets.token_bytes(SECRET_RANDOM_BYTES) if random_bytes is None else random_bytes
    if len(raw) != SECRET_RANDOM_BYTES:
        raise ValueError("a signing secret needs exactly 32 random bytes")
    return SECRET_PREFIX + base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def is_secret(value: object) -> bool:
    return isinstance(value, str) and bool(_SECRET_RE.fullmatch(value))


def signed_bytes(timestamp: int, raw_body: bytes) -> bytes:
    """The ASCII decimal digits of `t`, a literal `.`, then the raw body bytes."""
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) or timestamp < 0:
        raise ValueError("the signature timestamp is a non-negative integer of Unix seconds")
    return str(timestamp).encode("ascii") + b"." + raw_body


def compute_v1(secret: str, timestamp: int, raw_body: bytes) -> str:
    """Lowercase hex HMAC-SHA256; the key is the whole secret string, prefix included (§3.2)."""
    return hmac.new(secret.encode("utf-8"), signed_bytes(timestamp, raw_body), hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, raw_body: bytes) -> str:
    """The header value `t=<unix>,v1=<hex>`: `t` first, no spaces, exactly one `v1`."""
    return f"t={timestamp},v1={compute_v1(secret, timestamp, raw_body)}"


def parse_signature_header(header: str) -> tuple[str | None, list[str]]:
    """Split a header by key (never by position): the `t` value and every `v1` value."""
    t: str | None = None
    v1: list[str] = []
    for piece in header.split(","):
        key, sep, value = piece.partition("=")
        if not sep:
            continue
        key, value = key.strip(), value.strip()
        if key == "t":
            t = value
        elif key == "v1":
            v1.append(value)
    return t, v1


def verify_signature(
    header: str | None,
    raw_body: bytes,
    secrets: Sequence[str],
    *,
    now: int,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """A receiver-side check per the §9 checklist (our tests use it as the independent oracle).

    `secrets` is `[current]`, or `[new, old]` while a receiver switches after a rotation.
    """
    if not header or not secrets:
        return False
    t, candidates = parse_signature_header(header)
    if not t or not candidates or not (t.isascii() and t.isdigit()):
        return False
    if abs(now - int(t)) > tolerance:
        return False
    signed = t.encode("ascii") + b"." + raw_body
    for secret in secrets:
        expected = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest().encode("ascii")
        for candidate in candidates:
            if hmac.compare_digest(expected, candidate.encode("utf-8")):
                return True
    return False
