"""The outbound POST against a real loopback server (40-webhooks §7.1, §7.3, §7.4)."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from webhook_vectors import SECRET

from fortytwo.adapters import webhook_http
from fortytwo.adapters.webhook_http import (
    ResolutionFailed,
    ResolutionTimeout,
    SendResult,
    check_destination,
    post_webhook,
    send,
    system_resolver,
)
from fortytwo.domain.timefmt import parse_ts
from fortytwo.domain.webhooks.delivery_state import AttemptError
from fortytwo.domain.webhooks.envelope import build_test_delivery
from fortytwo.domain.webhooks.signature import verify_signature
from fortytwo.domain.webhooks.url_policy import parse_webhook_url


@dataclass
class Seen:
    path: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class Server:
    port: int
    seen: list[Seen] = field(default_factory=list)

    def url(self, path: str, scheme: str = "http", host: str = "127.0.0.1") -> str:
        return f"{scheme}://{host}:{self.port}{path}"


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
            pass

        def do_POST(self) -> None:  # noqa: N802 - http.server naming
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            server.seen.append(Seen(self.path, list(self.headers.items()), body))
            route = self.path.split("?")[0]
            if route == "/slow":
                time.sleep(1.5)
            if route == "/drip":
                for byte in b"HTTP/1.1 200 OK\r\n":
                    time.sleep(0.1)
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                return
            if route == "/garbage":
                self.wfile.write(b"HELLO THERE\r\n\r\n")
                return
            if route == "/hangup":
                self.close_connection = True
                return
            status = {"/ok": 200, "/accepted": 204, "/error": 500, "/gone": 410, "/redirect": 302}.get(
                route, 404
            )
            payload = b"x" * (1 << 20) if route == "/big" else b"ok"
            self.send_response(200 if route == "/big" else status)
            if route == "/redirect":
                self.send_header("Location", server.url("/ok"))
            if status != 204:
                self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if status != 204:
                self.wfile.write(payload)

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client hanging up early (timeouts, the bounded body read) is expected here


@pytest.fixture
def server() -> Iterator[Server]:
    httpd = _QuietServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = Server(httpd.server_address[1])
    httpd.RequestHandlerClass = _handler(state)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def _post(url: str, **kwargs: object) -> SendResult:
    return post_webhook(url, b'{"a":1}', {"Content-Type": "application/json"}, allow_insecure=True, **kwargs)  # type: ignore[arg-type]


def test_200_and_exact_request(server: Server) -> None:
    now = parse_ts("2026-05-20T09:05:00.000Z")
    test = build_test_delivery(
        events=["booking_created"], url=server.url("/ok?x=1&y=%2F"), secret=SECRET, now=now
    )
    result = send(test.request, allow_insecure=True)
    assert result.status_code == 200 and result.error is None and result.peer == "127.0.0.1"
    assert 0 <= result.duration_ms < 5000
    assert result.outcome().ok
    [seen] = server.seen
    assert seen.path == "/ok?x=1&y=%2F"
    assert seen.body == test.request.body
    headers = dict(seen.headers)
    assert [name.lower() for name, _ in seen.headers] == [
        "host",
        "content-type",
        "user-agent",
        "x-42min-webhook-signature",
        "x-42min-webhook-event",
        "x-42min-webhook-id",
        "x-42min-webhook-attempt",
        "content-length",
    ]
    assert headers["Host"] == f"127.0.0.1:{server.port}"
    assert headers["Content-Length"] == str(len(test.request.body))
    assert headers["User-Agent"] == "42min-Webhooks/1"
    assert headers["X-42min-Webhook-Attempt"] == "1"
    assert verify_signature(headers["X-42min-Webhook-Signature"], seen.body, [SECRET], now=1779267900)


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        ("/accepted", 204, None),
        ("/error", 500, AttemptError.HTTP_ERROR),
        ("/gone", 410, AttemptError.ENDPOINT_GONE),
        ("/missing", 404, AttemptError.HTTP_ERROR),
        ("/big", 200, None),
    ],
)
def test_status_outcomes(server: Server, path: str, status: int, error: AttemptError | None) -> None:
    started = time.monotonic()
    result = _post(server.url(path))
    assert time.monotonic() - started < 3
    assert (result.status_code, result.error) == (status, None)
    assert result.outcome().error is error


def test_redirect_is_not_followed(server: Server) -> None:
    result = _post(server.url("/redirect"))
    assert result.status_code == 302
    assert result.outcome().error is AttemptError.REDIRECT_NOT_FOLLOWED
    assert [s.path for s in server.seen] == ["/redirect"]


def test_timeout_waiting_for_the_response(server: Server) -> None:
    started = time.monotonic()
    result = _post(server.url("/slow"), timeout=0.3)
    elapsed = time.monotonic() - started
    assert result.error == "timeout" and result.status_code is None
    assert 0.25 <= elapsed < 1.0
    assert 250 <= result.duration_ms <= 300


def test_dribbling_server_cannot_stretch_the_deadline(server: Server) -> None:
    started = time.monotonic()
    result = _post(server.url("/drip"), timeout=0.5)
    assert result.error == "timeout"
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("path", ["/garbage", "/hangup"])
def test_malformed_or_missing_response(server: Server, path: str) -> None:
    assert _post(server.url(path)).error == "connection_failed"


def test_connection_refused() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    result = _post(f"http://127.0.0.1:{port}/ok")
    assert result.error == "connection_failed" and result.status_code is None


def test_loopback_is_refused_without_the_development_setting(server: Server) -> None:
    for url in (server.url("/ok", scheme="https"), f"https://[::1]:{server.port}/ok"):
        result = post_webhook(url, b"{}", {})
        assert result.error == "forbidden_address"
    result = post_webhook(
        server.url("/ok", scheme="https", host="hooks.test"),
        b"{}",
        {},
        resolver=lambda h, p, t: ["127.0.0.1"],
    )
    assert result.error == "forbidden_address"
    # http:// itself is refused outside the development setting.
    assert post_webhook(server.url("/ok"), b"{}", {}).error == "forbidden_address"
    assert server.seen == []


def test_name_is_resolved_once_and_the_host_header_kept(server: Server) -> None:
    calls: list[tuple[str, int]] = []

    def resolver(host: str, port: int, timeout: float) -> list[str]:
        calls.append((host, port))
        assert 0 < timeout <= 10
        return ["127.0.0.1"]

    result = _post(server.url("/ok", host="Hooks.Test"), resolver=resolver)
    assert result.status_code == 200
    assert calls == [("hooks.test", server.port)]
    assert dict(server.seen[0].headers)["Host"] == f"hooks.test:{server.port}"


def test_one_forbidden_answer_rejects_all(server: Server) -> None:
    result = _post(server.url("/ok", host="hooks.test"), resolver=lambda h, p, t: ["127.0.0.1", "10.0.0.1"])
    assert result.error == "forbidden_address"
    # The development setting admits loopback only; private ranges stay forbidden.
    assert _post(f"http://10.0.0.1:{server.port}/ok").error == "forbidden_address"
    assert server.seen == []


def test_resolution_failures() -> None:
    def nxdomain(host: str, port: int, timeout: float) -> list[str]:
        raise ResolutionFailed(host)

    def silent(host: str, port: int, timeout: float) -> list[str]:
        raise ResolutionTimeout(host)

    assert _post("http://nowhere.test/x", resolver=nxdomain).error == "dns_failure"
    assert _post("http://nowhere.test/x", resolver=lambda h, p, t: []).error == "dns_failure"
    assert _post("http://nowhere.test/x", resolver=silent).error == "timeout"


def test_peer_address_is_checked_again(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even if the socket layer ended up somewhere else than the checked answer (rebinding,
    a transparent redirect), the address actually reached is judged before anything is sent."""
    real_connect = webhook_http._connect
    monkeypatch.setattr(
        webhook_http, "_connect", lambda address, port, timeout: real_connect("127.0.0.1", port, timeout)
    )
    result = post_webhook(
        server.url("/ok", scheme="https", host="hooks.test"), b"{}", {}, resolver=lambda h, p, t: ["8.8.8.8"]
    )
    assert result.error == "forbidden_address" and result.peer == "127.0.0.1"
    assert server.seen == []


def test_system_resolver_and_destination_check() -> None:
    assert "127.0.0.1" in system_resolver("127.0.0.1", 443, 2.0)
    with pytest.raises(ResolutionFailed):
        system_resolver("name.invalid", 443, 2.0)  # RFC 6761: never resolves
    url = parse_webhook_url("https://hooks.test/x")
    assert check_destination(url, resolver=lambda h, p, t: ["8.8.8.8", "2606:4700::1111"]) is None
    assert check_destination(url, resolver=lambda h, p, t: ["8.8.8.8", "192.168.1.2"]) == "192.168.1.2"
    assert check_destination(url, resolver=lambda h, p, t: ["127.0.0.1"], allow_insecure=True) is None

    def nxdomain(host: str, port: int, timeout: float) -> list[str]:
        raise ResolutionFailed(host)

    def silent(host: str, port: int, timeout: float) -> list[str]:
        assert timeout == 2.0
        raise ResolutionTimeout(host)

    assert check_destination(url, resolver=nxdomain) is None  # accepted; attempts fail with dns_failure
    assert check_destination(url, resolver=silent) is None
    assert check_destination(parse_webhook_url("https://[::ffff:169.254.169.254]/")) == "::ffff:a9fe:a9fe"
    assert check_destination(parse_webhook_url("https://8.8.8.8/")) is None


def test_headers_cannot_inject_lines(server: Server) -> None:
    with pytest.raises(ValueError):
        post_webhook(server.url("/ok"), b"{}", {"X-Bad": "a\r\nHost: evil"}, allow_insecure=True)


# --- TLS ----------------------------------------------------------------------------------------


@dataclass
class TlsServer:
    port: int
    context: ssl.SSLContext  # trusts the test certificate, like the public store trusts a real one
    requests: list[bytes]


def _make_cert(tmp: Path, name: str) -> tuple[Path, Path]:
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / f"{name}.crt", tmp / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[Callable[[str], TlsServer]]:
    listeners: list[socket.socket] = []

    def start(cert_name: str) -> TlsServer:
        cert, key = _make_cert(tmp_path, cert_name)
        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(cert, key)
        listener = socket.create_server(("127.0.0.1", 0))
        listeners.append(listener)
        requests: list[bytes] = []

        def serve() -> None:
            while True:
                try:
                    raw, _ = listener.accept()
                except OSError:
                    return
                try:
                    with server_ctx.wrap_socket(raw, server_side=True) as conn:
                        conn.settimeout(2)
                        data = b""
                        while b"\r\n\r\n" not in data:
                            data += conn.recv(4096)
                        requests.append(data)
                        conn.sendall(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
                except (OSError, ssl.SSLError):
                    raw.close()

        threading.Thread(target=serve, daemon=True).start()
        client_ctx = ssl.create_default_context(cafile=str(cert))
        client_ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        return TlsServer(listener.getsockname()[1], client_ctx, requests)

    yield start
    for listener in listeners:
        listener.close()


def test_tls_verifies_the_url_host_and_sends_sni(tls_server: Callable[[str], TlsServer]) -> None:
    srv = tls_server("hooks.test")
    result = post_webhook(
        f"https://hooks.test:{srv.port}/in",
        b"{}",
        {},
        allow_insecure=True,
        resolver=lambda h, p, t: ["127.0.0.1"],
        ssl_context=srv.context,
    )
    assert result.status_code == 202 and result.error is None
    assert srv.requests and srv.requests[0].startswith(b"POST /in HTTP/1.1\r\nHost: hooks.test:")


def test_tls_certificate_for_another_name_fails(tls_server: Callable[[str], TlsServer]) -> None:
    srv = tls_server("other.test")
    result = post_webhook(
        f"https://hooks.test:{srv.port}/in",
        b"{}",
        {},
        allow_insecure=True,
        resolver=lambda h, p, t: ["127.0.0.1"],
        ssl_context=srv.context,
    )
    assert result.error == "tls_failure" and srv.requests == []


def test_untrusted_certificate_fails(tls_server: Callable[[str], TlsServer]) -> None:
    srv = tls_server("hooks.test")
    result = post_webhook(
        f"https://hooks.test:{srv.port}/in",
        b"{}",
        {},
        allow_insecure=True,
        resolver=lambda h, p, t: ["127.0.0.1"],
    )
    assert result.error == "tls_failure"


def test_tls_to_a_plain_http_server_fails(server: Server) -> None:
    result = _post(server.url("/ok", scheme="https"))
    assert result.error in ("tls_failure", "connection_failed")
    assert result.error == "tls_failure"


def test_resolver_garbage_is_a_dns_failure() -> None:
    assert _post("http://hooks.test/x", resolver=lambda h, p, t: ["not-an-ip"]).error == "dns_failure"
