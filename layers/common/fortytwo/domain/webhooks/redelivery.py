"""Redelivery (55-admin-center §6): the checks in the contract's order and the new delivery.

A redelivery is a NEW delivery (new `whd_` id, attempt 1, the full retry schedule) of the SAME
event envelope. Deliveries of one (event, subscription) form a chain: the fan-out's (or the
test's) delivery first, then each redelivery; `DeliveryChain` names the newest one, so check 4
("nothing of this event for this subscription is still pending") reads one item, and a
redelivery commits only if the chain still ends where it was read (two concurrent redeliveries:
one wins, the other sees it pending).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from fortytwo.domain.webhooks.delivery_state import LOG_RETENTION, Delivery, new_delivery
from fortytwo.domain.webhooks.subscription import Subscription


class Refusal(StrEnum):
    NOT_FOUND = "not_found"  # check 2
    PAUSED = "webhook_paused"  # check 3
    PENDING = "delivery_pending"  # check 4


@dataclass(frozen=True, slots=True)
class DeliveryChain:
    """The newest delivery of one event to one subscription."""

    subscription_id: str
    event_id: str
    latest_delivery_id: str
    event_created_at: datetime  # for the TTL: the chain lives as long as the deliveries it names


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the decision reads: the subscription (check 1 passed), the delivery named in the path,
    the chain of its event (None before the first redelivery) and the chain's newest delivery."""

    subscription: Subscription
    delivery: Delivery | None
    chain: DeliveryChain | None
    latest: Delivery | None


@dataclass(frozen=True, slots=True)
class Redelivery:
    """Create `delivery` and move the chain to it, if the chain still ends at `chain_was` (None:
    no chain yet) and the subscription is still at `subscription_version`."""

    delivery: Delivery
    chain: DeliveryChain
    chain_was: str | None
    subscription_version: int


@dataclass(frozen=True, slots=True)
class Refused:
    refusal: Refusal
    # A pending delivery that was never claimed: its queue message may have been lost after its
    # commit, so the caller sends one again (harmless: attempts are claimed, 40-webhooks §8.2).
    stalled: Delivery | None = None


def plan_redelivery(snapshot: Snapshot, *, now: datetime, new_id: str) -> Redelivery | Refused:
    """Checks 2–4 of §6 in order, then the new delivery: pending(1), due now."""
    sub, original = snapshot.subscription, snapshot.delivery
    if (
        original is None
        or original.subscription_id != sub.id
        or now - original.event.created_at > LOG_RETENTION
    ):
        return Refused(Refusal.NOT_FOUND)
    if sub.status != "active":
        return Refused(Refusal.PAUSED)
    latest = original if snapshot.chain is None else snapshot.latest
    if latest is not None and not latest.state.terminal:
        stalled = latest if latest.state.t0 is None else None
        return Refused(Refusal.PENDING, stalled)
    delivery = Delivery(
        new_id, sub.id, original.event, new_delivery(now), 1, redelivery_of=original.delivery_id
    )
    chain = DeliveryChain(sub.id, original.event.event_id, new_id, original.event.created_at)
    chain_was = None if snapshot.chain is None else snapshot.chain.latest_delivery_id
    return Redelivery(delivery, chain, chain_was, sub.version)
