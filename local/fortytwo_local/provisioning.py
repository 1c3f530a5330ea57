"""Owner/admin operations shared by `42min admin …` and seed files: validation, then writes.

Every function validates first and writes last, so a failure changes nothing.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from fortytwo.domain import clock
from fortytwo.domain import pats as pat_rules
from fortytwo.domain.accounts import Organization, ScheduleRecord, Team, User
from fortytwo.domain.ids import uuid7
from fortytwo.http.query import valid_timezone
from fortytwo.services import accounts, pats

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,126}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ROLES = ("owner", "admin", "user")
DEFAULT_WEEKLY = {day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}


class ProvisioningError(ValueError):
    """Invalid input for an admin operation; `path` names the offending field (seed files)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path


def _text(value: Any, path: str, *, max_len: int, required: bool = True) -> str | None:
    if value is None or value == "":
        if required:
            raise ProvisioningError(path, "is required")
        return None
    if not isinstance(value, str):
        raise ProvisioningError(path, "must be a string")
    if len(value) > max_len:
        raise ProvisioningError(path, f"must be at most {max_len} characters")
    return value


def build_org(name: Any, plan: Any, now: datetime, path: str = "organization") -> Organization:
    org_name = _text(name, f"{path}.name", max_len=255)
    plan_value = _text(plan, f"{path}.plan", max_len=255, required=False)
    assert org_name is not None
    return Organization(id=uuid7(), name=org_name, plan=plan_value, created_at=now)


def default_schedule(timezone: str) -> dict[str, Any]:
    return {
        "name": "Working hours",
        "timezone": timezone,
        "weekly": dict(DEFAULT_WEEKLY),
        "overrides": {},
        "out_of_office": [],
    }


def validate_limits(value: Any, path: str) -> dict[str, int | None]:
    value = value or {}
    if not isinstance(value, dict):
        raise ProvisioningError(path, "must be an object")
    limits: dict[str, int | None] = {}
    for key in value:
        if key not in ("per_day", "per_week", "per_month"):
            raise ProvisioningError(f"{path}.{key}", "is not a known field")
    for key in ("per_day", "per_week", "per_month"):
        item = value.get(key)
        if item is not None and (isinstance(item, bool) or not isinstance(item, int) or item < 1):
            raise ProvisioningError(f"{path}.{key}", "must be an integer ≥ 1 or null")
        limits[key] = item
    return limits


def build_user(
    org_id: str, spec: dict[str, Any], now: datetime, path: str, *, password_hash: str | None = None
) -> tuple[User, ScheduleRecord]:
    """Validate a user spec (seed `users[]` entry or CLI flags) → (user, their default schedule)."""
    from fortytwo_local.schedules import validate_schedule_document

    username = _text(spec.get("username"), f"{path}.username", max_len=127)
    assert username is not None
    username = username.lower()
    if not USERNAME_RE.match(username):
        raise ProvisioningError(f"{path}.username", "must match ^[a-z0-9][a-z0-9_-]{0,126}$")
    email = _text(spec.get("email"), f"{path}.email", max_len=254)
    assert email is not None
    if not EMAIL_RE.match(email):
        raise ProvisioningError(f"{path}.email", "is not an email address")
    first = _text(spec.get("first_name"), f"{path}.first_name", max_len=127, required=False)
    last = _text(spec.get("last_name"), f"{path}.last_name", max_len=127, required=False)
    timezone = spec.get("timezone") or "UTC"
    if not isinstance(timezone, str) or not valid_timezone(timezone):
        raise ProvisioningError(f"{path}.timezone", "is not a known IANA time zone")
    locale = _text(spec.get("locale") or "en", f"{path}.locale", max_len=35)
    role = spec.get("role") or "user"
    if role not in ROLES:
        raise ProvisioningError(f"{path}.role", "must be owner, admin or user")
    limits = validate_limits(spec.get("limits"), f"{path}.limits")
    schedule_doc = spec.get("schedule")
    if schedule_doc is None:
        schedule_doc = default_schedule(timezone)
    schedule = validate_schedule_document(schedule_doc, f"{path}.schedule")
    user_id, schedule_id = uuid7(), uuid7()
    user = User(
        id=user_id,
        organization_id=org_id,
        username=username,
        email=email,
        first_name=first,
        last_name=last,
        timezone=timezone,
        locale=locale,
        role=role,
        password_hash=password_hash,
        default_schedule_id=schedule_id,
        out_of_office=tuple(schedule.get("out_of_office", [])),
        limits=limits,
        avatar_url=None,
        created_at=now,
        updated_at=now,
    )
    schedule_record = ScheduleRecord(
        id=schedule_id,
        organization_id=org_id,
        user_id=user_id,
        created_at=now,
        updated_at=now,
        name=schedule["name"],
        timezone=schedule["timezone"],
        weekly=schedule["weekly"],
        overrides=schedule["overrides"],
    )
    return user, schedule_record


def team_slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def build_team(org_id: str, name: Any, member_ids: list[str], now: datetime, path: str) -> Team:
    team_name = _text(name, f"{path}.name", max_len=100)
    assert team_name is not None
    if not 1 <= len(member_ids) <= 100:
        raise ProvisioningError(f"{path}.members", "must list 1-100 users")
    if len(set(member_ids)) != len(member_ids):
        raise ProvisioningError(f"{path}.members", "must not repeat a user")
    slug = team_slug(team_name)
    if not slug:
        raise ProvisioningError(f"{path}.name", "must contain a letter or digit")
    return Team(
        id=uuid7(),
        organization_id=org_id,
        name=team_name,
        slug=slug,
        members=tuple(member_ids),
        created_at=now,
        updated_at=now,
    )


def check_pat_request(
    user: User | None, name: Any, scopes: Any, expires_in_days: Any, path: str = ""
) -> tuple[str, tuple[str, ...], int | None]:
    """Checks 1–5 of 10-auth §3.3 (6–7 need the table and run at write time)."""
    try:
        return pat_rules.check_request(user.role if user else None, name, scopes, expires_in_days)
    except pat_rules.PatFieldError as exc:
        raise ProvisioningError(f"{path}.{exc.field}" if path else exc.field, str(exc)) from exc


def create_pat(user_ref: str, name: str, scopes: Any, expires_in_days: int | None) -> dict[str, Any]:
    now = clock.now()
    try:
        record, token = pats.create_for_user(accounts.find_user(user_ref), name, scopes, expires_in_days, now)
    except pat_rules.PatFieldError as exc:
        raise ProvisioningError(exc.field, str(exc)) from exc
    except pat_rules.PatRuleError as exc:
        raise ProvisioningError("", str(exc)) from exc
    return record.public_view(now, token)


def now() -> datetime:
    return clock.now()
