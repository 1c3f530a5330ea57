"""Accounts: `/v1/me`, and the organizations, users, teams and schedules the CLI and seed files provision.

Input validation of admin commands and seed files stays with them (local tooling); this module
loads, checks uniqueness and writes all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from fortytwo.config import get_settings
from fortytwo.contract.errors import NotFound
from fortytwo.domain import clock
from fortytwo.domain.accounts import Organization, ScheduleRecord, Team, User
from fortytwo.domain.auth import AuthContext
from fortytwo.domain.oauth.models import OAuthClient
from fortytwo.services import event_types
from fortytwo.services import pats as pat_service
from fortytwo.store import accounts as store
from fortytwo.store import oauth as oauth_store

UniquenessError = store.UniquenessError

# A record to provision: an entity of this family, or an item another family built (seed sections).
Provisioned = Organization | User | ScheduleRecord | Team | OAuthClient | dict[str, Any]


def me(auth: AuthContext) -> dict[str, Any]:
    """§9: the credential's user and organization (one BatchGetItem); 404 once the user is gone."""
    user, org = store.get_user_and_org(auth.account_id, auth.user_id)
    if user is None:
        raise NotFound("The user behind this credential no longer exists.")
    return {"user": user.me_view(), "organization": org.view() if org is not None else None}


def find_user(ref: str) -> User | None:
    return store.user_by_ref(ref)


def find_user_by_email(address: str) -> User | None:
    return store.user_by_email(address)


def find_org(ref: str) -> Organization | None:
    return store.org_by_ref(ref)


def get_user(org_id: str, user_id: str) -> User | None:
    return store.get_user(org_id, user_id)


def get_user_and_org(org_id: str, user_id: str) -> tuple[User | None, Organization | None]:
    return store.get_user_and_org(org_id, user_id)


def user_exists(username: str | None, email: str) -> bool:
    return bool((username and store.user_by_ref(username)) or store.user_by_email(email))


def _items(record: Provisioned) -> list[dict[str, Any]]:
    if isinstance(record, Organization):
        return store.org_items(record)
    if isinstance(record, User):
        return store.user_items(record)
    if isinstance(record, ScheduleRecord):
        return [store.schedule_item(record)]
    if isinstance(record, Team):
        return store.team_items(record)
    if isinstance(record, OAuthClient):
        return [oauth_store.CLIENT.encode(record)]
    return [record]


def provision(records: Iterable[Provisioned]) -> None:
    """Create every record and its uniqueness items, or none (UniquenessError names the clash)."""
    store.write_all_or_nothing([item for record in records for item in _items(record)])


def remove_user(user: User, now: datetime | None = None) -> tuple[int, int]:
    """`admin user remove` (10-auth §2.2): revoke the user's PATs and grants, then delete the user.
    Returns (revoked PATs, revoked grants)."""
    now = now or clock.now()
    revoked = pat_service.revoke_all_of_user(user.organization_id, user.id, now)
    grants = oauth_store.revoke_user_grants(user.id, now)
    store.remove_user(user)
    # Event types listing the user in hosts[] change shape: they emit event_type.updated (§2.10).
    event_types.refresh_for_host(user.organization_id, user.id, now, get_settings().booking_page_base_url)
    return revoked, grants


def raw_user(user: User) -> dict[str, Any]:
    """The stored user item, for the scheduling family's store functions that still take a mapping."""
    return store.USER.encode(user)


def raw_team(team: Team) -> dict[str, Any]:
    return store.TEAM.encode(team)


def set_default_schedule(user: User, document: dict[str, Any]) -> dict[str, Any]:
    """`admin schedule set`: replace the default schedule; user-owned event types whose time zone
    came from it emit `event_type.updated` when the zone changed. Returns the new schedule."""
    assert user.default_schedule_id is not None
    old = store.get_schedule(user.organization_id, user.default_schedule_id)
    raw = raw_user(user)
    schedule = store.replace_default_schedule(raw, document)
    event_types.refresh_after_schedule_change(
        raw,
        old.timezone if old else None,
        document["timezone"],
        clock.now(),
        get_settings().booking_page_base_url,
    )
    return schedule
