"""Opaque keyset cursors bound to account, route, path parameters, sort and filters (00-conventions §8.4).

The binding also covers the caller's account (`"a"`, decision in docs/decisions.md): a cursor
issued to one organization is refused for another, even on an identical request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from fortytwo.contract.errors import InvalidQueryParam

_MAC_BYTES = 16


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    if not text or any(
        c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for c in text
    ):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    def __init__(self, pepper: bytes) -> None:
        self._key = hmac.new(pepper, b"42min-cursor-v1", hashlib.sha256).digest()

    @staticmethod
    def binding(
        route: str, path_params: dict[str, str], sort: str, filters: dict[str, Any], *, account: str
    ) -> str:
        bound = {"a": account, "f": filters, "p": path_params, "r": route, "s": sort}
        digest = hashlib.sha256(_canonical(bound)).digest()
        return _b64(digest[:16])

    def encode(self, binding: str, sort_value: Any, last_id: str) -> str:
        payload = _canonical({"b": binding, "k": [sort_value, last_id], "v": 1})
        mac = hmac.new(self._key, payload, hashlib.sha256).digest()[:_MAC_BYTES]
        return _b64(mac + payload)

    def decode(self, cursor: str, binding: str) -> tuple[Any, str]:
        """(last sort value, last id) or 400 invalid_query_param `cursor`."""
        try:
            raw = _unb64(cursor)
            mac, payload = raw[:_MAC_BYTES], raw[_MAC_BYTES:]
            expected = hmac.new(self._key, payload, hashlib.sha256).digest()[:_MAC_BYTES]
            if len(mac) != _MAC_BYTES or not hmac.compare_digest(mac, expected):
                raise ValueError("mac")
            data = json.loads(payload)
            if data.get("v") != 1 or not hmac.compare_digest(str(data.get("b", "")), binding):
                raise ValueError("binding")
            sort_value, last_id = data["k"]
            if not isinstance(last_id, str):
                raise ValueError("id")
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidQueryParam("cursor", "cursor is invalid for this request") from exc
        return sort_value, last_id

    def text_after(self, cursor: str | None, binding: str) -> tuple[str, str] | None:
        """The keyset position of a list sorted by a text value (None without a cursor)."""
        if cursor is None:
            return None
        value, last_id = self.decode(cursor, binding)
        if not isinstance(value, str):
            raise InvalidQueryParam("cursor", "cursor is invalid for this request")
        return value, last_id
