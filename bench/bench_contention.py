"""Contention on one host (issue 18 goal 3): parallel creates of distinct, non-overlapping slots.

Each round books 8 distinct 30-minute slots on a fresh day from 8 threads at once, through the real
bookings handler (auth, rate limit, idempotency, availability read, one commit transaction):

- `host_day`: `intro-call`, one host (ada), 8 back-to-back half hours of one morning, so pairs of
  meetings share a busy-hour item;
- `round_robin`: `sales-demo` of the Sales team (ada, grace), 8 half hours across both members' day;
- `one_slot`: 20 threads on ONE slot of `intro-call` (exactly one may win, the rest get 409).

moto applies each AWS call atomically here (tests/support/aws.py serialises them, as DynamoDB applies
each call atomically), so lost races are real: a commit conditional on something a concurrent
commit changed fails and is retried (at most 3 attempts, then 503 `slot_lock_timeout`).
Figures: 503s (budget 0 for distinct slots), double bookings (budget 0), creates/s of the round's
wall time, and DynamoDB calls per successful create (retries included; budget 8 for a one-host event
type; a round-robin team reads one ledger per member, so `sales-demo` (2 members) needs 8 without
any retry). `lost_races` counts commits that lost a race and were retried (TransactWriteItems
beyond one per create) when every request wins. moto serialises the calls and copies its table on
every transaction, so creates/s compares runs on this machine; it is no AWS figure.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench.harness import CallCounter, moto_account

CLIENTS = 8
RACERS = 20
ROUNDS = 5
BUDGET = {"slot_lock_timeout_distinct": 0, "double_bookings": 0, "calls_per_create": 8}
LONDON = ZoneInfo("Europe/London")


def _weekdays(first: date) -> Any:
    day = first
    while True:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


def _utc(day: date, hour: int, minute: int, zone: ZoneInfo | None = None) -> str:
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone or UTC)
    return local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Account:
    def __init__(self) -> None:
        from bench.bench_bookings import _recreate_table_without_stream
        from fortytwo_local.seed import apply_seed
        from tests.support import aws
        from tests.support.seed_docs import e2e_seed

        _recreate_table_without_stream(aws.ENV["FORTYTWO_TABLE_NAME"])
        self.seed = apply_seed(e2e_seed())
        self.aws = aws
        self.handler = aws.function_module("bookings").handler
        self.numbers = iter(range(10**9))

    def create(self, et: str, start: str) -> tuple[int, str]:
        number = next(self.numbers)
        event = self.aws.http_event(
            "POST",
            "/v1/bookings",
            headers={
                "Authorization": f"Bearer {self.seed['pats']['full']['token']}",
                "Idempotency-Key": f"contention-{number}",
            },
            body={
                "event_type_id": self.seed["event_types"][et],
                "start": start,
                "attendee": {"email": f"c{number}@example.com", "name": "Contender"},
            },
        )
        response = self.handler(event, self.aws.LambdaContext())
        code = ""
        if response["statusCode"] >= 400:
            import json

            code = json.loads(response["body"])["error"]["code"]
        return response["statusCode"], code


def _round(account: _Account, et: str, starts: list[str]) -> tuple[list[tuple[int, str]], float]:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(starts)) as pool:
        results = list(pool.map(lambda start: account.create(et, start), starts))
    return results, time.perf_counter() - started


def _scenario(account: _Account, counter: CallCounter, et: str, rounds: list[list[str]]) -> dict[str, Any]:
    counter.reset()
    outcomes: Counter[str] = Counter()
    wall = 0.0
    winners_per_round = []
    for starts in rounds:
        results, seconds = _round(account, et, starts)
        wall += seconds
        outcomes.update(str(status) if not code else f"{status} {code}" for status, code in results)
        winners_per_round.append(sum(1 for status, _ in results if status == 201))
    created = outcomes["201"]
    return {
        "requests": sum(outcomes.values()),
        "outcomes": dict(sorted(outcomes.items())),
        "slot_lock_timeout": outcomes["503 slot_lock_timeout"],
        "creates_per_s": round(created / wall, 2) if wall else 0.0,
        "dynamodb_calls_per_create": round(counter.total / created, 2) if created else None,
        "dynamodb_calls_per_request": round(counter.total / sum(outcomes.values()), 2),
        # Every request commits once when all win: TransactWriteItems beyond that lost a race.
        "lost_races": counter.calls["TransactWriteItems"] - created,
        "by_operation": dict(sorted(counter.calls.items())),
        "winners_per_round": winners_per_round,
    }


def run() -> dict[str, Any]:
    with moto_account():
        account = _Account()
        counter = CallCounter()
        days = _weekdays(datetime.now(UTC).date() + timedelta(days=2))
        host_day = [
            [_utc(next(days), 9 + n // 2, 30 * (n % 2), LONDON) for n in range(CLIENTS)]
            for _ in range(ROUNDS)
        ]
        round_robin = [
            [_utc(next(days), 12 + n // 2, 30 * (n % 2)) for n in range(CLIENTS)] for _ in range(ROUNDS)
        ]
        one_slot = [[_utc(next(days), 10, 0, LONDON)] * RACERS for _ in range(ROUNDS)]
        result = {
            "clients": CLIENTS,
            "rounds": ROUNDS,
            "host_day": _scenario(account, counter, "intro", host_day),
            "round_robin": _scenario(account, counter, "sales-demo", round_robin),
            "one_slot": _scenario(account, counter, "intro", one_slot),
        }
    one = result["one_slot"]
    one["lost_races"] = None  # losers that read after the winner never commit: not comparable
    result["double_bookings"] = sum(max(0, w - 1) for w in one["winners_per_round"])
    result["slot_lock_timeout_distinct"] = (
        result["host_day"]["slot_lock_timeout"] + result["round_robin"]["slot_lock_timeout"]
    )
    result["budget"] = BUDGET
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
