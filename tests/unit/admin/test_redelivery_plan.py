"""The redelivery decision (55-admin-center §6), pure: the checks in order and the new delivery."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from fortytwo.domain.webhooks.delivery_state import Delivery, DeliveryState, DeliveryStatus, new_delivery
from fortytwo.domain.webhooks.envelope import OutboxEvent
from fortytwo.domain.webhooks.redelivery import (
    DeliveryChain,
    Redelivery,
    Refusal,
    Refused,
    Snapshot,
    plan_redelivery,
)
from fortytwo.domain.webhooks.subscription import Subscription

T0 = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)
SUB = Subscription("s1", "org", "admin", "https://x.example/h", ("booking_created",), None, "whsec_x", T0, T0)
EVENT = OutboxEvent("evt_1", "booking.created", "org", T0, b"{}")
DONE = DeliveryState(DeliveryStatus.FAILED, 6, t0=T0)


def _delivery(did: str = "whd_a", state: DeliveryState = DONE, sub: str = "s1") -> Delivery:
    return Delivery(did, sub, EVENT, state, 3)


def _plan(snapshot: Snapshot, now: datetime = T0 + timedelta(hours=1)) -> Redelivery | Refused:
    return plan_redelivery(snapshot, now=now, new_id="whd_new")


def test_a_finished_delivery_is_repeated_as_a_new_one() -> None:
    plan = _plan(Snapshot(SUB, _delivery(), None, None))
    assert isinstance(plan, Redelivery)
    assert plan.delivery.delivery_id == "whd_new" and plan.delivery.redelivery_of == "whd_a"
    assert plan.delivery.event == EVENT and plan.delivery.state == new_delivery(T0 + timedelta(hours=1))
    assert plan.chain == DeliveryChain("s1", "evt_1", "whd_new", T0) and plan.chain_was is None
    assert plan.subscription_version == SUB.version


def test_checks_in_order() -> None:
    paused = replace(SUB, status="paused")
    pending = _delivery(state=DeliveryState(DeliveryStatus.PENDING, 2, due_at=T0, t0=T0))
    assert _plan(Snapshot(paused, None, None, None)) == Refused(Refusal.NOT_FOUND)
    assert _plan(Snapshot(SUB, _delivery(sub="s2"), None, None)) == Refused(Refusal.NOT_FOUND)
    assert _plan(Snapshot(SUB, _delivery(), None, None), T0 + timedelta(days=31)) == Refused(
        Refusal.NOT_FOUND
    )
    assert _plan(Snapshot(paused, pending, None, None)) == Refused(Refusal.PAUSED)
    assert _plan(Snapshot(SUB, pending, None, None)) == Refused(Refusal.PENDING)


def test_the_chains_newest_delivery_decides_pending() -> None:
    chain = DeliveryChain("s1", "evt_1", "whd_b", T0)
    newest = _delivery("whd_b", DeliveryState(DeliveryStatus.IN_FLIGHT, 1, t0=T0))
    assert _plan(Snapshot(SUB, _delivery(), chain, newest)).refusal is Refusal.PENDING  # type: ignore[union-attr]
    finished = _delivery("whd_b", DeliveryState(DeliveryStatus.SUCCEEDED, 1, t0=T0))
    plan = _plan(Snapshot(SUB, _delivery(), chain, finished))
    assert isinstance(plan, Redelivery) and plan.chain_was == "whd_b"
    assert isinstance(_plan(Snapshot(SUB, _delivery(), chain, None)), Redelivery)  # expired newest


def test_a_never_claimed_pending_delivery_is_reported_for_a_resend() -> None:
    stalled = _delivery(state=new_delivery(T0))
    refused = _plan(Snapshot(SUB, stalled, None, None))
    assert refused == Refused(Refusal.PENDING, stalled)
