"""Fixed-window request counting (00-conventions §10): the store's atomic counter behind a service."""

from __future__ import annotations

from fortytwo.store import ratelimits as store


def count_request(bucket: str, bucket_key: str, window_start: int) -> int:
    """Count one request in the window; returns the count so far. Store errors propagate (the
    caller fails open)."""
    return store.increment(bucket, bucket_key, window_start)
