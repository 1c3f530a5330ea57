"""The pure slot engine on its budget case (≤ 25 ms per computation).

Case: round robin over 3 hosts in 3 zones, 31-day window, 15-minute increments, 600 existing
bookings of those hosts (the event type's own and others, with buffers, some pending/canceled),
per-event-type and account-wide caps set. Also times one single-start evaluation.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from fortytwo.domain.scheduling import (
    EventTypeRules,
    ExistingBooking,
    Host,
    MeetingLimits,
    OutOfOffice,
    SchedulingType,
    compute_slots,
    evaluate,
    parse_schedule_document,
)
from fortytwo.domain.scheduling.localtime import clear_conversion_cache

BUDGET_MS = 12.0  # issue 18, goal 5
WINDOW_START = datetime(2026, 5, 4, tzinfo=UTC)
WINDOW_END = WINDOW_START + timedelta(days=31)
NOW = datetime(2026, 5, 1, 8, tzinfo=UTC)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def build_case(bookings_count: int = 600, seed: int = 42) -> dict[str, Any]:
    rng = random.Random(seed)
    documents = [
        {
            "timezone": "Europe/London",
            "weekly": dict.fromkeys(WEEKDAYS, ["09:00-12:00", "13:00-17:00"]),
            "overrides": {"2026-05-25": [], "2026-05-29": ["10:00-12:00"]},
        },
        {"timezone": "America/New_York", "weekly": dict.fromkeys(WEEKDAYS, ["09:00-17:00"])},
        {
            "timezone": "Europe/Berlin",
            "weekly": {**dict.fromkeys(WEEKDAYS, ["08:00-12:30", "13:30-18:00"]), "sat": ["10:00-14:00"]},
        },
    ]
    host_ids = [f"019d48b3-0000-7000-8000-00000000000{i}" for i in range(3)]
    hosts = [
        Host(
            host_ids[0],
            parse_schedule_document(documents[0]).schedule,
            (OutOfOffice(datetime(2026, 5, 18).date(), datetime(2026, 5, 20).date()),),
            MeetingLimits(per_day=6, per_week=25),
        ),
        Host(host_ids[1], parse_schedule_document(documents[1]).schedule),
        Host(
            host_ids[2], parse_schedule_document(documents[2]).schedule, limits=MeetingLimits(per_month=120)
        ),
    ]
    rules = EventTypeRules(
        id="019d4958-39e0-7d38-8f21-ddb66cad4a26",
        duration_minutes=30,
        slot_increment_minutes=15,
        scheduling_type=SchedulingType.COLLECTIVE,
        team_owned=True,
        buffer_before_minutes=5,
        buffer_after_minutes=10,
        minimum_notice_minutes=240,
        future_limit_days=60,
        max_bookings_per_day=20,
    )
    bookings = []
    span_minutes = int((WINDOW_END - WINDOW_START).total_seconds() // 60)
    for number in range(bookings_count):
        host = host_ids[number % 3]
        start = WINDOW_START + timedelta(minutes=15 * rng.randrange(-96, span_minutes // 15))
        own = rng.random() < 0.4
        duration = 30 if own else rng.choice([15, 30, 45, 60, 90])
        bookings.append(
            ExistingBooking(
                id=f"booking-{number}",
                event_type_id=rules.id if own else f"other-{rng.randrange(5)}",
                host_user_id=host,
                start=start,
                end=start + timedelta(minutes=duration),
                created_at=NOW - timedelta(hours=rng.randrange(1, 24 * 40)),
                status=rng.choices(["confirmed", "pending", "canceled"], weights=[8, 1, 1])[0],
                buffer_before_minutes=rng.choice([0, 0, 5, 15]),
                buffer_after_minutes=rng.choice([0, 5, 10]),
            )
        )
    return {"rules": rules, "hosts": hosts, "bookings": bookings}


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(p95, 3),
        "min_ms": round(ordered[0], 3),
        "max_ms": round(ordered[-1], 3),
    }


def run(iterations: int = 50) -> dict[str, Any]:
    case = build_case()
    rules, hosts, bookings = case["rules"], case["hosts"], case["bookings"]

    def window() -> Any:
        return compute_slots(rules, hosts, bookings, now=NOW, start=WINDOW_START, end=WINDOW_END)

    result = window()  # loads zone data and imports once

    def measure(cold: bool) -> tuple[list[float], list[float]]:
        wall, cpu = [], []
        for _ in range(iterations):
            if cold:
                clear_conversion_cache()  # every local-time conversion computed again
            started, cpu_started = time.perf_counter(), time.thread_time()
            window()
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - cpu_started) * 1000)
        return wall, cpu

    samples, cpu_samples = measure(cold=True)
    warm_samples, warm_cpu_samples = measure(cold=False)

    probe = result.slots[len(result.slots) // 2].start
    single = []
    for _ in range(iterations):
        started = time.perf_counter()
        evaluate(rules, hosts, bookings, now=NOW, start=probe)
        single.append((time.perf_counter() - started) * 1000)

    stats = _stats(samples)
    return {
        **stats,
        "iterations": iterations,
        "budget_ms": BUDGET_MS,
        "within_budget": stats["median_ms"] <= BUDGET_MS,
        "case": {
            "window_days": 31,
            "hosts": len(hosts),
            "existing_bookings": len(bookings),
            "slot_increment_minutes": rules.slot_increment_minutes,
            "slots": len(result.slots),
            "truncated": result.truncated,
        },
        # The headline numbers are cold (no memoized conversions). CPU time of this thread shows
        # the engine's own cost when other processes share the cores.
        "cpu": _stats(cpu_samples),
        "warm": {"wall": _stats(warm_samples), "cpu": _stats(warm_cpu_samples)},
        "single_start_evaluate": _stats(single),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
