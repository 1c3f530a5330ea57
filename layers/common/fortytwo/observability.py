"""The Powertools Logger shared by every function (service name from POWERTOOLS_SERVICE_NAME),
the per-request access record (`log_access`), the one way to emit a metric (`count_metric`,
flushed at once: no per-invocation metrics object to flush), and the X-Ray handler wrapper when
SDK tracing is on.

Powertools' Tracer imports the X-Ray SDK (and through it botocore) as soon as it is constructed,
even disabled: about a third of a cold import. So the Tracer is only built when tracing is on
(docs/decisions.md, "Tracing without the X-Ray SDK by default").
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.shared.functions import resolve_truthy_env_var_choice

logger = Logger(utc=True)
_std_logger = logging.getLogger(logger.name)  # the stdlib logger Powertools logs through (its level)

# Powertools' serialisation (its formatter's `json_serializer` defaults), built once rather than
# by `json.dumps` per record.
_ENCODER = json.JSONEncoder(separators=(",", ":"), default=str, ensure_ascii=False)
# Keys of Powertools' record that its formatter renders per record from the LogRecord.
_PER_RECORD = frozenset({"level", "location", "message", "timestamp"})

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


def _timestamp(now: float) -> str:
    """Powertools' default timestamp for a UTC logger (`2026-05-20 10:00:00,123+0000`, its
    formatter's `formatTime`). `time.strftime` costs ~10 µs of a warm request in place: the
    seconds are formatted once per second (one tuple, read once: threads of the local stack
    share it)."""
    global _second_text
    second = int(now)
    cached = _second_text
    if cached[0] != second:
        cached = _second_text = (second, time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(second)))
    return f"{cached[1]},{int((now - second) * 1000):03d}+0000"


_second_text: tuple[int, str] = (-1, "")


def log_access(fields: Mapping[str, object]) -> None:
    """Write the request's access record at INFO: what `logger.info("request", extra=fields)` writes
    (docs/decisions.md, "A cheaper access record"), built directly.

    The record is Powertools' own: level, message, timestamp (`_timestamp`, its format), the
    logger's persistent keys (service, cold_start and the Lambda context `inject_lambda_context`
    appended), the request's thread-safe keys (request_id, account_id, credential_id), `fields`,
    xray_trace_id; None values dropped; serialised as the formatter does and written to the logger's
    handler (stdout in Lambda), under the logger's level. Not made: a LogRecord, the caller lookup
    behind `location`, a copy of the record's `__dict__`, and a `json.loads` attempt on the message —
    about 35 µs of a warm `_ping`'s ~280 (bench/warm_cpu.py)."""
    if not _std_logger.isEnabledFor(logging.INFO):
        return
    handler = logger.registered_handler
    formatter = handler.formatter
    if not isinstance(handler, logging.StreamHandler) or not isinstance(formatter, LambdaPowertoolsFormatter):
        logger.info("request", extra=dict(fields))  # a formatter or handler this module did not set up
        return
    record: dict[str, Any] = {
        "level": "INFO",
        "message": "request",
        "timestamp": _timestamp(time.time()),
    }
    for key, value in formatter.log_format.items():
        if key not in _PER_RECORD:
            record[key] = value
    record.update(logger.thread_safe_get_current_keys())
    record.update(fields)
    trace = os.environ.get("_X_AMZN_TRACE_ID")
    if trace:
        record["xray_trace_id"] = trace.split(";")[0].replace("Root=", "")
    line = _ENCODER.encode({k: v for k, v in record.items() if v is not None})
    handler.acquire()
    try:
        handler.stream.write(line + handler.terminator)
        handler.flush()
    except (OSError, ValueError):  # a closed or broken stream: logging's own error path reports it
        logger.info("request", extra=dict(fields))
    finally:
        handler.release()
