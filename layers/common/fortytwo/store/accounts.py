"""Organizations, users, teams and schedules: item builders, reads, and all-or-nothing writes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from fortytwo.store import dynamo, keys


class UniquenessError(ValueError):
    """A create clashed with an existing unique value (username, email, team name, slug)."""


def org_item(org_id: str, name: str, plan: str | None, created_at: str) -> dynamo.Item:
    pk, sk = keys.org(org_id)
    return {
        "pk": pk,
        "sk": sk,
        "type": "organization",
        "id": org_id,
        "name": name,
        "plan": plan,
        "created_at": created_at,
        "version": 1,
    }


def user_items(user: dict[str, Any]) -> list[dynamo.Item]:
    """The user record plus its uniqueness/pointer items (username, email, id → organization)."""
    org_id, user_id = user["organization_id"], user["id"]
    pk, sk = keys.user(org_id, user_id)
    record = {"pk": pk, "sk": sk, "type": "user", "version": 1, **user}
    items = [record]
    upk, usk = keys.user_pointer(user_id)
    items.append(
        {"pk": upk, "sk": usk, "type": "user_pointer", "user_id": user_id, "organization_id": org_id}
    )
    if user.get("username"):
        npk, nsk = keys.username(user["username"])
        items.append(
            {"pk": npk, "sk": nsk, "type": "username", "user_id": user_id, "organization_id": org_id}
        )
    epk, esk = keys.email(user["email"])
    items.append({"pk": epk, "sk": esk, "type": "email", "user_id": user_id, "organization_id": org_id})
    return items


def team_items(team: dict[str, Any]) -> list[dynamo.Item]:
    pk, sk = keys.team(team["organization_id"], team["id"])
    npk, nsk = keys.team_name(team["organization_id"], team["name"])
    return [
        {"pk": pk, "sk": sk, "type": "team", "version": 1, **team},
        {"pk": npk, "sk": nsk, "type": "team_name", "team_id": team["id"]},
    ]


def schedule_item(schedule: dict[str, Any]) -> dynamo.Item:
    pk, sk = keys.schedule(schedule["organization_id"], schedule["id"])
    return {"pk": pk, "sk": sk, "type": "schedule", "version": 1, **schedule}


def get_org(org_id: str) -> dynamo.Item | None:
    return dynamo.get(*keys.org(org_id))


def get_user(org_id: str, user_id: str) -> dynamo.Item | None:
    return dynamo.get(*keys.user(org_id, user_id))


def get_schedule(org_id: str, schedule_id: str) -> dynamo.Item | None:
    return dynamo.get(*keys.schedule(org_id, schedule_id), consistent=True)


def get_user_and_org(org_id: str, user_id: str) -> tuple[dynamo.Item | None, dynamo.Item | None]:
    """One BatchGetItem for `/v1/me`."""
    found = dynamo.batch_get([keys.user(org_id, user_id), keys.org(org_id)])
    user = next((i for i in found if i.get("type") == "user"), None)
    org = next((i for i in found if i.get("type") == "organization"), None)
    return user, org


def find_user(ref: str) -> dynamo.Item | None:
    """A user by username or id (CLI arguments accept either)."""
    pointer = dynamo.get(*keys.user_pointer(ref.lower())) or dynamo.get(*keys.username(ref))
    if pointer is None:
        return None
    return get_user(pointer["organization_id"], pointer["user_id"])


def find_user_by_email(address: str) -> dynamo.Item | None:
    pointer = dynamo.get(*keys.email(address))
    return get_user(pointer["organization_id"], pointer["user_id"]) if pointer else None


def find_org(ref: str) -> dynamo.Item | None:
    """An organization by id, or by exact name through a scan-free name item."""
    found = dynamo.get(*keys.org(ref.lower()))
    if found:
        return found
    pointer = dynamo.get(f"ORGNAME#{ref.casefold()}", "ORGNAME")
    return get_org(pointer["organization_id"]) if pointer else None


def org_name_item(org_id: str, name: str) -> dynamo.Item:
    return {
        "pk": f"ORGNAME#{name.casefold()}",
        "sk": "ORGNAME",
        "type": "org_name",
        "organization_id": org_id,
    }


def list_org_items(org_id: str, prefix: str) -> list[dynamo.Item]:
    return dynamo.query_all(
        key_condition="pk = :p AND begins_with(sk, :s)",
        values_={":p": keys.org_partition(org_id), ":s": prefix},
    )


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
            dynamo.client().transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": dynamo.table_name(),
                            "Item": dynamo.to_item(item),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    }
                    for item in chunk
                ]
            )
            written.extend(chunk)
    except ClientError as exc:
        for item in written:
            dynamo.client().delete_item(TableName=dynamo.table_name(), Key=dynamo.key(item["pk"], item["sk"]))
        reasons = dynamo.transaction_reasons(exc)
        if "ConditionalCheckFailed" in reasons:
            clash = pending[len(written) + reasons.index("ConditionalCheckFailed")]
            raise UniquenessError(f"{clash.get('type', 'item')} already exists: {clash['pk']}") from exc
        raise


def put_item(
    item: dynamo.Item, *, condition: str | None = None, values_: dict[str, Any] | None = None
) -> None:
    kwargs: dict[str, Any] = {"TableName": dynamo.table_name(), "Item": dynamo.to_item(item)}
    if condition:
        kwargs["ConditionExpression"] = condition
    if values_:
        kwargs["ExpressionAttributeValues"] = dynamo.values(values_)
    dynamo.client().put_item(**kwargs)


def remove_user(user: dynamo.Item) -> None:
    """Delete the user record and its pointers in one transaction (credentials are revoked first)."""
    org_id, user_id = user["organization_id"], user["id"]
    doomed = [keys.user(org_id, user_id), keys.user_pointer(user_id), keys.email(user["email"])]
    if user.get("username"):
        doomed.append(keys.username(user["username"]))
    dynamo.client().transact_write_items(
        TransactItems=[
            {"Delete": {"TableName": dynamo.table_name(), "Key": dynamo.key(pk, sk)}} for pk, sk in doomed
        ]
    )


def replace_default_schedule(user: dynamo.Item, document: dict[str, Any]) -> dynamo.Item:
    """Replace the user's default schedule (and out-of-office list) from a validated document."""
    from fortytwo.domain import clock
    from fortytwo.domain.timefmt import format_ts

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
    item = schedule_item(schedule)
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
