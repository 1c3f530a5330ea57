"""The Powertools Logger shared by every function (service name from POWERTOOLS_SERVICE_NAME),
the one way to emit a metric (`count_metric`, flushed at once: no per-invocation metrics object to
flush), and the X-Ray handler wrapper when SDK tracing is on.

Powertools' Tracer imports the X-Ray SDK (and through it botocore) as soon as it is constructed,
even disabled: about a third of a cold import. So the Tracer is only built when tracing is on
(docs/decisions.md, "Tracing without the X-Ray SDK by default").
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.shared.functions import resolve_truthy_env_var_choice

logger = Logger(utc=True)

HandlerT = TypeVar("HandlerT", bound=Callable[..., object])


def sdk_tracing_enabled() -> bool:
    """Powertools' own rule: on in Lambda unless POWERTOOLS_TRACE_DISABLED; off in SAM local/tests."""
    if resolve_truthy_env_var_choice(env=os.getenv("POWERTOOLS_TRACE_DISABLED", "false")):
        return False
    return bool(os.getenv("LAMBDA_TASK_ROOT")) and not os.getenv("AWS_SAM_LOCAL")


def capture_lambda_handler(handler: HandlerT) -> HandlerT:
    """The handler inside an X-Ray subsegment (and botocore calls patched) when SDK tracing is on;
    the handler itself otherwise, without importing the SDK."""
    if not sdk_tracing_enabled():
        return handler
    from aws_lambda_powertools import Tracer

    return Tracer().capture_lambda_handler(handler)  # type: ignore[return-value]  # Powertools types it loosely


def count_metric(name: str, value: float = 1, **dimensions: str) -> None:
    """Emit one count metric as its own EMF document, immediately.

    Nothing accumulates on a shared metrics object, so concurrent invocations in one process
    (the local stack runs handlers in threads) can never race on a flush.
    """
    with single_metric(name=name, unit=MetricUnit.Count, value=value) as metric:
        for key, dim in dimensions.items():
            metric.add_dimension(name=key, value=dim)
