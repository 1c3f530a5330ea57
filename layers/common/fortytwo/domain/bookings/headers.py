"""Request headers of the booking writes: `Idempotency-Key`, `If-Match`, and the request
fingerprint the idempotency record compares (00-conventions §3.1, 30-bookings §9.1–9.2, §10)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any, Literal

from fortytwo.domain.bookings.errors import BookingRuleError

MAX_KEY_LENGTH = 255
ANY_VERSION: Literal["*"] = "*"
_IF_MATCH = re.compile(r'^(?:W/)?"([0-9]{1,18})"$|^([0-9]{1,18})$')


def idempotency_key(header: str | None) -> str:
    """The trimmed key; raises missing_idempotency_key / invalid_idempotency_key."""
    if header is None:
        raise BookingRuleError("missing_idempotency_key", "The Idempotency-Key header is required.")
    key = header.strip(" \t")
    if not 1 <= len(key) <= MAX_KEY_LENGTH or any(not 0x20 <= ord(c) <= 0x7E for c in key):
        raise BookingRuleError(
            "invalid_idempotency_key", "The Idempotency-Key header must be 1-255 printable ASCII characters."
        )
    return key


def if_match(header: str | None) -> int | Literal["*"]:
    """The expected version, or `*`; raises missing_if_match / invalid_if_match.

    A weak tag is treated as strong; leading zeros are allowed; lists of tags are malformed.
    """
    if header is None:
        raise BookingRuleError(
            "missing_if_match", "PATCH requires an If-Match header with the booking's ETag"
        )
    value = header.strip(" \t")
    if value == ANY_VERSION:
        return ANY_VERSION
    match = _IF_MATCH.match(value)
    if match is None:
        raise BookingRuleError(
            "invalid_if_match", 'If-Match must be "<version>", W/"<version>", <version> or *'
        )
    return int(match.group(1) or match.group(2))


def etag(version: int) -> str:
    """The strong ETag of a booking version."""
    return f'"{version}"'


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(method: str, route: str, path_params: Mapping[str, str], body: Mapping[str, Any]) -> str:
    """Hex SHA-256 of `METHOD\\nROUTE\\ncanonical(path_params)\\ncanonical(body)` (§9.2)."""
    text = "\n".join((method.upper(), route, canonical_json(dict(path_params)), canonical_json(dict(body))))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
