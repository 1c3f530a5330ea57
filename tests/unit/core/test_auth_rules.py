"""The one bearer rule per credential family (10-auth §2.2), and the PAT plans (§3.3–§3.6)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from fortytwo.domain.auth import AuthContext, access_token_context, pat_context
from fortytwo.domain.hashing import pepper_hmac
from fortytwo.domain.oauth.models import AccessToken, Grant
from fortytwo.domain.pats import (
    MAX_ACTIVE_PER_ORG,
    Pat,
    PatNameLock,
    PatRuleError,
    parse_token,
    plan_creation,
    plan_regeneration,
    plan_revocation,
)

PEPPER = b"p" * 32
NOW = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)
ISSUER = "https://api.42min.test"
SECRET = "CBPMX33Y83YJ3967F3CMJT4PNCV0VKRG"


def pat(**changes: object) -> Pat:
    base = Pat(
        id="019daa58-323e-7964-a4e5-d8743e746157",
        lookup="HHAPTQYAPAMC",
        secret_hash=pepper_hmac(PEPPER, SECRET),
        last4="VKRG",
        name="CRM sync",
        scopes=("bookings:read", "slots:read"),
        created_by="u1",
        organization_id="o1",
        created_at=NOW - timedelta(days=1),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_valid_pat_yields_its_context_with_the_generation_sandbox() -> None:
    context = pat_context(pat(generation=3), SECRET, PEPPER, NOW)
    assert context == AuthContext(
        auth_type="pat",
        user_id="u1",
        account_id="o1",
        scopes=("bookings:read", "slots:read"),
        credential_id=pat().id,
        sandbox_owner=f"pat:{pat().id}:3",
    )


@pytest.mark.parametrize(
    ("record", "secret", "code"),
    [
        (None, SECRET, "invalid_token"),
        (pat(), SECRET[:-1] + "0", "invalid_token"),
        # a wrong secret fails before revoked/expired are looked at
        (pat(revoked_at=NOW), SECRET[:-1] + "0", "invalid_token"),
        (pat(revoked_at=NOW, expires_at=NOW), SECRET, "token_revoked"),
        (pat(expires_at=NOW), SECRET, "token_expired"),
    ],
)
def test_pat_checks_in_order(record: Pat | None, secret: str, code: str) -> None:
    assert pat_context(record, secret, PEPPER, NOW) == code


def access(**changes: object) -> AccessToken:
    base = AccessToken("h", "g1", "c1", "u1", "o1", ("user:read",), NOW, NOW + timedelta(hours=1))
    return replace(base, **changes)  # type: ignore[arg-type]


GRANT = Grant("g1", "c1", "u1", "o1", ("user:read",), NOW)


def test_a_valid_access_token_yields_the_client_sandbox_and_grant_credential() -> None:
    context = access_token_context(access(), GRANT, NOW, ISSUER)
    assert isinstance(context, AuthContext)
    assert (context.credential_id, context.sandbox_owner, context.client_id) == ("g1", "client:c1", "c1")
    assert context.bucket_key == "c1:o1"


@pytest.mark.parametrize(
    ("token", "grant", "code"),
    [
        (None, None, "invalid_token"),
        (access(revoked_at=NOW), GRANT, "token_revoked"),
        (access(), None, "token_revoked"),
        (access(), replace(GRANT, revoked_at=NOW), "token_revoked"),
        (access(expires_at=NOW, revoked_at=NOW), GRANT, "token_revoked"),
        (access(expires_at=NOW), GRANT, "token_expired"),
    ],
)
def test_access_token_checks_in_order(token: AccessToken | None, grant: Grant | None, code: str) -> None:
    assert access_token_context(token, grant, NOW, ISSUER) == code


def _create(existing: list[Pat], lock: PatNameLock | None = None, name: str = "New"):
    return plan_creation(
        existing=existing,
        lock=lock,
        org_id="o1",
        user_id="u1",
        name=name,
        scopes=("user:read",),
        expires_in_days=42,
        pepper=PEPPER,
        now=NOW,
        pat_id="p-new",
    )


def test_creation_draws_a_token_that_verifies_against_the_planned_record() -> None:
    plan = _create([])
    parsed = parse_token(plan.token)
    assert parsed is not None and parsed.lookup == plan.pat.lookup
    assert pat_context(plan.pat, parsed.secret, PEPPER, NOW) != "invalid_token"
    assert plan.pat.expires_at == NOW + timedelta(days=42) and plan.pat.last4 == plan.token[-4:]
    assert plan.stale_lock_holder is None


def test_creation_limits_and_names_count_only_active_pats() -> None:
    full = [pat(id=f"p{i}", name=f"n{i}") for i in range(MAX_ACTIVE_PER_ORG)]
    with pytest.raises(PatRuleError, match="42 active"):
        _create(full)
    assert _create([*full[1:], pat(name="x", revoked_at=NOW)]).pat.name == "New"
    with pytest.raises(PatRuleError, match="already exists"):
        _create([pat(name="NEW")])
    revoked = pat(name="new", revoked_at=NOW)
    plan = _create([revoked], PatNameLock("o1", "New", revoked.id))
    assert plan.stale_lock_holder == revoked.id  # the lock is taken over, on condition it is unchanged


def test_regeneration_and_revocation_plans() -> None:
    renewed, token = plan_regeneration(pat(version=4), PEPPER, NOW)
    parsed = parse_token(token)
    assert parsed is not None and parsed.lookup == pat().lookup
    assert (renewed.generation, renewed.version) == (2, 5)
    assert pat_context(renewed, SECRET, PEPPER, NOW) == "invalid_token"  # the old secret fails at once
    with pytest.raises(PatRuleError, match="expired"):
        plan_regeneration(pat(expires_at=NOW), PEPPER, NOW)
    revoked = plan_revocation(pat(), NOW)
    assert revoked is not None and revoked.revoked_at == NOW
    assert plan_revocation(revoked, NOW + timedelta(days=1)) is None  # already revoked: nothing changes


@pytest.mark.parametrize(
    ("audience", "resource", "allowed"),
    [
        (None, ISSUER, True),
        (None, f"{ISSUER}/mcp", True),
        (ISSUER, ISSUER, True),
        (f"{ISSUER}/mcp", f"{ISSUER}/mcp", True),
        (ISSUER, f"{ISSUER}/mcp", False),
        (f"{ISSUER}/mcp", ISSUER, False),
    ],
)
def test_access_token_audience_must_allow_the_surface(audience, resource, allowed):
    """50-mcp §4.5: check 5 — no audience, or the surface's resource; otherwise invalid_token."""
    outcome = access_token_context(access(), replace(GRANT, audience=audience), NOW, resource)
    assert isinstance(outcome, AuthContext) if allowed else outcome == "invalid_token"


def test_the_peppered_hash_is_hmac_sha256_in_lower_case_hex() -> None:
    # RFC 4231 test case 2 (a UTF-8 value under a 4-byte key)
    assert pepper_hmac(b"Jefe", "what do ya want for nothing?") == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
