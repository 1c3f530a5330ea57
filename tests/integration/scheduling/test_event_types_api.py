"""GET /v1/event-types and GET /v1/event-types/{idOrSlug+} through the real handler against moto."""

from __future__ import annotations

import json

import pytest

from fortytwo.domain import clock
from fortytwo.domain.event_type_entity import OwnerUser, to_document
from fortytwo.domain.event_types import parse_event_type_document, title_key
from fortytwo.domain.ids import uuid7
from fortytwo.services import event_types
from fortytwo.store import dynamo
from fortytwo.store import event_types as event_type_store

BASE_URL = "https://42min.test"


def _get(invoke, acme, query=None, headers=None):
    return invoke(
        "event_types",
        "GET",
        "/v1/event-types",
        headers=acme.headers if headers is None else headers,
        query=query or [],
    )


def _detail(invoke, acme, raw: str, decoded: str | None = None, headers=None):
    params = {"idOrSlug": decoded} if decoded is not None else None
    return invoke(
        "event_types",
        "GET",
        f"/v1/event-types/{raw}",
        headers=acme.headers if headers is None else headers,
        path_parameters=params,
    )


def _all_records(acme) -> list[dict]:
    found = event_type_store.load_all(acme.result["organization_id"])
    return [event_type_store.stored_record(et) for et in found]


def _walk(invoke, acme, query: list[tuple[str, str]], limit: int) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        extra = [("cursor", cursor)] if cursor else []
        r = _get(invoke, acme, [*query, ("limit", str(limit)), *extra])
        assert r.status == 200, r.text
        body = r.json()
        pages.append([item["id"] for item in body["data"]])
        assert body["meta"]["has_more"] is (body["meta"]["next_cursor"] is not None)
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            return pages


def test_list_sorts_and_keyset_pages(invoke, acme):
    records = _all_records(acme)
    assert len(records) == 7
    newest = [r["id"] for r in sorted(records, key=lambda r: (r["created_at"], r["id"]), reverse=True)]
    pages = _walk(invoke, acme, [], 2)
    assert [len(p) for p in pages] == [2, 2, 2, 1] and sum(pages, []) == newest
    oldest = _walk(invoke, acme, [("sort", "created_at_asc")], 3)
    assert sum(oldest, []) == newest[::-1]
    by_title = sum(_walk(invoke, acme, [("sort", "title_asc")], 4), [])
    assert by_title == [r["id"] for r in sorted(records, key=lambda r: (title_key(r["title"]), r["id"]))]
    # A page that ends exactly at the last item says so.
    r = _get(invoke, acme, [("limit", "7")])
    assert r.json()["meta"] == {
        "request_id": r.headers["x-request-id"],
        "next_cursor": None,
        "has_more": False,
    }


def test_list_item_shape_for_user_and_team_owned(invoke, acme):
    data = {item["slug"]: item for item in _get(invoke, acme, [("limit", "100")]).json()["data"]}
    ada, grace = acme.user("ada"), acme.user("grace")
    demo = data["sales-demo"]
    assert list(demo) == [
        "id",
        "slug",
        "title",
        "description",
        "duration_minutes",
        "active",
        "scheduling_type",
        "hosts",
        "url",
        "color",
        "buffer_before_minutes",
        "buffer_after_minutes",
        "minimum_notice_hours",
        "future_limit_days",
        "timezone",
        "created_at",
        "updated_at",
    ]
    assert demo["hosts"] == [
        {"user_id": ada, "username": "ada", "name": "Ada Lovelace"},
        {"user_id": grace, "username": "grace", "name": "Grace Hopper"},
    ]
    assert demo["url"] == f"{BASE_URL}/team/sales/sales-demo" and demo["timezone"] is None
    assert demo["color"] == "#f25c2c" and demo["scheduling_type"] == "collective"
    intro = data["intro-call"]
    assert intro["url"] == f"{BASE_URL}/ada/intro-call" and intro["timezone"] == "Europe/London"
    assert intro["minimum_notice_hours"] == 0 and intro["description"] == "30-minute introduction."
    assert data["night-line"]["hosts"] == [{"user_id": acme.user("sam"), "username": "sam", "name": None}]
    assert data["check-in"]["timezone"] == "America/New_York"


def test_list_filters(invoke, acme):
    def slugs(query):
        r = _get(invoke, acme, query)
        assert r.status == 200, r.text
        return sorted(item["slug"] for item in r.json()["data"])

    record = event_types.get(acme.result["organization_id"], acme.et("consult"), consistent=True)
    event_types.set_active(record, False, clock.now(), BASE_URL)
    assert slugs([("active", "false")]) == ["consult"]
    assert len(slugs([("active", "true")])) == 6
    assert slugs([("slug", "INTRO-CALL")]) == ["intro-call"]
    assert slugs([("user_id", acme.user("grace").upper())]) == ["sales-demo"]
    assert slugs([("user_id", acme.user("ada")), ("active", "true")]) == [
        "deep-dive",
        "intro-call",
        "sales-demo",
        "workshop",
    ]
    assert slugs([("user_id", uuid7())]) == []
    assert slugs([("slug", ""), ("active", "")]) == slugs([])  # empty means omitted
    # Filters and pages combine: keyset pages over a filtered list.
    pages = _walk(invoke, acme, [("user_id", acme.user("ada"))], 2)
    assert [len(p) for p in pages] == [2, 2, 1]


def test_list_query_errors(invoke, acme):
    first = _get(invoke, acme, [("limit", "2")]).json()["meta"]["next_cursor"]
    title_cursor = _get(invoke, acme, [("limit", "2"), ("sort", "title_asc")]).json()["meta"]["next_cursor"]
    tampered = first[:-2] + ("A" if first[-2] != "A" else "B") + first[-1]
    cases = [
        ([("limit", "0")], "limit"),
        ([("limit", "-1")], "limit"),
        ([("limit", "abc")], "limit"),
        ([("limit", "1.5")], "limit"),
        ([("limit", "1e2")], "limit"),
        ([("limit", "+5")], "limit"),
        ([("limit", "2"), ("limit", "3")], "limit"),
        ([("limit", "0"), ("sort", "bad")], "limit"),
        ([("cursor", "not*base64")], "cursor"),
        ([("cursor", tampered)], "cursor"),
        ([("cursor", first), ("sort", "title_asc")], "cursor"),
        ([("cursor", title_cursor)], "cursor"),
        ([("cursor", first), ("active", "true")], "cursor"),
        ([("cursor", first), ("sort", "bogus")], "cursor"),
        ([("sort", "title_desc")], "sort"),
        ([("sort", "TITLE_ASC")], "sort"),
        ([("user_id", "123")], "user_id"),
        ([("sort", "x"), ("user_id", "123")], "sort"),
        ([("slug", "a" * 128)], "slug"),
        ([("active", "True")], "active"),
        ([("active", "1")], "active"),
    ]
    for query, param in cases:
        r = _get(invoke, acme, query)
        assert r.status == 400, (query, r.text)
        assert r.json()["error"]["code"] == "invalid_query_param"
        assert r.json()["error"]["details"] == {"param": param}, (query, r.text)
    r = _get(invoke, acme, [("sort", "nope")])
    assert r.json()["error"]["message"] == "sort must be one of created_at_desc, created_at_asc, title_asc"
    # Limits above 100 are clamped; the default sort equals an explicit one for cursors.
    for huge in ("100000000000000000000", "9" * 5000, "0" * 4999 + "3"):
        r = _get(invoke, acme, [("limit", huge)])
        assert r.status == 200 and len(r.json()["data"]) == (3 if huge.endswith("3") else 7)
    r = _get(invoke, acme, [("cursor", first), ("sort", "created_at_desc"), ("limit", "5")])
    assert r.status == 200 and len(r.json()["data"]) == 5


def test_list_pages_ignore_inserts_and_deletes(invoke, acme):
    r = _get(invoke, acme, [("sort", "created_at_asc"), ("limit", "3")])
    first = [item["id"] for item in r.json()["data"]]
    cursor = r.json()["meta"]["next_cursor"]
    # The last item of the page disappears and a newer event type arrives.
    event_types.delete(
        event_types.get(acme.result["organization_id"], first[-1], consistent=True), clock.now(), BASE_URL
    )
    ada = event_types.owner_user("ada")
    fields = parse_event_type_document({"slug": "late", "title": "Late"}, owner_kind="user")
    record = event_types.create(ada, fields, clock.now(), BASE_URL)
    rest = sum(_walk_from(invoke, acme, cursor), [])
    assert not set(rest) & set(first)
    assert rest[-1] == record["id"] and len(rest) == 5


def _walk_from(invoke, acme, cursor):
    pages = []
    while cursor:
        body = _get(invoke, acme, [("sort", "created_at_asc"), ("limit", "2"), ("cursor", cursor)]).json()
        pages.append([item["id"] for item in body["data"]])
        cursor = body["meta"]["next_cursor"]
    return pages


def test_detail_by_id_and_username_slug(invoke, acme):
    intro = acme.et("intro")
    by_id = _detail(invoke, acme, intro.upper(), intro.upper())
    assert by_id.status == 200, by_id.text
    data = by_id.json()["data"]
    assert data["id"] == intro and data["url"] == f"{BASE_URL}/ada/intro-call"
    assert data["locations"] == [
        {"type": "video", "label": "Video call", "value": "https://meet.example.com/ada"}
    ]
    assert data["questions"] == [
        {
            "id": "q_company",
            "key": "company",
            "label": "Company",
            "type": "text",
            "required": True,
            "options": None,
        },
        {
            "id": "q_topics",
            "key": "topics",
            "label": "Topics",
            "type": "multiselect",
            "required": False,
            "options": ["Pricing", "Integrations", "Security"],
        },
    ]
    assert list(data)[-9:] == [
        "locations",
        "questions",
        "max_bookings_per_day",
        "max_bookings_per_week",
        "max_bookings_per_month",
        "requires_confirmation",
        "allow_reschedule",
        "allow_cancel",
        "allow_series",  # 35-series §13.4 (extension)
    ]
    assert data["allow_series"] is True  # the default of an individual event type
    for name in (
        "slot_increment_minutes",
        "seats",
        "minimum_notice_minutes",
        "schedule_id",
        "deleted_at",
        "owner_user_id",
        "owner_team_id",
        "host_refs",
        "version",
    ):
        assert name not in data
    encoded = _detail(invoke, acme, "ada%2Fintro-call", "ada/intro-call")
    two_segments = _detail(invoke, acme, "ada/intro-call", "ada/intro-call")
    upper = _detail(invoke, acme, "ADA%2FIntro-Call", "ADA/Intro-Call")
    without_params = _detail(invoke, acme, "ada%2Fintro-call")  # direct call: decoded from the raw path
    for r in (encoded, two_segments, upper, without_params):
        assert r.status == 200, r.text
        assert r.json()["data"] == data


def test_detail_errors(invoke, acme):
    bare = _detail(invoke, acme, "intro-call", "intro-call")
    assert bare.status == 400 and bare.json()["error"]["code"] == "invalid_request"
    assert bare.json()["error"]["message"] == (
        "A bare slug is ambiguous. Use username/slug (encoded as username%2Fslug) "
        "or GET /v1/event-types?slug=intro-call"
    )
    # API Gateway decodes the path before anything sees it: `%2F` is a slash, so these are paths
    # of three segments or with an empty one, which no route matches (404 before authentication),
    # exactly as their spelled-out forms.
    for raw, decoded in (
        ("a%2Fb%2Fc", "a/b/c"),
        ("ada%2F", "ada/"),
        ("a%2Fb/c", "a/b/c"),
        ("a/b/c", "a/b/c"),
        ("ada/", "ada/"),
    ):
        r = _detail(invoke, acme, raw, decoded, headers={})  # route 404 comes before authentication
        assert r.status == 404 and r.json()["error"]["code"] == "not_found", raw
        assert r.headers["x-ratelimit-limit"] == "30"
    # Runs of slashes collapse (00-conventions §1): `%2Fintro-call` and `ada//intro-call` are
    # `intro-call` (a bare slug) and `ada/intro-call`.
    r = _detail(invoke, acme, "%2Fintro-call", "/intro-call")
    assert r.status == 400 and r.json()["error"]["code"] == "invalid_request"
    assert _detail(invoke, acme, "ada//intro-call", "ada//intro-call").status == 200
    for raw, decoded in (
        (uuid7(), None),
        ("sales%2Fsales-demo", "sales/sales-demo"),
        ("grace%2Fintro-call", "grace/intro-call"),
        ("nobody%2Fx", "nobody/x"),
        ("ada%2FNot_A_Slug", "ada/Not_A_Slug"),
    ):
        r = _detail(invoke, acme, raw, decoded)
        assert r.status == 404 and r.json()["error"]["code"] == "event_type_not_found", raw
    r = _detail(invoke, acme, acme.et("intro"), acme.et("intro"), headers={})
    assert r.status == 401
    narrow = {"Authorization": f"Bearer {acme.result['pats']['narrow']['token']}"}
    r = _detail(invoke, acme, "intro-call", "intro-call", headers=narrow)  # scope before the bare-slug check
    assert r.status == 403 and r.json()["error"]["details"] == {"required_scope": "event_types:read"}
    r = _get(invoke, acme, headers=narrow)
    assert r.status == 403


def _outbox_events() -> list[dict]:
    items = dynamo.client().scan(TableName=dynamo.table_name())["Items"]
    found = [dynamo.from_item(i) or {} for i in items]
    events = [i for i in found if i.get("type") == "outbox"]
    return sorted(events, key=lambda e: e["event_id"])


def test_changes_emit_outbox_events_with_the_detail(invoke, acme):
    assert _outbox_events() == []  # creating event types emits nothing
    org_id = acme.result["organization_id"]
    record = event_types.get(org_id, acme.et("intro"), consistent=True)
    record, data = event_types.update(
        record, {**to_document(record), "title": "Intro chat"}, clock.now(), BASE_URL
    )
    assert data is not None and record.version == 2
    (event,) = _outbox_events()
    body = json.loads(event["body"])
    assert event["event"] == "event_type.updated" and body["event"] == "event_type.updated"
    after = _detail(invoke, acme, acme.et("intro"), acme.et("intro")).json()["data"]
    assert body["data"] == {"event_type": after} and after["title"] == "Intro chat"
    # Unchanged documents and no-op toggles write nothing.
    assert event_types.update(record, to_document(record), clock.now(), BASE_URL)[1] is None
    assert event_types.set_active(record, True, clock.now(), BASE_URL)[1] is None
    record, _ = event_types.set_active(record, False, clock.now(), BASE_URL)
    before = _detail(invoke, acme, acme.et("intro"), acme.et("intro")).json()["data"]
    assert before["active"] is False
    event_types.delete(record, clock.now(), BASE_URL)
    events = _outbox_events()
    assert [e["event"] for e in events] == ["event_type.updated", "event_type.updated", "event_type.deleted"]
    assert json.loads(events[-1]["body"])["data"] == {"event_type": before}
    assert _detail(invoke, acme, acme.et("intro"), acme.et("intro")).status == 404
    assert _detail(invoke, acme, "ada%2Fintro-call", "ada/intro-call").status == 404
    assert acme.et("intro") not in [i["id"] for i in _get(invoke, acme, [("limit", "100")]).json()["data"]]


def test_stale_versions_conflict_and_slugs_are_reused_after_delete(acme):
    org_id = acme.result["organization_id"]
    record = event_types.get(org_id, acme.et("intro"), consistent=True)
    event_types.update(record, {**to_document(record), "title": "First"}, clock.now(), BASE_URL)
    with pytest.raises(event_types.EventTypeConflict):
        event_types.update(record, {**to_document(record), "title": "Second"}, clock.now(), BASE_URL)
    assert _outbox_count() == 1  # the failed change left no event behind
    consult = event_types.get(org_id, acme.et("consult"), consistent=True)
    with pytest.raises(event_types.SlugTaken):
        event_types.update(consult, {**to_document(consult), "slug": "intro-call"}, clock.now(), BASE_URL)
    current = event_types.get(org_id, acme.et("intro"), consistent=True)
    event_types.delete(current, clock.now(), BASE_URL)
    ada: OwnerUser = event_types.owner_user("ada")
    fields = parse_event_type_document({"slug": "intro-call", "title": "Again"}, owner_kind="user")
    again = event_types.create(ada, fields, clock.now(), BASE_URL)
    assert event_type_store.find_by_username_slug(org_id, "ada", "intro-call")["id"] == again["id"]
    with pytest.raises(event_types.SlugTaken):
        event_types.create(ada, fields, clock.now(), BASE_URL)


def _outbox_count() -> int:
    return len(_outbox_events())
