"""Series handlers against moto: the e2e seed and the bookings tests' frozen clock (Monday
2026-05-18 08:00Z, the `now` of 35-series §6.4)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import Invoker, Response

# The bookings tests' module fixtures: one moto account per module, the frozen clock reset per test.
from tests.integration.bookings.conftest import (
    NOW,
    FrozenClock,
    _clock_back_to_now,
    frozen,
    module_moto,
)
from tests.unit.series.test_series_examples import CREATE

__all__ = ["NOW", "FrozenClock", "SeriesApi", "_clock_back_to_now", "frozen", "module_moto"]


@dataclass
class SeriesApi:
    invoke: Invoker
    seed: dict[str, Any]
    clock: FrozenClock
    keys: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def et(self, name: str) -> str:
        return str(self.seed["event_types"][name])

    def user(self, name: str) -> str:
        return str(self.seed["users"][name])

    def headers(self, token: str = "series", key: str | None = "auto", **extra: str) -> dict[str, str]:
        headers = {"authorization": f"Bearer {self.seed['pats'][token]['token']}"}
        if key is not None:
            headers["idempotency-key"] = f"series-key-{next(self.keys)}" if key == "auto" else key
        headers.update(extra)
        return headers

    def call(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> Response:
        path, _, query = path.partition("?")
        return self.invoke("series", method, path, headers=headers or self.headers(), query=query, **kwargs)

    def bookings(self, method: str, path: str, **kwargs: Any) -> Response:
        path, _, query = path.partition("?")
        return self.invoke("bookings", method, path, headers=self.headers(), query=query, **kwargs)

    def body(self, **extra: Any) -> dict[str, Any]:
        """The §6.4 create body (Ada, Bob, Mon+Wed 10:00 Berlin from Wednesday 2026-05-20, 4 times)."""
        body: dict[str, Any] = {
            **CREATE,  # the unit tests' §6.4 body, with this seed's ids
            "event_type_id": self.et("intro"),
            "host_user_id": self.user("ada"),
        }
        body.update(extra)
        return body

    def create(self, expect: int = 201, **extra: Any) -> dict[str, Any]:
        response = self.call("POST", "/v1/series", body=self.body(**extra))
        assert response.status == expect, response.text
        return response.json()["data"]

    def get(self, uid: str) -> Response:
        return self.call("GET", f"/v1/series/{uid}", headers=self.headers(key=None))


@pytest.fixture(scope="module")
def api(module_moto: None, frozen: FrozenClock) -> SeriesApi:
    from fortytwo_local.seed import apply_seed
    from tests.support.seed_docs import e2e_seed

    return SeriesApi(Invoker(), apply_seed(e2e_seed()), frozen)


def outbox() -> list[dict[str, Any]]:
    """Every outbox envelope, oldest first."""
    import boto3

    from fortytwo.store import dynamo

    items = boto3.client("dynamodb").scan(TableName=dynamo.table_name())["Items"]
    events = [json.loads(i["body"]["S"]) for i in items if i["pk"]["S"].startswith("OUTBOX#")]
    return sorted(events, key=lambda e: (e["createdAt"], e["id"]))
