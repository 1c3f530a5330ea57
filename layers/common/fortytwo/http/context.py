"""Per-request state: request id, authentication and rate-limit outcome (read by logs and headers)."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field

from fortytwo.domain.auth import AuthContext


@dataclass
class RateState:
    bucket: str
    limit: int
    remaining: int
    reset: int


@dataclass
class RequestState:
    request_id: str
    arrived_ms: int
    auth: AuthContext | None = None
    rate: RateState | None = None
    counted: bool = False
    extra_log: dict[str, str] = field(default_factory=dict)


current: contextvars.ContextVar[RequestState | None] = contextvars.ContextVar(
    "fortytwo_request", default=None
)


def request_id() -> str:
    state = current.get()
    return state.request_id if state else "req_00000000000000000000000000"
