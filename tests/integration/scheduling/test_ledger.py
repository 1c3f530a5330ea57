"""The busy ledger's write builders (used by booking commits), its busy-minute claims, and the
availability loader's read of the entries."""

from __future__ import annotations

from datetime import date

import pytest
from botocore.exceptions import ClientError

from fortytwo.domain.timefmt import parse_ts
from fortytwo.store import availability, dynamo, event_types, ledger

from .conftest import DEFAULT_NOW, entry

HOUR = parse_ts("2026-05-20T09:00:00Z")


def commit(*operations: dict) -> None:
    dynamo.client().transact_write_items(TransactItems=list(operations))


def test_one_item_per_entry_read_by_day_range(acme):
    ada, intro = acme.user("ada"), acme.et("intro")
    day = date(2026, 5, 20)
    first = entry("b1", intro, "2026-05-20T09:00:00Z", 30, status="pending")
    second = entry("b2", intro, "2026-05-20T10:00:00Z", 30)
    late = entry("b3", intro, "2026-05-21T23:30:00Z", 30)
    commit(ledger.transact_put_entry(ada, first), ledger.transact_put_entry(ada, second))
    commit(ledger.transact_put_entry(ada, late))
    assert ledger.read_entries(ada, day, day, consistent=True) == [first, second]
    assert ledger.read_entries(ada, date(2026, 5, 21), None, consistent=True) == [late]
    commit(ledger.transact_delete_entry(ada, day, "b2"))
    assert [e.key for e in ledger.read_entries(ada, day, date(2026, 5, 21), consistent=True)] == ["b1", "b3"]
    with pytest.raises(ClientError):  # seat changes never create an entry
        commit(ledger.transact_add_seats(ada, day, "session:none", 1))


def test_busy_minutes_fail_only_where_claims_overlap(acme):
    ada = acme.user("ada")
    commit(ledger.transact_busy_hour(ada, HOUR, take=[(m, "a") for m in range(30)], fresh=range(30)))
    # The next half hour of the same item does not conflict…
    commit(ledger.transact_busy_hour(ada, HOUR, take=[(m, "b") for m in range(30, 60)], fresh=range(30, 60)))
    # …one shared minute does.
    with pytest.raises(ClientError):
        commit(ledger.transact_busy_hour(ada, HOUR, take=[(29, "c")], fresh=[29]))
    # A reschedule of "a" to 15–44 keeps 15–29 (no condition) while releasing 0–14, and fails on
    # 30–44, which "b" holds: nothing changes.
    with pytest.raises(ClientError):
        commit(
            ledger.transact_busy_hour(
                ada, HOUR, take=[(m, "a2") for m in range(15, 45)], fresh=range(30, 45), release=range(15)
            )
        )
    assert set(ledger.busy_minutes(ada, HOUR).values()) == {"a", "b"}
    commit(ledger.transact_busy_hour(ada, HOUR, release=range(30)))
    assert ledger.busy_minutes(ada, HOUR) == dict.fromkeys(range(30, 60), "b")


def test_availability_reads_the_entries(acme):
    ada, intro = acme.user("ada"), acme.et("intro")
    commit(ledger.transact_put_entry(ada, entry("b1", intro, "2026-05-20T09:00:00Z", 30)))
    record = event_types.get(acme.result["organization_id"], intro, consistent=True)
    now = parse_ts(DEFAULT_NOW)
    inputs = availability.load_inputs(
        record,
        now=now,
        window_start=parse_ts("2026-05-20T09:00:00Z"),
        window_end=parse_ts("2026-05-20T09:00:00.001Z"),
        consistent=True,
    )
    assert [b.id for b in inputs.bookings] == ["b1"]
    assert inputs.rules.timezone == "Europe/London" and [h.user_id for h in inputs.hosts] == [ada]
    excluded = availability.load_inputs(
        record,
        now=now,
        window_start=parse_ts("2026-05-20T09:00:00Z"),
        window_end=parse_ts("2026-05-20T10:00:00Z"),
        exclude_key="b1",
    )
    assert excluded.bookings == ()


def test_entry_codec_and_seat_release():
    session = entry("session:w", "et", "2026-05-20T09:00:00Z", 60, seats=3)
    assert ledger.LedgerEntry.from_attr(session.key, session.to_attr()) == session
    assert "seats" not in entry("b", "et", "2026-05-20T09:00:00Z", 30).to_attr()
    assert ledger.day_of(parse_ts("2026-05-20T23:30:00-02:00")) == date(2026, 5, 21)
    assert (
        ledger.session_key("et", parse_ts("2026-05-20T10:00:00+01:00"))
        == "session:et:2026-05-20T09:00:00.000Z"
    )
    (booking,) = ledger.existing_bookings("h", [session], release_seat_of="session:w")
    assert booking.seats_taken == 2 and booking.host_user_id == "h"
    assert ledger.existing_bookings("h", [session], exclude_key="session:w") == []
