"""The OAuth 2.1 authorization server's use cases (10-auth §6): client authentication, token
(code exchange, refresh), revocation, introspection, registration, admin clients, and the sign-in
sessions and codes behind the authorization pages.

Decisions live in `fortytwo.domain.oauth`; the store commits them. Failures are raised as
`OAuthProblem` (the raw RFC error), which the OAuth function renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from fortytwo.adapters.passwords import verify_password
from fortytwo.config import get_settings
from fortytwo.domain import clock
from fortytwo.domain.accounts import Organization, User
from fortytwo.domain.oauth import audience as audiences
from fortytwo.domain.oauth import grants as rules
from fortytwo.domain.oauth.artifacts import (
    COOKIE_VALUE_RE,
    SESSION_TTL,
    hash_secret,
    new_cookie_value,
    token_kind,
)
from fortytwo.domain.oauth.authorize import (
    AuthorizeOutcome,
    AuthorizeRequest,
    PostContext,
    validate_authorize,
)
from fortytwo.domain.oauth.client_auth import ClientAuthFailure, authenticate_client
from fortytwo.domain.oauth.clients import (
    create_admin_client,
    managed,
    register_client,
    registration_response,
    validate_registration,
    with_new_secret,
    with_redirect_uris,
)
from fortytwo.domain.oauth.models import (
    AccessToken,
    Issued,
    OAuthClient,
    OAuthError,
    OAuthProblem,
    RefreshToken,
    Session,
    invalid_request,
)
from fortytwo.services import accounts
from fortytwo.store import oauth as store
from fortytwo.store.pepper import get_pepper

GRANT_TYPES = ("authorization_code", "refresh_token")


def _issuer() -> str:
    return get_settings().public_base_url


# --- clients ----------------------------------------------------------------------------------


def authenticate(
    authorization: str | None, form: Mapping[str, str], *, confidential_only: bool = False
) -> OAuthClient:
    """§6.8.1: the calling client, or OAuthProblem(invalid_client) with its WWW-Authenticate."""
    result = authenticate_client(
        authorization, form, store.get_client, get_pepper(), confidential_only=confidential_only
    )
    if isinstance(result, ClientAuthFailure):
        raise OAuthProblem(result.error, headers=result.headers)
    return result.client


def new_admin_client(
    *, organization_id: str, name: str, client_type: str, redirect_uris: list[str], now: datetime
) -> tuple[OAuthClient, str | None]:
    """A validated client and its secret (shown once), not yet stored (seed files write it with the
    rest of the organization). ClientInputError on bad input."""
    return create_admin_client(
        organization_id=organization_id,
        name=name,
        client_type=client_type,
        redirect_uris=redirect_uris,
        pepper=get_pepper(),
        now=now,
    )


def create_admin(
    *, organization_id: str, name: str, client_type: str, redirect_uris: list[str]
) -> tuple[OAuthClient, str | None]:
    """`42min admin oauth-client create` (§6.2)."""
    return create_managed(
        organization_id=organization_id,
        name=name,
        client_type=client_type,
        redirect_uris=redirect_uris,
        via="admin",
    )


# --- clients an organization manages (55-admin-center §4; `42min admin oauth-client …`) --------


class ClientChanged(Exception):
    """The client changed (or was deleted) while this edit ran: nothing was written."""


def create_managed(
    *, organization_id: str, name: str, client_type: str, redirect_uris: list[str], via: str
) -> tuple[OAuthClient, str | None]:
    """Register a client of the organization: `via` is `admin` (the CLI) or `page` (Admin Center)."""
    client, secret = create_admin_client(
        organization_id=organization_id,
        name=name,
        client_type=client_type,
        redirect_uris=redirect_uris,
        pepper=get_pepper(),
        now=clock.now(),
        registered_via="page" if via == "page" else "admin",
    )
    store.create_client(client)
    return client, secret


def client_name(client_id: str) -> str | None:
    client = store.get_client(client_id)
    return client.client_name if client else None


def clients_of_org(organization_id: str) -> list[OAuthClient]:
    return store.clients_of_org(organization_id)


def managed_client(client_id: str, organization_id: str | None) -> OAuthClient | None:
    """The client if the organization manages it (`organization_id` None: the operator's CLI, any
    non-dynamic client); None otherwise, so another organization's or a dynamic client's id looks
    like a missing one."""
    client = store.get_client(client_id)
    if client is None or client.registered_via == "dcr":
        return None
    owner = client.organization_id if organization_id is None else organization_id
    return client if owner is not None and managed(client, owner) else None


def _replace(before: OAuthClient, after: OAuthClient) -> OAuthClient:
    if not store.replace_client(before, after):
        raise ClientChanged(before.client_id)
    return after


def set_redirect_uris(client: OAuthClient, redirect_uris: list[str]) -> OAuthClient:
    """Edit redirect URIs (§6.2.1 rules; ClientInputError). Grants are not revoked."""
    return _replace(client, with_redirect_uris(client, redirect_uris))


def rotate_client_secret(client: OAuthClient) -> tuple[OAuthClient, str]:
    """A new secret, shown once; the old one fails from now on (ClientInputError for public clients)."""
    rotated, secret = with_new_secret(client, get_pepper())
    return _replace(client, rotated), secret


def delete_client(client: OAuthClient, now: datetime | None = None) -> int:
    """Revoke every grant of the client (its access and refresh tokens fail from then on), then delete
    it (its codes can no longer be exchanged: the client does not authenticate). Returns how many
    grants were revoked."""
    now = now or clock.now()
    revoked = sum(
        1
        for grant in store.grants_of_client(client.client_id)
        if grant.revoked_at is None and store.revoke_grant(grant.grant_id, now)
    )
    store.delete_client(client.client_id)
    return revoked


def register(body: bytes, content_type: str | None) -> dict[str, object]:
    """§6.12 dynamic registration: the 201 body (the secret only here)."""
    meta = validate_registration(body, content_type)
    if isinstance(meta, OAuthError):
        raise OAuthProblem(meta)
    client, secret = register_client(meta, pepper=get_pepper(), now=clock.now())
    store.create_client(client)
    return registration_response(client, secret)


# --- token endpoint (§6.8) --------------------------------------------------------------------


def token(client: OAuthClient, form: Mapping[str, str]) -> dict[str, object]:
    """§6.8.2 onwards for an authenticated client: the token response body."""
    grant_type = form.get("grant_type")
    if not grant_type:
        raise invalid_request("grant_type is required.")
    if grant_type not in GRANT_TYPES:
        raise OAuthProblem(
            OAuthError("unsupported_grant_type", "grant_type must be authorization_code or refresh_token.")
        )
    if grant_type not in client.grant_types:
        raise OAuthProblem(
            OAuthError("unauthorized_client", f"This client is not registered for the {grant_type} grant.")
        )
    now, pepper = clock.now(), get_pepper()
    if grant_type == "authorization_code":
        issued = _exchange_code(form, client, pepper, now)
    else:
        issued = _refresh(form, client, pepper, now)
    return issued.response()


def _exchange_code(form: Mapping[str, str], client: OAuthClient, pepper: bytes, now: datetime) -> Issued:
    code, redirect_uri, verifier = form.get("code"), form.get("redirect_uri"), form.get("code_verifier")
    if not code or not redirect_uri or not verifier:
        raise invalid_request("code, redirect_uri and code_verifier are required.")
    key = rules.code_lookup_key(pepper, code)
    record = store.get_code(key, consistent=True) if key else None
    if error := rules.check_code_owner(record, client.client_id):
        raise OAuthProblem(error)
    assert record is not None
    used = rules.use_code(record, now)
    if isinstance(used, rules.CodeReuse) or not store.mark_code_used(record, now):
        # Reuse: revoke the grant this code created (if any) and refuse.
        grant_id = store.mark_code_reused(record.code_hash, now)
        if grant_id:
            store.revoke_grant(grant_id, now)
        raise OAuthProblem(rules.INVALID_CODE)
    if error := rules.check_code_redemption(used, now=now, redirect_uri=redirect_uri, code_verifier=verifier):
        raise OAuthProblem(error)
    # 50-mcp §4.5: after step 7, so a code with the wrong resource is spent all the same.
    audience = audiences.code_audience(used.audience, form.get("resource"), _issuer())
    if isinstance(audience, OAuthError):
        raise OAuthProblem(audience)
    issued, _ = rules.redeem_code(used, client, pepper=pepper, now=now, audience=audience)
    try:
        store.save_code_exchange(issued, used)
    except store.CodeReused:
        raise OAuthProblem(rules.INVALID_CODE) from None
    return issued


def _refresh(form: Mapping[str, str], client: OAuthClient, pepper: bytes, now: datetime) -> Issued:
    presented = form.get("refresh_token")
    if not presented:
        raise invalid_request("refresh_token is required.")
    key = rules.refresh_lookup_key(pepper, presented)
    record = store.get_refresh_token(key, consistent=True) if key else None
    grant = store.get_grant(record.grant_id, consistent=True) if record else None
    scope = form.get("scope")
    decision = rules.check_refresh(record, grant, client_id=client.client_id, now=now, scope=scope)
    if isinstance(decision, rules.RefreshReuse):
        store.revoke_grant(decision.revoke_grant_id, now)
        raise OAuthProblem(decision.error)
    if isinstance(decision, OAuthError):
        raise OAuthProblem(decision)
    assert record is not None and grant is not None
    if error := audiences.check_refresh_resource(grant.audience, form.get("resource"), _issuer()):
        raise OAuthProblem(error)  # the refresh token stays unspent
    issued = rules.rotate_refresh(record, grant, access_scopes=decision.access_scopes, pepper=pepper, now=now)
    try:
        store.save_rotation(issued)
    except store.RefreshReused as exc:
        store.revoke_grant(exc.grant_id, now)
        raise OAuthProblem(rules.INVALID_REFRESH) from None
    except store.GrantRevoked:
        raise OAuthProblem(rules.INVALID_REFRESH) from None
    return issued


# --- revocation (§6.10) and introspection (§6.11) ---------------------------------------------


def _lookup_token(pepper: bytes, value: str) -> AccessToken | RefreshToken | None:
    """The access or refresh token record the string names; the prefix decides the one lookup
    (so `token_type_hint` never changes the outcome)."""
    kind = token_kind(value)
    if kind == "access_token":
        return store.get_access_token(hash_secret(pepper, value))
    if kind == "refresh_token":
        return store.get_refresh_token(hash_secret(pepper, value))
    return None


def _required_token(form: Mapping[str, str]) -> str:
    value = form.get("token")
    if not value:
        raise invalid_request("token is required.")
    return value


def revoke(client: OAuthClient, form: Mapping[str, str]) -> None:
    """Revoke a live token of the caller (a refresh token takes its grant); anything else: nothing."""
    value = _required_token(form)
    now = clock.now()
    record = _lookup_token(get_pepper(), value)
    grant = store.get_grant(record.grant_id) if record else None
    effect = rules.revocation_effect(record, grant, client_id=client.client_id, now=now)
    if isinstance(effect, rules.RevokeAccessToken):
        store.revoke_access_token(effect.token_hash, now)
    elif isinstance(effect, rules.RevokeGrant):
        store.revoke_grant(effect.grant_id, now)


def introspect(client: OAuthClient, form: Mapping[str, str], issuer: str) -> dict[str, object]:
    value = _required_token(form)
    now = clock.now()
    record = _lookup_token(get_pepper(), value)
    grant = store.get_grant(record.grant_id) if record else None
    username = None
    if record is not None and record.client_id == client.client_id:
        user = accounts.get_user(record.account_id, record.user_id)
        username = user.username if user else None
    return rules.introspection_response(
        record, grant, client_id=client.client_id, username=username, issuer=issuer, now=now
    )


# --- authorization endpoint (§6.5–§6.7) -------------------------------------------------------


def validate(params: list[tuple[str, str]], post: PostContext | None) -> AuthorizeOutcome:
    return validate_authorize(params, store.get_client, post, issuer=_issuer())


def _session_hash(cookie_value: str | None) -> str | None:
    if not cookie_value or not COOKIE_VALUE_RE.match(cookie_value):
        return None
    return hash_secret(get_pepper(), cookie_value)


def signed_in(session_cookie: str | None, now: datetime) -> tuple[User, Organization | None] | None:
    """(user, organization) of a valid sign-in session: the record exists, has not expired, and its
    user still exists and has a password."""
    session_hash = _session_hash(session_cookie)
    session = store.get_session(session_hash) if session_hash else None
    if session is None or not now < session.expires_at:
        return None
    user, org = accounts.get_user_and_org(session.organization_id, session.user_id)
    if user is None or not user.password_hash:
        return None
    return user, org


def sign_in(email: str, password: str, previous_cookie: str | None, now: datetime) -> str | None:
    """Check the password; on success end the previous session and start a new one, returning the
    new cookie value. None: wrong email or password (the same answer for both)."""
    user = accounts.find_user_by_email(email) if email else None
    # Without a matching user the dummy hash is checked, so timing reveals nothing.
    if not verify_password(password, user.password_hash if user else None):
        return None
    assert user is not None
    sign_out(previous_cookie)
    value = new_cookie_value()
    session_hash = hash_secret(get_pepper(), value)
    session = Session(session_hash, user.id, now, now + SESSION_TTL, user.organization_id)
    store.create_session(session)
    return value


def sign_out(cookie_value: str | None) -> None:
    session_hash = _session_hash(cookie_value)
    if session_hash:
        store.delete_session(session_hash)


def approve(req: AuthorizeRequest, user: User, now: datetime) -> str:
    """§6.7: a new single-use code for the approved request; returns the plaintext code."""
    code, record = rules.issue_code(
        pepper=get_pepper(),
        client_id=req.client.client_id,
        redirect_uri=req.redirect_uri,
        code_challenge=req.code_challenge,
        user_id=user.id,
        account_id=user.organization_id,
        scopes=req.scopes,
        now=now,
        audience=req.audience,
    )
    store.put_code(record)
    return code
