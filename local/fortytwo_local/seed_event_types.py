"""The `event_types` section of seed files (60-operations §4): validate every entry, build the items.

Each entry is a stored-field document (20-scheduling §2.5) plus `key` (name in the seed result,
default: the slug) and exactly one of `owner: <username>` / `team: <team name>`, both of this file.
"""

from __future__ import annotations

from typing import Any

from fortytwo.domain.event_type_entity import Owner, OwnerTeam, OwnerUser
from fortytwo.domain.event_types import EventTypeDocumentError, parse_event_type_document
from fortytwo.services import event_types
from fortytwo_local.provisioning import ProvisioningError
from fortytwo_local.seed import register_section

SEED_ONLY_FIELDS = ("key", "owner", "team")


def _owner(
    entry: dict[str, Any], path: str, context: dict[str, Any]
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    has_owner, has_team = entry.get("owner") is not None, entry.get("team") is not None
    if has_owner == has_team:
        raise ProvisioningError(
            f"{path}.owner", "give exactly one of owner (a username) or team (a team name)"
        )
    if has_owner:
        name = entry["owner"]
        user = context["users"].get(name.lower()) if isinstance(name, str) else None
        if user is None:
            raise ProvisioningError(f"{path}.owner", "is not a user of this seed file")
        return user, None
    name = entry["team"]
    team = None
    if isinstance(name, str):
        team = next((t for t in context["teams"].values() if t["name"].casefold() == name.casefold()), None)
    if team is None:
        raise ProvisioningError(f"{path}.team", "is not a team of this seed file")
    return None, team


def build_event_types(
    entries: list[Any], context: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    items: list[dict[str, Any]] = []
    result: dict[str, str] = {}
    slugs: set[tuple[str, str]] = set()
    users_by_id = {user["id"]: user for user in context["users"].values()}
    for index, entry in enumerate(entries):
        path = f"event_types[{index}]"
        if not isinstance(entry, dict):
            raise ProvisioningError(path, "must be a mapping")
        owner_user, team = _owner(entry, path, context)
        schedule_ids = frozenset({owner_user["default_schedule_id"]}) if owner_user else frozenset()
        try:
            fields = parse_event_type_document(
                entry,
                owner_kind="user" if owner_user else "team",
                owner_schedule_ids=schedule_ids,
                extra_fields=SEED_ONLY_FIELDS,
            )
        except EventTypeDocumentError as exc:
            raise ProvisioningError(f"{path}.{exc.path}" if exc.path else path, exc.message) from exc
        owner_id = owner_user["id"] if owner_user else team["id"]  # type: ignore[index]
        if (owner_id, fields["slug"]) in slugs:
            raise ProvisioningError(f"{path}.slug", "is used twice for the same owner in this file")
        slugs.add((owner_id, fields["slug"]))
        key = entry.get("key", fields["slug"])
        if not isinstance(key, str) or not key:
            raise ProvisioningError(f"{path}.key", "must be a non-empty string")
        if key in result:
            raise ProvisioningError(f"{path}.key", "is used twice in this file")
        owner: Owner
        if owner_user is not None:
            owner = OwnerUser.of(owner_user)
        else:
            assert team is not None
            members = tuple(OwnerUser.of(users_by_id[user_id]) for user_id in team["members"])
            owner = OwnerTeam(team["id"], context["org_id"], team["slug"], members)
        event_type_id, event_type_items = event_types.seed_items(owner, fields, context["now"])
        items.extend(event_type_items)
        result[key] = event_type_id
    return items, result


register_section("event_types", build_event_types)
