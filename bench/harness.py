"""Shared bench plumbing: an in-process moto account built like the tests', and DynamoDB call counting."""

from __future__ import annotations

import os
import platform
import statistics
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "system": platform.system(),
        # Other sessions share the machine: wall-clock figures are only as good as this was low.
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


@contextmanager
def moto_account() -> Iterator[None]:
    """The integration tests' isolated account, with every rate-limit bucket lifted and quiet logs:
    benchmarks measure the request path, not the limiter's verdict."""
    from tests.support import aws

    os.environ["FORTYTWO_RATE_LIMITS"] = aws.lifted_rate_limits()
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    with aws.moto_account():
        yield


class CallCounter:
    """Counts DynamoDB API calls made through the shared layer's clients (botocore event hooks)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        from fortytwo.store import dynamo

        for client in (dynamo.client(), dynamo.fast_client()):
            client.meta.events.register("before-call.dynamodb.*", self._hook)

    def _hook(self, model: Any, **_: Any) -> None:
        self.calls[model.name] += 1

    def reset(self) -> None:
        self.calls.clear()

    @property
    def total(self) -> int:
        return sum(self.calls.values())


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)

    return {
        "n": len(ordered),
        "p50_ms": pick(0.5),
        "p99_ms": pick(0.99),
        "mean_ms": round(statistics.fmean(ordered), 3),
    }
