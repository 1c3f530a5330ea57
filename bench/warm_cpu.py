"""Warm CPU per request with AWS stubbed, against a bare FastAPI+Mangum app making the same calls
(issue 18, goal 2: `_ping` ≤ 2× the bare app in the same run; get-booking and create-booking
reported the same way).

What is measured is our own Python: the AWS SDK is taken out of both sides. Each scenario is first
run once through moto (warm: pepper, imports, the PAT's `last_used_at`), recording every DynamoDB
call the request makes and its answer; from then on the two shared clients' `_make_api_call`
replays those answers in order (and fails if the request asks for anything else), so neither
botocore's serialisation, its HTTP nor moto is in the numbers.

The domain clock is held at the recording's time while replaying, so every replay takes the
recorded decisions (the PAT's `last_used_at` is touched once a minute, not on every request).

- **ours**: the function's real Lambda handler (Mangum, Powertools logger/metrics, our middleware,
  bearer guard, rate limiter, the service, the response), at the template's log level (`INFO`:
  one access-log record per request), its output sent to /dev/null;
- **bare**: `FastAPI()` + `Mangum(lifespan="off")` with one route per scenario that makes the same
  calls through the same clients with the same parameters, reads the JSON body of a POST, and
  returns the same response body as JSON.

The two are timed alternately, request by request, on identical events, in CPU time
(`time.process_time`, all threads: the thread pool counts) rather than wall time, because other
sessions share this machine. The figure (`ratio`) is the median over `requests` pairs (after
`warmup`) of ours / bare within the pair: neighbours' load drifts, and a pair sees the same
moment. The medians of each side and their ratio are recorded beside it.

    python -m bench.warm_cpu [--requests N] [--profile SCENARIO]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request  # at module level: FastAPI resolves the bare route's annotation

BUDGET_RATIO = 2.0
DEFAULT_REQUESTS = 2000
WARMUP = 200
LogLevel = "INFO"  # the template's default LogLevel

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass
class Call:
    client: int  # index into the shared clients
    operation: str
    params: dict[str, Any]
    response: dict[str, Any] | None = None
    error: BaseException | None = None


@dataclass
class Scenario:
    name: str
    handler: Handler
    event: Callable[[], dict[str, Any]]  # a fresh event per request (POSTs need a new key)
    status: int
    warm: bool = True  # one unrecorded request first (pepper, last_used_at, lazy imports)
    calls: list[Call] = field(default_factory=list)
    body: Any = None


class Replay:
    """Records the DynamoDB calls of one request through moto, then answers them from the record."""

    def __init__(self) -> None:
        from fortytwo.store import dynamo

        self.clients = [dynamo.client(), dynamo.fast_client()]
        self._real = [c._make_api_call for c in self.clients]
        self._script: list[Call] = []
        self._position = 0

    @contextlib.contextmanager
    def recording(self, into: list[Call]) -> Iterator[None]:
        for index, client in enumerate(self.clients):
            client._make_api_call = self._recorder(index, into)
        try:
            yield
        finally:
            self._restore()

    def _recorder(self, index: int, into: list[Call]) -> Callable[[str, dict[str, Any]], Any]:
        real = self._real[index]

        def record(operation: str, params: dict[str, Any]) -> Any:
            call = Call(index, operation, params)
            into.append(call)
            try:
                call.response = real(operation, params)
            except Exception as exc:
                call.error = exc
                raise
            return call.response

        return record

    @contextlib.contextmanager
    def replaying(self) -> Iterator[None]:
        for index, client in enumerate(self.clients):
            client._make_api_call = self._answerer(index)
        try:
            yield
        finally:
            self._restore()

    def script(self, calls: list[Call]) -> None:
        self._script, self._position = calls, 0

    def done(self) -> None:
        if self._position != len(self._script):
            raise AssertionError(f"the request made {self._position} of {len(self._script)} recorded calls")

    def _answerer(self, index: int) -> Callable[[str, dict[str, Any]], Any]:
        def answer(operation: str, params: dict[str, Any]) -> Any:
            if self._position >= len(self._script):
                raise AssertionError(f"unrecorded call {operation}")
            call = self._script[self._position]
            if (call.client, call.operation) != (index, operation):
                raise AssertionError(f"expected {call.operation}, the request made {operation}")
            self._position += 1
            if call.error is not None:
                raise call.error
            return call.response

        return answer

    def _restore(self) -> None:
        for client, real in zip(self.clients, self._real, strict=True):
            client._make_api_call = real


def bare_handler(scenarios: list[Scenario], replay: Replay) -> Handler:
    """The framework floor: FastAPI + Mangum, the same calls and the same JSON out, nothing else."""
    from botocore import xform_name
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse
    from mangum import Mangum

    app = FastAPI()

    def route(scenario: Scenario) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> JSONResponse:
            if request.method == "POST":
                await request.json()
            for call in scenario.calls:
                getattr(replay.clients[call.client], xform_name(call.operation))(**call.params)
            return JSONResponse(scenario.body, status_code=scenario.status)

        return endpoint

    for scenario in scenarios:
        event = scenario.event()
        app.add_api_route(
            event["rawPath"], route(scenario), methods=[event["requestContext"]["http"]["method"]]
        )
    return Mangum(app, lifespan="off")


def _scenarios() -> list[Scenario]:
    from fortytwo_local.seed import apply_seed
    from tests.support import aws
    from tests.support.seed_docs import e2e_seed

    seed = apply_seed(e2e_seed())
    token = seed["pats"]["full"]["token"]
    auth = {"Authorization": f"Bearer {token}"}
    meta = aws.function_module("meta").handler
    bookings = aws.function_module("bookings").handler
    numbers = iter(range(10**9))
    start = (datetime.now(UTC) + timedelta(days=7)).replace(hour=10, minute=0, second=0, microsecond=0)
    while start.weekday() >= 5:
        start += timedelta(days=1)

    def create_event() -> dict[str, Any]:
        return aws.http_event(
            "POST",
            "/v1/bookings",
            headers={**auth, "Idempotency-Key": f"warm-{next(numbers)}"},
            body={
                "event_type_id": seed["event_types"]["intro"],
                "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "attendee": {"email": "bench@example.com", "name": "Bench"},
                "responses": {"company": "Bench Ltd"},
            },
        )

    first = bookings(create_event(), aws.LambdaContext())  # also warms the create path
    assert first["statusCode"] == 201, first.get("body")
    uid = json.loads(first["body"])["data"]["uid"]
    start += timedelta(minutes=30)  # the recorded (and replayed) create books the next slot
    return [
        Scenario("_ping", meta, lambda: aws.http_event("GET", "/v1/_ping", headers=auth), 200),
        Scenario(
            "get-booking", bookings, lambda: aws.http_event("GET", f"/v1/bookings/{uid}", headers=auth), 200
        ),
        Scenario("create-booking", bookings, create_event, 201, warm=False),
    ]


def _record(scenario: Scenario, replay: Replay) -> None:
    from tests.support import aws

    if scenario.warm:
        scenario.handler(scenario.event(), aws.LambdaContext())
    with replay.recording(scenario.calls):
        response = scenario.handler(scenario.event(), aws.LambdaContext())
    assert response["statusCode"] == scenario.status, response.get("body")
    scenario.body = json.loads(response["body"])


@contextlib.contextmanager
def _clock_stopped() -> Iterator[None]:
    """The domain clock held at the recording's time: a replayed request must decide what the
    recorded one decided (after a minute the PAT's `last_used_at` would be due again, an extra call)."""
    from fortytwo.domain import clock

    real = clock.now
    frozen = real()
    clock.now = lambda: frozen
    try:
        yield
    finally:
        clock.now = real


def _cpu(call: Callable[[], Any]) -> float:
    started = time.process_time()
    call()
    return (time.process_time() - started) * 1e6


def _quiet_logs() -> contextlib.AbstractContextManager[Any]:
    """Powertools writes to the stdout it saw at construction: point its handler at /dev/null."""
    from fortytwo.observability import logger

    handler = logger.registered_handler
    sink = open(os.devnull, "w")  # noqa: SIM115 - closed by the exit stack

    stack = contextlib.ExitStack()
    stack.callback(sink.close)
    previous = handler.setStream(sink)
    stack.callback(lambda: handler.setStream(previous))
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))  # metrics' EMF lines
    return stack


def measure(scenario: Scenario, bare: Handler, replay: Replay, requests: int) -> dict[str, Any]:
    from tests.support import aws

    ours_us: list[float] = []
    bare_us: list[float] = []
    for n in range(WARMUP + requests):
        event, bare_event = scenario.event(), scenario.event()
        replay.script(scenario.calls)
        ours = _cpu(lambda: _check(scenario.handler(event, aws.LambdaContext()), scenario.status))  # noqa: B023
        replay.done()
        replay.script(scenario.calls)
        floor = _cpu(lambda: _check(bare(bare_event, aws.LambdaContext()), scenario.status))  # noqa: B023
        replay.done()
        if n >= WARMUP:
            ours_us.append(ours)
            bare_us.append(floor)
    ours_median, bare_median = statistics.median(ours_us), statistics.median(bare_us)
    pair_ratio = statistics.median(o / b for o, b in zip(ours_us, bare_us, strict=True))
    return {
        "calls_per_request": len(scenario.calls),
        "ours_us_median": round(ours_median, 1),
        "bare_us_median": round(bare_median, 1),
        "ratio": round(pair_ratio, 2),
        "ratio_of_medians": round(ours_median / bare_median, 2),
    }


def _check(response: dict[str, Any], status: int) -> None:
    if response["statusCode"] != status:
        raise AssertionError(f"{response['statusCode']}: {response.get('body')}")


def run(requests: int = DEFAULT_REQUESTS, profile: str | None = None) -> dict[str, Any]:
    from bench.harness import moto_account

    with moto_account():
        os.environ["POWERTOOLS_LOG_LEVEL"] = LogLevel
        with _quiet_logs():
            scenarios = _scenarios()
            replay = Replay()
            for scenario in scenarios:
                _record(scenario, replay)
            bare = bare_handler(scenarios, replay)
            with replay.replaying(), _clock_stopped():
                if profile:
                    return _profile(next(s for s in scenarios if s.name == profile), replay, requests)
                results = {s.name: measure(s, bare, replay, requests) for s in scenarios}
    ping = results["_ping"]
    return {
        "how": "AWS calls replayed from a moto recording; CPU time per request; median; alternating",
        "requests": requests,
        "log_level": LogLevel,
        "budget_ratio": BUDGET_RATIO,
        "scenarios": results,
        "within_budget": ping["ratio"] <= BUDGET_RATIO,
    }


def _profile(scenario: Scenario, replay: Replay, requests: int) -> dict[str, Any]:
    import cProfile
    import pstats

    from tests.support import aws

    profiler = cProfile.Profile()
    for _ in range(requests):
        event = scenario.event()
        replay.script(scenario.calls)
        profiler.enable()
        scenario.handler(event, aws.LambdaContext())
        profiler.disable()
        replay.done()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(40)
    print(out.getvalue(), file=sys.stderr)
    return {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Warm CPU per request vs a bare FastAPI+Mangum app.")
    parser.add_argument("--requests", type=int, default=DEFAULT_REQUESTS)
    parser.add_argument("--profile", help="cProfile one scenario (_ping, get-booking, create-booking)")
    args = parser.parse_args(argv)
    result = run(args.requests, args.profile)
    print(json.dumps(result, indent=2))
    return 0 if result.get("within_budget", True) else 1


if __name__ == "__main__":
    sys.exit(main())
