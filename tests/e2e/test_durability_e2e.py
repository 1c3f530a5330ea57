"""The local stack never loses an acknowledged write (issue 17 §3): four clients create bookings,
the stack is killed with SIGKILL mid-load and restarted on the same data dir. Every acknowledged
booking is there, every idempotency replay answers exactly what was first answered (and a request
cut off by the kill makes at most one booking), and no webhook announced a booking that does not
exist."""

from __future__ import annotations

import itertools
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for `tests.…`
from tests.integration.webhooks.receiver import Receiver  # noqa: E402

pytestmark = pytest.mark.e2e

CLIENTS = 4
KILL_AFTER = 12  # acknowledged bookings before the kill (the clients are still writing then)
MAX_LOAD_S = 25.0
LONDON = ZoneInfo("Europe/London")


@dataclass
class Attempt:
    key: str
    body: dict[str, Any]
    status: int | None = None  # None: no answer (the kill cut it off)
    text: str = ""


@dataclass
class Load:
    slots: Any
    lock: threading.Lock = field(default_factory=threading.Lock)
    attempts: list[Attempt] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def next_slot(self) -> str:
        with self.lock:
            return str(next(self.slots))


def _slots(first: date) -> Any:
    """Every 30-minute start of ada's working hours (09:00-17:00 London), weekdays, from `first`."""
    for offset in itertools.count():
        day = first + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for minutes in range(9 * 60, 17 * 60, 30):
            local = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=LONDON)
            yield local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _client_loop(base_url: str, token: str, event_type: str, load: Load, number: int) -> None:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        for n in itertools.count():
            if load.stop.is_set():
                return
            attempt = Attempt(
                key=f"durable-{number}-{n}-{time.time_ns()}",
                body={
                    "event_type_id": event_type,
                    "start": load.next_slot(),
                    "attendee": {"email": f"client{number}@example.com", "name": f"Client {number}"},
                },
            )
            with load.lock:
                load.attempts.append(attempt)
            while True:  # `slot_lock_timeout` asks for a retry with the same key
                try:
                    response = http.post(
                        "/v1/bookings",
                        json=attempt.body,
                        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": attempt.key},
                    )
                except httpx.HTTPError:
                    return  # the stack is gone
                attempt.status, attempt.text = response.status_code, response.text
                if '"slot_lock_timeout"' not in response.text or load.stop.is_set():
                    break


def test_sigkill_mid_load_loses_no_acknowledged_write(start_stack: Any) -> None:
    receiver = Receiver().start()
    stack = start_stack()
    token = stack.pat("full")
    event_type = stack.seed_result["event_types"]["intro"]
    auth = {"Authorization": f"Bearer {token}"}
    try:
        with stack.client() as http:
            hook = http.post(
                "/v1/webhooks",
                json={"url": receiver.url("/durable"), "events": ["booking_created"]},
                headers=auth,
            )
            assert hook.status_code == 201, hook.text
        load = Load(_slots(datetime.now(UTC).date() + timedelta(days=3)))
        threads = [
            threading.Thread(target=_client_loop, args=(stack.base_url, token, event_type, load, i))
            for i in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + MAX_LOAD_S
        while time.monotonic() < deadline and sum(a.status == 201 for a in list(load.attempts)) < KILL_AFTER:
            time.sleep(0.05)
        stack.kill()  # SIGKILL while the clients are mid-request
        load.stop.set()
        for thread in threads:
            thread.join(timeout=30)

        created = [a for a in load.attempts if a.status == 201]
        # No answer (cut off by the kill), or "busy, retry with the same key" when the load stopped.
        cut_off = [a for a in load.attempts if a.status is None or '"slot_lock_timeout"' in a.text]
        unexpected = [a.text for a in load.attempts if a not in created and a not in cut_off]
        assert not unexpected, unexpected[:3]
        assert len(created) >= KILL_AFTER, f"too little load before the kill: {len(created)} bookings"
        print(f"\n{len(created)} bookings acknowledged, {len(cut_off)} request(s) cut off by SIGKILL")

        # Restart on the same data dir (without --seed: the seed is part of the saved state).
        stack.extra_args = [a for a in stack.extra_args if a != "--seed" and not a.endswith("seed.yaml")]
        stack.start()
        with stack.client() as http:
            # Every acknowledged booking exists, and a replay answers byte for byte what was answered.
            for attempt in created:
                uid = json.loads(attempt.text)["data"]["uid"]
                found = http.get(f"/v1/bookings/{uid}", headers=auth)
                assert found.status_code == 200, (uid, found.text)
                replay = http.post(
                    "/v1/bookings", json=attempt.body, headers={**auth, "Idempotency-Key": attempt.key}
                )
                assert replay.status_code == 201 and replay.text == attempt.text, attempt.key
                assert replay.headers["idempotent-replayed"] == "true"
            # A request the kill cut off made at most one booking: its retry makes or replays it.
            # (Its reservation, durable too, holds the key until the dead invocation's time is up.)
            retried = []
            for attempt in cut_off:
                give_up = time.monotonic() + 35
                while True:
                    retry = http.post(
                        "/v1/bookings", json=attempt.body, headers={**auth, "Idempotency-Key": attempt.key}
                    )
                    if '"idempotency_in_progress"' not in retry.text or time.monotonic() > give_up:
                        break
                    time.sleep(float(retry.headers.get("retry-after", "1")))
                assert retry.status_code == 201, retry.text
                retried.append(retry.json()["data"]["uid"])
            expected = {json.loads(a.text)["data"]["uid"] for a in created} | set(retried)
            listed = _all_bookings(http, auth, event_type)
            assert expected <= listed and len(listed) == len(expected)  # no duplicate from a retry

            # Webhooks: let pending deliveries go out, then every announced booking must exist.
            time.sleep(3.0)
            announced = {
                r.json()["data"]["booking"]["id"]
                for r in receiver.on("/durable")
                if r.event == "booking.created"
            }
            assert announced, "no webhook delivered at all"
            assert announced <= listed, sorted(announced - listed)[:5]
    finally:
        receiver.stop()


def _all_bookings(http: httpx.Client, auth: dict[str, str], event_type: str) -> set[str]:
    uids: set[str] = set()
    params: dict[str, str] = {"limit": "100", "event_type_id": event_type}
    while True:
        page = http.get("/v1/bookings", params=params, headers=auth)
        assert page.status_code == 200, page.text
        body = page.json()
        uids.update(b["uid"] for b in body["data"])
        if not body["meta"]["has_more"]:
            return uids
        cursor = body["meta"]["next_cursor"]
        params = {"limit": "100", "event_type_id": event_type, "cursor": cursor}
