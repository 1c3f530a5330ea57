"""Security headers of every `/v1/oauth/authorize` response (10-auth §6.5.4)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"

#: On every authorize response, page or redirect.
AUTHORIZE_HEADERS: Mapping[str, str] = MappingProxyType(
    {
        "Cache-Control": "no-store",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
    }
)

#: On authorize HTML pages (adds the media type and the CSP).
PAGE_HEADERS: Mapping[str, str] = MappingProxyType(
    {
        **AUTHORIZE_HEADERS,
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    }
)
