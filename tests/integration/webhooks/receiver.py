"""A real HTTP receiver on loopback and a signature verifier written from the receiver's
checklist of 40-webhooks §9, independently of the project's signing code (it imports nothing
from `fortytwo`), so a bug in the signer cannot hide behind the same bug in the check.

Shared by the integration tests and the end-to-end tests.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOLERANCE_SECONDS = 300
DELIVERY_ID = re.compile(r"[A-Za-z0-9_.-]{1,128}")


def check_signature(
    raw_body: bytes, header: str | None, secrets: Sequence[str], *, now: float | None = None
) -> str | None:
    """None when the header verifies against one of `secrets`, else the reason it does not.

    Checklist item 4: the header is split into `key=value` pairs and read by key (never by
    position); `t` must be all digits and within 300 s of our clock; the MAC is HMAC-SHA256
    keyed with the whole secret string over `t`, a dot, and the raw bytes as received;
    candidates are compared in constant time.
    """
    if header is None:
        return "no signature header"
    pairs: dict[str, list[str]] = {}
    for element in header.split(","):
        name, sep, value = element.partition("=")
        if sep:
            pairs.setdefault(name.strip(), []).append(value.strip())
    timestamps = pairs.get("t", [])
    candidates = pairs.get("v1", [])
    if len(timestamps) != 1 or not candidates:
        return "header lacks t or v1"
    stamp = timestamps[0]
    if not stamp or not all("0" <= ch <= "9" for ch in stamp):
        return "t is not a number of seconds"
    clock = time.time() if now is None else now
    if abs(clock - int(stamp)) > TOLERANCE_SECONDS:
        return "t is outside the tolerance"
    message = b"".join((stamp.encode("ascii"), b".", raw_body))
    for secret in secrets:
        mac = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
        for candidate in candidates:
            if hmac.compare_digest(mac.encode("ascii"), candidate.encode("utf-8", "replace")):
                return None
    return "no v1 matches"


@dataclass
class Received:
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    at: float  # time.time() when the request was read
    answered: int
    verify_error: str | None  # None: verified with one of the path's secrets

    @property
    def delivery_id(self) -> str:
        return self.headers.get("x-42min-webhook-id", "")

    @property
    def attempt(self) -> int:
        return int(self.headers.get("x-42min-webhook-attempt", "0"))

    @property
    def event(self) -> str:
        return self.headers.get("x-42min-webhook-event", "")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every POST. Per path: the secrets it verifies with and the status it answers
    (a fixed code, or a callable of the request). Unknown paths answer 204."""

    host: str = "127.0.0.1"
    secrets: dict[str, list[str]] = field(default_factory=dict)
    statuses: dict[str, int | Callable[[Received], int]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver._handle(self, self.path, headers, body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="webhook-receiver", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def _handle(
        self, handler: BaseHTTPRequestHandler, path: str, headers: dict[str, str], body: bytes
    ) -> None:
        verify_error = check_signature(
            body, headers.get("x-42min-webhook-signature"), self.secrets.get(path, [])
        )
        if verify_error is None and not DELIVERY_ID.fullmatch(headers.get("x-42min-webhook-id", "")):
            verify_error = "bad delivery id"
        record = Received(path, headers, body, time.time(), 0, verify_error)
        rule = self.statuses.get(path, 204)
        status = rule(record) if callable(rule) else rule
        record.answered = status
        # Recorded before answering: a sender that got the answer finds the request already here.
        with self._changed:
            self.received.append(record)
            self._changed.notify_all()
        handler.send_response(status)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def on(self, path: str) -> list[Received]:
        with self._changed:
            return [r for r in self.received if r.path == path]

    def wait_for(self, predicate: Callable[[list[Received]], bool], timeout: float = 20.0) -> list[Received]:
        """Block until `predicate(all requests so far)` holds; returns them (fails on timeout)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(list(self.received)):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"receiver: condition not met after {timeout}s; got {self.summary()}"
                    )
                self._changed.wait(remaining)
            return list(self.received)

    def summary(self) -> list[tuple[str, str, int, int]]:
        return [(r.path, r.delivery_id, r.attempt, r.answered) for r in self.received]
