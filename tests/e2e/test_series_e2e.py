"""Series over real HTTP against the local stack (35-series §4.3): races never double-book, and
the series' booking and `series.*` events reach a subscriber (§12).

The module runs its own stack (same arguments as the bookings module) so its meetings never change
what other modules see.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for `tests.…`
from tests.integration.webhooks.receiver import Receiver  # noqa: E402

pytestmark = pytest.mark.e2e

SEED_FILE = Path(__file__).parent / "seed.yaml"
RATE_LIMITS = ",".join(f"{bucket}=100000" for bucket in ("pat", "oauth", "anonymous"))
LONDON = ZoneInfo("Europe/London")


class Api:
    def __init__(self, stack: Any) -> None:
        self.stack = stack
        self.http = httpx.Client(base_url=stack.base_url, timeout=120)
        self.seed = stack.seed_result
        self._keys = itertools.count(1)
        self._weeks = itertools.count(3)

    def headers(self, key: bool = True) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.seed['pats']['series']['token']}"}
        if key:
            headers["Idempotency-Key"] = f"series-e2e-{time.time_ns()}-{next(self._keys)}"
        return headers

    def fresh_tuesday(self) -> date:
        """A Tuesday of the calling test's own, three weeks ahead and later."""
        today = datetime.now(LONDON).date()
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(weeks=next(self._weeks) * 6, days=1)

    def series_body(self, starts_on: date, **extra: Any) -> dict[str, Any]:
        return {
            "event_type_id": self.seed["event_types"]["intro"],
            "host_user_id": self.seed["users"]["ada"],
            "attendee": {"email": "bob@example.com", "name": "Bob"},
            "frequency": "weekly",
            "weekdays": ["tue"],
            "time": "11:00",
            "timezone": "Europe/London",
            "starts_on": starts_on.isoformat(),
            "count": 4,
            **extra,
        }

    def create_series(self, body: dict[str, Any]) -> httpx.Response:
        return self.http.post("/v1/series", headers=self.headers(), json=body)

    def meetings_of_ada(self, first: date, weeks: int) -> list[dict[str, Any]]:
        start = datetime(first.year, first.month, first.day, tzinfo=UTC)
        response = self.http.get(
            "/v1/bookings",
            headers=self.headers(key=False),
            params={
                "limit": "100",
                "host_user_id": self.seed["users"]["ada"],
                "start_date": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "end_date": (start + timedelta(weeks=weeks)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "include_cancelled": "false",
            },
        )
        assert response.status_code == 200, response.text
        return list(response.json()["data"])


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    from harness import Stack

    stack = Stack(
        "--seed",
        str(SEED_FILE),
        "--allow-insecure-webhooks",
        "--rate-limits",
        RATE_LIMITS,
        data_dir=tmp_path_factory.mktemp("series-e2e") / "data",
    ).start()
    client = Api(stack)
    try:
        yield client
    finally:
        client.http.close()
        stack.stop()


def _parallel(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def _no_overlap(meetings: list[dict[str, Any]]) -> None:
    spans = sorted((m["start_at"], m["end_at"]) for m in meetings)
    for (_, end), (next_start, _) in itertools.pairwise(spans):
        assert end <= next_start, spans


def test_two_identical_series_at_once_never_double_book(api: Api) -> None:
    first = api.fresh_tuesday()
    body = api.series_body(first)
    responses = _parallel([lambda: api.create_series(body), lambda: api.create_series(body)])
    assert [r.status_code for r in responses] == [201, 201], [r.text for r in responses]
    series = [r.json()["data"] for r in responses]
    meetings = api.meetings_of_ada(first, 5)
    _no_overlap(meetings)
    # Every date is held by exactly one of the two series; the other skipped it as host_busy.
    for index in range(4):
        states = sorted(s["occurrences"][index]["state"] for s in series)
        assert states == ["booked", "skipped"], [s["occurrences"][index] for s in series]
        reasons = {s["occurrences"][index]["reason"] for s in series}
        assert reasons == {None, "host_busy"}
    assert len(meetings) == 4
    assert {m["series_id"] for m in meetings} <= {s["uid"] for s in series}


def test_a_single_booking_racing_a_series_on_one_slot_has_one_winner(api: Api) -> None:
    first = api.fresh_tuesday()
    body = api.series_body(first, count=1)
    local = datetime(first.year, first.month, first.day, 11, 0, tzinfo=LONDON)
    start = local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    booking = {
        "event_type_id": api.seed["event_types"]["intro"],
        "start": start,
        "attendee": {"email": "carol@example.com", "name": "Carol"},
    }
    series_response, booking_response = _parallel(
        [
            lambda: api.create_series(body),
            lambda: api.http.post("/v1/bookings", headers=api.headers(), json=booking),
        ]
    )
    assert series_response.status_code == 201, series_response.text
    occurrence = series_response.json()["data"]["occurrences"][0]
    if booking_response.status_code == 201:
        assert (occurrence["state"], occurrence["reason"]) == ("skipped", "host_busy")
    else:
        assert booking_response.status_code == 409, booking_response.text
        assert booking_response.json()["error"]["code"] == "slot_unavailable"
        assert occurrence["state"] == "booked"
    meetings = api.meetings_of_ada(first, 1)
    assert len(meetings) == 1
    _no_overlap(meetings)


def test_series_and_meeting_events_are_delivered(api: Api) -> None:
    receiver = Receiver().start()
    try:
        hook = api.http.post(
            "/v1/webhooks",
            headers=api.headers(key=False),
            json={
                "url": receiver.url("/series"),
                "events": ["booking_created", "series_created", "series_ended"],
            },
        )
        assert hook.status_code == 201, hook.text
        receiver.secrets["/series"] = [hook.json()["data"]["signing_secret"]]
        made = api.create_series(api.series_body(api.fresh_tuesday(), count=2))
        assert made.status_code == 201, made.text
        uid = made.json()["data"]["uid"]
        ended = api.http.post(f"/v1/series/{uid}/end", headers=api.headers())
        assert ended.status_code == 200, ended.text

        def mine(got: list[Any]) -> list[dict[str, Any]]:
            bodies = [r.json() for r in got if r.verify_error is None]
            return [
                b
                for b in bodies
                if (b["data"].get("series") or {}).get("uid") == uid
                or (b["data"].get("booking") or {}).get("series_id") == uid
            ]

        got = receiver.wait_for(lambda got: len(mine(got)) >= 4, timeout=60)
        events = mine(got)
        assert sorted(e["event"] for e in events) == [
            "booking.created",
            "booking.created",
            "series.created",
            "series.ended",
        ]
        meetings = [e["data"]["booking"] for e in events if e["event"] == "booking.created"]
        assert sorted(m["series_index"] for m in meetings) == [1, 2]
        series_ended = next(e for e in events if e["event"] == "series.ended")
        assert series_ended["data"]["canceled"] == 2 and series_ended["data"]["series"]["status"] == "ended"
    finally:
        receiver.stop()
