"""Organizations, users, teams and schedules as entities (10-auth §9, 60-operations §2–§4)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fortytwo.domain.timefmt import format_ts
from fortytwo.domain.users import blank_to_none, display_name


@dataclass(frozen=True, slots=True)
class Organization:
    id: str
    name: str
    created_at: datetime
    plan: str | None = None
    version: int = 1

    def view(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "plan": self.plan}


@dataclass(frozen=True, slots=True)
class OrgName:
    """Finds an organization by exact (case-folded) name without a scan."""

    name: str
    organization_id: str


@dataclass(frozen=True, slots=True)
class User:
    id: str
    organization_id: str
    email: str
    created_at: datetime
    updated_at: datetime
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    timezone: str | None = None
    locale: str | None = None
    role: str = "user"
    password_hash: str | None = None
    default_schedule_id: str | None = None
    out_of_office: tuple[dict[str, Any], ...] = ()
    limits: dict[str, int | None] = field(default_factory=dict)
    avatar_url: str | None = None
    version: int = 1

    def me_view(self) -> dict[str, Any]:
        """`/v1/me` `user` (§9): every key present, blanks as null."""
        return {
            "id": self.id,
            "username": self.username,
            "email": self.email,
            "name": display_name(self.first_name, self.last_name),
            "first_name": blank_to_none(self.first_name),
            "last_name": blank_to_none(self.last_name),
            "timezone": self.timezone,
            "locale": self.locale,
            "avatar_url": self.avatar_url,
        }

    def admin_view(self) -> dict[str, Any]:
        """The `admin user create --json` record: everything but the password hash."""
        return {
            "id": self.id,
            "organization_id": self.organization_id,
            "username": self.username,
            "email": self.email,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "timezone": self.timezone,
            "locale": self.locale,
            "role": self.role,
            "default_schedule_id": self.default_schedule_id,
            "out_of_office": [dict(entry) for entry in self.out_of_office],
            "limits": dict(self.limits),
            "avatar_url": self.avatar_url,
            "created_at": format_ts(self.created_at),
            "updated_at": format_ts(self.updated_at),
        }


@dataclass(frozen=True, slots=True)
class UserPointer:
    """Username, email or user id → (organization, user): the uniqueness and lookup items."""

    user_id: str
    organization_id: str


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    organization_id: str
    name: str
    slug: str
    members: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    version: int = 1

    def view(self) -> dict[str, Any]:
        """The `admin team create --json` record."""
        return {
            "id": self.id,
            "organization_id": self.organization_id,
            "name": self.name,
            "slug": self.slug,
            "members": list(self.members),
            "created_at": format_ts(self.created_at),
            "updated_at": format_ts(self.updated_at),
        }


@dataclass(frozen=True, slots=True)
class ScheduleRecord:
    """A user's availability schedule as stored (documents are validated by the scheduling rules)."""

    id: str
    organization_id: str
    user_id: str
    created_at: datetime
    updated_at: datetime
    name: str
    timezone: str
    weekly: dict[str, Any] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)
    version: int = 1
