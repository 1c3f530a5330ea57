"""Each tool's arguments → the REST request it runs (50-mcp §5.2–§5.3, §6), without AWS: the
services are replaced by recorders, so these tests pin the mapping alone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fortytwo.contract.errors import InvalidQueryParam, ValidationFailed
from fortytwo.domain.auth import AuthContext
from fortytwo.domain.bookings.headers import fingerprint
from fortytwo.domain.event_types import ByUsernameSlug
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


def test_every_catalogued_tool_has_a_handler() -> None:
    from fortytwo.mcp_server.catalogue import BY_NAME

    assert set(tools.HANDLERS) == set(BY_NAME)


# --------------------------------------------------------------------------- event types and slots

ET = "019d48ea-2e00-7f28-9fb1-7c2390c192cf"


@pytest.mark.parametrize(
    ("ref", "target"),
    [
        (ET.upper(), ET),
        ("Ada/Intro-Call", ByUsernameSlug("ada", "intro-call")),
    ],
)
def test_event_type_target_is_what_rest_resolves(ref: str, target: object) -> None:
    assert tools.event_type_target(ref) == target


@pytest.mark.parametrize("ref", ["intro-call", "a/b/c", "019d48ea-2e00-7f28-9fb1-7c2390c192cz"])
def test_event_type_target_refused(ref: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        tools.event_type_target(ref)
    assert exc.value.details["fields"] == [{"field": "event_type", "message": tools.EVENT_TYPE_MESSAGE}]


class Services:
    """Records the service calls of the read tools (the REST handlers' calls)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def record(self, name: str, answer: Any) -> Any:
        def call(*args: Any, **kw: Any) -> Any:
            self.calls.append((name, args, kw))
            return answer

        return call


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch) -> Services:
    from fortytwo.services import event_types

    rec = Services()
    monkeypatch.setattr(event_types, "detail_by_identifier", rec.record("detail", {"id": ET}))
    monkeypatch.setattr(tools.event_types_api, "list_page", rec.record("list", ([{"id": ET}], "c2")))
    monkeypatch.setattr(tools.slots, "list_slots", rec.record("slots", {"slots": []}))
    monkeypatch.setattr(tools.slots, "check", rec.record("check", {"available": True}))
    return rec


def test_get_event_type_passes_the_identifier_rest_would(services: Services) -> None:
    assert tools.get_event_type(CALL, {"event_type": "ada/intro-call"}).data == {"id": ET}
    name, args, _ = services.calls[-1]
    assert (name, args[:2]) == ("detail", ("org1", "ada/intro-call"))
    with pytest.raises(ValidationFailed):
        tools.get_event_type(CALL, {"event_type": "intro-call"})  # a bare slug never reaches REST
    assert len(services.calls) == 1


def test_list_event_types_defaults_and_normalisation(services: Services) -> None:
    outcome = tools.list_event_types(CALL, {})
    assert outcome.data == {"event_types": [{"id": ET}], "next_cursor": "c2", "has_more": True}
    params = services.calls[-1][1][1]
    assert (params.limit, params.sort, params.cursor, params.filters()) == (
        20,
        "created_at_desc",
        None,
        {"user_id": None, "slug": None, "active": None},
    )
    tools.list_event_types(
        CALL, {"user_id": ET.upper(), "slug": "Intro-Call", "active": False, "limit": 5, "cursor": "c1"}
    )
    params = services.calls[-1][1][1]
    assert (params.limit, params.cursor, params.filters()) == (
        5,
        "c1",
        {"user_id": ET, "slug": "intro-call", "active": False},
    )


def test_find_available_slots_window(services: Services) -> None:
    tools.find_available_slots(CALL, {"event_type": ET, "start": "2026-05-20T10:00:00+02:00"})
    name, args, kw = services.calls[-1]
    assert (name, args) == ("slots", ("org1", ET))
    start = datetime(2026, 5, 20, 8, 0, tzinfo=UTC)
    assert kw == {"start": start, "end": start + timedelta(days=7), "timezone": None}
    tools.find_available_slots(
        CALL,
        {
            "event_type": "ada/x",
            "start": "2026-05-20T08:00:00Z",
            "end": "2026-06-20T08:00:00Z",
            "timezone": "UTC",
        },
    )
    assert services.calls[-1][2] == {"start": start, "end": start + timedelta(days=31), "timezone": "UTC"}
    for end, message in (
        ("2026-05-20T08:00:00Z", "end must be after start"),
        ("2026-06-20T08:00:00.001Z", "the window must not exceed 31 days"),
    ):
        with pytest.raises(InvalidQueryParam) as exc:
            tools.find_available_slots(CALL, {"event_type": ET, "start": "2026-05-20T08:00:00Z", "end": end})
        assert (exc.value.details, exc.value.message) == ({"param": "end"}, message)
    with pytest.raises(InvalidQueryParam) as exc:
        tools.find_available_slots(
            CALL, {"event_type": ET, "start": "2026-05-20T08:00:00Z", "timezone": "X/Y"}
        )
    assert exc.value.details == {"param": "timezone"}
    assert len(services.calls) == 2


def _slots(count: int) -> list[dict[str, Any]]:
    return [{"start": f"s{i}", "end": f"e{i}", "available": True} for i in range(count)]


def test_slot_lists_are_cut_at_200() -> None:
    base = {"event_type_id": ET, "timezone": "UTC", "computed_at": "now"}
    assert tools.first_slots({**base, "slots": _slots(200)}) == {**base, "slots": _slots(200)}
    assert tools.first_slots({**base, "slots": _slots(201)}) == {
        **base,
        "slots": _slots(200),
        "truncated": True,
    }
    # A REST list already truncated (past 2000) stays truncated.
    assert tools.first_slots({**base, "slots": _slots(2000), "truncated": True})["truncated"] is True
    assert tools.first_slots({**base, "slots": _slots(3), "truncated": True})["truncated"] is True


def test_check_slot_runs_without_end_and_checks_the_zone(services: Services) -> None:
    assert tools.check_slot(CALL, {"event_type": ET, "start": "2026-05-20T08:00:00Z"}).data == {
        "available": True
    }
    name, args, kw = services.calls[-1]
    assert (name, args, kw) == (
        "check",
        ("org1", ET),
        {"start": datetime(2026, 5, 20, 8, 0, tzinfo=UTC), "end": None},
    )
    with pytest.raises(InvalidQueryParam):
        tools.check_slot(CALL, {"event_type": ET, "start": "2026-05-20T08:00:00Z", "timezone": "Mars/Base"})
    assert len(services.calls) == 1
