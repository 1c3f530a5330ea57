"""Tools through McpFunction's handler: visibility, scope refusal, argument errors, and results equal
to the REST answers, including idempotency shared with REST (50-mcp §4.7, §5, §6, §7)."""

from __future__ import annotations

from typing import Any

from tests.integration.bookings.conftest import Api
from tests.integration.mcp.conftest import Mcp

BOOKING_TOOLS = ["cancel_booking", "create_booking", "get_booking", "list_bookings", "reschedule_booking"]


def _data(response) -> Any:
    assert response.status in (200, 201), response.text
    return response.json()["data"]


def _create_args(api: Api, start: str, **extra: Any) -> dict[str, Any]:
    return {
        "event_type": "ada/intro-call",
        "start": start,
        "attendee": {"email": "bob@example.com", "name": "Bob Builder"},
        **extra,
    }


def test_tools_list_is_sorted_and_filtered_by_scope(mcp: Mcp) -> None:
    tools = mcp.request("tools/list").json()["result"]["tools"]
    names = [t["name"] for t in tools]
    assert names == sorted(names)
    assert {"get_me", "update_booking", *BOOKING_TOOLS} <= set(names)
    create = next(t for t in tools if t["name"] == "create_booking")
    assert create["annotations"] == {
        "readOnlyHint": False,
        "destructiveHint": False,
        "idempotentHint": False,
        "openWorldHint": True,
    }
    assert create["inputSchema"]["additionalProperties"] is False
    assert create["outputSchema"]["type"] == "object"
    narrow = [t["name"] for t in mcp.request("tools/list", token="narrow").json()["result"]["tools"]]
    assert not set(narrow) & {"get_me", *BOOKING_TOOLS}


def test_a_tool_outside_the_scopes_is_403(mcp: Mcp) -> None:
    response = mcp.call("create_booking", {"nonsense": True}, token="narrow")
    assert response.status == 403
    error = response.json()["error"]
    assert error["code"] == -31403
    assert error["data"]["code"] == "insufficient_scope"
    assert error["data"]["details"] == {"required_scope": "bookings:create"}
    assert error["data"]["request_id"] == response.headers["x-request-id"]
    challenge = response.headers["www-authenticate"]
    assert 'error="insufficient_scope"' in challenge and 'scope="mcp:scheduling:write"' in challenge
    assert "resource_metadata=" in challenge


def test_unknown_tools_and_bad_params_are_protocol_errors(mcp: Mcp) -> None:
    for name in ("nope", "list_meetings"):
        response = mcp.call(name, {})
        assert response.status == 200
        assert response.json()["error"] == {"code": -32602, "message": f"Unknown tool: {name}"}
    bad = mcp.request("tools/call", {"name": "get_me", "arguments": [1]})
    assert bad.json()["error"]["code"] == -32602
    assert mcp.request("tools/call", {"arguments": {}}).json()["error"]["code"] == -32602


def test_argument_errors_are_tool_errors_in_argument_order(mcp: Mcp) -> None:
    result = mcp.result(
        "create_booking",
        {"zzz": 1, "attendee": {"name": 5}, "event_type": "nope", "guests": ["a", ""]},
    )
    assert result["isError"] is True
    error = result["structuredContent"]["error"]
    assert error["code"] == "validation_error"
    fields = [f["field"] for f in error["details"]["fields"]]
    assert fields == ["zzz", "attendee.name", "attendee.email", "guests[1]", "start"]
    assert error["request_id"] == result["_meta"]["us.fortytwomin/requestId"]
    assert result["content"][0]["text"].startswith('{"error":{"code":"validation_error"')


def test_event_type_argument_forms(mcp: Mcp, api: Api) -> None:
    day = api.fresh_day()
    for ref in ("intro-call", "a/b/c", "/intro-call", "ada/"):
        result = mcp.result("create_booking", _create_args(api, api.at(day, "10:00"), event_type=ref))
        error = result["structuredContent"]["error"]
        assert error["code"] == "validation_error"
        assert error["details"]["fields"][0]["field"] == "event_type"
    unknown = mcp.result("create_booking", _create_args(api, api.at(day, "10:00"), event_type="ada/none"))
    assert unknown["structuredContent"]["error"]["code"] == "event_type_not_found"


def test_get_me_and_get_booking_equal_rest(mcp: Mcp, api: Api) -> None:
    me = mcp.result("get_me", {})
    assert me["structuredContent"] == _data(
        api.invoke("meta", "GET", "/v1/me", headers=api.headers(key=None))
    )
    day = api.fresh_day()
    uid = api.create("intro", api.at(day, "10:00"))["data"]["uid"]
    got = mcp.result("get_booking", {"uid": uid.upper()})
    assert got["structuredContent"] == api.get(uid)
    assert mcp.result("get_booking", {"uid": "not-a-uid"})["structuredContent"]["error"]["code"] == (
        "validation_error"
    )
    missing = mcp.result("get_booking", {"uid": "00000000-0000-7000-8000-000000000000"})
    assert missing["isError"] and missing["structuredContent"]["error"]["code"] == "booking_not_found"


def test_create_replays_across_surfaces(mcp: Mcp, api: Api) -> None:
    day = api.fresh_day()
    args = _create_args(api, api.at(day, "11:00"), idempotency_key="  mcp-shared-1 ")
    first = mcp.result("create_booking", args)
    assert first["isError"] is False and "us.fortytwomin/idempotentReplayed" not in first["_meta"]
    booking = first["structuredContent"]
    assert booking == api.get(booking["uid"])
    again = mcp.result("create_booking", args)
    assert again["structuredContent"] == booking
    assert again["_meta"]["us.fortytwomin/idempotentReplayed"] is True
    assert again["_meta"]["us.fortytwomin/requestId"] != first["_meta"]["us.fortytwomin/requestId"]
    # The REST request the tool built, with the same key, replays the same booking.
    body = {
        "username": "ada",
        "event_slug": "intro-call",
        "start": args["start"],
        "attendee": args["attendee"],
    }
    rest = api.call("POST", "/v1/bookings", headers=api.headers(key="mcp-shared-1"), body=body)
    assert rest.status == 201 and rest.headers["idempotent-replayed"] == "true"
    assert rest.json()["data"] == booking
    conflict = mcp.result("create_booking", {**args, "start": api.at(day, "12:00")})
    assert conflict["structuredContent"]["error"]["code"] == "idempotency_key_conflict"


def test_rest_first_then_mcp_replays(mcp: Mcp, api: Api) -> None:
    day = api.fresh_day()
    body = api.create_body(start=api.at(day, "13:00"))
    rest = api.call("POST", "/v1/bookings", headers=api.headers(key="rest-first-1"), body=body)
    assert rest.status == 201
    args = _create_args(api, body["start"], event_type=body["event_type_id"], idempotency_key="rest-first-1")
    replay = mcp.result("create_booking", args)
    assert replay["structuredContent"] == rest.json()["data"]
    assert replay["_meta"]["us.fortytwomin/idempotentReplayed"] is True


def test_busy_slot_is_a_tool_error_and_releases_the_key(mcp: Mcp, api: Api) -> None:
    day = api.fresh_day()
    api.create("intro", api.at(day, "14:00"))
    args = _create_args(api, api.at(day, "14:00"), idempotency_key="busy-1")
    result = mcp.result("create_booking", args)
    assert result["isError"] is True
    assert result["structuredContent"]["error"]["code"] == "slot_unavailable"
    retry = mcp.result("create_booking", {**args, "start": api.at(day, "15:00")})
    assert retry["isError"] is False  # the failed call stored nothing under the key


def test_cancel_reschedule_update(mcp: Mcp, api: Api) -> None:
    day = api.fresh_day()
    booking = mcp.result("create_booking", _create_args(api, api.at(day, "10:00")))["structuredContent"]
    updated = mcp.result(
        "update_booking", {"uid": booking["uid"], "version": booking["version"], "metadata": {"crm": "D-1"}}
    )["structuredContent"]
    assert updated["metadata"] == {"crm": "D-1"} and updated["version"] == booking["version"] + 1
    assert updated == api.get(booking["uid"])
    stale = mcp.result(
        "update_booking", {"uid": booking["uid"], "version": booking["version"], "metadata": {}}
    )
    error = stale["structuredContent"]["error"]
    assert error["code"] == "version_conflict" and error["details"]["current_version"] == updated["version"]
    nothing = mcp.result("update_booking", {"uid": booking["uid"], "version": updated["version"]})
    assert nothing["structuredContent"]["error"]["code"] == "validation_error"
    moved = mcp.result(
        "reschedule_booking", {"uid": booking["uid"], "start": api.at(day, "11:00"), "reason": "clash"}
    )["structuredContent"]
    assert moved["uid"] != booking["uid"] and moved["rescheduled_from_uid"] == booking["uid"]
    assert api.get(booking["uid"])["status"] == "rescheduled"
    canceled = mcp.result("cancel_booking", {"uid": moved["uid"], "reason": None})["structuredContent"]
    assert canceled["status"] == "canceled" and canceled == api.get(moved["uid"])
    again = mcp.result("cancel_booking", {"uid": moved["uid"]})
    assert again["structuredContent"]["status"] == "canceled"


def test_list_bookings_equals_rest_and_shares_cursors(mcp: Mcp, api: Api) -> None:
    day = api.fresh_day()
    for time in ("09:00", "09:30", "10:00"):
        api.create("intro", api.at(day, time))
    query = {
        "start_date": f"{day}T00:00:00Z",
        "end_date": f"{day}T23:59:59Z",
        "limit": "2",
        "sort": "start_at_asc",
    }
    rest = api.call("GET", "/v1/bookings", headers=api.headers(key=None), query=query)
    args = {**query, "limit": 2}
    page = mcp.result("list_bookings", args)["structuredContent"]
    assert page["bookings"] == rest.json()["data"]
    assert page["has_more"] is True and page["next_cursor"] == rest.json()["meta"]["next_cursor"]
    rest_next = api.call(
        "GET", "/v1/bookings", headers=api.headers(key=None), query={**query, "cursor": page["next_cursor"]}
    )
    mcp_next = mcp.result("list_bookings", {**args, "cursor": page["next_cursor"]})["structuredContent"]
    assert mcp_next["bookings"] == rest_next.json()["data"] and mcp_next["has_more"] is False
    assert all(b["responses"] is None for b in page["bookings"])
    full = mcp.result("list_bookings", {**args, "include_responses": True})["structuredContent"]
    assert all(b["responses"] is not None for b in full["bookings"])
    bad = mcp.result("list_bookings", {**args, "cursor": "nope"})["structuredContent"]["error"]
    assert bad["code"] == "validation_error" and bad["details"]["fields"][0]["field"] == "cursor"
    backwards = mcp.result(
        "list_bookings", {"start_date": f"{day}T10:00:00Z", "end_date": f"{day}T09:00:00Z"}
    )
    assert backwards["structuredContent"]["error"]["details"]["fields"][0]["field"] == "end_date"
