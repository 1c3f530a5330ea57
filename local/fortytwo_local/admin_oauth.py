"""`42min admin oauth-client create|list|redirect-uris|rotate-secret|delete` (10-auth §6.2, 55-admin-center
§4): the same service functions as Admin Center's OAuth apps tab."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from fortytwo.domain.oauth.clients import ClientInputError
from fortytwo.domain.oauth.models import OAuthClient
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


def cmd_oauth_client_list(args: argparse.Namespace) -> int:
    from fortytwo_local.cli import _backend, _find_org, emit

    _backend(args)
    clients = oauth.clients_of_org(_find_org(args.org).id)
    lines = [f"{c.client_id}  {c.client_type:<12}  {c.registered_via:<5}  {c.client_name}" for c in clients]
    emit(args, [c.public_view() for c in clients], "\n".join(lines) or "no OAuth clients")
    return 0


def _client(client_id: str) -> OAuthClient:
    from fortytwo_local.cli import CliError

    client = oauth.managed_client(client_id, None)
    if client is None:
        raise CliError(f"no OAuth client {client_id!r} managed by an organization")
    return client


def cmd_oauth_client_redirect_uris(args: argparse.Namespace) -> int:
    from fortytwo_local.cli import CliError, _backend, emit

    _backend(args)
    try:
        client = oauth.set_redirect_uris(_client(args.client_id), list(args.redirect_uris))
    except (ClientInputError, oauth.ClientChanged) as exc:
        raise CliError(str(exc)) from exc
    emit(args, client.public_view(), f"redirect URIs of {client.client_id}: {' '.join(client.redirect_uris)}")
    return 0


def cmd_oauth_client_rotate_secret(args: argparse.Namespace) -> int:
    from fortytwo_local.cli import CliError, _backend, emit

    _backend(args)
    try:
        client, secret = oauth.rotate_client_secret(_client(args.client_id))
    except (ClientInputError, oauth.ClientChanged) as exc:
        raise CliError(str(exc)) from exc
    emit(
        args,
        client.public_view(secret),
        f"rotated the secret of {client.client_id}\nclient_secret (shown once): {secret}",
    )
    return 0


def cmd_oauth_client_delete(args: argparse.Namespace) -> int:
    from fortytwo_local.cli import _backend, emit

    _backend(args)
    client = _client(args.client_id)
    revoked = oauth.delete_client(client)
    emit(
        args,
        {"client_id": client.client_id, "deleted": True, "revoked_grants": revoked},
        f"deleted OAuth client {client.client_id} ({revoked} grants revoked)",
    )
    return 0


def _redirect_uri_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--redirect-uri",
        dest="redirect_uris",
        action="append",
        required=True,
        help="an allowed redirect URI (repeat for several)",
    )


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
    _redirect_uri_option(create)
    command(create, cmd_oauth_client_create)
    listing = group.add_parser("list", help="the OAuth clients an organization manages")
    listing.add_argument("--org", required=True, help="organization name or id")
    command(listing, cmd_oauth_client_list)
    uris = group.add_parser("redirect-uris", help="replace a client's redirect URIs (grants stay)")
    uris.add_argument("client_id", help="the client's id")
    _redirect_uri_option(uris)
    command(uris, cmd_oauth_client_redirect_uris)
    rotate = group.add_parser("rotate-secret", help="a new client secret; the old one stops at once")
    rotate.add_argument("client_id", help="the client's id")
    command(rotate, cmd_oauth_client_rotate_secret)
    delete = group.add_parser("delete", help="delete a client, revoking every grant and token")
    delete.add_argument("client_id", help="the client's id")
    command(delete, cmd_oauth_client_delete)
