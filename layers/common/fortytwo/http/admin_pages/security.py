"""Cookies and headers of Admin Center pages (55-admin-center §2)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from urllib.parse import urlsplit

from fortytwo.domain.admin.sessions import ABSOLUTE_TIMEOUT

CONTENT_SECURITY_POLICY = "default-src 'self'; frame-ancestors 'none'; form-action 'self'"
PAGE_HEADERS: Mapping[str, str] = MappingProxyType(
    {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }
)
SESSION_MAX_AGE = int(ABSOLUTE_TIMEOUT.total_seconds())


def session_cookie_name(secure: bool) -> str:
    """`__Host-` needs `Secure`: the local stack over loopback http drops both (as the OAuth pages
    drop `Secure`)."""
    return "__Host-42min_admin" if secure else "42min_admin"


def signin_cookie_name(secure: bool) -> str:
    """The sign-in form's CSRF cookie (there is no session yet to bind a token to)."""
    return "__Host-42min_admin_signin" if secure else "42min_admin_signin"


def _attributes(secure: bool) -> str:
    return "Secure; HttpOnly; SameSite=Lax; Path=/" if secure else "HttpOnly; SameSite=Lax; Path=/"


def set_cookie(name: str, value: str, *, secure: bool, max_age: int = SESSION_MAX_AGE) -> str:
    return f"{name}={value}; {_attributes(secure)}; Max-Age={max_age}"


def clear_cookie(name: str, *, secure: bool) -> str:
    return f"{name}=; {_attributes(secure)}; Max-Age=0"


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(headers: Mapping[str, str], issuer: str) -> bool:
    """`Origin`, else `Referer`, must be this site when present (a form post from another origin is
    refused even with a valid token). Neither present: allowed (the CSRF token decides). `Origin: null`
    counts as absent: browsers send it for every form post of a page with `Referrer-Policy:
    no-referrer`, which §2 requires of these very pages."""
    expected = origin_of(issuer)
    origin = headers.get("origin")
    if origin is not None and origin != "null":
        return origin.lower() == expected
    referer = headers.get("referer")
    if referer:
        return origin_of(referer) == expected
    return True


def safe_next(value: str | None) -> str:
    """`?next=` limited to same-origin `/360/…` paths (no scheme, no `//host`, no backslash)."""
    default = "/360/api"
    if not value or not value.startswith("/360/") or value.startswith("//") or "\\" in value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value
