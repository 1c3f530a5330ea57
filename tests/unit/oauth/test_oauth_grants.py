"""Codes, grants and token families (10-auth §6.4, §6.7, §6.8, §6.10, §6.11) as pure transitions."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from oauth_unit_helpers import CLIENT_ID, NOW, PEPPER, PUBLIC_ID, make_client

from fortytwo.domain.oauth.artifacts import ACCESS_TOKEN_RE, CODE_RE, REFRESH_TOKEN_RE, hash_secret
from fortytwo.domain.oauth.grants import (
    INVALID_CODE,
    INVALID_REFRESH,
    PKCE_MISMATCH,
    REDIRECT_MISMATCH,
    CodeReuse,
    RefreshAllowed,
    RefreshReuse,
    RevokeAccessToken,
    RevokeGrant,
    access_lookup_key,
    access_token_status,
    check_code_owner,
    check_code_redemption,
    check_refresh,
    code_lookup_key,
    introspection_response,
    issue_code,
    redeem_code,
    refresh_lookup_key,
    refresh_token_active,
    revocation_effect,
    revoke_access_token,
    revoke_grant,
    rotate_refresh,
    use_code,
)
from fortytwo.domain.oauth.models import AccessToken, Grant, OAuthError, RefreshToken
from fortytwo.domain.oauth.pkce import s256_challenge
from fortytwo.domain.scopes import expand_scopes

VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
REDIRECT = "http://127.0.0.1:53682/callback"
USER = "019daa56-ab9f-7f52-945d-93c45e5913b9"
ACCOUNT = "019daa55-2500-79de-b384-95d253bafe93"
ISSUER = "https://api.42min.us"
SCOPES = expand_scopes(["bookings:read", "bookings:write", "slots:read", "offline_access"])


def new_code(scopes=SCOPES, client_id=CLIENT_ID):
    return issue_code(
        pepper=PEPPER,
        client_id=client_id,
        redirect_uri=REDIRECT,
        code_challenge=s256_challenge(VERIFIER),
        user_id=USER,
        account_id=ACCOUNT,
        scopes=scopes,
        now=NOW,
    )


class OAuthState:
    """A dict-backed stand-in for the table, applying the transitions as the store would."""

    def __init__(self):
        self.codes = {}
        self.grants = {}
        self.access = {}
        self.refresh = {}

    def authorize(self, scopes=SCOPES):
        code, record = new_code(scopes)
        self.codes[record.code_hash] = record
        return code

    def exchange(self, code, client, now, *, redirect_uri=REDIRECT, verifier=VERIFIER):
        record = self.codes.get(code_lookup_key(PEPPER, code) or "")
        if err := check_code_owner(record, client.client_id):
            return err
        used = use_code(record, now)
        if isinstance(used, CodeReuse):
            if used.revoke_grant_id:
                self.grants[used.revoke_grant_id] = revoke_grant(self.grants[used.revoke_grant_id], now)
            return used.error
        self.codes[used.code_hash] = used
        if err := check_code_redemption(used, now=now, redirect_uri=redirect_uri, code_verifier=verifier):
            return err
        issued, with_grant = redeem_code(used, client, pepper=PEPPER, now=now)
        self._store(issued)
        self.codes[with_grant.code_hash] = with_grant
        return issued

    def refresh_with(self, token, client, now, scope=None):
        record = self.refresh.get(refresh_lookup_key(PEPPER, token) or "")
        grant = self.grants.get(record.grant_id) if record else None
        decision = check_refresh(record, grant, client_id=client.client_id, now=now, scope=scope)
        if isinstance(decision, RefreshReuse):
            self.grants[decision.revoke_grant_id] = revoke_grant(self.grants[decision.revoke_grant_id], now)
            return decision.error
        if isinstance(decision, OAuthError):
            return decision
        issued = rotate_refresh(record, grant, access_scopes=decision.access_scopes, pepper=PEPPER, now=now)
        self.refresh[issued.spent_refresh.token_hash] = issued.spent_refresh
        self._store(issued)
        return issued

    def _store(self, issued):
        self.grants[issued.grant.grant_id] = issued.grant
        self.access[issued.access_record.token_hash] = issued.access_record
        if issued.refresh_record:
            self.refresh[issued.refresh_record.token_hash] = issued.refresh_record

    def status(self, access_token, now):
        record = self.access[hash_secret(PEPPER, access_token)]
        return access_token_status(record, self.grants.get(record.grant_id), now)


@pytest.fixture
def state():
    return OAuthState()


class TestCode:
    def test_issue(self):
        code, record = new_code()
        assert CODE_RE.match(code)
        assert record.code_hash == hash_secret(PEPPER, code)
        assert record.expires_at - record.created_at == timedelta(seconds=60)
        assert record.used_at is None and record.grant_id is None
        assert record.scopes == SCOPES
        assert record.redirect_uri == REDIRECT

    def test_lookup_key_requires_format(self):
        code, _ = new_code()
        assert code_lookup_key(PEPPER, code) == hash_secret(PEPPER, code)
        assert code_lookup_key(PEPPER, "42min_at_" + code[9:]) is None

    def test_exchange_success(self, state, client):
        issued = state.exchange(state.authorize(), client, NOW + timedelta(seconds=5))
        body = issued.response()
        assert list(body) == ["access_token", "token_type", "expires_in", "refresh_token", "scope"]
        assert ACCESS_TOKEN_RE.match(body["access_token"]) and REFRESH_TOKEN_RE.match(body["refresh_token"])
        assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
        assert body["scope"] == (
            "bookings:cancel bookings:create bookings:read bookings:reschedule bookings:update "
            "offline_access slots:read"
        )
        assert issued.grant.client_id == CLIENT_ID and issued.grant.user_id == USER
        assert issued.grant.account_id == ACCOUNT and issued.grant.scopes == SCOPES
        assert issued.refresh_record.scopes == SCOPES
        assert issued.refresh_record.expires_at == NOW + timedelta(seconds=5, days=30)
        assert issued.access_record.expires_at == NOW + timedelta(seconds=3605)
        code_record = next(iter(state.codes.values()))
        assert code_record.grant_id == issued.grant.grant_id and code_record.used_at is not None

    def test_no_refresh_token_without_offline_access(self, state, client):
        issued = state.exchange(state.authorize(("slots:read",)), client, NOW)
        assert "refresh_token" not in issued.response()
        assert issued.refresh_record is None

    def test_no_refresh_token_when_client_lacks_refresh_grant(self, state):
        client = make_client(grant_types=("authorization_code",))
        issued = state.exchange(state.authorize(), client, NOW)
        assert "refresh_token" not in issued.response()

    def test_unknown_code(self, state, client):
        assert state.exchange("42min_ac_" + "A" * 43, client, NOW) == INVALID_CODE
        assert state.exchange("garbage", client, NOW) == INVALID_CODE

    def test_other_client_leaves_code_untouched(self, state, client, public_client):
        code = state.authorize()
        assert state.exchange(code, public_client, NOW) == INVALID_CODE
        assert next(iter(state.codes.values())).used_at is None
        assert not isinstance(state.exchange(code, client, NOW), OAuthError)

    def test_expired_code_is_spent(self, state, client):
        code = state.authorize()
        assert state.exchange(code, client, NOW + timedelta(seconds=60)) == INVALID_CODE
        assert next(iter(state.codes.values())).used_at is not None
        assert state.exchange(code, client, NOW + timedelta(seconds=1)) == INVALID_CODE

    def test_just_before_expiry(self, state, client):
        code = state.authorize()
        assert not isinstance(state.exchange(code, client, NOW + timedelta(seconds=59.999)), OAuthError)

    def test_redirect_uri_must_match_exactly(self, state, client):
        code = state.authorize()
        result = state.exchange(code, client, NOW, redirect_uri="http://127.0.0.1/callback")  # port differs
        assert result == REDIRECT_MISMATCH
        assert state.exchange(code, client, NOW) == INVALID_CODE  # spent

    @pytest.mark.parametrize("verifier", ["x" * 43, VERIFIER + "=", "short", ""])
    def test_pkce_failure_spends_code(self, state, client, verifier):
        code = state.authorize()
        assert state.exchange(code, client, NOW, verifier=verifier) == PKCE_MISMATCH
        assert state.exchange(code, client, NOW) == INVALID_CODE

    def test_code_reuse_revokes_the_grant_it_created(self, state, client):
        code = state.authorize()
        first = state.exchange(code, client, NOW)
        assert state.status(first.access_token, NOW) == "active"
        assert state.exchange(code, client, NOW + timedelta(seconds=2)) == INVALID_CODE
        assert state.status(first.access_token, NOW) == "token_revoked"
        assert state.refresh_with(first.refresh_token, client, NOW) == INVALID_REFRESH

    def test_use_code(self):
        _, record = new_code()
        used = use_code(record, NOW)
        assert used.used_at == NOW
        reuse = use_code(used, NOW)
        assert isinstance(reuse, CodeReuse) and reuse.revoke_grant_id is None
        assert isinstance(use_code(replace(used, grant_id="g"), NOW), CodeReuse)

    def test_redeem_uses_given_grant_id(self, client):
        _, record = new_code()
        issued, code = redeem_code(record, client, pepper=PEPPER, now=NOW, grant_id="g-1")
        assert issued.grant.grant_id == code.grant_id == "g-1"
        assert issued.access_record.grant_id == issued.refresh_record.grant_id == "g-1"


class TestRefresh:
    def test_rotation(self, state, client):
        first = state.exchange(state.authorize(), client, NOW)
        later = NOW + timedelta(minutes=90)
        second = state.refresh_with(first.refresh_token, client, later)
        assert second.refresh_token != first.refresh_token
        assert second.grant.grant_id == first.grant.grant_id
        assert second.refresh_record.expires_at == later + timedelta(days=30)
        assert second.spent_refresh.used_at == later
        assert second.response()["scope"] == first.response()["scope"]
        # earlier access tokens stay valid until their own expiry
        assert state.status(first.access_token, NOW + timedelta(minutes=30)) == "active"
        third = state.refresh_with(second.refresh_token, client, later + timedelta(seconds=1))
        assert not isinstance(third, OAuthError)

    def test_reuse_revokes_the_whole_family(self, state, client):
        first = state.exchange(state.authorize(), client, NOW)
        second = state.refresh_with(first.refresh_token, client, NOW + timedelta(seconds=1))
        third = state.refresh_with(second.refresh_token, client, NOW + timedelta(seconds=2))
        # the first (spent) refresh token comes back: no grace period
        assert state.refresh_with(first.refresh_token, client, NOW + timedelta(seconds=3)) == INVALID_REFRESH
        at = NOW + timedelta(seconds=4)
        for issued in (first, second, third):
            assert state.status(issued.access_token, at) == "token_revoked"
        assert state.refresh_with(third.refresh_token, client, at) == INVALID_REFRESH

    def test_immediate_retry_is_reuse(self, state, client):
        first = state.exchange(state.authorize(), client, NOW)
        second = state.refresh_with(first.refresh_token, client, NOW)
        assert state.refresh_with(first.refresh_token, client, NOW) == INVALID_REFRESH
        assert state.status(second.access_token, NOW) == "token_revoked"

    def test_other_client_leaves_token_untouched(self, state, client):
        first = state.exchange(state.authorize(), client, NOW)
        other = make_client(PUBLIC_ID, confidential=False)
        assert state.refresh_with(first.refresh_token, other, NOW) == INVALID_REFRESH
        assert not isinstance(state.refresh_with(first.refresh_token, client, NOW), OAuthError)

    def test_expired(self, state, client):
        first = state.exchange(state.authorize(), client, NOW)
        assert state.refresh_with(first.refresh_token, client, NOW + timedelta(days=30)) == INVALID_REFRESH
        assert state.status(first.access_token, NOW) == "active"  # nothing revoked

    def test_narrowing(self, state, client):
        first = state.exchange(state.authorize(), client, NOW)
        second = state.refresh_with(first.refresh_token, client, NOW, scope="slots:read bookings:read")
        assert second.response()["scope"] == "bookings:read slots:read"
        assert second.refresh_record.scopes == SCOPES  # the refresh token keeps the full grant
        third = state.refresh_with(second.refresh_token, client, NOW)
        assert third.response()["scope"] == " ".join(SCOPES)

    @pytest.mark.parametrize("scope", ["user:read", "calendar:read", "slots:read webhooks:write"])
    def test_invalid_scope_leaves_token_unspent(self, state, client, scope):
        first = state.exchange(state.authorize(), client, NOW)
        result = state.refresh_with(first.refresh_token, client, NOW, scope=scope)
        assert isinstance(result, OAuthError) and result.error == "invalid_scope"
        assert not isinstance(state.refresh_with(first.refresh_token, client, NOW), OAuthError)

    def test_check_order(self, client):
        grant = Grant("g", CLIENT_ID, USER, ACCOUNT, SCOPES, NOW)
        token = RefreshToken("h", "g", CLIENT_ID, USER, ACCOUNT, SCOPES, NOW, NOW + timedelta(days=30))

        def check(tok, gr=grant, client_id=CLIENT_ID, now=NOW, scope="nope"):
            return check_refresh(tok, gr, client_id=client_id, now=now, scope=scope)

        assert check(None) == INVALID_REFRESH
        spent_revoked_expired = replace(token, used_at=NOW, revoked_at=NOW, expires_at=NOW)
        assert check(spent_revoked_expired, client_id=PUBLIC_ID) == INVALID_REFRESH  # client first
        assert isinstance(check(spent_revoked_expired), RefreshReuse)  # then reuse
        assert check(replace(token, revoked_at=NOW, expires_at=NOW)) == INVALID_REFRESH
        assert check(token, gr=replace(grant, revoked_at=NOW)) == INVALID_REFRESH
        assert check(token, gr=None) == INVALID_REFRESH
        assert check(replace(token, expires_at=NOW)) == INVALID_REFRESH
        result = check(token)
        assert isinstance(result, OAuthError) and result.error == "invalid_scope"
        assert check(token, scope=None) == RefreshAllowed(SCOPES)

    def test_alias_narrowing(self):
        grant = Grant("g", CLIENT_ID, USER, ACCOUNT, SCOPES, NOW)
        token = RefreshToken("h", "g", CLIENT_ID, USER, ACCOUNT, SCOPES, NOW, NOW + timedelta(days=30))
        result = check_refresh(token, grant, client_id=CLIENT_ID, now=NOW, scope="bookings:write")
        assert result == RefreshAllowed(expand_scopes(["bookings:write"]))


class TestStatusRevocationIntrospection:
    @pytest.fixture
    def family(self, state, client):
        issued = state.exchange(state.authorize(), client, NOW)
        return state, issued

    def test_access_status(self, family):
        state, issued = family
        rec = issued.access_record
        assert access_token_status(rec, issued.grant, NOW) == "active"
        assert access_token_status(rec, issued.grant, NOW + timedelta(seconds=3600)) == "token_expired"
        assert access_token_status(replace(rec, revoked_at=NOW), issued.grant, NOW) == "token_revoked"
        revoked_grant = revoke_grant(issued.grant, NOW)
        assert access_token_status(rec, revoked_grant, NOW) == "token_revoked"
        # revoked wins over expired
        assert access_token_status(rec, revoked_grant, NOW + timedelta(days=1)) == "token_revoked"
        assert access_token_status(rec, None, NOW) == "token_revoked"

    def test_revoke_is_idempotent(self, family):
        _, issued = family
        once = revoke_grant(issued.grant, NOW)
        assert revoke_grant(once, NOW + timedelta(hours=1)).revoked_at == NOW
        rec = revoke_access_token(issued.access_record, NOW)
        assert revoke_access_token(rec, NOW + timedelta(hours=1)).revoked_at == NOW

    def test_revocation_effect(self, family):
        _, issued = family
        at, rt, grant = issued.access_record, issued.refresh_record, issued.grant
        assert revocation_effect(at, grant, client_id=CLIENT_ID, now=NOW) == RevokeAccessToken(at.token_hash)
        assert revocation_effect(rt, grant, client_id=CLIENT_ID, now=NOW) == RevokeGrant(grant.grant_id)
        assert revocation_effect(None, None, client_id=CLIENT_ID, now=NOW) is None
        assert revocation_effect(at, grant, client_id=PUBLIC_ID, now=NOW) is None  # another client's
        assert revocation_effect(rt, grant, client_id=PUBLIC_ID, now=NOW) is None
        later = NOW + timedelta(days=31)
        assert revocation_effect(at, grant, client_id=CLIENT_ID, now=later) is None  # expired
        assert revocation_effect(rt, grant, client_id=CLIENT_ID, now=later) is None
        assert revocation_effect(replace(at, revoked_at=NOW), grant, client_id=CLIENT_ID, now=NOW) is None
        assert revocation_effect(replace(rt, used_at=NOW), grant, client_id=CLIENT_ID, now=NOW) is None

    def test_introspect_access_token(self, family):
        _, issued = family
        body = introspection_response(
            issued.access_record, issued.grant, client_id=CLIENT_ID, username="ada", issuer=ISSUER, now=NOW
        )
        assert body == {
            "active": True,
            "scope": " ".join(SCOPES),
            "client_id": CLIENT_ID,
            "username": "ada",
            "sub": USER,
            "token_type": "Bearer",
            "exp": int(NOW.timestamp()) + 3600,
            "iat": int(NOW.timestamp()),
            "iss": ISSUER,
        }

    def test_introspect_narrowed_access_token_reports_its_own_scope(self, state, client):
        first = state.exchange(state.authorize(), client, NOW)
        second = state.refresh_with(first.refresh_token, client, NOW, scope="slots:read")
        body = introspection_response(
            second.access_record, second.grant, client_id=CLIENT_ID, username=None, issuer=ISSUER, now=NOW
        )
        assert body["scope"] == "slots:read"
        assert "username" not in body
        rt_body = introspection_response(
            second.refresh_record, second.grant, client_id=CLIENT_ID, username=None, issuer=ISSUER, now=NOW
        )
        assert rt_body["scope"] == " ".join(SCOPES)
        assert rt_body["token_type"] == "refresh_token"
        assert rt_body["exp"] == int(NOW.timestamp()) + 30 * 86400

    def test_introspect_inactive(self, family):
        _, issued = family
        at, rt, grant = issued.access_record, issued.refresh_record, issued.grant

        def intro(record, gr=grant, client_id=CLIENT_ID, now=NOW):
            return introspection_response(
                record, gr, client_id=client_id, username="ada", issuer=ISSUER, now=now
            )

        inactive = {"active": False}
        assert intro(None) == inactive
        assert intro(at, client_id=PUBLIC_ID) == inactive
        assert intro(at, now=NOW + timedelta(hours=1)) == inactive
        assert intro(replace(at, revoked_at=NOW)) == inactive
        assert intro(at, gr=revoke_grant(grant, NOW)) == inactive
        assert intro(replace(rt, used_at=NOW)) == inactive
        assert intro(rt, gr=revoke_grant(grant, NOW)) == inactive
        assert intro(rt, now=NOW + timedelta(days=30)) == inactive

    def test_refresh_token_active(self, family):
        _, issued = family
        assert refresh_token_active(issued.refresh_record, issued.grant, NOW)
        assert not refresh_token_active(issued.refresh_record, None, NOW)

    def test_lookup_keys(self):
        assert access_lookup_key(PEPPER, "42min_at_" + "a" * 43) == hash_secret(
            PEPPER, "42min_at_" + "a" * 43
        )
        assert access_lookup_key(PEPPER, "42min_rt_" + "a" * 43) is None
        assert refresh_lookup_key(PEPPER, "42min_rt_" + "a" * 43) is not None
        assert refresh_lookup_key(PEPPER, "42min_at_" + "a" * 43) is None


def test_access_token_record_shape():
    record = AccessToken("h", "g", CLIENT_ID, USER, ACCOUNT, ("slots:read",), NOW, NOW + timedelta(hours=1))
    assert record.revoked_at is None
