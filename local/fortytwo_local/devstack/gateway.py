"""The HTTP front door: one thread per request, each turned into an HTTP API (payload 2.0)
event for the function the template routes it to.

Requests are never serialised here: concurrent requests run their handlers concurrently, as
separate Lambda instances would.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fortytwo_local.devstack.functions import (
    FunctionError,
    LocalFunction,
    RequestTooLarge,
    release_thread_loop,
)
from fortytwo_local.devstack.http_event import (
    HttpRequest,
    HttpResponse,
    PathRefused,
    api_gateway_path,
    build_http_event,
    collapse_slashes,
    gateway_error,
    http_response_from_result,
    new_request_id,
    split_target,
)
from fortytwo_local.devstack.routing import RouteTable

log = logging.getLogger("fortytwo.devstack")
access_log = logging.getLogger("fortytwo.devstack.access")

# HTTP API's payload limit (10 MB). Lambda's own limit on the event (6 MB, checked by
# LocalFunction.invoke) usually hits first; the functions enforce the API's 64 KiB themselves.
MAX_BODY_BYTES = 10 * 1024 * 1024
TOO_LARGE = "Request Entity Too Large"

# Set by the gateway itself; a function's values for these are not passed through.
_HOP_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive", "date"})


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Gateway:
    def __init__(
        self, host: str, port: int, routes: RouteTable, functions: dict[str, LocalFunction], account_id: str
    ) -> None:
        self.routes = routes
        self.functions = functions
        self.account_id = account_id
        handler = type("GatewayRequestHandler", (_RequestHandler,), {"gateway": self})
        self._server = _Server((host, port), handler)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.2},
            name="devstack-gateway",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._server.server_close()

    def handle(self, request: HttpRequest) -> HttpResponse:
        try:
            path = api_gateway_path(request.raw_path)
        except PathRefused:
            return gateway_error(400, "Bad Request")
        match = self.routes.match(request.method, collapse_slashes(path))
        if match is None:
            return gateway_error(404, "Not Found")
        request_id = new_request_id()
        event = build_http_event(
            request,
            path,
            match.route.route_key,
            match.path_parameters,
            self.account_id,
            request_id=request_id,
        )
        function = self.functions[match.route.function_id]
        try:
            response = http_response_from_result(function.invoke(event).result)
        except RequestTooLarge:
            response = gateway_error(413, TOO_LARGE)  # Lambda refused the invoke: nothing ran
        except FunctionError:
            response = gateway_error(500, "Internal Server Error")  # traceback already logged
        except (ValueError, TypeError) as exc:
            log.error("devstack: %s returned a malformed response: %s", function.name, exc)
            response = gateway_error(500, "Internal Server Error")
        response.headers.append(("apigw-requestid", request_id))
        return response


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # concurrency tests open many connections at once

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up is not worth a traceback; anything else is.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            log.debug("devstack gateway: %s went away", client_address)
        else:
            log.exception("devstack gateway: error serving %s", client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    gateway: Gateway

    def __getattr__(self, name: str) -> Any:
        # Every method goes to the same place: routing decides, not http.server.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def handle(self) -> None:
        try:
            super().handle()
        finally:
            release_thread_loop()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        log.debug("devstack gateway: " + format, *args)

    def _serve(self) -> None:
        started = time.monotonic()
        # http.server collapses a leading `//` in self.path; the request line keeps what was sent.
        parts = self.requestline.split()
        raw_target = parts[1] if len(parts) >= 2 else self.path
        raw_path, raw_query = split_target(raw_target)
        try:
            body = self._read_body()
        except _BadRequest as exc:
            self.close_connection = True
            response = gateway_error(exc.status, exc.message)
        else:
            request = HttpRequest(
                method=self.command,
                raw_path=raw_path,
                raw_query=raw_query,
                headers=[(name, value) for name, value in self.headers.items()],
                body=body,
                source_ip=self.client_address[0],
                server_port=self.server.server_address[1],
            )
            try:
                response = self.gateway.handle(request)
            except Exception:  # a bug here must not kill the connection silently
                log.exception("devstack: gateway failure")
                response = gateway_error(500, "Internal Server Error")
        try:
            self._write(response)
        except ConnectionError:
            self.close_connection = True
        access_log.info(
            "%s %s %d %.0fms", self.command, raw_target, response.status, (time.monotonic() - started) * 1000
        )

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            return b""
        try:
            length = int(length_header)
        except ValueError:
            raise _BadRequest(400, "Bad Request") from None
        if length < 0:
            raise _BadRequest(400, "Bad Request")
        if length > MAX_BODY_BYTES:
            raise _BadRequest(413, TOO_LARGE)
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _BadRequest(400, "Bad Request") from None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                raise _BadRequest(413, TOO_LARGE)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _write(self, response: HttpResponse) -> None:
        try:
            phrase = HTTPStatus(response.status).phrase
        except ValueError:
            phrase = ""
        self.wfile.write(f"HTTP/1.1 {response.status} {phrase}\r\n".encode("latin-1"))
        headers = [(n, v) for n, v in response.headers if n.lower() not in _HOP_HEADERS]
        headers.append(("Date", formatdate(usegmt=True)))
        no_body = self.command == "HEAD" or response.status in (204, 304) or response.status < 200
        if response.status not in (204, 304) and response.status >= 200:
            headers.append(("Content-Length", str(len(response.body))))
        if self.close_connection:
            headers.append(("Connection", "close"))
        lines = []
        for name, value in headers:
            # A header value must never smuggle a line break into the response.
            value = value.replace("\r", " ").replace("\n", " ")
            lines.append(f"{name}: {value}\r\n")
        self.wfile.write(("".join(lines) + "\r\n").encode("latin-1", errors="replace"))
        if not no_body:
            self.wfile.write(response.body)
        self.wfile.flush()
