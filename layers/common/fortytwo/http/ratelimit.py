"""Per-credential and per-IP fixed-window rate limiting (00-conventions §10)."""

from __future__ import annotations

import time

from fortytwo.config import get_settings
from fortytwo.contract.errors import RateLimited
from fortytwo.http.context import RateState, RequestState
from fortytwo.observability import count_metric, logger
from fortytwo.services.ratelimits import count_request

WINDOW_SECONDS = 60


def count(state: RequestState, bucket: str, bucket_key: str, now: float | None = None) -> RateState:
    """Count this request once in `bucket`; raise 429 when over. Fails open when the store errors."""
    now = time.time() if now is None else now
    limit = get_settings().rate_limits[bucket]
    window_start = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
    reset = window_start + WINDOW_SECONDS
    try:
        used = count_request(bucket, bucket_key, window_start)
    except Exception as exc:  # noqa: BLE001 - any store failure must fail open, never 5xx
        logger.warning("rate limiter failed open", extra={"bucket": bucket, "error": type(exc).__name__})
        count_metric("RateLimitFailOpen")
        state.rate = RateState(bucket, limit, limit, reset)
        state.counted = True
        return state.rate
    state.rate = RateState(bucket, limit, max(0, limit - used), reset)
    state.counted = True
    if used > limit:
        count_metric("RateLimited", bucket=bucket)
        raise RateLimited(bucket, limit, max(1, min(60, reset - int(now))))
    return state.rate


def headers(rate: RateState | None) -> dict[str, str]:
    if rate is None:
        return {}
    return {
        "X-RateLimit-Limit": str(rate.limit),
        "X-RateLimit-Remaining": str(rate.remaining),
        "X-RateLimit-Reset": str(rate.reset),
    }
