"""McpFunction: `POST /mcp`, the MCP server for AI assistants (50-mcp).

The REST edge first (`mcp_server.front`: authentication for the `/mcp` audience, rate limit, Origin,
size, media type, Accept, JSON-RPC envelope), then one stateless exchange with the SDK's low-level
server (`mcp_server.asgi`), whose tools call the same services as the REST handlers.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fortytwo.http.app import create_app
from fortytwo.http.lambda_entry import make_handler
from fortytwo.http.responses import json_response
from fortytwo.mcp_server import front

app = create_app("42min mcp")


@app.post("/mcp")
async def mcp(request: Request) -> Response:
    front.authenticate(request)
    body = await front.edge_checks(request)
    refused = front.envelope_error(body)
    if refused is not None:
        return json_response(refused, 400)
    unserved = front.unserved(request, body)
    if unserved is not None:
        return json_response(unserved, 200)
    # Imported on the first message that reaches the SDK: 401s and edge failures stay cheap.
    from fortytwo.mcp_server import asgi

    status, answer = await asgi.exchange(*front.sdk_scope(request, body))
    return front.finish(request, status, answer)


handler = make_handler(app)
