"""`42min admin webhook …` (60-operations §2.1, 40-webhooks §2.2): the admin view of every
sandbox of an organization, and admin-owned subscriptions (owner key `admin`, invisible to
`/v1/webhooks`).

The commands go through the same store and domain rules as the API: the URL policy (syntax and
destination), the duplicate-URL lock, the 25-per-sandbox limit, and the §7.10 health rules
(pause = PATCH `paused`, resume = PATCH `active`, which resets the failure counter).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

Command = Callable[[argparse.ArgumentParser, Callable[[argparse.Namespace], int]], None]


def _view(sub: Any, *, secret: bool = False) -> dict[str, Any]:
    from fortytwo.store import webhooks

    return {
        **webhooks.public_view(sub, secret=secret),
        "owner_key": sub.owner_key,
        "organization_id": sub.organization_id,
    }


def _line(view: dict[str, Any]) -> str:
    reason = f" ({view['paused_reason']})" if view["paused_reason"] else ""
    return (
        f"{view['id']}  {view['status']}{reason}  owner={view['owner_key']}  {view['url']}  "
        f"{','.join(view['events'])}"
    )


def _subscription(raw_id: str) -> Any:
    from fortytwo.domain.ids import normalize_uuid
    from fortytwo.store import webhooks
    from fortytwo_local.cli import CliError

    webhook_id = normalize_uuid(raw_id)
    sub = webhooks.get(webhook_id) if webhook_id else None
    if sub is None:
        raise CliError(f"no webhook {raw_id!r}")
    return sub


def _allow_insecure() -> bool:
    from fortytwo.config import get_settings

    return get_settings().allow_insecure_webhooks


def cmd_list(args: argparse.Namespace) -> int:
    from fortytwo.store import webhooks
    from fortytwo_local.cli import _backend, _org, emit

    _backend(args)
    org = _org(args.org)
    subs = sorted(webhooks.list_account(org["id"]), key=lambda s: (s.created_at, s.id), reverse=True)
    views = [_view(s) for s in subs]
    emit(args, views, "\n".join(_line(v) for v in views) if views else "no webhooks")
    return 0


def cmd_create(args: argparse.Namespace) -> int:
    from fortytwo.adapters.webhook_http import check_destination
    from fortytwo.domain import clock
    from fortytwo.domain.ids import uuid7
    from fortytwo.domain.webhooks.envelope import epoch_ms
    from fortytwo.domain.webhooks.signature import generate_secret
    from fortytwo.domain.webhooks.url_policy import forbidden_host_message
    from fortytwo.domain.webhooks.validation import validate_create
    from fortytwo.store import webhooks
    from fortytwo_local.cli import CliError, _backend, _org, emit

    _backend(args)
    org = _org(args.org)
    body: dict[str, Any] = {
        "url": args.url,
        "events": [e.strip() for e in args.events.split(",") if e.strip()],
    }
    if args.description is not None:
        body["description"] = args.description
    parsed = validate_create(body, allow_insecure=_allow_insecure())
    if isinstance(parsed, list):
        raise CliError("; ".join(f"{e.field}: {e.message}" for e in parsed))
    if check_destination(parsed.url, allow_insecure=_allow_insecure()) is not None:
        raise CliError(forbidden_host_message(parsed.url.host))
    now = clock.now()
    try:
        sub = webhooks.create(
            webhook_id=uuid7(epoch_ms(now)),
            org_id=org["id"],
            owner_key=webhooks.ADMIN_OWNER_KEY,
            url=parsed.url.url,
            events=parsed.events,
            description=parsed.description,
            secret=generate_secret(),
            now=now,
        )
    except webhooks.DuplicateUrlError as exc:
        raise CliError(f"the admin sandbox already has webhook {exc.webhook_id} for this URL") from None
    except webhooks.LimitReachedError:
        raise CliError(f"the admin sandbox already holds {webhooks.MAX_PER_SANDBOX} webhooks") from None
    view = _view(sub, secret=True)
    emit(
        args,
        view,
        f"created webhook {sub.id} (owner admin)\nsigning secret (shown once): {sub.secret}",
    )
    return 0


def _set_status(args: argparse.Namespace, status: str) -> int:
    from fortytwo.domain import clock
    from fortytwo.domain.webhooks.validation import PatchInput
    from fortytwo.store import webhooks
    from fortytwo_local.cli import CliError, _backend, emit

    _backend(args)
    sub = _subscription(args.id)
    try:
        updated = webhooks.update(sub, PatchInput(status=status), clock.now())  # type: ignore[arg-type]
    except webhooks.SubscriptionMissing:
        raise CliError(f"no webhook {args.id!r}") from None
    view = _view(updated)
    emit(args, view, f"webhook {updated.id} is {updated.status}")
    return 0


def cmd_pause(args: argparse.Namespace) -> int:
    return _set_status(args, "paused")


def cmd_resume(args: argparse.Namespace) -> int:
    return _set_status(args, "active")


def cmd_delete(args: argparse.Namespace) -> int:
    from fortytwo.store import webhooks
    from fortytwo_local.cli import _backend, emit

    _backend(args)
    sub = _subscription(args.id)
    webhooks.delete(sub)
    emit(args, {"id": sub.id, "deleted": True}, f"deleted webhook {sub.id}")
    return 0


def cmd_rotate_secret(args: argparse.Namespace) -> int:
    from fortytwo.domain import clock
    from fortytwo.domain.webhooks.signature import generate_secret
    from fortytwo.store import webhooks
    from fortytwo_local.cli import CliError, _backend, emit

    _backend(args)
    sub = _subscription(args.id)
    try:
        rotated = webhooks.rotate_secret(sub, generate_secret(), clock.now())
    except webhooks.SubscriptionMissing:
        raise CliError(f"no webhook {args.id!r}") from None
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
    listing.add_argument("--org", required=True)
    command(listing, cmd_list)

    create = webhook.add_parser("create", help="an admin-owned subscription (prints the secret once)")
    create.add_argument("--org", required=True)
    create.add_argument("--url", required=True)
    create.add_argument("--events", required=True, help="comma-separated underscore names")
    create.add_argument("--description")
    command(create, cmd_create)

    for action, func in (
        ("pause", cmd_pause),
        ("resume", cmd_resume),
        ("delete", cmd_delete),
        ("rotate-secret", cmd_rotate_secret),
    ):
        parser = webhook.add_parser(action)
        parser.add_argument("id")
        command(parser, func)
