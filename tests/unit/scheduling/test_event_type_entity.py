"""The event type entity: its stored shape (item schema), its change plans and views (pure, no AWS)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fortytwo.domain.event_type_entity import (
    HostUser,
    OwnerTeam,
    OwnerUser,
    ViewFacts,
    new_event_type,
    plan_delete,
    plan_touch,
    plan_update,
    to_document,
    with_fields,
)
from fortytwo.domain.event_types import parse_event_type_document
from fortytwo.store import event_types as store

NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
BASE = "https://42min.test"
S2 = "019d48ea-2e00-7f28-9fb1-7c2390c192cf"
ADA = OwnerUser("u-ada", "org", "s-ada")
GRACE = OwnerUser("u-grace", "org", "s-grace")
FACTS = ViewFacts(
    {"u-ada": HostUser("u-ada", "ada", "Ada", "L")}, {"s-ada": "Europe/London", S2: "Asia/Tokyo"}
)


def _fields(doc: dict, kind: str = "user", **kwargs) -> dict:
    return parse_event_type_document(doc, owner_kind=kind, **kwargs)  # type: ignore[arg-type]


def _intro():
    doc = {
        "slug": "intro",
        "title": "Intro",
        "locations": [{"type": "video", "label": "Zoom", "value": None}],
        "questions": [{"key": "topic", "label": "Topic", "type": "select", "options": ["A", "B"]}],
    }
    return new_event_type(event_type_id="et-1", owner=ADA, fields=_fields(doc), now=NOW)


def test_the_item_keeps_the_stored_shape():
    item = store.EVENT_TYPE.encode(_intro())
    assert (item["pk"], item["sk"], item["type"]) == ("ORG#org", "ET#et-1", "event_type")
    assert item["gsi1pk"] == item["gsi2pk"] == "ACCT#org#ET"
    assert item["gsi1sk"] == "2026-04-01T12:00:00.000Z#et-1"
    assert item["gsi2sk"] == b"intro".hex() + "#et-1"
    assert item["created_at"] == item["updated_at"] == "2026-04-01T12:00:00.000Z"
    assert item["host_refs"] == [{"user_id": "u-ada", "schedule_id": "s-ada", "default_schedule_id": "s-ada"}]
    assert item["host_ids"] == ["u-ada"] and item["team_slug"] is None and item["owner_team_id"] is None
    assert item["locations"] == [{"type": "video", "label": "Zoom", "value": None}]
    assert item["questions"] == [
        {
            "id": "q_topic",
            "key": "topic",
            "label": "Topic",
            "type": "select",
            "required": False,
            "options": ["A", "B"],
        }
    ]
    assert item["deleted_at"] is None and item["version"] == 1
    assert store.EVENT_TYPE.decode(item) == _intro()
    # the stored record the availability reader takes is the item without its keys
    record = store.stored_record(_intro())
    assert "pk" not in record and "gsi1sk" not in record and record["slug"] == "intro"


def test_a_tombstone_leaves_the_list_indexes():
    deleted = plan_delete(_intro(), FACTS, BASE, LATER).after
    item = store.EVENT_TYPE.encode(deleted)
    assert "gsi1pk" not in item and "gsi2sk" not in item and item["deleted_at"] == "2026-04-01T13:00:00.000Z"


def test_team_event_types_list_every_member_with_their_default_schedule():
    team = OwnerTeam("t-1", "org", "sales", (ADA, GRACE))
    et = new_event_type(
        event_type_id="et-2",
        owner=team,
        fields=_fields({"slug": "d", "title": "D", "scheduling_type": "collective"}, "team"),
        now=NOW,
    )
    assert et.host_ids == ("u-ada", "u-grace") and et.owner_id == "t-1" and et.team_slug == "sales"
    assert [r.schedule_id for r in et.host_refs] == ["s-ada", "s-grace"]


def test_an_unchanged_document_plans_nothing_and_a_change_bumps_the_version():
    intro = _intro()
    assert plan_update(intro, with_fields(intro, _fields(to_document(intro))), FACTS, BASE, LATER) is None
    renamed = with_fields(intro, _fields({**to_document(intro), "title": "Intro chat"}))
    change = plan_update(intro, renamed, FACTS, BASE, LATER)
    assert change is not None
    assert change.after.version == 2 and change.after.updated_at == LATER and change.expected_version == 1
    assert not change.releases_slug and not change.claims_slug
    body = json.loads(change.event.body)
    assert change.event.event == "event_type.updated" and body["data"]["event_type"] == change.detail
    assert (
        change.detail["title"] == "Intro chat" and change.detail["updated_at"] == "2026-04-01T13:00:00.000Z"
    )


def test_schedule_id_picks_the_hosts_schedule_and_null_restores_the_default():
    intro = _intro()
    ids = frozenset({"s-ada", S2})
    moved = with_fields(intro, _fields({**to_document(intro), "schedule_id": S2}, owner_schedule_ids=ids))
    assert moved.host_refs[0].schedule_id == S2 and moved.host_refs[0].default_schedule_id == "s-ada"
    change = plan_update(intro, moved, FACTS, BASE, LATER)
    assert change is not None and change.detail["timezone"] == "Asia/Tokyo"
    back = with_fields(moved, _fields({**to_document(moved), "schedule_id": None}, owner_schedule_ids=ids))
    assert back.host_refs[0].schedule_id == "s-ada"


def test_a_slug_change_moves_the_lock_and_a_delete_releases_it():
    intro = _intro()
    change = plan_update(
        intro, with_fields(intro, _fields({**to_document(intro), "slug": "hello"})), FACTS, BASE, LATER
    )
    assert change is not None and change.releases_slug and change.claims_slug
    deleted = plan_delete(intro, FACTS, BASE, LATER)
    assert deleted.releases_slug and not deleted.claims_slug
    assert (
        deleted.event.event == "event_type.deleted"
        and deleted.detail["updated_at"] == "2026-04-01T12:00:00.000Z"
    )
    assert deleted.after.version == 2 and deleted.after.updated_at == NOW


def test_a_touch_emits_the_current_detail_and_views_resolve_hosts():
    touched = plan_touch(_intro(), FACTS, BASE, LATER)
    assert touched.after.version == 2 and touched.detail["hosts"] == [
        {"user_id": "u-ada", "username": "ada", "name": "Ada L"}
    ]
    assert touched.detail["url"] == f"{BASE}/ada/intro" and touched.detail["timezone"] == "Europe/London"
    # a removed host is no host any more, and a user-owned event type without its owner has no URL
    gone = plan_touch(_intro(), ViewFacts(), BASE, LATER)
    assert gone.detail["hosts"] == [] and gone.detail["url"] is None and gone.detail["timezone"] is None


# --------------------------------------------------------------------------- allow_series (35-series §13.4)


def test_allow_series_defaults_by_kind_and_is_refused_for_group():
    import pytest

    from fortytwo.domain.event_types import EventTypeDocumentError

    individual = _fields({"slug": "a", "title": "A"})
    assert individual["allow_series"] is True
    assert _fields({"slug": "a", "title": "A", "allow_series": False})["allow_series"] is False
    group = _fields({"slug": "g", "title": "G", "scheduling_type": "group"})
    assert group["allow_series"] is False
    with pytest.raises(EventTypeDocumentError) as refused:
        _fields({"slug": "g", "title": "G", "scheduling_type": "group", "allow_series": True})
    assert (refused.value.path, refused.value.message) == (
        "allow_series",
        "must be false for group event types",
    )
    with pytest.raises(EventTypeDocumentError) as not_boolean:
        _fields({"slug": "a", "title": "A", "allow_series": "yes"})
    assert not_boolean.value.path == "allow_series"
    # switching to group without naming it turns it off; an update keeps a stored false
    assert _fields({"scheduling_type": "group"}, base=individual)["allow_series"] is False
    off = _fields({"slug": "a", "title": "A", "allow_series": False})
    assert _fields({"title": "B"}, base=off)["allow_series"] is False


def test_allow_series_is_stored_served_after_allow_cancel_and_an_older_item_takes_its_default():
    off = with_fields(_intro(), _fields({**to_document(_intro()), "allow_series": False}))
    item = store.EVENT_TYPE.encode(off)
    assert item["allow_series"] is False and store.EVENT_TYPE.decode(item) == off
    detail = plan_touch(_intro(), FACTS, BASE, LATER).detail
    assert list(detail)[-2:] == ["allow_cancel", "allow_series"] and detail["allow_series"] is True
    older = {k: v for k, v in store.EVENT_TYPE.encode(_intro()).items() if k != "allow_series"}
    assert store.EVENT_TYPE.decode(older).takes_series is True
    group = store.EVENT_TYPE.decode({**older, "scheduling_type": "group", "seats": 5})
    assert group.takes_series is False  # an older group item never reads as taking series
