"""Fixtures of the OAuth integration tests: a seeded organization with two clients."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from fortytwo.config import reset_settings
from fortytwo_local.seed import apply_seed
from tests.integration.oauth.flow import SEED, Browser


@pytest.fixture
def seeded(moto_env: None) -> dict[str, Any]:
    return apply_seed(SEED)


@pytest.fixture
def app_client(seeded: dict[str, Any]) -> dict[str, str]:
    return seeded["oauth_clients"]["app"]


@pytest.fixture
def cli_client(seeded: dict[str, Any]) -> dict[str, str]:
    return seeded["oauth_clients"]["cli"]


@pytest.fixture
def browser(invoke: Any) -> Browser:
    return Browser(invoke)


@pytest.fixture
def limits() -> Iterator[Any]:
    """Set FORTYTWO_RATE_LIMITS for one test."""

    def apply(spec: str) -> None:
        os.environ["FORTYTWO_RATE_LIMITS"] = spec
        reset_settings()

    yield apply
    os.environ.pop("FORTYTWO_RATE_LIMITS", None)
    reset_settings()


@pytest.fixture
def dcr_disabled() -> Iterator[None]:
    os.environ["FORTYTWO_OAUTH_DCR_ENABLED"] = "false"
    reset_settings()
    yield
    os.environ["FORTYTWO_OAUTH_DCR_ENABLED"] = "true"
    reset_settings()
