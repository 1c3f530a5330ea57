"""The event type and slot tools through McpFunction's handler (50-mcp §5.5–§5.8): each result is the
REST answer of the mapped request (and fits the tool's outputSchema), cursors work across surfaces,
failures are tool errors with the REST codes renamed to arguments (§7.3)."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.integration.bookings.conftest import Api
from tests.integration.mcp.conftest import Mcp

SCHEDULING_TOOLS = ["check_slot", "find_available_slots", "get_event_type", "list_event_types"]


def rest(api: Api, function: str, path: str, query: dict[str, str] | None = None) -> Any:
    response = api.invoke(function, "GET", path, headers=api.headers(key=None), query=query or {})
    assert response.status == 200, response.text
    return response.json()


def structured(mcp: Mcp, tool: str, arguments: dict[str, Any], **kw: Any) -> dict[str, Any]:
    """The successful result's structuredContent, checked against the tool's outputSchema."""
    result = mcp.result(tool, arguments, **kw)
    assert result["isError"] is False, result
    schema = output_schema(mcp, tool)
    Draft202012Validator(schema).validate(result["structuredContent"])
    assert result["content"] == [{"type": "text", "text": result["content"][0]["text"]}] and result[
        "content"
    ][0]["text"].startswith("{")
    return result["structuredContent"]


def output_schema(mcp: Mcp, tool: str) -> dict[str, Any]:
    tools = mcp.request("tools/list").json()["result"]["tools"]
    return next(t for t in tools if t["name"] == tool)["outputSchema"]


def tool_error(mcp: Mcp, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    result = mcp.result(tool, arguments)
    assert result["isError"] is True, result
    error: dict[str, Any] = result["structuredContent"]["error"]
    assert error["request_id"] == result["_meta"]["us.fortytwomin/requestId"]
    return error


def test_the_tools_are_listed_with_their_scopes_and_annotations(mcp: Mcp) -> None:
    tools = {t["name"]: t for t in mcp.request("tools/list").json()["result"]["tools"]}
    assert set(SCHEDULING_TOOLS) <= set(tools)
    for name in SCHEDULING_TOOLS:
        assert tools[name]["annotations"] == {
            "readOnlyHint": True,
            "destructiveHint": False,
            "idempotentHint": False,
            "openWorldHint": False,
        }
        assert tools[name]["outputSchema"]["type"] == "object"
    # `narrow` holds slots:read only: the slot tools, not the event type tools.
    narrow = {t["name"] for t in mcp.request("tools/list", token="narrow").json()["result"]["tools"]}
    assert narrow == {"check_slot", "find_available_slots"}


def test_event_type_tools_outside_the_scopes_are_403(mcp: Mcp) -> None:
    for tool in ("get_event_type", "list_event_types"):
        response = mcp.call(tool, {}, token="narrow")
        assert response.status == 403
        assert response.json()["error"]["data"]["details"] == {"required_scope": "event_types:read"}
        assert 'scope="mcp:scheduling:read"' in response.headers["www-authenticate"]


def test_get_event_type_equals_rest(mcp: Mcp, api: Api) -> None:
    detail = rest(api, "event_types", f"/v1/event-types/{api.et('intro')}")["data"]
    assert structured(mcp, "get_event_type", {"event_type": api.et("intro").upper()}) == detail
    assert structured(mcp, "get_event_type", {"event_type": "Ada/Intro-Call"}) == detail
    for ref in ("intro-call", "a/b/c", "ada/", "019d48ea-2e00-7f28-9fb1-7c2390c192cz"):
        error = tool_error(mcp, "get_event_type", {"event_type": ref})
        assert error["code"] == "validation_error", ref
        assert error["details"]["fields"][0]["field"] == "event_type"
    for ref in ("ada/no-such-call", "00000000-0000-7000-8000-000000000000", "nobody/intro-call"):
        assert tool_error(mcp, "get_event_type", {"event_type": ref})["code"] == "event_type_not_found"
    missing = tool_error(mcp, "get_event_type", {})
    assert missing["details"]["fields"] == [{"field": "event_type", "message": "Required"}]


def test_list_event_types_equals_rest_and_shares_cursors(mcp: Mcp, api: Api) -> None:
    query = {"sort": "title_asc", "limit": "3"}
    first_rest = rest(api, "event_types", "/v1/event-types", query)
    first = structured(mcp, "list_event_types", {"sort": "title_asc", "limit": 3})
    assert first["event_types"] == first_rest["data"]
    assert first["has_more"] is True and first["next_cursor"] == first_rest["meta"]["next_cursor"]
    # The MCP cursor pages REST, and the REST cursor pages MCP.
    second_rest = rest(api, "event_types", "/v1/event-types", {**query, "cursor": first["next_cursor"]})
    second = structured(
        mcp,
        "list_event_types",
        {"sort": "title_asc", "limit": 3, "cursor": first_rest["meta"]["next_cursor"]},
    )
    assert second["event_types"] == second_rest["data"] and second["event_types"]
    default = structured(mcp, "list_event_types", {})
    assert default["event_types"] == rest(api, "event_types", "/v1/event-types")["data"]
    # Filters: the REST filters, lower-cased as REST does.
    inactive = structured(mcp, "list_event_types", {"active": False})["event_types"]
    assert [e["slug"] for e in inactive] == ["switched-off"]
    by_slug = structured(mcp, "list_event_types", {"slug": "Intro-Call"})["event_types"]
    assert [e["id"] for e in by_slug] == [api.et("intro")]
    hosted = structured(mcp, "list_event_types", {"user_id": api.user("ada").upper()})
    assert (
        hosted["event_types"]
        == rest(api, "event_types", "/v1/event-types", {"user_id": api.user("ada")})["data"]
    )


def test_list_event_types_argument_errors(mcp: Mcp, api: Api) -> None:
    cursor = structured(mcp, "list_event_types", {"limit": 1})["next_cursor"]
    other_sort = tool_error(mcp, "list_event_types", {"limit": 1, "cursor": cursor, "sort": "title_asc"})
    assert other_sort["code"] == "validation_error"
    assert other_sort["details"]["fields"] == [
        {"field": "cursor", "message": "cursor is invalid for this request"}
    ]
    bad = tool_error(mcp, "list_event_types", {"limit": 51, "sort": "newest", "active": "yes", "x": 1})
    assert [f["field"] for f in bad["details"]["fields"]] == ["limit", "sort", "active", "x"]


def test_find_available_slots_equals_rest(mcp: Mcp, api: Api) -> None:
    day = api.fresh_day()
    window = {"start": f"{day}T00:00:00Z", "end": f"{day}T23:59:59Z"}
    slots_rest = rest(api, "slots", "/v1/slots", {"event_type_id": api.et("intro"), **window})["data"]
    assert slots_rest["slots"]
    found = structured(mcp, "find_available_slots", {"event_type": api.et("intro"), **window})
    assert found == slots_rest
    by_slug = structured(
        mcp, "find_available_slots", {"event_type": "ada/intro-call", **window, "timezone": "Asia/Tokyo"}
    )
    assert (
        by_slug
        == rest(
            api,
            "slots",
            "/v1/slots",
            {"username": "ada", "event_slug": "intro-call", **window, "timezone": "Asia/Tokyo"},
        )["data"]
    )
    assert by_slug["timezone"] == "Asia/Tokyo"
    # The narrow credential (slots:read only) may call it.
    assert structured(mcp, "find_available_slots", {"event_type": api.et("intro"), **window}, token="narrow")


def test_find_available_slots_defaults_to_a_week(mcp: Mcp, api: Api) -> None:
    start = f"{api.fresh_day()}T00:00:00Z"
    week = rest(
        api,
        "slots",
        "/v1/slots",
        {"event_type_id": api.et("intro"), "start": start, "end": _plus_days(start, 7)},
    )["data"]
    day = rest(
        api,
        "slots",
        "/v1/slots",
        {"event_type_id": api.et("intro"), "start": start, "end": _plus_days(start, 1)},
    )["data"]
    assert len(week["slots"]) > len(day["slots"]) > 0
    found = structured(mcp, "find_available_slots", {"event_type": api.et("intro"), "start": start})
    assert found["slots"] == week["slots"] and "truncated" not in found  # the 200 cut: tests/unit/mcp


def _plus_days(instant: str, days: int) -> str:
    from datetime import datetime, timedelta

    moved = datetime.fromisoformat(instant.replace("Z", "+00:00")) + timedelta(days=days)
    return moved.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"start": "2026-05-20T10:00:00Z", "end": "2026-05-20T09:00:00Z"}, "end"),
        ({"start": "2026-05-20T10:00:00Z", "end": "2026-06-21T10:00:00Z"}, "end"),
        ({"start": "tomorrow"}, "start"),
        ({"start": "2026-05-20T10:00:00Z", "timezone": "Mars/Olympus"}, "timezone"),
        ({"start": "2026-05-20T10:00:00Z", "event_type": "intro-call"}, "event_type"),
    ],
)
def test_find_available_slots_rule_errors_name_the_argument(
    mcp: Mcp, api: Api, arguments: dict[str, Any], field: str
) -> None:
    error = tool_error(mcp, "find_available_slots", {"event_type": api.et("intro"), **arguments})
    assert error["code"] == "validation_error"
    assert [f["field"] for f in error["details"]["fields"]] == [field]


def test_slot_tools_on_unknown_event_types(mcp: Mcp, api: Api) -> None:
    for tool in ("find_available_slots", "check_slot"):
        error = tool_error(mcp, tool, {"event_type": "ada/nothing", "start": "2026-05-20T10:00:00Z"})
        assert error["code"] == "event_type_not_found"


def test_check_slot_equals_rest(mcp: Mcp, api: Api) -> None:
    day = api.fresh_day()
    free = api.at(day, "10:00")
    check = structured(mcp, "check_slot", {"event_type": api.et("intro"), "start": free})
    assert (
        check
        == rest(api, "slots", "/v1/slots/check", {"event_type_id": api.et("intro"), "start": free})["data"]
    )
    assert check["available"] is True
    api.create("intro", free)
    busy = structured(mcp, "check_slot", {"event_type": "ada/intro-call", "start": free, "timezone": "UTC"})
    assert busy["available"] is False and busy["reason"] == "slot_busy"  # a result, not a tool error
    assert (
        busy
        == rest(
            api, "slots", "/v1/slots/check", {"username": "ada", "event_slug": "intro-call", "start": free}
        )["data"]
    )
    past = structured(mcp, "check_slot", {"event_type": api.et("intro"), "start": "2026-05-01T10:00:00Z"})
    assert past["available"] is False and past["reason"] == "in_past"
    extra = tool_error(mcp, "check_slot", {"event_type": api.et("intro"), "start": free, "end": free})
    assert extra["details"]["fields"] == [{"field": "end", "message": "Unknown argument"}]
    bad_zone = tool_error(
        mcp, "check_slot", {"event_type": api.et("intro"), "start": free, "timezone": "Nowhere"}
    )
    assert bad_zone["details"]["fields"][0]["field"] == "timezone"


@pytest.mark.parametrize("tool", ["find_available_slots", "check_slot"])
def test_a_naive_instant_is_refused_naming_the_argument(mcp: Mcp, api: Api, tool: str) -> None:
    """docs/decisions.md: tools keep 50-mcp's offset rule (REST reads naive times in `timezone`)."""
    naive = api.at(api.fresh_day(), "10:00").removesuffix("Z")
    error = tool_error(mcp, tool, {"event_type": api.et("intro"), "start": naive, "timezone": "UTC"})
    assert error["code"] == "validation_error"
    assert [f["field"] for f in error["details"]["fields"]] == ["start"]
