"""Is a TCP port free to listen on? Asked before the local stack's slow start-up, so a busy port is
reported at once instead of after the AWS emulation has loaded."""

from __future__ import annotations

import socket


def port_problem(host: str, port: int) -> str | None:
    """Why `host:port` cannot be listened on, or None. Binds the way the gateway will
    (SO_REUSEADDR, so a port in TIME_WAIT counts as free) and lets go at once."""
    if port == 0:
        return None  # the system picks a free one
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        return f"cannot listen on {host}:{port}: {exc.strerror}"
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            return f"cannot listen on {host}:{port}: {exc.strerror}"
    return None
