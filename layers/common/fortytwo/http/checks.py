"""The domain's header and body checks as a handler runs them: a refusal is the contract's error.

Apart from `http/body.py` (on every function's import path through the guard) because the error
mapping imports botocore."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fortytwo.services.bookings_errors import contract_errors

T = TypeVar("T")


def parsed(step: Callable[[], T]) -> T:
    """A header or body check of the domain (`domain/*/requests.py`, `domain/bookings/headers.py`),
    failing with the contract's error."""
    with contract_errors():
        return step()
