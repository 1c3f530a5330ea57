"""Booking handlers against moto: the e2e seed, a frozen clock, and small request helpers.

One moto account and one seed per test module (creating the table and seeding cost seconds);
tests stay independent by booking on a day of their own (`Api.fresh_day()`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fortytwo.domain import clock
from tests.conftest import Invoker, Response

NOW = datetime(2026, 5, 18, 8, 0, tzinfo=UTC)  # a Monday; London is on BST (UTC+1)
WEDNESDAY = "2026-05-20"


class FrozenClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)


@pytest.fixture(scope="module")
def frozen() -> Iterator[FrozenClock]:
    frozen_clock = FrozenClock(NOW)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", frozen_clock)
        yield frozen_clock


@pytest.fixture(autouse=True)
def _clock_back_to_now(frozen: FrozenClock) -> None:
    frozen.now = NOW


@pytest.fixture(scope="module")
def module_moto() -> Iterator[None]:
    """`tests/conftest.py::moto_env`, once per module."""
    from tests.support import aws

    with aws.moto_account():
        yield


@dataclass
class Api:
    """The seeded organization and helpers for the bookings function."""

    invoke: Invoker
    seed: dict[str, Any]
    clock: FrozenClock
    keys: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    days: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def fresh_day(self) -> str:
        """A weekday of its own for the calling test (Tuesday 19 May 2026 on)."""
        while True:
            day = (NOW + timedelta(days=next(self.days))).date()
            if day.weekday() < 5:
                return day.isoformat()

    def at(self, day: str, time: str) -> str:
        return f"{day}T{time}:00Z"

    def token(self, name: str = "full") -> str:
        return self.seed["pats"][name]["token"]

    def et(self, name: str) -> str:
        return self.seed["event_types"][name]

    def user(self, name: str) -> str:
        return self.seed["users"][name]

    def new_key(self) -> str:
        return f"key-{next(self.keys)}"

    def headers(self, token: str = "full", key: str | None = "auto", **extra: str) -> dict[str, str]:
        headers = {"authorization": f"Bearer {self.token(token)}"}
        if key is not None:
            headers["idempotency-key"] = self.new_key() if key == "auto" else key
        headers.update(extra)
        return headers

    def call(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> Response:
        return self.invoke("bookings", method, path, headers=headers or self.headers(), **kwargs)

    def create_body(
        self, et: str = "intro", start: str = f"{WEDNESDAY}T10:00:00Z", **extra: Any
    ) -> dict[str, Any]:
        """A valid create body (the default start is only for checks that fail before booking)."""
        body: dict[str, Any] = {
            "event_type_id": self.et(et),
            "start": start,
            "attendee": {"email": "bob@example.com", "name": "Bob Builder"},
        }
        body.update(extra)
        return body

    def create(self, et: str, start: str, *, expect: int = 201, **extra: Any) -> dict[str, Any]:
        response = self.call("POST", "/v1/bookings", body=self.create_body(et, start, **extra))
        assert response.status == expect, response.text
        return response.json()

    def get(self, uid: str) -> dict[str, Any]:
        response = self.call("GET", f"/v1/bookings/{uid}", headers=self.headers(key=None))
        assert response.status == 200, response.text
        return response.json()["data"]


@pytest.fixture(scope="module")
def api(module_moto: None, frozen: FrozenClock) -> Api:
    from fortytwo_local.seed import apply_seed
    from tests.support.seed_docs import e2e_seed

    return Api(Invoker(), apply_seed(e2e_seed()), frozen)


def outbox_events() -> list[dict[str, Any]]:
    """Every booking event's envelope in the outbox, oldest first."""
    import json

    import boto3

    from fortytwo.store import dynamo

    items = boto3.client("dynamodb").scan(TableName=dynamo.table_name())["Items"]
    events = [json.loads(i["body"]["S"]) for i in items if i["pk"]["S"].startswith("OUTBOX#")]
    events = [e for e in events if "booking" in e["data"]]
    return sorted(events, key=lambda e: (e["createdAt"], e["id"]))
