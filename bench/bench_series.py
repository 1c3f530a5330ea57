"""A 42-occurrence weekly series create (the longest series 35-series allows): DynamoDB calls per
meeting and wall time, in-process handler on moto (the bookings bench's stream-less table)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.bench_bookings import _recreate_table_without_stream
from bench.harness import CallCounter, moto_account

COUNT = 42


def _create(
    aws: Any, handler: Any, token: str, seed: dict[str, Any], weekday: str, key: str
) -> dict[str, Any]:
    event = aws.http_event(
        "POST",
        "/v1/series",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
        body={
            "event_type_id": seed["event_types"]["intro"],
            "host_user_id": seed["users"]["ada"],
            "attendee": {"email": "bench@example.com", "name": "Bench"},
            "frequency": "weekly",
            "weekdays": [weekday],
            "time": "11:00",
            "timezone": "Europe/London",
            "starts_on": (datetime.now(UTC).date() + timedelta(days=7)).isoformat(),
            "count": COUNT,
        },
    )
    response = handler(event, aws.LambdaContext())
    assert response["statusCode"] == 201, response.get("body")
    return dict(json.loads(response["body"])["data"])


def run() -> dict[str, Any]:
    with moto_account():
        from fortytwo_local.seed import apply_seed
        from tests.support import aws
        from tests.support.seed_docs import e2e_seed

        _recreate_table_without_stream(aws.ENV["FORTYTWO_TABLE_NAME"])
        seed = apply_seed(e2e_seed())
        token = seed["pats"]["series"]["token"]
        handler = aws.function_module("series").handler
        _create(aws, handler, token, seed, "tue", "warm")  # imports, pepper, PAT
        counter = CallCounter()
        started = time.perf_counter()
        made = _create(aws, handler, token, seed, "wed", "measured")  # other days: every meeting books
        wall_ms = (time.perf_counter() - started) * 1000
        calls = dict(counter.calls)
        booked = sum(1 for o in made["occurrences"] if o["state"] == "booked")
    total = sum(calls.values())
    return {
        "series_create_42": {
            "calls": calls,
            "calls_total": total,
            "booked": booked,
            "calls_per_meeting": round(total / COUNT, 2),
            "wall_ms_moto": round(wall_ms),
        }
    }
