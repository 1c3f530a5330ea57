"""The `oauth_clients` section of seed files (60-operations §4)."""

from __future__ import annotations

from typing import Any

from fortytwo.domain.oauth.clients import ClientInputError
from fortytwo.domain.oauth.redirect_uris import MAX_REDIRECT_URIS, redirect_uri_problem
from fortytwo.services import oauth
from fortytwo_local.seed import SeedError, register_section

FIELDS = ("key", "name", "type", "redirect_uris")


def _redirect_uris(value: Any, path: str, *, public: bool) -> list[str]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_REDIRECT_URIS:
        raise SeedError(path, f"must be a list of 1 to {MAX_REDIRECT_URIS} URIs")
    seen: set[str] = set()
    for j, uri in enumerate(value):
        if not isinstance(uri, str):
            raise SeedError(f"{path}[{j}]", "must be a string")
        problem = redirect_uri_problem(uri, public=public)
        if problem:
            raise SeedError(f"{path}[{j}]", problem.rstrip("."))
        if uri in seen:
            raise SeedError(f"{path}[{j}]", "is a duplicate")
        seen.add(uri)
    return list(value)


def build(entries: list[Any], context: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """Validate every entry, then return the clients (written with the rest of the seed)."""
    clients: list[Any] = []
    result: dict[str, Any] = {}
    for i, entry in enumerate(entries):
        path = f"oauth_clients[{i}]"
        if not isinstance(entry, dict):
            raise SeedError(path, "must be a mapping")
        for field in entry:
            if field not in FIELDS:
                raise SeedError(f"{path}.{field}", "is not a known field")
        if entry.get("type") not in ("confidential", "public"):
            raise SeedError(f"{path}.type", "must be confidential or public")
        uris = _redirect_uris(
            entry.get("redirect_uris"), f"{path}.redirect_uris", public=entry.get("type") == "public"
        )
        try:
            client, secret = oauth.new_admin_client(
                organization_id=context["org_id"],
                name=entry.get("name"),  # type: ignore[arg-type]
                client_type=entry["type"],
                redirect_uris=uris,
                now=context["now"],
            )
        except ClientInputError as exc:
            raise SeedError(f"{path}.name", str(exc).removeprefix("name ").rstrip(".")) from exc
        key = str(entry.get("key") or client.client_name)
        if key in result:
            raise SeedError(f"{path}.key", "is used twice in this file")
        view: dict[str, Any] = {"client_id": client.client_id}
        if secret is not None:
            view["client_secret"] = secret
        result[key] = view
        clients.append(client)
    return clients, result


register_section("oauth_clients", build)
