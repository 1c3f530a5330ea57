"""Shared fixtures: an isolated moto account with the template's table, and handler invocation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from tests.support import aws

aws.set_env()

# Timing is measured in bench/, never asserted: Hypothesis' deadline and too-slow health check
# fail correct code on a loaded 2-core machine (a CI rehearsal tripped one at load 12).
settings.register_profile("no-timing", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("no-timing")


@pytest.fixture
def moto_env() -> Iterator[None]:
    with aws.moto_account():
        yield


class Invoker:
    """Calls a function's real Lambda handler with API Gateway v2 events."""

    def __call__(self, group: str, method: str, path: str, **kwargs: Any) -> Response:
        module = aws.function_module(group)
        raw = module.handler(aws.http_event(method, path, **kwargs), aws.LambdaContext())
        return Response(raw)


class Response:
    def __init__(self, raw: dict[str, Any]) -> None:
        import base64

        self.raw = raw
        self.status = raw["statusCode"]
        self.headers = {k.lower(): v for k, v in (raw.get("headers") or {}).items()}
        body = raw.get("body") or ""
        self.text = base64.b64decode(body).decode() if raw.get("isBase64Encoded") else body

    def json(self) -> Any:
        return json.loads(self.text)


@pytest.fixture
def invoke(moto_env: None) -> Invoker:
    return Invoker()
