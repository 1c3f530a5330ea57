"""Redirect URI rules (10-auth §6.2.1, 50-mcp §4.6): registration checks, authorize matching, redirect
building. MCP clients add `http://localhost` (every client) and private-use schemes (RFC 8252 §7.1,
public clients only)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlencode

MAX_REDIRECT_URI_LENGTH = 2000
MAX_REDIRECT_URIS = 10

MSG_ABSOLUTE = "must be an absolute URI."
MSG_TOO_LONG = f"must be at most {MAX_REDIRECT_URI_LENGTH} characters."
MSG_FRAGMENT = "must not contain a fragment."
MSG_USERINFO = "must not contain user information."
MSG_SCHEME = "must use https, or http on 127.0.0.1, [::1] or localhost."
MSG_PRIVATE_USE = "must use https, http on a loopback host, or (public clients only) a private-use scheme."
MSG_HOST = "must include a host."
MSG_PORT = "has an invalid port."

# RFC 3986 characters: unreserved, reserved and '%' (checked separately for two hex digits).
_URI_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*\Z")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_LOOPBACK_HOSTS = ("127.0.0.1", "[::1]", "localhost")
# Loopback form used for port-insensitive matching: literal, case-sensitive, as registered.
_LOOPBACK = re.compile(
    r"^(http://(?:127\.0\.0\.1|\[::1\]|localhost))(?::([0-9]{1,5}))?((?:[/?].*)?)\Z", re.DOTALL
)
# RFC 8252 §7.1 private-use schemes: lower-case, and none that a browser or the web would handle.
_PRIVATE_USE = re.compile(r"^[a-z][a-z0-9+.-]*\Z")
_NOT_PRIVATE_USE = ("http", "https", "javascript", "data", "file", "vbscript", "blob", "about")


def _split_authority(rest: str) -> tuple[str, str]:
    """`rest` is what follows `scheme://`; returns (authority, path-and-query)."""
    end = len(rest)
    for sep in "/?#":
        pos = rest.find(sep)
        if pos != -1:
            end = min(end, pos)
    return rest[:end], rest[end:]


def _split_host_port(authority: str) -> tuple[str, str | None] | None:
    """(host, port or None); None when the authority is syntactically broken."""
    if authority.startswith("["):
        close = authority.find("]")
        if close == -1:
            return None
        host, tail = authority[: close + 1], authority[close + 1 :]
        if tail == "":
            return host, None
        if not tail.startswith(":"):
            return None
        return host, tail[1:]
    if ":" in authority:
        host, port = authority.split(":", 1)
        return host, port
    return authority, None


def _port_ok(port: str | None) -> bool:
    if port is None:
        return True
    return port.isascii() and port.isdigit() and len(port) <= 5 and 0 < int(port) <= 65535


def is_private_use(uri: str) -> bool:
    """`<scheme>:…` with a private-use scheme (50-mcp §4.6), e.g. `cursor://anysphere.cursor-mcp/cb`."""
    match = _SCHEME.match(uri)
    scheme = match.group(1) if match else ""
    return bool(_PRIVATE_USE.match(scheme)) and scheme not in _NOT_PRIVATE_USE


def redirect_uri_problem(uri: str, *, public: bool = False) -> str | None:
    """Why `uri` cannot be registered (a message fragment such as "must not contain a fragment."), or None.

    Rules: absolute URI of at most 2000 characters, no fragment, no userinfo; `https` with any
    host, or `http` on 127.0.0.1 / [::1] / localhost with or without a port; for a public client
    also a private-use scheme. A query string is allowed and kept verbatim.
    """
    if len(uri) > MAX_REDIRECT_URI_LENGTH:
        return MSG_TOO_LONG
    scheme_match = _SCHEME.match(uri)
    if not uri or not _URI_CHARS.match(uri) or _BAD_PERCENT.search(uri) or scheme_match is None:
        return MSG_ABSOLUTE
    if "#" in uri:
        return MSG_FRAGMENT
    scheme = scheme_match.group(1).lower()
    rest = uri[scheme_match.end() :]
    if scheme not in ("https", "http"):
        if is_private_use(uri):
            return None if public else MSG_PRIVATE_USE
        return MSG_PRIVATE_USE if public else MSG_SCHEME
    if not rest.startswith("//"):
        return MSG_HOST
    authority, _ = _split_authority(rest[2:])
    if "@" in authority:
        return MSG_USERINFO
    parts = _split_host_port(authority)
    if parts is None:
        return MSG_ABSOLUTE
    host, port = parts
    if not host:
        return MSG_HOST
    if not _port_ok(port):
        return MSG_PORT
    if scheme == "http" and host not in _LOOPBACK_HOSTS:
        return MSG_SCHEME
    return None


def validate_redirect_uris(
    value: object, field: str = "redirect_uris", *, public: bool = False
) -> tuple[list[str], None] | tuple[None, str]:
    """Check a registration list: 1–10 unique strings, each per the rules (`public`: the client has
    no secret, so private-use schemes are allowed).

    Returns (uris, None) or (None, message).
    """
    if not isinstance(value, list):
        return None, f"{field} must be an array of 1 to {MAX_REDIRECT_URIS} URIs."
    if not value:
        return None, f"{field} must contain at least one URI."
    if len(value) > MAX_REDIRECT_URIS:
        return None, f"{field} must contain at most {MAX_REDIRECT_URIS} URIs."
    seen: set[str] = set()
    for i, item in enumerate(value):
        label = f"{field}[{i}]"
        if not isinstance(item, str):
            return None, f"{label} must be a string."
        problem = redirect_uri_problem(item, public=public)
        if problem:
            return None, f"{label} {problem}"
        if item in seen:
            return None, f"{label} is a duplicate."
        seen.add(item)
    return list(value), None


def _without_loopback_port(uri: str) -> str | None:
    match = _LOOPBACK.match(uri)
    if match is None or not _port_ok(match.group(2)):
        return None
    return match.group(1) + match.group(3)


def redirect_uri_matches(registered: Sequence[str], requested: str) -> bool:
    """Authorize-time matching (§6.2.1).

    https (and anything else, private-use schemes included): exact, case-sensitive equality, no
    normalisation. Loopback http (127.0.0.1, [::1], localhost): equal once the port is removed from
    both; scheme, host, path and query must match exactly.
    """
    if requested in registered:
        return True
    stripped = _without_loopback_port(requested)
    if stripped is None:
        return False
    return any(_without_loopback_port(candidate) == stripped for candidate in registered)


def redirect_display(uri: str) -> str:
    """What the consent page names: the host of an https URI, the whole URI otherwise (50-mcp §4.6)."""
    return redirect_host(uri) if uri.lower().startswith("https://") else uri


def redirect_host(uri: str) -> str:
    """The host of a redirect URI for display on the sign-in and consent pages (IPv6 keeps brackets)."""
    match = _SCHEME.match(uri)
    rest = uri[match.end() :] if match else uri
    if rest.startswith("//"):
        rest = rest[2:]
    authority, _ = _split_authority(rest)
    authority = authority.rsplit("@", 1)[-1]
    parts = _split_host_port(authority)
    return parts[0] if parts else authority


def build_redirect(redirect_uri: str, params: Sequence[tuple[str, str]]) -> str:
    """`redirect_uri` + `?` (or `&` when it already has a query) + form-urlencoded params, in order."""
    query = urlencode(list(params))
    if "?" not in redirect_uri:
        return f"{redirect_uri}?{query}"
    if redirect_uri.endswith(("?", "&")):
        return redirect_uri + query
    return f"{redirect_uri}&{query}"
