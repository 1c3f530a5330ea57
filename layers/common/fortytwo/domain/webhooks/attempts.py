"""The plan of one finished attempt of a real delivery (40-webhooks §8.4 step 4): the log row,
the delivery's next state and the subscription's bookkeeping, committed in ONE transaction so
a crash never leaves a row without its state or an exhausted delivery without its counter
increment."""

from __future__ import annotations

from dataclasses import dataclass

from fortytwo.domain.webhooks.delivery_state import (
    AttemptRecord,
    DelayMessage,
    Delivery,
    DeliveryState,
    DeliveryStatus,
    FailureReason,
    RecordAttempt,
    Step,
    UpdateSubscription,
)
from fortytwo.domain.webhooks.subscription import Subscription, SubscriptionChange, after_attempt


@dataclass(frozen=True, slots=True)
class FinishedAttempt:
    """`claimed` moves to `state` (if still at its version), `record` is logged, and
    `subscription` (None: nothing to change, or the subscription is gone) is written if still
    at its version. `park` is the message's new visibility (a retry), or None (delete it)."""

    claimed: Delivery
    state: DeliveryState
    record: AttemptRecord
    subscription: SubscriptionChange | None
    park: int | None

    @property
    def outcome(self) -> str:
        """The metric label: succeeded, endpoint_gone, exhausted or retry_scheduled."""
        if self.record.error is None:
            return "succeeded"
        if self.state.failure is FailureReason.ENDPOINT_GONE:
            return "endpoint_gone"
        if self.state.status is DeliveryStatus.FAILED:
            return "exhausted"
        return "retry_scheduled"


def finish_attempt(claimed: Delivery, finished: Step, current: Subscription | None) -> FinishedAttempt:
    """Join the lifecycle's step (`on_attempt_finished`) with the health rules applied to the
    subscription as read now; called again on a re-read after a lost race."""
    record = next(e.record for e in finished.effects if isinstance(e, RecordAttempt))
    update = next(e for e in finished.effects if isinstance(e, UpdateSubscription))
    park = next((e.seconds for e in finished.effects if isinstance(e, DelayMessage)), None)
    change = after_attempt(current, update) if current is not None else None
    return FinishedAttempt(claimed, finished.state, record, change, park)
