"""Sign-in session and CSRF cookies (10-auth §6.6), scoped to /v1/oauth."""

from __future__ import annotations

from collections.abc import Iterable

from fortytwo.domain.oauth.artifacts import CSRF_COOKIE_MAX_AGE, SESSION_COOKIE_MAX_AGE

CSRF_COOKIE = "42min_oauth_csrf"
SESSION_COOKIE = "42min_oauth_session"


def _attributes(secure: bool) -> str:
    # `Secure` is left out only for an http:// issuer (the local stack).
    return (
        "HttpOnly; Secure; SameSite=Lax; Path=/v1/oauth"
        if secure
        else "HttpOnly; SameSite=Lax; Path=/v1/oauth"
    )


def csrf_cookie(value: str, *, secure: bool) -> str:
    return f"{CSRF_COOKIE}={value}; {_attributes(secure)}; Max-Age={CSRF_COOKIE_MAX_AGE}"


def session_cookie(value: str, *, secure: bool) -> str:
    return f"{SESSION_COOKIE}={value}; {_attributes(secure)}; Max-Age={SESSION_COOKIE_MAX_AGE}"


def clear_session_cookie(*, secure: bool) -> str:
    return f"{SESSION_COOKIE}=; Max-Age=0; {_attributes(secure)}"


def parse_cookies(headers: Iterable[str]) -> dict[str, str]:
    """Name → value from `Cookie` header values (or API Gateway's `cookies` list).

    The first occurrence of a name wins: browsers send the most specific path first.
    """
    out: dict[str, str] = {}
    for header in headers:
        for part in header.split(";"):
            name, sep, value = part.strip().partition("=")
            if sep and name and name not in out:
                out[name] = value.strip()
    return out
