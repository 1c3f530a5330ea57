"""POST /mcp through McpFunction's handler: edge checks, JSON-RPC envelope, both protocol
generations, status codes and headers (50-mcp §2–§4, §7.1)."""

from __future__ import annotations

import json

from tests.conftest import Invoker
from tests.integration.mcp.conftest import MODERN, Mcp

INIT = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
METADATA = "https://api.42min.test/.well-known/oauth-protected-resource/mcp"


def _common_headers(response) -> None:
    assert response.headers["x-request-id"].startswith("req_")
    assert response.headers["cache-control"] == "no-store"
    assert "x-ratelimit-limit" in response.headers
    assert "mcp-session-id" not in response.headers
    assert not any(h.startswith("access-control-") for h in response.headers)


def test_initialize_echoes_a_handshake_version_and_creates_no_session(mcp: Mcp) -> None:
    response = mcp.request("initialize", INIT)
    assert response.status == 200 and response.headers["content-type"] == "application/json"
    _common_headers(response)
    result = response.json()["result"]
    assert result["protocolVersion"] == "2025-11-25"
    assert result["capabilities"] == {"tools": {"listChanged": False}}
    assert result["serverInfo"]["name"] == "42min" and result["serverInfo"]["title"] == "42min scheduling"
    assert result["serverInfo"]["websiteUrl"] == "https://42min.us/help/api"
    assert result["instructions"].startswith("42min scheduling for one organization")
    for version in ("2025-06-18", "2025-03-26", "2024-11-05"):
        assert (
            mcp.request("initialize", {**INIT, "protocolVersion": version}).json()["result"][
                "protocolVersion"
            ]
            == version
        )
    other = mcp.request("initialize", {**INIT, "protocolVersion": "1999-01-01"})
    assert other.json()["result"]["protocolVersion"] == "2025-11-25"


def test_notifications_are_accepted_with_an_empty_body(mcp: Mcp) -> None:
    response = mcp.post({"jsonrpc": "2.0", "method": "notifications/initialized"})
    assert response.status == 202 and response.text == ""
    assert "content-type" not in response.headers
    _common_headers(response)


def test_ping_and_unknown_methods_in_the_handshake_era(mcp: Mcp) -> None:
    assert mcp.request("ping").json()["result"] == {}
    for method in ("resources/list", "prompts/list", "logging/setLevel", "nope"):
        response = mcp.request(method)
        assert response.status == 200 and response.json()["error"]["code"] == -32601


def test_body_that_is_not_one_message(mcp: Mcp) -> None:
    parse = mcp.post(None, raw="{bad")
    assert parse.status == 400 and parse.json() == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": -32700, "message": "Parse error"},
    }
    for raw in ("[1, 2]", '[{"jsonrpc":"2.0","id":1,"method":"ping"}]', '"x"'):
        batch = mcp.post(None, raw=raw)
        assert batch.status == 400 and batch.json()["error"]["code"] == -32600
    response = mcp.post({"jsonrpc": "2.0", "id": 9, "result": {}})
    assert response.status == 400 and response.json()["error"]["code"] == -32600
    assert response.json()["id"] == 9
    wrong_version = mcp.post({"jsonrpc": "1.0", "id": 1, "method": "ping"})
    assert wrong_version.json()["error"]["code"] == -32600


def test_modern_discover_and_cache_hints(mcp: Mcp) -> None:
    response = mcp.modern("server/discover")
    assert response.status == 200, response.text
    result = response.json()["result"]
    assert result["supportedVersions"] == [MODERN] and result["resultType"] == "complete"
    assert result["ttlMs"] == 3_600_000 and result["cacheScope"] == "public"
    assert result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "42min"
    listed = mcp.modern("tools/list").json()["result"]
    assert listed["ttlMs"] == 300_000 and listed["cacheScope"] == "private"


def test_modern_metadata_errors_are_400(mcp: Mcp) -> None:
    no_meta = mcp.request(
        "tools/list", {}, headers={"mcp-protocol-version": MODERN, "mcp-method": "tools/list"}
    )
    assert no_meta.status == 400 and no_meta.json()["error"]["code"] == -32602
    mismatch = mcp.modern("tools/list", headers={"mcp-method": "server/discover"})
    assert mismatch.status == 400 and mismatch.json()["error"]["code"] == -32020
    unknown = mcp.modern("no/such", headers={})
    assert unknown.status == 404 and unknown.json()["error"]["code"] == -32601
    ping = mcp.modern("ping")
    assert ping.status == 404  # 2026-07-28 removed ping


def test_unsupported_modern_version(mcp: Mcp) -> None:
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2099-01-01",
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    response = mcp.request(
        "tools/list",
        {"_meta": meta},
        headers={"mcp-protocol-version": "2099-01-01", "mcp-method": "tools/list"},
    )
    assert response.status == 400
    error = response.json()["error"]
    assert error["code"] == -32022 and error["data"]["supported"] == [MODERN]


def test_401_names_the_metadata_and_the_aliases(mcp: Mcp) -> None:
    for token in (None, "42min_pat_nope", "garbage"):
        response = mcp.request("tools/list", token=token)
        assert response.status == 401
        challenge = response.headers["www-authenticate"]
        assert f'resource_metadata="{METADATA}"' in challenge
        assert 'scope="mcp:scheduling:read mcp:scheduling:write"' in challenge
        assert response.json()["error"]["code"] == "invalid_token"
        assert response.json()["error"]["request_id"] == response.headers["x-request-id"]
        assert response.headers["x-ratelimit-limit"] == "30"  # the anonymous bucket


def test_edge_checks_answer_with_the_rest_envelope(mcp: Mcp) -> None:
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    origin = mcp.post(ping, headers={"origin": "https://evil.example"})
    assert origin.status == 403 and origin.json()["error"]["code"] == "forbidden"
    assert mcp.post(ping, headers={"origin": "HTTPS://API.42min.test"}).status == 200
    too_large = mcp.post(None, raw=json.dumps({**ping, "params": {"x": "a" * 70_000}}))
    assert too_large.status == 413 and too_large.json()["error"]["code"] == "payload_too_large"
    media = mcp.post(ping, headers={"content-type": "text/plain"})
    assert media.status == 415
    accept = mcp.post(ping, headers={"accept": "text/event-stream"})
    assert accept.status == 406 and accept.json()["error"]["code"] == "invalid_request"
    for ok in ("application/json", "*/*", "application/*;q=0.5"):
        assert mcp.post(ping, headers={"accept": ok}).status == 200


def test_other_methods_are_405_and_subpaths_404(mcp: Mcp) -> None:
    for method in ("GET", "DELETE"):
        response = Invoker()("meta", method, "/mcp")
        assert response.status == 405 and response.headers["allow"] == "POST"
        own = Invoker()("mcp", method, "/mcp")
        assert own.status == 405 and own.headers["allow"] == "POST"
    assert Invoker()("meta", "POST", "/mcp/x").status == 404


def test_session_headers_are_ignored(mcp: Mcp) -> None:
    response = mcp.request("tools/list", headers={"mcp-session-id": "abc", "last-event-id": "1"})
    assert response.status == 200 and "tools" in response.json()["result"]
