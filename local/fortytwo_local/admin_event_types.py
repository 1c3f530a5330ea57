"""`42min admin event-type create|update|toggle|delete` (60-operations §2.1).

FILE is a seed `event_types` entry without `key`, `owner` and `team` (YAML or JSON). `update`
finds the owner's event type by the FILE's `slug` (or by `--id`, which also allows renaming the
slug) and changes only the fields the FILE gives. Update and toggle emit `event_type.updated`,
delete emits `event_type.deleted`, each in the same transaction as the change. `--json` prints
the event type as `GET /v1/event-types/{id}` shows it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fortytwo.config import get_settings
from fortytwo.domain import clock
from fortytwo.domain.event_type_entity import EventType, Owner, OwnerTeam, OwnerUser, to_document
from fortytwo.domain.event_types import EventTypeDocumentError, parse_event_type_document
from fortytwo.domain.ids import normalize_uuid
from fortytwo.services import event_types
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


def _base_url() -> str:
    return get_settings().booking_page_base_url


def _owner(args: argparse.Namespace, *, complete: bool) -> Owner:
    """`--user` or `--team` (+ `--org`); `complete`: a team's members must all still exist."""
    from fortytwo_local.provisioning import team_slug

    if (args.user is None) == (args.team is None):
        raise AdminError("give exactly one of --user or --team")
    try:
        if args.user is not None:
            return event_types.owner_user(args.user)
        found = event_types.owner_team(args.team, slug=team_slug(args.team), org_ref=args.org)
    except event_types.OwnerNotFound as exc:
        raise AdminError(str(exc)) from exc
    if complete and found.missing_members:
        missing = ", ".join(found.missing_members)
        raise AdminError(f"team {found.name!r} lists users that no longer exist: {missing}")
    return found.owner


def _document(args: argparse.Namespace) -> dict[str, Any]:
    from fortytwo_local.seed import load_seed_file

    return load_seed_file(args.file)


def _parse(document: dict[str, Any], owner: Owner, base: dict[str, Any] | None = None) -> dict[str, Any]:
    try:
        return parse_event_type_document(
            document,
            owner_kind="user" if isinstance(owner, OwnerUser) else "team",
            base=base,
            owner_schedule_ids=(
                frozenset({owner.default_schedule_id}) if isinstance(owner, OwnerUser) else frozenset()
            ),
        )
    except EventTypeDocumentError as exc:
        raise AdminError(exc.message, exc.path) from exc


def _kind(owner: Owner) -> str:
    return "team" if isinstance(owner, OwnerTeam) else "user"


def cmd_create(args: argparse.Namespace) -> int:
    cli = _cli()
    document = _document(args)  # a missing FILE is reported before anything is looked up
    cli._backend(args)
    owner = _owner(args, complete=True)
    fields = _parse(document, owner)
    try:
        view = event_types.create(owner, fields, clock.now(), _base_url())
    except event_types.SlugTaken as exc:
        raise AdminError(f"slug: the owner already has an event type {fields['slug']!r}") from exc
    cli.emit(args, view, f"created event type {view['slug']} ({view['id']})")
    return 0


def _by_id(ref: str) -> EventType:
    found = event_types.by_bare_id(ref) if normalize_uuid(ref) else None
    if found is None:
        raise AdminError(f"no event type {ref!r}")
    return found


def cmd_update(args: argparse.Namespace) -> int:
    cli = _cli()
    document = _document(args)
    cli._backend(args)
    owner = _owner(args, complete=False)
    if args.id is not None:
        current = _by_id(args.id)
        if current.owner_id != owner.id:
            raise AdminError(f"event type {args.id} does not belong to this {_kind(owner)}")
    else:
        slug = document.get("slug") if isinstance(document, dict) else None
        if not isinstance(slug, str):
            raise AdminError("slug: is required to find the event type (or pass --id)")
        found = event_types.by_owner_slug(owner.organization_id, owner.id, slug, consistent=True)
        if found is None:
            raise AdminError(f"slug: no event type {slug!r} for this {_kind(owner)}")
        current = found
    fields = _parse(document, owner, base=to_document(current))
    with _unless_changed_meanwhile():
        try:
            current, view = event_types.update(current, fields, clock.now(), _base_url())
        except event_types.SlugTaken as exc:
            raise AdminError(f"slug: the owner already has an event type {fields['slug']!r}") from exc
    changed = view is not None
    if view is None:
        view = event_types.detail(current, _base_url(), consistent=True)
    cli.emit(args, view, f"{'updated' if changed else 'unchanged:'} event type {view['slug']} ({view['id']})")
    return 0


@contextmanager
def _unless_changed_meanwhile() -> Iterator[None]:
    """A change lost to a concurrent one is the admin's to run again."""
    try:
        yield
    except event_types.EventTypeConflict as exc:
        raise AdminError("the event type changed meanwhile; run the command again") from exc


def _named(args: argparse.Namespace) -> tuple[Any, EventType]:
    """The CLI, on its backend, and the event type `--id` names."""
    cli = _cli()
    cli._backend(args)
    return cli, _by_id(args.id)


def cmd_toggle(args: argparse.Namespace) -> int:
    cli, current = _named(args)
    with _unless_changed_meanwhile():
        current, view = event_types.set_active(current, args.active, clock.now(), _base_url())
    state = "on" if args.active else "off"
    summary = (
        f"event type {current.slug} ({current.id}) switched {state}"
        if view is not None
        else f"event type {current.slug} ({current.id}) was already {state}"
    )
    cli.emit(args, view or event_types.detail(current, _base_url(), consistent=True), summary)
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    cli, current = _named(args)
    with _unless_changed_meanwhile():
        view = event_types.delete(current, clock.now(), _base_url())
    cli.emit(
        args,
        {"id": current.id, "deleted": True, "event_type": view},
        f"deleted event type {current.slug} ({current.id})",
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
        parser.add_argument(
            "file", help="YAML/JSON event type (a seed `event_types` entry without key/owner/team)"
        )
        command(parser, func)
    toggle = group.add_parser("toggle", help="switch an event type on or off")
    toggle.add_argument("id", help="the event type's id")
    state = toggle.add_mutually_exclusive_group(required=True)
    state.add_argument("--on", dest="active", action="store_true", help="make it bookable")
    state.add_argument("--off", dest="active", action="store_false", help="stop new bookings")
    command(toggle, cmd_toggle)
    delete = group.add_parser("delete", help="delete an event type (tombstone)")
    delete.add_argument("id", help="the event type's id")
    command(delete, cmd_delete)
