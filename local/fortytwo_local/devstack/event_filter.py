"""Lambda event filtering (the event-pattern language of FilterCriteria) for stream records.

A record passes when any filter matches (no filters: every record). Within a pattern every key
must match: an object descends into the record, a list is the set of accepted values for a
leaf. Accepted values are exact strings/numbers/null or one of the operators `exists`,
`prefix`, `suffix`, `equals-ignore-case`, `anything-but` and `numeric`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_MISSING = object()


def matches_any(record: dict[str, Any], patterns: tuple[dict[str, Any], ...] | list[dict[str, Any]]) -> bool:
    return not patterns or any(matches(record, pattern) for pattern in patterns)


def matches(record: Any, pattern: dict[str, Any]) -> bool:
    for key, expected in pattern.items():
        value = record.get(key, _MISSING) if isinstance(record, dict) else _MISSING
        if isinstance(expected, dict):
            if not isinstance(value, dict) or not matches(value, expected):
                return False
        elif isinstance(expected, list):
            if not _leaf_matches(value, expected):
                return False
        else:
            raise ValueError(f"filter pattern value for {key!r} must be an object or a list")
    return True


def _leaf_matches(value: Any, accepted: list[Any]) -> bool:
    for rule in accepted:
        if isinstance(rule, dict) and "exists" in rule:
            # `exists` is about the key itself, whatever its value.
            if (value is not _MISSING) == bool(rule["exists"]):
                return True
            continue
        if value is _MISSING:
            continue
        candidates = value if isinstance(value, list) else [value]
        if any(_value_matches(candidate, rule) for candidate in candidates):
            return True
    return False


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):  # DynamoDB numbers arrive as strings ({"N": "5"})
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _plain_matches(value: Any, rule: Any) -> bool:
    """An exact string, null, boolean or number."""
    if rule is None or isinstance(rule, str):
        return value == rule
    if isinstance(rule, bool):
        return value is rule
    number = _number(value)
    return number is not None and number == float(rule)


def _prefix(value: Any, operand: Any) -> bool:
    return isinstance(value, str) and value.startswith(operand)


def _suffix(value: Any, operand: Any) -> bool:
    return isinstance(value, str) and value.endswith(operand)


def _equals_ignore_case(value: Any, operand: Any) -> bool:
    return isinstance(value, str) and value.lower() == str(operand).lower()


def _anything_but(value: Any, excluded: Any) -> bool:
    if isinstance(excluded, dict):
        return not _value_matches(value, excluded)
    excluded = excluded if isinstance(excluded, list) else [excluded]
    return not any(_value_matches(value, e) for e in excluded)


def _numeric(value: Any, spec: Any) -> bool:
    number = _number(value)
    if number is None:
        return False
    for op, bound in zip(spec[::2], spec[1::2], strict=True):
        limit = float(bound)
        ok = {
            "=": number == limit,
            "<": number < limit,
            "<=": number <= limit,
            ">": number > limit,
            ">=": number >= limit,
        }.get(op)
        if ok is None:
            raise ValueError(f"unknown numeric operator {op!r}")
        if not ok:
            return False
    return True


# The operators, in the order they are looked for in a rule object (the first one present decides).
_OPERATORS: tuple[tuple[str, Callable[[Any, Any], bool]], ...] = (
    ("prefix", _prefix),
    ("suffix", _suffix),
    ("equals-ignore-case", _equals_ignore_case),
    ("anything-but", _anything_but),
    ("numeric", _numeric),
)


def _value_matches(value: Any, rule: Any) -> bool:
    if not isinstance(rule, dict):
        return _plain_matches(value, rule)
    for name, operator in _OPERATORS:
        if name in rule:
            return operator(value, rule[name])
    raise ValueError(f"unsupported filter rule {rule!r}")
