"""`POST /mcp` before and around the SDK (50-mcp §2.2, §2.5, §4.3, §4.7).

Steps 1–6 are the REST edge, with the REST guard's functions: authenticate for the `/mcp` audience,
count, 401 (with `resource_metadata`), `Origin`, size, media type, `Accept`; their failures are REST
envelopes. Then the message must be one JSON-RPC request or notification (-32700, -32600); the SDK,
stateless and answering JSON, does the rest. Its answer gets the HTTP status of §2.5's table.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message

from fortytwo.config import get_settings
from fortytwo.contract.errors import ApiError, Forbidden, NotAcceptable, UnsupportedMediaType
from fortytwo.domain import json_text
from fortytwo.domain.auth import AuthContext
from fortytwo.domain.json_text import is_json_media_type
from fortytwo.domain.oauth.discovery import mcp_resource
from fortytwo.domain.scopes import MCP_ALIASES
from fortytwo.http.body import raw_body
from fortytwo.http.guard import authenticated
from fortytwo.mcp_server.catalogue import BY_NAME

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
HANDSHAKE_VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05")
# The requests served to handshake-era clients (§3); the SDK knows more (logging, resources…).
HANDSHAKE_METHODS = ("initialize", "ping", "tools/list", "tools/call")
_ACCEPTED = ("application/json", "application/*", "*/*")
# §2.5: HTTP status of a JSON-RPC error, (modern, handshake era); anything else is 200.
_ERROR_STATUS = {
    -32700: (400, 400),
    -32600: (400, 400),
    -32602: (400, 200),
    -32020: (400, 200),
    -32021: (400, 200),
    -32022: (400, 200),
    -32601: (404, 200),
    -31403: (403, 403),
}


def resource() -> str:
    """The token audience and RFC 9728 resource of the MCP server."""
    return mcp_resource(get_settings().public_base_url)


def metadata_url() -> str:
    return f"{get_settings().public_base_url}/.well-known/oauth-protected-resource/mcp"


def _challenge_params() -> str:
    return f'resource_metadata="{metadata_url()}", scope="{" ".join(MCP_ALIASES)}"'


def authenticate(request: Request) -> AuthContext:
    """Steps 1–2; every 401 names the metadata document and the aliases (§4.3)."""
    try:
        return authenticated(request, resource())
    except ApiError as err:
        if err.status == 401:
            err.headers["WWW-Authenticate"] += ", " + _challenge_params()
        raise


def _origin_allowed(origin: str | None) -> bool:
    if origin is None:
        return True
    return origin.strip().rstrip("/").lower() == get_settings().public_base_url.lower()


def _accepts_json(accept: str | None) -> bool:
    if accept is None:
        return True
    ranges = (part.split(";", 1)[0].strip().lower() for part in accept.split(","))
    return any(r in _ACCEPTED for r in ranges)


async def edge_checks(request: Request) -> bytes:
    """Steps 3–6 (after authentication): the body, once checked."""
    if not _origin_allowed(request.headers.get("origin")):
        raise Forbidden("The Origin of this request is not allowed.")
    body = await raw_body(request)
    if not is_json_media_type(request.headers.get("content-type")):
        raise UnsupportedMediaType()
    if not _accepts_json(request.headers.get("accept")):
        raise NotAcceptable()
    return body


def rpc_error(code: int, message: str, message_id: Any = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": message_id, "error": {"code": code, "message": message}}


def _valid_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def envelope_error(body: bytes) -> dict[str, Any] | None:
    """Step 7: None for one JSON-RPC request or notification, else the -32700 / -32600 answer."""
    try:
        message = json_text.loads(body)
    except json_text.JsonTextError:
        return rpc_error(PARSE_ERROR, "Parse error")
    if not isinstance(message, dict):
        return rpc_error(INVALID_REQUEST, "Invalid Request: send one JSON-RPC request or notification")
    message_id = message.get("id") if _valid_id(message.get("id")) else None
    well_formed = (
        message.get("jsonrpc") == "2.0"
        and isinstance(message.get("method"), str)
        and ("id" not in message or _valid_id(message["id"]))
        and isinstance(message.get("params", {}), dict)
    )
    if not well_formed:
        return rpc_error(
            INVALID_REQUEST, "Invalid Request: send one JSON-RPC request or notification", message_id
        )
    return None


def unserved(request: Request, body: bytes) -> dict[str, Any] | None:
    """Step 9 for handshake-era requests: a method outside §3 is -32601 whatever its params (the
    modern generation's methods are the SDK's to refuse, after its metadata checks)."""
    if is_modern(request):
        return None
    message = json.loads(body)
    if "id" not in message or message["method"] in HANDSHAKE_METHODS:
        return None
    return rpc_error(METHOD_NOT_FOUND, "Method not found", message["id"])


def is_modern(request: Request) -> bool:
    version = request.headers.get("mcp-protocol-version")
    return version is not None and version not in HANDSHAKE_VERSIONS


def status_for(body: bytes, modern: bool) -> int:
    """§2.5: results (tool errors included) are 200; errors by code and protocol generation."""
    try:
        message = json.loads(body)
    except ValueError:
        return 200
    error = message.get("error") if isinstance(message, dict) else None
    if not isinstance(error, dict):
        return 200
    code = error.get("code")
    modern_status, handshake_status = _ERROR_STATUS.get(code if isinstance(code, int) else 0, (200, 200))
    return modern_status if modern else handshake_status


def scope_challenge(body: bytes) -> dict[str, str]:
    """§4.7: the 403 of a tool outside the credential's scopes names the alias that covers it."""
    error = json.loads(body).get("error", {})
    data = error.get("data") or {}
    scope = (data.get("details") or {}).get("required_scope", "")
    alias = next((t.alias for t in BY_NAME.values() if t.scope == scope), "")
    return {
        "WWW-Authenticate": (
            f'Bearer realm="42min", error="insufficient_scope", scope="{alias}", '
            f'resource_metadata="{metadata_url()}", error_description="{error.get("message", "")}"'
        )
    }


def sdk_scope(request: Request, body: bytes) -> tuple[dict[str, Any], Message]:
    """The request as the SDK sees it: the checked body, and `Accept`/`Content-Type` already
    settled by the front (the SDK's own negotiation would answer differently)."""
    headers = [
        (k, v)
        for k, v in request.scope["headers"]
        if k not in (b"accept", b"content-type", b"content-length", b"mcp-session-id", b"last-event-id")
    ]
    headers += [
        (b"accept", b"application/json, text/event-stream"),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    scope = {**request.scope, "headers": headers, "path": "/mcp", "raw_path": b"/mcp"}
    return scope, {"type": "http.request", "body": body, "more_body": False}


def finish(request: Request, status: int, body: bytes) -> Response:
    """The SDK's answer with the status of §2.5; a notification's 202 has no body and no type."""
    if status == 202 or not body:
        return Response(status_code=202)
    modern = is_modern(request)
    code = status_for(body, modern) if status < 300 or status == 400 or status == 404 else status
    headers = scope_challenge(body) if code == 403 else {}
    return Response(body, status_code=code, headers=headers, media_type="application/json")
