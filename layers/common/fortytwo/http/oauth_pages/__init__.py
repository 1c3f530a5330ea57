"""Server-rendered pages of `/v1/oauth/authorize` (10-auth §6.5.3, §6.5.4, §6.6, §6.7).

No JavaScript; every interpolated value is HTML-escaped.
"""

from fortytwo.http.oauth_pages.cookies import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    clear_session_cookie,
    csrf_cookie,
    parse_cookies,
    session_cookie,
)
from fortytwo.http.oauth_pages.headers import AUTHORIZE_HEADERS, CONTENT_SECURITY_POLICY, PAGE_HEADERS
from fortytwo.http.oauth_pages.render import (
    ERROR_STATUS,
    SIGN_IN_FAILED_MESSAGE,
    render_consent_page,
    render_error_page,
    render_sign_in_page,
)

__all__ = [
    "AUTHORIZE_HEADERS",
    "CONTENT_SECURITY_POLICY",
    "CSRF_COOKIE",
    "ERROR_STATUS",
    "PAGE_HEADERS",
    "SESSION_COOKIE",
    "SIGN_IN_FAILED_MESSAGE",
    "clear_session_cookie",
    "csrf_cookie",
    "parse_cookies",
    "render_consent_page",
    "render_error_page",
    "render_sign_in_page",
    "session_cookie",
]
