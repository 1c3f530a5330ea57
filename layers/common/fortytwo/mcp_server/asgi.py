"""One stateless Streamable HTTP exchange with the SDK (50-mcp §9): the session manager's `run()`
may be entered once per instance, so each request gets a manager around the container's server."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

import anyio
from mcp.server.lowlevel.server import Server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.types import Message

from fortytwo.mcp_server import server as mcp_server

# The SDK logs per request (manager start/stop) and, at DEBUG, messages with their arguments, which
# hold attendee data (50-mcp §9): only its warnings reach the function's logs.
logging.getLogger("mcp").setLevel(logging.WARNING)


@lru_cache(maxsize=1)
def shared_server() -> Server[Any]:
    return mcp_server.build()


async def exchange(scope: dict[str, Any], message: Message) -> tuple[int, bytes]:
    """(status, body) of the SDK's answer to one request."""
    delivered = False
    status = 500
    chunks: list[bytes] = []

    async def receive() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return message
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async def send(event: Message) -> None:
        nonlocal status
        if event["type"] == "http.response.start":
            status = int(event["status"])
        elif event["type"] == "http.response.body":
            chunks.append(bytes(event.get("body", b"")))

    manager = StreamableHTTPSessionManager(app=shared_server(), json_response=True, stateless=True)
    async with manager.run():
        await manager.handle_request(scope, receive, send)
    return status, b"".join(chunks)
