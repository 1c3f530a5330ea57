"""The contract declarations agree with the domain's schema step (35-series §6.1, §9.1)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fortytwo.contract.series import ACTION_FIELDS, WEBHOOK_DATA, CreateSeriesBody, PatchSeriesBody
from fortytwo.domain.bookings.errors import FieldErrors
from fortytwo.domain.series.events import SERIES_EVENTS
from fortytwo.domain.series.requests import parse_create, parse_patch

ANY_JSON = st.one_of(st.none(), st.booleans(), st.integers(-2, 50), st.floats(0, 5), st.text(max_size=5))
FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "event_type_id": st.sampled_from(["019d48ea-2e00-7f28-9fb1-7c2390c192cf", "nope"]),
    "username": st.sampled_from(["Ada", "x" * 128]),
    "event_slug": st.sampled_from(["intro", None]),
    "host_user_id": st.sampled_from(["019d48b3-cc50-7238-b924-56de3eb13b90", "ada"]),
    "attendee": st.sampled_from(
        [{"email": "bob@example.com"}, {"email": "b@x.io", "name": "Bob", "phone": "+4930123"}, {}, "bob"]
    ),
    "frequency": st.sampled_from(["weekly", "monthly_same_day", "daily"]),
    "weekdays": st.one_of(st.lists(st.sampled_from(["mon", "sun", "xyz"]), max_size=9), st.none()),
    "interval_weeks": st.one_of(st.integers(0, 9), st.just(2.0), st.booleans()),
    "time": st.sampled_from(["10:00", "23:59", "24:00", "9:00"]),
    "timezone": st.sampled_from(["Europe/Berlin", "Mars/Olympus", None]),
    "starts_on": st.sampled_from(["2026-05-20", "2026-02-30", "tomorrow"]),
    "count": st.one_of(st.integers(0, 43), st.just(3.0)),
    "location_url": st.sampled_from(
        ["https://m.example.com/a", "HTTPS://M.example.com/a", "http://x.io", None]
    ),
    "notify_invitee": st.one_of(st.booleans(), st.just("yes")),
    "metadata": st.sampled_from([{}, {"a": 1}, []]),
    "responses": st.sampled_from([{}, {"q": "a"}, "x"]),
    "until": ANY_JSON,
}


VALID: dict[str, Any] = {
    "event_type_id": "019d48ea-2e00-7f28-9fb1-7c2390c192cf",
    "host_user_id": "019d48b3-cc50-7238-b924-56de3eb13b90",
    "attendee": {"email": "bob@example.com"},
    "frequency": "weekly",
    "weekdays": ["mon"],
    "time": "10:00",
    "starts_on": "2026-05-20",
    "count": 4,
}


@st.composite
def bodies(draw: st.DrawFn, names: tuple[str, ...]) -> dict[str, Any]:
    """A valid body with a few fields dropped or replaced (often still valid)."""
    body = {k: v for k, v in VALID.items() if k in names}
    for name in draw(st.lists(st.sampled_from(names), unique=True, max_size=3)):
        if draw(st.booleans()):
            body.pop(name, None)
        else:
            body[name] = draw(FIELD_VALUES[name])
    return body


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies(tuple(FIELD_VALUES)))
def test_a_create_body_the_domain_accepts_validates_against_the_declaration(body: dict[str, Any]) -> None:
    try:
        parse_create(body)
    except FieldErrors:
        event("refused")
        return
    event("accepted")
    CreateSeriesBody.model_validate(body)


PATCH_NAMES = (
    "frequency",
    "weekdays",
    "interval_weeks",
    "time",
    "timezone",
    "location_url",
    "notify_invitee",
)


@settings(max_examples=200, deadline=None)
@given(bodies(PATCH_NAMES))
def test_a_patch_body_the_domain_accepts_validates_against_the_declaration(body: dict[str, Any]) -> None:
    try:
        parse_patch(body)
    except FieldErrors:
        return
    PatchSeriesBody.model_validate(body)


def test_every_series_event_has_a_declared_payload_and_actions_list_their_fields() -> None:
    assert set(WEBHOOK_DATA) == set(SERIES_EVENTS.values())
    assert ACTION_FIELDS["host"] == ("moved", "unchanged", "stopped_by", "stopped_at", "series")
