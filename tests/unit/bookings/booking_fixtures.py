"""Shared builders for the booking domain tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fortytwo.domain.bookings import lifecycle, requests
from fortytwo.domain.bookings.event_types import BookableEventType, EventLocation, Question
from fortytwo.domain.bookings.limits import CounterId
from fortytwo.domain.bookings.model import Booking, HostSnapshot

NOW = datetime(2026, 5, 18, 8, tzinfo=UTC)
START = datetime(2026, 5, 20, 12, tzinfo=UTC)
ORG = "019d487d-9862-7bdc-8667-1ad11c80317f"
ADA = "019d48b3-cc50-7238-b924-56de3eb13b90"
ET_ID = "019d48ea-2e00-7f28-9fb1-7c2390c192cf"
UID = "019e3a19-5800-726b-b2a7-4de452e6b438"
ET_DAY = CounterId("event_type", "x", "day", "2026-05-20")

QUESTIONS = (
    Question("company", "Company", "text", required=True),
    Question("size", "Team size", "number"),
    Question("contact", "Contact email", "email"),
    Question("mobile", "Mobile", "phone"),
    Question("plan", "Plan", "select", options=("Free", "Pro")),
    Question("topics", "Topics", "multiselect", options=("Pricing", "Security")),
    Question("terms", "Terms", "checkbox", required=True),
    Question("notes", "Notes", "textarea"),
    Question("tier", "Tier", "radio", options=("A", "B")),
)


def event_type(**changes: Any) -> BookableEventType:
    values: dict[str, Any] = {
        "id": ET_ID,
        "organization_id": ORG,
        "slug": "intro-call",
        "title": "Intro call",
        "owner_user_id": ADA,
        "duration_minutes": 30,
        "timezone": "Europe/London",
        "locations": (EventLocation("video", "Video call", "https://meet.example.com/ada"),),
        "questions": (Question("company", "Company", "text"),),
    }
    values.update(changes)
    return BookableEventType(**values)


def create_request(**changes: Any) -> requests.CreateRequest:
    body: dict[str, Any] = {
        "event_type_id": ET_ID,
        "start": "2026-05-20T12:00:00Z",
        "timezone": "Europe/Berlin",
        "attendee": {"email": "bob@example.com", "name": "Bob Builder", "phone": "+49 30 1234567"},
        "guests": ["carol@example.com", "Bob@example.com"],
        "metadata": {"crm_deal_id": "D-4471"},
        "responses": {"company": "Builder & Co", "unknown_key": "dropped"},
        "utm_source": "newsletter",
    }
    body.update(changes)
    return requests.parse_create(body)


def booking(**changes: Any) -> Booking:
    request = create_request()
    made = lifecycle.new_booking(
        uid=UID,
        request=request,
        event_type=event_type(),
        event_type_timezone="Europe/London",
        host=HostSnapshot(ADA, "ada", "ada@example.com", "Ada", "Lovelace"),
        responses={"company": "Builder & Co"},
        now=NOW,
        session_start=None,
        counter_keys=[ET_DAY],
        created_by={"credential_id": "pat", "user_id": ADA},
    )
    return made.evolve(**changes)
