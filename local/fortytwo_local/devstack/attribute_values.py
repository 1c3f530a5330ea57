"""DynamoDB AttributeValues both ways: boto3's (binary as bytes) and DynamoDB JSON's (binary as
base64), as the state file, the journal and stream records hold them."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any


def _binary_mapped(value: dict[str, Any], binary: Callable[[Any], Any]) -> dict[str, Any]:
    """`value` with every binary part (B, BS, and inside M and L) passed through `binary`."""
    ((kind, inner),) = value.items()
    if kind == "B":
        return {"B": binary(inner)}
    if kind == "BS":
        return {"BS": [binary(b) for b in inner]}
    if kind == "M":
        return {"M": {k: _binary_mapped(v, binary) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_binary_mapped(v, binary) for v in inner]}
    return {kind: inner}


def _b64(value: bytes | str) -> str:
    return value if isinstance(value, str) else base64.b64encode(value).decode("ascii")


def boto_item(item: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB JSON (binary as base64) → a boto3 item (binary as bytes)."""
    return {name: _binary_mapped(value, base64.b64decode) for name, value in item.items()}


def json_item(item: dict[str, Any]) -> dict[str, Any]:
    """A boto3 item (binary as bytes) in DynamoDB JSON (binary as base64). Values already in
    DynamoDB JSON (moto's own records) pass unchanged."""
    return {name: _binary_mapped(value, _b64) for name, value in item.items()}
