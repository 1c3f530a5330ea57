"""The busy ledger's write builders (used by booking commits) and the availability loader's versions."""

from __future__ import annotations

from datetime import date

import pytest
from botocore.exceptions import ClientError

from fortytwo.domain.timefmt import parse_ts
from fortytwo.store import availability, dynamo, event_types, ledger

from .conftest import DEFAULT_NOW, entry


def commit(*operations: dict) -> None:
    dynamo.client().transact_write_items(TransactItems=list(operations))


def test_ledger_writes_are_conditional_on_the_day_version(acme):
    ada, intro = acme.user("ada"), acme.et("intro")
    day = date(2026, 5, 20)
    first = entry("b1", intro, "2026-05-20T09:00:00Z", 30, status="pending")
    commit(ledger.transact_add_entry(ada, first, expected_version=None))
    with pytest.raises(ClientError):  # a second "first write" of the same day loses
        commit(
            ledger.transact_add_entry(
                ada, entry("b2", intro, "2026-05-20T10:00:00Z", 30), expected_version=None
            )
        )
    commit(
        ledger.transact_add_entry(ada, entry("b2", intro, "2026-05-20T10:00:00Z", 30), expected_version=1),
        ledger.transact_check_day(ada, date(2026, 5, 21), expected_version=None),
    )
    commit(ledger.transact_set_entry_field(ada, day, "b1", "status", "confirmed", expected_version=2))
    with pytest.raises(ClientError):  # stale version
        commit(ledger.transact_remove_entry(ada, day, "b2", expected_version=2))
    commit(ledger.transact_remove_entry(ada, day, "b2", expected_version=3))
    (item,) = ledger.read_days(ada, day, day, consistent=True)
    assert item["version"] == 4
    assert ledger.entries_of(item) == [entry("b1", intro, "2026-05-20T09:00:00Z", 30)]


def test_availability_exposes_the_day_versions_it_read(acme):
    ada, intro = acme.user("ada"), acme.et("intro")
    commit(
        ledger.transact_add_entry(ada, entry("b1", intro, "2026-05-20T09:00:00Z", 30), expected_version=None)
    )
    record = event_types.get(acme.result["organization_id"], intro, consistent=True)
    now = parse_ts(DEFAULT_NOW)
    inputs = availability.load_inputs(
        record,
        now=now,
        window_start=parse_ts("2026-05-20T09:00:00Z"),
        window_end=parse_ts("2026-05-20T09:00:00.001Z"),
        consistent=True,
    )
    assert inputs.day_versions == {(ada, date(2026, 5, 20)): 1}
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
