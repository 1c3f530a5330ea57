"""The key that signs list cursors (00-conventions §8.4): the deployment's pepper, read once per
cold start. One accessor for every list handler (bookings, event types, deliveries, series)."""

from __future__ import annotations

from fortytwo.store.pepper import get_pepper


def signing_key() -> bytes:
    return get_pepper()
