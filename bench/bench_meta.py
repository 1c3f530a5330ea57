"""DynamoDB calls and handler latency for `GET /v1/_ping` and `GET /v1/me` (in-process, moto)."""

from __future__ import annotations

import json
import time
from typing import Any

from bench.harness import CallCounter, moto_account, percentiles

BUDGET = {"/v1/_ping": 2, "/v1/me": 3}


def run(requests: int = 300) -> dict[str, Any]:
    from fortytwo_local.seed import apply_seed, demo_seed
    from tests.support import aws

    results: dict[str, Any] = {}
    with moto_account():
        token = apply_seed(demo_seed())["pats"]["demo"]["token"]
        handler = aws.function_module("meta").handler
        counter = CallCounter()
        for path in BUDGET:
            event = aws.http_event("GET", path, headers={"Authorization": f"Bearer {token}"})
            handler(event, aws.LambdaContext())  # warm: pepper, last_used_at
            counter.reset()
            handler(event, aws.LambdaContext())
            calls = dict(counter.calls)
            samples = []
            for _ in range(requests):
                started = time.perf_counter()
                handler(event, aws.LambdaContext())
                samples.append((time.perf_counter() - started) * 1000)
            results[path] = {
                "dynamodb_calls": sum(calls.values()),
                "by_operation": calls,
                "budget": BUDGET[path],
                "latency": percentiles(samples),
            }
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
