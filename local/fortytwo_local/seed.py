"""Seed files (60-operations §4): validate the whole document, then write everything or nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from fortytwo.domain import clock
from fortytwo.domain.accounts import Team, User
from fortytwo.services import accounts, pats
from fortytwo_local.backend import Backend
from fortytwo_local.provisioning import (
    ProvisioningError,
    build_org,
    build_team,
    build_user,
    check_pat_request,
)

TOP_LEVEL = ("organization", "users", "teams", "event_types", "pats", "oauth_clients")
USER_FIELDS = (
    "username",
    "email",
    "first_name",
    "last_name",
    "timezone",
    "locale",
    "role",
    "password",
    "schedule",
    "limits",
)


class SeedError(ValueError):
    """The seed document is invalid; nothing was written. `path` names the offending field."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path


# Sections contributed by other modules (event types, OAuth clients): name → builder.
# A builder receives (entries, context) and returns (records to write, result mapping); records are
# entities `services.accounts.provision` knows, or items another family built. The context's
# `users` and `teams` hold the stored items (the event-type section reads them as mappings).
SectionBuilder = Callable[[list[Any], dict[str, Any]], tuple[list[Any], dict[str, Any]]]
SECTIONS: dict[str, SectionBuilder] = {}


def register_section(name: str, builder: SectionBuilder) -> None:
    SECTIONS[name] = builder


def _load_plugins() -> None:
    for module in ("fortytwo_local.seed_event_types", "fortytwo_local.seed_oauth_clients"):
        try:
            __import__(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def load_seed_file(path: str | Path) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:  # one clear line, not a traceback (60-operations §2)
        raise SeedError("", f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise SeedError("", f"cannot read {path}: not UTF-8 text") from exc
    try:
        doc = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise SeedError("", f"cannot parse {path}: {exc}") from exc
    if not isinstance(doc, dict):
        raise SeedError("", "a seed file must be a mapping")
    return doc


def _list(doc: dict[str, Any], key: str) -> list[Any]:
    value = doc.get(key) or []
    if not isinstance(value, list):
        raise SeedError(key, "must be a list")
    return value


def _check_keys(entry: Any, allowed: tuple[str, ...], path: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise SeedError(path, "must be a mapping")
    for key in entry:
        if key not in allowed:
            raise SeedError(f"{path}.{key}", "is not a known field")
    return entry


PatRequest = tuple[str, str, tuple[str, ...], int | None, User]  # key, name, scopes, days, owner


def _seed_users(doc: dict[str, Any], org_id: str, now: datetime, records: list[Any]) -> dict[str, User]:
    """The users (by username) with their schedules appended to `records`; clashes are errors."""
    from fortytwo.adapters.passwords import hash_password

    users: dict[str, User] = {}
    for i, entry in enumerate(_list(doc, "users")):
        path = f"users[{i}]"
        spec = _check_keys(entry, USER_FIELDS, path)
        password = spec.get("password")
        if password is not None and (not isinstance(password, str) or not password):
            raise SeedError(f"{path}.password", "must be a non-empty string")
        user, schedule = build_user(
            org_id, spec, now, path, password_hash=hash_password(password) if password else None
        )
        assert user.username is not None
        _check_new_user(user, users, path)
        users[user.username] = user
        records.extend([user, schedule])
    return users


def _check_new_user(user: User, users: dict[str, User], path: str) -> None:
    """Unique in this file first, then against the stored accounts."""
    assert user.username is not None
    if user.username in users:
        raise SeedError(f"{path}.username", "is used twice in this file")
    if any(u.email.lower() == user.email.lower() for u in users.values()):
        raise SeedError(f"{path}.email", "is used twice in this file")
    if accounts.find_user(user.username) is not None:
        raise SeedError(f"{path}.username", "already exists")
    if accounts.find_user_by_email(user.email) is not None:
        raise SeedError(f"{path}.email", "already exists")


def _seed_teams(
    doc: dict[str, Any], org_id: str, users: dict[str, User], now: datetime, records: list[Any]
) -> dict[str, Team]:
    teams: dict[str, Team] = {}
    for i, entry in enumerate(_list(doc, "teams")):
        path = f"teams[{i}]"
        spec = _check_keys(entry, ("name", "members"), path)
        members = spec.get("members") or []
        if not isinstance(members, list):
            raise SeedError(f"{path}.members", "must be a list of usernames")
        ids = []
        for j, member in enumerate(members):
            if not isinstance(member, str) or member.lower() not in users:
                raise SeedError(f"{path}.members[{j}]", "is not a user of this seed file")
            ids.append(users[member.lower()].id)
        team = build_team(org_id, spec.get("name"), ids, now, path)
        if any(t.name.casefold() == team.name.casefold() or t.slug == team.slug for t in teams.values()):
            raise SeedError(f"{path}.name", "clashes with another team of this file")
        teams[team.name] = team
        records.append(team)
    return teams


def _seed_sections(
    doc: dict[str, Any], context: dict[str, Any], records: list[Any], result: dict[str, Any]
) -> None:
    """The sections other modules build (event types, OAuth clients), in this order."""
    for section in ("event_types", "oauth_clients"):
        entries = _list(doc, section)
        if not entries:
            continue
        if section not in SECTIONS:
            raise SeedError(section, "is not supported by this build")
        section_records, section_result = SECTIONS[section](entries, context)
        records.extend(section_records)
        result[section] = section_result


def _seed_pat_requests(
    doc: dict[str, Any], users: dict[str, User], result: dict[str, Any]
) -> list[PatRequest]:
    """The checked token requests; the tokens are created after the write (they print once)."""
    pat_requests: list[PatRequest] = []
    for i, entry in enumerate(_list(doc, "pats")):
        path = f"pats[{i}]"
        spec = _check_keys(entry, ("key", "user", "name", "scopes", "expires_in_days"), path)
        owner = users.get(str(spec.get("user", "")).lower())
        if owner is None:
            raise SeedError(f"{path}.user", "is not a user of this seed file")
        name, scopes, days = check_pat_request(
            owner, spec.get("name"), spec.get("scopes"), spec.get("expires_in_days"), path
        )
        key = spec.get("key") or name
        if key in result["pats"] or any(r[1].casefold() == name.casefold() for r in pat_requests):
            raise SeedError(f"{path}.key", "is used twice in this file")
        pat_requests.append((key, name, scopes, days, owner))
        result["pats"][key] = None
    return pat_requests


def apply_seed(doc: dict[str, Any], backend: Backend | None = None) -> dict[str, Any]:
    """Validate the whole seed document, then create it all in one all-or-nothing write."""
    if backend is not None:
        backend.activate()
    _load_plugins()
    now = clock.now()
    for key in doc:
        if key not in TOP_LEVEL:
            raise SeedError(key, "is not a known section")
    try:
        org_spec = _check_keys(doc.get("organization"), ("name", "plan"), "organization")
        org = build_org(org_spec.get("name"), org_spec.get("plan"), now)
        org_id = org.id
        records: list[Any] = [org]
        result: dict[str, Any] = {
            "organization_id": org_id,
            "users": {},
            "teams": {},
            "event_types": {},
            "pats": {},
            "oauth_clients": {},
        }
        users = _seed_users(doc, org_id, now, records)
        result["users"] = {name: user.id for name, user in users.items()}
        teams = _seed_teams(doc, org_id, users, now, records)
        result["teams"] = {name: team.id for name, team in teams.items()}
        context = {
            "org_id": org_id,
            "users": {name: accounts.raw_user(u) for name, u in users.items()},
            "teams": {name: accounts.raw_team(t) for name, t in teams.items()},
            "now": now,
        }
        _seed_sections(doc, context, records, result)
        pat_requests = _seed_pat_requests(doc, users, result)
    except ProvisioningError as exc:
        raise SeedError(exc.path, str(exc).split(": ", 1)[-1]) from exc
    accounts.provision(records)
    for key, name, scopes, days, owner in pat_requests:
        record, token = pats.create(
            org_id=org_id, user_id=owner.id, name=name, scopes=scopes, expires_in_days=days, now=now
        )
        result["pats"][key] = {"id": record.id, "token": token}
    for hook in context.get("after_write", []):
        hook()
    return result


def demo_seed() -> dict[str, Any]:
    """The demo organization the local stack creates on first start."""
    return {
        "organization": {"name": "Demo Co", "plan": "Pro"},
        "users": [
            {
                "username": "ada",
                "email": "ada@example.com",
                "first_name": "Ada",
                "last_name": "Lovelace",
                "timezone": "Europe/London",
                "role": "owner",
                "password": "correct-horse-battery",
            },
            {
                "username": "grace",
                "email": "grace@example.com",
                "first_name": "Grace",
                "last_name": "Hopper",
                "timezone": "America/New_York",
                "role": "admin",
            },
        ],
        "teams": [{"name": "Sales", "members": ["ada", "grace"]}],
        "event_types": [
            {
                "key": "intro",
                "owner": "ada",
                "slug": "intro-call",
                "title": "Intro call",
                "description": "30-minute introduction",
                "duration_minutes": 30,
                "slot_increment_minutes": 30,
                "minimum_notice_minutes": 60,
                "future_limit_days": 60,
                "locations": [{"type": "video", "label": "Video call", "value": None}],
                "questions": [{"key": "company", "label": "Company", "type": "text", "required": False}],
            },
            {
                "key": "demo",
                "team": "Sales",
                "slug": "product-demo",
                "title": "Product demo",
                "duration_minutes": 45,
                "slot_increment_minutes": 15,
                "scheduling_type": "collective",
                "buffer_after_minutes": 15,
            },
        ],
        "pats": [
            {
                "key": "demo",
                "user": "ada",
                "name": "demo (every scope)",
                "scopes": [
                    "user:read",
                    "event_types:read",
                    "slots:read",
                    "bookings:read",
                    "bookings:write",
                    "webhooks:read",
                    "webhooks:write",
                    "series:read",
                    "series:write",
                ],
            },
        ],
    }
