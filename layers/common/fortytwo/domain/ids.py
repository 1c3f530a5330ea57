"""Identifier formats of the contract (00-conventions §7.1): UUIDv7, ULID, prefixed ids."""

from __future__ import annotations

import os
import re
import time
import uuid

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _uuid7_from(ms: int, rand: bytes) -> str:
    value = (ms & ((1 << 48) - 1)) << 80
    rand_int = int.from_bytes(rand[:10], "big")
    rand_a = (rand_int >> 62) & 0xFFF
    rand_b = rand_int & ((1 << 62) - 1)
    value |= 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return str(uuid.UUID(int=value))


def uuid7(now_ms: int | None = None) -> str:
    """A random UUID version 7, lower case with hyphens."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    return _uuid7_from(ms, os.urandom(10))


def uuid7_ms(value: str) -> int:
    """The millisecond timestamp embedded in a UUIDv7."""
    return uuid.UUID(value).int >> 80


def is_uuid(value: str) -> bool:
    return bool(_UUID_RE.match(value))


def normalize_uuid(value: str) -> str | None:
    """Lower-cased UUID, or None when `value` is not a UUID (any case accepted)."""
    return value.lower() if is_uuid(value) else None


def crockford(random_bytes: bytes, length: int) -> str:
    """`length` upper-case Crockford base32 characters from the leading bits of `random_bytes`."""
    number = int.from_bytes(random_bytes, "big")
    total_bits = len(random_bytes) * 8
    number >>= max(0, total_bits - 5 * length)
    out = []
    for _ in range(length):
        out.append(CROCKFORD[number & 31])
        number >>= 5
    return "".join(reversed(out))


def random_crockford(length: int) -> str:
    return crockford(os.urandom((5 * length + 7) // 8), length)


def ulid(now_ms: int | None = None) -> str:
    """A ULID: 48-bit ms timestamp + 80 random bits, 26 Crockford characters."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    value = (ms & ((1 << 48) - 1)) << 80 | int.from_bytes(os.urandom(10), "big")
    return _crockford_130(value)


# Every request draws a ULID (its request id): two characters per lookup, not one per shift.
_PAIRS = tuple(a + b for a in CROCKFORD for b in CROCKFORD)
_SHIFTS = tuple(range(120, -1, -10))


def _crockford_130(value: int) -> str:
    """26 Crockford characters of a 128-bit value (130 bits, the top two zero), 10 bits at a time."""
    return "".join([_PAIRS[(value >> shift) & 1023] for shift in _SHIFTS])


def request_id(now_ms: int | None = None) -> str:
    return "req_" + ulid(now_ms)


def event_id(now_ms: int | None = None) -> str:
    return "evt_" + uuid7(now_ms)
