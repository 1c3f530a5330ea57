"""An AI assistant's whole path to a booking (issue 15, "Done means"), with the official `mcp`
Python client against the local stack: the 401 names the metadata → discovery → dynamic client
registration → PKCE in headless Chromium (sign in, approve) → a token for the `/mcp` audience →
tools/list → tools/call of the booking tools, whose results equal the REST answers.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import anyio
import httpx
import pytest
from browser_support import Callback, sign_in, wait_for_url
from oauth_support import query_of
from test_oauth_browser_e2e import press

pytest.importorskip("mcp", reason="the mcp SDK is not installed")
pytestmark = pytest.mark.xdist_group("oauth-browser")

SCOPE = "mcp:scheduling:read mcp:scheduling:write offline_access"


def agent_day() -> str:
    """A weekday of this test's own, well past the days the other e2e tests book (two weeks on)."""
    day = datetime.now(UTC).date() + timedelta(days=45)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.isoformat()


class Storage:
    """The client's token and registration store (in memory, one run)."""

    def __init__(self) -> None:
        self.tokens: Any = None
        self.client_info: Any = None

    async def get_tokens(self) -> Any:
        return self.tokens

    async def set_tokens(self, tokens: Any) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> Any:
        return self.client_info

    async def set_client_info(self, client_info: Any) -> None:
        self.client_info = client_info


def test_agent_signs_in_and_books_reschedules_cancels(
    stack: Any,
    browser_factory: Any,  # noqa: F811
    callback: Callback,  # noqa: F811
) -> None:
    import httpx2
    from mcp.client import Client
    from mcp.client.auth import AuthorizationCodeResult, OAuthClientProvider
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared.auth import OAuthClientMetadata

    base = stack.base_url
    driver = browser_factory()
    storage = Storage()
    landed: dict[str, str] = {}

    def approve_in_browser(url: str) -> None:
        assert f"resource={urlencode({'r': base + '/mcp'})[2:]}" in url  # RFC 8707 on authorize
        driver.get(url)
        sign_in(driver)
        press(driver, "approve")
        landed.update(query_of(wait_for_url(driver, callback.redirect_uri)))

    async def redirect_handler(url: str) -> None:
        await anyio.to_thread.run_sync(approve_in_browser, url)

    async def callback_handler() -> AuthorizationCodeResult:
        return AuthorizationCodeResult(code=landed["code"], state=landed.get("state"), iss=landed.get("iss"))

    provider = OAuthClientProvider(
        server_url=f"{base}/mcp",
        client_metadata=OAuthClientMetadata(
            client_name="e2e assistant",
            redirect_uris=[callback.redirect_uri],
            token_endpoint_auth_method="none",
            scope=SCOPE,
        ),
        storage=storage,
        redirect_handler=redirect_handler,
        callback_handler=callback_handler,
    )
    day = agent_day()

    async def agent() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        async with (
            httpx2.AsyncClient(auth=provider, timeout=60) as http,
            Client(streamable_http_client(f"{base}/mcp", http_client=http)) as client,
        ):
            tools = await client.list_tools()
            seen["tools"] = sorted(t.name for t in tools.tools)
            me = await client.call_tool("get_me", {})
            seen["me"] = me.structured_content
            # An assistant finds the event type and a free time before booking (the client checks
            # every structured result against the tool's outputSchema).
            listed_types = await client.call_tool("list_event_types", {"slug": "intro-call"})
            assert not listed_types.is_error, listed_types
            seen["event_types"] = listed_types.structured_content
            event_type = await client.call_tool("get_event_type", {"event_type": "ada/intro-call"})
            assert not event_type.is_error, event_type
            seen["event_type"] = event_type.structured_content
            window = {"start": f"{day}T00:00:00Z", "end": f"{day}T23:59:59Z"}
            found = await client.call_tool(
                "find_available_slots", {"event_type": event_type.structured_content["id"], **window}
            )
            assert not found.is_error, found
            seen["slots"] = found.structured_content
            checked = await client.call_tool(
                "check_slot", {"event_type": "ada/intro-call", "start": f"{day}T10:00:00Z"}
            )
            assert not checked.is_error and checked.structured_content["available"] is True, checked
            seen["check"] = checked.structured_content
            created = await client.call_tool(
                "create_booking",
                {
                    "event_type": "ada/intro-call",
                    "start": f"{day}T10:00:00Z",
                    "attendee": {"email": "bob@example.com", "name": "Bob Builder"},
                    "idempotency_key": "e2e-agent-1",
                },
            )
            assert not created.is_error, created
            seen["created"] = created.structured_content
            uid = created.structured_content["uid"]
            moved = await client.call_tool(
                "reschedule_booking",
                {"uid": uid, "start": f"{day}T11:00:00Z", "idempotency_key": "e2e-2"},
            )
            assert not moved.is_error, moved
            seen["moved"] = moved.structured_content
            canceled = await client.call_tool(
                "cancel_booking", {"uid": moved.structured_content["uid"], "reason": "done"}
            )
            seen["canceled"] = canceled.structured_content
            listed = await client.call_tool("list_bookings", {"start_date": f"{day}T00:00:00Z", "limit": 50})
            seen["listed"] = listed.structured_content
            after_writes = await client.call_tool(
                "check_slot", {"event_type": "ada/intro-call", "start": f"{day}T10:00:00Z"}
            )
            seen["after_writes"] = after_writes.structured_content
        return seen

    seen = anyio.run(agent)
    assert {
        "get_me",
        "list_event_types",
        "get_event_type",
        "find_available_slots",
        "check_slot",
        "create_booking",
        "cancel_booking",
        "reschedule_booking",
        "list_bookings",
    } <= set(seen["tools"])
    assert landed["iss"] == base and storage.client_info.client_id
    token = storage.tokens.access_token
    with httpx.Client(timeout=30) as http:
        # The token is for /mcp only (RFC 8707 audience): REST refuses it.
        assert http.get(f"{base}/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
        pat = {"Authorization": f"Bearer {stack.pat('full')}"}
        assert seen["me"] == http.get(f"{base}/v1/me", headers=pat).json()["data"]
        event_type = seen["event_type"]
        rest_types = http.get(f"{base}/v1/event-types", params={"slug": "intro-call"}, headers=pat).json()
        assert seen["event_types"] == {
            "event_types": rest_types["data"],
            "next_cursor": rest_types["meta"]["next_cursor"],
            "has_more": rest_types["meta"]["has_more"],
        }
        assert event_type == http.get(f"{base}/v1/event-types/ada%2Fintro-call", headers=pat).json()["data"]
        # The slots the agent saw are the REST slots of that day (10:00 was free then).
        assert f"{day}T10:00:00.000Z" in [slot["start"] for slot in seen["slots"]["slots"]]
        assert seen["slots"]["event_type_id"] == event_type["id"]
        # After the agent's writes (10:00 moved to 11:00, then canceled), 10:00 is free again.
        assert (
            seen["after_writes"]
            == http.get(
                f"{base}/v1/slots/check",
                params={"event_type_id": event_type["id"], "start": f"{day}T10:00:00Z"},
                headers=pat,
            ).json()["data"]
        )
        for key in ("created", "canceled"):
            uid = seen[key]["uid"]
            rest = http.get(f"{base}/v1/bookings/{uid}", headers=pat).json()["data"]
            if key == "canceled":
                assert rest == seen[key]
            else:
                assert rest["uid"] == uid and rest["status"] == "rescheduled"
        assert seen["moved"]["rescheduled_from_uid"] == seen["created"]["uid"]
        rest_list = http.get(
            f"{base}/v1/bookings", params={"start_date": f"{day}T00:00:00Z", "limit": "50"}, headers=pat
        ).json()
        assert seen["listed"]["bookings"] == rest_list["data"]
        # The same key over REST replays the booking the agent created.
        replay = http.post(
            f"{base}/v1/bookings",
            json={
                "username": "ada",
                "event_slug": "intro-call",
                "start": f"{day}T10:00:00Z",
                "attendee": {"email": "bob@example.com", "name": "Bob Builder"},
            },
            headers={**pat, "Idempotency-Key": "e2e-agent-1"},
        )
        assert (
            replay.headers.get("idempotent-replayed") == "true" and replay.json()["data"] == seen["created"]
        )
