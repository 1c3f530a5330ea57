"""Every list endpoint answers with the caller's own data only, whatever foreign ids it is given
(issue 12, defects 1 and 7).

Property: for every list endpoint × filter × sort, with ids, slugs and addresses of ANOTHER
organization mixed in, every item on every page belongs to the caller; a filter that names only
foreign things matches nothing; and a cursor issued to one organization is refused for another.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import FOREIGN_ONLY_SLUG, SHARED_EMAIL, Org, Tenants

BOOKING_SORTS = (
    "start_at_desc",
    "start_at_asc",
    "created_at_desc",
    "created_at_asc",
    "updated_at_asc",
    "updated_at_desc",
)
EVENT_TYPE_SORTS = ("created_at_desc", "created_at_asc", "title_asc")
EMAILS = (SHARED_EMAIL, "a.person@example.com", "bob@example.com", "nobody@example.com")
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _pages(org: Org, group: str, path: str, query: dict[str, str]) -> list[dict[str, Any]]:
    """Every item of every page, following `next_cursor` (the limit keeps pages short)."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(50):
        response = org.get(group, path, {**query, **({"cursor": cursor} if cursor else {})})
        assert response.status == 200, response.text
        body = response.json()
        items += body["data"]
        cursor = body["meta"].get("next_cursor")
        if not cursor:
            return items
    raise AssertionError("pagination did not end")


# --------------------------------------------------------------------------- bookings


@st.composite
def booking_queries(draw: st.DrawFn, tenants: Tenants) -> tuple[str, dict[str, str], bool]:
    """(caller, query, whether a filter names only foreign things)."""
    caller = draw(st.sampled_from(("a", "b")))
    own, other = tenants.pair(caller)
    query: dict[str, str] = {"limit": str(draw(st.integers(1, 4)))}
    foreign_only = False
    sort = draw(st.sampled_from((None, *BOOKING_SORTS)))
    if sort:
        query["sort"] = sort
    hosts = draw(st.lists(st.sampled_from(own.user_ids + other.user_ids), max_size=3, unique=True))
    if hosts:
        if len(hosts) == 1 and draw(st.booleans()):
            query["host_user_id"] = hosts[0].upper() if draw(st.booleans()) else hosts[0]
        else:
            query["host_user_ids"] = ",".join(hosts)
        foreign_only |= set(hosts) <= set(other.user_ids)
    et = draw(st.sampled_from((None, *own.event_type_ids, *other.event_type_ids)))
    if et:
        query["event_type_id"] = et
        foreign_only |= et in other.event_type_ids
    email = draw(st.sampled_from((None, *EMAILS)))
    if email:
        query["attendee_email"] = email
    status = draw(st.lists(st.sampled_from(("confirmed", "pending", "canceled", "rescheduled")), max_size=2))
    if status:
        query["status"] = ",".join(status)
    cancelled = draw(st.sampled_from((None, "true", "false")))
    if cancelled:
        query["include_cancelled"] = cancelled
    window = draw(st.sampled_from((None, "all", "edges")))
    if window == "all":
        query.update(start_date="2026-01-01T00:00:00Z", end_date="2027-01-01T00:00:00Z")
    elif window == "edges":  # calendar edges as list bounds (defect 4)
        query.update(start_date="0001-01-01T00:00:00Z", end_date="9999-12-31T23:59:59.999Z")
    if draw(st.booleans()):
        query["updated_since"] = draw(st.sampled_from(("0001-01-01T00:00:00Z", "2026-01-01T00:00:00+14:00")))
    return caller, query, foreign_only


def _check_bookings(tenants: Tenants, caller: str, query: dict[str, str], foreign_only: bool) -> None:
    own, other = tenants.pair(caller)
    seen = [item["uid"] for item in _pages(own, "bookings", "/v1/bookings", query)]
    leaked = sorted(set(seen) & set(other.bookings))
    assert not leaked, f"{len(leaked)} foreign bookings for {query}"
    assert set(seen) <= set(own.bookings), query
    assert len(seen) == len(set(seen)), "a page repeated an item"
    if foreign_only:
        assert seen == [], query


@pytest.mark.parametrize("sort", (None, *BOOKING_SORTS))
@pytest.mark.parametrize("caller", ("a", "b"))
def test_bookings_single_foreign_filter_every_sort(tenants: Tenants, caller: str, sort: str | None) -> None:
    """The reported leak, exhaustively: each filter alone with a foreign value, under every sort."""
    own, other = tenants.pair(caller)
    base = {"sort": sort} if sort else {}
    foreign_filters = [
        *({"host_user_id": user} for user in other.user_ids),
        *({"host_user_ids": user} for user in other.user_ids),
        {"host_user_ids": ",".join(other.user_ids)},
        *({"event_type_id": et} for et in other.event_type_ids),
    ]
    for extra in foreign_filters:
        for limit in ("1", "20"):
            _check_bookings(tenants, caller, {**base, **extra, "limit": limit}, foreign_only=True)
    for email in EMAILS:  # addresses both organizations booked: each sees its own only
        _check_bookings(tenants, caller, {**base, "attendee_email": email}, foreign_only=False)


def test_bookings_every_filter_combination(tenants: Tenants) -> None:
    @SETTINGS
    @given(booking_queries(tenants))
    def check(case: tuple[str, dict[str, str], bool]) -> None:
        _check_bookings(tenants, *case)

    check()


def test_own_host_filter_still_finds_own_bookings(tenants: Tenants) -> None:
    for org in (tenants.a, tenants.b):
        for uid, booking in org.bookings.items():
            host = booking["host"]["user_id"]
            seen = {i["uid"] for i in _pages(org, "bookings", "/v1/bookings", {"host_user_id": host})}
            assert uid in seen


# --------------------------------------------------------------------------- event types


@st.composite
def event_type_queries(draw: st.DrawFn, tenants: Tenants) -> tuple[str, dict[str, str], bool]:
    caller = draw(st.sampled_from(("a", "b")))
    own, other = tenants.pair(caller)
    query: dict[str, str] = {"limit": str(draw(st.integers(1, 4)))}
    foreign_only = False
    sort = draw(st.sampled_from((None, *EVENT_TYPE_SORTS)))
    if sort:
        query["sort"] = sort
    user = draw(st.sampled_from((None, *own.user_ids, *other.user_ids)))
    if user:
        query["user_id"] = user
        foreign_only |= user in other.user_ids
    slug = draw(st.sampled_from((None, "intro-call", FOREIGN_ONLY_SLUG)))
    if slug:
        query["slug"] = slug
        foreign_only |= slug == FOREIGN_ONLY_SLUG and caller == "a"
    active = draw(st.sampled_from((None, "true", "false")))
    if active:
        query["active"] = active
    return caller, query, foreign_only


def test_event_types_every_filter_combination(tenants: Tenants) -> None:
    @SETTINGS
    @given(event_type_queries(tenants))
    def check(case: tuple[str, dict[str, str], bool]) -> None:
        caller, query, foreign_only = case
        own, other = tenants.pair(caller)
        seen = [item["id"] for item in _pages(own, "event_types", "/v1/event-types", query)]
        assert set(seen) <= set(own.event_type_ids), query
        if foreign_only:
            assert seen == [], query

    check()


# --------------------------------------------------------------------------- webhooks and deliveries


@pytest.mark.parametrize("caller", ("a", "b"))
def test_webhooks_and_deliveries_stay_in_the_sandbox(tenants: Tenants, caller: str) -> None:
    own, other = tenants.pair(caller)
    listed = own.get("webhooks", "/v1/webhooks")
    assert listed.status == 200
    assert {w["id"] for w in listed.json()["data"]} == set(own.webhooks)
    for webhook_id in other.webhooks:
        for query in ({}, {"limit": "1"}):
            response = own.get("webhooks", f"/v1/webhooks/{webhook_id}/deliveries", query)
            assert response.status == 404, response.text
    for webhook_id in own.webhooks:
        seen = [
            d["id"] for d in _pages(own, "webhooks", f"/v1/webhooks/{webhook_id}/deliveries", {"limit": "1"})
        ]
        assert sorted(seen) == sorted(own.deliveries[webhook_id])


# --------------------------------------------------------------------------- cursors (defect 7)


def _cursor(org: Org, group: str, path: str, query: dict[str, str]) -> str:
    response = org.get(group, path, {**query, "limit": "1"})
    assert response.status == 200, response.text
    cursor = response.json()["meta"]["next_cursor"]
    assert cursor, response.text
    return str(cursor)


@pytest.mark.parametrize(
    ("group", "path", "query"),
    [
        ("bookings", "/v1/bookings", {}),
        ("bookings", "/v1/bookings", {"sort": "created_at_asc", "attendee_email": SHARED_EMAIL}),
        ("event_types", "/v1/event-types", {}),
        ("event_types", "/v1/event-types", {"sort": "title_asc"}),
    ],
)
def test_a_cursor_is_refused_by_another_organization(
    tenants: Tenants, group: str, path: str, query: dict[str, str]
) -> None:
    cursor = _cursor(tenants.a, group, path, query)
    assert tenants.a.get(group, path, {**query, "cursor": cursor}).status == 200
    response = tenants.b.get(group, path, {**query, "cursor": cursor})
    assert response.status == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_query_param" and error["details"] == {"param": "cursor"}


def test_a_deliveries_cursor_is_refused_by_another_organization(tenants: Tenants) -> None:
    webhook_id = tenants.a.webhooks[0]
    path = f"/v1/webhooks/{webhook_id}/deliveries"
    cursor = _cursor(tenants.a, "webhooks", path, {})
    assert tenants.a.get("webhooks", path, {"cursor": cursor}).status == 200
    # Query parameters are checked before the subscription is loaded (00-conventions §5.3).
    response = tenants.b.get("webhooks", path, {"cursor": cursor})
    assert response.status == 400, response.text
    assert response.json()["error"]["details"] == {"param": "cursor"}
