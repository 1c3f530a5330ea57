"""The §7.1 fixture of 20-scheduling as a seed, a frozen clock, and helpers to call the handlers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from fortytwo.domain import clock
from fortytwo.domain.timefmt import parse_ts
from fortytwo.store import ledger
from fortytwo.store.ledger import LedgerEntry

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
ALL_SCOPES = [
    "user:read",
    "event_types:read",
    "slots:read",
    "bookings:read",
    "bookings:write",
    "webhooks:read",
    "webhooks:write",
]
DEFAULT_NOW = "2026-05-18T08:00:00Z"


def _individual(key: str, owner: str, slug: str, title: str, **fields: Any) -> dict[str, Any]:
    base = {
        "key": key,
        "owner": owner,
        "slug": slug,
        "title": title,
        "duration_minutes": 30,
        "slot_increment_minutes": 30,
        "minimum_notice_minutes": 0,
        "future_limit_days": 60,
    }
    base.update(fields)
    return base


def acme_seed() -> dict[str, Any]:
    """Organization Acme with ada, grace, sam, nia, team Sales and the seven event types of §7.1."""
    return {
        "organization": {"name": "Acme", "plan": "Pro"},
        "users": [
            {
                "username": "ada",
                "email": "ada@acme.test",
                "first_name": "Ada",
                "last_name": "Lovelace",
                "timezone": "Europe/London",
                "role": "owner",
                "schedule": {
                    "timezone": "Europe/London",
                    "weekly": dict.fromkeys(WEEKDAYS, ["09:00-12:00", "13:00-17:00"]),
                },
            },
            {
                "username": "grace",
                "email": "grace@acme.test",
                "first_name": "Grace",
                "last_name": "Hopper",
                "timezone": "America/New_York",
                "role": "admin",
                "schedule": {
                    "timezone": "America/New_York",
                    "weekly": dict.fromkeys(WEEKDAYS, ["09:00-17:00"]),
                },
            },
            {
                "username": "sam",
                "email": "sam@acme.test",
                "timezone": "Europe/London",
                "schedule": {"timezone": "Europe/London", "weekly": {"sun": ["00:00-03:00"]}},
            },
            {
                "username": "nia",
                "email": "nia@acme.test",
                "timezone": "America/New_York",
                "schedule": {
                    "timezone": "America/New_York",
                    "weekly": dict.fromkeys(WEEKDAYS, ["09:00-10:00"]),
                    "overrides": {"2026-03-08": ["02:30-04:00"], "2026-11-01": ["01:30-03:00"]},
                },
            },
        ],
        "teams": [{"name": "Sales", "members": ["ada", "grace"]}],
        "event_types": [
            _individual(
                "intro",
                "ada",
                "intro-call",
                "Intro call",
                description="30-minute introduction.",
                locations=[{"type": "video", "label": "Video call", "value": "https://meet.example.com/ada"}],
                questions=[
                    {"key": "company", "label": "Company", "type": "text", "required": True},
                    {
                        "key": "topics",
                        "label": "Topics",
                        "type": "multiselect",
                        "options": ["Pricing", "Integrations", "Security"],
                    },
                ],
            ),
            _individual(
                "consult", "ada", "consult", "Consult", buffer_before_minutes=15, buffer_after_minutes=5
            ),
            _individual(
                "deep",
                "ada",
                "deep-dive",
                "Deep dive",
                duration_minutes=60,
                slot_increment_minutes=60,
                buffer_after_minutes=10,
            ),
            {
                "key": "demo",
                "team": "Sales",
                "slug": "sales-demo",
                "title": "Sales demo",
                "scheduling_type": "collective",
                "duration_minutes": 30,
                "slot_increment_minutes": 30,
                "minimum_notice_minutes": 0,
                "future_limit_days": 60,
                "color": "#F25C2C",
            },
            _individual(
                "workshop",
                "ada",
                "workshop",
                "Workshop",
                scheduling_type="group",
                seats=3,
                duration_minutes=60,
                slot_increment_minutes=60,
            ),
            _individual("night", "sam", "night-line", "Night line"),
            _individual("checkin", "nia", "check-in", "Check-in"),
        ],
        "pats": [
            {"key": "full", "user": "ada", "name": "everything", "scopes": ALL_SCOPES},
            {"key": "narrow", "user": "ada", "name": "user only", "scopes": ["user:read"]},
        ],
    }


@dataclass
class Acme:
    result: dict[str, Any]

    @property
    def token(self) -> str:
        return self.result["pats"]["full"]["token"]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def user(self, name: str) -> str:
        return self.result["users"][name]

    def et(self, key: str) -> str:
        return self.result["event_types"][key]


def make_seed(doc: dict[str, Any]) -> Acme:
    from fortytwo_local.seed import apply_seed

    return Acme(apply_seed(doc))


@pytest.fixture
def acme(moto_env: None) -> Acme:
    return make_seed(acme_seed())


@pytest.fixture
def freeze(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], datetime]:
    """Freeze the server clock (`now` of every rule) at an instant."""

    def apply(instant: str) -> datetime:
        value = parse_ts(instant)
        monkeypatch.setattr(clock, "now", lambda: value)
        return value

    return apply


def entry(
    key: str,
    event_type_id: str,
    start: str,
    minutes: int,
    *,
    created_at: str | None = None,
    status: str = "confirmed",
    before: int = 0,
    after: int = 0,
    seats: int | None = None,
) -> LedgerEntry:
    begin = parse_ts(start)
    return LedgerEntry(
        key=key,
        event_type_id=event_type_id,
        start=begin,
        end=begin + timedelta(minutes=minutes),
        created_at=parse_ts(created_at) if created_at else begin - timedelta(days=7),
        status=status,
        buffer_before=before,
        buffer_after=after,
        seats=seats,
    )


def put_ledger(bookings: Iterable[tuple[str, LedgerEntry]]) -> None:
    """Write ledger entries for (host user id, entry) pairs, as the booking engine will."""
    by_host: dict[str, list[LedgerEntry]] = defaultdict(list)
    for host, item in bookings:
        by_host[host].append(item)
    for host, entries in by_host.items():
        ledger.put_entries(host, entries)


def starts(body: dict[str, Any]) -> list[str]:
    return [slot["start"] for slot in body["data"]["slots"]]
