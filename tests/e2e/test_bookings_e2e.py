"""Bookings over real HTTP against the local stack (30-bookings): error codes and check orders,
the concurrency guarantees of §11.1, reconciliation (§3.1), and the contract's response schemas.

The module runs its own stack (same arguments as the shared one) so that its bookings never
change what other modules' slot checks see; every test books on days of its own.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import jsonschema
import pytest

pytestmark = pytest.mark.e2e

SEED_FILE = Path(__file__).parent / "seed.yaml"
OPENAPI = Path(__file__).resolve().parents[1] / "data" / "reference-openapi.json"
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
LONDON = ZoneInfo("Europe/London")


# --------------------------------------------------------------------------- contract schemas


class Contract:
    """Validates success bodies against the response schemas of the reference OpenAPI document."""

    def __init__(self) -> None:
        self.document = json.loads(OPENAPI.read_text(encoding="utf-8"))
        self.checked = 0

    def validate(self, method: str, route: str, response: httpx.Response) -> None:
        operation = self.document["paths"][route][method.lower()]
        spec = operation["responses"][str(response.status_code)]
        schema = {**spec["content"]["application/json"]["schema"], "components": self.document["components"]}
        jsonschema.validate(response.json(), schema)
        self.checked += 1


ROUTES = (
    ("/v1/bookings/{uid}/reschedule", lambda p: p.endswith("/reschedule")),
    ("/v1/bookings/{uid}/cancel", lambda p: p.endswith("/cancel")),
    ("/v1/bookings/{uid}", lambda p: p.count("/") == 3),
    ("/v1/bookings", lambda p: p == "/v1/bookings"),
)


class Api:
    """An HTTP client for the module's stack that schema-checks every 2xx booking response."""

    def __init__(self, stack: Any, contract: Contract) -> None:
        self.stack = stack
        self.http = httpx.Client(base_url=stack.base_url, timeout=60)
        self.contract = contract
        self.seed = stack.seed_result
        self._keys = itertools.count(1)
        self._days = itertools.count(0)
        self.base_day = datetime.now(UTC).date() + timedelta(days=14)

    def token(self, name: str = "full") -> str:
        return self.seed["pats"][name]["token"]

    def et(self, name: str) -> str:
        return self.seed["event_types"][name]

    def user(self, name: str) -> str:
        return self.seed["users"][name]

    def fresh_day(self) -> date:
        """A weekday of the calling test's own, two weeks ahead and later."""
        while True:
            day = self.base_day + timedelta(days=next(self._days))
            if day.weekday() < 5:
                return day

    @staticmethod
    def london(day: date, hhmm: str) -> str:
        """A wall-clock time in ada's zone as a UTC instant."""
        hour, minute = map(int, hhmm.split(":"))
        local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)
        return local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @staticmethod
    def utc(day: date, hhmm: str) -> str:
        return f"{day.isoformat()}T{hhmm}:00Z"

    def headers(self, token: str = "full", key: str | None = "auto", **extra: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token(token)}"}
        if key is not None:
            headers["Idempotency-Key"] = f"e2e-{time.time_ns()}-{next(self._keys)}" if key == "auto" else key
        headers.update(extra)
        return headers

    def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        response = self.http.request(
            method, path, headers=headers if headers is not None else self.headers(), **kwargs
        )
        if 200 <= response.status_code < 300:
            route = next(r for r, matches in ROUTES if matches(path.split("?")[0]))
            self.contract.validate(method, route, response)
        return response

    def body(self, et: str, start: str, **extra: Any) -> dict[str, Any]:
        return {
            "event_type_id": self.et(et),
            "start": start,
            "attendee": {"email": "bob@example.com", "name": "Bob"},
            **extra,
        }

    def create(self, et: str, start: str, **extra: Any) -> dict[str, Any]:
        response = self.request("POST", "/v1/bookings", json=self.body(et, start, **extra))
        assert response.status_code == 201, response.text
        return response.json()["data"]

    def listing(self, **query: str) -> list[dict[str, Any]]:
        response = self.request(
            "GET", "/v1/bookings", headers=self.headers(key=None), params={"limit": "100", **query}
        )
        assert response.status_code == 200, response.text
        return response.json()["data"]

    def day_listing(self, day: date, **query: str) -> list[dict[str, Any]]:
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return self.listing(
            start_date=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            end_date=(start + timedelta(days=1) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            **query,
        )

    def cli(self, *args: str) -> Any:
        return self.stack.cli(*args)


@pytest.fixture(scope="module")
def contract() -> Iterator[Contract]:
    checker = Contract()
    yield checker
    assert checker.checked > 0


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, contract: Contract) -> Iterator[Api]:
    from harness import Stack

    stack = Stack(*STACK_ARGS, data_dir=tmp_path_factory.mktemp("bookings-e2e") / "data").start()
    client = Api(stack, contract)
    try:
        yield client
    finally:
        client.http.close()
        stack.stop()


def _error(response: httpx.Response) -> tuple[int, str, dict[str, Any]]:
    body = response.json()
    assert set(body) == {"error"}, response.text
    assert body["error"]["request_id"] == response.headers["x-request-id"]
    assert "x-ratelimit-remaining" in response.headers
    return response.status_code, body["error"]["code"], body["error"]["details"]


def _parallel(calls: list[Any]) -> list[Any]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


# --------------------------------------------------------------------------- concurrency (§11.1)


def test_twenty_parallel_creates_on_one_slot_have_exactly_one_winner(api: Api) -> None:
    day = api.fresh_day()
    start = api.london(day, "10:00")
    clients = [httpx.Client(base_url=api.stack.base_url, timeout=60) for _ in range(20)]
    try:
        responses = _parallel(
            [
                (
                    lambda c=c, i=i: c.post(
                        "/v1/bookings",
                        headers=api.headers(),
                        json=api.body("intro", start, attendee={"email": f"p{i}@example.com"}),
                    )
                )
                for i, c in enumerate(clients)
            ]
        )
    finally:
        for c in clients:
            c.close()
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 19, [r.text for r in responses if r.status_code not in (201, 409)]
    for response in responses:
        if response.status_code == 409:
            assert _error(response) == (409, "slot_unavailable", {"reason": "slot_busy"})
        else:
            api.contract.validate("POST", "/v1/bookings", response)
    listed = [b for b in api.day_listing(day) if b["status"] in ("confirmed", "pending")]
    assert len(listed) == 1
    # No two active meetings of ada overlap that day.
    intervals = sorted((b["start_at"], b["end_at"]) for b in listed)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(intervals))


def test_ten_parallel_requests_with_one_key_make_one_booking(api: Api) -> None:
    day = api.fresh_day()
    body = api.body("intro", api.london(day, "11:00"))
    key = f"same-key-{time.time_ns()}"

    def until_done() -> httpx.Response:
        with httpx.Client(base_url=api.stack.base_url, timeout=60) as client:
            for _ in range(100):
                response = client.post("/v1/bookings", headers=api.headers(key=key), json=body)
                if (
                    response.status_code != 409
                    or response.json()["error"]["code"] != "idempotency_in_progress"
                ):
                    return response
                assert response.headers["retry-after"] == "1"
                time.sleep(0.2)  # a client honouring Retry-After would wait 1 s; keep the test quick
        raise AssertionError("never completed")

    responses = _parallel([until_done for _ in range(10)])
    assert [r.status_code for r in responses] == [201] * 10, [r.text for r in responses]
    for response in responses:
        api.contract.validate("POST", "/v1/bookings", response)
    uids = {r.json()["data"]["uid"] for r in responses}
    assert len(uids) == 1
    assert len({r.text for r in responses}) == 1  # replays are byte-for-byte the original
    assert sum(1 for r in responses if r.headers.get("idempotent-replayed") == "true") == 9
    assert len({r.headers["x-request-id"] for r in responses}) == 1
    assert [b["uid"] for b in api.day_listing(day)] == list(uids)


def test_two_parallel_patches_with_one_etag(api: Api) -> None:
    day = api.fresh_day()
    booking = api.create("intro", api.london(day, "12:00"))

    def patch(value: str) -> httpx.Response:
        with httpx.Client(base_url=api.stack.base_url, timeout=60) as client:
            return client.patch(
                f"/v1/bookings/{booking['uid']}",
                headers=api.headers(**{"If-Match": '"1"'}),
                json={"metadata": {"writer": value}},
            )

    responses = _parallel([lambda: patch("a"), lambda: patch("b")])
    assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
    winner = next(r for r in responses if r.status_code == 200)
    loser = next(r for r in responses if r.status_code == 409)
    assert _error(loser) == (409, "version_conflict", {"current_version": 2})
    api.contract.validate("PATCH", "/v1/bookings/{uid}", winner)
    current = api.request("GET", f"/v1/bookings/{booking['uid']}", headers=api.headers(key=None)).json()[
        "data"
    ]
    assert current["version"] == 2 and current["metadata"] == winner.json()["data"]["metadata"]


def test_a_per_day_limit_of_two_under_ten_parallel_creates(api: Api) -> None:
    day = api.fresh_day()
    times = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00", "12:30", "13:00", "13:30"]

    def create(hhmm: str) -> httpx.Response:
        with httpx.Client(base_url=api.stack.base_url, timeout=60) as client:
            return client.post(
                "/v1/bookings", headers=api.headers(), json=api.body("limited", api.utc(day, hhmm))
            )

    responses = _parallel([lambda t=t: create(t) for t in times])
    created = [r for r in responses if r.status_code == 201]
    assert len(created) == 2, [r.text for r in responses]
    for response in created:
        api.contract.validate("POST", "/v1/bookings", response)
    for response in responses:
        if response.status_code != 201:
            status, code, _ = _error(response)
            assert (status, code) in ((409, "slot_unavailable"), (503, "slot_lock_timeout"))
    assert len([b for b in api.day_listing(day) if b["event_type_id"] == api.et("limited")]) == 2


def test_parallel_group_registrations_fill_exactly_the_free_seats(api: Api) -> None:
    day = api.fresh_day()
    start = api.london(day, "14:00")

    def register(i: int) -> httpx.Response:
        with httpx.Client(base_url=api.stack.base_url, timeout=60) as client:
            return client.post(
                "/v1/bookings",
                headers=api.headers(),
                json=api.body("workshop", start, attendee={"email": f"w{i}@example.com"}),
            )

    responses = _parallel([lambda i=i: register(i) for i in range(6)])
    assert sum(r.status_code == 201 for r in responses) == 3, [r.text for r in responses]  # min(n, seats)
    listed = [b for b in api.day_listing(day) if b["status"] == "confirmed"]
    assert len(listed) == 3
    assert len({b["host"]["user_id"] for b in listed}) == 1
    for response in responses:
        if response.status_code != 201:
            assert _error(response)[:2] in ((409, "slot_unavailable"), (503, "slot_lock_timeout"))


# --------------------------------------------------------------------------- reconciliation (§3.1)


def test_reconciliation_with_updated_since_misses_no_update(api: Api) -> None:
    day = api.fresh_day()
    since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    made = [
        api.create("intro", api.london(day, hhmm)) for hhmm in ("09:00", "10:00", "11:00", "12:00", "13:00")
    ]
    ours = {b["uid"] for b in made}
    mirror: dict[str, dict[str, Any]] = {}
    highest = since

    def apply(items: list[dict[str, Any]]) -> None:
        nonlocal highest
        for item in items:
            if item["uid"] not in ours:
                continue
            known = mirror.get(item["uid"])
            if known is None or item["version"] > known["version"]:
                mirror[item["uid"]] = item
            highest = max(highest, item["updated_at"])

    def run(updated_since: str, during_paging: list[Any]) -> None:
        cursor = None
        while True:
            params = {"sort": "updated_at_asc", "updated_since": updated_since, "limit": "2"}
            if cursor:
                params["cursor"] = cursor
            response = api.request("GET", "/v1/bookings", headers=api.headers(key=None), params=params)
            assert response.status_code == 200, response.text
            apply(response.json()["data"])
            if during_paging:
                during_paging.pop(0)()
            if not response.json()["meta"]["has_more"]:
                return
            cursor = response.json()["meta"]["next_cursor"]

    def patch(uid: str, value: int) -> None:
        response = api.request(
            "PATCH",
            f"/v1/bookings/{uid}",
            headers=api.headers(**{"If-Match": "*"}),
            json={"metadata": {"step": value}},
        )
        assert response.status_code == 200

    # Updates land while paging: on items already seen and on items not reached yet.
    run(
        since,
        [
            lambda: patch(made[0]["uid"], 1),
            lambda: patch(made[4]["uid"], 2),
            lambda: api.request("POST", f"/v1/bookings/{made[1]['uid']}/cancel"),
        ],
    )
    late = api.request(
        "POST", f"/v1/bookings/{made[2]['uid']}/reschedule", json={"start": api.london(day, "15:00")}
    ).json()["data"]
    ours.add(late["uid"])
    overlap = datetime.strptime(highest, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC) - timedelta(seconds=60)
    run(overlap.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z", [])
    for uid in ours:
        current = api.request("GET", f"/v1/bookings/{uid}", headers=api.headers(key=None)).json()["data"]
        assert mirror[uid]["version"] == current["version"], uid
        assert mirror[uid]["status"] == current["status"]


# --------------------------------------------------------------------------- errors and check orders


def test_create_error_codes_in_check_order(api: Api) -> None:
    day = api.fresh_day()
    post = "/v1/bookings"
    good = api.body("intro", api.london(day, "10:00"))
    past = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    bad_attendee = {"email": "nope", "phone": "1", "sms_opt_in": True}
    request = api.request

    assert _error(request("POST", post, headers={"Idempotency-Key": "x"}, content=b"{"))[:2] == (
        401,
        "invalid_token",
    )
    assert _error(request("POST", post, headers=api.headers("narrow", key=None), content=b"{"))[:2] == (
        403,
        "insufficient_scope",
    )
    assert _error(request("POST", post, headers=api.headers(key=None), content=b"x" * 70000))[:2] == (
        400,
        "missing_idempotency_key",
    )
    assert _error(request("POST", post, headers=api.headers(key="a" * 256), content=b"{"))[:2] == (
        400,
        "invalid_idempotency_key",
    )
    assert _error(request("POST", post, headers=api.headers(), content=b"{" + b" " * 65536 + b"}"))[:3] == (
        413,
        "payload_too_large",
        {"max_bytes": 65536},
    )
    assert _error(request("POST", post, headers=api.headers(), content=json.dumps(good)))[:2] == (
        415,
        "unsupported_media_type",
    )
    assert _error(
        request("POST", post, headers={**api.headers(), "Content-Type": "application/json"}, content=b"")
    )[:2] == (400, "invalid_request")
    assert _error(
        request("POST", post, headers={**api.headers(), "Content-Type": "application/json"}, content=b"[]")
    )[:2] == (400, "invalid_request")
    invalid = request("POST", post, json={**good, "guests": ["a@b.co", "x"], "start": "tomorrow"})
    assert _error(invalid) == (
        400,
        "validation_error",
        {
            "fields": [
                {"field": "start", "message": "must be an RFC 3339 date-time with a UTC offset"},
                {"field": "guests[1]", "message": "must be a valid email address"},
            ]
        },
    )
    unknown = "019d48ea-2e00-7f28-9fb1-000000000000"
    assert _error(
        request(
            "POST", post, json={**good, "event_type_id": unknown, "start": past, "attendee": bad_attendee}
        )
    )[:2] == (404, "event_type_not_found")
    assert _error(
        request("POST", post, json={**good, "event_type_id": api.et("switched-off"), "start": past})
    )[:2] == (409, "event_type_inactive")
    assert _error(request("POST", post, json={**good, "start": past, "attendee": bad_attendee}))[:2] == (
        409,
        "slot_in_past",
    )
    assert _error(request("POST", post, json={**good, "attendee": bad_attendee})) == (
        422,
        "attendee_email_invalid",
        {},
    )
    assert _error(request("POST", post, json={**good, "attendee": {"email": "b@x.io", "phone": "12"}})) == (
        422,
        "attendee_phone_invalid",
        {},
    )
    assert _error(
        request("POST", post, json={**good, "attendee": {"email": "b@x.io", "sms_opt_in": True}})
    ) == (422, "attendee_phone_required", {})
    survey = {**good, "event_type_id": api.et("survey")}
    status, code, details = _error(request("POST", post, json={**survey, "responses": {"size": "3"}}))
    assert (status, code, details["fields"][0]["field"]) == (400, "validation_error", "responses.size")
    assert _error(request("POST", post, json={**survey, "responses": {"size": 3}})) == (
        422,
        "missing_required_responses",
        {"fields": ["company", "terms"]},
    )
    assert _error(request("POST", post, json={**good, "start": api.london(day, "10:10")})) == (
        409,
        "slot_unavailable",
        {"reason": "slot_busy"},
    )
    far = (datetime.now(UTC) + timedelta(days=400)).strftime("%Y-%m-%dT10:00:00Z")
    assert _error(request("POST", post, json={**good, "start": far})) == (
        409,
        "slot_unavailable",
        {"reason": "outside_future_limit"},
    )
    # The next 10:00 UTC is always less than the notice type's 24 h away (tomorrow's is not before 10:00).
    now = datetime.now(UTC)
    soon = api.utc(now.date() + timedelta(days=0 if now.hour < 10 else 1), "10:00")
    assert _error(request("POST", post, json={**good, "event_type_id": api.et("notice"), "start": soon})) == (
        409,
        "slot_unavailable",
        {"reason": "outside_minimum_notice"},
    )

    # The idempotency record: replay, then conflicts.
    headers = api.headers(key=f"order-{day}")
    created = request("POST", post, headers=headers, json=good)
    assert created.status_code == 201 and created.headers["etag"] == '"1"'
    replay = request("POST", post, headers=headers, json=good)
    assert replay.headers["idempotent-replayed"] == "true" and replay.text == created.text
    assert replay.headers["x-request-id"] == created.headers["x-request-id"]
    assert _error(request("POST", post, headers=headers, json={**good, "metadata": {"x": 1}}))[:2] == (
        409,
        "idempotency_key_conflict",
    )


def test_cancel_reschedule_and_patch_error_codes(api: Api) -> None:
    day = api.fresh_day()
    locked = api.create("locked", api.utc(day, "10:00"))
    old = api.create("intro", api.london(day, "10:00"))
    new = api.request(
        "POST",
        f"/v1/bookings/{old['uid']}/reschedule",
        json={"start": api.london(day, "11:00"), "reason": "Clash"},
    )
    assert new.status_code == 200 and new.headers["etag"] == '"1"'
    new_uid = new.json()["data"]["uid"]
    request = api.request

    # cancel
    assert _error(request("POST", f"/v1/bookings/{new_uid}/cancel", headers=api.headers(key=None)))[1] == (
        "missing_idempotency_key"
    )
    assert _error(request("POST", f"/v1/bookings/{new_uid}/cancel", json={"reason": "r" * 1025}))[1] == (
        "validation_error"
    )
    assert _error(request("POST", "/v1/bookings/not-a-uuid/cancel")) == (404, "booking_not_found", {})
    assert _error(request("POST", f"/v1/bookings/{old['uid']}/cancel")) == (
        409,
        "booking_already_rescheduled",
        {"replaced_by": new_uid},
    )
    assert _error(request("POST", f"/v1/bookings/{locked['uid']}/cancel"))[:2] == (
        422,
        "event_type_disallows_cancel",
    )
    canceled = request("POST", f"/v1/bookings/{new_uid}/cancel", json={"reason": "Postponed"})
    assert canceled.status_code == 200 and canceled.headers["etag"] == '"2"'
    again = request("POST", f"/v1/bookings/{new_uid}/cancel")
    assert again.status_code == 200 and again.json()["data"]["version"] == 2

    # reschedule
    target = {"start": api.london(day, "14:00")}
    assert _error(request("POST", f"/v1/bookings/{new_uid}/reschedule", json=target))[:2] == (
        409,
        "booking_already_cancelled",
    )
    assert _error(request("POST", f"/v1/bookings/{old['uid']}/reschedule", json=target)) == (
        409,
        "booking_already_rescheduled",
        {"replaced_by": new_uid},
    )
    assert _error(request("POST", f"/v1/bookings/{locked['uid']}/reschedule", json=target))[:2] == (
        422,
        "event_type_disallows_reschedule",
    )
    pending = api.create("confirm", api.london(day, "15:00"))
    assert pending["status"] == "pending"
    assert api.cli("admin", "event-type", "toggle", api.et("confirm"), "--off").returncode == 0
    try:
        assert _error(request("POST", f"/v1/bookings/{pending['uid']}/reschedule", json=target))[:2] == (
            409,
            "event_type_inactive",
        )
    finally:
        assert api.cli("admin", "event-type", "toggle", api.et("confirm"), "--on").returncode == 0
    past = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _error(request("POST", f"/v1/bookings/{pending['uid']}/reschedule", json={"start": past}))[:2] == (
        409,
        "slot_in_past",
    )
    assert _error(
        request("POST", f"/v1/bookings/{pending['uid']}/reschedule", json={"start": api.london(day, "16:45")})
    ) == (409, "slot_unavailable", {"reason": "slot_busy"})

    # PATCH
    path = f"/v1/bookings/{pending['uid']}"
    match = {"If-Match": '"1"'}
    assert _error(request("PATCH", path, headers=api.headers(), json={"metadata": {}}))[:2] == (
        428,
        "missing_if_match",
    )
    assert _error(request("PATCH", path, headers=api.headers(**{"If-Match": '"1", "2"'}), json={}))[:2] == (
        400,
        "invalid_if_match",
    )
    assert _error(
        request("PATCH", path, headers=api.headers(**match), json={"status": "x", "start": "y"})
    ) == (422, "field_immutable", {"fields": ["status", "start"]})
    assert _error(request("PATCH", path, headers=api.headers(**match), json={"note": 1})) == (
        400,
        "validation_error",
        {"fields": [{"field": "", "message": "nothing to update"}]},
    )
    assert _error(request("PATCH", "/v1/bookings/nope", headers=api.headers(**match), json={"metadata": {}}))[
        :2
    ] == (404, "booking_not_found")
    assert _error(
        request("PATCH", path, headers=api.headers(**{"If-Match": "7"}), json={"metadata": {}})
    ) == (409, "version_conflict", {"current_version": 1})
    patched = request(
        "PATCH",
        path,
        headers=api.headers(**{"If-Match": 'W/"1"'}),
        json={"attendee_name": "  Robert  ", "metadata": {"stage": "demo"}},
    )
    assert patched.status_code == 200 and patched.headers["etag"] == '"2"'
    assert patched.json()["data"]["attendees"][0]["name"] == "Robert"

    # GET and the list
    got = request("GET", f"/v1/bookings/{pending['uid']}", headers=api.headers(key=None))
    assert got.headers["etag"] == '"2"' and got.json()["data"]["responses"] == {}
    assert _error(request("GET", "/v1/bookings/NOPE", headers=api.headers(key=None))) == (
        404,
        "booking_not_found",
        {},
    )
    assert _error(
        request("GET", "/v1/bookings", headers=api.headers(key=None), params={"limit": "0", "sort": "x"})
    ) == (400, "invalid_query_param", {"param": "limit"})
    assert _error(request("GET", "/v1/bookings", headers=api.headers("narrow", key=None)))[:2] == (
        403,
        "insufficient_scope",
    )


def test_rate_limit_and_no_show_command(api: Api, start_stack: Any) -> None:
    limited = start_stack("--rate-limits", "pat=2")
    token = limited.seed_result["pats"]["full"]["token"]
    with httpx.Client(base_url=limited.base_url, timeout=60) as client:
        codes = [client.get("/v1/bookings", headers={"Authorization": f"Bearer {token}"}) for _ in range(3)]
    assert [r.status_code for r in codes] == [200, 200, 429]
    assert _error(codes[2])[1] == "rate_limited" and "retry-after" in codes[2].headers

    day = api.fresh_day()
    booking = api.create("intro", api.london(day, "16:00"))
    early = api.cli("admin", "booking", "no-show", booking["uid"])
    assert early.returncode == 1 and "not started" in early.stderr
    missing = api.cli("admin", "booking", "no-show", "019d0000-0000-7000-8000-000000000000")
    assert missing.returncode == 1 and "no booking" in missing.stderr
