"""`check_occurrence` (35-series §4.1): reasons in order, and agreement with the slot engine's
window form (20-scheduling §4.2) for the same host, state and `now` (§13.5)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fortytwo.domain.scheduling import (
    EventTypeRules,
    ExistingBooking,
    Host,
    MeetingLimits,
    OutOfOffice,
    Schedule,
    TimeRange,
    evaluate,
)
from fortytwo.domain.series.check import check_occurrence
from fortytwo.domain.series.model import SkipReason

ADA = "ada"
ET = "intro"
OTHER_ET = "other"
NOW = datetime(2026, 5, 18, 8, 0, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def london_host(**fields: object) -> Host:
    weekly = {d: (TimeRange(9 * 60, 17 * 60),) for d in range(5)}
    return Host(ADA, Schedule("Europe/London", weekly), **fields)  # type: ignore[arg-type]


def rules(**fields: object) -> EventTypeRules:
    base: dict[str, object] = {"duration_minutes": 30, "timezone": "Europe/London"}
    base.update(fields)
    return EventTypeRules(id=ET, **base)  # type: ignore[arg-type]


def booking(uid: str, start: str, minutes: int = 30, **fields: object) -> ExistingBooking:
    begin = at(start)
    base: dict[str, object] = {"event_type_id": OTHER_ET, "host_user_id": ADA, "created_at": NOW}
    base.update(fields)
    return ExistingBooking(uid, start=begin, end=begin + timedelta(minutes=minutes), **base)  # type: ignore[arg-type]


def check(start: str, bookings: list[ExistingBooking] = (), **kw: object) -> SkipReason | None:  # type: ignore[assignment]
    return check_occurrence(
        rules=kw.pop("rules", rules()),  # type: ignore[arg-type]
        host=kw.pop("host", london_host()),  # type: ignore[arg-type]
        bookings=bookings,
        start=at(start),
        now=NOW,
        **kw,  # type: ignore[arg-type]
    )


def test_reasons_and_their_order() -> None:
    assert check("2026-05-18T08:00:00+00:00") is SkipReason.IN_PAST  # s = now is not to come
    assert check("2026-05-18T09:01:00+01:00") is None  # any minute: no slot grid, no minimum notice
    assert check("2026-05-18T16:45:00+01:00") is SkipReason.HOST_UNAVAILABLE  # runs past 17:00
    assert check("2026-05-23T10:00:00+01:00") is SkipReason.HOST_UNAVAILABLE  # Saturday
    busy = [booking("b1", "2026-05-19T10:00:00+01:00")]
    assert check("2026-05-19T10:15:00+01:00", busy) is SkipReason.HOST_BUSY
    assert check("2026-05-19T10:30:00+01:00", busy) is None  # touching is allowed
    buffered = rules(buffer_before_minutes=10)
    assert check("2026-05-19T10:30:00+01:00", busy, rules=buffered) is SkipReason.HOST_BUSY
    assert check("2026-05-19T10:15:00+01:00", busy, exclude_booking_id="b1") is None  # X is absent
    far = "2027-05-17T10:00:00+01:00"  # beyond any future limit: still free
    assert check(far) is None


def test_out_of_office_and_limits() -> None:
    away = london_host(out_of_office=(OutOfOffice(date(2026, 5, 19), date(2026, 5, 19)),))
    assert check("2026-05-19T10:00:00+01:00", host=away) is SkipReason.HOST_UNAVAILABLE
    same_day = [booking("b1", "2026-05-19T09:00:00+01:00", event_type_id=ET, host_user_id="grace")]
    assert (
        check("2026-05-19T11:00:00+01:00", same_day, rules=rules(max_bookings_per_day=1))
        is SkipReason.LIMIT_REACHED
    )
    mine = [booking("b2", "2026-05-18T09:00:00+01:00")]  # Monday of the same week
    capped = london_host(limits=MeetingLimits(per_week=1))
    assert check("2026-05-22T11:00:00+01:00", mine, host=capped) is SkipReason.LIMIT_REACHED
    assert check("2026-05-25T11:00:00+01:00", mine, host=capped) is None  # next week
    # Busy is checked before limits.
    both = [*mine, booking("b3", "2026-05-22T11:00:00+01:00")]
    assert check("2026-05-22T11:00:00+01:00", both, host=capped) is SkipReason.HOST_BUSY


def test_availability_joins_across_local_midnight() -> None:
    night = Schedule("Europe/London", {0: (TimeRange(22 * 60, 1440),), 1: (TimeRange(0, 2 * 60),)})
    host = Host(ADA, night)
    assert check("2026-05-18T23:30:00+01:00", host=host, rules=rules(duration_minutes=60)) is None


# --- Agreement with the window form ---------------------------------------------------------------

ZONES = ("Europe/London", "America/New_York", "Australia/Sydney")


@st.composite
def scenario(draw: st.DrawFn) -> tuple[EventTypeRules, Host, list[ExistingBooking], datetime]:
    tz = draw(st.sampled_from(ZONES))
    weekly = {}
    for day in draw(st.sets(st.integers(0, 6), min_size=3)):
        a = draw(st.sampled_from([0, 0, 480]) | st.integers(0, 1380))
        b = draw(st.sampled_from([1440, 1440, max(a + 1, 1080)]) | st.integers(a + 1, 1440))
        weekly[day] = (TimeRange(a, b),)
    limits = MeetingLimits(
        per_day=draw(st.none() | st.integers(1, 3)), per_week=draw(st.none() | st.integers(1, 4))
    )
    host = Host(ADA, Schedule(tz, weekly), limits=limits)
    event_rules = EventTypeRules(
        id=ET,
        duration_minutes=draw(st.sampled_from([15, 30, 60, 90])),
        slot_increment_minutes=1,  # every minute on the grid: the window form then lists any free start
        minimum_notice_minutes=0,
        future_limit_days=400,
        buffer_before_minutes=draw(st.sampled_from([0, 10])),
        buffer_after_minutes=draw(st.sampled_from([0, 5])),
        max_bookings_per_day=draw(st.none() | st.integers(1, 2)),
        timezone=tz,
    )
    # Starts around the DST changes of 2026 and elsewhere; meetings near the start.
    base = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(days=draw(st.integers(0, 300)))
    start = base + timedelta(minutes=draw(st.integers(0, 2 * 1440)))
    bookings = []
    for i in range(draw(st.integers(0, 6))):
        start_b = start + timedelta(minutes=draw(st.integers(-240, 240) | st.integers(-6 * 1440, 6 * 1440)))
        bookings.append(
            ExistingBooking(
                f"b{i}",
                draw(st.sampled_from([ET, OTHER_ET])),
                draw(st.sampled_from([ADA, "grace"])),
                start_b,
                start_b + timedelta(minutes=draw(st.sampled_from([15, 30, 60]))),
                NOW,
                buffer_before_minutes=draw(st.sampled_from([0, 15])),
            )
        )
    return event_rules, host, bookings, start


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
def test_free_exactly_when_the_window_form_lists_the_start(
    case: tuple[EventTypeRules, Host, list[ExistingBooking], datetime],
) -> None:
    event_rules, host, bookings, start = case
    now = datetime(2026, 2, 1, tzinfo=UTC)
    got = check_occurrence(rules=event_rules, host=host, bookings=bookings, start=start, now=now)
    window = evaluate(event_rules, [host], bookings, now=now, start=start)
    event(f"check: {got}")
    assert (got is None) == window.bookable
