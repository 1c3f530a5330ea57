"""Values derived at creation, the status lifecycle and the write rules (30-bookings §2, §5–§8)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fortytwo.domain.bookings import lifecycle, requests
from fortytwo.domain.bookings.answers import check_answers, is_missing, missing_required
from fortytwo.domain.bookings.errors import BookingRuleError, ErrorCollector, FieldErrors
from fortytwo.domain.bookings.event_types import EventLocation, Question
from fortytwo.domain.bookings.hosting import choose_host
from fortytwo.domain.bookings.limits import CounterId, CounterRef, counter_id, net_changes
from fortytwo.domain.bookings.model import CANCELED, CONFIRMED, PENDING, RESCHEDULED
from fortytwo.store import keys

from .booking_fixtures import NOW, QUESTIONS, START, UID, booking, create_request, event_type


def _code(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(BookingRuleError) as caught:
        call()
    return caught.value.code


# --- derived values (§2.3) --------------------------------------------------------------------


def test_the_spec_example_booking() -> None:
    made = booking()
    assert made.version == 1 and made.status == CONFIRMED
    assert made.start_at == START and made.end_at == START + timedelta(minutes=30)
    assert made.timezone == "Europe/Berlin"
    assert made.attendee.name == "Bob Builder" and made.attendee.timezone == "Europe/Berlin"
    assert made.attendee.phone == "+49 30 1234567"
    assert made.guests == ("carol@example.com",)  # Bob@example.com is the attendee
    assert made.location is not None and made.location.url == "https://meet.example.com/ada"
    assert made.created_at == made.updated_at == NOW
    assert made.utm == {"utm_source": "newsletter"} and made.reschedule_generation == 0


@pytest.mark.parametrize(
    ("request_tz", "attendee_tz", "event_tz", "expected"),
    [
        ("Europe/Berlin", "Asia/Tokyo", "Europe/London", "Europe/Berlin"),
        (None, "Asia/Tokyo", "Europe/London", "Asia/Tokyo"),
        (None, None, "Europe/London", "Europe/London"),
        (None, None, None, "UTC"),
    ],
)
def test_timezone_precedence(request_tz, attendee_tz, event_tz, expected) -> None:  # type: ignore[no-untyped-def]
    assert lifecycle.booking_timezone(request_tz, attendee_tz, event_tz) == expected


def test_attendee_name_and_timezone() -> None:
    given_ = requests.AttendeeInput(
        email="  Bob@Example.com ", name="   ", first_name=" Bob ", last_name=" B "
    )
    attendee = lifecycle.derive_attendee(given_, "Europe/Paris")
    assert (attendee.email, attendee.name, attendee.timezone) == ("Bob@Example.com", "Bob B", "Europe/Paris")
    assert (attendee.first_name, attendee.last_name) == ("Bob", "B")
    assert lifecycle.derive_attendee(requests.AttendeeInput(email="b@x.io"), None).name == ""
    only_last = requests.AttendeeInput(email="b@x.io", last_name="Last", timezone="Asia/Tokyo")
    assert lifecycle.derive_attendee(only_last, "Europe/Paris").name == "Last"
    assert lifecycle.derive_attendee(only_last, "Europe/Paris").timezone == "Asia/Tokyo"


def test_guests_are_deduplicated_case_insensitively_in_order() -> None:
    guests = [" c@x.io", "D@x.io", "C@X.IO", "bob@x.io", "d@x.io", "e@x.io "]
    assert lifecycle.derive_guests(guests, "Bob@x.io") == ("c@x.io", "D@x.io", "e@x.io")


@pytest.mark.parametrize(
    ("locations", "expected"),
    [
        ((), None),
        ((EventLocation("video", "V", None),), ("video", None, None)),
        (
            (EventLocation("link", "L", "https://x.io"), EventLocation("phone", "P", "+1")),
            ("link", "https://x.io", "https://x.io"),
        ),
        ((EventLocation("phone", "P", "+4930123"),), ("phone", None, "+4930123")),
        ((EventLocation("google_meet", "G", None),), ("google_meet", None, None)),
    ],
)
def test_location_comes_from_the_first_one(locations, expected) -> None:  # type: ignore[no-untyped-def]
    location = lifecycle.derive_location(locations)
    assert (None if location is None else (location.type, location.url, location.value)) == expected


def test_pending_when_confirmation_is_required() -> None:
    assert lifecycle.initial_status(event_type(requires_confirmation=True)) == PENDING


# --- create checks (§5.2 steps 7–10) ----------------------------------------------------------


def test_inactive_before_past() -> None:
    past = NOW - timedelta(minutes=1)
    assert (
        _code(lambda: lifecycle.check_bookable(event_type(active=False), past, NOW)) == "event_type_inactive"
    )
    assert _code(lambda: lifecycle.check_bookable(event_type(), past, NOW)) == "slot_in_past"
    lifecycle.check_bookable(event_type(), NOW, NOW)  # `start ≥ now` passes


@pytest.mark.parametrize(
    ("attendee", "code"),
    [
        ({"email": "bad", "phone": "bad", "sms_opt_in": True}, "attendee_email_invalid"),
        ({"email": "b@x.io", "phone": "12", "sms_opt_in": True}, "attendee_phone_invalid"),
        ({"email": "b@x.io", "phone": "12"}, "attendee_phone_invalid"),
        ({"email": "b@x.io", "sms_opt_in": True}, "attendee_phone_required"),
        ({"email": "b@x.io", "phone": "  ", "sms_opt_in": True}, "attendee_phone_required"),
    ],
)
def test_attendee_checks_in_order(attendee, code) -> None:  # type: ignore[no-untyped-def]
    assert _code(lambda: lifecycle.check_attendee(create_request(attendee=attendee).attendee)) == code


def test_attendee_ok() -> None:
    lifecycle.check_attendee(
        create_request(attendee={"email": "b@x.io", "phone": "+1 555 1234567", "sms_opt_in": True}).attendee
    )


def test_answer_types_then_required() -> None:
    good = {
        "company": "X",
        "size": 12.5,
        "contact": " c@x.io ",
        "mobile": " +49 30 1234567 ",
        "plan": "Pro",
        "topics": ["Security"],
        "terms": True,
        "notes": "n",
        "tier": "A",
        "stray": 1,
    }
    kept = lifecycle.check_create_answers(QUESTIONS, good)
    assert "stray" not in kept and kept["mobile"] == "+49 30 1234567"
    with pytest.raises(FieldErrors) as caught:
        lifecycle.check_create_answers(
            QUESTIONS,
            {
                "tier": "C",
                "size": "12",
                "topics": ["Pricing", "Pricing"],
                "plan": "pro",
                "terms": "yes",
                "contact": "nope",
                "mobile": "123",
                "company": 5,
                "notes": "n" * 5001,
            },
        )
    assert [f["field"] for f in caught.value.fields] == [
        "responses.tier",
        "responses.size",
        "responses.topics",
        "responses.plan",
        "responses.terms",
        "responses.contact",
        "responses.mobile",
        "responses.company",
        "responses.notes",
    ]
    with pytest.raises(BookingRuleError) as missing:
        lifecycle.check_create_answers(QUESTIONS, {"terms": False, "company": "  "})
    assert missing.value.code == "missing_required_responses"
    assert missing.value.details == {"fields": ["company", "terms"]}


@pytest.mark.parametrize("value", [None, "", "  ", [], False])
def test_missing_answers(value) -> None:  # type: ignore[no-untyped-def]
    assert is_missing(Question("terms", "Terms", "checkbox"), value)
    assert missing_required([Question("terms", "Terms", "checkbox", required=True)], {"terms": value}) == [
        "terms"
    ]


def test_booleans_are_not_numbers_and_blank_is_not_a_type_error() -> None:
    errors = ErrorCollector()
    kept = check_answers(QUESTIONS, {"size": True, "plan": "", "company": None}, errors)
    assert [f for f in errors._fields] == [{"field": "responses.size", "message": "must be a number"}]
    assert kept == {"plan": "", "company": None}


# --- cancel (§6) -------------------------------------------------------------------------------


def test_cancel_rules_in_order() -> None:
    active = booking()
    assert lifecycle.cancel_is_noop(booking(status=CANCELED), event_type(allow_cancel=False), NOW)
    with pytest.raises(BookingRuleError) as caught:
        lifecycle.cancel_is_noop(
            booking(status=RESCHEDULED, replaced_by="n"), event_type(allow_cancel=False), NOW
        )
    assert (caught.value.code, caught.value.details) == ("booking_already_rescheduled", {"replaced_by": "n"})
    assert (
        _code(
            lambda: lifecycle.cancel_is_noop(
                active, event_type(allow_cancel=False), START + timedelta(days=1)
            )
        )
        == "event_type_disallows_cancel"
    )
    assert _code(lambda: lifecycle.cancel_is_noop(active, event_type(), active.end_at)) == "booking_in_past"
    assert not lifecycle.cancel_is_noop(active, event_type(), active.end_at - timedelta(milliseconds=1))
    assert not lifecycle.cancel_is_noop(active, None, NOW)  # the event type record is gone


def test_canceled_booking() -> None:
    later = NOW + timedelta(hours=1)
    after = lifecycle.canceled(booking(), "Customer postponed", later)
    assert (after.status, after.version, after.cancelled_at, after.cancellation_reason) == (
        CANCELED,
        2,
        later,
        "Customer postponed",
    )
    assert after.updated_at == later


# --- reschedule (§7) ---------------------------------------------------------------------------


def test_reschedule_state_and_event_type_rules_in_order() -> None:
    assert (
        _code(lambda: lifecycle.check_reschedulable(booking(status=CANCELED))) == "booking_already_cancelled"
    )
    assert (
        _code(lambda: lifecycle.check_reschedulable(booking(status=RESCHEDULED)))
        == "booking_already_rescheduled"
    )
    lifecycle.check_reschedulable(booking(status=PENDING))
    gone = event_type(deleted_at=NOW, allow_reschedule=False)
    assert _code(lambda: lifecycle.check_reschedule_event_type(None, START, NOW)) == "event_type_not_found"
    assert _code(lambda: lifecycle.check_reschedule_event_type(gone, START, NOW)) == "event_type_not_found"
    assert (
        _code(
            lambda: lifecycle.check_reschedule_event_type(
                event_type(allow_reschedule=False, active=False), START, NOW
            )
        )
        == "event_type_disallows_reschedule"
    )
    assert (
        _code(
            lambda: lifecycle.check_reschedule_event_type(event_type(active=False), NOW - timedelta(1), NOW)
        )
        == "event_type_inactive"
    )
    assert (
        _code(
            lambda: lifecycle.check_reschedule_event_type(event_type(), NOW - timedelta(milliseconds=1), NOW)
        )
        == "slot_in_past"
    )


def test_rescheduled_pair() -> None:
    old = booking(version=2, updated_at=NOW + timedelta(hours=1))
    later = NOW + timedelta(hours=2)
    new_start = START + timedelta(days=1)
    current = event_type(
        duration_minutes=45, title="Intro call v2", requires_confirmation=True, buffer_after_minutes=10
    )
    replaced, new = lifecycle.rescheduled_pair(
        old,
        new_uid="new",
        start=new_start,
        timezone=None,
        reason="Clash",
        event_type=current,
        host=old.host,
        now=later,
        session_start=None,
        counter_keys=[CounterId("event_type", "x", "day", "2026-05-21")],
        created_by={"credential_id": "c", "user_id": "u"},
    )
    assert (replaced.status, replaced.version, replaced.replaced_by, replaced.reschedule_reason) == (
        RESCHEDULED,
        3,
        "new",
        "Clash",
    )
    assert replaced.cancelled_at is None and replaced.updated_at == later
    assert (new.uid, new.version, new.status, new.rescheduled_from_uid) == ("new", 1, PENDING, UID)
    assert new.end_at == new_start + timedelta(minutes=45) and new.title == "Intro call v2"
    assert new.timezone == old.timezone and new.reschedule_generation == 1
    assert new.created_at == new.updated_at == later and new.buffer_after_minutes == 10
    assert (new.attendee, new.guests, new.metadata, new.responses, new.utm) == (
        old.attendee,
        old.guests,
        old.metadata,
        old.responses,
        old.utm,
    )


# --- PATCH (§8) ---------------------------------------------------------------------------------


def test_if_match() -> None:
    current = booking(version=3)
    lifecycle.check_if_match(current, 3)
    lifecycle.check_if_match(current, "*")
    for stale in (0, 2, 4):
        with pytest.raises(BookingRuleError) as caught:
            lifecycle.check_if_match(current, stale)
        assert (caught.value.code, caught.value.details) == ("version_conflict", {"current_version": 3})


def test_patch_merges_metadata_replaces_responses_and_renames() -> None:
    current = booking(metadata={"crm_deal_id": "D-4471", "keep": 1})
    patch = requests.parse_patch(
        {
            "metadata": {"stage": "demo", "keep": None},
            "attendee_name": " Robert ",
            "responses": {"company": "New", "gone": 1},
        }
    )
    later = NOW + timedelta(hours=1)
    after = lifecycle.patched(current, patch, (Question("company", "Company", "text"),), later)
    assert after.metadata == {"crm_deal_id": "D-4471", "keep": None, "stage": "demo"}
    assert after.responses == {"company": "New"}
    assert after.attendee.name == "Robert" and after.attendee.email == current.attendee.email
    assert (after.version, after.updated_at, after.status) == (2, later, current.status)


def test_patch_apply_errors_in_body_order() -> None:
    current = booking(metadata={f"k{i}": i for i in range(45)})
    patch = requests.parse_patch({"responses": {"company": 1}, "metadata": {f"n{i}": i for i in range(6)}})
    with pytest.raises(FieldErrors) as caught:
        lifecycle.patched(current, patch, (Question("company", "Company", "text"),), NOW)
    assert [f["field"] for f in caught.value.fields] == ["responses.company", "metadata"]


def test_patch_does_not_enforce_required_questions() -> None:
    patch = requests.parse_patch({"responses": {}})
    assert lifecycle.patched(booking(), patch, QUESTIONS, NOW).responses == {}


@given(st.lists(st.integers(min_value=-5, max_value=5), min_size=1, max_size=20))
def test_updated_at_strictly_increases(skews_ms: list[int]) -> None:
    current = booking()
    clock = NOW
    for skew in skews_ms:
        clock = clock + timedelta(milliseconds=skew)  # writers' clocks may go backwards a little
        after = lifecycle.canceled(current, None, clock)
        assert after.updated_at > current.updated_at and after.updated_at >= clock
        current = after


# --- no-show, hosts, counters ------------------------------------------------------------------


def test_no_show_rules() -> None:
    started = START + timedelta(minutes=5)
    assert not lifecycle.no_show_is_noop(booking(), started)
    assert lifecycle.no_show_is_noop(booking(no_show_at=started), started)
    assert _code(lambda: lifecycle.no_show_is_noop(booking(status=CANCELED), started)) == "booking_not_active"
    assert (
        _code(lambda: lifecycle.no_show_is_noop(booking(), START - timedelta(seconds=1)))
        == "booking_not_started"
    )
    marked = lifecycle.marked_no_show(booking(), "No join", started)
    assert (marked.no_show_at, marked.no_show_reason, marked.version, marked.status) == (
        started,
        "No join",
        2,
        CONFIRMED,
    )


def test_choose_host() -> None:
    assert choose_host(["g", "a"]) == "g"
    assert choose_host(["g", "a"], keep="a") == "a"
    assert choose_host(["g"], keep="a") == "g"
    with pytest.raises(ValueError):
        choose_host([])


def test_counter_changes_merge_and_drop_zero_nets() -> None:
    def et(period: str, key: str) -> CounterId:
        return CounterId("event_type", "e", period, key)

    old = [et("day", "2026-05-20"), et("week", "2026-05-18"), CounterId("user", "a", "day", "2026-05-20")]
    new = [
        CounterRef(et("day", "2026-05-21"), 2),
        CounterRef(et("week", "2026-05-18"), 5),
        CounterRef(CounterId("user", "g", "day", "2026-05-21")),
    ]
    assert net_changes(old, new) == {
        et("day", "2026-05-20"): (-1, None),
        CounterId("user", "a", "day", "2026-05-20"): (-1, None),
        et("day", "2026-05-21"): (1, 2),
        CounterId("user", "g", "day", "2026-05-21"): (1, None),
    }


def test_period_counter_keys() -> None:
    from fortytwo.domain.bookings.limits import meeting_counters
    from fortytwo.domain.scheduling import MeetingLimits

    # 23:30Z on Sunday 24 May is Monday 00:30 in London: day, week and month follow local time.
    start = datetime(2026, 5, 24, 23, 30, tzinfo=UTC)
    refs = meeting_counters(
        event_type(max_bookings_per_day=2), start, "ada", MeetingLimits(per_week=3), "America/New_York"
    )
    et = event_type().id
    assert [(tuple(r.key), r.cap) for r in refs] == [
        (("event_type", et, "day", "2026-05-25"), 2),
        (("event_type", et, "week", "2026-05-25"), None),
        (("event_type", et, "month", "2026-05"), None),
        (("user", "ada", "day", "2026-05-24"), None),
        (("user", "ada", "week", "2026-05-18"), 3),
        (("user", "ada", "month", "2026-05"), None),
    ]
    # The store's key text for them (unchanged item keys: COUNTER#ET#… / COUNTER#USER#…).
    assert [keys.limit_counter(*r.key) for r in refs[::3]] == [
        (f"COUNTER#ET#{et}", "DAY#2026-05-25"),
        ("COUNTER#USER#ada", "DAY#2026-05-24"),
    ]
    # Stored on a booking as lists, read back as the same ids.
    assert counter_id(list(refs[0].key)) == refs[0].key
