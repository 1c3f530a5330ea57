"""Peppered hashes of secrets: only HMACs are stored, compared in constant time."""

from __future__ import annotations

import functools
import hashlib
import hmac


def pepper_hmac(pepper: bytes, value: str) -> str:
    """Lower-case hex HMAC-SHA256(pepper, value as UTF-8)."""
    mac = _keyed(pepper).copy()
    mac.update(value.encode())
    return mac.hexdigest()


@functools.lru_cache(maxsize=4)
def _keyed(pepper: bytes) -> hmac.HMAC:
    """The HMAC keyed with the pepper, before any input: every bearer request hashes its secret,
    and keying (with OpenSSL 3, fetching the digest too) is most of an HMAC's cost. A constant of
    the pepper, not of any credential: nothing about validity is kept."""
    return hmac.new(pepper, digestmod=hashlib.sha256)


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
