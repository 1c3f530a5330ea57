"""Subscription health and auto-pause (40-webhooks §7.10, §7.11)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from fortytwo.domain.timefmt import parse_ts
from fortytwo.domain.webhooks.health import (
    AUTO_PAUSE_THRESHOLD,
    DeliveryHealthEvent,
    Health,
    HealthChange,
    PausedReason,
    advance_last_delivery,
    created,
    on_admin_pause,
    on_admin_resume,
    on_delivery_event,
    on_delivery_exhausted,
    on_delivery_succeeded,
    on_endpoint_gone,
    on_patch,
    on_rotate_secret,
    on_test_delivery,
    receives_new_events,
    sends_due_attempt,
)

CF = PausedReason.CONSECUTIVE_FAILURES
GONE = PausedReason.ENDPOINT_GONE
ACTIVE0 = Health()


# One case per row of the §7.10 table (rows 1 and 14 are create and delete).
@pytest.mark.parametrize(
    ("row", "before", "apply", "after", "touch"),
    [
        (2, Health("active", 3), on_delivery_succeeded, Health("active", 0), False),
        (2, Health("paused", 7, CF), on_delivery_succeeded, Health("paused", 0, CF), False),
        (3, Health("active", 0), on_delivery_exhausted, Health("active", 1), False),
        (3, Health("active", 3), on_delivery_exhausted, Health("active", 4), False),
        (4, Health("active", 4), on_delivery_exhausted, Health("paused", 5, CF), True),
        (5, Health("paused", 5, CF), on_delivery_exhausted, Health("paused", 6, CF), False),
        (5, Health("paused", 0, None), on_delivery_exhausted, Health("paused", 1, None), False),
        (5, Health("paused", 2, GONE), on_delivery_exhausted, Health("paused", 3, GONE), False),
        (6, Health("active", 2), on_endpoint_gone, Health("paused", 2, GONE), True),
        (7, Health("paused", 2, CF), on_endpoint_gone, Health("paused", 2, CF), False),
        (7, Health("paused", 0, None), on_endpoint_gone, Health("paused", 0, None), False),
        (8, Health("paused", 5, CF), lambda h: on_patch(h, "active"), Health("active", 0), True),
        (8, Health("active", 3), lambda h: on_patch(h, "active"), Health("active", 0), True),
        (9, Health("active", 3), lambda h: on_patch(h, "paused"), Health("paused", 0, None), True),
        (10, Health("paused", 5, CF), lambda h: on_patch(h, "paused"), Health("paused", 0, CF), True),
        (10, Health("paused", 1, GONE), lambda h: on_patch(h, "paused"), Health("paused", 0, GONE), True),
        (11, Health("paused", 5, CF), lambda h: on_patch(h, None), Health("paused", 0, CF), True),
        (11, Health("active", 4), lambda h: on_patch(h, None), Health("active", 0), True),
        (12, Health("paused", 5, CF), on_rotate_secret, Health("paused", 5, CF), True),
        (12, Health("active", 4), on_rotate_secret, Health("active", 4), True),
        (13, Health("active", 4), on_test_delivery, Health("active", 4), False),
        (13, Health("paused", 5, GONE), on_test_delivery, Health("paused", 5, GONE), False),
    ],
)
def test_table_rows(row: int, before: Health, apply, after: Health, touch: bool) -> None:  # type: ignore[no-untyped-def]
    assert apply(before) == HealthChange(after, touch), f"row {row}"


def test_create_and_admin_commands() -> None:
    assert created() == Health("active", 0, None)
    assert on_admin_resume(Health("paused", 9, GONE)) == HealthChange(Health("active", 0, None), True)
    assert on_admin_pause(Health("active", 2)) == HealthChange(Health("paused", 0, None), True)
    with pytest.raises(ValueError):
        on_patch(ACTIVE0, "deleted")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Health("active", 0, CF)
    with pytest.raises(ValueError):
        Health("active", -1)


def test_delivery_event_dispatch() -> None:
    assert on_delivery_event(Health("active", 4), DeliveryHealthEvent.EXHAUSTED).health.status == "paused"
    assert on_delivery_event(Health("active", 4), DeliveryHealthEvent.SUCCEEDED).health.failures == 0
    assert on_delivery_event(ACTIVE0, DeliveryHealthEvent.ENDPOINT_GONE).health.paused_reason is GONE


def test_paused_and_deleted_subscriptions_get_nothing() -> None:
    assert receives_new_events("active") and sends_due_attempt("active")
    for status in ("paused", None):
        assert not receives_new_events(status) and not sends_due_attempt(status)  # type: ignore[arg-type]


def test_last_delivery_only_moves_forward() -> None:
    t = parse_ts("2026-05-20T11:05:00.889Z")
    assert advance_last_delivery(None, t, False) == (t, False)
    assert advance_last_delivery(t, t + timedelta(milliseconds=1), True) == (
        t + timedelta(milliseconds=1),
        True,
    )
    assert advance_last_delivery(t, t - timedelta(seconds=1), True) is None


@given(st.integers(min_value=0, max_value=20))
def test_exactly_n_consecutive_exhausted_deliveries_pause(extra: int) -> None:
    health = ACTIVE0
    for i in range(1, AUTO_PAUSE_THRESHOLD + extra + 1):
        change = on_delivery_exhausted(health)
        health = change.health
        if i < AUTO_PAUSE_THRESHOLD:
            assert health == Health("active", i) and not change.touch_updated_at
        elif i == AUTO_PAUSE_THRESHOLD:
            assert health == Health("paused", i, CF) and change.touch_updated_at
        else:
            assert health == Health("paused", i, CF) and not change.touch_updated_at


@given(st.lists(st.sampled_from(["exhausted", "succeeded"]), max_size=40))
def test_a_success_resets_the_run(events: list[str]) -> None:
    health, run = ACTIVE0, 0
    for event in events:
        if event == "succeeded":
            health, run = on_delivery_succeeded(health).health, 0
        else:
            health, run = on_delivery_exhausted(health).health, run + 1
        # Without any resume, the subscription pauses at the first run of 5 and stays paused.
        assert health.failures == run
    paused_ever = any(
        events[i : i + AUTO_PAUSE_THRESHOLD] == ["exhausted"] * AUTO_PAUSE_THRESHOLD
        for i in range(len(events))
    )
    assert (health.status == "paused") is paused_ever


class HealthMachine(RuleBasedStateMachine):
    """Random sequences of every trigger, checked against a plain model of the table."""

    def __init__(self) -> None:
        super().__init__()
        self.health = created()
        self.status, self.n, self.reason = "active", 0, None
        self.manual = False

    def _apply(self, change: HealthChange) -> None:
        self.health = change.health

    @rule()
    def success(self) -> None:
        self._apply(on_delivery_succeeded(self.health))
        self.n = 0

    @rule()
    def exhausted(self) -> None:
        before_status = self.status
        change = on_delivery_exhausted(self.health)
        self._apply(change)
        self.n += 1
        if before_status == "active" and self.n == AUTO_PAUSE_THRESHOLD:
            self.status, self.reason = "paused", CF
            assert change.touch_updated_at
        else:
            assert not change.touch_updated_at

    @rule()
    def gone(self) -> None:
        change = on_endpoint_gone(self.health)
        self._apply(change)
        assert change.touch_updated_at is (self.status == "active")
        if self.status == "active":
            self.status, self.reason = "paused", GONE

    @rule(status=st.sampled_from([None, "active", "paused"]))
    def patch(self, status: str | None) -> None:
        change = on_patch(self.health, status)  # type: ignore[arg-type]
        self._apply(change)
        assert change.touch_updated_at
        self.n = 0
        if status == "active":
            self.status, self.reason = "active", None
        elif status == "paused" and self.status == "active":
            self.status, self.reason = "paused", None

    @rule()
    def rotate(self) -> None:
        before = self.health
        change = on_rotate_secret(self.health)
        assert change.health == before and change.touch_updated_at

    @rule()
    def test_delivery(self) -> None:
        before = self.health
        change = on_test_delivery(self.health)
        assert change.health == before and not change.touch_updated_at

    @precondition(lambda self: self.status == "active")
    @rule()
    def five_in_a_row(self) -> None:
        for _ in range(AUTO_PAUSE_THRESHOLD - self.n):
            self.exhausted()
        assert self.health.status == "paused" and self.health.paused_reason is CF

    @invariant()
    def matches_model(self) -> None:
        assert self.health == Health(self.status, self.n, self.reason)  # type: ignore[arg-type]

    @invariant()
    def active_is_healthy(self) -> None:
        if self.health.status == "active":
            assert self.health.paused_reason is None and self.health.failures < AUTO_PAUSE_THRESHOLD


TestHealthMachine = HealthMachine.TestCase
TestHealthMachine.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
