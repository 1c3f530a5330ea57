"""`42min admin event-type create|update|toggle|delete` (60-operations §2.1).

FILE is a seed `event_types` entry without `key`, `owner` and `team` (YAML or JSON). `update`
finds the owner's event type by the FILE's `slug` (or by `--id`, which also allows renaming the
slug) and changes only the fields the FILE gives. Update and toggle emit `event_type.updated`,
delete emits `event_type.deleted`, each in the same transaction as the change. `--json` prints
the event type as `GET /v1/event-types/{id}` shows it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from fortytwo.config import get_settings
from fortytwo.domain import clock
from fortytwo.domain.event_types import EventTypeDocumentError, parse_event_type_document, to_document
from fortytwo.domain.ids import normalize_uuid, uuid7
from fortytwo.store import accounts, dynamo, event_types, keys
from fortytwo_local.provisioning import ProvisioningError


class AdminError(ProvisioningError):
    """One line on stderr, exit status 1.

    `cli.main` catches ProvisioningError from its one shared module, whereas `cli.CliError` has a
    second identity when the CLI runs as `python -m fortytwo_local.cli` (module `__main__`).
    """

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(path, message)


def _cli() -> Any:
    from fortytwo_local import cli

    return cli


def _user(ref: str) -> dict[str, Any]:
    user = accounts.find_user(ref)
    if user is None:
        raise AdminError(f"no user {ref!r}")
    return user


def _org(ref: str) -> dict[str, Any]:
    org = accounts.find_org(ref)
    if org is None:
        raise AdminError(f"no organization {ref!r}")
    return org


def _base_url() -> str:
    return get_settings().booking_page_base_url


def _find_team(ref: str, org_ref: str | None) -> dict[str, Any]:
    """A team by id or name; without --org every organization is searched (an admin-only scan)."""
    from fortytwo_local.provisioning import team_slug

    team_id = normalize_uuid(ref)
    if org_ref is not None:
        org = _org(org_ref)
        if team_id is not None:
            found = dynamo.get(*keys.team(org["id"], team_id))
            if found is not None:
                return found
        pointer = dynamo.get(*keys.team_name(org["id"], ref))
        if pointer is not None:
            team = dynamo.get(*keys.team(org["id"], pointer["team_id"]))
            if team is not None:
                return team
        raise AdminError(f"no team {ref!r} in organization {org['name']!r}")
    matches: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {
        "TableName": dynamo.table_name(),
        "FilterExpression": "#t = :team AND (id = :id OR slug = :slug)",
        "ExpressionAttributeNames": {"#t": "type"},
        "ExpressionAttributeValues": dynamo.values(
            {":team": "team", ":id": team_id or "", ":slug": team_slug(ref)}
        ),
    }
    while True:
        response = dynamo.client().scan(**kwargs)
        matches += [dynamo.from_item(i) or {} for i in response.get("Items", [])]
        if not response.get("LastEvaluatedKey"):
            break
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    exact = [t for t in matches if t.get("id") == team_id or t.get("name", "").casefold() == ref.casefold()]
    matches = exact or matches
    if not matches:
        raise AdminError(f"no team {ref!r}")
    if len(matches) > 1:
        raise AdminError(f"several teams match {ref!r}; add --org")
    return matches[0]


def _owner(args: argparse.Namespace) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    if (args.user is None) == (args.team is None):
        raise AdminError("give exactly one of --user or --team")
    if args.user is not None:
        return _user(args.user), None
    return None, _find_team(args.team, args.org)


def _document(args: argparse.Namespace) -> dict[str, Any]:
    from fortytwo_local.seed import load_seed_file

    return load_seed_file(args.file)


def _parse(
    document: dict[str, Any], owner: dict[str, Any] | None, base: dict[str, Any] | None = None
) -> dict[str, Any]:
    try:
        return parse_event_type_document(
            document,
            owner_kind="user" if owner else "team",
            base=base,
            owner_schedule_ids=frozenset({owner["default_schedule_id"]}) if owner else frozenset(),
        )
    except EventTypeDocumentError as exc:
        raise AdminError(exc.message, exc.path) from exc


def _members(team: dict[str, Any]) -> list[dict[str, Any]]:
    wanted = [keys.user(team["organization_id"], member) for member in team["members"]]
    found = {u["id"]: u for u in dynamo.batch_get(wanted)}
    missing = [m for m in team["members"] if m not in found]
    if missing:
        raise AdminError(f"team {team['name']!r} lists users that no longer exist: {', '.join(missing)}")
    return [found[m] for m in team["members"]]


def cmd_create(args: argparse.Namespace) -> int:
    cli = _cli()
    cli._backend(args)
    owner, team = _owner(args)
    fields = _parse(_document(args), owner)
    org_id = owner["organization_id"] if owner else team["organization_id"]  # type: ignore[index]
    record = event_types.new_record(
        event_type_id=uuid7(),
        org_id=org_id,
        fields=fields,
        now=clock.now(),
        owner_user=owner,
        team=team,
        members=_members(team) if team else (),
    )
    try:
        event_types.create(record)
    except event_types.SlugTaken as exc:
        raise AdminError(f"slug: the owner already has an event type {fields['slug']!r}") from exc
    view = event_types.detail(record, _base_url(), consistent=True)
    cli.emit(args, view, f"created event type {view['slug']} ({view['id']})")
    return 0


def _by_id(ref: str) -> dict[str, Any]:
    record = event_types.find_by_id(ref) if normalize_uuid(ref) else None
    if record is None:
        raise AdminError(f"no event type {ref!r}")
    return record


def cmd_update(args: argparse.Namespace) -> int:
    cli = _cli()
    cli._backend(args)
    owner, team = _owner(args)
    document = _document(args)
    owner_id = owner["id"] if owner else team["id"]  # type: ignore[index]
    org_id = owner["organization_id"] if owner else team["organization_id"]  # type: ignore[index]
    if args.id is not None:
        record = _by_id(args.id)
        if event_types.owner_id(record) != owner_id:
            raise AdminError(f"event type {args.id} does not belong to this {'user' if owner else 'team'}")
    else:
        slug = document.get("slug") if isinstance(document, dict) else None
        if not isinstance(slug, str):
            raise AdminError("slug: is required to find the event type (or pass --id)")
        record = event_types.find_by_owner_slug(org_id, owner_id, slug, consistent=True)
        if record is None:
            raise AdminError(f"slug: no event type {slug!r} for this {'user' if owner else 'team'}")
    fields = _parse(document, owner, base=to_document(record))
    try:
        record, view = event_types.update(record, fields, clock.now(), _base_url())
    except event_types.SlugTaken as exc:
        raise AdminError(f"slug: the owner already has an event type {fields['slug']!r}") from exc
    except event_types.EventTypeConflict as exc:
        raise AdminError("the event type changed meanwhile; run the command again") from exc
    changed = view is not None
    if view is None:
        view = event_types.detail(record, _base_url(), consistent=True)
    cli.emit(args, view, f"{'updated' if changed else 'unchanged:'} event type {view['slug']} ({view['id']})")
    return 0


def cmd_toggle(args: argparse.Namespace) -> int:
    cli = _cli()
    cli._backend(args)
    record = _by_id(args.id)
    try:
        record, view = event_types.set_active(record, args.active, clock.now(), _base_url())
    except event_types.EventTypeConflict as exc:
        raise AdminError("the event type changed meanwhile; run the command again") from exc
    state = "on" if args.active else "off"
    summary = (
        f"event type {record['slug']} ({record['id']}) switched {state}"
        if view is not None
        else f"event type {record['slug']} ({record['id']}) was already {state}"
    )
    cli.emit(args, view or event_types.detail(record, _base_url(), consistent=True), summary)
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    cli = _cli()
    cli._backend(args)
    record = _by_id(args.id)
    try:
        view = event_types.delete(record, clock.now(), _base_url())
    except event_types.EventTypeConflict as exc:
        raise AdminError("the event type changed meanwhile; run the command again") from exc
    cli.emit(
        args,
        {"id": record["id"], "deleted": True, "event_type": view},
        f"deleted event type {record['slug']} ({record['id']})",
    )
    return 0


def register(admin: Any, command: Callable[..., None]) -> None:
    group = admin.add_parser("event-type", help="event types").add_subparsers(dest="action", required=True)
    for action, func in (("create", cmd_create), ("update", cmd_update)):
        parser = group.add_parser(action, help=f"{action} an event type from a YAML/JSON file")
        owner = parser.add_mutually_exclusive_group(required=True)
        owner.add_argument("--user", help="owning user (username or id)")
        owner.add_argument("--team", help="owning team (name or id)")
        parser.add_argument("--org", help="organization of --team (when team names repeat across orgs)")
        if action == "update":
            parser.add_argument("--id", help="the event type to update (default: found by the FILE's slug)")
        parser.add_argument("file")
        command(parser, func)
    toggle = group.add_parser("toggle", help="switch an event type on or off")
    toggle.add_argument("id")
    state = toggle.add_mutually_exclusive_group(required=True)
    state.add_argument("--on", dest="active", action="store_true")
    state.add_argument("--off", dest="active", action="store_false")
    command(toggle, cmd_toggle)
    delete = group.add_parser("delete", help="delete an event type (tombstone)")
    delete.add_argument("id")
    command(delete, cmd_delete)
