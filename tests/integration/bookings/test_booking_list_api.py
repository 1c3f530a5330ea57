"""`GET /v1/bookings`: filters, sorts, keyset cursors and parameter errors (30-bookings §3)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api


def _list(api: Api, query: Any, token: str = "full") -> dict[str, Any]:
    response = api.call("GET", "/v1/bookings", headers=api.headers(token, key=None), query=query)
    assert response.status == 200, response.text
    return response.json()


def _uids(body: dict[str, Any]) -> list[str]:
    return [item["uid"] for item in body["data"]]


def _error_param(api: Api, query: Any) -> str:
    response = api.call("GET", "/v1/bookings", headers=api.headers(key=None), query=query)
    assert response.status == 400 and response.json()["error"]["code"] == "invalid_query_param", response.text
    return response.json()["error"]["details"]["param"]


@pytest.fixture(scope="module")
def day_data(api: Api) -> dict[str, Any]:
    """One day with: 3 intro bookings, one canceled, one rescheduled (old + new), a round robin one."""
    day = api.fresh_day()
    made = {}
    for time, email in (
        ("10:00", "Ann@Example.com"),
        ("11:00", "ann@example.com"),
        ("12:00", "cy@example.com"),
    ):
        made[time] = api.create("intro", api.at(day, time), attendee={"email": email})["data"]
    api.call("POST", f"/v1/bookings/{made['11:00']['uid']}/cancel")
    moved = api.call(
        "POST", f"/v1/bookings/{made['12:00']['uid']}/reschedule", body={"start": api.at(day, "13:00")}
    )
    made["13:00"] = moved.json()["data"]
    made["rr"] = api.create("sales-demo", api.at(day, "14:00"))["data"]
    made["survey"] = api.create(
        "survey", api.at(day, "09:00"), responses={"company": "X", "size": 1, "terms": True}
    )["data"]
    return {
        "day": day,
        "range": {"start_date": api.at(day, "00:00"), "end_date": api.at(day, "23:59")},
        **made,
    }


def test_default_sort_is_start_descending_with_null_responses(api: Api, day_data: dict[str, Any]) -> None:
    body = _list(api, day_data["range"])
    starts = [item["start_at"] for item in body["data"]]
    assert starts == sorted(starts, reverse=True) and len(starts) == 6
    assert all(item["responses"] is None for item in body["data"])
    assert body["meta"]["next_cursor"] is None and body["meta"]["has_more"] is False
    assert set(body["meta"]) == {"request_id", "next_cursor", "has_more"}


def test_status_filters(api: Api, day_data: dict[str, Any]) -> None:
    rng = day_data["range"]
    canceled = _uids(_list(api, {**rng, "status": "canceled"}))
    assert canceled == [day_data["11:00"]["uid"]]
    both = _list(api, [*rng.items(), ("status", " rescheduled , canceled ")])
    assert {i["status"] for i in both["data"]} == {"canceled", "rescheduled"}
    no_canceled = _list(api, {**rng, "include_cancelled": "false"})
    assert {i["status"] for i in no_canceled["data"]} == {"confirmed", "rescheduled"}
    # include_cancelled only applies without `status`
    assert _uids(_list(api, {**rng, "status": "canceled", "include_cancelled": "false"})) == canceled
    # `cancelled` is another spelling (30-bookings §3), the same filter: a cursor carries over
    assert _uids(_list(api, {**rng, "status": "cancelled"})) == canceled
    mixed = _list(api, {**rng, "status": "confirmed,cancelled", "limit": "1"})
    assert {i["status"] for i in mixed["data"]} <= {"confirmed", "canceled"}
    rest = _list(api, {**rng, "status": "canceled,confirmed", "cursor": mixed["meta"]["next_cursor"]})
    assert day_data["11:00"]["uid"] in _uids(mixed) + _uids(rest)


def test_other_filters(api: Api, day_data: dict[str, Any]) -> None:
    rng = day_data["range"]
    by_email = _list(api, {**rng, "attendee_email": "ann@example.com"})
    assert _uids(by_email) == [day_data["11:00"]["uid"]]  # exact, case-sensitive
    assert _uids(_list(api, {**rng, "attendee_email": "Ann@Example.com", "sort": "created_at_asc"})) == [
        day_data["10:00"]["uid"]
    ]
    linus = api.user("linus")
    assert _uids(_list(api, {**rng, "host_user_id": linus.upper()})) == [day_data["survey"]["uid"]]
    rr_host = day_data["rr"]["host"]["user_id"]
    hosts = _list(
        api,
        [
            *rng.items(),
            ("host_user_ids", f"{linus},{linus}"),
            ("host_user_ids", rr_host),
            ("host_user_id", "019d0000-0000-7000-8000-000000000000"),
        ],
    )
    everything = _list(api, rng)["data"]
    assert set(_uids(hosts)) == {i["uid"] for i in everything if i["host"]["user_id"] in (linus, rr_host)}
    assert day_data["rr"]["uid"] in _uids(hosts)
    assert _uids(_list(api, {**rng, "event_type_id": api.et("sales-demo")})) == [day_data["rr"]["uid"]]
    assert _list(api, {**rng, "event_type_id": "019d0000-0000-7000-8000-000000000000"})["data"] == []
    exact = _list(
        api, {"start_date": day_data["13:00"]["start_at"], "end_date": day_data["13:00"]["start_at"]}
    )
    assert _uids(exact) == [day_data["13:00"]["uid"]]  # both bounds inclusive
    # naive instants (n8n's date picker) are UTC here: the list has no `timezone` parameter
    naive = day_data["13:00"]["start_at"][:19]
    assert _uids(_list(api, {"start_date": naive, "end_date": naive})) == [day_data["13:00"]["uid"]]
    since = day_data["13:00"]["updated_at"][:-1]  # milliseconds, no `Z`
    assert _uids(_list(api, {**rng, "updated_since": since, "sort": "updated_at_asc"})) == _uids(
        _list(api, {**rng, "updated_since": day_data["13:00"]["updated_at"], "sort": "updated_at_asc"})
    )
    updated = _list(api, {**rng, "updated_since": day_data["13:00"]["updated_at"], "sort": "updated_at_asc"})
    assert day_data["13:00"]["uid"] in _uids(updated)


@pytest.mark.parametrize(
    "sort",
    [
        "start_at_desc",
        "start_at_asc",
        "created_at_desc",
        "created_at_asc",
        "updated_at_asc",
        "updated_at_desc",
    ],
)
def test_paging_every_sort(api: Api, day_data: dict[str, Any], sort: str) -> None:
    rng = day_data["range"]
    full = _uids(_list(api, {**rng, "sort": sort, "limit": "100"}))
    assert len(full) == 6
    field = sort.rsplit("_", 1)[0]
    items = _list(api, {**rng, "sort": sort, "limit": "100"})["data"]
    keys = [(item[field], item["uid"]) for item in items]
    assert keys == sorted(keys, reverse=sort.endswith("desc"))
    paged: list[str] = []
    cursor = None
    limit = 1
    while True:
        query = {**rng, "sort": sort, "limit": str(limit)}
        if cursor:
            query["cursor"] = cursor
        body = _list(api, query)
        paged += _uids(body)
        assert len(body["data"]) <= limit
        if not body["meta"]["has_more"]:
            assert body["meta"]["next_cursor"] is None
            break
        cursor = body["meta"]["next_cursor"]
        limit = 2  # the limit may change between pages
    assert paged == full


def test_inserts_between_pages_neither_skip_nor_repeat(api: Api) -> None:
    day = api.fresh_day()
    rng = {"start_date": api.at(day, "00:00"), "end_date": api.at(day, "23:59"), "sort": "start_at_asc"}
    for time in ("09:00", "11:00", "13:00"):
        api.create("intro", api.at(day, time))
    first = _list(api, {**rng, "limit": "2"})
    api.create("intro", api.at(day, "10:00"))  # before the cursor: not shown later
    api.create("intro", api.at(day, "14:00"))  # after it: shown
    rest = _list(api, {**rng, "limit": "10", "cursor": first["meta"]["next_cursor"]})
    starts = [i["start_at"][11:16] for i in first["data"] + rest["data"]]
    assert starts == ["09:00", "11:00", "13:00", "14:00"]


def test_cursor_is_bound_to_sort_and_filters(api: Api, day_data: dict[str, Any]) -> None:
    rng = day_data["range"]
    cursor = _list(api, {**rng, "limit": "1"})["meta"]["next_cursor"]
    assert cursor
    # defaults count as given: the explicit default sort and include_cancelled accept the cursor
    assert _list(
        api, {**rng, "limit": "1", "cursor": cursor, "sort": "start_at_desc", "include_cancelled": "true"}
    )
    for changed in (
        {"sort": "start_at_asc"},
        {"include_cancelled": "false"},
        {"status": "confirmed"},
        {"start_date": api.at(day_data["day"], "00:01")},
    ):
        assert _error_param(api, {**rng, "limit": "1", "cursor": cursor, **changed}) == "cursor"
    assert (
        _error_param(api, {**rng, "cursor": cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]})
        == "cursor"
    )
    assert _error_param(api, {**rng, "cursor": "not base64!"}) == "cursor"


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "1.5", "sort": "bad"}, "limit"),
        ({"limit": "+5"}, "limit"),
        ([("limit", "2"), ("limit", "3")], "limit"),
        ({"sort": "title_asc", "status": "cancel"}, "sort"),
        ({"status": "cancel", "event_type_id": "x"}, "status"),
        ({"status": "cancelled", "event_type_id": "x"}, "event_type_id"),  # another spelling of canceled
        ({"status": "confirmed,,pending"}, "status"),
        ({"event_type_id": "x", "host_user_id": "y"}, "event_type_id"),
        ({"host_user_id": "y"}, "host_user_id"),
        ({"host_user_id": "y", "host_user_ids": "z"}, "host_user_ids"),  # host_user_id is ignored entirely
        ({"host_user_ids": "019d0000-0000-7000-8000-000000000000,nope"}, "host_user_ids"),
        (
            {"host_user_ids": ",".join(f"019d0000-0000-7000-8000-{i:012d}" for i in range(51))},
            "host_user_ids",
        ),
        ({"attendee_email": "a" * 255}, "attendee_email"),
        ({"start_date": "2026-05-20", "end_date": "x"}, "start_date"),
        ({"end_date": "2026-05-20 10:00:00"}, "end_date"),
        ({"end_date": "2026-05-20T10:00"}, "end_date"),
        # naive is UTC here: the end is before the start
        ({"start_date": "2026-05-20T10:00:00", "end_date": "2026-05-20T09:59:59.999Z"}, "end_date"),
        ({"start_date": "2026-05-21T00:00:00Z", "end_date": "2026-05-20T23:59:59Z"}, "end_date"),
        ({"updated_since": "yesterday", "include_cancelled": "no"}, "updated_since"),
        ({"include_cancelled": "False"}, "include_cancelled"),
        ({"include_cancelled": "1"}, "include_cancelled"),
    ],
)
def test_parameter_errors_in_documented_order(api: Api, query: Any, param: str) -> None:
    assert _error_param(api, query) == param


def test_limits_and_empty_values(api: Api, day_data: dict[str, Any]) -> None:
    rng = day_data["range"]
    assert len(_list(api, {**rng, "limit": "999999999999999999999"})["data"]) == 6
    assert len(_list(api, {**rng, "limit": "", "sort": "", "status": "", "host_user_ids": ""})["data"]) == 6
    assert len(_list(api, {**rng, "start_date": "2026-05-01T00:00:00 00:00"})["data"]) == 6  # '+' as a space
    assert _list(api, {**rng, "limit": "2"})["meta"]["has_more"] is True


def test_scope_and_other_tokens(api: Api, day_data: dict[str, Any]) -> None:
    response = api.call("GET", "/v1/bookings", headers=api.headers("narrow", key=None), query={"limit": "x"})
    assert response.status == 403 and response.json()["error"]["details"] == {
        "required_scope": "bookings:read"
    }
    assert len(_list(api, day_data["range"], token="second")["data"]) == 6  # the whole organization
