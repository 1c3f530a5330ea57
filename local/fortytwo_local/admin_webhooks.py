"""`42min admin webhook …` (60-operations §2.1, 40-webhooks §2.2): the admin view of every
sandbox of an organization, and admin-owned subscriptions (owner key `admin`, invisible to
`/v1/webhooks`).

Every command calls the same service as the API (`fortytwo.services.webhooks`), so the URL
policy (syntax and destination), the duplicate-URL lock, the 25-per-sandbox limit and the §7.10
health rules (pause = PATCH `paused`, resume = PATCH `active`, which resets the failure counter)
are the API's; this module only turns arguments into a call and contract errors into messages.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fortytwo.domain.webhooks.events import REST_NAMES

Command = Callable[[argparse.ArgumentParser, Callable[[argparse.Namespace], int]], None]


def _view(sub: Any, *, secret: bool = False) -> dict[str, Any]:
    return {**sub.to_api(secret=secret), "owner_key": sub.owner_key, "organization_id": sub.organization_id}


def _line(view: dict[str, Any]) -> str:
    reason = f" ({view['paused_reason']})" if view["paused_reason"] else ""
    return (
        f"{view['id']}  {view['status']}{reason}  owner={view['owner_key']}  {view['url']}  "
        f"{','.join(view['events'])}"
    )


@contextmanager
def _as_cli_errors(raw_id: str | None = None) -> Iterator[None]:
    """The API's contract errors, said the way an operator reads them."""
    from fortytwo.contract import errors
    from fortytwo.domain.webhooks.subscription import MAX_PER_SANDBOX
    from fortytwo_local.cli import CliError

    try:
        yield
    except errors.NotFound:
        raise CliError(f"no webhook {raw_id!r}") from None
    except errors.ValidationFailed as exc:
        fields = exc.details.get("fields", [])
        raise CliError("; ".join(f"{f['field']}: {f['message']}" for f in fields)) from None
    except errors.DuplicateUrl as exc:
        holder = exc.details["webhook_id"]
        raise CliError(f"the admin sandbox already has webhook {holder} for this URL") from None
    except errors.WebhookLimitReached:
        raise CliError(f"the admin sandbox already holds {MAX_PER_SANDBOX} webhooks") from None
    except errors.ApiError as exc:
        raise CliError(exc.message) from None


def cmd_list(args: argparse.Namespace) -> int:
    from fortytwo.services import webhooks
    from fortytwo_local.cli import _backend, _org, emit

    _backend(args)
    org = _org(args.org)
    views = [_view(s) for s in webhooks.list_organization(org["id"])]
    emit(args, views, "\n".join(_line(v) for v in views) if views else "no webhooks")
    return 0


def cmd_create(args: argparse.Namespace) -> int:
    from fortytwo.services import webhooks
    from fortytwo_local.cli import _backend, _org, emit

    _backend(args)
    org = _org(args.org)
    body: dict[str, Any] = {
        "url": args.url,
        "events": [e.strip() for e in args.events.split(",") if e.strip()],
    }
    if args.description is not None:
        body["description"] = args.description
    with _as_cli_errors():
        sub = webhooks.create_webhook(
            webhooks.Sandbox(org["id"], webhooks.ADMIN_OWNER_KEY), body, webhooks.Outbound()
        )
    emit(
        args,
        _view(sub, secret=True),
        f"created webhook {sub.id} (owner admin)\nsigning secret (shown once): {sub.secret}",
    )
    return 0


def _set_status(args: argparse.Namespace, status: str) -> int:
    from fortytwo.services import webhooks
    from fortytwo_local.cli import _backend, emit

    _backend(args)
    with _as_cli_errors(args.id):
        updated = webhooks.set_status(args.id, status, webhooks.Outbound())
    emit(args, _view(updated), f"webhook {updated.id} is {updated.status}")
    return 0


def cmd_pause(args: argparse.Namespace) -> int:
    return _set_status(args, "paused")


def cmd_resume(args: argparse.Namespace) -> int:
    return _set_status(args, "active")


def cmd_delete(args: argparse.Namespace) -> int:
    from fortytwo.services import webhooks
    from fortytwo_local.cli import _backend, emit

    _backend(args)
    with _as_cli_errors(args.id):
        sub = webhooks.delete_webhook(args.id, None).subscription
    emit(args, {"id": sub.id, "deleted": True}, f"deleted webhook {sub.id}")
    return 0


def cmd_rotate_secret(args: argparse.Namespace) -> int:
    from fortytwo.services import webhooks
    from fortytwo_local.cli import _backend, emit

    _backend(args)
    with _as_cli_errors(args.id):
        rotated = webhooks.rotate_secret(args.id, None, webhooks.Outbound())
    emit(
        args,
        _view(rotated, secret=True),
        f"rotated the secret of webhook {rotated.id}\nsigning secret (shown once): {rotated.secret}",
    )
    return 0


def register(admin: Any, command: Command) -> None:
    """Add `admin webhook …` to the `42min admin` sub-commands."""
    webhook = admin.add_parser("webhook", help="webhook subscriptions of any sandbox").add_subparsers(
        dest="action", required=True
    )
    listing = webhook.add_parser("list", help="every subscription of the organization, any sandbox")
    listing.add_argument("--org", required=True, help="organization name or id")
    command(listing, cmd_list)

    create = webhook.add_parser("create", help="an admin-owned subscription (prints the secret once)")
    create.add_argument("--org", required=True, help="organization name or id")
    create.add_argument("--url", required=True, help="the https URL that receives the deliveries")
    create.add_argument("--events", required=True, help=f"comma-separated: {', '.join(REST_NAMES)}")
    create.add_argument("--description", help="a note shown in the admin view")
    command(create, cmd_create)

    for action, func, text in (
        ("pause", cmd_pause, "stop deliveries until resumed"),
        ("resume", cmd_resume, "resume deliveries and reset the failure counter"),
        ("delete", cmd_delete, "delete the subscription"),
        ("rotate-secret", cmd_rotate_secret, "new signing secret (prints it once)"),
    ):
        parser = webhook.add_parser(action, help=text)
        parser.add_argument("id", help="the subscription's id")
        command(parser, func)
