"""Client authentication at the token, revoke and introspect endpoints (10-auth §6.8.1).

One pure resolution over the `Authorization` header, the parsed form and a client lookup, in
the spec's check order. Either registered method is accepted whatever the client registered.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote_plus

from fortytwo.domain.oauth.artifacts import CLIENT_ID_RE, constant_time_equals, hash_secret
from fortytwo.domain.oauth.models import OAuthClient, OAuthError

INVALID_CLIENT_DESCRIPTION = "Client authentication failed."
BASIC_CHALLENGE = 'Basic realm="42min"'


@dataclass(frozen=True, slots=True)
class AuthenticatedClient:
    client: OAuthClient
    method: str  # client_secret_basic | client_secret_post | none


@dataclass(frozen=True, slots=True)
class ClientAuthFailure:
    error: OAuthError
    used_basic: bool

    @property
    def headers(self) -> dict[str, str]:
        """`WWW-Authenticate: Basic realm="42min"` on a 401 when the request used Basic."""
        if self.used_basic and self.error.status == 401:
            return {"WWW-Authenticate": BASIC_CHALLENGE}
        return {}


@dataclass(frozen=True, slots=True)
class BasicCredentials:
    client_id: str
    client_secret: str


def basic_header(authorization: str | None) -> str | None:
    """The credential part when the header's scheme is `Basic` (any case), else None.

    Other schemes are ignored on these endpoints. A bare `Basic` gives "" (present, malformed).
    """
    if authorization is None:
        return None
    text = authorization.strip(" \t")
    scheme, _, credential = text.partition(" ")
    if scheme.lower() != "basic":
        return None
    return credential.strip(" \t")


def decode_basic(credential: str) -> BasicCredentials | None:
    """base64(urlencode(id) ":" urlencode(secret)) → parts, or None when malformed."""
    if not credential:
        return None
    padded = credential + "=" * (-len(credential) % 4)
    try:
        raw = base64.b64decode(padded, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    if ":" not in raw:
        return None
    user, _, password = raw.partition(":")
    return BasicCredentials(unquote_plus(user), unquote_plus(password))


def _fail(description: str = INVALID_CLIENT_DESCRIPTION, *, used_basic: bool) -> ClientAuthFailure:
    return ClientAuthFailure(OAuthError("invalid_client", description, 401), used_basic)


def authenticate_client(
    authorization: str | None,
    form: Mapping[str, str],
    lookup_client: Callable[[str], OAuthClient | None],
    pepper: bytes,
    *,
    confidential_only: bool = False,
) -> AuthenticatedClient | ClientAuthFailure:
    """Checks 1–7 of §6.8.1. `form` holds single-valued parameters (repeats were rejected before).

    An empty `client_id` or `client_secret` field counts as absent. `confidential_only` is the
    introspection rule (check 7).
    """
    credential = basic_header(authorization)
    used_basic = credential is not None
    form_id = form.get("client_id") or None
    form_secret = form.get("client_secret") or None

    # 1. Two methods at once.
    if used_basic and form_secret is not None:
        return ClientAuthFailure(
            OAuthError(
                "invalid_request",
                "Use one client authentication method: the Basic header or the client_secret field.",
            ),
            used_basic,
        )

    # 2. The Basic header decodes.
    basic: BasicCredentials | None = None
    if credential is not None:
        basic = decode_basic(credential)
        if basic is None:
            return _fail("The Basic authorization header is malformed.", used_basic=True)

    # 3. A client identity, consistent across header and field.
    basic_id = basic.client_id if basic and basic.client_id else None
    identity = basic_id or form_id
    if identity is None:
        return _fail("Client authentication is required.", used_basic=used_basic)
    if basic_id and form_id and basic_id != form_id:
        return _fail(used_basic=used_basic)

    # 4. The client exists.
    client = lookup_client(identity) if CLIENT_ID_RE.match(identity) else None
    if client is None:
        return _fail(used_basic=used_basic)

    secret = (basic.client_secret or None) if basic else form_secret
    if client.is_confidential:
        # 5. Secret present and matching; the HMAC is compared in constant time.
        if secret is None or client.secret_hash is None:
            return _fail(used_basic=used_basic)
        if not constant_time_equals(hash_secret(pepper, secret), client.secret_hash):
            return _fail(used_basic=used_basic)
        method = "client_secret_basic" if used_basic else "client_secret_post"
    else:
        # 6. Public clients send no secret.
        if secret is not None:
            return _fail("A public client must not send a client secret.", used_basic=used_basic)
        method = "none"

    # 7. Introspection is for confidential clients only.
    if confidential_only and not client.is_confidential:
        return _fail("Only confidential clients may introspect tokens.", used_basic=used_basic)
    return AuthenticatedClient(client, method)
