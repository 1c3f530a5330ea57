"""Client registration (10-auth §6.2, §6.12): admin creation and dynamic-registration metadata checks."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from fortytwo.domain import json_text
from fortytwo.domain.oauth.artifacts import hash_secret, new_client_id, new_client_secret
from fortytwo.domain.oauth.models import (
    AUTH_METHODS,
    GRANT_TYPES,
    AuthMethod,
    ClientType,
    OAuthClient,
    OAuthError,
)
from fortytwo.domain.oauth.redirect_uris import redirect_host, validate_redirect_uris

MAX_BODY_BYTES = 65536
MAX_CLIENT_NAME = 100
DEFAULT_GRANT_TYPES: tuple[str, ...] = ("authorization_code", "refresh_token")


class ClientInputError(ValueError):
    """Admin or seed input that cannot make a client (one line for the CLI)."""


def _check_name(name: object, field: str) -> str | None:
    if not isinstance(name, str):
        return f"{field} must be a string of 1 to {MAX_CLIENT_NAME} characters."
    trimmed = name.strip()
    if not 1 <= len(trimmed) <= MAX_CLIENT_NAME:
        return f"{field} must be 1 to {MAX_CLIENT_NAME} characters."
    return None


def _build(
    *,
    name: str,
    client_type: ClientType,
    auth_method: AuthMethod,
    redirect_uris: list[str],
    grant_types: tuple[str, ...],
    organization_id: str | None,
    registered_via: Literal["admin", "page", "dcr"],
    pepper: bytes,
    now: datetime,
) -> tuple[OAuthClient, str | None]:
    secret = new_client_secret() if client_type == "confidential" else None
    client = OAuthClient(
        client_id=new_client_id(int(now.timestamp() * 1000)),
        client_name=name.strip(),
        client_type=client_type,
        token_endpoint_auth_method=auth_method,
        redirect_uris=tuple(redirect_uris),
        grant_types=grant_types,
        response_types=("code",),
        secret_hash=hash_secret(pepper, secret) if secret else None,
        organization_id=organization_id,
        registered_via=registered_via,
        created_at=now,
    )
    return client, secret


def create_admin_client(
    *,
    organization_id: str,
    name: str,
    client_type: str,
    redirect_uris: list[str],
    pepper: bytes,
    now: datetime,
    registered_via: Literal["admin", "page"] = "admin",
) -> tuple[OAuthClient, str | None]:
    """`42min admin oauth-client create` / seed `oauth_clients` / Admin Center's Register (55 §4):
    returns (client, secret shown once)."""
    problem = _check_name(name, "name")
    if problem:
        raise ClientInputError(problem)
    if client_type not in ("confidential", "public"):
        raise ClientInputError("type must be confidential or public.")
    uris = _checked_uris(redirect_uris, public=client_type == "public")
    confidential = client_type == "confidential"
    return _build(
        name=name,
        client_type="confidential" if confidential else "public",
        auth_method="client_secret_basic" if confidential else "none",
        redirect_uris=uris,
        grant_types=DEFAULT_GRANT_TYPES,
        organization_id=organization_id,
        registered_via=registered_via,
        pepper=pepper,
        now=now,
    )


def _checked_uris(redirect_uris: list[str], *, public: bool) -> list[str]:
    uris, message = validate_redirect_uris(list(redirect_uris), "redirect_uri", public=public)
    if uris is None:
        raise ClientInputError(message or "redirect_uri is invalid.")
    return uris


def managed(client: OAuthClient | None, organization_id: str) -> bool:
    """Clients an organization manages (admin or page registrations); dynamically registered
    clients are never managed, so every action on them answers as for a missing one (55 §4)."""
    return client is not None and client.organization_id == organization_id and client.registered_via != "dcr"


def with_redirect_uris(client: OAuthClient, redirect_uris: list[str]) -> OAuthClient:
    """Edit redirect URIs (55 §4): the registration rules of §6.2.1; grants are untouched."""
    return replace(
        client, redirect_uris=tuple(_checked_uris(redirect_uris, public=not client.is_confidential))
    )


def with_new_secret(client: OAuthClient, pepper: bytes) -> tuple[OAuthClient, str]:
    """Rotate secret (55 §4, replacing §6.2's "cannot be rotated"): the old one stops at once."""
    if not client.is_confidential:
        raise ClientInputError("only confidential clients have a secret.")
    secret = new_client_secret()
    return replace(client, secret_hash=hash_secret(pepper, secret)), secret


# --- Dynamic client registration (§6.12) ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegistrationMetadata:
    redirect_uris: list[str]
    token_endpoint_auth_method: AuthMethod
    grant_types: tuple[str, ...]
    client_name: str


def _metadata_error(description: str) -> OAuthError:
    return OAuthError("invalid_client_metadata", description)


def parse_json_object(body: bytes) -> dict[str, object] | None:
    """The request JSON rules of every endpoint (`domain/json_text.py`); None unless a JSON object."""
    if not body:
        return None
    try:
        value = json_text.loads(body)
    except json_text.JsonTextError:
        return None
    return value if isinstance(value, dict) else None


def _present(doc: dict[str, object], key: str) -> bool:
    # JSON null on an optional member means "use the default".
    return doc.get(key) is not None


def validate_registration(body: bytes, content_type: str | None) -> RegistrationMetadata | OAuthError:
    """Checks 1–7 of §6.12 in order; the first failure answers. Unknown members are ignored."""
    if len(body) > MAX_BODY_BYTES:
        return OAuthError("invalid_request", f"The request body must be at most {MAX_BODY_BYTES} bytes.", 413)
    if not json_text.is_json_media_type(content_type):
        return _metadata_error("The request body must be application/json.")
    doc = parse_json_object(body)
    if doc is None:
        return _metadata_error("The request body must be a JSON object.")

    # A client without a secret may register private-use URIs (50-mcp §4.6).
    public = doc.get("token_endpoint_auth_method") == "none"
    uris, message = validate_redirect_uris(doc.get("redirect_uris"), public=public)
    if uris is None:
        return OAuthError("invalid_redirect_uri", message or "redirect_uris is invalid.")

    method: AuthMethod = "client_secret_basic"
    if _present(doc, "token_endpoint_auth_method"):
        value = doc["token_endpoint_auth_method"]
        if value not in AUTH_METHODS:
            return _metadata_error(
                "token_endpoint_auth_method must be none, client_secret_basic or client_secret_post."
            )
        method = value  # type: ignore[assignment]

    grant_types = DEFAULT_GRANT_TYPES
    if _present(doc, "grant_types"):
        value = doc["grant_types"]
        if (
            not isinstance(value, list)
            or not value
            or any(g not in GRANT_TYPES for g in value)
            or "authorization_code" not in value
        ):
            return _metadata_error(
                "grant_types must be a non-empty subset of authorization_code and refresh_token "
                "that contains authorization_code."
            )
        grant_types = tuple(g for g in GRANT_TYPES if g in value)

    if _present(doc, "response_types") and doc["response_types"] != ["code"]:
        return _metadata_error('response_types must be ["code"].')

    if _present(doc, "client_name"):
        problem = _check_name(doc["client_name"], "client_name")
        if problem:
            return _metadata_error(problem)
        name = str(doc["client_name"]).strip()
    else:
        name = redirect_host(uris[0])[:MAX_CLIENT_NAME]

    return RegistrationMetadata(uris, method, grant_types, name)


def register_client(
    meta: RegistrationMetadata, *, pepper: bytes, now: datetime
) -> tuple[OAuthClient, str | None]:
    """A dynamically registered client: `organization_id` null, `registered_via` dcr."""
    public = meta.token_endpoint_auth_method == "none"
    return _build(
        name=meta.client_name,
        client_type="public" if public else "confidential",
        auth_method=meta.token_endpoint_auth_method,
        redirect_uris=meta.redirect_uris,
        grant_types=meta.grant_types,
        organization_id=None,
        registered_via="dcr",
        pepper=pepper,
        now=now,
    )


def registration_response(client: OAuthClient, client_secret: str | None) -> dict[str, object]:
    """The 201 body (RFC 7591).

    `client_secret` (shown once) and `client_secret_expires_at` only for confidential clients.
    """
    body: dict[str, object] = {
        "client_id": client.client_id,
        "client_id_issued_at": int(client.created_at.timestamp()),
    }
    if client_secret is not None:
        body["client_secret"] = client_secret
        body["client_secret_expires_at"] = 0
    body.update(
        {
            "client_name": client.client_name,
            "redirect_uris": list(client.redirect_uris),
            "grant_types": list(client.grant_types),
            "response_types": list(client.response_types),
            "token_endpoint_auth_method": client.token_endpoint_auth_method,
        }
    )
    return body
