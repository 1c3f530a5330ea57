"""The meetings of a series (35-series §5.2, §9.4, §10.5)."""

from __future__ import annotations

from datetime import timedelta

from fortytwo.domain.bookings.event_types import BookableEventType, EventLocation
from fortytwo.domain.bookings.model import HostSnapshot
from fortytwo.domain.series.meetings import new_meeting, with_host, with_link

from .series_sim import ADA, Sim, utc
from .test_series_examples import CREATE

EVENT_TYPE = BookableEventType(
    id="019d48ea-2e00-7f28-9fb1-7c2390c192cf",
    organization_id="org-1",
    slug="intro-call",
    title="Intro call",
    duration_minutes=45,
    buffer_before_minutes=5,
    requires_confirmation=True,
    locations=(EventLocation("google_meet"),),
)
HOST = HostSnapshot(ADA.user_id, "ada", "ada@example.com")


def series_for(**changes: object):  # type: ignore[no-untyped-def]
    sim = Sim(now=utc("2026-05-18T08:00:00Z"))
    sim.create(CREATE | changes)
    assert sim.series is not None
    return sim.series


def test_a_series_meeting_carries_the_series_values() -> None:
    series = series_for()
    start = series.occurrence(3).start_at
    meeting = new_meeting(
        uid="m-3",
        series=series,
        index=3,
        start_at=start,
        event_type=EVENT_TYPE,
        host=HOST,
        now=utc("2026-05-18T08:00:00Z"),
        counter_keys=(),
        created_by={"credential_id": "pat-1"},
    )
    booking = meeting.booking
    assert (meeting.series_id, meeting.series_index) == (series.uid, 3)
    assert booking.status == "pending"  # E requires confirmation
    assert booking.end_at - booking.start_at == timedelta(minutes=45)
    assert booking.timezone == "Europe/Berlin" and booking.attendee.timezone == "Europe/Berlin"
    assert (booking.attendee.email, booking.attendee.name, booking.attendee.phone) == (
        "bob@example.com",
        "Bob Builder",
        "+49 30 1234567",
    )
    assert booking.guests == () and booking.metadata == {"crm_deal_id": "D-4471"}
    assert booking.location is not None and booking.location.type == "google_meet"
    assert booking.buffer_before_minutes == 5


def test_a_fixed_link_replaces_the_event_type_location_and_changes_in_place() -> None:
    series = series_for(location_url="https://meet.example.com/bob")
    meeting = new_meeting(
        uid="m-1",
        series=series,
        index=1,
        start_at=series.occurrence(1).start_at,
        event_type=EVENT_TYPE,
        host=HOST,
        now=series.created_at,
        counter_keys=(),
        created_by={},
    ).booking
    assert meeting.location is not None
    assert (meeting.location.type, meeting.location.url, meeting.location.value) == (
        "link",
        "https://meet.example.com/bob",
        "https://meet.example.com/bob",
    )
    later = series.created_at  # same millisecond: updated_at still moves forward
    relinked = with_link(meeting, "https://meet.example.com/new", later)
    assert relinked.uid == meeting.uid and relinked.version == 2
    assert relinked.updated_at == meeting.updated_at + timedelta(milliseconds=1)
    bob = HostSnapshot("019d48b3-cc50-7238-b924-56de3eb13b91", "bob", "bob@example.org")
    moved = with_host(relinked, bob, (("user", "w"),), later)
    assert (moved.uid, moved.start_at, moved.host.user_id, moved.version) == (
        meeting.uid,
        meeting.start_at,
        bob.user_id,
        3,
    )
