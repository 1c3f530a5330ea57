"""Peppered hashes of secrets: only HMACs are stored, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac


def pepper_hmac(pepper: bytes, value: str) -> str:
    """Lower-case hex HMAC-SHA256(pepper, value as UTF-8)."""
    return hmac.new(pepper, value.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
