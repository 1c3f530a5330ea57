"""`GET /v1/slots` and `GET /v1/slots/check` (20-scheduling §5, §6)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from fortytwo.contract.examples import examples
from fortytwo.contract.types import ContractModel, Instant, Uuid, omitted

UnavailableReason = Literal[
    "event_type_inactive", "in_past", "outside_minimum_notice", "outside_future_limit", "slot_busy"
]


class Slot(ContractModel):
    start: Instant
    end: Instant
    available: Literal[True]
    host_user_id: Uuid = omitted("Team-owned event types only: the host the booking would get.")
    seats_remaining: int = omitted("(extension) Group event types only.")


class SlotList(ContractModel):
    model_config = examples(
        {
            "event_type_id": "019d48ea-2e00-7f28-9fb1-7c2390c192cf",
            "timezone": "Europe/London",
            "computed_at": "2026-05-19T08:00:00.000Z",
            "slots": [
                {
                    "start": "2026-05-20T08:00:00.000Z",
                    "end": "2026-05-20T08:30:00.000Z",
                    "available": True,
                }
            ],
        }
    )

    event_type_id: Uuid
    timezone: str = Field(description="The `timezone` parameter echoed, else the event type's zone.")
    computed_at: Instant
    slots: list[Slot]
    truncated: Literal[True] = omitted("Present, and true, only when more than 2000 slots existed.")


class SlotCheck(ContractModel):
    model_config = examples(
        {"available": False, "reason": "slot_busy", "next_available": "2026-05-20T10:00:00.000Z"}
    )

    available: bool
    duration_minutes: int = omitted("Present when available.")
    reason: UnavailableReason = omitted("Present when unavailable.")
    next_available: Instant | None = omitted("Present when the reason is `slot_busy`.")
