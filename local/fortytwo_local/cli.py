"""The `42min` command (60-operations §2): dev, seed, admin, openapi."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from fortytwo.domain.timefmt import format_ts

if TYPE_CHECKING:
    from fortytwo.domain.accounts import Organization, User
    from fortytwo.domain.pats import Pat

T = TypeVar("T")

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
    from fortytwo_local.ports import port_problem

    # A busy port is reported at once, before the ~5 s of loading the AWS emulation.
    problem = port_problem(args.host, args.port)
    if problem is not None:
        raise CliError(f"{problem} (is another `42min dev` running? choose one with --port)")
    print(
        f"42min dev: starting the local stack on {args.host}:{args.port} "
        "(loading the AWS emulation and the template's functions, a few seconds)...",
        file=sys.stderr,
        flush=True,
    )
    if args.seed:
        from fortytwo_local.seed import load_seed_file

        load_seed_file(args.seed)  # a missing or unparsable seed file fails before the stack starts
    from fortytwo_local.devstack import run_dev

    return run_dev(args)


def cmd_seed(args: argparse.Namespace) -> int:
    from fortytwo_local.seed import apply_seed, load_seed_file

    document = load_seed_file(args.file)  # a missing file is reported before the backend is looked up
    _backend(args)
    result = apply_seed(document)
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


def _found(found: T | None, what: str) -> T:
    """What a lookup found, or the CLI's error naming what is missing."""
    if found is None:
        raise CliError(f"no {what}")
    return found


def _find_org(ref: str) -> Organization:
    from fortytwo.services import accounts

    return _found(accounts.find_org(ref), f"organization {ref!r}")


def _org(ref: str) -> dict[str, Any]:
    """The organization as `{id, name, plan}`: the admin plugins of other families read a mapping."""
    return _find_org(ref).view()


def _user(ref: str) -> User:
    from fortytwo.services import accounts

    return _found(accounts.find_user(ref), f"user {ref!r}")


def cmd_org_create(args: argparse.Namespace) -> int:
    from fortytwo.services import accounts
    from fortytwo_local.provisioning import build_org, now

    _backend(args)
    if accounts.find_org(args.name) is not None:
        raise CliError(f"an organization named {args.name!r} already exists")
    org = build_org(args.name, args.plan, now())
    accounts.provision([org])
    view = {**org.view(), "created_at": format_ts(org.created_at)}
    emit(args, view, f"created organization {org.name} ({org.id})")
    return 0


def cmd_user_create(args: argparse.Namespace) -> int:
    from fortytwo.adapters.passwords import hash_password
    from fortytwo.services import accounts
    from fortytwo_local.provisioning import build_user, now

    _backend(args)
    org = _find_org(args.org)
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
    user, schedule = build_user(org.id, spec, now(), "", password_hash=password_hash)
    if accounts.user_exists(user.username, user.email):
        raise CliError("a user with this username or email already exists")
    accounts.provision([user, schedule])
    emit(args, user.admin_view(), f"created user {user.username} ({user.id})")
    return 0


def cmd_user_remove(args: argparse.Namespace) -> int:
    from fortytwo.services import accounts

    _backend(args)
    user = _user(args.user)
    revoked, grants = accounts.remove_user(user)
    emit(
        args,
        {"id": user.id, "revoked_pats": revoked, "revoked_grants": grants},
        f"removed user {user.username}: {revoked} PATs and {grants} OAuth grants revoked",
    )
    return 0


def cmd_team_create(args: argparse.Namespace) -> int:
    from fortytwo.services import accounts
    from fortytwo_local.provisioning import build_team, now

    _backend(args)
    org = _find_org(args.org)
    members = []
    for ref in filter(None, (m.strip() for m in args.members.split(","))):
        user = _user(ref)
        if user.organization_id != org.id:
            raise CliError(f"user {ref!r} is not in organization {org.name!r}")
        members.append(user.id)
    team = build_team(org.id, args.name, members, now(), "")
    try:
        accounts.provision([team])
    except accounts.UniquenessError as exc:
        raise CliError(f"a team with this name or slug already exists ({exc})") from exc
    emit(args, team.view(), f"created team {team.name} ({team.id})")
    return 0


def cmd_schedule_set(args: argparse.Namespace) -> int:
    from fortytwo.services import accounts
    from fortytwo_local.schedules import validate_schedule_document
    from fortytwo_local.seed import load_seed_file

    raw = load_seed_file(args.file)
    _backend(args)
    user = _user(args.user)
    document = validate_schedule_document(raw, "schedule")
    schedule = accounts.set_default_schedule(user, document)
    emit(args, schedule, f"replaced the default schedule of {user.username}")
    return 0


def cmd_pat_create(args: argparse.Namespace) -> int:
    from fortytwo_local.provisioning import create_pat

    _backend(args)
    view = create_pat(args.user, args.name, args.scopes, args.expires_in_days)
    emit(args, view, f"created PAT {view['id']} ({view['name']})\ntoken (shown once): {view['token']}")
    return 0


def cmd_pat_list(args: argparse.Namespace) -> int:
    from fortytwo.domain import clock
    from fortytwo.services import pats

    _backend(args)
    org = _find_org(args.org)
    now = clock.now()
    views = [p.public_view(now) for p in pats.list_for_org(org.id)]
    lines = [
        f"{v['id']}  {v['status']:<8} …{v['last4']}  {v['name']}  {','.join(v['scopes'])}" for v in views
    ]
    emit(args, views, "\n".join(lines) if lines else "no PATs")
    return 0


def _pat(pat_id: str) -> Pat:
    from fortytwo.services import pats

    return _found(pats.get(pat_id), f"PAT {pat_id!r}")


def cmd_pat_regenerate(args: argparse.Namespace) -> int:
    from fortytwo.domain import clock
    from fortytwo.domain.pats import PatRuleError
    from fortytwo.services import pats

    _backend(args)
    now = clock.now()
    try:
        record, token = pats.regenerate(_pat(args.id), now)
    except PatRuleError as exc:
        raise CliError(str(exc)) from exc
    view = record.public_view(now, token)
    emit(
        args,
        view,
        f"regenerated PAT {view['id']} (generation {view['generation']})\ntoken (shown once): {token}",
    )
    return 0


def cmd_pat_revoke(args: argparse.Namespace) -> int:
    from fortytwo.domain import clock
    from fortytwo.services import pats

    _backend(args)
    now = clock.now()
    view = pats.revoke(_pat(args.id), now).public_view(now)
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


def _port(value: str) -> int:
    if not value.isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError("must be a port number, 0-65535")
    return int(value)


def scopes_help() -> str:
    """The scopes a PAT takes, named in `--scopes` help (aliases expand; reserved ones grant nothing yet)."""
    from fortytwo.domain.scopes import KNOWN_SCOPES

    live = [n for n, info in KNOWN_SCOPES.items() if info.kind == "live"]
    aliases = [n for n, info in KNOWN_SCOPES.items() if info.kind == "alias"]
    return (
        f"comma-separated scopes: {', '.join(live)}; aliases {', '.join(aliases)}"
        " (reserved scopes of 10-auth are accepted too)"
    )


def _dev_parser(sub: Any) -> None:
    dev = sub.add_parser("dev", help="run the local stack (Ctrl-C stops it)")
    # Also accepted after `dev` (60-operations §2 lists it there); the global form works too.
    dev.add_argument(
        "--data-dir", default=argparse.SUPPRESS, help="where the stack keeps its state (default .42min)"
    )
    dev.add_argument(
        "--port", type=int, default=8042, help="HTTP port of the API (default 8042; 0 picks one)"
    )
    dev.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    dev.add_argument("--seed", metavar="FILE", help="load this seed file (YAML/JSON) at start")
    dev.add_argument(
        "--no-demo", action="store_true", help="do not seed the demo organization on first start"
    )
    dev.add_argument(
        "--allow-insecure-webhooks",
        action="store_true",
        help="accept http:// and loopback webhook URLs (development only)",
    )
    dev.add_argument(
        "--webhook-retry-schedule",
        metavar="S",
        default="0,60,300,1800,7200,43200",
        help="attempt offsets in seconds (default 0,60,300,1800,7200,43200)",
    )
    dev.add_argument(
        "--rate-limits",
        metavar="SPEC",
        default="",
        help="bucket sizes per minute, e.g. pat=120,oauth=120,anonymous=30",
    )
    dev.set_defaults(func=cmd_dev)


def _org_user_team_parsers(admin: Any) -> None:
    org = admin.add_parser("org", help="organizations").add_subparsers(dest="action", required=True)
    org_create = org.add_parser("create", help="create an organization")
    org_create.add_argument("name", help="the organization's name (unique)")
    org_create.add_argument("--plan", help="plan name (e.g. Pro)")
    _command(org_create, cmd_org_create)

    user = admin.add_parser("user", help="users").add_subparsers(dest="action", required=True)
    user_create = user.add_parser("create", help="create a user with a Mon-Fri 09:00-17:00 default schedule")
    user_create.add_argument("--org", required=True, help="organization name or id")
    user_create.add_argument("--username", required=True, help="unique username (lower case)")
    user_create.add_argument("--email", required=True, help="unique email address")
    user_create.add_argument("--first-name", help="first name")
    user_create.add_argument("--last-name", help="last name")
    user_create.add_argument("--timezone", default="UTC", help="IANA time zone (default UTC)")
    user_create.add_argument("--locale", default="en", help="locale (default en)")
    user_create.add_argument(
        "--role", default="user", choices=["owner", "admin", "user"], help="role in the organization"
    )
    user_create.add_argument(
        "--password-stdin", action="store_true", help="read a sign-in password from the first line of stdin"
    )
    _command(user_create, cmd_user_create)
    user_remove = user.add_parser("remove", help="remove a user; revokes their PATs and OAuth grants")
    user_remove.add_argument("user", help="username or id")
    _command(user_remove, cmd_user_remove)

    team = admin.add_parser("team", help="teams").add_subparsers(dest="action", required=True)
    team_create = team.add_parser("create", help="create a team")
    team_create.add_argument("--org", required=True, help="organization name or id")
    team_create.add_argument("name", help="the team's name")
    team_create.add_argument("--members", required=True, help="comma-separated usernames or ids")
    _command(team_create, cmd_team_create)

    schedule = admin.add_parser("schedule", help="schedules").add_subparsers(dest="action", required=True)
    schedule_set = schedule.add_parser("set", help="replace a user's default schedule")
    schedule_set.add_argument("--user", required=True, help="username or id")
    schedule_set.add_argument("file", help="YAML/JSON schedule document (the seed file's shape)")
    _command(schedule_set, cmd_schedule_set)


def _pat_parsers(admin: Any) -> None:
    pat = admin.add_parser("pat", help="personal access tokens").add_subparsers(dest="action", required=True)
    pat_create = pat.add_parser("create", help="mint a PAT (prints the token once)")
    pat_create.add_argument("--user", required=True, help="the owner: username or id")
    pat_create.add_argument("--name", required=True, help="a label for the token")
    pat_create.add_argument("--scopes", required=True, help=scopes_help())
    pat_create.add_argument(
        "--expires-in-days", type=_expires, help="42, 90, 180 or 365 (default: never expires)"
    )
    _command(pat_create, cmd_pat_create)
    pat_list = pat.add_parser("list", help="the organization's PATs (never the secrets)")
    pat_list.add_argument("--org", required=True, help="organization name or id")
    _command(pat_list, cmd_pat_list)
    for action, func, text in (
        ("regenerate", cmd_pat_regenerate, "replace a PAT's secret (same id and scopes)"),
        ("revoke", cmd_pat_revoke, "revoke a PAT at once"),
    ):
        cmd = pat.add_parser(action, help=text)
        cmd.add_argument("id", help="the PAT's id")
        _command(cmd, func)


def build_parser(*, admin_plugins: bool = True) -> argparse.ArgumentParser:
    """The whole command tree; `admin_plugins=False` leaves out the `admin` commands that other
    modules add (importing them loads the services, a second or more before `dev` could start)."""
    parser = argparse.ArgumentParser(prog="42min", description="42min API: local stack and admin tooling")
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("FORTYTWO_DATA_DIR", ".42min"),
        help="the local stack's data dir (default .42min or $FORTYTWO_DATA_DIR)",
    )
    parser.add_argument("--endpoint", help="DynamoDB endpoint URL (with --table)")
    parser.add_argument("--table", help="DynamoDB table name (with --endpoint)")
    sub = parser.add_subparsers(dest="command", required=True)

    _dev_parser(sub)

    seed = sub.add_parser("seed", help="load a seed file")
    seed.add_argument("file", help="YAML or JSON seed file (60-operations §4)")
    _command(seed, cmd_seed)

    openapi = sub.add_parser("openapi", help="print the merged OpenAPI document")
    openapi.add_argument("--out", metavar="FILE", help="write it to FILE instead of stdout")
    openapi.set_defaults(func=cmd_openapi)

    admin = sub.add_parser("admin", help="owner/admin operations").add_subparsers(dest="area", required=True)
    _org_user_team_parsers(admin)
    _pat_parsers(admin)

    for name in ADMIN_PLUGINS if admin_plugins else ():
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(admin, _command)
    return parser


# Expected failures of other modules: (module, class). Looked up in sys.modules, never imported here:
# an exception of a module that was never loaded cannot have been raised, and importing them costs
# seconds (they load the services) on a path that must answer at once (a busy port).
_USER_ERRORS = (
    ("fortytwo.config", "ConfigError"),
    ("fortytwo_local.backend", "BackendError"),
    ("fortytwo_local.provisioning", "ProvisioningError"),
    ("fortytwo_local.seed", "SeedError"),
)


def _user_error(exc: Exception) -> str | None:
    """The one line a user sees for an expected failure, or None for a bug (keeps its traceback)."""
    if isinstance(exc, CliError):
        return str(exc)
    for module_name, class_name in _USER_ERRORS:
        module = sys.modules.get(module_name)
        if module is not None and isinstance(exc, getattr(module, class_name)):
            return str(exc)
    if isinstance(exc, OSError):  # e.g. `openapi --out` into a folder that does not exist
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(admin_plugins="admin" in argv)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except Exception as exc:
        message = _user_error(exc)
        if message is None:
            raise
        print(f"42min: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    # Run through the importable module so plugins and this entry share one CliError class.
    from fortytwo_local import cli as _cli

    sys.exit(_cli.main())
