"""Organizations, users, teams and schedules: item schemas, typed reads, and all-or-nothing writes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from fortytwo.domain.accounts import Organization, OrgName, ScheduleRecord, Team, User, UserPointer
from fortytwo.domain.timefmt import format_ts
from fortytwo.store import dynamo, keys
from fortytwo.store.schema import ItemSchema


class UniquenessError(ValueError):
    """A create clashed with an existing unique value (username, email, team name, slug)."""


ORG = ItemSchema(type="organization", entity=Organization, key=lambda o: keys.org(o.id))
ORG_NAME = ItemSchema(type="org_name", entity=OrgName, key=lambda n: keys.org_name(n.name))
USER = ItemSchema(type="user", entity=User, key=lambda u: keys.user(u.organization_id, u.id))
USER_POINTER = ItemSchema(type="user_pointer", entity=UserPointer, key=lambda p: keys.user_pointer(p.user_id))
TEAM = ItemSchema(type="team", entity=Team, key=lambda t: keys.team(t.organization_id, t.id))
SCHEDULE = ItemSchema(
    type="schedule", entity=ScheduleRecord, key=lambda s: keys.schedule(s.organization_id, s.id)
)


def _pointer(type_: str, key: tuple[str, str], user: User) -> dynamo.Item:
    pk, sk = key
    return {"pk": pk, "sk": sk, "type": type_, "user_id": user.id, "organization_id": user.organization_id}


def _ref(type_: str, key: tuple[str, str], team: Team) -> dynamo.Item:
    return {"pk": key[0], "sk": key[1], "type": type_, "team_id": team.id}


# --- items of one create (written together by `write_all_or_nothing`) -------------------------


def org_items(org: Organization) -> list[dynamo.Item]:
    return [ORG.encode(org), ORG_NAME.encode(OrgName(org.name, org.id))]


def user_items(user: User) -> list[dynamo.Item]:
    """The user record plus its uniqueness/pointer items (username, email, id → organization)."""
    items = [USER.encode(user), USER_POINTER.encode(UserPointer(user.id, user.organization_id))]
    if user.username:
        items.append(_pointer("username", keys.username(user.username), user))
    items.append(_pointer("email", keys.email(user.email), user))
    return items


def team_items(team: Team) -> list[dynamo.Item]:
    return [
        TEAM.encode(team),
        _ref("team_name", keys.team_name(team.organization_id, team.name), team),
        _ref("team_slug", keys.team_slug(team.organization_id, team.slug), team),
    ]


def schedule_item(schedule: ScheduleRecord) -> dynamo.Item:
    return SCHEDULE.encode(schedule)


# --- reads ------------------------------------------------------------------------------------


def get_org(org_id: str) -> Organization | None:
    return ORG.decode_optional(dynamo.get(*keys.org(org_id)))


def get_user(org_id: str, user_id: str) -> User | None:
    return USER.decode_optional(dynamo.get(*keys.user(org_id, user_id)))


def get_schedule(org_id: str, schedule_id: str) -> ScheduleRecord | None:
    return SCHEDULE.decode_optional(dynamo.get(*keys.schedule(org_id, schedule_id), consistent=True))


def get_user_and_org(org_id: str, user_id: str) -> tuple[User | None, Organization | None]:
    """One BatchGetItem for `/v1/me` and the sign-in session check."""
    found = dynamo.batch_get([keys.user(org_id, user_id), keys.org(org_id)])
    user = next((USER.decode(i) for i in found if i.get("type") == "user"), None)
    org = next((ORG.decode(i) for i in found if i.get("type") == "organization"), None)
    return user, org


def _pointer_of(ref: str) -> dynamo.Item | None:
    return dynamo.get(*keys.user_pointer(ref.lower())) or dynamo.get(*keys.username(ref))


def user_by_ref(ref: str) -> User | None:
    """A user by username or id (CLI arguments accept either)."""
    pointer = _pointer_of(ref)
    return get_user(pointer["organization_id"], pointer["user_id"]) if pointer else None


def user_by_email(address: str) -> User | None:
    pointer = dynamo.get(*keys.email(address))
    return get_user(pointer["organization_id"], pointer["user_id"]) if pointer else None


def org_by_ref(ref: str) -> Organization | None:
    """An organization by id, or by exact name through a scan-free name item."""
    found = get_org(ref.lower())
    if found:
        return found
    pointer = dynamo.get(*keys.org_name(ref))
    return get_org(pointer["organization_id"]) if pointer else None


# Raw readers kept for the scheduling family (store/event_types takes the user item as a mapping;
# admin_event_types and its tests call these): remove once they take `User`/`Organization`.


def find_user(ref: str) -> dynamo.Item | None:
    pointer = _pointer_of(ref)
    return dynamo.get(*keys.user(pointer["organization_id"], pointer["user_id"])) if pointer else None


def find_org(ref: str) -> dynamo.Item | None:
    org = org_by_ref(ref)
    return dynamo.get(*keys.org(org.id)) if org else None


# --- writes -----------------------------------------------------------------------------------


def write_all_or_nothing(items: Iterable[dynamo.Item]) -> None:
    """Create every item (each must not exist yet) or none.

    One transaction when it fits (≤ 100 items); larger sets go in chunks and earlier chunks are
    deleted again if a later one fails, so a failed seed leaves nothing behind.
    """
    pending = list(items)
    written: list[dynamo.Item] = []
    try:
        for start in range(0, len(pending), 100):
            chunk = pending[start : start + 100]
            dynamo.client().transact_write_items(TransactItems=[dynamo.put_new(item) for item in chunk])
            written.extend(chunk)
    except ClientError as exc:
        for item in written:
            dynamo.client().delete_item(TableName=dynamo.table_name(), Key=dynamo.key(item["pk"], item["sk"]))
        reasons = dynamo.transaction_reasons(exc)
        if "ConditionalCheckFailed" in reasons:
            clash = pending[len(written) + reasons.index("ConditionalCheckFailed")]
            raise UniquenessError(f"{clash.get('type', 'item')} already exists: {clash['pk']}") from exc
        raise


def remove_user(user: User) -> None:
    """Delete the user record and its pointers in one transaction (credentials are revoked first)."""
    doomed = [keys.user(user.organization_id, user.id), keys.user_pointer(user.id), keys.email(user.email)]
    if user.username:
        doomed.append(keys.username(user.username))
    dynamo.client().transact_write_items(
        TransactItems=[
            {"Delete": {"TableName": dynamo.table_name(), "Key": dynamo.key(pk, sk)}} for pk, sk in doomed
        ]
    )


def replace_default_schedule(user: Mapping[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    """Replace the user's default schedule (and out-of-office list) from a validated document.

    Takes the raw user item: the scheduling family's tests call it with `find_user`'s result.
    """
    from fortytwo.domain import clock

    stamp = format_ts(clock.now())
    org_id, schedule_id = user["organization_id"], user["default_schedule_id"]
    current = dynamo.get(*keys.schedule(org_id, schedule_id), consistent=True) or {}
    schedule = {
        "id": schedule_id,
        "organization_id": org_id,
        "user_id": user["id"],
        "created_at": current.get("created_at", stamp),
        "updated_at": stamp,
        **{k: v for k, v in document.items() if k != "out_of_office"},
    }
    item = SCHEDULE.encode(SCHEDULE.decode(schedule))
    item["version"] = int(current.get("version", 0)) + 1
    upk, usk = keys.user(org_id, user["id"])
    dynamo.client().transact_write_items(
        TransactItems=[
            {"Put": {"TableName": dynamo.table_name(), "Item": dynamo.to_item(item)}},
            {
                "Update": {
                    "TableName": dynamo.table_name(),
                    "Key": dynamo.key(upk, usk),
                    "UpdateExpression": "SET out_of_office = :o, updated_at = :u, version = version + :one",
                    "ConditionExpression": "attribute_exists(pk)",
                    "ExpressionAttributeValues": dynamo.values(
                        {":o": document.get("out_of_office", []), ":u": stamp, ":one": 1}
                    ),
                }
            },
        ]
    )
    return schedule
