"""The access record: one JSON line per request on the Powertools logger's handler, the record
`logger.info("request", extra=...)` would write (without `location`), under the logger's level."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from starlette.responses import Response

from fortytwo import observability
from fortytwo.contract.errors import NotFound
from fortytwo.http.app import create_app
from fortytwo.http.lambda_entry import make_handler
from fortytwo.observability import log_access, logger
from tests.support import aws

app = create_app("access record test")


@app.get("/v1/missing")
async def missing() -> Response:
    raise NotFound()


handler = make_handler(app)


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    sink = io.StringIO()
    previous = logger.registered_handler.setStream(sink)  # type: ignore[attr-defined]
    try:
        yield sink
    finally:
        logger.registered_handler.setStream(previous)  # type: ignore[attr-defined]


def _records(sink: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in sink.getvalue().splitlines()]


def test_each_request_writes_one_record_with_the_request_and_lambda_keys(lines: io.StringIO) -> None:
    response = handler(aws.http_event("GET", "/v1//missing"), aws.LambdaContext())
    (record,) = _records(lines)
    assert record["level"] == "INFO" and record["message"] == "request"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\+0000", str(record["timestamp"]))
    assert record["service"] == logger.service
    assert record["function_request_id"] == aws.LambdaContext.aws_request_id
    assert isinstance(record["cold_start"], bool)
    assert record["request_id"] == response["headers"]["x-request-id"]
    assert record["route"] == "GET /v1/missing"  # the canonical path
    assert record["status"] == 404
    assert isinstance(record["latency_ms"], float)
    assert "bucket" not in record  # None values are left out, as Powertools does


def test_the_record_is_what_the_powertools_formatter_writes(lines: io.StringIO) -> None:
    fields = {"route": "GET /v1/_ping", "status": 200, "latency_ms": 1.5, "bucket": "pat", "none": None}
    logger.thread_safe_append_keys(request_id="req_x", account_id="acc", credential_id="cred")
    try:
        log_access(fields)
        logger.info("request", extra=fields)
    finally:
        logger.thread_safe_clear_keys()
    ours, theirs = _records(lines)
    assert list(ours) == [k for k in theirs if k not in ("location", "taskName")]
    ignored = {"location", "taskName", "timestamp"}
    assert {k: v for k, v in ours.items() if k not in ignored} == {
        k: v for k, v in theirs.items() if k not in ignored
    }


def test_the_trace_id_is_added_as_powertools_adds_it(
    lines: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8")
    log_access({"status": 200})
    logger.info("request", extra={"status": 200})
    ours, theirs = _records(lines)
    assert ours["xray_trace_id"] == theirs["xray_trace_id"] == "1-5759e988-bd862e3fe1be46a994272793"


@pytest.mark.parametrize("created", [0.0, 1_779_271_200.0, 1_779_271_200.0005, 1_779_271_259.999, 1.5e9])
def test_the_timestamp_is_the_formatters(created: float) -> None:
    msecs = int((created - int(created)) * 1000) + 0.0  # as logging.LogRecord computes it
    record = logging.makeLogRecord({"created": created, "msecs": msecs})
    assert observability._timestamp(created) == logger.registered_formatter.formatTime(record)


def test_the_logger_level_applies(lines: io.StringIO) -> None:
    level = logger.log_level
    logger.setLevel(logging.WARNING)
    try:
        handler(aws.http_event("GET", "/v1/missing"), aws.LambdaContext())
    finally:
        logger.setLevel(level)
    assert lines.getvalue() == ""
