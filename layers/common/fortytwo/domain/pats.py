"""Personal access tokens (10-auth §3): format, status and the creation rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from fortytwo.domain.ids import random_crockford

PAT_PREFIX = "42min_pat_"
PAT_RE = re.compile(r"^42min_pat_([0-9A-HJKMNP-TV-Z]{12})_([0-9A-HJKMNP-TV-Z]{32})$")
EXPIRY_CHOICES = (42, 90, 180, 365)
MAX_ACTIVE_PER_ORG = 42
LAST_USED_THROTTLE = timedelta(seconds=60)


class PatRuleError(ValueError):
    """A PAT creation or management rule was broken (the CLI prints the message)."""


@dataclass(frozen=True)
class ParsedPat:
    lookup: str
    secret: str


def parse_token(token: str) -> ParsedPat | None:
    match = PAT_RE.fullmatch(token)
    return ParsedPat(match.group(1), match.group(2)) if match else None


def new_lookup() -> str:
    return random_crockford(12)


def new_secret() -> str:
    return random_crockford(32)


def format_token(lookup: str, secret: str) -> str:
    return f"{PAT_PREFIX}{lookup}_{secret}"


def status(revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> str:
    if revoked_at is not None:
        return "revoked"
    if expires_at is not None and expires_at <= now:
        return "expired"
    return "active"


def normalize_name(name: str) -> str:
    trimmed = name.strip()
    if not 1 <= len(trimmed) <= 100:
        raise PatRuleError("name must be 1-100 characters after trimming")
    return trimmed


def expiry(created_at: datetime, expires_in_days: int | None) -> datetime | None:
    if expires_in_days is None:
        return None
    if expires_in_days not in EXPIRY_CHOICES:
        raise PatRuleError("--expires-in-days must be one of 42, 90, 180, 365")
    return created_at + timedelta(days=expires_in_days)


def needs_last_used_update(last_used_at: datetime | None, now: datetime) -> bool:
    return last_used_at is None or now - last_used_at >= LAST_USED_THROTTLE
