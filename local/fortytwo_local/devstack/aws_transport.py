"""In-process transport from boto3 to the emulator's WSGI app.

The functions run in the same process as moto's server, yet every AWS call would cross a fresh
TCP connection (moto's werkzeug server closes each one) and a new server thread: about half
of a call's cost. A botocore `before-send` hook hands requests for the emulator's endpoint
straight to the same WSGI app (same locks, same write counter), so only the socket is skipped.
Other processes (the `42min` CLI) still use the HTTP endpoint. Set
FORTYTWO_DEVSTACK_AWS_OVER_HTTP=1 to send everything over HTTP.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.handlers import BUILTIN_HANDLERS

WsgiApp = Callable[..., Iterable[bytes]]

_apps: dict[str, WsgiApp] = {}  # endpoint URL → app
_lock = threading.Lock()


class _RawBody:
    """What AWSResponse reads its body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_kwargs: Any) -> Iterator[bytes]:
        yield self._body


def install(endpoint_url: str, app: WsgiApp) -> None:
    """Serve `endpoint_url` in-process for every botocore session created from now on."""
    with _lock:
        _apps[endpoint_url.rstrip("/")] = app
        if ("before-send", _before_send) not in BUILTIN_HANDLERS:
            BUILTIN_HANDLERS.append(("before-send", _before_send))


def uninstall(endpoint_url: str) -> None:
    with _lock:
        _apps.pop(endpoint_url.rstrip("/"), None)


def _before_send(request: AWSPreparedRequest, **_kwargs: Any) -> AWSResponse | None:
    url = request.url or ""
    for endpoint, app in list(_apps.items()):
        if url == endpoint or url.startswith(endpoint + "/") or url.startswith(endpoint + "?"):
            return _call(app, request)
    return None  # not ours: botocore sends it over the network


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        if hasattr(body, "seek"):
            body.seek(0)  # botocore may retry with the same stream
        return data if isinstance(data, bytes) else data.encode("utf-8")
    return bytes(body)


def _call(app: WsgiApp, request: AWSPreparedRequest) -> AWSResponse:
    parts = urlsplit(request.url)
    body = _body_bytes(request.body)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": parts.path or "/",
        "QUERY_STRING": parts.query,
        "SERVER_NAME": parts.hostname or "127.0.0.1",
        "SERVER_PORT": str(parts.port or 80),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": parts.netloc,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": parts.scheme or "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in request.headers.items():
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = text
        elif key != "CONTENT_LENGTH":
            environ[f"HTTP_{key}"] = text
    captured: dict[str, Any] = {}

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[..., Any]:
        captured["status"] = int(status.split(" ", 1)[0])
        captured["headers"] = headers
        return lambda _data: None

    result = app(environ, start_response)
    try:
        data = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return AWSResponse(request.url, captured["status"], dict(captured["headers"]), _RawBody(data))
