"""Scheduling over real HTTP against the local stack: /v1/event-types, /v1/slots, /v1/slots/check.

Every error of the three resources, the slot-check reasons, and the admin event-type commands.
Times are relative to the real clock (the stack's `now`). Tests never change the shared seeded
event types; the ones they change are created here through `42min admin event-type`.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e
REQUEST_ID = re.compile(r"^req_[0-7][0-9A-HJKMNP-TV-Z]{25}$")
UNKNOWN_ID = "019d48ea-2e00-7f28-9fb1-000000000000"


def iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def ok_cli(stack, *args: str) -> dict:
    # The test process's own FORTYTWO_BOOKING_PAGE_BASE_URL must not leak into the stack's CLI.
    result = stack.cli(*args, env={"FORTYTWO_BOOKING_PAGE_BASE_URL": stack.base_url})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def assert_error(response: httpx.Response, status: int, code: str, param: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code, response.text
    assert body["error"]["request_id"] == response.headers["x-request-id"]
    assert REQUEST_ID.match(response.headers["x-request-id"])
    for header in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"):
        assert header in response.headers
    if param is not None:
        assert body["error"]["details"] == {"param": param}, response.text
    return body["error"]


@pytest.fixture(scope="module")
def client(stack):
    with httpx.Client(base_url=stack.base_url, timeout=60) as http:
        yield http


@pytest.fixture(scope="module")
def token(stack) -> str:
    return stack.seed_result["pats"]["full"]["token"]


@pytest.fixture(scope="module")
def ids(stack) -> dict[str, str]:
    return stack.seed_result["event_types"]


@pytest.fixture(scope="module")
def no_slots_token(stack) -> str:
    """A PAT without slots:read or event_types:read."""
    name = f"e2e-scheduling-{uuid.uuid4().hex[:8]}"
    return ok_cli(
        stack, "admin", "pat", "create", "--user", "ada", "--name", name, "--scopes", "user:read", "--json"
    )["token"]


def _window(days: int = 7) -> tuple[str, str]:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    return iso(start), iso(start + timedelta(days=days))


# --------------------------------------------------------------------------- /v1/slots


def test_slots_lists_bookable_starts(client, token, ids):
    start, end = _window()
    r = client.get(
        "/v1/slots", headers=bearer(token), params={"event_type_id": ids["intro"], "start": start, "end": end}
    )
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["event_type_id"] == ids["intro"] and data["timezone"] == "Europe/London"
    assert data["slots"], "ada works Mon-Fri: a week always holds slots"
    assert all(set(s) == {"start", "end", "available"} and start <= s["start"] < end for s in data["slots"])
    echoed = client.get(
        "/v1/slots",
        headers=bearer(token),
        params={
            "username": "ADA",
            "event_slug": "intro-call",
            "start": start,
            "end": end,
            "timezone": "Asia/Kolkata",
        },
    )
    assert echoed.json()["data"]["timezone"] == "Asia/Kolkata"
    assert echoed.json()["data"]["slots"] == data["slots"]
    team = client.get(
        "/v1/slots",
        headers=bearer(token),
        params={"event_type_id": ids["sales-demo"], "start": start, "end": end},
    ).json()["data"]
    assert team["timezone"] == "UTC"
    assert team["slots"] and all("host_user_id" in s for s in team["slots"])


SLOT_QUERY_ERRORS = [
    ("event_type_id=nope&start=x", "event_type_id"),
    ("start=2026-05-20T00:00:00Z&end=2026-05-21T00:00:00Z", "event_type_id"),
    ("username=ada&start=2026-05-20T00:00:00Z&end=2026-05-21T00:00:00Z", "event_slug"),
    ("event_slug=intro-call&start=2026-05-20T00:00:00Z", "username"),
    ("event_type_id={id}&end=2026-05-21T00:00:00Z", "start"),
    ("event_type_id={id}&start=2026-05-20&end=2026-05-21T00:00:00Z", "start"),
    (
        "event_type_id={id}&start=2026-05-20T00:00:00+2:00&end=2026-05-21T00:00:00Z",
        "start",
    ),  # a naive one is read in `timezone` (00 §7.2)
    ("event_type_id={id}&start=2026-05-20T00:00:00Z", "end"),
    ("event_type_id={id}&start=2026-05-20T00:00:00Z&end=yesterday", "end"),
    ("event_type_id={id}&start=2026-05-20T00:00:00Z&end=2026-05-20T00:00:00Z", "end"),
    ("event_type_id={id}&start=2026-05-20T00:00:00Z&end=2026-05-19T00:00:00Z", "end"),
    ("event_type_id={id}&start=2026-05-20T00:00:00Z&end=2026-06-20T00:00:01Z", "end"),
    (
        "event_type_id={id}&start=2026-05-20T00:00:00Z&end=2026-05-21T00:00:00Z&timezone=Mars%2FBase",
        "timezone",
    ),
    (
        "event_type_id={id}&event_type_id={id}&start=2026-05-20T00:00:00Z&end=2026-05-21T00:00:00Z",
        "event_type_id",
    ),
]


@pytest.mark.parametrize(("query", "param"), SLOT_QUERY_ERRORS)
def test_slots_400_in_documented_order(client, token, ids, query, param):
    r = client.get("/v1/slots?" + query.format(id=ids["intro"]), headers=bearer(token))
    assert_error(r, 400, "invalid_query_param", param)


def test_slots_401_403_404_405(client, token, ids, no_slots_token):
    start, end = _window(1)
    params = {"event_type_id": ids["intro"], "start": start, "end": end}
    for path in ("/v1/slots", "/v1/slots/check"):
        r = client.get(path, params=params)
        assert_error(r, 401, "invalid_token")
        assert r.headers["www-authenticate"].startswith('Bearer realm="42min"')
        r = client.get(path, params=params, headers=bearer("42min_pat_NOTAREALTOKEN"))
        assert_error(r, 401, "invalid_token")
        r = client.get(path, params=params, headers=bearer(no_slots_token))
        assert assert_error(r, 403, "insufficient_scope")["details"] == {"required_scope": "slots:read"}
        r = client.post(path, params=params, headers=bearer(token))
        assert_error(r, 405, "method_not_allowed")
        assert r.headers["allow"] == "GET"
        for query in (
            {"event_type_id": UNKNOWN_ID},
            {"username": "ada", "event_slug": "no-such-slug"},
            {"username": "nobody", "event_slug": "intro-call"},
            {"username": "sales", "event_slug": "sales-demo"},
        ):
            r = client.get(path, params={**query, "start": start, "end": end}, headers=bearer(token))
            assert_error(r, 404, "event_type_not_found")


# --------------------------------------------------------------------------- /v1/slots/check


def test_check_reasons(client, token, ids):
    now = datetime.now(UTC)

    def check(key: str, start: datetime, **extra: str) -> dict:
        r = client.get(
            "/v1/slots/check",
            headers=bearer(token),
            params={"event_type_id": ids[key], "start": iso(start), **extra},
        )
        assert r.status_code == 200, r.text
        return r.json()["data"]

    assert check("switched-off", now - timedelta(days=1)) == {
        "available": False,
        "reason": "event_type_inactive",
    }
    assert check("intro", now - timedelta(hours=1)) == {"available": False, "reason": "in_past"}
    assert check("notice", now + timedelta(hours=2)) == {
        "available": False,
        "reason": "outside_minimum_notice",
    }
    assert check("notice", now + timedelta(days=40)) == {"available": False, "reason": "outside_future_limit"}
    start, end = _window()
    listed = client.get(
        "/v1/slots", headers=bearer(token), params={"event_type_id": ids["intro"], "start": start, "end": end}
    ).json()["data"]["slots"]
    first = datetime.fromisoformat(listed[0]["start"].replace("Z", "+00:00"))
    assert check("intro", first) == {"available": True, "duration_minutes": 30}
    too_long = check("intro", first, end=iso(first + timedelta(hours=1)))
    assert too_long["reason"] == "slot_busy" and too_long["next_available"] is not None
    off_grid = check("intro", first + timedelta(minutes=7))
    assert off_grid["available"] is False and off_grid["reason"] == "slot_busy"
    assert off_grid["next_available"] > iso(first + timedelta(minutes=7))


CHECK_QUERY_ERRORS = [
    ("event_type_id=nope", "event_type_id"),
    ("start=2030-01-01T00:00:00Z", "event_type_id"),
    ("event_slug=intro-call&start=2030-01-01T00:00:00Z", "username"),
    ("event_type_id={id}", "start"),
    ("event_type_id={id}&start=2030-01-01T25:00:00Z", "start"),
    ("event_type_id={id}&start=2030-01-01T00:00:00Z&end=later&timezone=Nope", "end"),
    ("event_type_id={id}&start=2030-01-01T00:00:00Z&end=2030-01-01T00:00:00Z", "end"),
    ("event_type_id={id}&start=2030-01-01T00:00:00Z&timezone=Europe%2Flondon", "timezone"),
]


@pytest.mark.parametrize(("query", "param"), CHECK_QUERY_ERRORS)
def test_check_400_in_documented_order(client, token, ids, query, param):
    r = client.get("/v1/slots/check?" + query.format(id=ids["intro"]), headers=bearer(token))
    assert_error(r, 400, "invalid_query_param", param)


# --------------------------------------------------------------------------- /v1/event-types


def test_event_types_list_and_detail(client, token, ids, stack):
    r = client.get("/v1/event-types", headers=bearer(token), params={"limit": "2", "sort": "title_asc"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["data"]) == 2 and body["meta"]["has_more"] is True
    nxt = client.get(
        "/v1/event-types",
        headers=bearer(token),
        params={"limit": "200", "sort": "title_asc", "cursor": body["meta"]["next_cursor"]},
    ).json()
    titles = [i["title"].casefold() for i in body["data"] + nxt["data"]]
    assert titles == sorted(titles) and nxt["meta"] == {
        "request_id": nxt["meta"]["request_id"],
        "next_cursor": None,
        "has_more": False,
    }
    detail = client.get(f"/v1/event-types/{ids['intro']}", headers=bearer(token))
    assert detail.status_code == 200
    data = detail.json()["data"]
    assert data["url"] == f"{stack.base_url}/ada/intro-call" and data["timezone"] == "Europe/London"
    assert data["questions"][0]["id"] == "q_company"
    for path in (
        "/v1/event-types/ada%2Fintro-call",
        "/v1/event-types/ada/intro-call",
        "/v1/event-types/ADA%2Fintro-call",
        f"/v1/event-types/{ids['intro'].upper()}",
    ):
        r = client.get(path, headers=bearer(token))
        assert r.status_code == 200, (path, r.text)
        assert r.json()["data"] == data
    team = client.get(f"/v1/event-types/{ids['sales-demo']}", headers=bearer(token)).json()["data"]
    assert team["url"] == f"{stack.base_url}/team/sales/sales-demo" and team["timezone"] is None


def test_event_types_errors(client, token, no_slots_token):
    bare = assert_error(
        client.get("/v1/event-types/intro-call", headers=bearer(token)), 400, "invalid_request"
    )
    assert "username%2Fslug" in bare["message"] and "?slug=intro-call" in bare["message"]
    # Paths arrive decoded, as from API Gateway: `%2F` is a slash (docs/decisions.md, "Decoded paths").
    assert_error(client.get("/v1/event-types/%2Fintro-call", headers=bearer(token)), 400, "invalid_request")
    for path in (
        "/v1/event-types/a/b/c",
        "/v1/event-types/ada/intro-call/extra",
        "/v1/event-types/a%2Fb%2Fc",
        "/v1/event-types/ada%2F",
    ):
        assert_error(client.get(path), 404, "not_found")
    for path in (
        f"/v1/event-types/{UNKNOWN_ID}",
        "/v1/event-types/sales%2Fsales-demo",
        "/v1/event-types/grace%2Fintro-call",
        "/v1/event-types/nobody/intro-call",
    ):
        assert_error(client.get(path, headers=bearer(token)), 404, "event_type_not_found")
    for path in ("/v1/event-types", f"/v1/event-types/{UNKNOWN_ID}"):
        assert_error(client.get(path), 401, "invalid_token")
        error = assert_error(client.get(path, headers=bearer(no_slots_token)), 403, "insufficient_scope")
        assert error["details"] == {"required_scope": "event_types:read"}
    r = client.post("/v1/event-types", headers=bearer(token))
    assert_error(r, 405, "method_not_allowed")
    assert r.headers["allow"] == "GET"
    for params, param in (
        ({"limit": "0"}, "limit"),
        ({"cursor": "garbage!"}, "cursor"),
        ({"sort": "newest"}, "sort"),
        ({"user_id": "x"}, "user_id"),
        ({"active": "yes"}, "active"),
        ({"slug": "s" * 128}, "slug"),
    ):
        assert_error(
            client.get("/v1/event-types", headers=bearer(token), params=params),
            400,
            "invalid_query_param",
            param,
        )
    assert (
        len(client.get("/v1/event-types", headers=bearer(token), params={"limit": "500"}).json()["data"]) > 2
    )  # clamped, not refused


def test_other_organizations_event_types_are_404(client, token, stack, tmp_path: Path):
    suffix = uuid.uuid4().hex[:8]
    ok_cli(stack, "admin", "org", "create", f"Elsewhere {suffix}", "--json")
    ok_cli(
        stack,
        "admin",
        "user",
        "create",
        "--org",
        f"Elsewhere {suffix}",
        "--username",
        f"other{suffix}",
        "--email",
        f"other{suffix}@example.com",
        "--json",
    )
    spec = tmp_path / "et.json"
    spec.write_text(json.dumps({"slug": "intro-call", "title": "Theirs", "minimum_notice_minutes": 0}))
    theirs = ok_cli(stack, "admin", "event-type", "create", "--user", f"other{suffix}", str(spec), "--json")
    for path in (f"/v1/event-types/{theirs['id']}", f"/v1/event-types/other{suffix}%2Fintro-call"):
        assert_error(client.get(path, headers=bearer(token)), 404, "event_type_not_found")
    start, end = _window(1)
    r = client.get(
        "/v1/slots", headers=bearer(token), params={"event_type_id": theirs["id"], "start": start, "end": end}
    )
    assert_error(r, 404, "event_type_not_found")


def test_admin_event_type_commands_drive_the_api(client, token, stack, tmp_path: Path):
    slug = f"e2e-{uuid.uuid4().hex[:8]}"
    spec = tmp_path / "et.yaml"
    spec.write_text(f"slug: {slug}\ntitle: E2E call\nminimum_notice_minutes: 0\nfuture_limit_days: 30\n")
    created = ok_cli(stack, "admin", "event-type", "create", "--user", "ada", str(spec), "--json")
    assert created["slug"] == slug and created["url"] == f"{stack.base_url}/ada/{slug}"
    got = client.get(f"/v1/event-types/ada%2F{slug}", headers=bearer(token)).json()["data"]
    assert got == created
    spec.write_text(f"slug: {slug}\ntitle: E2E call renamed\n")
    updated = ok_cli(stack, "admin", "event-type", "update", "--user", "ada", str(spec), "--json")
    assert updated["title"] == "E2E call renamed" and updated["future_limit_days"] == 30
    ok_cli(stack, "admin", "event-type", "toggle", created["id"], "--off", "--json")
    start, end = _window()
    r = client.get(
        "/v1/slots",
        headers=bearer(token),
        params={"event_type_id": created["id"], "start": start, "end": end},
    )
    assert r.status_code == 200 and r.json()["data"]["slots"] == []
    r = client.get(
        "/v1/slots/check", headers=bearer(token), params={"event_type_id": created["id"], "start": start}
    )
    assert r.json()["data"] == {"available": False, "reason": "event_type_inactive"}
    listed = client.get("/v1/event-types", headers=bearer(token), params={"slug": slug, "active": "false"})
    assert [i["id"] for i in listed.json()["data"]] == [created["id"]]
    ok_cli(stack, "admin", "event-type", "delete", created["id"], "--json")
    assert_error(
        client.get(f"/v1/event-types/{created['id']}", headers=bearer(token)), 404, "event_type_not_found"
    )
    bad = stack.cli("admin", "event-type", "toggle", created["id"], "--on")
    assert bad.returncode == 1 and bad.stderr.startswith("42min: ")


def test_429_on_every_scheduling_endpoint(start_stack):
    own = start_stack("--rate-limits", "pat=2")
    token = own.seed_result["pats"]["full"]["token"]
    event_type_id = own.seed_result["event_types"]["intro"]
    start, end = _window(1)
    with own.client() as http:
        for _ in range(2):
            assert http.get("/v1/event-types", headers=bearer(token)).status_code == 200
        for path, params in (
            ("/v1/event-types", {}),
            (f"/v1/event-types/{event_type_id}", {}),
            ("/v1/slots", {"event_type_id": event_type_id, "start": start, "end": end}),
            ("/v1/slots/check", {"event_type_id": event_type_id, "start": start}),
        ):
            r = http.get(path, headers=bearer(token), params=params)
            error = assert_error(r, 429, "rate_limited")
            assert error["details"]["bucket"] == "pat" and 1 <= int(r.headers["retry-after"]) <= 60
