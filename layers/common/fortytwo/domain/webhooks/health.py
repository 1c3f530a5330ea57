"""Subscription health and auto-pause (40-webhooks §7.10, §7.11), as pure transitions.

`n` is the internal consecutive-failure counter: a delivery counts once, when it becomes
exhausted. Each function implements rows of the §7.10 table and says whether `updated_at`
must be set. Stores apply the result with a conditional update on the state they read, so
concurrent completions lose no increment and never overwrite a manual pause (§8.6).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Literal

AUTO_PAUSE_THRESHOLD = 5

Status = Literal["active", "paused"]
STATUSES: tuple[Status, ...] = ("active", "paused")


class PausedReason(StrEnum):
    CONSECUTIVE_FAILURES = "consecutive_failures"
    ENDPOINT_GONE = "endpoint_gone"


class DeliveryHealthEvent(StrEnum):
    """What a finished real attempt means for the subscription's counter."""

    SUCCEEDED = "succeeded"  # a 2xx: n = 0 (row 2)
    EXHAUSTED = "exhausted"  # the last attempt failed (rows 3-5)
    ENDPOINT_GONE = "endpoint_gone"  # a 410 (rows 6-7)


@dataclass(frozen=True, slots=True)
class Health:
    status: Status = "active"
    failures: int = 0
    paused_reason: PausedReason | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        if self.failures < 0:
            raise ValueError("the failure counter is never negative")
        if self.status == "active" and self.paused_reason is not None:
            raise ValueError("an active subscription has no paused_reason")


@dataclass(frozen=True, slots=True)
class HealthChange:
    health: Health
    touch_updated_at: bool


def created() -> Health:
    """Row 1: a new subscription is active with n = 0."""
    return Health()


def on_delivery_succeeded(health: Health) -> HealthChange:
    """Row 2: any status; n = 0; status and reason unchanged."""
    return HealthChange(replace(health, failures=0), touch_updated_at=False)


def on_delivery_exhausted(health: Health) -> HealthChange:
    """Rows 3-5: n + 1 in any status; an active subscription reaching the threshold pauses."""
    failures = health.failures + 1
    if health.status == "active" and failures >= AUTO_PAUSE_THRESHOLD:
        return HealthChange(
            Health("paused", failures, PausedReason.CONSECUTIVE_FAILURES), touch_updated_at=True
        )
    return HealthChange(replace(health, failures=failures), touch_updated_at=False)


def on_endpoint_gone(health: Health) -> HealthChange:
    """Rows 6-7: a 410 pauses an active subscription; n is unchanged; a paused one stays as is."""
    if health.status == "active":
        return HealthChange(replace(health, status="paused", paused_reason=PausedReason.ENDPOINT_GONE), True)
    return HealthChange(health, touch_updated_at=False)


def on_delivery_event(health: Health, event: DeliveryHealthEvent) -> HealthChange:
    if event is DeliveryHealthEvent.SUCCEEDED:
        return on_delivery_succeeded(health)
    if event is DeliveryHealthEvent.EXHAUSTED:
        return on_delivery_exhausted(health)
    return on_endpoint_gone(health)


def on_patch(health: Health, status: Status | None) -> HealthChange:
    """Rows 8-11: every successful PATCH (also `{}`) resets n and sets `updated_at`.

    `"active"` resumes and clears the reason; `"paused"` on an active one pauses with no
    reason (a manual pause); on a paused one it keeps the reason; no status keeps both.
    """
    if status == "active":
        return HealthChange(Health("active", 0, None), True)
    if status == "paused":
        reason = health.paused_reason if health.status == "paused" else None
        return HealthChange(Health("paused", 0, reason), True)
    if status is not None:
        raise ValueError(f"unknown status {status!r}")
    return HealthChange(replace(health, failures=0), True)


def on_admin_pause(health: Health) -> HealthChange:
    """`42min admin webhook pause`: the same as PATCH `"paused"`."""
    return on_patch(health, "paused")


def on_admin_resume(health: Health) -> HealthChange:
    """`42min admin webhook resume`: the same as PATCH `"active"` (resets the counter)."""
    return on_patch(health, "active")


def on_rotate_secret(health: Health) -> HealthChange:
    """Row 12: nothing changes except `updated_at`."""
    return HealthChange(health, True)


def on_test_delivery(health: Health) -> HealthChange:
    """Row 13: a test, whatever its outcome (410 included), changes nothing."""
    return HealthChange(health, False)


def receives_new_events(status: Status | None) -> bool:
    """§6.2/§7.11: fan-out creates deliveries only for existing active subscriptions; events
    fanned out while paused are never delivered, not even after resuming."""
    return status == "active"


def sends_due_attempt(status: Status | None) -> bool:
    """§7.9/§7.11/§7.14: a due attempt is sent only if the subscription exists and is active;
    otherwise the delivery is dropped (no request, no log row, no counter change)."""
    return status == "active"


def advance_last_delivery(
    current_at: datetime | None, finished_at: datetime, ok: bool
) -> tuple[datetime, bool] | None:
    """`last_delivery_at`/`last_delivery_ok` after a real attempt that finished at
    `finished_at`, or None to leave them: they only move forward, so an older attempt that
    completes late never overwrites a newer one (§7.10). Tests never call this."""
    if current_at is not None and finished_at < current_at:
        return None
    return finished_at, ok
