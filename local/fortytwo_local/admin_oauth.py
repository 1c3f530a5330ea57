"""`42min admin oauth-client create` (60-operations §2.1)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from fortytwo.domain.oauth.clients import ClientInputError
from fortytwo.services import oauth


def cmd_oauth_client_create(args: argparse.Namespace) -> int:
    from fortytwo_local.cli import CliError, _backend, _find_org, emit

    _backend(args)
    org = _find_org(args.org)
    try:
        client, secret = oauth.create_admin(
            organization_id=org.id,
            name=args.name,
            client_type=args.type,
            redirect_uris=list(args.redirect_uris),
        )
    except ClientInputError as exc:
        raise CliError(str(exc)) from exc
    view = client.public_view(secret)
    summary = f"created OAuth client {client.client_name} ({client.client_id}, {client.client_type})"
    if secret:
        summary += f"\nclient_secret (shown once): {secret}"
    emit(args, view, summary)
    return 0


def register(admin: Any, command: Callable[..., None]) -> None:
    group = admin.add_parser("oauth-client", help="OAuth clients").add_subparsers(
        dest="action", required=True
    )
    create = group.add_parser("create", help="register an OAuth client")
    create.add_argument("--org", required=True, help="organization name or id")
    create.add_argument("--name", required=True, help="the name users see on the consent screen")
    create.add_argument(
        "--type",
        required=True,
        choices=["confidential", "public"],
        help="confidential (has a client secret) or public (PKCE only)",
    )
    create.add_argument(
        "--redirect-uri",
        dest="redirect_uris",
        action="append",
        required=True,
        help="an allowed redirect URI (repeat for several)",
    )
    command(create, cmd_oauth_client_create)
