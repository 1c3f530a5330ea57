"""Platform behaviour over real HTTP against the local stack: auth, 404/405, 413, 415, 429, CLI."""

from __future__ import annotations

import json
import re

import httpx
import pytest

pytestmark = pytest.mark.e2e
REQUEST_ID = re.compile(r"^req_[0-7][0-9A-HJKMNP-TV-Z]{25}$")


def ok_cli(stack, *args: str) -> dict:
    result = stack.cli(*args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def client(stack):
    with httpx.Client(base_url=stack.base_url, timeout=30) as http:
        yield http


@pytest.fixture(scope="module")
def full_token(stack) -> str:
    return stack.seed_result["pats"]["full"]["token"]


def assert_error(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["details"], dict)
    assert body["error"]["request_id"] == response.headers["x-request-id"]
    assert REQUEST_ID.match(response.headers["x-request-id"])
    for header in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"):
        assert header in response.headers
    assert response.headers["cache-control"] == "no-store"
    return body["error"]


def test_ping_over_http(client, full_token, stack):
    r = client.get("/v1/_ping", headers=bearer(full_token))
    assert r.status_code == 200
    body = r.json()
    assert body["data"]["ok"] is True and body["data"]["auth_type"] == "pat"
    assert body["data"]["account_id"] == stack.seed_result["organization_id"]
    assert body["meta"] == {"request_id": r.headers["x-request-id"]}
    assert "access-control-allow-origin" not in r.headers


def test_me_over_http(client, full_token):
    r = client.get("/v1/me", headers=bearer(full_token), params={"unknown": "ignored"})
    assert r.status_code == 200
    assert r.json()["data"]["user"]["username"] == "ada"
    assert r.json()["data"]["organization"]["name"] == "Acme"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic YWRhOnB3"},
        {"Authorization": "Bearer 42min_pat_HHAPTQYAPAMC_CBPMX33Y83YJ3967F3CMJT4PNCV0VKRG"},
        {"Authorization": "Bearer 42min_rt_" + "a" * 43},
        {"Cookie": "session=abc"},
    ],
)
def test_401_invalid_token(client, headers):
    r = client.get("/v1/me", headers=headers)
    assert_error(r, 401, "invalid_token")
    assert r.headers["www-authenticate"] == (
        'Bearer realm="42min", error="invalid_token", error_description="invalid_token"'
    )


def test_401_revoked_and_regenerated_pats(client, stack):
    created = ok_cli(
        stack,
        "admin",
        "pat",
        "create",
        "--user",
        "ada",
        "--name",
        "e2e revoke me",
        "--scopes",
        "user:read",
        "--json",
    )
    token = created["token"]
    assert client.get("/v1/me", headers=bearer(token)).status_code == 200
    regenerated = ok_cli(stack, "admin", "pat", "regenerate", created["id"], "--json")
    assert regenerated["generation"] == 2 and regenerated["id"] == created["id"]
    assert_error(client.get("/v1/me", headers=bearer(token)), 401, "invalid_token")
    assert client.get("/v1/me", headers=bearer(regenerated["token"])).status_code == 200
    stack.cli("admin", "pat", "revoke", created["id"])
    r = client.get("/v1/me", headers=bearer(regenerated["token"]))
    assert_error(r, 401, "token_revoked")
    assert 'error_description="token_revoked"' in r.headers["www-authenticate"]
    listed = ok_cli(stack, "admin", "pat", "list", "--org", "Acme", "--json")
    mine = next(p for p in listed if p["id"] == created["id"])
    assert mine["status"] == "revoked" and "token" not in mine and mine["last_used_at"] is not None


def test_403_insufficient_scope(client, stack):
    narrow = stack.seed_result["pats"]["narrow"]["token"]
    r = client.get("/v1/me", headers=bearer(narrow))
    error = assert_error(r, 403, "insufficient_scope")
    assert error["details"] == {"required_scope": "user:read"}
    assert (
        r.headers["www-authenticate"] == 'Bearer realm="42min", error="insufficient_scope", scope="user:read"'
    )
    assert client.get("/v1/_ping", headers=bearer(narrow)).status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/v1/me/", "//v1/me/", "/v2/me", "/V1/me", "/", "/v1/nothing", "/.well-known/openid-configuration"],
)
def test_404_unknown_paths_use_the_envelope_and_the_anonymous_bucket(client, full_token, path):
    r = client.get(str(client.base_url).rstrip("/") + path, headers=bearer(full_token))
    assert_error(r, 404, "not_found")
    assert r.headers["x-ratelimit-limit"] == "100000"


@pytest.mark.parametrize("path", ["//v1/me", "/v1//me", "///v1///me"])
def test_runs_of_slashes_collapse_before_routing(client, full_token, path):
    # 00-conventions §1: 42min's Make app sends `<origin>//v1/...` (an absolute URL: httpx would
    # read a bare `//v1/me` as a host).
    r = client.get(str(client.base_url).rstrip("/") + path, headers=bearer(full_token))
    assert r.status_code == 200, r.text
    assert r.json()["data"]["user"]["username"] == "ada"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/v1/bookings/019daa5e-4cba-7627-af4f-895564b7a99e", "GET, PATCH"),
        ("PUT", "/v1/webhooks", "GET, POST"),
        ("HEAD", "/v1/_ping", "GET"),
        ("OPTIONS", "/v1/me", "GET"),
        ("POST", "/v1/me", "GET"),
        ("GET", "/v1/oauth/token", "POST"),
        ("DELETE", "/.well-known/oauth-protected-resource", "GET"),
    ],
)
def test_405_with_allow(client, method, path, allow):
    r = client.request(method, path)
    assert r.status_code == 405
    assert r.headers["allow"] == allow
    if method != "HEAD":
        assert_error(r, 405, "method_not_allowed")


def test_413_on_a_bodiless_endpoint(client, full_token):
    assert (
        client.request("GET", "/v1/_ping", headers=bearer(full_token), content=b"x" * 65_536).status_code
        == 200
    )
    r = client.request("GET", "/v1/_ping", headers=bearer(full_token), content=b"x" * 65_537)
    error = assert_error(r, 413, "payload_too_large")
    assert error["details"] == {"max_bytes": 65536}


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "text/json", "application/problem+json", "application/json; charset=latin1"],
)
def test_415_on_json_endpoints(client, full_token, content_type):
    headers = bearer(full_token)
    if content_type:
        headers["Content-Type"] = content_type
    r = client.post(
        "/v1/webhooks",
        headers=headers,
        content=b'{"url":"https://example.com/h","events":["booking_created"]}',
    )
    assert_error(r, 415, "unsupported_media_type")


def test_429_per_bucket_with_retry_after(start_stack):
    with start_stack("--rate-limits", "pat=3,anonymous=2") as small:
        token = small.seed_result["pats"]["full"]["token"]
        other = small.seed_result["pats"]["second"]["token"]
        with httpx.Client(base_url=small.base_url, timeout=30) as http:
            statuses = [http.get("/v1/_ping", headers=bearer(token)).status_code for _ in range(4)]
            assert statuses == [200, 200, 200, 429]
            r = http.get("/v1/me", headers=bearer(token))
            error = assert_error(r, 429, "rate_limited")
            assert error["details"] == {"bucket": "pat", "limit": 3, "window_seconds": 60}
            retry = int(r.headers["retry-after"])
            assert 1 <= retry <= 60 and error["message"] == f"Rate limit exceeded; retry in {retry}s."
            assert r.headers["x-ratelimit-remaining"] == "0"
            # Buckets are per credential: the second PAT still has its own three.
            assert http.get("/v1/_ping", headers=bearer(other)).status_code == 200
            # Failed authentication and unknown routes share the anonymous bucket; exhausted → 429, not 401.
            assert http.get("/v1/_ping").status_code == 401
            assert http.get("/nowhere").status_code == 404
            assert_error(http.get("/v1/_ping"), 429, "rate_limited")


def test_user_removal_revokes_credentials(client, stack):
    created = ok_cli(
        stack,
        "admin",
        "user",
        "create",
        "--org",
        "Acme",
        "--username",
        "temp-owner",
        "--email",
        "temp@example.com",
        "--role",
        "admin",
        "--json",
    )
    pat = ok_cli(
        stack,
        "admin",
        "pat",
        "create",
        "--user",
        "temp-owner",
        "--name",
        "temp",
        "--scopes",
        "user:read",
        "--json",
    )
    assert client.get("/v1/me", headers=bearer(pat["token"])).json()["data"]["user"]["id"] == created["id"]
    stack.cli("admin", "user", "remove", "temp-owner")
    assert_error(client.get("/v1/me", headers=bearer(pat["token"])), 401, "token_revoked")


def test_cli_errors_are_one_line_and_nonzero(stack):
    result = stack.cli("admin", "pat", "create", "--user", "linus", "--name", "x", "--scopes", "user:read")
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0 and "owner" in result.stderr


def test_seed_is_all_or_nothing_with_a_precise_path(stack, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "organization: { name: Broken }\n"
        "users:\n"
        "  - { username: fine-user, email: fine@example.com }\n"
        "  - username: broken\n"
        "    email: broken@example.com\n"
        "    schedule: { timezone: UTC, weekly: { mon: ['09:00-25:00'] } }\n"
    )
    result = stack.cli("seed", str(bad))
    assert result.returncode != 0
    assert "users[1].schedule.weekly.mon[0]" in result.stderr
    again = stack.cli(
        "admin",
        "user",
        "create",
        "--org",
        "Acme",
        "--username",
        "fine-user",
        "--email",
        "fine@example.com",
        "--json",
    )
    assert again.returncode == 0, again.stderr
