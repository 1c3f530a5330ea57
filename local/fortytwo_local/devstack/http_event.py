"""API Gateway HTTP API payload format 2.0: the event a route's function receives, and how the
function's answer becomes the HTTP response.

Checked field by field against AWS's documented 2.0 sample (developer guide, "Working with AWS
Lambda proxy integrations for HTTP APIs"): lower-case header names, duplicate headers and query
values joined with "," (no space), `cookies` split out of the Cookie header(s), `rawQueryString`
exactly as sent, `pathParameters`/`queryStringParameters`/`cookies`/`body` absent when empty,
`isBase64Encoded` always present. `rawPath` (and `requestContext.http.path`) is the path as HTTP
APIs hand it over: percent-DECODED (`%2F` is `/`), cut at a decoded `?`; a path with `%25` or a
malformed escape never reaches the function (docs/decisions.md, "Decoded paths").
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, unquote_to_bytes

# Bodies API Gateway hands over as text; everything else (form posts included) arrives base64.
_TEXT_MEDIA_TYPES = frozenset({"application/json", "application/javascript", "application/xml"})


@dataclass(frozen=True)
class HttpRequest:
    method: str
    raw_path: str
    raw_query: str
    headers: list[tuple[str, str]]  # as received, in order, duplicates kept
    body: bytes
    source_ip: str
    server_port: int


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def gateway_error(status: int, message: str) -> HttpResponse:
    """API Gateway's own error answers (no route, function failure, body too large)."""
    return HttpResponse(
        status,
        [("Content-Type", "application/json")],
        json.dumps({"message": message}, separators=(",", ":")).encode(),
    )


class PathRefused(ValueError):
    """API Gateway answers the request itself (400) instead of invoking anything."""


_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})|%25")
_SLASH_RUNS = re.compile(r"/{2,}")


def api_gateway_path(raw_path: str) -> str:
    """The path an HTTP API routes on and gives the function as `rawPath`: percent-decoded once,
    up to a decoded `?`. `%25` (a literal `%`), a malformed escape or bytes that are not UTF-8
    are refused, as API Gateway refuses them."""
    if _ESCAPE.search(raw_path):
        raise PathRefused(raw_path)
    try:
        decoded = unquote_to_bytes(raw_path).decode("utf-8")
    except UnicodeDecodeError:
        raise PathRefused(raw_path) from None
    return decoded.partition("?")[0]


def collapse_slashes(path: str) -> str:
    """Runs of slashes are one slash before routing (00-conventions §1); trailing ones stay."""
    return _SLASH_RUNS.sub("/", path)


def split_target(raw_target: str) -> tuple[str, str]:
    """Request-target → (raw path, raw query string), both exactly as sent."""
    if raw_target.startswith(("http://", "https://")):  # absolute-form: drop scheme and authority
        after_scheme = raw_target.split("://", 1)[1]
        slash = after_scheme.find("/")
        raw_target = after_scheme[slash:] if slash >= 0 else "/"
    raw_path, _, raw_query = raw_target.partition("?")
    raw_query = raw_query.partition("#")[0]
    return raw_path, raw_query


def is_text_body(content_type: str | None, body: bytes) -> bool:
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    textual = (
        media_type.startswith("text/")
        or media_type in _TEXT_MEDIA_TYPES
        or media_type.endswith(("+json", "+xml"))
    )
    if not textual:
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def query_parameters(raw_query: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in raw_query.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        name, value = unquote(name), unquote(value)
        params[name] = f"{params[name]},{value}" if name in params else value
    return params


def build_http_event(
    request: HttpRequest,
    path: str,
    route_key: str,
    path_parameters: dict[str, str],
    account_id: str,
    api_id: str = "local",
    request_id: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    now = time.time() if now is None else now
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        name = name.lower()
        if name == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    # What API Gateway adds in front of the function.
    peer = request.source_ip
    forwarded = headers.get("x-forwarded-for")
    headers["x-forwarded-for"] = f"{forwarded}, {peer}" if forwarded else peer
    headers["x-forwarded-port"] = str(request.server_port)
    headers["x-forwarded-proto"] = "http"
    headers["x-amzn-trace-id"] = f"Root=1-{int(now):08x}-{secrets.token_hex(12)}"

    host = headers.get("host", f"127.0.0.1:{request.server_port}")
    domain = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    request_id = request_id or new_request_id()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": request.raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if request.raw_query:
        event["queryStringParameters"] = query_parameters(request.raw_query)
    event["requestContext"] = {
        "accountId": account_id,
        "apiId": api_id,
        "domainName": domain,
        "domainPrefix": domain.split(".", 1)[0],
        "http": {
            "method": request.method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request_id,
        "routeKey": route_key,
        "stage": "$default",
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
    }
    if path_parameters:
        event["pathParameters"] = path_parameters
    if request.body:
        if is_text_body(headers.get("content-type"), request.body):
            event["body"] = request.body.decode("utf-8")
            event["isBase64Encoded"] = False
        else:
            event["body"] = base64.b64encode(request.body).decode("ascii")
            event["isBase64Encoded"] = True
    else:
        event["isBase64Encoded"] = False
    return event


def new_request_id() -> str:
    """Shaped like API Gateway's ids (e.g. `JBQ8ziRdoAMEVQA=`)."""
    return base64.b64encode(secrets.token_bytes(10)).decode("ascii")


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def http_response_from_result(result: Any) -> HttpResponse:
    """Format 2.0 response → HTTP. A result without `statusCode` is a 200 JSON body, as AWS infers."""
    if not (isinstance(result, dict) and "statusCode" in result):
        body = result if isinstance(result, str) else json.dumps(result)
        return HttpResponse(200, [("content-type", "application/json")], body.encode("utf-8"))
    status = int(result["statusCode"])
    if not 100 <= status <= 599:
        raise ValueError(f"invalid statusCode {status}")
    headers = [(str(name), _header_value(value)) for name, value in (result.get("headers") or {}).items()]
    headers.extend(("set-cookie", str(cookie)) for cookie in result.get("cookies") or [])
    raw = result.get("body")
    if raw is None:
        body = b""
    elif result.get("isBase64Encoded"):
        body = base64.b64decode(raw)
    else:
        body = (raw if isinstance(raw, str) else json.dumps(raw)).encode("utf-8")
    return HttpResponse(status, headers, body)
