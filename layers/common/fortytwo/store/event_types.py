"""Event type items (docs/single-table.md): create, change with outbox events, reads and list pages.

Item: pk `ORG#<org>`, sk `ET#<id>`, every stored field of 20-scheduling §2.5, plus

- `host_refs`: `[{user_id, schedule_id, default_schedule_id}]` in `hosts[]` order: the owner (with
  the schedule it uses) or the team members (each with their default schedule). Slots read the
  users and schedules with one BatchGetItem without first reading the team.
- `host_ids`: the same user ids (the list's `user_id` filter), `team_slug` for team-owned URLs.
- gsi1 `ACCT#<org>#ET` / `<created_at>#<id>` and gsi2 `ACCT#<org>#ET` / `<title key>#<id>` while
  the event type is not deleted; delete removes them (tombstone, §2.10).

Locks and pointers: `ORG#<org>` / `ETSLUG#<owner id>#<slug>` (slug unique per owner among
non-deleted event types) and `ETID#<id>` / `ETID` → organization (admin commands take a bare id).

Every change after creation is ONE TransactWriteItems conditional on `version`, holding the
outbox event (`event_type.updated` / `event_type.deleted`, data = the detail view).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from fortytwo.domain import event_types as rules
from fortytwo.domain.event_types import HostUser
from fortytwo.domain.timefmt import format_ts
from fortytwo.domain.webhooks.envelope import event_type_event_data, new_outbox_event
from fortytwo.store import dynamo, keys, outbox

SORTS: dict[str, tuple[str, bool]] = {  # sort → (index, ascending)
    "created_at_desc": ("gsi1", False),
    "created_at_asc": ("gsi1", True),
    "title_asc": ("gsi2", True),
}
# A GSI sort key holds at most 1024 bytes: the hex title key keeps its first 480 UTF-8 bytes.
_TITLE_KEY_BYTES = 480


class EventTypeConflict(Exception):
    """The event type changed since it was read (version mismatch) or was deleted meanwhile."""


class SlugTaken(Exception):
    """The owner already has a non-deleted event type with this slug."""


# --------------------------------------------------------------------------- keys


def item_key(org_id: str, event_type_id: str) -> tuple[str, str]:
    return keys.org_partition(org_id), f"ET#{event_type_id}"


def slug_lock_key(org_id: str, owner_id: str, slug: str) -> tuple[str, str]:
    return keys.org_partition(org_id), f"ETSLUG#{owner_id}#{slug}"


def id_pointer_key(event_type_id: str) -> tuple[str, str]:
    return f"ETID#{event_type_id}", "ETID"


def list_partition(org_id: str) -> str:
    return f"ACCT#{org_id}#ET"


def title_sort_key(title_key: str, event_type_id: str) -> str:
    """Hex of the case-folded title's UTF-8 bytes, then `#<id>`.

    Hex keeps byte order (which is code point order) and makes every title key sort before its
    own extensions, because `#` sorts below every hex digit ("a" < "a b" holds).
    """
    return title_key.encode("utf-8")[:_TITLE_KEY_BYTES].hex() + "#" + event_type_id


def created_sort_key(created_at: str, event_type_id: str) -> str:
    return f"{created_at}#{event_type_id}"


def owner_id(record: Mapping[str, Any]) -> str:
    return record.get("owner_user_id") or record["owner_team_id"]


# --------------------------------------------------------------------------- records and items


def host_ref(user: Mapping[str, Any], schedule_id: str | None = None) -> dict[str, str]:
    default = user["default_schedule_id"]
    return {"user_id": user["id"], "schedule_id": schedule_id or default, "default_schedule_id": default}


def new_record(
    *,
    event_type_id: str,
    org_id: str,
    fields: Mapping[str, Any],
    now: datetime,
    owner_user: Mapping[str, Any] | None = None,
    team: Mapping[str, Any] | None = None,
    members: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """A record from validated document fields: exactly one of `owner_user` / `team` (+ its members
    as user records, in team order)."""
    if (owner_user is None) == (team is None):
        raise ValueError("an event type has exactly one owner: a user or a team")
    stamp = format_ts(now)
    if owner_user is not None:
        refs = [host_ref(owner_user, fields.get("schedule_id"))]
    else:
        assert team is not None
        by_id = {member["id"]: member for member in members}
        refs = [host_ref(by_id[user_id]) for user_id in team["members"]]
    return {
        "id": event_type_id,
        "organization_id": org_id,
        "owner_user_id": owner_user["id"] if owner_user is not None else None,
        "owner_team_id": team["id"] if team is not None else None,
        "team_slug": team["slug"] if team is not None else None,
        **{name: fields[name] for name in rules.DOCUMENT_FIELDS},
        "host_refs": refs,
        "host_ids": [ref["user_id"] for ref in refs],
        "created_at": stamp,
        "updated_at": stamp,
        "deleted_at": None,
        "version": 1,
    }


def _item(record: Mapping[str, Any]) -> dynamo.Item:
    pk, sk = item_key(record["organization_id"], record["id"])
    item: dynamo.Item = {"pk": pk, "sk": sk, "type": "event_type", **record}
    if record.get("deleted_at") is None:
        partition = list_partition(record["organization_id"])
        item.update(
            {
                "gsi1pk": partition,
                "gsi1sk": created_sort_key(record["created_at"], record["id"]),
                "gsi2pk": partition,
                "gsi2sk": title_sort_key(rules.title_key(record["title"]), record["id"]),
            }
        )
    return item


_ITEM_ONLY = ("pk", "sk", "type", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk")


def _record(item: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {k: v for k, v in item.items() if k not in _ITEM_ONLY}


def _lock_item(record: Mapping[str, Any]) -> dynamo.Item:
    pk, sk = slug_lock_key(record["organization_id"], owner_id(record), record["slug"])
    return {"pk": pk, "sk": sk, "type": "event_type_slug", "event_type_id": record["id"]}


def _pointer_item(record: Mapping[str, Any]) -> dynamo.Item:
    pk, sk = id_pointer_key(record["id"])
    return {"pk": pk, "sk": sk, "type": "event_type_pointer", "organization_id": record["organization_id"]}


def create_items(record: Mapping[str, Any]) -> list[dynamo.Item]:
    """The items of a new event type (each must not exist yet): seeds add them to their write."""
    return [_item(record), _lock_item(record), _pointer_item(record)]


def _put_new(item: dynamo.Item) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": dynamo.table_name(),
            "Item": dynamo.to_item(item),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def create(record: Mapping[str, Any]) -> None:
    """Create an event type (no webhook on create, §2.10). Raises `SlugTaken`."""
    try:
        dynamo.client().transact_write_items(TransactItems=[_put_new(i) for i in create_items(record)])
    except ClientError as exc:
        reasons = dynamo.transaction_reasons(exc)
        if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
            raise SlugTaken(record["slug"]) from exc
        raise


# --------------------------------------------------------------------------- reads


def get(org_id: str, event_type_id: str, *, consistent: bool = False) -> dict[str, Any] | None:
    """A non-deleted event type of the organization, or None."""
    record = _record(dynamo.get(*item_key(org_id, event_type_id), consistent=consistent))
    if record is None or record.get("deleted_at") is not None:
        return None
    return record


def find_by_id(event_type_id: str) -> dict[str, Any] | None:
    """Any organization's event type by id (admin commands)."""
    pointer = dynamo.get(*id_pointer_key(event_type_id.lower()), consistent=True)
    return get(pointer["organization_id"], event_type_id.lower(), consistent=True) if pointer else None


def find_by_owner_slug(
    org_id: str, owner: str, slug: str, *, consistent: bool = False
) -> dict[str, Any] | None:
    lock = dynamo.get(*slug_lock_key(org_id, owner, slug), consistent=consistent)
    if lock is None:
        return None
    record = get(org_id, lock["event_type_id"], consistent=consistent)
    return record if record is not None and owner_id(record) == owner else None


def find_by_username_slug(org_id: str, username: str, slug: str) -> dict[str, Any] | None:
    """The user-owned event type `username/slug` in the organization (§3.4 rule 2); ≤ 3 GetItems."""
    pointer = dynamo.get(*keys.username(username))
    if pointer is None or pointer.get("organization_id") != org_id:
        return None
    record = find_by_owner_slug(org_id, pointer["user_id"], slug)
    return record if record is not None and record.get("owner_user_id") == pointer["user_id"] else None


def sort_value(record: Mapping[str, Any], sort: str) -> str:
    """The cursor's keyset value of a record under `sort` (§3.3)."""
    return rules.title_key(record["title"]) if sort == "title_asc" else record["created_at"]


def _start_key(org_id: str, sort: str, after: tuple[str, str]) -> dict[str, Any]:
    value, last_id = after
    index, _ = SORTS[sort]
    pk, sk = item_key(org_id, last_id)
    index_sk = title_sort_key(value, last_id) if index == "gsi2" else created_sort_key(value, last_id)
    return dynamo.to_item({"pk": pk, "sk": sk, f"{index}pk": list_partition(org_id), f"{index}sk": index_sk})


def list_page(
    org_id: str,
    *,
    sort: str,
    limit: int,
    after: tuple[str, str] | None = None,
    user_id: str | None = None,
    slug: str | None = None,
    active: bool | None = None,
) -> tuple[list[dict[str, Any]], bool]:
    """One keyset page: up to `limit` records after `after` (sort value, id), and whether more exist.

    Reads `limit + 1` matching items; filters make DynamoDB skip items, so the Query repeats from
    its LastEvaluatedKey until enough matched or the index ends.
    """
    index, ascending = SORTS[sort]
    filters, names, values = [], {}, {":p": list_partition(org_id)}
    if user_id is not None:
        filters.append("contains(#hosts, :u)")
        names["#hosts"], values[":u"] = "host_ids", user_id
    if slug is not None:
        filters.append("#slug = :s")
        names["#slug"], values[":s"] = "slug", slug
    if active is not None:
        filters.append("#active = :a")
        names["#active"], values[":a"] = "active", active
    wanted = limit + 1
    found: list[dict[str, Any]] = []
    start = _start_key(org_id, sort, after) if after is not None else None
    while len(found) < wanted:
        page, start = dynamo.query(
            key_condition=f"{index}pk = :p",
            values_=values,
            names=names or None,
            index=index,
            forward=ascending,
            limit=wanted - len(found) if not filters else max(wanted, 25),
            filter_=" AND ".join(filters) or None,
            start_key=start,
        )
        found.extend(r for r in (_record(i) for i in page) if r is not None)
        if not start:
            break
    found = found[:wanted]
    return found[:limit], len(found) > limit


def list_all(org_id: str) -> list[dict[str, Any]]:
    """Every non-deleted event type of an organization (admin refreshes)."""
    items = dynamo.query_all(
        key_condition="gsi1pk = :p", values_={":p": list_partition(org_id)}, index="gsi1"
    )
    return [r for r in (_record(i) for i in items) if r is not None]


# --------------------------------------------------------------------------- views


@dataclass
class Related:
    """Users and schedules the views of some records need, read in one BatchGetItem."""

    users: dict[str, dynamo.Item] = field(default_factory=dict)
    schedules: dict[str, dynamo.Item] = field(default_factory=dict)


def load_related(records: Iterable[Mapping[str, Any]], *, consistent: bool = False) -> Related:
    wanted: list[tuple[str, str]] = []
    for record in records:
        org_id = record["organization_id"]
        wanted.extend(keys.user(org_id, user_id) for user_id in record.get("host_ids") or [])
        if record.get("owner_user_id") and record.get("host_refs"):
            wanted.append(keys.schedule(org_id, record["host_refs"][0]["schedule_id"]))
    related = Related()
    if not wanted:
        return related
    for item in dynamo.batch_get(wanted, consistent=consistent):
        if item.get("type") == "user":
            related.users[item["id"]] = item
        elif item.get("type") == "schedule":
            related.schedules[item["id"]] = item
    return related


def timezone_of(record: Mapping[str, Any], related: Related) -> str | None:
    """User-owned: the timezone of the schedule it uses; team-owned: None (§3.1)."""
    if not record.get("owner_user_id") or not record.get("host_refs"):
        return None
    schedule = related.schedules.get(record["host_refs"][0]["schedule_id"])
    return schedule.get("timezone") if schedule else None


def _host_users(record: Mapping[str, Any], related: Related) -> list[HostUser]:
    hosts = []
    for user_id in record.get("host_ids") or []:
        user = related.users.get(user_id)
        if user is not None:  # a removed user is no host any more
            hosts.append(
                HostUser(user_id, user.get("username"), user.get("first_name"), user.get("last_name"))
            )
    return hosts


def view(record: Mapping[str, Any], related: Related, base_url: str, *, detail: bool) -> dict[str, Any]:
    hosts = _host_users(record, related)
    if record.get("owner_team_id"):
        url = rules.event_type_url(base_url, record["slug"], team_slug=record.get("team_slug"))
    else:
        owner = related.users.get(record.get("owner_user_id") or "")
        username = owner.get("username") if owner else None
        url = rules.event_type_url(base_url, record["slug"], username=username)
    build = rules.detail_view if detail else rules.list_view
    return build(record, hosts=hosts, url=url, timezone=timezone_of(record, related))


def views(records: list[dict[str, Any]], base_url: str, *, detail: bool) -> list[dict[str, Any]]:
    related = load_related(records)
    return [view(record, related, base_url, detail=detail) for record in records]


def detail(record: Mapping[str, Any], base_url: str, *, consistent: bool = False) -> dict[str, Any]:
    return view(record, load_related([record], consistent=consistent), base_url, detail=True)


# --------------------------------------------------------------------------- changes


def _outbox(event: str, record: Mapping[str, Any], data: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    return outbox.transact_put(
        new_outbox_event(event, record["organization_id"], now, event_type_event_data(event, data))
    )


def _put_if_version(record: Mapping[str, Any], expected_version: int) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": dynamo.table_name(),
            "Item": dynamo.to_item(_item(record)),
            "ConditionExpression": "version = :v",
            "ExpressionAttributeValues": dynamo.values({":v": expected_version}),
        }
    }


def _delete_lock(record: Mapping[str, Any]) -> dict[str, Any]:
    pk, sk = slug_lock_key(record["organization_id"], owner_id(record), record["slug"])
    return {
        "Delete": {
            "TableName": dynamo.table_name(),
            "Key": dynamo.key(pk, sk),
            "ConditionExpression": "event_type_id = :id",
            "ExpressionAttributeValues": dynamo.values({":id": record["id"]}),
        }
    }


def _commit(operations: list[dict[str, Any]], *, slug_put_index: int | None = None) -> None:
    try:
        dynamo.client().transact_write_items(TransactItems=operations)
    except ClientError as exc:
        reasons = dynamo.transaction_reasons(exc)
        if (
            slug_put_index is not None
            and len(reasons) > slug_put_index
            and reasons[slug_put_index] == "ConditionalCheckFailed"
        ):
            raise SlugTaken("slug") from exc
        if "ConditionalCheckFailed" in reasons:
            raise EventTypeConflict("the event type changed meanwhile") from exc
        raise


def _save(before: Mapping[str, Any], after: dict[str, Any], now: datetime, base_url: str) -> dict[str, Any]:
    """Store `after` (version + 1, updated_at = now) with its `event_type.updated` outbox event."""
    after["version"] = int(before["version"]) + 1
    after["updated_at"] = format_ts(now)
    data = detail(after, base_url, consistent=True)
    operations = [_put_if_version(after, int(before["version"]))]
    slug_put_index = None
    if after["slug"] != before["slug"]:
        operations.append(_delete_lock(before))
        slug_put_index = len(operations)
        operations.append(_put_new(_lock_item(after)))
    operations.append(_outbox("event_type.updated", after, data, now))
    _commit(operations, slug_put_index=slug_put_index)
    return data


def update(
    record: Mapping[str, Any], fields: Mapping[str, Any], now: datetime, base_url: str
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Apply validated document fields. Returns (record, detail after the change) — the detail is
    None when nothing changed (no write, no event)."""
    after = dict(record)
    after.update({name: fields[name] for name in rules.DOCUMENT_FIELDS})
    if record.get("owner_user_id") and record.get("host_refs"):
        ref = dict(record["host_refs"][0])
        ref["schedule_id"] = fields.get("schedule_id") or ref["default_schedule_id"]
        after["host_refs"] = [ref]
    if all(after.get(k) == record.get(k) for k in (*rules.DOCUMENT_FIELDS, "host_refs")):
        return dict(record), None
    data = _save(record, after, now, base_url)
    return after, data


def set_active(
    record: Mapping[str, Any], active: bool, now: datetime, base_url: str
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Toggle; a toggle to the current state changes nothing and emits nothing."""
    if bool(record["active"]) == active:
        return dict(record), None
    after = {**record, "active": active}
    data = _save(record, after, now, base_url)
    return after, data


def touch(record: Mapping[str, Any], now: datetime, base_url: str) -> dict[str, Any]:
    """A change outside the record altered its detail (a schedule's timezone, a host's name):
    `updated_at` = now and `event_type.updated` (§2.10)."""
    return _save(record, dict(record), now, base_url)


def delete(record: Mapping[str, Any], now: datetime, base_url: str) -> dict[str, Any]:
    """Tombstone: `deleted_at` set, list keys and slug lock removed, `event_type.deleted` emitted with
    the detail as it was just before. Returns that detail."""
    data = detail(record, base_url, consistent=True)
    after = {**record, "deleted_at": format_ts(now), "version": int(record["version"]) + 1}
    _commit(
        [
            _put_if_version(after, int(record["version"])),
            _delete_lock(record),
            _outbox("event_type.deleted", record, data, now),
        ]
    )
    return data


def refresh_after_schedule_change(
    user: Mapping[str, Any], old_timezone: str | None, new_timezone: str, now: datetime, base_url: str
) -> list[dict[str, Any]]:
    """After `admin schedule set`: the user-owned event types whose `timezone` comes from the changed
    schedule emit `event_type.updated` when that timezone changed. Returns their new details."""
    if old_timezone == new_timezone:
        return []
    changed = []
    for record in list_all(user["organization_id"]):
        refs = record.get("host_refs") or []
        if (
            record.get("owner_user_id") == user["id"]
            and refs
            and refs[0]["schedule_id"] == user["default_schedule_id"]
        ):
            changed.append(touch(record, now, base_url))
    return changed


def refresh_for_host(org_id: str, user_id: str, now: datetime, base_url: str) -> list[dict[str, Any]]:
    """After a change to a host's name or username, or their removal: every event type listing the
    user in `hosts[]` emits `event_type.updated` (§2.10). Returns the new details."""
    return [
        touch(record, now, base_url)
        for record in list_all(org_id)
        if user_id in (record.get("host_ids") or [])
    ]
