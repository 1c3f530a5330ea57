"""MCP through the real McpFunction handler (JSON-RPC over API Gateway events), on the bookings
integration seed and clock."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import Invoker, Response
from tests.integration.bookings.conftest import (  # noqa: F401 - fixtures
    Api,
    FrozenClock,
    _clock_back_to_now,
    api,
    frozen,
    module_moto,
)

pytest.importorskip("mcp", reason="the mcp SDK is not installed")

MODERN = "2026-07-28"
META = {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}


@dataclass
class Mcp:
    """JSON-RPC helpers for POST /mcp, handshake era unless `modern`."""

    api: Api
    ids: Any = field(default_factory=lambda: itertools.count(1))

    def post(
        self,
        message: Any,
        *,
        token: str | None = "full",
        headers: dict[str, str] | None = None,
        raw: bytes | str | None = None,
    ) -> Response:
        hdrs = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
        if token is not None:
            hdrs["authorization"] = (
                f"Bearer {self.api.token(token) if token in self.api.seed['pats'] else token}"
            )
        hdrs.update(headers or {})
        body = raw if raw is not None else json.dumps(message)
        return Invoker()("mcp", "POST", "/mcp", headers=hdrs, body=body)

    def request(self, method: str, params: dict[str, Any] | None = None, **kw: Any) -> Response:
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": next(self.ids), "method": method}
        if params is not None:
            message["params"] = params
        return self.post(message, **kw)

    def modern(
        self, method: str, params: dict[str, Any] | None = None, name: str | None = None, **kw: Any
    ) -> Response:
        headers = {"mcp-protocol-version": MODERN, "mcp-method": method, **kw.pop("headers", {})}
        if name is not None:
            headers["mcp-name"] = name
        return self.request(method, {**(params or {}), "_meta": META}, headers=headers, **kw)

    def call(self, tool: str, arguments: dict[str, Any] | None = None, **kw: Any) -> Response:
        params: dict[str, Any] = {"name": tool}
        if arguments is not None:
            params["arguments"] = arguments
        return self.request("tools/call", params, **kw)

    def result(self, tool: str, arguments: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        response = self.call(tool, arguments, **kw)
        assert response.status == 200, response.text
        return response.json()["result"]


@pytest.fixture
def mcp(api: Api) -> Mcp:  # noqa: F811
    return Mcp(api)
