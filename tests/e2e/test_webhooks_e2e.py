"""Webhooks end to end over real HTTP (40-webhooks): the local stack's stream poller, fan-out,
SQS poller and delivery function, posting to a real receiver on loopback.

Every request the receiver gets is checked with the verifier of
`tests/integration/webhooks/receiver.py`, written from the receiver's checklist (§9) and not
from the project's signing code. Events come from real booking writes and from outbox items
written into the stack's table the way producers write them.

The module runs a stack of its own (same flags as the shared one: insecure webhooks allowed,
retry schedule 0,1,2,3,4,5 s), so no other module's bookings reach its subscriptions, and each
test deletes the subscriptions it made.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for `tests.…`
from tests.integration.webhooks.receiver import Received, Receiver, check_signature  # noqa: E402

pytestmark = pytest.mark.e2e

SEED_FILE = Path(__file__).parent / "seed.yaml"
RATE_LIMITS = ",".join(
    f"{bucket}=100000"
    for bucket in (
        "pat",
        "oauth",
        "anonymous",
        "oauth_authorize",
        "oauth_token",
        "oauth_revoke",
        "oauth_introspect",
        "oauth_register",
    )
)
STACK_ARGS = (
    "--seed",
    str(SEED_FILE),
    "--allow-insecure-webhooks",
    "--webhook-retry-schedule",
    "0,1,2,3,4,5",
    "--rate-limits",
    RATE_LIMITS,
)
OFFSETS = (0, 1, 2, 3, 4, 5)
LONDON = ZoneInfo("Europe/London")
# Pollers batch for up to 1 s and idle 0.2 s between polls: how late an attempt may arrive.
# The bound only catches a stuck or skipped retry (early retries fail the lower bound); on a
# 2-core machine shared with other work an attempt was seen 3.06 s late, so leave room.
LATENESS_S = 6.0


class Hooks:
    """`/v1/webhooks…` as one PAT of the seed; every subscription made is deleted afterwards."""

    def __init__(self, http: httpx.Client, token: str, made: list[tuple[Hooks, str]]) -> None:
        self.http = http
        self.token = token
        self.made = made

    def call(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        return self.http.request(method, path, headers=headers, **kwargs)

    def create(self, url: str, events: list[str] | None = None) -> dict[str, Any]:
        response = self.call(
            "POST", "/v1/webhooks", json={"url": url, "events": events or ["booking_created"]}
        )
        assert response.status_code == 201, response.text
        data = response.json()["data"]
        self.made.append((self, data["id"]))
        return data

    def get(self, webhook_id: str) -> httpx.Response:
        return self.call("GET", f"/v1/webhooks/{webhook_id}")

    def patch(self, webhook_id: str, body: dict[str, Any]) -> httpx.Response:
        return self.call("PATCH", f"/v1/webhooks/{webhook_id}", json=body)

    def rows(self, webhook_id: str) -> list[dict[str, Any]]:
        response = self.call("GET", f"/v1/webhooks/{webhook_id}/deliveries", params={"limit": "100"})
        assert response.status_code == 200, response.text
        return response.json()["data"]


class Env:
    """The module's stack, its HTTP client, the receiver and an outbox writer."""

    def __init__(self, stack: Any, receiver: Receiver) -> None:
        self.stack = stack
        self.receiver = receiver
        self.http = httpx.Client(base_url=stack.base_url, timeout=60)
        self.made: list[tuple[Hooks, str]] = []
        self.org_id: str = stack.seed_result["organization_id"]
        info = stack.dev_info
        self.table = info["table_name"]
        self.dynamodb = boto3.client(
            "dynamodb",
            endpoint_url=info["endpoint_url"],
            region_name=info.get("region") or "us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        self._paths = iter(range(1_000_000))
        self._days = iter(range(0, 3650))

    def hooks(self, pat: str = "full") -> Hooks:
        return Hooks(self.http, self.stack.seed_result["pats"][pat]["token"], self.made)

    def path(self, name: str) -> str:
        return f"/{name}-{next(self._paths)}"

    def subscribe(self, name: str, events: list[str] | None = None, pat: str = "full") -> tuple[dict, str]:
        path = self.path(name)
        hook = self.hooks(pat).create(self.receiver.url(path), events)
        self.receiver.secrets[path] = [hook["signing_secret"]]
        return hook, path

    def emit(self, event: str = "booking.created", data: dict[str, Any] | None = None) -> Any:
        """An outbox item in the stack's table, as producers write it (one transaction item)."""
        from fortytwo.domain.webhooks.envelope import new_outbox_event
        from fortytwo.store import dynamo, outbox

        now = datetime.now(UTC)
        outbox_event = new_outbox_event(
            event, self.org_id, now.replace(microsecond=now.microsecond // 1000 * 1000), data or {"e2e": True}
        )
        self.dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": dynamo.to_item(outbox.item(outbox_event)),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            ]
        )
        return outbox_event

    def weekday_slot(self) -> str:
        """10:00 London on a weekday of the calling test's own, three weeks ahead and later."""
        while True:
            day: date = datetime.now(UTC).date() + timedelta(days=21 + next(self._days))
            if day.weekday() < 5:
                local = datetime(day.year, day.month, day.day, 10, 0, tzinfo=LONDON)
                return local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def cleanup(self) -> None:
        while self.made:
            hooks, webhook_id = self.made.pop()
            hooks.call("DELETE", f"/v1/webhooks/{webhook_id}")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    from harness import Stack

    receiver = Receiver().start()
    stack = Stack(*STACK_ARGS, data_dir=tmp_path_factory.mktemp("webhooks-e2e") / "data").start()
    environment = Env(stack, receiver)
    try:
        yield environment
    finally:
        environment.http.close()
        stack.stop()
        receiver.stop()


@pytest.fixture
def e2e(env: Env) -> Iterator[Env]:
    yield env
    env.cleanup()


def _verified(requests: list[Received]) -> None:
    for request in requests:
        assert request.verify_error is None, (request.path, request.attempt, request.verify_error)


def _quiet(env: Env, path: str, expected: int, seconds: float = 2.0) -> None:
    """Nothing more arrives at `path` for a while (no duplicate, no further attempt)."""
    time.sleep(seconds)
    assert len(env.receiver.on(path)) == expected, env.receiver.summary()


# --- deliveries -----------------------------------------------------------------------------------


def test_test_endpoint_sends_a_verifiable_delivery(e2e: Env) -> None:
    hook, path = e2e.subscribe("test", ["event_type_updated", "booking_created"])
    response = e2e.hooks().call("POST", f"/v1/webhooks/{hook['id']}/test")
    assert response.status_code == 200, response.text
    record = response.json()["data"]
    assert record["status_code"] == 204 and record["event"] == "event_type_updated" and record["attempt"] == 1
    (got,) = e2e.receiver.on(path)
    _verified([got])
    assert got.delivery_id == record["id"] and got.event == "event_type.updated"
    assert json.loads(got.body)["data"] == {"test": True}
    current = e2e.hooks().get(hook["id"]).json()["data"]
    assert current["last_delivery_at"] is None  # tests never count


def test_an_outbox_event_is_delivered_once_signed_with_the_contract_headers(e2e: Env) -> None:
    from fortytwo.domain.webhooks.fanout import delivery_id_for

    hook, path = e2e.subscribe("once")
    event = e2e.emit("booking.created", {"text": "Gestión", "path": "/a/b"})
    e2e.receiver.wait_for(lambda _: len(e2e.receiver.on(path)) >= 1)
    (got,) = e2e.receiver.on(path)
    _verified([got])
    assert got.body == event.body
    assert got.delivery_id == delivery_id_for(event, hook["id"]) and got.attempt == 1
    assert got.event == "booking.created" and got.headers["user-agent"] == "42min-Webhooks/1"
    assert got.headers["content-type"] == "application/json"
    assert int(got.headers["content-length"]) == len(got.body)
    _quiet(e2e, path, 1)
    (row,) = e2e.hooks().rows(hook["id"])
    assert row["id"] == got.delivery_id and row["status_code"] == 204 and row["event"] == "booking_created"
    current = e2e.hooks().get(hook["id"]).json()["data"]
    assert current["last_delivery_ok"] is True


def test_booking_writes_are_each_delivered_once_with_their_event(e2e: Env) -> None:
    hook, path = e2e.subscribe(
        "bookings", ["booking_created", "booking_updated", "booking_rescheduled", "booking_canceled"]
    )
    token = e2e.stack.seed_result["pats"]["full"]["token"]

    def write(method: str, url: str, body: dict[str, Any], **headers: str) -> dict[str, Any]:
        response = e2e.http.request(
            method,
            url,
            json=body,
            headers={
                "Authorization": f"Bearer {token}",
                "Idempotency-Key": f"wh-{time.time_ns()}",
                **headers,
            },
        )
        assert response.status_code in (200, 201), response.text
        return response.json()["data"]

    created = write(
        "POST",
        "/v1/bookings",
        {
            "event_type_id": e2e.stack.seed_result["event_types"]["intro"],
            "start": e2e.weekday_slot(),
            "attendee": {"email": "ana@example.com", "name": "Ana Gestión"},
        },
    )
    uid = created["uid"]
    write(
        "PATCH",
        f"/v1/bookings/{uid}",
        {"attendee_name": "Ana M. Gestión", "metadata": {"crm": "1"}},
        **{"If-Match": "*"},
    )
    moved = write("POST", f"/v1/bookings/{uid}/reschedule", {"start": e2e.weekday_slot()})
    write("POST", f"/v1/bookings/{moved['uid']}/cancel", {"reason": "Double-booked"})

    e2e.receiver.wait_for(lambda _: len(e2e.receiver.on(path)) >= 4, timeout=30)
    _quiet(e2e, path, 4)
    got = {r.event: r for r in e2e.receiver.on(path)}
    assert sorted(got) == ["booking.canceled", "booking.created", "booking.rescheduled", "booking.updated"]
    _verified(list(got.values()))
    assert len({r.delivery_id for r in got.values()}) == 4 and all(r.attempt == 1 for r in got.values())
    bodies = {name: json.loads(r.body) for name, r in got.items()}
    for name, body in bodies.items():
        assert body["event"] == name and list(body) == ["id", "event", "createdAt", "apiVersion", "data"]
    assert bodies["booking.created"]["data"]["booking"]["id"] == uid
    assert bodies["booking.created"]["data"]["booking"]["inviteeName"] == "Ana Gestión"
    assert bodies["booking.updated"]["data"]["changed_fields"] == ["attendee_name", "metadata"]
    assert bodies["booking.updated"]["data"]["booking"]["inviteeName"] == "Ana M. Gestión"
    assert bodies["booking.rescheduled"]["data"]["booking"]["id"] == moved["uid"]
    assert set(bodies["booking.rescheduled"]["data"]["previousBooking"]) == {
        "startTime",
        "endTime",
        "timezone",
    }
    assert bodies["booking.canceled"]["data"]["booking"]["status"] == "canceled"
    assert "Gestión".encode() in got["booking.created"].body  # raw UTF-8, no \\u escapes


def test_failures_are_retried_with_the_same_id_at_the_schedule_offsets(e2e: Env) -> None:
    hook, path = e2e.subscribe("retry")
    e2e.receiver.statuses[path] = 500
    e2e.emit()
    e2e.receiver.wait_for(lambda _: len(e2e.receiver.on(path)) >= 6, timeout=40)
    _quiet(e2e, path, 6)
    attempts = e2e.receiver.on(path)
    _verified(attempts)
    assert [r.attempt for r in attempts] == [1, 2, 3, 4, 5, 6]
    assert len({r.delivery_id for r in attempts}) == 1
    first = attempts[0].at
    for request, offset in zip(attempts, OFFSETS, strict=True):
        # Offsets count from the start of attempt 1; the pollers add at most a little latency.
        assert offset - 0.5 <= request.at - first <= offset + LATENESS_S, [r.at - first for r in attempts]
    rows = e2e.hooks().rows(hook["id"])
    assert [r["attempt"] for r in rows] == [6, 5, 4, 3, 2, 1]
    assert rows[0]["next_retry_at"] is None and all(r["next_retry_at"] for r in rows[1:])
    current = e2e.hooks().get(hook["id"]).json()["data"]
    assert current["status"] == "active" and current["last_delivery_ok"] is False


def test_five_exhausted_deliveries_pause_the_subscription_until_resumed(e2e: Env) -> None:
    hook, path = e2e.subscribe("pause")
    e2e.receiver.statuses[path] = 503
    for _ in range(5):
        e2e.emit()
    e2e.receiver.wait_for(lambda _: len(e2e.receiver.on(path)) >= 30, timeout=60)
    deadline = time.monotonic() + 10
    while (current := e2e.hooks().get(hook["id"]).json()["data"])["status"] != "paused":
        assert time.monotonic() < deadline, current
        time.sleep(0.2)
    assert current["paused_reason"] == "consecutive_failures"
    _verified(e2e.receiver.on(path))

    e2e.emit()  # fanned out while paused: never sent, not even after resuming
    _quiet(e2e, path, 30, seconds=3)
    resumed = e2e.hooks().patch(hook["id"], {"status": "active"})
    assert resumed.status_code == 200 and resumed.json()["data"]["paused_reason"] is None
    e2e.receiver.statuses[path] = 204
    e2e.emit()
    e2e.receiver.wait_for(lambda _: len(e2e.receiver.on(path)) >= 31)
    _quiet(e2e, path, 31)
    assert e2e.receiver.on(path)[-1].answered == 204


def test_rotation_makes_later_attempts_verify_only_with_the_new_secret(e2e: Env) -> None:
    hook, path = e2e.subscribe("rotate")
    old = hook["signing_secret"]
    secrets: dict[str, str] = {}

    def answer(request: Received) -> int:
        if request.attempt == 1:
            # Rotate before answering: attempt 2 is certainly signed after rotate-secret returned.
            rotated = e2e.hooks().call("POST", f"/v1/webhooks/{hook['id']}/rotate-secret")
            secrets["new"] = rotated.json()["data"]["signing_secret"]
            e2e.receiver.secrets[path] = [secrets["new"]]
            return 500
        return 500 if request.attempt == 2 else 204

    e2e.receiver.statuses[path] = answer
    e2e.emit()
    e2e.receiver.wait_for(lambda _: len(e2e.receiver.on(path)) >= 3, timeout=30)
    _quiet(e2e, path, 3)
    first, *later = e2e.receiver.on(path)
    assert first.verify_error is None  # checked against the old secret when it arrived
    assert [r.attempt for r in later] == [2, 3]
    for request in later:
        assert request.verify_error is None
        assert check_signature(request.body, request.headers["x-42min-webhook-signature"], [old]) is not None
        assert (
            check_signature(request.body, request.headers["x-42min-webhook-signature"], [secrets["new"]])
            is None
        )


def test_two_pats_have_separate_sandboxes_and_both_receive(e2e: Env) -> None:
    first_hook, path = e2e.subscribe("shared")
    second = e2e.hooks("second")
    assert second.call("GET", "/v1/webhooks").json()["data"] == []
    for response in (
        second.get(first_hook["id"]),
        second.patch(first_hook["id"], {"status": "paused"}),
        second.call("DELETE", f"/v1/webhooks/{first_hook['id']}"),
        second.call("POST", f"/v1/webhooks/{first_hook['id']}/rotate-secret"),
        second.call("POST", f"/v1/webhooks/{first_hook['id']}/test"),
        second.call("GET", f"/v1/webhooks/{first_hook['id']}/deliveries"),
    ):
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    duplicate = e2e.hooks().call(
        "POST", "/v1/webhooks", json={"url": e2e.receiver.url(path), "events": ["booking_created"]}
    )
    assert (
        duplicate.status_code == 409
        and duplicate.json()["error"]["details"]["webhook_id"] == first_hook["id"]
    )
    second_hook = second.create(e2e.receiver.url(path))  # same URL, other sandbox: a second subscriber
    e2e.receiver.secrets[path].append(second_hook["signing_secret"])
    assert [w["id"] for w in second.call("GET", "/v1/webhooks").json()["data"]] == [second_hook["id"]]
    event = e2e.emit()
    e2e.receiver.wait_for(lambda _: len(e2e.receiver.on(path)) >= 2)
    _quiet(e2e, path, 2)
    both = e2e.receiver.on(path)
    _verified(both)
    assert len({r.delivery_id for r in both}) == 2
    assert {json.loads(r.body)["id"] for r in both} == {event.event_id}


def test_admin_sees_every_sandbox_and_its_own_subscriptions_deliver(e2e: Env) -> None:
    pat_hook, _ = e2e.subscribe("admin-view")
    path = e2e.path("admin")
    made = e2e.stack.cli(
        "admin",
        "webhook",
        "create",
        "--org",
        "Acme",
        "--url",
        e2e.receiver.url(path),
        "--events",
        "booking_created",
        "--json",
    )
    assert made.returncode == 0, made.stderr
    admin_hook = json.loads(made.stdout)
    try:
        e2e.receiver.secrets[path] = [admin_hook["signing_secret"]]
        listed = e2e.stack.cli("admin", "webhook", "list", "--org", "Acme", "--json")
        assert listed.returncode == 0, listed.stderr
        owners = {v["id"]: v["owner_key"] for v in json.loads(listed.stdout)}
        pat_id = e2e.stack.seed_result["pats"]["full"]["id"]
        assert owners[pat_hook["id"]] == f"pat:{pat_id}:1" and owners[admin_hook["id"]] == "admin"
        assert admin_hook["id"] not in {
            w["id"] for w in e2e.hooks().call("GET", "/v1/webhooks").json()["data"]
        }
        e2e.emit()
        e2e.receiver.wait_for(lambda _: len(e2e.receiver.on(path)) >= 1)
        _verified(e2e.receiver.on(path))
    finally:
        deleted = e2e.stack.cli("admin", "webhook", "delete", admin_hook["id"])
        assert deleted.returncode == 0, deleted.stderr


def test_concurrent_creates_respect_the_duplicate_lock_and_the_limit(e2e: Env) -> None:
    from concurrent.futures import ThreadPoolExecutor

    hooks = e2e.hooks("second")

    def create(url: str) -> httpx.Response:
        return hooks.call("POST", "/v1/webhooks", json={"url": url, "events": ["booking_created"]})

    def remember(responses: list[httpx.Response]) -> None:
        for response in responses:
            if response.status_code == 201:
                e2e.made.append((hooks, response.json()["data"]["id"]))

    same = e2e.receiver.url(e2e.path("race"))
    with ThreadPoolExecutor(max_workers=5) as pool:
        raced = list(pool.map(create, [same] * 5))
    remember(raced)
    assert sorted(r.status_code for r in raced) == [201, 409, 409, 409, 409]
    winner = next(r for r in raced if r.status_code == 201).json()["data"]["id"]
    assert {r.json()["error"]["details"]["webhook_id"] for r in raced if r.status_code == 409} == {winner}

    for _ in range(22):  # 23 in the sandbox now
        remember([create(e2e.receiver.url(e2e.path("fill")))])
    with ThreadPoolExecutor(max_workers=5) as pool:
        last = list(pool.map(create, [e2e.receiver.url(e2e.path("last")) for _ in range(5)]))
    remember(last)
    assert sorted(r.status_code for r in last) == [201, 201, 422, 422, 422]
    assert all(r.json()["error"]["details"] == {"limit": 25} for r in last if r.status_code == 422)
    assert len(hooks.call("GET", "/v1/webhooks").json()["data"]) == 25


def _oauth_token(e2e: Env, credentials: tuple[str, str]) -> str:
    """An access token of the seed's confidential client, consented by `credentials`' user."""
    from urllib.parse import urlencode

    from oauth_support import (
        APP_HTTPS_REDIRECT,
        UserAgent,
        authorize_query,
        basic_auth,
        new_verifier,
        query_of,
    )

    client = e2e.stack.seed_result["oauth_clients"]["app"]
    verifier = new_verifier()
    params = authorize_query(
        client["client_id"], APP_HTTPS_REDIRECT, verifier=verifier, scope="webhooks:read webhooks:write"
    )
    with UserAgent(e2e.stack.base_url) as agent:
        landed = query_of(
            agent.authorize(
                f"{e2e.stack.base_url}/v1/oauth/authorize?{urlencode(params)}", credentials=credentials
            )
        )
    token = e2e.http.post(
        "/v1/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": landed["code"],
            "redirect_uri": APP_HTTPS_REDIRECT,
            "code_verifier": verifier,
        },
        headers=basic_auth(client["client_id"], client["client_secret"]),
    )
    assert token.status_code == 200, token.text
    return token.json()["access_token"]


def test_an_oauth_client_sandbox_is_shared_by_its_tokens_and_hidden_from_pats(e2e: Env) -> None:
    from oauth_support import ADA, GRACE

    by_ada = Hooks(e2e.http, _oauth_token(e2e, ADA), e2e.made)
    by_grace = Hooks(e2e.http, _oauth_token(e2e, GRACE), e2e.made)
    path = e2e.path("oauth")
    hook = by_ada.create(e2e.receiver.url(path))
    # Another user's consent to the same client reaches the same sandbox …
    assert [w["id"] for w in by_grace.call("GET", "/v1/webhooks").json()["data"]] == [hook["id"]]
    # … and no PAT of the organization does.
    pat = e2e.hooks("full")
    assert hook["id"] not in {w["id"] for w in pat.call("GET", "/v1/webhooks").json()["data"]}
    assert pat.get(hook["id"]).status_code == 404
    pat_hook = pat.create(e2e.receiver.url(path))  # the same URL is free in the PAT's sandbox
    assert by_grace.get(pat_hook["id"]).status_code == 404
    e2e.receiver.secrets[path] = [hook["signing_secret"], pat_hook["signing_secret"]]
    e2e.emit()
    e2e.receiver.wait_for(lambda _: len(e2e.receiver.on(path)) >= 2)
    _quiet(e2e, path, 2)
    _verified(e2e.receiver.on(path))


# --- redelivery (55-admin-center §6) -------------------------------------------------------------


def test_a_delivery_is_redelivered_as_a_new_delivery_of_the_same_event(e2e: Env) -> None:
    hook, path = e2e.subscribe("redeliver")
    event = e2e.emit()
    e2e.receiver.wait_for(lambda _: len(e2e.receiver.on(path)) >= 1)
    (first,) = e2e.receiver.on(path)
    hooks = e2e.hooks()
    redeliver = f"/v1/webhooks/{hook['id']}/deliveries/{first.delivery_id}/redeliver"

    e2e.receiver.statuses[path] = 500  # the redelivery keeps retrying (pending) until this changes
    made = hooks.call("POST", redeliver, headers={"Idempotency-Key": "redeliver-1"})
    assert made.status_code == 202, made.text
    data = made.json()["data"]
    assert data["redelivery_of"] == first.delivery_id and data["event"] == "booking_created"
    assert data["status"] == "scheduled" and data["id"] != first.delivery_id
    replay = hooks.call("POST", redeliver, headers={"Idempotency-Key": "redeliver-1"})
    assert replay.status_code == 202 and replay.content == made.content
    assert replay.headers.get("idempotent-replayed") == "true"
    pending = hooks.call("POST", redeliver, headers={"Idempotency-Key": "redeliver-2"})
    assert pending.status_code == 409 and pending.json()["error"]["code"] == "delivery_pending"

    e2e.receiver.statuses[path] = 204
    got = e2e.receiver.wait_for(
        lambda _: any(r.answered == 204 for r in e2e.receiver.on(path)[1:]), timeout=30
    )
    again = [r for r in got if r.path == path and r.answered == 204][-1]
    _verified(e2e.receiver.on(path))
    assert again.delivery_id == data["id"] and again.body == first.body == event.body
    assert json.loads(again.body)["id"] == json.loads(first.body)["id"]  # the same evt_ id
    assert {r.delivery_id for r in e2e.receiver.on(path)} == {first.delivery_id, data["id"]}  # one replay
    logged = {row["id"]: row["redelivery_of"] for row in hooks.rows(hook["id"])}
    assert logged[data["id"]] == first.delivery_id and logged[first.delivery_id] is None

    assert hooks.patch(hook["id"], {"status": "paused"}).status_code == 200
    paused = hooks.call("POST", redeliver, headers={"Idempotency-Key": "redeliver-3"})
    assert paused.status_code == 409 and paused.json()["error"]["code"] == "webhook_paused"
