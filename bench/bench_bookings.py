"""Create-booking and list-bookings latency and DynamoDB calls (in-process handler, moto).

Creates book distinct 30-minute slots of the seed's `intro-call` (ada, Mon–Fri 09:00–17:00 London),
so every request runs the full path: auth, rate limit, idempotency reservation, event type, hosts
and schedules, the host's ledger days, the host's user, and the one commit transaction. Lists
read the default first page (20 items, newest start first) of an organization with
`LIST_TABLE_BOOKINGS` bookings.

Two artefacts of the emulator are kept out of the numbers, because DynamoDB has neither:

- moto keeps every stream record and deep-copies the whole table, stream included, once per item
  of every TransactWriteItems, so a transaction's cost grows with everything ever written. The
  bench table is the template's table (keys, indexes) without the stream;
- even without the stream that copy grows with the table, so creates run in batches of
  `CREATE_BATCH` on a freshly seeded account: every measured create sees a table of the same
  modest size instead of one that grows through the run.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3

from bench.harness import CallCounter, moto_account, percentiles

BUDGET = {"create": 8, "list_page": 4}
CREATE_BATCH = 25
LIST_TABLE_BOOKINGS = 100
LONDON = ZoneInfo("Europe/London")


def _slots(first_day: date) -> Iterator[str]:
    """Every grid start of ada's working hours, from `first_day` on."""
    day = first_day
    while True:
        if day.weekday() < 5:
            for half_hours in range(16):
                local = datetime(day.year, day.month, day.day, 9, tzinfo=LONDON)
                yield (
                    (local + timedelta(minutes=30 * half_hours))
                    .astimezone(UTC)
                    .strftime("%Y-%m-%dT%H:%M:%SZ")
                )
        day += timedelta(days=1)


def _recreate_table_without_stream(name: str) -> None:
    """The template's table (keys, indexes) without its stream."""
    from tests.support import aws

    ddb = boto3.client("dynamodb")
    ddb.delete_table(TableName=name)
    props = aws.load_template()["Resources"]["Table"]["Properties"]
    ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=props["AttributeDefinitions"],
        KeySchema=props["KeySchema"],
        GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
    )


class _Account:
    """A seeded organization in the current moto account, and its two requests."""

    def __init__(self) -> None:
        from fortytwo_local.seed import apply_seed
        from tests.support import aws
        from tests.support.seed_docs import e2e_seed

        _recreate_table_without_stream(aws.ENV["FORTYTWO_TABLE_NAME"])
        seed = apply_seed(e2e_seed())
        self.aws = aws
        self.token = seed["pats"]["full"]["token"]
        self.event_type_id = seed["event_types"]["intro"]
        self.handler = aws.function_module("bookings").handler
        self.starts = _slots(datetime.now(UTC).date() + timedelta(days=2))
        self.numbers = iter(range(10**9))
        self.list_event = aws.http_event(
            "GET", "/v1/bookings", headers={"Authorization": f"Bearer {self.token}"}
        )

    def create(self) -> None:
        event = self.aws.http_event(
            "POST",
            "/v1/bookings",
            headers={
                "Authorization": f"Bearer {self.token}",
                "Idempotency-Key": f"bench-{next(self.numbers)}",
            },
            body={
                "event_type_id": self.event_type_id,
                "start": next(self.starts),
                "attendee": {"email": "bench@example.com", "name": "Bench"},
                "responses": {"company": "Bench Ltd"},
            },
        )
        response = self.handler(event, self.aws.LambdaContext())
        assert response["statusCode"] == 201, response.get("body")

    def list_page(self) -> None:
        response = self.handler(self.list_event, self.aws.LambdaContext())
        assert response["statusCode"] == 200, response.get("body")


def _timed(call: Callable[[], None], times: int) -> list[float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _calls(call: Callable[[], None]) -> dict[str, int]:
    counter = CallCounter()
    call()  # warm: pepper, imports, the PAT's last_used_at
    counter.reset()
    call()
    return dict(counter.calls)


def run(creates: int = 500, lists: int = 500) -> dict[str, Any]:
    # Metrics print their EMF lines on stdout, as in Lambda; keep this module's stdout for the JSON.
    with contextlib.redirect_stdout(io.StringIO()):
        return _measure(creates, lists)


def _measure(creates: int, lists: int) -> dict[str, Any]:
    create_calls: dict[str, int] = {}
    create_samples: list[float] = []
    while len(create_samples) < creates:
        with moto_account():
            account = _Account()
            if not create_calls:
                create_calls = _calls(account.create)
            else:
                account.create()  # warm this account's PAT
            create_samples += _timed(account.create, min(CREATE_BATCH, creates - len(create_samples)))

    with moto_account():
        account = _Account()
        for _ in range(LIST_TABLE_BOOKINGS):
            account.create()
        list_calls = _calls(account.list_page)
        list_samples = _timed(account.list_page, lists)

    return {
        "create": {
            "dynamodb_calls": sum(create_calls.values()),
            "by_operation": create_calls,
            "budget": BUDGET["create"],
            "table": f"fresh seed + at most {CREATE_BATCH + 1} bookings per batch",
            "latency": percentiles(create_samples),
        },
        "list_page": {
            "dynamodb_calls": sum(list_calls.values()),
            "by_operation": list_calls,
            "budget": BUDGET["list_page"],
            "bookings_in_table": LIST_TABLE_BOOKINGS,
            "latency": percentiles(list_samples),
        },
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
