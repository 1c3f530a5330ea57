"""Delivery lifecycle (40-webhooks §7.4, §7.5, §7.9, §7.15, §8.4)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fortytwo.domain.timefmt import parse_ts
from fortytwo.domain.webhooks.delivery_state import (
    MAX_CLAIMS_PER_ATTEMPT,
    AttemptError,
    AttemptOutcome,
    AttemptRecord,
    DelayMessage,
    DeleteMessage,
    DeliveryState,
    DeliveryStatus,
    FailureReason,
    InvalidTransition,
    RecordAttempt,
    SendAttempt,
    Step,
    UpdateSubscription,
    classify_attempt,
    log_row_expires_at,
    log_row_visible,
    new_delivery,
    on_attempt_finished,
    on_message,
    record_for_test_delivery,
)
from fortytwo.domain.webhooks.health import DeliveryHealthEvent
from fortytwo.domain.webhooks.retry import RetrySchedule

SCHEDULE = RetrySchedule()
DID = "whd_019e450a-db80-770f-802a-3486c6a355a0"


def ms(n: int) -> timedelta:
    return timedelta(milliseconds=n)


@pytest.mark.parametrize(
    ("status", "transport", "error"),
    [
        (200, None, None),
        (204, None, None),
        (299, None, None),
        (410, None, AttemptError.ENDPOINT_GONE),
        (300, None, AttemptError.REDIRECT_NOT_FOLLOWED),
        (301, None, AttemptError.REDIRECT_NOT_FOLLOWED),
        (308, None, AttemptError.REDIRECT_NOT_FOLLOWED),
        (399, None, AttemptError.REDIRECT_NOT_FOLLOWED),
        (101, None, AttemptError.HTTP_ERROR),
        (400, None, AttemptError.HTTP_ERROR),
        (401, None, AttemptError.HTTP_ERROR),
        (404, None, AttemptError.HTTP_ERROR),
        (409, None, AttemptError.HTTP_ERROR),
        (429, None, AttemptError.HTTP_ERROR),
        (500, None, AttemptError.HTTP_ERROR),
        (503, None, AttemptError.HTTP_ERROR),
        (None, "timeout", AttemptError.TIMEOUT),
        (None, "dns_failure", AttemptError.DNS_FAILURE),
        (None, "forbidden_address", AttemptError.FORBIDDEN_ADDRESS),
        (None, "connection_failed", AttemptError.CONNECTION_FAILED),
        (None, "tls_failure", AttemptError.TLS_FAILURE),
    ],
)
def test_outcome_table(status: int | None, transport: str | None, error: AttemptError | None) -> None:
    outcome = classify_attempt(status, transport, 12)
    assert outcome == AttemptOutcome(status, error, 12)
    assert outcome.ok is (error is None)
    assert outcome.gone is (error is AttemptError.ENDPOINT_GONE)


def test_outcome_needs_exactly_one_of_status_and_error() -> None:
    for args in ((None, None), (200, "timeout"), (None, "http_error"), (None, "bogus")):
        with pytest.raises(ValueError):
            classify_attempt(args[0], args[1], 1)


def _claim(state: DeliveryState, now: datetime, status: str | None = "active") -> DeliveryState:
    step = on_message(state, now=now, subscription_status=status, schedule=SCHEDULE)  # type: ignore[arg-type]
    assert step.effects == (SendAttempt(state.attempt),)
    assert step.state.status is DeliveryStatus.IN_FLIGHT and step.state.attempt == state.attempt
    return step.state


def _records(step: Step) -> list[RecordAttempt]:
    return [e for e in step.effects if isinstance(e, RecordAttempt)]


def test_spec_deliveries_log_example() -> None:
    """§5.8: 503, timeout, 500 with next_retry_at measured from T0 = start of attempt 1."""
    t0 = parse_ts("2026-05-20T11:00:00.734Z")
    state = new_delivery(t0 - ms(5))
    state = _claim(state, t0)
    step = on_attempt_finished(state, classify_attempt(503, None, 95), now=t0 + ms(120), schedule=SCHEDULE)
    row1 = _records(step)[0].record.to_api(DID, "booking_updated")
    assert row1 == {
        "id": DID,
        "event": "booking_updated",
        "attempt": 1,
        "status_code": 503,
        "error": "http_error",
        "delivered_at": None,
        "created_at": "2026-05-20T11:00:00.734Z",
        "duration_ms": 95,
        "next_retry_at": "2026-05-20T11:01:00.734Z",
    }
    assert step.effects[1] == UpdateSubscription(t0 + ms(95), False, None)
    assert step.effects[2] == DelayMessage(60)
    state = step.state
    assert state == DeliveryState(DeliveryStatus.PENDING, 2, due_at=t0 + timedelta(minutes=1), t0=t0)

    # Arrives a little early: parked again, nothing else happens.
    early = on_message(
        state,
        now=t0 + timedelta(seconds=59, milliseconds=500),
        subscription_status="active",
        schedule=SCHEDULE,
    )
    assert early == Step(state, (DelayMessage(1),))

    started2 = parse_ts("2026-05-20T11:01:00.901Z")
    state = _claim(state, started2)
    step = on_attempt_finished(
        state, classify_attempt(None, "timeout", 10000), now=started2 + ms(10050), schedule=SCHEDULE
    )
    row2 = _records(step)[0].record.to_api(DID, "booking_updated")
    assert (
        row2["created_at"],
        row2["status_code"],
        row2["error"],
        row2["duration_ms"],
        row2["next_retry_at"],
    ) == (
        "2026-05-20T11:01:00.901Z",
        None,
        "timeout",
        10000,
        "2026-05-20T11:05:00.734Z",
    )
    started3 = parse_ts("2026-05-20T11:05:00.812Z")
    state = _claim(step.state, started3)
    step = on_attempt_finished(
        state, classify_attempt(500, None, 77), now=started3 + ms(90), schedule=SCHEDULE
    )
    record = _records(step)[0].record
    assert record.to_api(DID, "booking_updated")["next_retry_at"] == "2026-05-20T11:30:00.734Z"
    # §3.3: last_delivery_at is when that attempt finished.
    assert record.finished_at == parse_ts("2026-05-20T11:05:00.889Z")


def test_success_and_delivered_at() -> None:
    t0 = parse_ts("2026-05-20T10:00:01.046Z")
    state = _claim(new_delivery(t0), t0)
    step = on_attempt_finished(state, classify_attempt(200, None, 189), now=t0 + ms(200), schedule=SCHEDULE)
    assert step.state.status is DeliveryStatus.SUCCEEDED and step.state.terminal
    row = _records(step)[0].record.to_api("whd_x", "booking_created")
    assert (
        row["delivered_at"] == "2026-05-20T10:00:01.235Z"
        and row["next_retry_at"] is None
        and row["error"] is None
    )
    assert step.effects[1:] == (
        UpdateSubscription(t0 + ms(189), True, DeliveryHealthEvent.SUCCEEDED),
        DeleteMessage(),
    )


def test_410_fails_at_once_and_signals_the_pause() -> None:
    t0 = parse_ts("2026-05-20T10:00:00.000Z")
    state = _claim(new_delivery(t0), t0)
    step = on_attempt_finished(state, classify_attempt(410, None, 10), now=t0, schedule=SCHEDULE)
    assert step.state.status is DeliveryStatus.FAILED and step.state.failure is FailureReason.ENDPOINT_GONE
    assert _records(step)[0].record.next_retry_at is None
    assert _records(step)[0].record.error is AttemptError.ENDPOINT_GONE
    assert UpdateSubscription(t0 + ms(10), False, DeliveryHealthEvent.ENDPOINT_GONE) in step.effects
    assert step.effects[-1] == DeleteMessage()


def test_last_failure_exhausts() -> None:
    schedule = RetrySchedule((0, 1))
    t0 = parse_ts("2026-05-20T10:00:00.000Z")
    state = _claim(new_delivery(t0), t0)
    state = on_attempt_finished(state, classify_attempt(500, None, 5), now=t0, schedule=schedule).state
    state = _claim(state, t0 + timedelta(seconds=1))
    step = on_attempt_finished(state, classify_attempt(None, "dns_failure", 3), now=t0, schedule=schedule)
    assert step.state == DeliveryState(DeliveryStatus.FAILED, 2, t0=t0, failure=FailureReason.EXHAUSTED)
    assert UpdateSubscription(
        t0 + timedelta(seconds=1, milliseconds=3), False, DeliveryHealthEvent.EXHAUSTED
    ) in (step.effects)
    assert _records(step)[0].record.next_retry_at is None


@pytest.mark.parametrize("status", ["paused", None])
def test_due_attempt_of_paused_or_deleted_subscription_is_dropped(status: str | None) -> None:
    t0 = parse_ts("2026-05-20T10:00:00.000Z")
    for state in (new_delivery(t0), DeliveryState(DeliveryStatus.PENDING, 3, due_at=t0, t0=t0)):
        step = on_message(state, now=t0, subscription_status=status, schedule=SCHEDULE)  # type: ignore[arg-type]
        assert step.state.status is DeliveryStatus.DROPPED and step.state.attempt == state.attempt
        assert step.effects == (DeleteMessage(),)  # no request, no log row, no counter change


def test_not_yet_due_is_parked_whatever_the_subscription() -> None:
    t0 = parse_ts("2026-05-20T10:00:00.000Z")
    state = DeliveryState(DeliveryStatus.PENDING, 2, due_at=t0 + timedelta(minutes=1), t0=t0)
    for status in ("active", "paused", None):
        assert on_message(state, now=t0 + ms(1), subscription_status=status, schedule=SCHEDULE) == Step(
            state, (DelayMessage(60),)
        )  # type: ignore[arg-type]


def test_terminal_states_delete_the_message() -> None:
    for state in (
        DeliveryState(DeliveryStatus.SUCCEEDED, 1),
        DeliveryState(DeliveryStatus.FAILED, 6, failure=FailureReason.EXHAUSTED),
        DeliveryState(DeliveryStatus.DROPPED, 2),
    ):
        assert on_message(
            state, now=parse_ts("2026-01-01T00:00:00Z"), subscription_status="active", schedule=SCHEDULE
        ) == Step(state, (DeleteMessage(),))


def test_claim_lease_and_expired_claim_resends_the_same_attempt() -> None:
    t0 = parse_ts("2026-05-20T10:00:00.000Z")
    state = DeliveryState(DeliveryStatus.PENDING, 3, due_at=t0 + timedelta(minutes=5), t0=t0)
    claimed = on_message(
        state,
        now=t0 + timedelta(minutes=5),
        subscription_status="active",
        schedule=SCHEDULE,
        lease_seconds=60,
    ).state
    assert claimed.t0 == t0 and claimed.claim_expires_at == t0 + timedelta(minutes=6)
    held = on_message(
        claimed, now=t0 + timedelta(minutes=5, seconds=10), subscription_status="active", schedule=SCHEDULE
    )
    assert held == Step(claimed, (DelayMessage(50),))
    again = on_message(
        claimed, now=t0 + timedelta(minutes=6), subscription_status="active", schedule=SCHEDULE
    )
    assert again.effects == (SendAttempt(3),) and again.state.attempt == 3
    assert again.state.claimed_at == t0 + timedelta(minutes=6) and again.state.t0 == t0
    dropped = on_message(
        claimed, now=t0 + timedelta(minutes=7), subscription_status="paused", schedule=SCHEDULE
    )
    assert dropped.state.status is DeliveryStatus.DROPPED


def test_an_attempt_whose_claims_keep_expiring_fails_as_a_timeout() -> None:
    """Claimed MAX_CLAIMS_PER_ATTEMPT times without an outcome: recorded as a failed attempt, so
    the schedule (not the queue's receive count) decides when the delivery is exhausted."""
    t0 = parse_ts("2026-05-20T10:00:00.000Z")
    last = SCHEDULE.attempts
    state = DeliveryState(DeliveryStatus.PENDING, last, due_at=t0 + timedelta(hours=12), t0=t0)
    now = t0 + timedelta(hours=12)
    for claim in range(1, MAX_CLAIMS_PER_ATTEMPT + 1):
        step = on_message(state, now=now, subscription_status="active", schedule=SCHEDULE, lease_seconds=60)
        assert step.effects == (SendAttempt(last),) and step.state.claims == claim
        state = step.state
        now += timedelta(seconds=60)  # the worker died: its claim expires
    step = on_message(state, now=now, subscription_status="active", schedule=SCHEDULE, lease_seconds=60)
    (record,) = _records(step)
    assert record.record == AttemptRecord(
        last, None, AttemptError.TIMEOUT, state.claimed_at, 60_000, None, None
    )
    assert step.state.status is DeliveryStatus.FAILED and step.state.failure is FailureReason.EXHAUSTED
    (update,) = [e for e in step.effects if isinstance(e, UpdateSubscription)]
    assert update.health_event is DeliveryHealthEvent.EXHAUSTED and not update.ok
    assert step.effects[-1] == DeleteMessage()
    # Not the last attempt: the next one is scheduled as after any failure.
    earlier = DeliveryState(
        DeliveryStatus.IN_FLIGHT,
        2,
        t0=t0,
        claimed_at=t0 + timedelta(minutes=1),
        claim_expires_at=t0 + timedelta(minutes=2),
        claims=MAX_CLAIMS_PER_ATTEMPT,
    )
    step = on_message(earlier, now=t0 + timedelta(minutes=2), subscription_status="active", schedule=SCHEDULE)
    assert step.state == DeliveryState(DeliveryStatus.PENDING, 3, due_at=t0 + timedelta(minutes=5), t0=t0)
    assert step.effects[-1] == DelayMessage(180)
    # A paused subscription still drops it instead.
    dropped = on_message(
        earlier, now=t0 + timedelta(minutes=2), subscription_status="paused", schedule=SCHEDULE
    )
    assert dropped.state.status is DeliveryStatus.DROPPED


def test_late_attempt_does_not_move_later_ones() -> None:
    t0 = parse_ts("2026-05-20T10:00:00.000Z")
    state = _claim(new_delivery(t0), t0)
    state = on_attempt_finished(state, classify_attempt(500, None, 1), now=t0, schedule=SCHEDULE).state
    late = t0 + timedelta(minutes=4)  # attempt 2 (due at +1 min) runs 3 minutes late
    state = _claim(state, late)
    step = on_attempt_finished(state, classify_attempt(500, None, 1), now=late, schedule=SCHEDULE)
    assert step.state.due_at == t0 + timedelta(minutes=5)
    assert step.effects[-1] == DelayMessage(60)
    # Backlog beyond the next due time: sent as soon as possible.
    state = _claim(step.state, t0 + timedelta(hours=1))
    step = on_attempt_finished(
        state, classify_attempt(500, None, 1), now=t0 + timedelta(hours=1), schedule=SCHEDULE
    )
    assert step.state.attempt == 4 and step.effects[-1] == DelayMessage(0)


def test_finishing_without_a_claim_is_a_bug() -> None:
    with pytest.raises(InvalidTransition):
        on_attempt_finished(
            new_delivery(parse_ts("2026-01-01T00:00:00Z")),
            classify_attempt(200, None, 1),
            now=parse_ts("2026-01-01T00:00:00Z"),
            schedule=SCHEDULE,
        )


def test_test_delivery_record_matches_the_spec_example() -> None:
    record = record_for_test_delivery(parse_ts("2026-05-20T09:05:00.021Z"), classify_attempt(204, None, 143))
    assert record.to_api("whd_019e44a1-9260-7e41-91a7-e36e01090aee", "booking_created") == {
        "id": "whd_019e44a1-9260-7e41-91a7-e36e01090aee",
        "event": "booking_created",
        "attempt": 1,
        "status_code": 204,
        "error": None,
        "delivered_at": "2026-05-20T09:05:00.164Z",
        "created_at": "2026-05-20T09:05:00.021Z",
        "duration_ms": 143,
        "next_retry_at": None,
    }
    failed = record_for_test_delivery(
        parse_ts("2026-05-20T09:05:00.021Z"), classify_attempt(None, "timeout", 10000)
    )
    assert (
        failed.delivered_at is None and failed.next_retry_at is None and failed.error is AttemptError.TIMEOUT
    )


def test_log_retention() -> None:
    created = parse_ts("2026-05-01T00:00:00Z")
    assert log_row_visible(created, created + timedelta(days=30))
    assert not log_row_visible(created, created + timedelta(days=30, milliseconds=1))
    assert log_row_expires_at(created) == created + timedelta(days=30)


# --- Generated outcome sequences ----------------------------------------------------------------

OUTCOMES = st.one_of(
    st.integers(min_value=100, max_value=599).map(lambda s: (s, None)),
    st.sampled_from(["timeout", "dns_failure", "forbidden_address", "connection_failed", "tls_failure"]).map(
        lambda e: (None, e)
    ),
)
SCHEDULES = st.lists(st.integers(min_value=1, max_value=43200), max_size=7).map(
    lambda gaps: RetrySchedule(tuple([0] + [sum(gaps[: i + 1]) for i in range(len(gaps))]))
)
EVENTS = st.lists(
    st.one_of(
        st.tuples(st.just("attempt"), OUTCOMES, st.integers(min_value=0, max_value=10_000)),
        st.tuples(st.just("status"), st.sampled_from(["active", "paused", None]), st.integers(0, 100_000)),
        # The worker dies after claiming, this many times in a row.
        st.tuples(st.just("worker_dies"), st.integers(min_value=1, max_value=4), st.integers(0, 100)),
    ),
    max_size=30,
)


def _check_finished(
    state: DeliveryState, outcome: AttemptOutcome, step: Step, schedule: RetrySchedule
) -> None:
    assert state.t0 is not None
    records = _records(step)
    assert len(records) == 1 and records[0].record.attempt == state.attempt
    updates = [e for e in step.effects if isinstance(e, UpdateSubscription)]
    assert len(updates) == 1 and updates[0].ok is outcome.ok
    if outcome.ok:
        assert step.state.status is DeliveryStatus.SUCCEEDED
        assert updates[0].health_event is DeliveryHealthEvent.SUCCEEDED
    elif outcome.gone:
        assert step.state.failure is FailureReason.ENDPOINT_GONE
        assert records[0].record.next_retry_at is None
    elif state.attempt == schedule.attempts:
        assert step.state.failure is FailureReason.EXHAUSTED
        assert updates[0].health_event is DeliveryHealthEvent.EXHAUSTED
    else:
        assert step.state.status is DeliveryStatus.PENDING and step.state.attempt == state.attempt + 1
        assert records[0].record.next_retry_at == schedule.due_at(state.t0, state.attempt + 1)
        assert updates[0].health_event is None


def _check_abandoned(state: DeliveryState, step: Step, schedule: RetrySchedule) -> None:
    (record,) = _records(step)
    assert state.status is DeliveryStatus.IN_FLIGHT and state.claims == MAX_CLAIMS_PER_ATTEMPT
    assert record.record.attempt == state.attempt and record.record.error is AttemptError.TIMEOUT
    assert step.state.status is DeliveryStatus.PENDING or (
        step.state.failure is FailureReason.EXHAUSTED and state.attempt == schedule.attempts
    )


def _check_sent(sent: list[int], abandoned: list[int], schedule: RetrySchedule) -> None:
    # Attempt numbers never go back and never exceed the schedule; only a dead worker repeats one.
    assert all(b in (a, a + 1) for a, b in zip(sent, sent[1:], strict=False))
    assert all(1 <= k <= schedule.attempts for k in sent)
    # An attempt is sent at most MAX_CLAIMS_PER_ATTEMPT times: the schedule bounds the receives.
    assert all(sent.count(k) <= MAX_CLAIMS_PER_ATTEMPT for k in set(sent))
    assert all(sent.count(k) == MAX_CLAIMS_PER_ATTEMPT for k in abandoned)


def _check_claimed(state: DeliveryState, step: Step, schedule: RetrySchedule, now: datetime) -> None:
    assert step.effects == (SendAttempt(state.attempt),)
    assert 1 <= state.attempt <= schedule.attempts
    assert 1 <= state.claims <= MAX_CLAIMS_PER_ATTEMPT
    assert state.t0 is not None and now >= schedule.due_at(state.t0, state.attempt)


@settings(max_examples=300, deadline=None)
@given(SCHEDULES, EVENTS, st.integers(min_value=0, max_value=120))
def test_generated_lifecycles(schedule: RetrySchedule, events: list, lateness: int) -> None:  # type: ignore[type-arg]
    now = parse_ts("2026-05-20T10:00:00.000Z")
    state = new_delivery(now)
    sub_status: str | None = "active"
    sent: list[int] = []
    terminal_seen = False
    abandoned: list[int] = []

    def receive() -> Step:
        """The message comes back when asked to (plus some lateness) until something happens;
        an attempt whose last claim expired is recorded as a timeout on the way."""
        nonlocal now, state
        while True:
            step = on_message(state, now=now, subscription_status=sub_status, schedule=schedule)  # type: ignore[arg-type]
            if _records(step):
                _check_abandoned(state, step, schedule)
                abandoned.append(state.attempt)
                state = step.state
            elif step.effects and isinstance(step.effects[0], DelayMessage):
                assert 0 <= step.effects[0].seconds <= 43200
                now += timedelta(seconds=max(step.effects[0].seconds, 1), milliseconds=lateness)
            else:
                return step

    for kind, value, delta in events:
        if kind == "status":
            sub_status = value
            continue
        for _ in range(value if kind == "worker_dies" else 1):
            step = receive()
            state = step.state
            if state.terminal:
                break
            _check_claimed(state, step, schedule, now)
            sent.append(state.attempt)
            # A dead worker's claim expires; the same attempt number goes again.
            now += timedelta(seconds=61 if kind == "worker_dies" else 0)
        if state.terminal:
            assert step.effects == (DeleteMessage(),)
            terminal_seen = True
            continue
        if kind == "worker_dies":
            continue
        status_code, error = value
        outcome = classify_attempt(status_code, error, delta)
        step = on_attempt_finished(state, outcome, now=now + ms(delta), schedule=schedule)
        _check_finished(state, outcome, step, schedule)
        now += ms(delta)
        state = step.state
    _check_sent(sent, abandoned, schedule)
    if terminal_seen:
        assert state.terminal
