"""Event type items (docs/single-table.md): typed readers and one commit per plan.

Item: pk `ORG#<org>`, sk `ET#<id>`, every field of `domain.event_type_entity.EventType` (20-scheduling
§2.5 plus `host_refs` in `hosts[]` order, `host_ids` for the list's `user_id` filter and `team_slug`
for team URLs), so slots read the hosts' users and schedules with one BatchGetItem and no team read.
gsi1 `ACCT#<org>#ET` / `<created_at>#<id>` and gsi2 `ACCT#<org>#ET` / `<title key>#<id>` while the
event type is not deleted; the tombstone drops them (§2.10).

Beside it: the slug lock `ORG#<org>` / `ETSLUG#<owner id>#<slug>` (a slug is unique per owner among
non-deleted event types) and the pointer `ETID#<id>` / `ETID` → organization (admin commands take a
bare id).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fortytwo.domain import event_types as rules
from fortytwo.domain.event_type_entity import (
    EventType,
    EventTypeChange,
    HostUser,
    OwnerTeam,
    OwnerUser,
    ViewFacts,
    used_schedule_id,
)
from fortytwo.domain.timefmt import format_ts
from fortytwo.store import accounts, dynamo, keys, outbox
from fortytwo.store.schema import ItemSchema
from fortytwo.store.transactions import transact

SORTS: dict[str, tuple[str, bool]] = {  # sort → (index, ascending)
    "created_at_desc": ("gsi1", False),
    "created_at_asc": ("gsi1", True),
    "title_asc": ("gsi2", True),
}
# A GSI sort key holds at most 1024 bytes: the hex title key keeps its first 480 UTF-8 bytes.
_TITLE_KEY_BYTES = 480

# The roles of a commit's items, as `transactions.LostRace.kinds` names them.
KIND_EVENT_TYPE = "event_type"
KIND_SLUG_LOCK = "slug_lock"
KIND_OLD_SLUG_LOCK = "old_slug_lock"
KIND_POINTER = "pointer"
KIND_OUTBOX = "outbox"


def title_sort_key(title_key: str, event_type_id: str) -> str:
    """Hex of the case-folded title's UTF-8 bytes, then `#<id>`.

    Hex keeps byte order (which is code point order) and makes every title key sort before its
    own extensions, because `#` sorts below every hex digit ("a" < "a b" holds).
    """
    return keys.event_type_title_sort(title_key.encode("utf-8")[:_TITLE_KEY_BYTES].hex(), event_type_id)


def _list_keys(event_type: EventType, index: str) -> tuple[str, str] | None:
    if event_type.deleted:
        return None
    partition = keys.event_types_of_account(event_type.organization_id)
    if index == "gsi1":
        return partition, keys.event_type_created_sort(format_ts(event_type.created_at), event_type.id)
    return partition, title_sort_key(rules.title_key(event_type.title), event_type.id)


EVENT_TYPE: ItemSchema[EventType] = ItemSchema(
    type="event_type",
    entity=EventType,
    key=lambda et: keys.event_type(et.organization_id, et.id),
    indexes={"gsi1": lambda et: _list_keys(et, "gsi1"), "gsi2": lambda et: _list_keys(et, "gsi2")},
)


@dataclass(frozen=True, slots=True)
class SlugLock:
    organization_id: str
    owner_id: str
    slug: str
    event_type_id: str


SLUG_LOCK: ItemSchema[SlugLock] = ItemSchema(
    type="event_type_slug",
    entity=SlugLock,
    key=lambda lock: keys.event_type_slug(lock.organization_id, lock.owner_id, lock.slug),
)


@dataclass(frozen=True, slots=True)
class Pointer:
    event_type_id: str
    organization_id: str


POINTER: ItemSchema[Pointer] = ItemSchema(
    type="event_type_pointer",
    entity=Pointer,
    key=lambda pointer: keys.event_type_pointer(pointer.event_type_id),
)


def _lock(event_type: EventType) -> SlugLock:
    return SlugLock(event_type.organization_id, event_type.owner_id, event_type.slug, event_type.id)


# --------------------------------------------------------------------------- reads


def load(org_id: str, event_type_id: str, *, consistent: bool = False) -> EventType | None:
    """A non-deleted event type of the organization, or None (one GetItem)."""
    found = EVENT_TYPE.decode_optional(
        dynamo.get(*keys.event_type(org_id, event_type_id), consistent=consistent)
    )
    return None if found is None or found.deleted else found


def load_by_bare_id(event_type_id: str) -> EventType | None:
    """Any organization's event type by id (admin commands): the pointer, then the item."""
    pointer = dynamo.get(*keys.event_type_pointer(event_type_id.lower()), consistent=True)
    if pointer is None:
        return None
    return load(POINTER.decode(pointer).organization_id, event_type_id.lower(), consistent=True)


def load_by_owner_slug(org_id: str, owner: str, slug: str, *, consistent: bool = False) -> EventType | None:
    lock = SLUG_LOCK.decode_optional(
        dynamo.get(*keys.event_type_slug(org_id, owner, slug), consistent=consistent)
    )
    if lock is None:
        return None
    found = load(org_id, lock.event_type_id, consistent=consistent)
    return found if found is not None and found.owner_id == owner else None


def load_by_username_slug(org_id: str, username: str, slug: str) -> EventType | None:
    """The user-owned event type `username/slug` in the organization (§3.4 rule 2); ≤ 3 GetItems."""
    pointer = dynamo.get(*keys.username(username))
    if pointer is None or pointer.get("organization_id") != org_id:
        return None
    found = load_by_owner_slug(org_id, pointer["user_id"], slug)
    return found if found is not None and found.owner_user_id == pointer["user_id"] else None


def sort_value(event_type: EventType, sort: str) -> str:
    """The cursor's keyset value of an event type under `sort` (§3.3)."""
    if sort == "title_asc":
        return rules.title_key(event_type.title)
    return format_ts(event_type.created_at)


def _start_key(org_id: str, sort: str, after: tuple[str, str]) -> dict[str, Any]:
    value, last_id = after
    index, _ = SORTS[sort]
    pk, sk = keys.event_type(org_id, last_id)
    index_sk = (
        title_sort_key(value, last_id) if index == "gsi2" else keys.event_type_created_sort(value, last_id)
    )
    partition = keys.event_types_of_account(org_id)
    return dynamo.to_item({"pk": pk, "sk": sk, f"{index}pk": partition, f"{index}sk": index_sk})


def load_page(
    org_id: str,
    *,
    sort: str,
    limit: int,
    after: tuple[str, str] | None = None,
    user_id: str | None = None,
    slug: str | None = None,
    active: bool | None = None,
) -> tuple[list[EventType], bool]:
    """One keyset page: up to `limit` event types after `after` (sort value, id), and whether more exist.

    Reads `limit + 1` matching items; filters make DynamoDB skip items, so the Query repeats from
    its LastEvaluatedKey until enough matched or the index ends.
    """
    index, ascending = SORTS[sort]
    filters: list[str] = []
    names: dict[str, str] = {}
    values: dict[str, Any] = {":p": keys.event_types_of_account(org_id)}
    if user_id is not None:
        filters.append("contains(#hosts, :u)")
        names["#hosts"], values[":u"] = "host_ids", user_id
    if slug is not None:
        filters.append("#slug = :s")
        names["#slug"], values[":s"] = "slug", slug
    if active is not None:
        filters.append("#active = :a")
        names["#active"], values[":a"] = "active", active
    return dynamo.query_page(
        EVENT_TYPE.decode,
        limit,
        index=index,
        key_condition=f"{index}pk = :p",
        values_=values,
        names=names,
        forward=ascending,
        filters=filters,
        start_key=_start_key(org_id, sort, after) if after is not None else None,
        filtered_batch=25,
    )


def load_all(org_id: str) -> list[EventType]:
    """Every non-deleted event type of an organization (admin refreshes)."""
    items = dynamo.query_all(
        key_condition="gsi1pk = :p", values_={":p": keys.event_types_of_account(org_id)}, index="gsi1"
    )
    return [EVENT_TYPE.decode(item) for item in items]


def load_view_facts(event_types: Iterable[EventType], *, consistent: bool = False) -> ViewFacts:
    """The hosts' users and the used schedules the views of `event_types` need: one BatchGetItem."""
    wanted: list[tuple[str, str]] = []
    for event_type in event_types:
        org_id = event_type.organization_id
        wanted.extend(keys.user(org_id, user_id) for user_id in event_type.host_ids)
        schedule_id = used_schedule_id(event_type)
        if schedule_id is not None:
            wanted.append(keys.schedule(org_id, schedule_id))
    if not wanted:
        return ViewFacts()
    users: dict[str, HostUser] = {}
    timezones: dict[str, str] = {}
    for item in dynamo.batch_get(wanted, consistent=consistent):
        if item.get("type") == "user":
            users[item["id"]] = HostUser(
                item["id"], item.get("username"), item.get("first_name"), item.get("last_name")
            )
        elif item.get("type") == "schedule" and item.get("timezone"):
            timezones[item["id"]] = item["timezone"]
    return ViewFacts(users, timezones)


# --------------------------------------------------------------------------- commits


def creation_items(event_type: EventType) -> list[dynamo.Item]:
    """The items of a new event type (none may exist yet): seeds add them to their own write."""
    return [
        EVENT_TYPE.encode(event_type),
        SLUG_LOCK.encode(_lock(event_type)),
        POINTER.encode(Pointer(event_type.id, event_type.organization_id)),
    ]


def commit_create(event_type: EventType) -> None:
    """One TransactWriteItems (no webhook on create, §2.10); LostRace names `slug_lock` when taken."""
    transact(
        [dynamo.put_new(item) for item in creation_items(event_type)],
        [KIND_EVENT_TYPE, KIND_SLUG_LOCK, KIND_POINTER],
    )


def commit_change(change: EventTypeChange) -> None:
    """One TransactWriteItems: the event type if still at the version read, the slug lock moved or
    released, the outbox event. LostRace names the failed conditions' kinds."""
    operations: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": dynamo.table_name(),
                "Item": dynamo.to_item(EVENT_TYPE.encode(change.after)),
                "ConditionExpression": "version = :v",
                "ExpressionAttributeValues": dynamo.values({":v": change.expected_version}),
            }
        }
    ]
    kinds = [KIND_EVENT_TYPE]
    if change.releases_slug:
        pk, sk = SLUG_LOCK.key(_lock(change.before))
        operations.append(
            {
                "Delete": {
                    "TableName": dynamo.table_name(),
                    "Key": dynamo.key(pk, sk),
                    "ConditionExpression": "event_type_id = :id",
                    "ExpressionAttributeValues": dynamo.values({":id": change.before.id}),
                }
            }
        )
        kinds.append(KIND_OLD_SLUG_LOCK)
    if change.claims_slug:
        operations.append(dynamo.put_new(SLUG_LOCK.encode(_lock(change.after))))
        kinds.append(KIND_SLUG_LOCK)
    operations.append(outbox.transact_put(change.event))
    kinds.append(KIND_OUTBOX)
    transact(operations, kinds)


# --------------------------------------------------------------------------- stored records
# `store/availability.load_inputs` and `store/bookings` still read an event type as its stored
# record (a mapping of the item's attributes). These give them exactly what they read before; they
# go once those readers take the `EventType` entity.

_ITEM_ONLY = ("pk", "sk", "type", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk")


def stored_record(event_type: EventType) -> dict[str, Any]:
    """The event type as its stored attributes (keys and index keys left out)."""
    return {k: v for k, v in EVENT_TYPE.encode(event_type).items() if k not in _ITEM_ONLY}


def item_key(org_id: str, event_type_id: str) -> tuple[str, str]:
    return keys.event_type(org_id, event_type_id)


def get(org_id: str, event_type_id: str, *, consistent: bool = False) -> dict[str, Any] | None:
    found = load(org_id, event_type_id, consistent=consistent)
    return stored_record(found) if found is not None else None


def find_by_username_slug(org_id: str, username: str, slug: str) -> dict[str, Any] | None:
    found = load_by_username_slug(org_id, username, slug)
    return stored_record(found) if found is not None else None


# --------------------------------------------------------------------------- owners (admin commands)


def load_owner_user(ref: str) -> OwnerUser | None:
    """A user (username or id) as the owner of new event types."""
    user = accounts.find_user(ref)
    return OwnerUser.of(user) if user is not None else None


def load_org_id(ref: str) -> tuple[str, str] | None:
    """(id, name) of an organization given by id or name."""
    org = accounts.find_org(ref)
    return (org["id"], org["name"]) if org is not None else None


@dataclass(frozen=True, slots=True)
class TeamFound:
    """A team as admin commands find it: the owner (with the members that still exist) and the ids
    of members whose user is gone."""

    name: str
    owner: OwnerTeam
    missing_members: tuple[str, ...] = ()


def _team(item: Mapping[str, Any]) -> TeamFound:
    org_id = item["organization_id"]
    found = {u["id"]: u for u in dynamo.batch_get([keys.user(org_id, m) for m in item["members"]])}
    missing = tuple(m for m in item["members"] if m not in found)
    members = tuple(OwnerUser.of(found[m]) for m in item["members"] if m in found)
    return TeamFound(item["name"], OwnerTeam(item["id"], org_id, item["slug"], members), missing)


def load_team_in_org(org_id: str, team_id: str | None, name: str) -> TeamFound | None:
    """A team of the organization by id, else by name."""
    if team_id is not None:
        item = dynamo.get(*keys.team(org_id, team_id))
        if item is not None:
            return _team(item)
    pointer = dynamo.get(*keys.team_name(org_id, name))
    item = dynamo.get(*keys.team(org_id, pointer["team_id"])) if pointer is not None else None
    return _team(item) if item is not None else None


def scan_teams(team_id: str | None, name: str, slug: str) -> list[TeamFound]:
    """Teams of every organization matching an id or slug, exact id/name matches preferred (an
    admin-only scan, for `--team` without `--org`)."""
    matches: list[dynamo.Item] = []
    kwargs: dict[str, Any] = {
        "TableName": dynamo.table_name(),
        "FilterExpression": "#t = :team AND (id = :id OR slug = :slug)",
        "ExpressionAttributeNames": {"#t": "type"},
        "ExpressionAttributeValues": dynamo.values({":team": "team", ":id": team_id or "", ":slug": slug}),
    }
    while True:
        response = dynamo.client().scan(**kwargs)
        matches += [dynamo.from_item(i) or {} for i in response.get("Items", [])]
        if not response.get("LastEvaluatedKey"):
            break
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    exact = [t for t in matches if t.get("id") == team_id or t.get("name", "").casefold() == name.casefold()]
    return [_team(item) for item in exact or matches]
