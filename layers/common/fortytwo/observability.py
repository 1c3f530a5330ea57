"""Powertools Logger/Tracer/Metrics shared by every function (service name from POWERTOOLS_SERVICE_NAME)."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric

logger = Logger(utc=True)
metrics = Metrics()
tracer = Tracer()


def count_metric(name: str, value: float = 1, **dimensions: str) -> None:
    """Emit one count metric as its own EMF document, immediately.

    Nothing accumulates on the shared `metrics` object, so concurrent invocations in one process
    (the local stack runs handlers in threads) can never race on a flush.
    """
    with single_metric(name=name, unit=MetricUnit.Count, value=value) as metric:
        for key, dim in dimensions.items():
            metric.add_dimension(name=key, value=dim)
