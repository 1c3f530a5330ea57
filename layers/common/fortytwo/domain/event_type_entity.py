"""The event type entity, its changes as plans, and its REST views (20-scheduling §2.5–2.10, §3).

Pure. `EventType` holds every stored field (the item schema in `store/event_types.py` encodes it
field by field); a change is decided here as an `EventTypeChange` plan — the entity after, the
version it was read at, and the outbox event carrying the detail view — that the store commits in
one transaction. The views are the contract's `EventType` / `EventTypeDetail` objects (key order
as documented); the hosts' names and the used schedule's timezone come in as `ViewFacts`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fortytwo.domain.event_types import DOCUMENT_FIELDS, minimum_notice_hours
from fortytwo.domain.timefmt import format_ts
from fortytwo.domain.users import display_name
from fortytwo.domain.webhooks.envelope import OutboxEvent, event_type_event_data, new_outbox_event


@dataclass(frozen=True, slots=True)
class HostRef:
    """A host in `hosts[]` order: the schedule this event type uses and the host's default one."""

    user_id: str
    schedule_id: str
    default_schedule_id: str


@dataclass(frozen=True, slots=True)
class Location:
    type: str
    label: str
    value: str | None = None


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    key: str
    label: str
    type: str
    required: bool = False
    options: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class EventType:
    """One stored event type; field names are the stored attribute names (docs/single-table.md)."""

    id: str
    organization_id: str
    owner_user_id: str | None
    owner_team_id: str | None
    team_slug: str | None
    slug: str
    title: str
    created_at: datetime
    updated_at: datetime
    description: str | None
    duration_minutes: int
    slot_increment_minutes: int | None
    scheduling_type: str
    seats: int | None
    active: bool
    buffer_before_minutes: int
    buffer_after_minutes: int
    minimum_notice_minutes: int
    future_limit_days: int
    max_bookings_per_day: int | None
    max_bookings_per_week: int | None
    max_bookings_per_month: int | None
    requires_confirmation: bool
    allow_reschedule: bool
    allow_cancel: bool
    color: str
    locations: tuple[Location, ...]
    questions: tuple[Question, ...]
    schedule_id: str | None
    # 35-series §13.4; a default because items written before the field lack it (`takes_series`).
    allow_series: bool = True
    host_refs: tuple[HostRef, ...] = ()
    host_ids: tuple[str, ...] = ()
    deleted_at: datetime | None = None
    version: int = 1

    @property
    def owner_id(self) -> str:
        """The user or team whose slugs this event type's slug must not repeat."""
        owner = self.owner_user_id or self.owner_team_id
        assert owner is not None
        return owner

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def takes_series(self) -> bool:
        """`allow_series` as served: never true for group (an older group item decodes the default)."""
        return self.allow_series and self.scheduling_type != "group"


@dataclass(frozen=True, slots=True)
class OwnerUser:
    """What creating a user-owned event type needs of the owner (also: a team member)."""

    id: str
    organization_id: str
    default_schedule_id: str

    @classmethod
    def of(cls, user: Mapping[str, Any]) -> OwnerUser:
        """From a stored user record (seed files and the accounts store hand those over)."""
        return cls(user["id"], user["organization_id"], user["default_schedule_id"])


@dataclass(frozen=True, slots=True)
class OwnerTeam:
    id: str
    organization_id: str
    slug: str
    members: tuple[OwnerUser, ...]  # in team order


Owner = OwnerUser | OwnerTeam


# --------------------------------------------------------------------------- fields


def _document_values(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Validated document fields (`parse_event_type_document`) as entity field values."""
    values = {name: fields[name] for name in DOCUMENT_FIELDS}
    values["locations"] = tuple(
        Location(loc["type"], loc["label"], loc.get("value")) for loc in fields["locations"]
    )
    values["questions"] = tuple(
        Question(
            id=q["id"],
            key=q["key"],
            label=q["label"],
            type=q["type"],
            required=bool(q.get("required", False)),
            options=tuple(q["options"]) if q.get("options") is not None else None,
        )
        for q in fields["questions"]
    )
    return values


def to_document(event_type: EventType) -> dict[str, Any]:
    """The document fields of an event type (the base of an update)."""
    document = {name: getattr(event_type, name) for name in DOCUMENT_FIELDS}
    document["locations"] = [dataclasses.asdict(loc) for loc in event_type.locations]
    document["questions"] = [
        {**dataclasses.asdict(q), "options": list(q.options) if q.options is not None else None}
        for q in event_type.questions
    ]
    return document


def host_ref(user: OwnerUser, schedule_id: str | None = None) -> HostRef:
    return HostRef(user.id, schedule_id or user.default_schedule_id, user.default_schedule_id)


def new_event_type(
    *, event_type_id: str, owner: Owner, fields: Mapping[str, Any], now: datetime
) -> EventType:
    """A new event type from validated document fields: the owner user with the schedule it uses,
    or the team with its members (each with their default schedule) as hosts."""
    if isinstance(owner, OwnerUser):
        refs: tuple[HostRef, ...] = (host_ref(owner, fields.get("schedule_id")),)
    else:
        refs = tuple(host_ref(member) for member in owner.members)
    return EventType(
        id=event_type_id,
        organization_id=owner.organization_id,
        owner_user_id=owner.id if isinstance(owner, OwnerUser) else None,
        owner_team_id=owner.id if isinstance(owner, OwnerTeam) else None,
        team_slug=owner.slug if isinstance(owner, OwnerTeam) else None,
        created_at=now,
        updated_at=now,
        host_refs=refs,
        host_ids=tuple(ref.user_id for ref in refs),
        **_document_values(fields),
    )


def with_fields(event_type: EventType, fields: Mapping[str, Any]) -> EventType:
    """The event type with validated document fields applied (a user owner's `schedule_id` picks
    the schedule its host uses; null means the default one)."""
    values = _document_values(fields)
    if event_type.owner_user_id and event_type.host_refs:
        first = event_type.host_refs[0]
        chosen = fields.get("schedule_id") or first.default_schedule_id
        values["host_refs"] = (dataclasses.replace(first, schedule_id=chosen), *event_type.host_refs[1:])
    return dataclasses.replace(event_type, **values)


# --------------------------------------------------------------------------- views


@dataclass(frozen=True, slots=True)
class HostUser:
    """What the views need about a host (§2.2 display name rule)."""

    user_id: str
    username: str | None
    first_name: str | None = None
    last_name: str | None = None

    def to_data(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "username": self.username,
            "name": display_name(self.first_name, self.last_name),
        }


@dataclass(frozen=True, slots=True)
class ViewFacts:
    """The hosts (by user id; a removed user is absent) and schedule timezones (by schedule id)
    the views of some event types need."""

    users: Mapping[str, HostUser] = field(default_factory=dict)
    schedule_timezones: Mapping[str, str] = field(default_factory=dict)


def event_type_url(
    base_url: str, slug: str, *, username: str | None = None, team_slug: str | None = None
) -> str | None:
    """`<base>/<username>/<slug>` or `<base>/team/<team-slug>/<slug>` (§3.1)."""
    base = base_url.rstrip("/")
    if team_slug is not None:
        return f"{base}/team/{team_slug}/{slug}"
    if username is not None:
        return f"{base}/{username}/{slug}"
    return None


def used_schedule_id(event_type: EventType) -> str | None:
    """The schedule giving a user-owned event type its `timezone`; team-owned: none (§3.1)."""
    if not event_type.owner_user_id or not event_type.host_refs:
        return None
    return event_type.host_refs[0].schedule_id


def list_view(
    event_type: EventType, *, hosts: Sequence[HostUser], url: str | None, timezone: str | None
) -> dict[str, Any]:
    """`EventType` (§3.1), keys in contract order."""
    return {
        "id": event_type.id,
        "slug": event_type.slug,
        "title": event_type.title,
        "description": event_type.description,
        "duration_minutes": event_type.duration_minutes,
        "active": event_type.active,
        "scheduling_type": event_type.scheduling_type,
        "hosts": [host.to_data() for host in hosts],
        "url": url,
        "color": event_type.color,
        "buffer_before_minutes": event_type.buffer_before_minutes,
        "buffer_after_minutes": event_type.buffer_after_minutes,
        "minimum_notice_hours": minimum_notice_hours(event_type.minimum_notice_minutes),
        "future_limit_days": event_type.future_limit_days,
        "timezone": timezone,
        "created_at": format_ts(event_type.created_at),
        "updated_at": format_ts(event_type.updated_at),
    }


def detail_view(
    event_type: EventType, *, hosts: Sequence[HostUser], url: str | None, timezone: str | None
) -> dict[str, Any]:
    """`EventTypeDetail` (§3.2): the list item plus the detail fields."""
    data = list_view(event_type, hosts=hosts, url=url, timezone=timezone)
    data["locations"] = [
        {"type": loc.type, "label": loc.label, "value": loc.value} for loc in event_type.locations
    ]
    data["questions"] = [
        {
            "id": f"q_{q.key}",
            "key": q.key,
            "label": q.label,
            "type": q.type,
            "required": q.required,
            "options": list(q.options) if q.options is not None else None,
        }
        for q in event_type.questions
    ]
    data["max_bookings_per_day"] = event_type.max_bookings_per_day
    data["max_bookings_per_week"] = event_type.max_bookings_per_week
    data["max_bookings_per_month"] = event_type.max_bookings_per_month
    data["requires_confirmation"] = event_type.requires_confirmation
    data["allow_reschedule"] = event_type.allow_reschedule
    data["allow_cancel"] = event_type.allow_cancel
    data["allow_series"] = event_type.takes_series
    return data


def view(event_type: EventType, facts: ViewFacts, base_url: str, *, detail: bool) -> dict[str, Any]:
    """The list item or the detail of an event type, hosts and timezone resolved from `facts`."""
    hosts = [facts.users[user_id] for user_id in event_type.host_ids if user_id in facts.users]
    if event_type.owner_team_id:
        url = event_type_url(base_url, event_type.slug, team_slug=event_type.team_slug)
    else:
        owner = facts.users.get(event_type.owner_user_id or "")
        url = event_type_url(base_url, event_type.slug, username=owner.username if owner else None)
    schedule_id = used_schedule_id(event_type)
    timezone = facts.schedule_timezones.get(schedule_id) if schedule_id else None
    build = detail_view if detail else list_view
    return build(event_type, hosts=hosts, url=url, timezone=timezone)


# --------------------------------------------------------------------------- changes


@dataclass(frozen=True, slots=True)
class EventTypeChange:
    """A change after creation: store `after` if the item is still at `expected_version`, move or
    drop the slug lock of `before`, and write `event` (its data = `detail`) — one transaction."""

    before: EventType
    after: EventType
    event: OutboxEvent
    detail: dict[str, Any]

    @property
    def expected_version(self) -> int:
        return self.before.version

    @property
    def releases_slug(self) -> bool:
        return self.after.deleted or self.after.slug != self.before.slug

    @property
    def claims_slug(self) -> bool:
        return not self.after.deleted and self.after.slug != self.before.slug


_CHANGED_BY_DOCUMENT = (*DOCUMENT_FIELDS, "host_refs")


def _bumped(before: EventType, after: EventType, now: datetime) -> EventType:
    return dataclasses.replace(after, version=before.version + 1, updated_at=now)


def plan_update(
    before: EventType, after: EventType, facts: ViewFacts, base_url: str, now: datetime
) -> EventTypeChange | None:
    """`event_type.updated` for `after` (version + 1, updated_at = now); None when no stored field
    differs (no write, no event)."""
    if all(getattr(after, name) == getattr(before, name) for name in _CHANGED_BY_DOCUMENT):
        return None
    return plan_touch(before, facts, base_url, now, after=after)


def plan_touch(
    before: EventType, facts: ViewFacts, base_url: str, now: datetime, *, after: EventType | None = None
) -> EventTypeChange:
    """A change outside the event type altered its detail (a schedule's timezone, a host's name), or
    `after` holds new fields: `updated_at` = now and `event_type.updated` (§2.10)."""
    stored = _bumped(before, after or before, now)
    detail = view(stored, facts, base_url, detail=True)
    event = _event("event_type.updated", stored, detail, now)
    return EventTypeChange(before, stored, event, detail)


def plan_delete(before: EventType, facts: ViewFacts, base_url: str, now: datetime) -> EventTypeChange:
    """Tombstone: `deleted_at` set (list keys and slug lock go), `event_type.deleted` carrying the
    detail as it was just before."""
    detail = view(before, facts, base_url, detail=True)
    after = dataclasses.replace(before, deleted_at=now, version=before.version + 1)
    return EventTypeChange(before, after, _event("event_type.deleted", before, detail, now), detail)


def _event(name: str, event_type: EventType, detail: Mapping[str, Any], now: datetime) -> OutboxEvent:
    return new_outbox_event(name, event_type.organization_id, now, event_type_event_data(name, detail))


def uses_default_schedule_of(
    event_types: Iterable[EventType], user_id: str, schedule_id: str
) -> list[EventType]:
    """The user-owned event types of `user_id` whose timezone comes from `schedule_id`."""
    return [
        et
        for et in event_types
        if et.owner_user_id == user_id and et.host_refs and et.host_refs[0].schedule_id == schedule_id
    ]


def listing_host(event_types: Iterable[EventType], user_id: str) -> list[EventType]:
    """The event types listing `user_id` in `hosts[]`."""
    return [et for et in event_types if user_id in et.host_ids]
