"""Redelivery (55-admin-center §6): `POST /v1/webhooks/{id}/deliveries/{delivery_id}/redeliver`
and Admin Center's Redeliver button, one copy.

Load (the subscription in the caller's reach, the delivery, its chain) → decide
(`domain/webhooks/redelivery.plan_redelivery`, the checks in the contract's order) → commit (the
new delivery, the chain and the idempotency completion in one transaction) → enqueue the new
delivery's message, exactly as the fan-out does. A lost race reads again and decides again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fortytwo.contract.errors import (
    ApiError,
    DeliveryPending,
    IdempotencyInProgress,
    NotFound,
    ServiceUnavailable,
    WebhookPaused,
)
from fortytwo.domain.ids import normalize_uuid, uuid7
from fortytwo.domain.timefmt import format_ts
from fortytwo.domain.webhooks.delivery_state import Delivery
from fortytwo.domain.webhooks.envelope import DELIVERY_ID_PREFIX, epoch_ms
from fortytwo.domain.webhooks.redelivery import Redelivery, Refusal, Refused, Snapshot, plan_redelivery
from fortytwo.domain.webhooks.subscription import Sandbox
from fortytwo.observability import logger
from fortytwo.services import webhooks
from fortytwo.services.idempotency import Completer
from fortytwo.services.retry import with_retries
from fortytwo.services.webhooks import MAX_WRITE_ATTEMPTS
from fortytwo.store import deliveries, delivery_queue
from fortytwo.store.transactions import LostRace

IN_PROGRESS_MESSAGE = "A request with this Idempotency-Key is still being processed; retry shortly"


@dataclass(frozen=True, slots=True)
class Redelivered:
    """The new delivery, as the 202 shows it."""

    delivery: Delivery

    def to_api(self) -> dict[str, Any]:
        d = self.delivery
        return {
            "id": d.delivery_id,
            "event": d.rest_event,
            "status": "scheduled",
            "redelivery_of": d.redelivery_of,
            "created_at": format_ts(d.state.due_at or d.event.created_at),
            "next_retry_at": None if d.state.due_at is None else format_ts(d.state.due_at),
        }


def delivery_id_of(raw: str) -> str | None:
    """`whd_` + a UUID (any case, as the API names it: lower case), else None (→ 404)."""
    if not raw.startswith(DELIVERY_ID_PREFIX):
        return None
    uuid = normalize_uuid(raw[len(DELIVERY_ID_PREFIX) :])
    return None if uuid is None else DELIVERY_ID_PREFIX + uuid


def _refused(refused: Refused) -> ApiError:
    if refused.refusal is Refusal.PAUSED:
        return WebhookPaused()
    if refused.refusal is Refusal.PENDING:
        return DeliveryPending()
    return NotFound("No such delivery")


def _snapshot(raw_id: str, delivery_id: str | None, reach: Sandbox) -> Snapshot:
    sub = webhooks.get_webhook(raw_id, reach)  # check 1: 404 outside the caller's reach
    delivery = None if delivery_id is None else deliveries.get(delivery_id)
    chain, latest = (None, None)
    if delivery is not None and delivery.subscription_id == sub.id:
        chain, latest = deliveries.chain_of(delivery)
    return Snapshot(sub, delivery, chain, latest)


def _resend(stalled: Delivery) -> None:
    """A pending delivery nobody ever claimed may have lost its message after its commit: send it
    again (a duplicate is harmless, attempts are claimed)."""
    try:
        delivery_queue.enqueue([delivery_queue.Message(stalled.delivery_id, stalled.subscription_id)])
    except Exception:  # noqa: BLE001 - the answer (409) does not depend on it
        logger.warning("could not re-enqueue a stalled delivery", extra={"delivery_id": stalled.delivery_id})


def redeliver(
    raw_id: str,
    raw_delivery_id: str,
    reach: Sandbox,
    *,
    now: datetime,
    finish: Completer[Redelivered] | None = None,
) -> Redelivered:
    """§6: checks 1–4 in order, then the new delivery, committed and enqueued."""
    delivery_id = delivery_id_of(raw_delivery_id)
    new_id = DELIVERY_ID_PREFIX + uuid7(epoch_ms(now))

    def attempt() -> Redelivered:
        plan = plan_redelivery(_snapshot(raw_id, delivery_id, reach), now=now, new_id=new_id)
        if isinstance(plan, Refused):
            if plan.stalled is not None:
                _resend(plan.stalled)
            raise _refused(plan)
        return _commit(plan, finish)

    def on_lost(race: LostRace) -> None:
        if deliveries.KIND_IDEMPOTENCY in race.kinds:
            raise IdempotencyInProgress(IN_PROGRESS_MESSAGE)

    done = with_retries(attempt, ServiceUnavailable, on_lost=on_lost, attempts=MAX_WRITE_ATTEMPTS)
    delivery_queue.enqueue([delivery_queue.Message(done.delivery.delivery_id, done.delivery.subscription_id)])
    logger.info(
        "webhook delivery redelivered",
        extra={
            "delivery_id": done.delivery.delivery_id,
            "redelivery_of": done.delivery.redelivery_of,
            "subscription_id": done.delivery.subscription_id,
        },
    )
    return done


def _commit(plan: Redelivery, finish: Completer[Redelivered] | None) -> Redelivered:
    result = Redelivered(plan.delivery)
    deliveries.commit_redelivery(plan, finish.completion(result) if finish is not None else None)
    if finish is not None:
        finish.committed()
    return result
