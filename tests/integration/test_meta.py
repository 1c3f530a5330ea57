"""MetaFunction through its real Lambda handler against moto: _ping, /me, $default, auth, rate limits."""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest

from fortytwo.config import reset_settings
from fortytwo.domain import clock
from fortytwo.services import accounts, pats
from fortytwo_local.provisioning import create_pat
from fortytwo_local.seed import apply_seed, demo_seed

REQUEST_ID = re.compile(r"^req_[0-7][0-9A-HJKMNP-TV-Z]{25}$")


@pytest.fixture
def seeded(moto_env):
    return apply_seed(demo_seed())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_ping_reports_the_pat_and_sets_every_header(invoke, seeded):
    token = seeded["pats"]["demo"]["token"]
    r = invoke("meta", "GET", "/v1/_ping", headers=bearer(token))
    assert r.status == 200
    body = r.json()
    assert body["data"] == {
        "ok": True,
        "auth_type": "pat",
        "account_id": seeded["organization_id"],
        "scopes": sorted(body["data"]["scopes"]),
    }
    assert "client_id" not in body["data"]
    assert "bookings:write" not in body["data"]["scopes"] and "bookings:create" in body["data"]["scopes"]
    assert (
        REQUEST_ID.match(r.headers["x-request-id"])
        and body["meta"]["request_id"] == r.headers["x-request-id"]
    )
    assert r.headers["x-ratelimit-limit"] == "120" and r.headers["x-ratelimit-remaining"] == "119"
    assert int(r.headers["x-ratelimit-reset"]) % 60 == 0
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["content-type"] == "application/json"


def test_me_returns_user_and_organization(invoke, seeded):
    r = invoke("meta", "GET", "/v1/me", headers=bearer(seeded["pats"]["demo"]["token"]))
    assert r.status == 200
    data = r.json()["data"]
    assert data["user"]["username"] == "ada" and data["user"]["name"] == "Ada Lovelace"
    assert set(data["user"]) == {
        "id",
        "username",
        "email",
        "name",
        "first_name",
        "last_name",
        "timezone",
        "locale",
        "avatar_url",
    }
    assert data["organization"] == {"id": seeded["organization_id"], "name": "Demo Co", "plan": "Pro"}


def test_me_needs_user_read(invoke, seeded):
    view = create_pat("ada", "slots only", "slots:read", None)
    r = invoke("meta", "GET", "/v1/me", headers=bearer(view["token"]))
    assert r.status == 403
    assert r.json()["error"]["code"] == "insufficient_scope"
    assert r.json()["error"]["details"] == {"required_scope": "user:read"}
    assert (
        r.headers["www-authenticate"] == 'Bearer realm="42min", error="insufficient_scope", scope="user:read"'
    )
    assert invoke("meta", "GET", "/v1/_ping", headers=bearer(view["token"])).status == 200


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Basic abc",
        "Bearer 42min_rt_abc",
        "Bearer 42min_pat_HHAPTQYAPAMC_CBPMX33Y83YJ3967F3CMJT4PNCV0VKRG",
        "Bearer 42min_at_" + "a" * 43,
    ],
)
def test_unknown_or_malformed_credentials_are_invalid_token_in_the_anonymous_bucket(invoke, seeded, header):
    r = invoke("meta", "GET", "/v1/_ping", headers={"Authorization": header} if header else {})
    assert r.status == 401
    assert r.json()["error"] == {
        "code": "invalid_token",
        "message": "The access token is missing, malformed or unknown.",
        "details": {},
        "request_id": r.headers["x-request-id"],
    }
    assert r.headers["www-authenticate"] == (
        'Bearer realm="42min", error="invalid_token", error_description="invalid_token"'
    )
    assert r.headers["x-ratelimit-limit"] == "30"


def test_wrong_secret_revoked_and_expired_pats(invoke, seeded):
    token = seeded["pats"]["demo"]["token"]
    wrong = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert (
        invoke("meta", "GET", "/v1/_ping", headers=bearer(wrong)).json()["error"]["code"] == "invalid_token"
    )

    now = clock.now()
    record = pats.get(seeded["pats"]["demo"]["id"])
    pats.revoke(record, now)
    r = invoke("meta", "GET", "/v1/_ping", headers=bearer(token))
    assert r.status == 401 and r.json()["error"]["code"] == "token_revoked"
    assert 'error_description="token_revoked"' in r.headers["www-authenticate"]

    expiring = create_pat("ada", "short lived", "user:read", 42)
    from dataclasses import replace

    from fortytwo.domain.timefmt import parse_ts
    from fortytwo.store import dynamo
    from fortytwo.store.pats import PAT

    record = replace(pats.get(expiring["id"]), expires_at=parse_ts("2020-01-01T00:00:00.000Z"))
    dynamo.client().put_item(TableName=dynamo.table_name(), Item=dynamo.to_item(PAT.encode(record)))
    r = invoke("meta", "GET", "/v1/_ping", headers=bearer(expiring["token"]))
    assert r.status == 401 and r.json()["error"]["code"] == "token_expired"


def test_regenerate_invalidates_the_old_secret_at_once(invoke, seeded):
    token = seeded["pats"]["demo"]["token"]
    record = pats.get(seeded["pats"]["demo"]["id"])
    updated, new_token = pats.regenerate(record, clock.now())
    assert updated.generation == 2 and updated.id == record.id
    assert (
        invoke("meta", "GET", "/v1/_ping", headers=bearer(token)).json()["error"]["code"] == "invalid_token"
    )
    assert invoke("meta", "GET", "/v1/_ping", headers=bearer(new_token)).status == 200


def test_last_used_at_is_written_at_most_once_a_minute(invoke, seeded):
    token = seeded["pats"]["demo"]["token"]
    assert pats.get(seeded["pats"]["demo"]["id"]).last_used_at is None
    invoke("meta", "GET", "/v1/_ping", headers=bearer(token))
    first = pats.get(seeded["pats"]["demo"]["id"]).last_used_at
    assert first is not None
    invoke("meta", "GET", "/v1/_ping", headers=bearer(token))
    assert pats.get(seeded["pats"]["demo"]["id"]).last_used_at == first


def test_me_after_user_removal_is_not_found_for_a_still_valid_credential(invoke, seeded):
    token = create_pat("grace", "grace token", "user:read", None)["token"]
    from fortytwo.store import accounts as account_store

    # Only the user record goes (the CLI would also revoke the credentials).
    account_store.remove_user(accounts.find_user("grace"))
    r = invoke("meta", "GET", "/v1/me", headers=bearer(token))
    assert r.status == 404 and r.json()["error"]["code"] == "not_found"


def test_default_route_answers_404_and_405_before_authentication(invoke, seeded):
    r = invoke("meta", "GET", "/v1/me/", headers=bearer("garbage"))
    assert r.status == 404 and r.json()["error"]["code"] == "not_found"
    assert r.headers["x-ratelimit-limit"] == "30"
    r = invoke("meta", "OPTIONS", "/v1/webhooks/abc")
    assert r.status == 405 and r.headers["allow"] == "GET, PATCH, DELETE"
    assert "access-control-allow-origin" not in r.headers
    r = invoke("meta", "HEAD", "/v1/_ping")
    assert r.status == 405 and r.headers["allow"] == "GET"


def test_bodies_over_64_kib_are_refused_even_on_get(invoke, seeded):
    token = seeded["pats"]["demo"]["token"]
    ok = invoke("meta", "GET", "/v1/_ping", headers=bearer(token), body=b"x" * 65_536)
    assert ok.status == 200
    r = invoke("meta", "GET", "/v1/_ping", headers=bearer(token), body=b"x" * 65_537)
    assert r.status == 413
    assert r.json()["error"]["code"] == "payload_too_large" and r.json()["error"]["details"] == {
        "max_bytes": 65536
    }
    unauth = invoke("meta", "GET", "/v1/_ping", body=b"x" * 65_537)
    assert unauth.status == 401


@pytest.fixture
def small_limits(moto_env):
    os.environ["FORTYTWO_RATE_LIMITS"] = "pat=2,anonymous=2"
    reset_settings()
    yield
    os.environ.pop("FORTYTWO_RATE_LIMITS", None)
    reset_settings()


def test_rate_limit_429_after_the_limit_and_failures_count_too(invoke, seeded, small_limits):
    token = seeded["pats"]["demo"]["token"]
    assert invoke("meta", "GET", "/v1/_ping", headers=bearer(token)).status == 200
    assert invoke("meta", "GET", "/v1/me", headers=bearer(token)).status == 200
    r = invoke("meta", "GET", "/v1/_ping", headers=bearer(token))
    assert r.status == 429
    error = r.json()["error"]
    assert error["code"] == "rate_limited"
    assert error["details"] == {"bucket": "pat", "limit": 2, "window_seconds": 60}
    retry = int(r.headers["retry-after"])
    assert 1 <= retry <= 60 and error["message"] == f"Rate limit exceeded; retry in {retry}s."
    assert r.headers["x-ratelimit-remaining"] == "0"
    # An exhausted anonymous bucket answers 429 where it would have answered 401 or 404.
    invoke("meta", "GET", "/v1/_ping", source_ip="198.51.100.1")
    invoke("meta", "GET", "/nope", source_ip="198.51.100.1")
    assert invoke("meta", "GET", "/v1/_ping", source_ip="198.51.100.1").status == 429
    assert invoke("meta", "GET", "/v1/_ping", source_ip="198.51.100.2").status == 401


def test_rate_limiter_fails_open(invoke, seeded, monkeypatch):
    from fortytwo.store import ratelimits

    def broken(*args, **kwargs):
        raise TimeoutError("table unreachable")

    monkeypatch.setattr(ratelimits, "increment", broken)
    r = invoke("meta", "GET", "/v1/_ping", headers=bearer(seeded["pats"]["demo"]["token"]))
    assert r.status == 200
    assert r.headers["x-ratelimit-limit"] == r.headers["x-ratelimit-remaining"] == "120"


def test_pat_creation_rules(moto_env, seeded):
    from fortytwo_local.provisioning import ProvisioningError

    with pytest.raises(ProvisioningError, match="no such user"):
        create_pat("nobody", "x", "user:read", None)
    with pytest.raises(ProvisioningError, match="name"):
        create_pat("ada", "   ", "user:read", None)
    with pytest.raises(ProvisioningError, match="scopes"):
        create_pat("ada", "x", "bookings:delete", None)
    with pytest.raises(ProvisioningError, match="scopes"):
        create_pat("ada", "x", "", None)
    with pytest.raises(ProvisioningError, match="expires_in_days"):
        create_pat("ada", "x", "user:read", 30)
    with pytest.raises(ProvisioningError, match="already exists"):
        create_pat("ada", "DEMO (Every Scope)", "user:read", None)
    view = create_pat("ada", "  spaced  ", "bookings:write,user:read,user:read", 90)
    assert view["name"] == "spaced" and view["status"] == "active" and view["last4"] == view["token"][-4:]
    assert view["scopes"] == [
        "bookings:cancel",
        "bookings:create",
        "bookings:reschedule",
        "bookings:update",
        "user:read",
    ]
    created = clock.now()
    assert view["expires_at"] is not None
    from fortytwo.domain.timefmt import parse_ts

    assert abs(parse_ts(view["expires_at"]) - (created + timedelta(days=90))) < timedelta(minutes=1)
    # A revoked PAT frees its name.
    pats.revoke(pats.get(view["id"]), clock.now())
    assert create_pat("ada", "spaced", "user:read", None)["name"] == "spaced"


def test_openapi_document_is_served_unauthenticated(invoke, seeded):
    r = invoke("meta", "GET", "/openapi.json")
    assert r.status == 200
    document = r.json()
    assert document["openapi"].startswith("3.1") and "/v1/bookings" in document["paths"]
    assert r.headers["cache-control"] == "public, max-age=300"
    assert r.headers["x-ratelimit-limit"] == "30" and r.headers["x-request-id"].startswith("req_")
    assert invoke("meta", "POST", "/openapi.json").status == 405
