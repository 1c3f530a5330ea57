"""Pure rules of event type documents and views (no AWS): validation paths, defaults, keys, identifiers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fortytwo.domain.event_type_entity import (
    HostUser,
    OwnerUser,
    detail_view,
    event_type_url,
    new_event_type,
)
from fortytwo.domain.event_types import (
    DEFAULTS,
    EventTypeDocumentError,
    classify_identifier,
    minimum_notice_hours,
    parse_event_type_document,
    rules_of,
    title_key,
)
from fortytwo.domain.timefmt import parse_ts
from fortytwo.store.event_types import title_sort_key


def parse(doc: dict, kind: str = "user", **kwargs) -> dict:
    return parse_event_type_document(doc, owner_kind=kind, **kwargs)  # type: ignore[arg-type]


def error(doc: dict, kind: str = "user", **kwargs) -> tuple[str, str]:
    with pytest.raises(EventTypeDocumentError) as raised:
        parse(doc, kind, **kwargs)
    return raised.value.path, raised.value.message


def test_defaults_of_section_2_5():
    fields = parse({"slug": "a", "title": "A"})
    assert {k: fields[k] for k in DEFAULTS} == DEFAULTS
    group = parse({"slug": "g", "title": "G", "scheduling_type": "group"})
    assert group["seats"] == 10
    assert parse({"slug": "t", "title": "T", "scheduling_type": "group"}, "team")["seats"] == 10
    assert parse({"slug": "c", "title": "C", "color": "#ABCDEF"})["color"] == "#abcdef"


@pytest.mark.parametrize(
    ("doc", "kind", "path"),
    [
        ({"title": "A"}, "user", "slug"),
        ({"slug": "Intro", "title": "A"}, "user", "slug"),
        ({"slug": "a--b", "title": "A"}, "user", "slug"),
        ({"slug": "a" * 128, "title": "A"}, "user", "slug"),
        ({"slug": "a", "title": ""}, "user", "title"),
        ({"slug": "a", "title": "x" * 256}, "user", "title"),
        ({"slug": "a", "title": "tab\there"}, "user", "title"),
        ({"slug": "a", "title": "A", "description": "d" * 5001}, "user", "description"),
        ({"slug": "a", "title": "A", "duration_minutes": 0}, "user", "duration_minutes"),
        ({"slug": "a", "title": "A", "duration_minutes": 721}, "user", "duration_minutes"),
        ({"slug": "a", "title": "A", "duration_minutes": True}, "user", "duration_minutes"),
        ({"slug": "a", "title": "A", "duration_minutes": 30.0}, "user", "duration_minutes"),
        ({"slug": "a", "title": "A", "slot_increment_minutes": 0}, "user", "slot_increment_minutes"),
        ({"slug": "a", "title": "A", "buffer_before_minutes": 241}, "user", "buffer_before_minutes"),
        ({"slug": "a", "title": "A", "minimum_notice_minutes": 10081}, "user", "minimum_notice_minutes"),
        ({"slug": "a", "title": "A", "future_limit_days": 0}, "user", "future_limit_days"),
        ({"slug": "a", "title": "A", "max_bookings_per_week": 10001}, "user", "max_bookings_per_week"),
        ({"slug": "a", "title": "A", "scheduling_type": "round_robin"}, "user", "scheduling_type"),
        ({"slug": "a", "title": "A", "scheduling_type": "collective"}, "user", "scheduling_type"),
        ({"slug": "a", "title": "A"}, "team", "scheduling_type"),
        ({"slug": "a", "title": "A", "seats": 5}, "user", "seats"),
        ({"slug": "a", "title": "A", "scheduling_type": "group", "seats": 10000}, "user", "seats"),
        ({"slug": "a", "title": "A", "active": "yes"}, "user", "active"),
        ({"slug": "a", "title": "A", "color": "7c3aed"}, "user", "color"),
        ({"slug": "a", "title": "A", "locations": [{}] * 11}, "user", "locations"),
        (
            {"slug": "a", "title": "A", "locations": [{"type": "zoom", "label": "Z"}]},
            "user",
            "locations[0].type",
        ),
        (
            {"slug": "a", "title": "A", "locations": [{"type": "video", "label": ""}]},
            "user",
            "locations[0].label",
        ),
        (
            {"slug": "a", "title": "A", "locations": [{"type": "google_meet", "label": "M", "value": "x"}]},
            "user",
            "locations[0].value",
        ),
        (
            {
                "slug": "a",
                "title": "A",
                "locations": [{"type": "video", "label": "V", "value": "http://a.b"}],
            },
            "user",
            "locations[0].value",
        ),
        (
            {
                "slug": "a",
                "title": "A",
                "locations": [{"type": "phone", "label": "P", "value": "0207 123 4567"}],
            },
            "user",
            "locations[0].value",
        ),
        (
            {"slug": "a", "title": "A", "locations": [{"type": "in_person", "label": "I", "value": "  "}]},
            "user",
            "locations[0].value",
        ),
        (
            {
                "slug": "a",
                "title": "A",
                "locations": [{"type": "link", "label": "L", "value": "https://x.y", "extra": 1}],
            },
            "user",
            "locations[0].extra",
        ),
        (
            {"slug": "a", "title": "A", "questions": [{"key": "1x", "label": "L", "type": "text"}]},
            "user",
            "questions[0].key",
        ),
        (
            {"slug": "a", "title": "A", "questions": [{"key": "k", "label": "L", "type": "date"}]},
            "user",
            "questions[0].type",
        ),
        (
            {"slug": "a", "title": "A", "questions": [{"key": "k", "label": "L", "type": "select"}]},
            "user",
            "questions[0].options",
        ),
        (
            {
                "slug": "a",
                "title": "A",
                "questions": [{"key": "k", "label": "L", "type": "text", "options": ["a"]}],
            },
            "user",
            "questions[0].options",
        ),
        (
            {
                "slug": "a",
                "title": "A",
                "questions": [{"key": "k", "label": "L", "type": "text", "required": "yes"}],
            },
            "user",
            "questions[0].required",
        ),
        (
            {
                "slug": "a",
                "title": "A",
                "questions": [{"key": "k", "label": "L", "type": "text", "id": "q_x"}],
            },
            "user",
            "questions[0].id",
        ),
        (
            {
                "slug": "a",
                "title": "A",
                "questions": [
                    {"key": "k", "label": "L", "type": "text"},
                    {"key": "k", "label": "M", "type": "text"},
                ],
            },
            "user",
            "questions[1].key",
        ),
        (
            {
                "slug": "a",
                "title": "A",
                "questions": [
                    {"key": "k", "label": "L", "type": "text"},
                    {"key": "j", "label": "L", "type": "text"},
                ],
            },
            "user",
            "questions[1].label",
        ),
        (
            {"slug": "a", "title": "A", "schedule_id": "019d48ea-2e00-7f28-9fb1-7c2390c192cf"},
            "user",
            "schedule_id",
        ),
        ({"slug": "a", "title": "A", "unknown": 1}, "user", "unknown"),
    ],
)
def test_invalid_documents_name_the_path(doc, kind, path):
    assert error(doc, kind)[0] == path


def test_first_error_in_document_order():
    assert error({"title": "", "slug": "BAD"})[0] == "title"
    assert error({"slug": "BAD", "title": ""})[0] == "slug"


def test_valid_locations_and_questions_are_normalised():
    fields = parse(
        {
            "slug": "a",
            "title": "A",
            "schedule_id": "019D48EA-2E00-7F28-9FB1-7C2390C192CF",
            "locations": [
                {"type": "phone", "label": "P", "value": " +1 (212) 555-0100 "},
                {"type": "video", "label": "V"},
                {"type": "ask_invitee", "label": "Ask"},
            ],
            "questions": [
                {"key": "plan", "label": "Plan", "type": "radio", "options": ["A", "B"], "id": "q_plan"}
            ],
        },
        owner_schedule_ids=frozenset({"019d48ea-2e00-7f28-9fb1-7c2390c192cf"}),
    )
    assert fields["schedule_id"] == "019d48ea-2e00-7f28-9fb1-7c2390c192cf"
    assert fields["locations"][0]["value"] == "+1 (212) 555-0100" and fields["locations"][1]["value"] is None
    assert fields["questions"] == [
        {
            "id": "q_plan",
            "key": "plan",
            "label": "Plan",
            "type": "radio",
            "required": False,
            "options": ["A", "B"],
        }
    ]


def test_update_merges_and_resets_seats_when_the_kind_changes():
    base = parse({"slug": "w", "title": "W", "scheduling_type": "group", "seats": 4, "description": "d"})
    kept = parse({"title": "W2"}, base=base)
    assert kept["seats"] == 4 and kept["description"] == "d" and kept["slug"] == "w"
    assert parse({"description": None}, base=base)["description"] is None
    assert parse({"scheduling_type": "individual"}, base=base)["seats"] is None
    assert parse({"scheduling_type": "group"}, base=parse({"slug": "i", "title": "I"}))["seats"] == 10


def test_views_and_small_rules():
    assert [minimum_notice_hours(m) for m in (0, 1, 59, 60, 90, 240, 10080)] == [0, 1, 1, 1, 2, 4, 168]
    assert event_type_url("https://42min.us", "intro", username="ada") == "https://42min.us/ada/intro"
    assert event_type_url("https://42min.us", "demo", team_slug="sales") == "https://42min.us/team/sales/demo"
    assert HostUser("u", "sam").to_data() == {"user_id": "u", "username": "sam", "name": None}
    assert HostUser("u", "ada", " Ada ", "").to_data()["name"] == "Ada"
    record = {
        "id": "e",
        "organization_id": "o",
        "owner_user_id": "u",
        "owner_team_id": None,
        "created_at": "2026-04-01T12:00:00.000Z",
        "updated_at": "2026-04-01T12:00:00.000Z",
        **parse({"slug": "a", "title": "A", "minimum_notice_minutes": 90}),
    }
    entity = new_event_type(
        event_type_id="e",
        owner=OwnerUser("u", "o", "s"),
        fields=parse({"slug": "a", "title": "A", "minimum_notice_minutes": 90}),
        now=parse_ts("2026-04-01T12:00:00.000Z"),
    )
    view = detail_view(entity, hosts=[], url=None, timezone="UTC")
    assert view["minimum_notice_hours"] == 2 and "minimum_notice_minutes" not in view
    rules = rules_of(record, "Europe/London")
    assert rules.minimum_notice_minutes == 90 and rules.timezone == "Europe/London" and not rules.team_owned


def test_identifier_classification():
    assert classify_identifier("019D48EA-2E00-7F28-9FB1-7C2390C192CF") == (
        "id",
        "019d48ea-2e00-7f28-9fb1-7c2390c192cf",
    )
    kind, value = classify_identifier("ADA/Intro-Call")
    assert kind == "username_slug" and (value.username, value.slug) == ("ada", "intro-call")
    assert classify_identifier("intro-call")[0] == "bare_slug"
    for malformed in ("a/b/c", "/x", "x/", "/", "", "a//b"):
        assert classify_identifier(malformed)[0] == "malformed", malformed


@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_title_index_key_orders_like_case_folded_titles(a: str, b: str):
    ka, kb = title_key(a), title_key(b)
    if ka != kb:
        assert (title_sort_key(ka, "id") < title_sort_key(kb, "id")) == (ka < kb)
