"""End-to-end fixtures: the local stack over HTTP (see harness.py).

- `stack`: one stack per test session (per xdist worker), seeded with tests/e2e/seed.yaml,
  insecure webhooks allowed, retry schedule 0,1,2,3,4,5 s, rate limits out of the way.
- `start_stack(*extra_args, bare=False, data_dir=None)`: a stack of the test's own, stopped at
  teardown. It gets the same defaults unless `bare=True`; later flags win, so
  `start_stack("--rate-limits", "pat=3")` is the default stack with a small PAT limit.

Every test under tests/e2e is marked `e2e`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from browser_support import browser_factory, callback, chromium  # noqa: E402, F401 - browser tests' fixtures
from harness import Stack  # noqa: E402

from tests.support import aws  # noqa: E402

SEED_FILE = Path(__file__).parent / "seed.yaml"
RATE_LIMITS = aws.lifted_rate_limits(100000)
E2E_ARGS = (
    "--seed",
    str(SEED_FILE),
    "--allow-insecure-webhooks",
    "--webhook-retry-schedule",
    "0,1,2,3,4,5",
    "--rate-limits",
    RATE_LIMITS,
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    started = Stack(*E2E_ARGS, data_dir=tmp_path_factory.mktemp("e2e-stack") / "data").start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def start_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Stack]]:
    started: list[Stack] = []

    def start(*extra_args: str, bare: bool = False, data_dir: str | Path | None = None) -> Stack:
        args = extra_args if bare else (*E2E_ARGS, *extra_args)
        new = Stack(*args, data_dir=data_dir or tmp_path_factory.mktemp("e2e-own-stack") / "data")
        started.append(new)
        return new.start()

    try:
        yield start
    finally:
        for each in started:
            each.stop()
