"""Personal access tokens (10-auth §3): format, status and the creation rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from fortytwo.domain.hashing import pepper_hmac
from fortytwo.domain.ids import random_crockford
from fortytwo.domain.scopes import ScopeError, parse_pat_scopes
from fortytwo.domain.timefmt import format_ts

PAT_PREFIX = "42min_pat_"
PAT_RE = re.compile(r"^42min_pat_([0-9A-HJKMNP-TV-Z]{12})_([0-9A-HJKMNP-TV-Z]{32})$")
EXPIRY_CHOICES = (42, 90, 180, 365)
MAX_ACTIVE_PER_ORG = 42
LAST_USED_THROTTLE = timedelta(seconds=60)


class PatRuleError(ValueError):
    """A PAT creation or management rule was broken (the CLI prints the message)."""


class PatFieldError(PatRuleError):
    """Checks 1–5 of §3.3: the input field at fault (`user`, `name`, `scopes`, `expires_in_days`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_request(
    role: str | None, name: Any, scopes: Any, expires_in_days: Any
) -> tuple[str, tuple[str, ...], int | None]:
    """Checks 1–5 of §3.3 in order (`role` None: no such user); 6–7 need the table and run at write
    time. The one copy behind the CLI, seed files and Admin Center. Returns (name, scopes, days)."""
    if role is None:
        raise PatFieldError("user", "no such user")
    if role not in ("owner", "admin"):
        raise PatFieldError("user", "only owners and admins may own a PAT")
    if not isinstance(name, str):
        raise PatFieldError("name", "is required")
    try:
        clean_name = normalize_name(name)
    except PatRuleError as exc:
        raise PatFieldError("name", str(exc)) from exc
    try:
        expanded = parse_pat_scopes(scopes if scopes is not None else "")
    except ScopeError as exc:
        raise PatFieldError("scopes", str(exc)) from exc
    if expires_in_days is not None and (
        isinstance(expires_in_days, bool) or expires_in_days not in EXPIRY_CHOICES
    ):
        raise PatFieldError("expires_in_days", "must be one of 42, 90, 180, 365 or null")
    return clean_name, expanded, expires_in_days


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


# --- the PAT record and its decisions (services/pats.py conducts, store/pats.py commits) --------


@dataclass(frozen=True, slots=True)
class Pat:
    """A PAT record (§3.2). The secret itself is never kept; only its peppered HMAC."""

    id: str
    lookup: str
    secret_hash: str
    last4: str
    name: str
    scopes: tuple[str, ...]
    created_by: str
    organization_id: str
    created_at: datetime
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    generation: int = 1
    version: int = 1

    def status(self, now: datetime) -> str:
        return status(self.revoked_at, self.expires_at, now)

    def public_view(self, now: datetime, token: str | None = None) -> dict[str, Any]:
        """The admin commands' `--json` record (§3.2); `token` only on create and regenerate."""
        view: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "organization_id": self.organization_id,
            "created_by": self.created_by,
            "scopes": list(self.scopes),
            "last4": self.last4,
            "generation": self.generation,
            "created_at": format_ts(self.created_at),
            "expires_at": _ts(self.expires_at),
            "last_used_at": _ts(self.last_used_at),
            "revoked_at": _ts(self.revoked_at),
            "status": self.status(now),
        }
        if token is not None:
            view["token"] = token
        return view


@dataclass(frozen=True, slots=True)
class PatNameLock:
    """Makes the name unique among the organization's active PATs (§3.3 check 7) under races."""

    organization_id: str
    name: str
    pat_id: str


def _ts(value: datetime | None) -> str | None:
    return format_ts(value) if value is not None else None


@dataclass(frozen=True, slots=True)
class PatCreation:
    """Plan: put `pat` (its lookup must be new) and take the name lock from `stale_lock_holder`
    (None: the lock must not exist yet)."""

    pat: Pat
    token: str
    lock: PatNameLock
    stale_lock_holder: str | None


def plan_creation(
    *,
    existing: list[Pat],
    lock: PatNameLock | None,
    org_id: str,
    user_id: str,
    name: str,
    scopes: tuple[str, ...],
    expires_in_days: int | None,
    pepper: bytes,
    now: datetime,
    pat_id: str,
) -> PatCreation:
    """Checks 6–7 of §3.3 against the organization's PATs, then a new record with a fresh secret."""
    active = [p for p in existing if p.status(now) == "active"]
    if len(active) >= MAX_ACTIVE_PER_ORG:
        raise PatRuleError(f"the organization already has {MAX_ACTIVE_PER_ORG} active PATs")
    if any(p.name.casefold() == name.casefold() for p in active):
        raise duplicate_name(name)
    lookup, secret = new_lookup(), new_secret()
    token = format_token(lookup, secret)
    pat = Pat(
        id=pat_id,
        lookup=lookup,
        secret_hash=pepper_hmac(pepper, secret),
        last4=token[-4:],
        name=name,
        scopes=scopes,
        created_by=user_id,
        organization_id=org_id,
        created_at=now,
        expires_at=expiry(now, expires_in_days),
    )
    holder = lock.pat_id if lock is not None else None
    return PatCreation(pat, token, PatNameLock(org_id, name, pat_id), holder)


def duplicate_name(name: str) -> PatRuleError:
    return PatRuleError(f"an active PAT named {name!r} already exists in the organization")


def plan_regeneration(pat: Pat, pepper: bytes, now: datetime) -> tuple[Pat, str]:
    """§3.5: a new secret, same lookup; generation and version + 1. Refused unless active."""
    state = pat.status(now)
    if state != "active":
        raise PatRuleError(f"PAT {pat.id} is {state} and cannot be regenerated")
    secret = new_secret()
    token = format_token(pat.lookup, secret)
    renewed = replace(
        pat,
        secret_hash=pepper_hmac(pepper, secret),
        last4=token[-4:],
        generation=pat.generation + 1,
        version=pat.version + 1,
    )
    return renewed, token


def plan_revocation(pat: Pat, now: datetime) -> Pat | None:
    """§3.6: the revoked record, or None when it is already revoked (nothing changes)."""
    if pat.revoked_at is not None:
        return None
    return replace(pat, revoked_at=now, version=pat.version + 1)
