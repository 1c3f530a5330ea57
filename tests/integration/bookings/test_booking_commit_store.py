"""The concurrency-safe commit (30-bookings §11): lost races, retries, seats, round robin and limits.

Concurrency itself is exercised end to end (tests/e2e/test_bookings_e2e.py); here each race is
staged deterministically by changing the table between a write's reads and its transaction.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from fortytwo.domain.bookings.limits import CounterId
from fortytwo.domain.bookings.plan import PlanBuilder
from fortytwo.domain.timefmt import format_ts, parse_ts
from fortytwo.services import bookings
from fortytwo.services import retry as retries
from fortytwo.store import bookings as store
from fortytwo.store import dynamo, keys, ledger

from .conftest import Api


def _error(response) -> tuple[int, str, dict]:  # type: ignore[no-untyped-def]
    body = response.json()["error"]
    return response.status, body["code"], body["details"]


def _session_item(event_type_id: str, start: str) -> dict | None:
    return dynamo.get(*keys.group_session(event_type_id, format_ts(parse_ts(start))), consistent=True)


def _counter(owner: str, owner_id: str, period: str, period_key: str) -> int:
    return store.counter(CounterId(owner, owner_id, period, period_key))


def test_a_lost_race_rechecks_and_answers_slot_busy(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    day = api.fresh_day()
    real_commit = store.commit
    attempts: list[int] = []

    def rival_first(plan, completion=None) -> None:  # type: ignore[no-untyped-def]
        attempts.append(1)
        if len(attempts) == 1:
            # Another request books the same host and time after our availability read.
            monkeypatch.setattr(store, "commit", real_commit)
            rival = api.create_body(start=api.at(day, "10:00"))
            from fortytwo.domain.bookings.requests import parse_create

            bookings.create(
                org_id=api.seed["organization_id"],
                request=parse_create(rival),
                now=api.clock.now,
                uid="019e0000-0000-7000-8000-00000000aaaa",
                created_by={},
            )
            monkeypatch.setattr(store, "commit", rival_first)
        real_commit(plan, completion)

    monkeypatch.setattr(store, "commit", rival_first)
    response = api.call("POST", "/v1/bookings", body=api.create_body(start=api.at(day, "10:00")))
    assert _error(response) == (409, "slot_unavailable", {"reason": "slot_busy"})
    assert len(attempts) == 1  # the re-check after the lost race found the time taken: no second commit


def test_contention_without_end_is_a_slot_lock_timeout_and_releases_the_key(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = api.fresh_day()
    calls: list[int] = []

    def always_lost(plan, completion=None) -> None:  # type: ignore[no-untyped-def]
        calls.append(1)
        raise store.LostRace(["ledger"])

    monkeypatch.setattr(store, "commit", always_lost)
    monkeypatch.setattr(retries, "WAIT_MS", (0, 0))
    body = api.create_body(start=api.at(day, "10:00"))
    response = api.call("POST", "/v1/bookings", headers=api.headers(key="contended"), body=body)
    assert _error(response) == (503, "slot_lock_timeout", {})
    assert response.headers["retry-after"] == "1" and len(calls) == retries.MAX_ATTEMPTS
    monkeypatch.undo()
    retry = api.call("POST", "/v1/bookings", headers=api.headers(key="contended"), body=body)
    assert retry.status == 201  # the same key runs afresh

    uid = retry.json()["data"]["uid"]
    monkeypatch.setattr(store, "commit", always_lost)
    monkeypatch.setattr(retries, "WAIT_MS", (0, 0))
    cancel = api.call("POST", f"/v1/bookings/{uid}/cancel")
    assert _error(cancel) == (503, "service_unavailable", {}) and cancel.headers["retry-after"] == "1"


def test_a_meeting_claims_its_minutes_conditionally_and_records_one_ledger_entry(api: Api) -> None:
    """The ledger entry is written without a condition; each minute of the buffered interval is
    claimed with `attribute_not_exists` in the host's busy-hour item of that UTC hour."""
    from datetime import timedelta

    from fortytwo.domain.bookings.requests import parse_create

    day = api.fresh_day()
    loaded = store.resolve_event_type(
        api.seed["organization_id"], event_type_id=api.et("intro"), username=None, event_slug=None
    )
    assert loaded is not None
    start = parse_create(api.create_body(start=api.at(day, "10:45"))).start
    entry = ledger.LedgerEntry("x", api.et("intro"), start, start + timedelta(minutes=30), start)
    plan = PlanBuilder()
    plan.add_meeting(api.user("ada"), entry)
    items, kinds = store.render(plan.build(None), None)  # type: ignore[arg-type]
    assert kinds == ["ledger", "busy", "busy"]
    put, ten, eleven = items
    assert "ConditionExpression" not in put["Put"] and put["Put"]["Item"]["sk"]["S"] == f"DAY#{day}#x"
    assert ten["Update"]["Key"]["sk"]["S"] == f"HOUR#{day}T10"
    assert ten["Update"]["ConditionExpression"].count("attribute_not_exists") == 15
    assert eleven["Update"]["ConditionExpression"].count("attribute_not_exists") == 15


def test_group_seats_sessions_and_release(api: Api) -> None:
    day = api.fresh_day()
    start = api.at(day, "10:00")
    seats = [api.create("workshop", start, attendee={"email": f"p{i}@example.com"})["data"] for i in range(3)]
    assert {s["host"]["user_id"] for s in seats} == {api.user("ada")}
    full = api.call("POST", "/v1/bookings", body=api.create_body("workshop", start))
    assert _error(full) == (409, "slot_unavailable", {"reason": "slot_busy"})
    # The session is one busy item for ada: intro at 10:00 and 10:30 are taken.
    assert (
        _error(api.call("POST", "/v1/bookings", body=api.create_body("intro", api.at(day, "10:30"))))[0]
        == 409
    )
    session = _session_item(api.et("workshop"), start)
    assert session is not None and session["seats_taken"] == 3
    entries = ledger.read_entries(
        api.user("ada"), parse_ts(start).date(), parse_ts(start).date(), consistent=True
    )
    [meeting] = [e for e in entries if e.seats is not None]
    assert meeting.seats == 3
    workshop_day = ("event_type", api.et("workshop"), "day", day)
    assert _counter(*workshop_day) == 1  # one meeting, whatever the registrations
    api.call("POST", f"/v1/bookings/{seats[0]['uid']}/cancel")
    api.create("workshop", start, attendee={"email": "late@example.com"})
    # Moving one registration to another start opens a second session, with the same host.
    moved = api.call(
        "POST", f"/v1/bookings/{seats[1]['uid']}/reschedule", body={"start": api.at(day, "13:00")}
    )
    assert moved.status == 200, moved.text
    assert _counter(*workshop_day) == 2
    for uid in (seats[2]["uid"], moved.json()["data"]["uid"]):
        api.call("POST", f"/v1/bookings/{uid}/cancel")
    remaining = api.call(
        "GET",
        "/v1/bookings",
        headers=api.headers(key=None),
        query={"start_date": start, "end_date": start, "status": "confirmed"},
    ).json()["data"]
    assert len(remaining) == 1  # the late registration still holds the 10:00 session
    api.call("POST", f"/v1/bookings/{remaining[0]['uid']}/cancel")
    assert _session_item(api.et("workshop"), start) is None
    assert ledger.busy_minutes(api.user("ada"), parse_ts(start)) == {}  # the session's time is free again
    assert _counter(*workshop_day) == 0
    assert api.create("intro", api.at(day, "10:30"))["data"]["status"] == "confirmed"


def test_round_robin_assigns_the_best_ranked_free_member(api: Api) -> None:
    day = api.fresh_day()
    start = api.at(day, "14:00")  # ada (London, to 16:00Z) and grace (New York, from 13:00Z) both work
    first = api.create("sales-demo", start)["data"]["host"]["user_id"]
    second = api.create("sales-demo", start)["data"]["host"]["user_id"]
    assert {first, second} == {api.user("ada"), api.user("grace")}
    assert _error(api.call("POST", "/v1/bookings", body=api.create_body("sales-demo", start)))[0] == 409
    # Ranking: both now have one meeting this month; the older last assignment (first) goes first.
    third = api.create("sales-demo", api.at(day, "14:30"))["data"]
    assert third["host"]["user_id"] == first
    # Reschedule keeps the original host when that host is free at the new start…
    moved = api.call("POST", f"/v1/bookings/{third['uid']}/reschedule", body={"start": api.at(day, "15:00")})
    assert moved.json()["data"]["host"]["user_id"] == first
    # …and otherwise takes the other member: whoever took 15:30 first, they never share it.
    taken = api.create("sales-demo", api.at(day, "15:30"))["data"]["host"]["user_id"]
    again = api.call(
        "POST", f"/v1/bookings/{moved.json()['data']['uid']}/reschedule", body={"start": api.at(day, "15:30")}
    )
    assert again.status == 200, again.text
    host = again.json()["data"]["host"]["user_id"]
    assert host != taken and (host == first) == (taken != first)


def test_per_day_limit_and_counters(api: Api) -> None:
    day = api.fresh_day()
    scope = ("event_type", api.et("limited"))
    one = api.create("limited", api.at(day, "09:00"))["data"]
    api.create("limited", api.at(day, "10:00"))
    assert _counter(*scope, "day", day) == 2
    assert _counter("user", api.user("linus"), "day", day) == 2
    blocked = api.call("POST", "/v1/bookings", body=api.create_body("limited", api.at(day, "11:00")))
    assert _error(blocked) == (409, "slot_unavailable", {"reason": "slot_busy"})
    api.call("POST", f"/v1/bookings/{one['uid']}/cancel")
    assert _counter(*scope, "day", day) == 1
    moved = api.create("limited", api.at(day, "11:00"))["data"]
    # A reschedule inside the same day leaves the day counter alone (net change 0).
    api.call("POST", f"/v1/bookings/{moved['uid']}/reschedule", body={"start": api.at(day, "12:00")})
    assert _counter(*scope, "day", day) == 2


def test_the_counter_condition_holds_the_cap_even_when_the_ledger_disagrees(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two bookings on different days of one week never touch a common ledger item; the counters
    are what keeps a cap under concurrency. Stage a counter already at the cap."""
    day = api.fresh_day()
    boto3.client("dynamodb").put_item(
        TableName=dynamo.table_name(),
        Item=dynamo.to_item(
            {
                "pk": keys.limit_counter("event_type", api.et("limited"), "day", day)[0],
                "sk": keys.limit_counter("event_type", api.et("limited"), "day", day)[1],
                "count": 2,
                "type": "limit_counter",
            }
        ),
    )
    monkeypatch.setattr(retries, "WAIT_MS", (0, 0))
    response = api.call("POST", "/v1/bookings", body=api.create_body("limited", api.at(day, "09:00")))
    assert _error(response)[:2] == (503, "slot_lock_timeout")
    assert _counter("event_type", api.et("limited"), "day", day) == 2


def test_cancellation_reasons_are_mapped(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.exceptions import ClientError

    def canceled(**_: Any) -> None:
        raise ClientError(
            {
                "Error": {
                    "Code": "TransactionCanceledException",
                    "Message": "Transaction cancelled, please refer cancellation reasons for "
                    "specific reasons [None, ConditionalCheckFailed, None]",
                }
            },
            "TransactWriteItems",
        )

    class Client:
        transact_write_items = staticmethod(canceled)

    plan: Any = None  # the rendering is staged below
    monkeypatch.setattr(dynamo, "client", lambda: Client())
    monkeypatch.setattr(
        store, "render", lambda plan, completion: ([{}, {}, {}], ["booking", "ledger", "idempotency"])
    )
    with pytest.raises(store.LostRace) as lost:
        store.commit(plan)
    assert lost.value.kinds == ("ledger",)
    monkeypatch.setattr(
        store, "render", lambda plan, completion: ([{}, {}, {}], ["booking", "idempotency", "outbox"])
    )
    with pytest.raises(store.BookingRuleError) as taken:
        store.commit(plan)
    assert taken.value.code == "idempotency_in_progress"
