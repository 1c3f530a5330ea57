"""The `42min` command (60-operations §2): dev, seed, admin, openapi."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable
from typing import Any

ADMIN_PLUGINS = (
    "fortytwo_local.admin_event_types",
    "fortytwo_local.admin_oauth",
    "fortytwo_local.admin_webhooks",
    "fortytwo_local.admin_bookings",
)


class CliError(Exception):
    """Printed as one line on stderr; exit status 1."""


def emit(args: argparse.Namespace, document: Any, summary: str) -> None:
    if getattr(args, "json", False):
        print(json.dumps(document, ensure_ascii=False))
    else:
        print(summary)


def _backend(args: argparse.Namespace) -> None:
    from fortytwo_local.backend import Backend

    Backend.resolve(args.data_dir, args.endpoint, args.table).activate()


def cmd_dev(args: argparse.Namespace) -> int:
    from fortytwo_local.devstack import run_dev

    return run_dev(args)


def cmd_seed(args: argparse.Namespace) -> int:
    from fortytwo_local.seed import apply_seed, load_seed_file

    _backend(args)
    result = apply_seed(load_seed_file(args.file))
    emit(
        args,
        result,
        f"seeded organization {result['organization_id']}: {len(result['users'])} users, "
        f"{len(result['event_types'])} event types, {len(result['pats'])} PATs",
    )
    return 0


def cmd_openapi(args: argparse.Namespace) -> int:
    from fortytwo_local.openapi import merged_openapi

    text = json.dumps(merged_openapi(), indent=2, ensure_ascii=False) + "\n"
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


def _org(ref: str) -> dict[str, Any]:
    from fortytwo.store import accounts

    org = accounts.find_org(ref)
    if org is None:
        raise CliError(f"no organization {ref!r}")
    return org


def _user(ref: str) -> dict[str, Any]:
    from fortytwo.store import accounts

    user = accounts.find_user(ref)
    if user is None:
        raise CliError(f"no user {ref!r}")
    return user


def cmd_org_create(args: argparse.Namespace) -> int:
    from fortytwo.store import accounts
    from fortytwo_local.provisioning import build_org, now

    _backend(args)
    if accounts.find_org(args.name) is not None:
        raise CliError(f"an organization named {args.name!r} already exists")
    items = build_org(args.name, args.plan, now())
    accounts.write_all_or_nothing(items)
    org = {k: items[0][k] for k in ("id", "name", "plan", "created_at")}
    emit(args, org, f"created organization {org['name']} ({org['id']})")
    return 0


def cmd_user_create(args: argparse.Namespace) -> int:
    from fortytwo.adapters.passwords import hash_password
    from fortytwo.store import accounts
    from fortytwo_local.provisioning import build_user, now

    _backend(args)
    org = _org(args.org)
    password_hash = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CliError("--password-stdin: the password is empty")
        password_hash = hash_password(password)
    spec = {
        "username": args.username,
        "email": args.email,
        "first_name": args.first_name,
        "last_name": args.last_name,
        "timezone": args.timezone,
        "locale": args.locale,
        "role": args.role,
    }
    user, items = build_user(org["id"], spec, now(), "", password_hash=password_hash)
    if accounts.find_user(user["username"]) or accounts.find_user_by_email(user["email"]):
        raise CliError("a user with this username or email already exists")
    accounts.write_all_or_nothing(items)
    view = {k: v for k, v in user.items() if k != "password_hash"}
    emit(args, view, f"created user {user['username']} ({user['id']})")
    return 0


def cmd_user_remove(args: argparse.Namespace) -> int:
    from fortytwo.config import get_settings
    from fortytwo.domain import clock
    from fortytwo.services import event_types
    from fortytwo.store import accounts, pats

    _backend(args)
    user = _user(args.user)
    now = clock.now()
    revoked = 0
    for record in pats.list_for_org(user["organization_id"]):
        if record["created_by"] == user["id"] and not record.get("revoked_at"):
            pats.revoke(record, now)
            revoked += 1
    grants = 0
    try:
        oauth_admin = importlib.import_module("fortytwo_local.admin_oauth")
        grants = oauth_admin.revoke_user_grants(user)
    except ModuleNotFoundError:
        pass
    accounts.remove_user(user)
    # Event types listing the user in hosts[] change shape: they emit event_type.updated (§2.10).
    event_types.refresh_for_host(
        user["organization_id"], user["id"], now, get_settings().booking_page_base_url
    )
    emit(
        args,
        {"id": user["id"], "revoked_pats": revoked, "revoked_grants": grants},
        f"removed user {user['username']}: {revoked} PATs and {grants} OAuth grants revoked",
    )
    return 0


def cmd_team_create(args: argparse.Namespace) -> int:
    from fortytwo.store import accounts
    from fortytwo_local.provisioning import build_team, now

    _backend(args)
    org = _org(args.org)
    members = []
    for ref in filter(None, (m.strip() for m in args.members.split(","))):
        user = _user(ref)
        if user["organization_id"] != org["id"]:
            raise CliError(f"user {ref!r} is not in organization {org['name']!r}")
        members.append(user["id"])
    team, items = build_team(org["id"], args.name, members, now(), "")
    try:
        accounts.write_all_or_nothing(items)
    except accounts.UniquenessError as exc:
        raise CliError(f"a team with this name or slug already exists ({exc})") from exc
    emit(args, team, f"created team {team['name']} ({team['id']})")
    return 0


def cmd_schedule_set(args: argparse.Namespace) -> int:
    from fortytwo.config import get_settings
    from fortytwo.domain import clock
    from fortytwo.services import event_types
    from fortytwo.store import accounts
    from fortytwo_local.schedules import validate_schedule_document
    from fortytwo_local.seed import load_seed_file

    _backend(args)
    user = _user(args.user)
    document = validate_schedule_document(load_seed_file(args.file), "schedule")
    old = accounts.get_schedule(user["organization_id"], user["default_schedule_id"]) or {}
    schedule = accounts.replace_default_schedule(user, document)
    event_types.refresh_after_schedule_change(
        user, old.get("timezone"), document["timezone"], clock.now(), get_settings().booking_page_base_url
    )
    emit(args, schedule, f"replaced the default schedule of {user['username']}")
    return 0


def cmd_pat_create(args: argparse.Namespace) -> int:
    from fortytwo_local.provisioning import create_pat

    _backend(args)
    view = create_pat(args.user, args.name, args.scopes, args.expires_in_days)
    emit(args, view, f"created PAT {view['id']} ({view['name']})\ntoken (shown once): {view['token']}")
    return 0


def cmd_pat_list(args: argparse.Namespace) -> int:
    from fortytwo.domain import clock
    from fortytwo.store import pats

    _backend(args)
    org = _org(args.org)
    now = clock.now()
    views = [pats.public_view(p, now) for p in pats.list_for_org(org["id"])]
    lines = [
        f"{v['id']}  {v['status']:<8} …{v['last4']}  {v['name']}  {','.join(v['scopes'])}" for v in views
    ]
    emit(args, views, "\n".join(lines) if lines else "no PATs")
    return 0


def _pat(pat_id: str) -> dict[str, Any]:
    from fortytwo.store import pats

    record = pats.get_by_id(pat_id.lower())
    if record is None:
        raise CliError(f"no PAT {pat_id!r}")
    return record


def cmd_pat_regenerate(args: argparse.Namespace) -> int:
    from fortytwo.domain import clock
    from fortytwo.domain.pats import PatRuleError
    from fortytwo.store import pats
    from fortytwo.store.pepper import get_pepper

    _backend(args)
    now = clock.now()
    try:
        record, token = pats.regenerate(_pat(args.id), get_pepper(), now)
    except PatRuleError as exc:
        raise CliError(str(exc)) from exc
    view = pats.public_view(record, now, token)
    emit(
        args,
        view,
        f"regenerated PAT {view['id']} (generation {view['generation']})\ntoken (shown once): {token}",
    )
    return 0


def cmd_pat_revoke(args: argparse.Namespace) -> int:
    from fortytwo.domain import clock
    from fortytwo.store import pats

    _backend(args)
    now = clock.now()
    view = pats.public_view(pats.revoke(_pat(args.id), now), now)
    emit(args, view, f"revoked PAT {view['id']}")
    return 0


def _command(
    parser: argparse.ArgumentParser, func: Callable[[argparse.Namespace], int], *, json_flag: bool = True
) -> None:
    if json_flag:
        parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(func=func)


def _expires(value: str) -> int:
    if value not in ("42", "90", "180", "365"):
        raise argparse.ArgumentTypeError("must be one of 42, 90, 180, 365")
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="42min", description="42min API: local stack and admin tooling")
    parser.add_argument("--data-dir", default=os.environ.get("FORTYTWO_DATA_DIR", ".42min"))
    parser.add_argument("--endpoint", help="DynamoDB endpoint URL (with --table)")
    parser.add_argument("--table", help="DynamoDB table name (with --endpoint)")
    sub = parser.add_subparsers(dest="command", required=True)

    dev = sub.add_parser("dev", help="run the local stack")
    # Also accepted after `dev` (60-operations §2 lists it there); the global form works too.
    dev.add_argument("--data-dir", default=argparse.SUPPRESS)
    dev.add_argument("--port", type=int, default=8042)
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--seed")
    dev.add_argument("--no-demo", action="store_true")
    dev.add_argument("--allow-insecure-webhooks", action="store_true")
    dev.add_argument("--webhook-retry-schedule", default="0,60,300,1800,7200,43200")
    dev.add_argument("--rate-limits", default="")
    dev.set_defaults(func=cmd_dev)

    seed = sub.add_parser("seed", help="load a seed file")
    seed.add_argument("file")
    _command(seed, cmd_seed)

    openapi = sub.add_parser("openapi", help="print the merged OpenAPI document")
    openapi.add_argument("--out")
    openapi.set_defaults(func=cmd_openapi)

    admin = sub.add_parser("admin", help="owner/admin operations").add_subparsers(dest="area", required=True)

    org = admin.add_parser("org").add_subparsers(dest="action", required=True)
    org_create = org.add_parser("create")
    org_create.add_argument("name")
    org_create.add_argument("--plan")
    _command(org_create, cmd_org_create)

    user = admin.add_parser("user").add_subparsers(dest="action", required=True)
    user_create = user.add_parser("create")
    user_create.add_argument("--org", required=True)
    user_create.add_argument("--username", required=True)
    user_create.add_argument("--email", required=True)
    user_create.add_argument("--first-name")
    user_create.add_argument("--last-name")
    user_create.add_argument("--timezone", default="UTC")
    user_create.add_argument("--locale", default="en")
    user_create.add_argument("--role", default="user", choices=["owner", "admin", "user"])
    user_create.add_argument("--password-stdin", action="store_true")
    _command(user_create, cmd_user_create)
    user_remove = user.add_parser("remove")
    user_remove.add_argument("user")
    _command(user_remove, cmd_user_remove)

    team = admin.add_parser("team").add_subparsers(dest="action", required=True)
    team_create = team.add_parser("create")
    team_create.add_argument("--org", required=True)
    team_create.add_argument("name")
    team_create.add_argument("--members", required=True)
    _command(team_create, cmd_team_create)

    schedule = admin.add_parser("schedule").add_subparsers(dest="action", required=True)
    schedule_set = schedule.add_parser("set")
    schedule_set.add_argument("--user", required=True)
    schedule_set.add_argument("file")
    _command(schedule_set, cmd_schedule_set)

    pat = admin.add_parser("pat").add_subparsers(dest="action", required=True)
    pat_create = pat.add_parser("create")
    pat_create.add_argument("--user", required=True)
    pat_create.add_argument("--name", required=True)
    pat_create.add_argument("--scopes", required=True)
    pat_create.add_argument("--expires-in-days", type=_expires)
    _command(pat_create, cmd_pat_create)
    pat_list = pat.add_parser("list")
    pat_list.add_argument("--org", required=True)
    _command(pat_list, cmd_pat_list)
    for action, func in (("regenerate", cmd_pat_regenerate), ("revoke", cmd_pat_revoke)):
        cmd = pat.add_parser(action)
        cmd.add_argument("id")
        _command(cmd, func)

    for name in ADMIN_PLUGINS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(admin, _command)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from fortytwo.config import ConfigError
    from fortytwo_local.backend import BackendError
    from fortytwo_local.provisioning import ProvisioningError
    from fortytwo_local.seed import SeedError

    try:
        return int(args.func(args) or 0)
    except (CliError, SeedError, ProvisioningError, BackendError, ConfigError) as exc:
        print(f"42min: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    # Run through the importable module so plugins and this entry share one CliError class.
    from fortytwo_local import cli as _cli

    sys.exit(_cli.main())
