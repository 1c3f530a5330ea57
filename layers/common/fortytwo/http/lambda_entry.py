"""Wraps a FastAPI app into a Lambda handler: Mangum + Powertools logger (+ tracer when on)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from mangum import Mangum

from fortytwo.observability import capture_lambda_handler, logger

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def make_handler(app: Any) -> Handler:
    adapter = Mangum(app, lifespan="off")

    def invoke(event: dict[str, Any], context: Any) -> dict[str, Any]:
        try:
            asyncio.get_event_loop()
        except RuntimeError:  # a worker thread of the local stack has no loop yet
            asyncio.set_event_loop(asyncio.new_event_loop())
        response = adapter(event, context)
        # Mangum adds a JSON content type to empty bodies; 204 and the empty revoke 200 must have none.
        if not response.get("body"):
            headers = response.get("headers") or {}
            if headers.get("content-type") == "application/json":
                headers.pop("content-type", None)
        return response

    # No `metrics.log_metrics`: every metric is flushed where it is counted (`count_metric`), so that
    # wrapper only flushed an empty set and warned about it on every invocation.
    return capture_lambda_handler(logger.inject_lambda_context(invoke))
