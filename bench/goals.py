"""The issue-18 goals as `make bench` prints them: one entry per goal, its figure beside its budget.

Each entry reads its figure from bench/results.json (the section its bench wrote). To add a goal,
add one `Goal(...)` to GOALS; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Results = dict[str, Any]


@dataclass(frozen=True)
class Goal:
    number: int
    name: str
    section: str  # the bench (key of results.json) the figure comes from
    figure: Callable[[Results], float]  # from that section
    budget: float
    unit: str
    note: Callable[[Results], str] = lambda _: ""


def _slowest_wall(r: Results) -> float:
    return max(float(f["wall_ms"]) for f in r["functions"].values())


def _warm_ratio(scenario: str) -> Callable[[Results], float]:
    return lambda r: float(r["scenarios"][scenario]["ratio"])


def _warm_note(r: Results) -> str:
    return ", ".join(f"{name} {s['ratio']}×" for name, s in r["scenarios"].items() if name != "_ping")


GOALS: tuple[Goal, ...] = (
    Goal(
        1,
        "cold import, slowest function (built layer, bytecode)",
        "cold_import",
        lambda r: float(r["slowest_ms"]),
        500.0,
        "ms",
        lambda r: f"median CPU of {r['runs']} fresh processes; slowest wall {_slowest_wall(r)} ms",
    ),
    Goal(
        2,
        "warm _ping CPU / bare FastAPI+Mangum (AWS stubbed)",
        "warm_cpu",
        _warm_ratio("_ping"),
        2.0,
        "×",
        _warm_note,
    ),
    Goal(
        3,
        "503s when 8 clients book distinct slots of one host-day and of a round-robin team",
        "bench_contention",
        lambda r: float(r["host_day"]["slot_lock_timeout"] + r["round_robin"]["slot_lock_timeout"]),
        0.0,
        "",
        lambda r: (
            f"double bookings on one slot {r['double_bookings']}; calls per create "
            f"{r['host_day']['dynamodb_calls_per_create']}"
        ),
    ),
    Goal(
        4,
        "webhook commit → receipt p50, local stack (light load)",
        "bench_webhooks",
        lambda r: float(r["pipeline"]["light_load"]["outbox_write_to_receipt"]["p50_ms"]),
        1000.0,
        "ms",
        lambda r: f"calls per attempt {r['batched_attempt']['calls_per_attempt']} (batch of 10)",
    ),
    Goal(
        5,
        "slot engine, 31 days / 3 hosts / 600 bookings",
        "bench_slots",
        lambda r: float(r["cpu"]["median_ms"]),
        12.0,
        "ms",
        lambda r: f"median CPU, cold caches; wall {r['median_ms']} ms",
    ),
)


def print_goals(results: Results) -> bool:
    """Print one line per goal whose bench has results; True when every printed one is within."""
    print(f"\n{'goal':<5} {'figure':>10} {'budget':>10}  {'verdict':<7} what")
    within = True
    for goal in sorted(GOALS, key=lambda g: g.number):
        section = results.get(goal.section)
        if section is None:
            print(f"{goal.number:<5} {'—':>10} {goal.budget:>9g}{goal.unit}  {'not run':<7} {goal.name}")
            continue
        try:
            value = goal.figure(section)
        except (KeyError, TypeError, ValueError):
            print(f"{goal.number:<5} {'?':>10} {goal.budget:>9g}{goal.unit}  {'stale':<7} {goal.name}")
            within = False
            continue
        ok = value <= goal.budget
        within = within and ok
        note = goal.note(section)
        verdict = "ok" if ok else "OVER"
        print(
            f"{goal.number:<5} {value:>9g}{goal.unit} {goal.budget:>9g}{goal.unit}  {verdict:<7} "
            f"{goal.name}{f' ({note})' if note else ''}"
        )
    return within
