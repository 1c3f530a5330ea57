"""Create-booking and list-bookings latency and DynamoDB calls (in-process handler, moto).

Creates book distinct 30-minute slots of the seed's `intro-call` (ada, Mon–Fri 09:00–17:00 London),
so every request runs the full path: auth, rate limit, idempotency reservation, event type, hosts
and schedules, the host's ledger days, the host's user, and the one commit transaction. Lists
read the default first page (20 items, newest start first) of the organization's bookings.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench.harness import CallCounter, moto_account, percentiles

BUDGET = {"create": 8, "list_page": 4}
LONDON = ZoneInfo("Europe/London")


def _slots(first_day: date) -> Iterator[str]:
    """Every grid start of ada's working hours, from `first_day` on."""
    day = first_day
    while True:
        if day.weekday() < 5:
            for half_hours in range(16):
                local = datetime(day.year, day.month, day.day, 9, tzinfo=LONDON) + timedelta(
                    minutes=30 * half_hours
                )
                yield local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        day += timedelta(days=1)


def run(creates: int = 500, lists: int = 500) -> dict[str, Any]:
    from fortytwo_local.seed import apply_seed
    from tests.support import aws
    from tests.support.seed_docs import e2e_seed

    with moto_account():
        seed = apply_seed(e2e_seed())
        token = seed["pats"]["full"]["token"]
        event_type_id = seed["event_types"]["intro"]
        handler = aws.function_module("bookings").handler
        starts = _slots(datetime.now(UTC).date() + timedelta(days=2))
        numbers = iter(range(10**9))

        def create() -> dict[str, Any]:
            event = aws.http_event(
                "POST",
                "/v1/bookings",
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"bench-{next(numbers)}"},
                body={
                    "event_type_id": event_type_id,
                    "start": next(starts),
                    "attendee": {"email": "bench@example.com", "name": "Bench"},
                    "responses": {"company": "Bench Ltd"},
                },
            )
            response = handler(event, aws.LambdaContext())
            assert response["statusCode"] == 201, response.get("body")
            return response

        list_event = aws.http_event("GET", "/v1/bookings", headers={"Authorization": f"Bearer {token}"})

        def list_page() -> dict[str, Any]:
            response = handler(list_event, aws.LambdaContext())
            assert response["statusCode"] == 200, response.get("body")
            return response

        counter = CallCounter()
        create()  # warm: pepper, imports, the PAT's last_used_at
        counter.reset()
        create()
        create_calls = dict(counter.calls)
        create_samples = []
        for _ in range(creates):
            started = time.perf_counter()
            create()
            create_samples.append((time.perf_counter() - started) * 1000)

        list_page()
        counter.reset()
        list_page()
        list_calls = dict(counter.calls)
        list_samples = []
        for _ in range(lists):
            started = time.perf_counter()
            list_page()
            list_samples.append((time.perf_counter() - started) * 1000)

    return {
        "create": {
            "dynamodb_calls": sum(create_calls.values()),
            "by_operation": create_calls,
            "budget": BUDGET["create"],
            "latency": percentiles(create_samples),
        },
        "list_page": {
            "dynamodb_calls": sum(list_calls.values()),
            "by_operation": list_calls,
            "budget": BUDGET["list_page"],
            "bookings_in_table": creates + 2,
            "latency": percentiles(list_samples),
        },
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
