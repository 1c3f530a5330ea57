"""Limits of the values the system keeps as given (booking `metadata`, number answers).

The table stores them as DynamoDB documents, which refuse what JSON allows: numbers beyond 38
significant digits or outside 1e-130 ≤ |n| < 1e126, non-finite numbers, documents nested more
than 32 levels, and empty member names at any depth ("Empty attribute name"). moto accepts most of
these, so nothing but this check stands between such input and a failed write; requests that
carry them get a `validation_error` up front instead.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

MAX_SIGNIFICANT_DIGITS = 38
MIN_ADJUSTED_EXPONENT = -130  # 1e-130 is the smallest magnitude
MAX_ADJUSTED_EXPONENT = 125  # 9.99…e125 the largest
# Arrays/objects inside one free-form value. The item adds the attribute and the key above it, and
# DynamoDB allows 32 levels; 16 leaves room and is far beyond what metadata needs.
MAX_VALUE_DEPTH = 16

NUMBER_MESSAGE = (
    "numbers must be finite, with at most 38 significant digits and a magnitude between 1e-130 and 1e126"
)
EMPTY_NAME_MESSAGE = "object member names must not be empty"
DEPTH_MESSAGE = f"must not nest arrays or objects more than {MAX_VALUE_DEPTH} levels deep"


def is_storable_number(value: int | float) -> bool:
    """Whether DynamoDB keeps `value` exactly as the API would echo it (ints exactly, floats by repr)."""
    if isinstance(value, float) and not math.isfinite(value):
        return False
    number = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    if number == 0:
        return True
    digits = number.as_tuple().digits
    significant = len(digits)
    while digits[significant - 1] == 0:  # trailing zeros are not precision (DynamoDB trims them)
        significant -= 1
    return (
        significant <= MAX_SIGNIFICANT_DIGITS
        and MIN_ADJUSTED_EXPONENT <= number.adjusted() <= MAX_ADJUSTED_EXPONENT
    )


def value_problem(value: Any) -> str | None:
    """Why a free-form JSON value cannot be stored as given, or None."""
    return _walk(value, 0)


def _walk(value: Any, depth: int) -> str | None:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return None
    if isinstance(value, int | float):
        return None if is_storable_number(value) else NUMBER_MESSAGE
    if isinstance(value, dict | list):
        if depth >= MAX_VALUE_DEPTH:
            return DEPTH_MESSAGE
        if isinstance(value, dict) and "" in value:
            return EMPTY_NAME_MESSAGE
        children = value.values() if isinstance(value, dict) else value
        for child in children:
            problem = _walk(child, depth + 1)
            if problem is not None:
                return problem
    return None
