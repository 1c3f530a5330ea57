"""Typed settings of every function, read from the environment and validated at cold start.

Bad configuration fails fast with one clear error naming the variable (60-operations §5).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache

DEFAULT_RATE_LIMITS: dict[str, int] = {
    "pat": 120,
    "oauth": 120,
    "anonymous": 30,
    "oauth_authorize": 30,
    "oauth_token": 60,
    "oauth_revoke": 60,
    "oauth_introspect": 120,
    "oauth_register": 5,
}
DEFAULT_RETRY_SCHEDULE = (0, 60, 300, 1800, 7200, 43200)
_BASE_URL_RE = re.compile(r"^https?://[^/\s]+$")


class ConfigError(RuntimeError):
    """A configuration variable is missing or malformed."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"configuration error: {variable} {problem}")
        self.variable = variable


@dataclass(frozen=True)
class Settings:
    table_name: str
    delivery_queue_url: str
    public_base_url: str
    booking_page_base_url: str
    pepper_param: str
    oauth_dcr_enabled: bool = False
    allow_insecure_webhooks: bool = False
    webhook_retry_schedule: tuple[int, ...] = DEFAULT_RETRY_SCHEDULE
    rate_limits: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_RATE_LIMITS))


def _required(env: dict[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(name, "is required")
    return value


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in ("true", "false"):
        raise ConfigError(name, f"must be 'true' or 'false', got {raw!r}")
    return raw == "true"


def _base_url(env: dict[str, str], name: str) -> str:
    value = _required(env, name)
    if not _BASE_URL_RE.match(value):
        raise ConfigError(name, "must be scheme + host [+ port], no path and no trailing slash")
    return value


def parse_rate_limits(spec: str) -> dict[str, int]:
    """`pat=120,oauth=120` → the defaults with those buckets overridden."""
    limits = dict(DEFAULT_RATE_LIMITS)
    for part in filter(None, (p.strip() for p in spec.split(","))):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in DEFAULT_RATE_LIMITS or not value.strip().isdigit() or int(value) < 1:
            raise ConfigError("FORTYTWO_RATE_LIMITS", f"has an invalid entry {part!r}")
        limits[key] = int(value)
    return limits


def parse_retry_schedule(spec: str) -> tuple[int, ...]:
    """Attempt offsets in seconds, with the rules of 40-webhooks §7.5 (one place: domain/webhooks/retry)."""
    from fortytwo.domain.webhooks.retry import RetryScheduleError, parse_schedule

    try:
        return tuple(parse_schedule(spec).offsets)
    except RetryScheduleError as exc:
        raise ConfigError("FORTYTWO_WEBHOOK_RETRY_SCHEDULE", str(exc)) from exc


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    schedule = env.get("FORTYTWO_WEBHOOK_RETRY_SCHEDULE", "").strip()
    return Settings(
        table_name=_required(env, "FORTYTWO_TABLE_NAME"),
        delivery_queue_url=env.get("FORTYTWO_DELIVERY_QUEUE_URL", "").strip(),
        public_base_url=_base_url(env, "FORTYTWO_PUBLIC_BASE_URL"),
        booking_page_base_url=_base_url(env, "FORTYTWO_BOOKING_PAGE_BASE_URL"),
        pepper_param=_required(env, "FORTYTWO_PEPPER_PARAM"),
        oauth_dcr_enabled=_bool(env, "FORTYTWO_OAUTH_DCR_ENABLED", False),
        allow_insecure_webhooks=_bool(env, "FORTYTWO_ALLOW_INSECURE_WEBHOOKS", False),
        webhook_retry_schedule=parse_retry_schedule(schedule) if schedule else DEFAULT_RETRY_SCHEDULE,
        rate_limits=parse_rate_limits(env.get("FORTYTWO_RATE_LIMITS", "")),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def reset_settings() -> None:
    """Forget cached settings (tests and the local stack change the environment)."""
    get_settings.cache_clear()
