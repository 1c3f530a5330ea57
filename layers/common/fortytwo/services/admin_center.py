"""Admin Center → API (55-admin-center): the signed-in owner's or admin's session, and every page
action confined to the session's organization (and, for PATs, to the user's own).

The rules are the same service functions the CLI and the API call (`services/pats`,
`services/oauth`, `services/webhooks`, `services/redelivery`); this module adds only the page's
session (§2) and tenancy: another organization's id, another user's PAT or a dynamically registered
client answer exactly like a missing one (`NotFound`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from fortytwo.adapters.passwords import verify_password
from fortytwo.contract.errors import NotFound
from fortytwo.domain.accounts import Organization, User
from fortytwo.domain.admin import sessions as rules
from fortytwo.domain.admin.sessions import AdminSession, Notice
from fortytwo.domain.oauth.models import OAuthClient
from fortytwo.domain.pats import Pat
from fortytwo.domain.webhooks.subscription import ALL_OWNERS, Sandbox
from fortytwo.services import accounts, oauth, pats
from fortytwo.store import admin_sessions as store
from fortytwo.store.pepper import get_pepper


class SignInRefused(Exception):
    """`credentials`: wrong login or password (never says which); `role`: the password was right but
    the user is neither owner nor admin."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Signed:
    """A live session: the cookie value it was found by, its record, user and organization."""

    value: str
    session: AdminSession
    user: User
    organization: Organization | None

    @property
    def org_id(self) -> str:
        return self.user.organization_id

    @property
    def reach(self) -> Sandbox:
        """Every webhook sandbox of the organization (55 §5)."""
        return Sandbox(self.org_id, ALL_OWNERS)

    @property
    def csrf_token(self) -> str:
        return rules.csrf_token(get_pepper(), self.value)


def _find(login: str) -> User | None:
    login = login.strip()
    if not login:
        return None
    return accounts.find_user_by_email(login) if "@" in login else accounts.find_user(login)


def sign_in(login: str, password: str, previous: str | None, now: datetime) -> str:
    """A new session (a new id every time: no fixation), the previous one ended. Returns the cookie
    value; raises SignInRefused. The dummy hash is checked when nobody matches (no timing oracle)."""
    user = _find(login)
    if not verify_password(password, user.password_hash if user else None):
        raise SignInRefused("credentials")
    assert user is not None
    if not rules.may_sign_in(user.role):
        raise SignInRefused("role")
    sign_out(previous)
    value = rules.new_session_value()
    store.create(rules.start(get_pepper(), value, user.id, user.organization_id, now))
    return value


def sign_out(value: str | None) -> None:
    if value:
        store.delete(rules.session_hash(get_pepper(), value))


def current(value: str | None, now: datetime) -> Signed | None:
    """The live session of the cookie, its last-seen time moved forward (idle expiry), or None: no
    record, idle for 30 min, older than 12 h, or its user gone or no longer owner/admin."""
    if not value:
        return None
    session = store.get(rules.session_hash(get_pepper(), value))
    if session is None or not rules.alive(session, now):
        return None
    user, org = accounts.get_user_and_org(session.organization_id, session.user_id)
    if user is None or not rules.may_sign_in(user.role):
        return None
    touched = rules.touched(session, now)
    if touched is not None and store.replace(session, touched):
        session = touched
    return Signed(value, session, user, org)


def csrf_ok(signed: Signed, presented: str | None) -> bool:
    return rules.csrf_ok(get_pepper(), signed.value, presented)


def leave_notice(signed: Signed, notice: Notice) -> None:
    """For the next page only; a secret in it is sealed with a key only this browser's cookie gives."""
    sealed = rules.seal(get_pepper(), signed.value, notice)
    current_record = store.get(signed.session.session_hash) or signed.session
    store.replace(current_record, replace(current_record, flash=sealed, version=current_record.version + 1))


def take_notice(signed: Signed) -> Notice | None:
    """The notice left for this page, removed as it is read (shown once)."""
    session = signed.session
    if session.flash is None:
        return None
    if not store.replace(session, replace(session, flash=None, version=session.version + 1)):
        return None  # another page took it
    return rules.unseal(get_pepper(), signed.value, session.flash)


# --- API keys (55 §3): the user's own PATs ----------------------------------------------------


def my_pats(signed: Signed) -> list[Pat]:
    """Newest first."""
    return [p for p in pats.list_for_org(signed.org_id) if p.created_by == signed.user.id]


def my_pat(signed: Signed, pat_id: str) -> Pat:
    pat = pats.get(pat_id) if pat_id else None
    if pat is None or pat.organization_id != signed.org_id or pat.created_by != signed.user.id:
        raise NotFound("No such API key")
    return pat


# --- OAuth apps (55 §4) -------------------------------------------------------------------------


def clients(signed: Signed) -> list[OAuthClient]:
    return oauth.clients_of_org(signed.org_id)


def client(signed: Signed, client_id: str) -> OAuthClient:
    found = oauth.managed_client(client_id, signed.org_id) if client_id else None
    if found is None:
        raise NotFound("No such OAuth app")
    return found


# --- Webhooks (55 §5): every sandbox of the organization ---------------------------------------


def sandbox_labels(signed: Signed, owner_keys: set[str]) -> dict[str, str]:
    """Owner key → "PAT <name>", "OAuth app <name>" or "Admin" (the key itself never shows)."""
    pat_names = {p.id: p.name for p in pats.list_for_org(signed.org_id)} if owner_keys else {}
    labels: dict[str, str] = {}
    for key in owner_keys:
        kind, _, rest = key.partition(":")
        if kind == "pat":
            labels[key] = f"PAT {pat_names.get(rest.rsplit(':', 1)[0], '(deleted)')}"
        elif kind == "client":
            found = oauth.client_name(rest)
            labels[key] = f"OAuth app {found or rest}"
        else:
            labels[key] = "Admin"
    return labels
