"""Rule failures of the booking domain, named by the contract's error codes (30-bookings §13).

The domain knows nothing about HTTP: the HTTP layer turns each code into its typed API error.
"""

from __future__ import annotations

from typing import Any


class BookingRuleError(Exception):
    """A booking rule refused the request; `code` is the contract's error code."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}


class FieldErrors(Exception):
    """400 validation_error: every violation of one step, in body order."""

    def __init__(self, fields: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{f['field']}: {f['message']}" for f in fields))
        self.fields = fields


class ErrorCollector:
    """Collects `{field, message}` entries; one entry per path, the first reported wins."""

    def __init__(self) -> None:
        self._fields: list[dict[str, str]] = []
        self._seen: set[str] = set()

    def add(self, field: str, message: str) -> None:
        if field not in self._seen:
            self._seen.add(field)
            self._fields.append({"field": field, "message": message})

    def __bool__(self) -> bool:
        return bool(self._fields)

    def raise_if_any(self) -> None:
        if self._fields:
            raise FieldErrors(list(self._fields))
