"""Bearer authentication at the edge (10-auth §2.1): parse the header, ask `services/auth`."""

from __future__ import annotations

import re
from datetime import datetime

from fortytwo.domain.auth import AuthFailure
from fortytwo.services import auth as auth_service
from fortytwo.services.auth import Authenticated, Refused

_SPACES = re.compile(r"[ ]+")


def parse_bearer(header: str | None) -> str:
    """The credential of `Authorization: Bearer <token>` (§2.1 steps 1–4)."""
    if header is None:
        raise AuthFailure("invalid_token")
    trimmed = header.strip(" \t")
    parts = _SPACES.split(trimmed, maxsplit=1)
    if len(parts) != 2 or not parts[1]:
        raise AuthFailure("invalid_token")
    scheme, credential = parts
    if scheme.lower() != "bearer" or any(c in credential for c in " \t,"):
        raise AuthFailure("invalid_token")
    return credential


def authenticate(header: str | None, now: datetime, resource: str) -> Authenticated | Refused:
    """`resource` is the surface's token audience (`{issuer}` for /v1, `{issuer}/mcp`)."""
    try:
        credential = parse_bearer(header)
    except AuthFailure as failure:
        return Refused(failure.code)
    return auth_service.authenticate(credential, now, resource)
