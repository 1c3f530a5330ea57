"""DynamoDB calls (and time) per `GET /v1/slots` for the issue's bench case, against moto in-process.

Case: a round robin event type of a 3-member team, 15-minute increments, a 31-day window, and 600
existing bookings in the hosts' busy ledgers. Calls are counted with botocore `before-call` hooks on
every DynamoDB client of the store (the main one and the rate limiter's fast one), so
authentication and the rate-limit counter are included. Budget: ≤ 4 + H calls for H hosts.

    python -m bench.bench_slots_api        # prints one JSON document
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

HOSTS = 3
BOOKINGS = 600
WINDOW_DAYS = 31
INCREMENT_MINUTES = 15
MEASURED_REQUESTS = 5
NOW = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
WINDOW_START = datetime(2026, 6, 1, tzinfo=UTC)
ZONES = ("Europe/London", "America/New_York", "Asia/Tokyo")


def _seed_document() -> dict[str, Any]:
    weekly = dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), ["08:00-12:00", "13:00-18:00"])
    users = [
        {
            "username": f"host{i}",
            "email": f"host{i}@bench.test",
            "first_name": f"Host {i}",
            "timezone": ZONES[i],
            "role": "owner" if i == 0 else "user",
            "schedule": {"timezone": ZONES[i], "weekly": weekly},
        }
        for i in range(HOSTS)
    ]
    return {
        "organization": {"name": "Bench Co"},
        "users": users,
        "teams": [{"name": "Round robin", "members": [u["username"] for u in users]}],
        "event_types": [
            {
                "key": "rr",
                "team": "Round robin",
                "slug": "rr",
                "title": "Round robin",
                "scheduling_type": "collective",
                "duration_minutes": 30,
                "slot_increment_minutes": INCREMENT_MINUTES,
                "minimum_notice_minutes": 0,
                "future_limit_days": 60,
                "buffer_before_minutes": 5,
                "buffer_after_minutes": 5,
            },
            {
                "key": "intro",
                "owner": "host0",
                "slug": "intro",
                "title": "Intro",
                "minimum_notice_minutes": 0,
            },
        ],
        "pats": [
            {"key": "bench", "user": "host0", "name": "bench", "scopes": ["slots:read", "event_types:read"]}
        ],
    }


def _fill_ledgers(host_ids: list[str], event_type_id: str) -> None:
    """600 non-overlapping 30-minute meetings, spread over the window's working days."""
    from fortytwo.store import ledger

    rng = random.Random(42)
    per_host = BOOKINGS // len(host_ids)
    by_host: dict[str, list[ledger.LedgerEntry]] = defaultdict(list)
    for host_index, host_id in enumerate(host_ids):
        taken: set[datetime] = set()
        while len(taken) < per_host:
            day = WINDOW_START + timedelta(days=rng.randrange(WINDOW_DAYS))
            start = day + timedelta(hours=7 + host_index * 3 + rng.randrange(12) / 2)
            if start in taken:
                continue
            taken.add(start)
            entry = ledger.LedgerEntry(
                key=f"bk-{host_index}-{len(taken)}",
                event_type_id=event_type_id,
                start=start,
                end=start + timedelta(minutes=30),
                created_at=NOW - timedelta(days=rng.randrange(20)),
                buffer_before=5,
                buffer_after=5,
            )
            by_host[host_id].append(entry)
    for host_id, entries in by_host.items():
        ledger.put_entries(host_id, entries)


def _measure(token: str, event_type_id: str) -> dict[str, Any]:
    from fortytwo.domain import clock
    from tests.support import aws

    calls, stop = _counted_calls()
    module = aws.function_module("slots")
    end = WINDOW_START + timedelta(days=WINDOW_DAYS)
    query = {
        "event_type_id": event_type_id,
        "start": WINDOW_START.isoformat().replace("+00:00", "Z"),
        "end": end.isoformat().replace("+00:00", "Z"),
    }
    real_now = clock.now
    clock.now = lambda: NOW  # type: ignore[assignment]
    try:
        per_request: list[Counter[str]] = []
        latencies, slots = [], 0
        for _ in range(MEASURED_REQUESTS + 1):
            calls.clear()
            event = aws.http_event(
                "GET", "/v1/slots", headers={"Authorization": f"Bearer {token}"}, query=query
            )
            started = time.perf_counter()
            response = module.handler(event, aws.LambdaContext())
            latencies.append((time.perf_counter() - started) * 1000)
            assert response["statusCode"] == 200, response.get("body")
            slots = len(json.loads(response["body"])["data"]["slots"])
            per_request.append(Counter(calls))
    finally:
        clock.now = real_now  # type: ignore[assignment]
        stop()
    first, steady = per_request[0], per_request[1:]
    steady_total = max(sum(c.values()) for c in steady)
    return {
        "hosts": HOSTS,
        "bookings": BOOKINGS,
        "window_days": WINDOW_DAYS,
        "increment_minutes": INCREMENT_MINUTES,
        "slots_returned": slots,
        "dynamodb_calls_per_request": steady_total,
        "dynamodb_calls_by_operation": dict(steady[-1]),
        "dynamodb_calls_first_request": sum(first.values()),
        "first_request_note": "the first request also writes the PAT last_used_at (once per throttle window)",
        "budget": 4 + HOSTS,
        "within_budget": steady_total <= 4 + HOSTS,
        "handler_ms_median_moto": round(statistics.median(latencies[1:]), 1),
    }


def _counted_calls() -> tuple[Counter[str], Any]:
    """A counter of DynamoDB operations fed by every client of the store, and its unregister."""
    from fortytwo.store import dynamo

    calls: Counter[str] = Counter()

    def count(event_name: str, **_: Any) -> None:
        calls[event_name.rsplit(".", 1)[-1]] += 1

    clients = {id(c): c for c in (dynamo.client(), dynamo.fast_client())}.values()
    for dynamo_client in clients:
        dynamo_client.meta.events.register("before-call.dynamodb.*", count)

    def stop() -> None:
        for dynamo_client in clients:
            dynamo_client.meta.events.unregister("before-call.dynamodb.*", count)

    return calls, stop


def _api_calls(token: str, event_type_id: str) -> dict[str, int]:
    """Steady-state DynamoDB calls (auth and rate limit included) of the other scheduling reads."""
    from fortytwo.domain import clock
    from tests.support import aws

    start = (NOW + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    requests = {
        "GET /v1/event-types": ("event_types", "/v1/event-types", {}, None),
        "GET /v1/event-types/{id}": ("event_types", f"/v1/event-types/{event_type_id}", {}, event_type_id),
        "GET /v1/event-types/{username%2Fslug}": (
            "event_types",
            "/v1/event-types/host0%2Fintro",
            {},
            "host0/intro",
        ),
        "GET /v1/slots/check": (
            "slots",
            "/v1/slots/check",
            {"event_type_id": event_type_id, "start": start},
            None,
        ),
    }
    calls, stop = _counted_calls()
    real_now = clock.now
    clock.now = lambda: NOW  # type: ignore[assignment]
    found: dict[str, int] = {}
    try:
        for name, (function, path, query, decoded) in requests.items():
            module = aws.function_module(function)
            for _ in range(2):  # the second request is the steady state (no PAT last_used_at write)
                calls.clear()
                params = {"idOrSlug": decoded} if decoded is not None else None
                event = aws.http_event(
                    "GET",
                    path,
                    headers={"Authorization": f"Bearer {token}"},
                    query=query,
                    path_parameters=params,
                )
                response = module.handler(event, aws.LambdaContext())
                assert response["statusCode"] == 200, response.get("body")
            found[name] = sum(calls.values())
    finally:
        clock.now = real_now  # type: ignore[assignment]
        stop()
    return found


def _engine_ms(record: dict[str, Any]) -> float:
    from fortytwo.domain.scheduling import compute_slots
    from fortytwo.store import availability

    end = WINDOW_START + timedelta(days=WINDOW_DAYS)
    inputs = availability.load_inputs(record, now=NOW, window_start=WINDOW_START, window_end=end)
    timings = []
    for _ in range(10):
        started = time.perf_counter()
        compute_slots(inputs.rules, inputs.hosts, inputs.bookings, now=NOW, start=WINDOW_START, end=end)
        timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings), 2)


def run() -> dict[str, Any]:
    from tests.support import aws

    aws.set_env()
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from moto import mock_aws

    with mock_aws():
        aws.reset_caches()
        aws.create_table(aws.ENV["FORTYTWO_TABLE_NAME"])
        aws.put_pepper(aws.ENV["FORTYTWO_PEPPER_PARAM"])
        aws.reset_caches()
        from fortytwo.store import event_types
        from fortytwo_local.seed import apply_seed

        result = apply_seed(_seed_document())
        event_type_id = result["event_types"]["rr"]
        host_ids = [result["users"][f"host{i}"] for i in range(HOSTS)]
        _fill_ledgers(host_ids, event_type_id)
        report = _measure(result["pats"]["bench"]["token"], event_type_id)
        report["api_calls"] = _api_calls(result["pats"]["bench"]["token"], result["event_types"]["intro"])
        record = event_types.get(result["organization_id"], event_type_id)
        assert record is not None
        report["engine_ms_median"] = _engine_ms(record)
    aws.reset_caches()
    return report


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
