"""User profile rules (10-auth §9)."""

from __future__ import annotations


def display_name(first_name: str | None, last_name: str | None) -> str | None:
    name = f"{first_name or ''} {last_name or ''}".strip()
    return name or None


def blank_to_none(value: str | None) -> str | None:
    return value if value else None
