"""Outbound webhook POST with SSRF protection (40-webhooks §7.1, §7.3, §4.3).

Used by the delivery worker and by the synchronous test endpoint. Standard library only, so
the Lambda layer stays small. The rules it enforces:

* every attempt resolves the host afresh and refuses if ANY answer is forbidden;
* it connects to a checked IP itself (no second resolution inside an HTTP client, so DNS
  rebinding cannot slip an internal address in) and re-checks the peer it actually reached;
* TLS verifies the chain and the URL's host name, with SNI set to it; TLS 1.2 or later;
* one total deadline (default 10 s) covers DNS, TCP, TLS, sending and the response head;
* redirects are never followed, proxies from the environment are never used, and at most
  64 KiB of the response body is read (then discarded).

Nothing here logs; callers log ids and outcomes, never bodies, secrets or signatures (§8.8).
"""

from __future__ import annotations

import contextlib
import http.client
import io
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from fortytwo.domain.webhooks.delivery_state import AttemptError, AttemptOutcome, classify_attempt
from fortytwo.domain.webhooks.envelope import OutboundRequest
from fortytwo.domain.webhooks.url_policy import (
    UrlSyntaxError,
    WebhookUrl,
    first_forbidden,
    is_forbidden_address,
    parse_webhook_url,
    to_ip,
)

ATTEMPT_TIMEOUT_SECONDS = 10.0
VALIDATION_DNS_TIMEOUT_SECONDS = 2.0
MAX_RESPONSE_BYTES = 64 * 1024
# Draining the (ignored) response body must not hold a worker for long once the status is known.
BODY_DRAIN_SECONDS = 1.0


class ResolutionFailed(Exception):
    """NXDOMAIN, no A/AAAA records, or another resolver error."""


class ResolutionTimeout(Exception):
    """The resolver gave no answer in time."""


# (host, port, timeout seconds) -> IP address strings; raises ResolutionFailed / ResolutionTimeout.
Resolver = Callable[[str, int, float], list[str]]


def system_resolver(host: str, port: int, timeout: float) -> list[str]:
    """`getaddrinfo` (A and AAAA) bounded by `timeout`: the call itself cannot be interrupted,
    so it runs in a daemon thread that is abandoned if it overruns."""
    answers: list[tuple[int, str]] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            answers.extend((info[0], str(info[4][0])) for info in infos)
        except (OSError, UnicodeError) as exc:
            failure.append(exc)

    worker = threading.Thread(target=run, name="webhook-dns", daemon=True)
    worker.start()
    worker.join(max(0.0, timeout))
    if worker.is_alive():
        raise ResolutionTimeout(host)
    if failure:
        raise ResolutionFailed(f"{host}: {failure[0]}")
    addresses: list[str] = []
    for family, address in answers:
        if family in (socket.AF_INET, socket.AF_INET6) and address not in addresses:
            addresses.append(address)
    if not addresses:
        raise ResolutionFailed(f"{host}: no A or AAAA records")
    return addresses


def check_destination(
    url: WebhookUrl,
    *,
    allow_insecure: bool = False,
    resolver: Resolver = system_resolver,
    timeout: float = VALIDATION_DNS_TIMEOUT_SECONDS,
) -> str | None:
    """The create/PATCH destination check (§4.3): the first forbidden address the host is or
    resolves to, or None when it is acceptable. A name that does not resolve (NXDOMAIN, no
    records, no answer within 2 s) is accepted; its attempts will fail with `dns_failure`."""
    if url.host_kind != "dns":
        return first_forbidden([url.host], allow_insecure=allow_insecure)
    try:
        addresses = resolver(url.host, url.port, timeout)
    except (ResolutionFailed, ResolutionTimeout):
        return None
    return first_forbidden(addresses, allow_insecure=allow_insecure)


@dataclass(frozen=True, slots=True)
class SendResult:
    """What the transport saw: a status code, or a transport error kind (§7.4 values)."""

    status_code: int | None
    error: str | None
    duration_ms: int
    peer: str | None = None

    def outcome(self) -> AttemptOutcome:
        return classify_attempt(self.status_code, self.error, self.duration_ms)


_default_context: ssl.SSLContext | None = None
_context_lock = threading.Lock()


def default_ssl_context() -> ssl.SSLContext:
    """Public CA trust store, host name checking, TLS 1.2+, no client certificate. Built once:
    loading the CA store costs a few milliseconds."""
    global _default_context
    with _context_lock:
        if _default_context is None:
            context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            _default_context = context
        return _default_context


class _Attempt:
    """Bookkeeping of one attempt against a single monotonic deadline."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.start = time.monotonic()
        self.deadline = self.start + timeout

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self.start) * 1000)

    def fail(self, error: AttemptError, peer: str | None = None) -> SendResult:
        duration = self.elapsed_ms()
        if error is AttemptError.TIMEOUT:
            duration = min(duration, int(self.timeout * 1000))
        return SendResult(None, str(error), duration, peer)


class _DeadlineReader(io.RawIOBase):
    """Socket reader whose every `recv` waits only until `deadline`, so a server dribbling one
    byte at a time cannot stretch the attempt past it (a plain socket timeout is per call)."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self._sock = sock
        self.deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("webhook attempt deadline reached")
        self._sock.settimeout(remaining)
        return self._sock.recv_into(buffer)


class _ResponseSource:
    """What `http.client.HTTPResponse` needs from a socket: `makefile("rb")`."""

    def __init__(self, reader: _DeadlineReader) -> None:
        self._reader = reader

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(self._reader)


def _request_head(target: WebhookUrl, headers: Mapping[str, str], body_length: int) -> bytes:
    lines = [f"POST {target.target} HTTP/1.1", f"Host: {target.host_header}"]
    for name, value in headers.items():
        if name.lower() in ("host", "content-length", "transfer-encoding"):
            continue  # the transport owns these
        if any(ch in name + value for ch in "\r\n\0") or not name or ":" in name:
            raise ValueError(f"invalid header {name!r}")
        lines.append(f"{name}: {value}")
    lines.append(f"Content-Length: {body_length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _connect(address: str, port: int, timeout: float) -> socket.socket:
    """TCP to an already checked IP; no name resolution happens here."""
    ip = to_ip(address)
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(max(0.001, timeout))
        sock.connect((str(ip), port) if family == socket.AF_INET else (str(ip), port, 0, 0))
    except BaseException:
        sock.close()
        raise
    return sock


def _send_all(sock: socket.socket, data: bytes, attempt: _Attempt) -> None:
    view = memoryview(data)
    while view:
        remaining = attempt.remaining()
        if remaining <= 0:
            raise TimeoutError("webhook attempt deadline reached")
        sock.settimeout(remaining)
        sent = sock.send(view)
        view = view[sent:]


def post_webhook(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    allow_insecure: bool = False,
    timeout: float = ATTEMPT_TIMEOUT_SECONDS,
    resolver: Resolver = system_resolver,
    ssl_context: ssl.SSLContext | None = None,
    max_response_bytes: int = MAX_RESPONSE_BYTES,
) -> SendResult:
    """POST `body` to `url` once. Never raises for network trouble: failures come back as a
    `SendResult` with an `error` of §7.4. `allow_insecure` (local stack, tests) admits `http`
    and loopback destinations; every other forbidden range stays forbidden."""
    attempt = _Attempt(timeout)
    try:
        target = parse_webhook_url(url, allow_insecure=allow_insecure)
    except UrlSyntaxError:
        # A stored URL that today's policy refuses (e.g. http:// with the dev flag now off).
        return attempt.fail(AttemptError.FORBIDDEN_ADDRESS)
    request = _request_head(target, headers, len(body)) + body  # raises on a malformed header

    if target.host_kind == "dns":
        try:
            addresses = resolver(target.host, target.port, max(0.0, attempt.remaining()))
        except ResolutionTimeout:
            return attempt.fail(AttemptError.TIMEOUT)
        except ResolutionFailed:
            return attempt.fail(AttemptError.DNS_FAILURE)
        if not addresses:
            return attempt.fail(AttemptError.DNS_FAILURE)
    else:
        addresses = [target.host]
    try:
        candidates = list(dict.fromkeys(str(to_ip(a)) for a in addresses))
    except ValueError:
        return attempt.fail(AttemptError.DNS_FAILURE)  # an answer that is not an IP address
    if first_forbidden(candidates, allow_insecure=allow_insecure) is not None:
        return attempt.fail(AttemptError.FORBIDDEN_ADDRESS)

    sock: socket.socket | None = None
    for index, address in enumerate(candidates):
        remaining = attempt.remaining()
        if remaining <= 0:
            return attempt.fail(AttemptError.TIMEOUT)
        # Share what is left between the addresses still to try; the last one gets it all.
        budget = remaining / (len(candidates) - index)
        try:
            sock = _connect(address, target.port, budget)
            break
        except OSError:
            continue
    if sock is None:
        return attempt.fail(_late_or(attempt, AttemptError.CONNECTION_FAILED))

    try:
        return _exchange(sock, target, request, attempt, allow_insecure, ssl_context, max_response_bytes)
    finally:
        sock.close()


def _exchange(
    sock: socket.socket,
    target: WebhookUrl,
    request: bytes,
    attempt: _Attempt,
    allow_insecure: bool,
    ssl_context: ssl.SSLContext | None,
    max_response_bytes: int,
) -> SendResult:
    try:
        peer = str(to_ip(sock.getpeername()[0]))
    except OSError:
        return attempt.fail(AttemptError.CONNECTION_FAILED)
    # The address actually reached must pass too (defence in depth against rebinding).
    if is_forbidden_address(peer, allow_insecure=allow_insecure):
        return attempt.fail(AttemptError.FORBIDDEN_ADDRESS, peer)

    conn: socket.socket = sock
    try:
        if target.scheme == "https":
            context = ssl_context or default_ssl_context()
            try:
                conn = context.wrap_socket(sock, server_hostname=target.host, do_handshake_on_connect=False)
                conn.settimeout(max(0.001, attempt.remaining()))
                conn.do_handshake()
            except TimeoutError:
                return attempt.fail(AttemptError.TIMEOUT, peer)
            except ssl.SSLError:  # before OSError: SSLError is one
                return attempt.fail(AttemptError.TLS_FAILURE, peer)
            except (OSError, ValueError):
                return attempt.fail(_late_or(attempt, AttemptError.CONNECTION_FAILED), peer)
        try:
            _send_all(conn, request, attempt)
            reader = _DeadlineReader(conn, attempt.deadline)
            response = http.client.HTTPResponse(_ResponseSource(reader), method="POST")  # type: ignore[arg-type]
            response.begin()
        except TimeoutError:
            return attempt.fail(AttemptError.TIMEOUT, peer)
        except (OSError, http.client.HTTPException, ValueError):
            # Refused, reset or closed early, or a malformed status line or headers.
            return attempt.fail(_late_or(attempt, AttemptError.CONNECTION_FAILED), peer)

        duration = attempt.elapsed_ms()
        if attempt.remaining() < 0:
            return attempt.fail(AttemptError.TIMEOUT, peer)  # a late 2xx is still a timeout (§7.4)
        status = response.status
        # Read and drop a bounded part of the body, briefly; it never changes the outcome.
        reader.deadline = min(attempt.deadline, time.monotonic() + BODY_DRAIN_SECONDS)
        with contextlib.suppress(Exception):
            response.read(max_response_bytes)
        response.close()
        return SendResult(status, None, duration, peer)
    finally:
        if conn is not sock:
            conn.close()


def _late_or(attempt: _Attempt, error: AttemptError) -> AttemptError:
    """An error surfacing after the deadline is reported as the timeout it really is."""
    return AttemptError.TIMEOUT if attempt.remaining() <= 0 else error


def send(
    request: OutboundRequest,
    *,
    allow_insecure: bool = False,
    timeout: float = ATTEMPT_TIMEOUT_SECONDS,
    resolver: Resolver = system_resolver,
    ssl_context: ssl.SSLContext | None = None,
) -> SendResult:
    """`post_webhook` for a request built by `fortytwo.domain.webhooks.envelope`."""
    return post_webhook(
        request.url,
        request.body,
        request.headers,
        allow_insecure=allow_insecure,
        timeout=timeout,
        resolver=resolver,
        ssl_context=ssl_context,
    )
