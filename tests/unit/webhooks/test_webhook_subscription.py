"""The subscription decisions and the plans the store commits (40-webhooks §4.2, §7.10, §8.2, §8.4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from fortytwo.domain.timefmt import parse_ts
from fortytwo.domain.webhooks.attempts import finish_attempt
from fortytwo.domain.webhooks.delivery_state import (
    Delivery,
    DeliveryStatus,
    Step,
    UpdateSubscription,
    classify_attempt,
    new_delivery,
    on_attempt_finished,
    on_message,
)
from fortytwo.domain.webhooks.envelope import new_outbox_event
from fortytwo.domain.webhooks.fanout import delivery_id_for, plan_fanout
from fortytwo.domain.webhooks.health import Health, PausedReason
from fortytwo.domain.webhooks.retry import RetrySchedule
from fortytwo.domain.webhooks.subscription import (
    Sandbox,
    Subscription,
    after_attempt,
    new_subscription,
    patched,
    rotated,
)
from fortytwo.domain.webhooks.url_policy import parse_webhook_url
from fortytwo.domain.webhooks.validation import CreateInput, PatchInput

T0 = parse_ts("2026-05-20T09:00:00.000Z")
ORG = "019bb138-1000-76a7-b2ed-66ffdcc99396"
SANDBOX = Sandbox(ORG, "pat:p1:1")


def _sub(
    url: str = "https://hooks.example.com/a", events: tuple[str, ...] = ("booking_created",)
) -> Subscription:
    parsed = CreateInput(parse_webhook_url(url), events, "crm")
    return new_subscription("019e449c-fe80-783c-af56-4652466de486", SANDBOX, parsed, "whsec_x", T0)


def test_a_new_subscription_is_active_at_version_1_in_its_sandbox() -> None:
    sub = _sub()
    assert sub.health == Health() and sub.version == 1
    assert sub.sandbox == SANDBOX and sub.created_at == sub.updated_at == T0
    view = sub.to_api()
    assert "signing_secret" not in view and "owner_key" not in view and "failures" not in view
    assert sub.to_api(secret=True)["signing_secret"] == "whsec_x"


def test_patch_bumps_the_version_resets_the_counter_and_moves_the_url_only_by_comparison_key() -> None:
    sub = replace(_sub(), failures=3)
    later = T0 + timedelta(minutes=1)
    same_key = patched(sub, PatchInput(url=parse_webhook_url("HTTPS://HOOKS.example.com/a")), later)
    assert same_key.after.version == 2 and same_key.after.failures == 0 and not same_key.moves_url
    assert same_key.after.url == "HTTPS://HOOKS.example.com/a" and same_key.after.updated_at == later
    moved = patched(sub, PatchInput(url=parse_webhook_url("https://hooks.example.com/A")), later)
    assert moved.moves_url  # path case matters (§4.4)
    # A clock behind the stored updated_at never moves it backwards.
    assert patched(sub, PatchInput(), T0 - timedelta(hours=1)).after.updated_at == T0
    paused = patched(sub, PatchInput(status="paused"), later)
    assert paused.after.status == "paused" and paused.auto_paused is None  # a manual pause


def test_rotate_changes_the_secret_and_updated_at_only() -> None:
    sub = replace(_sub(), failures=2)
    change = rotated(sub, "whsec_new", T0 + timedelta(seconds=5))
    assert change.after.secret == "whsec_new" and change.after.failures == 2
    assert replace(change.after, secret=sub.secret, updated_at=sub.updated_at, version=1) == sub


def _finished(status: int) -> tuple[Delivery, Step]:
    event = new_outbox_event("booking.created", ORG, T0, {"probe": 1})
    delivery = Delivery("whd_x", "019e449c-fe80-783c-af56-4652466de486", event, new_delivery(T0), 1)
    claim = on_message(delivery.state, now=T0, subscription_status="active", schedule=RetrySchedule())
    claimed = delivery.moved_to(claim.state)
    outcome = classify_attempt(status, None, 40)
    schedule = RetrySchedule((0, 1))
    return claimed, on_attempt_finished(claimed.state, outcome, now=T0, schedule=schedule)


def test_a_finished_attempt_plans_row_state_and_bookkeeping_together() -> None:
    sub = replace(_sub(), failures=4)
    claimed, step = _finished(500)
    retry = finish_attempt(claimed, step, sub)
    assert retry.outcome == "retry_scheduled" and retry.park is not None
    assert retry.state.status is DeliveryStatus.PENDING and retry.claimed.version == 2
    assert retry.subscription is not None and retry.subscription.after.last_delivery_ok is False
    assert retry.subscription.after.failures == 4  # a failed attempt alone does not count

    ok = finish_attempt(claimed, _finished(204)[1], sub)
    assert ok.outcome == "succeeded" and ok.park is None
    assert ok.subscription is not None and ok.subscription.after.failures == 0
    assert ok.subscription.after.updated_at == sub.updated_at  # bookkeeping never touches it
    gone = finish_attempt(claimed, _finished(410)[1], sub)
    assert gone.outcome == "endpoint_gone" and gone.subscription is not None
    assert gone.subscription.auto_paused is PausedReason.ENDPOINT_GONE
    assert finish_attempt(claimed, step, None).subscription is None  # the subscription is gone


def test_bookkeeping_of_an_older_attempt_changes_nothing() -> None:
    claimed, step = _finished(500)
    newer = replace(_sub(), last_delivery_at=T0 + timedelta(hours=1), last_delivery_ok=True)
    update = next(e for e in step.effects if isinstance(e, UpdateSubscription))
    assert after_attempt(newer, update) is None


def test_the_fanout_plans_one_pending_delivery_per_receiving_subscription() -> None:
    event = new_outbox_event("booking.created", ORG, T0 + timedelta(seconds=1), {"probe": 1})
    wanted = _sub()
    paused = replace(_sub("https://hooks.example.com/b"), id="p", status="paused")
    other = _sub("https://hooks.example.com/c", ("booking_canceled",))
    planned = plan_fanout(event, [wanted, paused, other], T0)
    assert [(d.delivery_id, d.subscription_id) for d in planned] == [
        (delivery_id_for(event, wanted.id), wanted.id)
    ]
    assert planned[0].state == new_delivery(T0) and planned[0].version == 1
