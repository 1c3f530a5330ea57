"""Process-wide caches (settings, AWS clients, the pepper): tooling that re-points the layer at
another backend (the local stack, the CLI) resets them here."""

from __future__ import annotations

from fortytwo.config import reset_settings
from fortytwo.store.dynamo import reset_clients
from fortytwo.store.pepper import reset_pepper


def reset_caches() -> None:
    reset_settings()
    reset_clients()
    reset_pepper()
