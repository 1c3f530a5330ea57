"""Each tool's arguments → the REST request it runs (50-mcp §5.2–§5.3, §6), without AWS: the
services are replaced by recorders, so these tests pin the mapping alone."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from fortytwo.contract.errors import ValidationFailed
from fortytwo.domain.auth import AuthContext
from fortytwo.domain.bookings.headers import fingerprint
from fortytwo.mcp_server import tools
from fortytwo.services.idempotency import Reply

AUTH = AuthContext("pat", "u1", "org1", ("bookings:read",), "cred1", "pat:cred1:1")
NOW = datetime(2026, 5, 18, 8, 0, tzinfo=UTC)
CALL = tools.Call(auth=AUTH, request_id="req_x", now=NOW)
UID = "019e3a19-5800-726b-b2a7-4de452e6b438"


@pytest.mark.parametrize(
    ("ref", "fields"),
    [
        ("019d48ea-2e00-7f28-9fb1-7c2390c192cf", {"event_type_id": "019d48ea-2e00-7f28-9fb1-7c2390c192cf"}),
        ("ada/intro-call", {"username": "ada", "event_slug": "intro-call"}),
        ("Ada/Intro-Call", {"username": "Ada", "event_slug": "Intro-Call"}),  # REST lower-cases
    ],
)
def test_event_type_argument(ref: str, fields: dict[str, str]) -> None:
    assert tools.event_type_fields(ref) == fields


@pytest.mark.parametrize("ref", ["intro-call", "a/b/c", "/x", "x/", "/", "019d48ea2e007f289fb17c2390c192cf"])
def test_event_type_argument_refused(ref: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        tools.event_type_fields(ref)
    assert exc.value.details["fields"][0]["field"] == "event_type"


def test_idempotency_key_is_trimmed_or_generated() -> None:
    assert tools.idempotency_key({"idempotency_key": "  k-1 "}) == "k-1"
    generated = tools.idempotency_key({})
    assert generated.startswith("mcp-") and len(generated) == 40
    assert tools.idempotency_key({}) != generated
    with pytest.raises(ValidationFailed) as exc:
        tools.idempotency_key({"idempotency_key": "   "})
    assert exc.value.details["fields"][0]["field"] == "idempotency_key"


def test_create_body_is_the_rest_body() -> None:
    args = {
        "event_type": "ada/intro-call",
        "start": "2026-05-20T12:00:00Z",
        "attendee": {"email": "bob@example.com"},
        "metadata": {"a": 1},
        "idempotency_key": "k",
    }
    assert tools.create_body(args) == {
        "username": "ada",
        "event_slug": "intro-call",
        "start": "2026-05-20T12:00:00Z",
        "attendee": {"email": "bob@example.com"},
        "metadata": {"a": 1},
    }


def test_list_params_defaults_and_host_precedence() -> None:
    params = tools.list_params({})
    assert (params.limit, params.sort, params.include_cancelled, params.statuses, params.host_ids) == (
        20,
        "start_at_desc",
        True,
        None,
        None,
    )
    upper = "019D48B3-CC50-7238-B924-56DE3EB13B90"
    single = tools.list_params({"host_user_id": upper})
    assert single.host_ids == (upper.lower(),)
    both = tools.list_params(
        {"host_user_id": upper, "host_user_ids": ["b" * 8 + "-0000-7000-8000-" + "0" * 12]}
    )
    assert both.host_ids == ("bbbbbbbb-0000-7000-8000-000000000000",)
    statuses = tools.list_params({"status": ["pending", "confirmed"], "include_cancelled": False, "limit": 5})
    assert statuses.statuses == ("confirmed", "pending") and statuses.limit == 5
    assert statuses.include_cancelled is False


def test_list_params_instants() -> None:
    params = tools.list_params(
        {"start_date": "2026-05-20T10:00:00+02:00", "updated_since": "2026-05-01T00:00:00Z"}
    )
    assert params.start_date == datetime(2026, 5, 20, 8, 0, tzinfo=UTC)
    with pytest.raises(ValidationFailed) as exc:
        tools.list_params({"start_date": "2026-05-20"})
    assert exc.value.details["fields"][0]["field"] == "start_date"
    with pytest.raises(ValidationFailed) as exc:
        tools.list_params({"start_date": "2026-05-20T10:00:00Z", "end_date": "2026-05-20T09:00:00Z"})
    assert exc.value.details["fields"][0]["field"] == "end_date"


class Recorder:
    """Stands in for `http.idempotency.run`: records the REST request and answers a stored reply."""

    def __init__(self, replayed: bool = False) -> None:
        self.replayed = replayed
        self.seen: dict[str, Any] = {}

    def __call__(self, auth: AuthContext, **kw: Any) -> tuple[Reply, bool]:
        self.seen = kw
        body = json.dumps({"data": {"uid": UID}, "meta": {"request_id": "req_first"}})
        return Reply(201, body, "req_first"), self.replayed


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    rec = Recorder()
    monkeypatch.setattr(tools.idempotent, "run", rec)
    return rec


def _fp(seen: dict[str, Any]) -> str:
    return fingerprint(seen["method"], seen["route"], seen["path_params"], seen["body"])


def test_create_runs_post_bookings(recorder: Recorder) -> None:
    args = {"event_type": "ada/intro-call", "start": "2026-05-20T12:00:00Z", "attendee": {"email": "b@x.io"}}
    outcome = tools.create_booking(CALL, {**args, "idempotency_key": "k1"})
    assert outcome.data == {"uid": UID} and outcome.replayed is False
    seen = recorder.seen
    assert (seen["method"], seen["route"], seen["path_params"], seen["key"]) == (
        "POST",
        "/v1/bookings",
        {},
        "k1",
    )
    rest_body = {
        "username": "ada",
        "event_slug": "intro-call",
        "start": args["start"],
        "attendee": args["attendee"],
    }
    assert _fp(seen) == fingerprint("POST", "/v1/bookings", {}, rest_body)
    assert seen["request_id"] == "req_x"


def test_cancel_reschedule_update_run_their_rest_routes(recorder: Recorder) -> None:
    tools.cancel_booking(CALL, {"uid": UID.upper(), "idempotency_key": "k"})
    assert (recorder.seen["route"], recorder.seen["path_params"], recorder.seen["body"]) == (
        "/v1/bookings/{uid}/cancel",
        {"uid": UID},
        {},
    )
    tools.cancel_booking(CALL, {"uid": UID, "reason": "sick"})
    assert recorder.seen["body"] == {"reason": "sick"} and recorder.seen["key"].startswith("mcp-")
    tools.reschedule_booking(CALL, {"uid": UID, "start": "2026-05-21T09:00:00Z", "timezone": "Europe/Berlin"})
    assert recorder.seen["route"] == "/v1/bookings/{uid}/reschedule"
    assert recorder.seen["body"] == {"start": "2026-05-21T09:00:00Z", "timezone": "Europe/Berlin"}
    tools.update_booking(CALL, {"uid": UID, "version": 3, "metadata": {"a": "b"}, "idempotency_key": "k"})
    # `version` is If-Match, not body, and not part of the fingerprint (§6).
    assert (recorder.seen["method"], recorder.seen["route"], recorder.seen["body"]) == (
        "PATCH",
        "/v1/bookings/{uid}",
        {"metadata": {"a": "b"}},
    )


def test_replay_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tools.idempotent, "run", Recorder(replayed=True))
    outcome = tools.cancel_booking(CALL, {"uid": UID, "idempotency_key": "k"})
    assert outcome.replayed is True and outcome.data == {"uid": UID}


def test_rest_schema_errors_precede_the_record(recorder: Recorder) -> None:
    from fortytwo.contract.errors import ApiError

    with pytest.raises(ApiError) as exc:
        tools.create_booking(
            CALL, {"event_type": "ada/x", "start": "yesterday", "attendee": {"email": "b@x.io"}}
        )
    assert exc.value.code == "validation_error" and recorder.seen == {}


def test_every_offered_tool_has_a_handler_and_a_catalogue_entry() -> None:
    from fortytwo.mcp_server.catalogue import BY_NAME

    assert set(tools.HANDLERS) <= set(BY_NAME)
