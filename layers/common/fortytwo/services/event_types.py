"""Event types: the API reads (20-scheduling §3) and the admin/seed writes (60-operations §2.1, §4).

Reads return the contract's views. Every change is load → decide → commit: the caller's event
type (read earlier: a change is conditional on the version it was read at, so a stale one is a
conflict, not a retry) and the facts its detail view needs → one pure plan
(`domain.event_type_entity.plan_*`) → one transaction holding the outbox event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from fortytwo.contract.errors import EventTypeNotFound, InvalidRequest
from fortytwo.domain.event_type_entity import (
    EventType,
    EventTypeChange,
    Owner,
    OwnerUser,
    listing_host,
    new_event_type,
    plan_delete,
    plan_touch,
    plan_update,
    uses_default_schedule_of,
    view,
    with_fields,
)
from fortytwo.domain.event_types import ByUsernameSlug, classify_identifier, is_valid_slug
from fortytwo.domain.ids import normalize_uuid, uuid7
from fortytwo.store import event_types as store
from fortytwo.store.event_types import TeamFound
from fortytwo.store.transactions import LostRace

USERNAME_MAX = 127
BARE_SLUG_MESSAGE = (
    "A bare slug is ambiguous. Use username/slug (encoded as username%2Fslug) "
    "or GET /v1/event-types?slug={slug}"
)
MALFORMED_MESSAGE = "The identifier must be an event type id or username/slug (encoded as username%2Fslug)"


class SlugTaken(Exception):
    """The owner already has a non-deleted event type with this slug."""


class EventTypeConflict(Exception):
    """The event type changed since it was read (version mismatch) or was deleted meanwhile."""


# --------------------------------------------------------------------------- reads


def get(org_id: str, event_type_id: str, *, consistent: bool = False) -> EventType | None:
    return store.load(org_id, event_type_id, consistent=consistent)


def by_bare_id(event_type_id: str) -> EventType | None:
    """Any organization's event type by id (admin commands)."""
    return store.load_by_bare_id(event_type_id)


def by_owner_slug(org_id: str, owner_id: str, slug: str, *, consistent: bool = False) -> EventType | None:
    return store.load_by_owner_slug(org_id, owner_id, slug, consistent=consistent)


def resolve(org_id: str, target: str | ByUsernameSlug) -> EventType | None:
    """The organization's event type by id or `username/slug`; None when no event type can match."""
    if isinstance(target, str):
        return store.load(org_id, target)
    if len(target.username) > USERNAME_MAX or not is_valid_slug(target.slug):
        return None  # no event type can have this identifier
    return store.load_by_username_slug(org_id, target.username, target.slug)


def detail(event_type: EventType, base_url: str, *, consistent: bool = False) -> dict[str, Any]:
    """`GET /v1/event-types/{id}` of one event type."""
    facts = store.load_view_facts([event_type], consistent=consistent)
    return view(event_type, facts, base_url, detail=True)


def detail_by_identifier(org_id: str, decoded: str, base_url: str) -> dict[str, Any]:
    """§3.4: the percent-decoded `{idOrSlug}` → the detail, or the contract's error."""
    kind, value = classify_identifier(decoded)
    if kind == "bare_slug":
        raise InvalidRequest(BARE_SLUG_MESSAGE.format(slug=decoded))
    if kind == "malformed" or value is None:
        raise InvalidRequest(MALFORMED_MESSAGE)
    found = resolve(org_id, value)
    if found is None:
        raise EventTypeNotFound()
    return detail(found, base_url)


@dataclass(frozen=True, slots=True)
class Page:
    data: list[dict[str, Any]]
    # keyset position (sort value, id) of the last row when more rows exist
    next_after: tuple[str, str] | None


def list_page(
    org_id: str,
    *,
    sort: str,
    limit: int,
    after: tuple[str, str] | None,
    base_url: str,
    user_id: str | None = None,
    slug: str | None = None,
    active: bool | None = None,
) -> Page:
    """`GET /v1/event-types`: one keyset page of list items (one Query, one BatchGetItem)."""
    found, has_more = store.load_page(
        org_id, sort=sort, limit=limit, after=after, user_id=user_id, slug=slug, active=active
    )
    facts = store.load_view_facts(found)
    data = [view(event_type, facts, base_url, detail=False) for event_type in found]
    next_after = (store.sort_value(found[-1], sort), found[-1].id) if has_more and found else None
    return Page(data, next_after)


# --------------------------------------------------------------------------- writes


def create(owner: Owner, fields: Mapping[str, Any], now: datetime, base_url: str) -> dict[str, Any]:
    """A new event type (no webhook on create, §2.10); returns its detail. Raises `SlugTaken`."""
    event_type = new_event_type(event_type_id=uuid7(), owner=owner, fields=fields, now=now)
    try:
        store.commit_create(event_type)
    except LostRace as lost:
        if store.KIND_SLUG_LOCK in lost.kinds:
            raise SlugTaken(event_type.slug) from lost
        raise EventTypeConflict("the event type could not be created") from lost
    return detail(event_type, base_url, consistent=True)


def seed_items(owner: Owner, fields: Mapping[str, Any], now: datetime) -> tuple[str, list[dict[str, Any]]]:
    """(id, items) of a new event type for a seed file's all-or-nothing write."""
    event_type = new_event_type(event_type_id=uuid7(), owner=owner, fields=fields, now=now)
    return event_type.id, store.creation_items(event_type)


def _commit(change: EventTypeChange) -> dict[str, Any]:
    try:
        store.commit_change(change)
    except LostRace as lost:
        if store.KIND_SLUG_LOCK in lost.kinds:
            raise SlugTaken(change.after.slug) from lost
        raise EventTypeConflict("the event type changed meanwhile") from lost
    return change.detail


def update(
    event_type: EventType, fields: Mapping[str, Any], now: datetime, base_url: str
) -> tuple[EventType, dict[str, Any] | None]:
    """Apply validated document fields. Returns (event type, detail after the change) — the detail
    is None when nothing changed (no write, no event)."""
    after = with_fields(event_type, fields)
    facts = store.load_view_facts([after], consistent=True)
    change = plan_update(event_type, after, facts, base_url, now)
    if change is None:
        return event_type, None
    return change.after, _commit(change)


def set_active(
    event_type: EventType, active: bool, now: datetime, base_url: str
) -> tuple[EventType, dict[str, Any] | None]:
    """Toggle; a toggle to the current state changes nothing and emits nothing."""
    if event_type.active == active:
        return event_type, None
    facts = store.load_view_facts([event_type], consistent=True)
    change = plan_touch(event_type, facts, base_url, now, after=replace(event_type, active=active))
    return change.after, _commit(change)


def touch(event_type: EventType, now: datetime, base_url: str) -> dict[str, Any]:
    """A change outside the event type altered its detail: `event_type.updated` (§2.10)."""
    facts = store.load_view_facts([event_type], consistent=True)
    return _commit(plan_touch(event_type, facts, base_url, now))


def delete(event_type: EventType, now: datetime, base_url: str) -> dict[str, Any]:
    """Tombstone with `event_type.deleted`; returns the detail as it was just before."""
    facts = store.load_view_facts([event_type], consistent=True)
    return _commit(plan_delete(event_type, facts, base_url, now))


def refresh_after_schedule_change(
    user: Mapping[str, Any], old_timezone: str | None, new_timezone: str, now: datetime, base_url: str
) -> list[dict[str, Any]]:
    """After `admin schedule set` on `user` (its stored record): the user-owned event types whose
    `timezone` comes from the changed schedule emit `event_type.updated` when that timezone changed.
    Returns their new details."""
    if old_timezone == new_timezone:
        return []
    affected = uses_default_schedule_of(
        store.load_all(user["organization_id"]), user["id"], user["default_schedule_id"]
    )
    return [touch(event_type, now, base_url) for event_type in affected]


def refresh_for_host(org_id: str, user_id: str, now: datetime, base_url: str) -> list[dict[str, Any]]:
    """After a change to a host's name or username, or their removal: every event type listing the
    user in `hosts[]` emits `event_type.updated` (§2.10). Returns the new details."""
    return [touch(event_type, now, base_url) for event_type in listing_host(store.load_all(org_id), user_id)]


# --------------------------------------------------------------------------- owners (admin commands)


class OwnerNotFound(Exception):
    """The user, team or organization an admin command names does not exist (or is ambiguous)."""


def owner_user(ref: str) -> OwnerUser:
    found = store.load_owner_user(ref)
    if found is None:
        raise OwnerNotFound(f"no user {ref!r}")
    return found


def owner_team(ref: str, *, slug: str, org_ref: str | None) -> TeamFound:
    """A team by id or name (`slug`: the name's team slug); without `org_ref` every organization is
    searched (an admin-only scan)."""
    team_id = normalize_uuid(ref)
    if org_ref is not None:
        org = store.load_org_id(org_ref)
        if org is None:
            raise OwnerNotFound(f"no organization {org_ref!r}")
        found = store.load_team_in_org(org[0], team_id, ref)
        if found is None:
            raise OwnerNotFound(f"no team {ref!r} in organization {org[1]!r}")
        return found
    matches = store.scan_teams(team_id, ref, slug)
    if not matches:
        raise OwnerNotFound(f"no team {ref!r}")
    if len(matches) > 1:
        raise OwnerNotFound(f"several teams match {ref!r}; add --org")
    return matches[0]
