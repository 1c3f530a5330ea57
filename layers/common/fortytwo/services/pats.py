"""Personal access tokens (10-auth §3): create, list, find, regenerate, revoke, touch `last_used_at`.

Used by `42min admin pat …`, seed files, user removal and the bearer guard. Rules live in
`domain/pats.py`; the store commits each plan in one write.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fortytwo.domain import clock
from fortytwo.domain.accounts import User
from fortytwo.domain.ids import uuid7
from fortytwo.domain.pats import (
    Pat,
    PatRuleError,
    check_request,
    duplicate_name,
    needs_last_used_update,
    plan_creation,
    plan_regeneration,
    plan_revocation,
)
from fortytwo.observability import logger
from fortytwo.services.retry import with_retries
from fortytwo.store import pats as store
from fortytwo.store.pepper import get_pepper
from fortytwo.store.transactions import LostRace

LOOKUP_DRAWS = 5


def create(
    *,
    org_id: str,
    user_id: str,
    name: str,
    scopes: tuple[str, ...],
    expires_in_days: int | None,
    now: datetime | None = None,
) -> tuple[Pat, str]:
    """Checks 6–7 of §3.3 and the write (checks 1–5 are the caller's input validation).
    Returns (record, token); the token exists only here."""
    now = now or clock.now()
    pat_id, pepper = uuid7(), get_pepper()

    def attempt() -> tuple[Pat, str]:
        plan = plan_creation(
            existing=store.list_for_org(org_id),
            lock=store.get_name_lock(org_id, name),
            org_id=org_id,
            user_id=user_id,
            name=name,
            scopes=scopes,
            expires_in_days=expires_in_days,
            pepper=pepper,
            now=now,
            pat_id=pat_id,
        )
        store.commit_creation(plan)
        return plan.pat, plan.token

    def on_lost(lost: LostRace) -> None:
        if "name" in lost.kinds:
            raise duplicate_name(name)  # another active PAT took the name meanwhile

    # A lost `lookup` condition is a collision of 60 random bits: draw again.
    return with_retries(
        attempt,
        lambda: RuntimeError("could not draw a unique PAT lookup"),
        on_lost=on_lost,
        attempts=LOOKUP_DRAWS,
    )


def create_for_user(
    user: User | None, name: Any, scopes: Any, expires_in_days: Any, now: datetime | None = None
) -> tuple[Pat, str]:
    """All of §3.3 in order for `user` as the owner (the CLI, seed files and Admin Center): checks
    1–5 raise `PatFieldError` naming the field, 6–7 `PatRuleError`. Returns (record, token)."""
    clean_name, expanded, days = check_request(user.role if user else None, name, scopes, expires_in_days)
    assert user is not None
    return create(
        org_id=user.organization_id,
        user_id=user.id,
        name=clean_name,
        scopes=expanded,
        expires_in_days=days,
        now=now,
    )


def list_for_org(org_id: str) -> list[Pat]:
    return store.list_for_org(org_id)


def get(pat_id: str) -> Pat | None:
    return store.get_by_id(pat_id.lower())


def regenerate(pat: Pat, now: datetime | None = None) -> tuple[Pat, str]:
    """§3.5; PatRuleError when revoked, expired, or changed meanwhile."""
    now = now or clock.now()
    renewed, token = plan_regeneration(pat, get_pepper(), now)
    if not store.commit_regeneration(renewed):
        raise PatRuleError(f"PAT {pat.id} changed concurrently; try again")
    return renewed, token


def revoke(pat: Pat, now: datetime | None = None) -> Pat:
    """§3.6: irreversible; revoking a revoked PAT changes nothing."""
    revoked = plan_revocation(pat, now or clock.now())
    if revoked is None:
        return pat
    if not store.commit_revocation(revoked):
        return store.get_by_lookup(pat.lookup) or pat  # revoked meanwhile: report the stored state
    return revoked


def revoke_all_of_user(org_id: str, user_id: str, now: datetime) -> int:
    """User removal (§2.2): every PAT the user owns is revoked; returns how many were active."""
    revoked = 0
    for pat in store.list_for_org(org_id):
        if pat.created_by == user_id and pat.revoked_at is None:
            revoke(pat, now)
            revoked += 1
    return revoked


def touch_last_used(pat: Pat, now: datetime) -> None:
    """§3.7: at most one conditional write per PAT per minute; a failed write is logged and ignored."""
    if not needs_last_used_update(pat.last_used_at, now):
        return
    try:
        store.touch_last_used(pat.lookup, now)
    except Exception as exc:  # noqa: BLE001 - a failed write is logged and ignored (10-auth §3.7)
        logger.warning("last_used_at update failed", extra={"error": type(exc).__name__})
