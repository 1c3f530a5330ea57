"""The pure parts of the idempotency glue (services/ and http/idempotency.py): replies, expiry bounds."""

from __future__ import annotations

import json
from typing import Any

from fortytwo.http.idempotency import as_response
from fortytwo.services.idempotency import (
    FALLBACK_TIMEOUT_MS,
    MAX_IN_PROGRESS_MS,
    _BoundedContext,
    serialize_reply,
)
from fortytwo.services.idempotency import Reply as StoredResponse


def test_stored_response_round_trip_and_replay_headers() -> None:
    stored = StoredResponse(
        201, '{"data":{"name":"Zoë"},"meta":{"request_id":"req_1"}}', "req_1", {"ETag": '"1"'}
    )
    assert StoredResponse.from_dict(json.loads(serialize_reply(stored))) == stored
    fresh = as_response(stored, replayed=False)
    assert fresh.status_code == 201 and fresh.body == stored.body.encode("utf-8")
    assert "idempotent-replayed" not in fresh.headers and "x-request-id" not in fresh.headers
    replay = as_response(stored, replayed=True)
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.headers["x-request-id"] == "req_1" and replay.headers["etag"] == '"1"'
    assert replay.headers["content-type"] == "application/json"


class _Context:
    def __init__(self, remaining: int) -> None:
        self.remaining = remaining

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining


def test_in_progress_records_expire_with_the_invocation_and_never_after_30s() -> None:
    assert _BoundedContext(_Context(12_345)).get_remaining_time_in_millis() == 12_345
    assert _BoundedContext(_Context(900_000)).get_remaining_time_in_millis() == MAX_IN_PROGRESS_MS
    assert _BoundedContext(_Context(-5)).get_remaining_time_in_millis() == 0
    missing: Any = None
    assert _BoundedContext(missing).get_remaining_time_in_millis() == FALLBACK_TIMEOUT_MS
