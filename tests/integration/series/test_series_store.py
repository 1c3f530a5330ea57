"""`store/series` against moto: the item round trip and the lease of 35-series §11.2 (a second
write while a live lease exists is refused; a stale attempt whose lease was taken over writes
nothing; an expired lease can be taken over)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fortytwo.store import series as store
from tests.unit.series.series_sim import utc
from tests.unit.series.test_series_meetings import series_for

NOW = utc("2026-05-18T08:00:00Z")
LEASE = timedelta(seconds=30)


@pytest.mark.usefixtures("moto_env")
def test_the_series_item_round_trips_and_the_lease_guards_every_write() -> None:
    series = series_for()
    store.create(series, "first", NOW + LEASE)
    assert store.get(series.organization_id, series.uid) == series
    assert store.get("another-org", series.uid) is None
    assert store.lease_of(series.organization_id, series.uid, NOW)

    # A second write while the lease lives: refused, nothing changes.
    with pytest.raises(store.LeaseBusy):
        store.take_lease(series.bumped(NOW), series.version, "second", NOW + LEASE, NOW)
    assert store.get(series.organization_id, series.uid) == series

    # The holder's meeting transactions pass; after the lease expired another write takes it over,
    # and the stale holder then writes nothing.
    store.commit_meeting(None, series.evolve(count=series.count), "first", NOW + LEASE)
    later = NOW + LEASE + timedelta(seconds=1)
    store.take_lease(series, series.version, "second", later + LEASE, later)
    with pytest.raises(store.LeaseLost):
        store.commit_meeting(None, series, "first", NOW + LEASE)
    with pytest.raises(store.LeaseLost):
        store.finish(series, "first", (), None)

    # The final write releases the lease; the version read guards the next one.
    store.finish(series.bumped(later), "second", (), None)
    assert not store.lease_of(series.organization_id, series.uid, later)
    assert store.get(series.organization_id, series.uid).version == series.version + 1  # type: ignore[union-attr]
    with pytest.raises(store.LeaseBusy):
        store.take_lease(series, series.version, "third", later + LEASE, later)


@pytest.mark.usefixtures("moto_env")
def test_a_series_meeting_and_a_one_off_booking_never_double_book_the_host() -> None:
    """Both commits claim the host's busy minutes (decision 46): a series meeting planned on a
    snapshot that missed a one-off booking committed meanwhile loses the race and writes nothing;
    a meeting that only touches the one-off's end commits."""
    from dataclasses import replace as replaced

    from fortytwo.domain.bookings.decisions import meeting_entry
    from fortytwo.domain.bookings.plan import PlanBuilder
    from fortytwo.domain.series.meeting_plans import decide_book
    from fortytwo.domain.series.model import SkipReason
    from fortytwo.store import bookings as booking_store
    from fortytwo.store import ledger
    from fortytwo.store.transactions import LostRace
    from tests.unit.series.test_series_meeting_plans import EVENT_TYPE, _avail

    series = series_for()
    host = series.host_user_id
    store.create(series, "lease", NOW + LEASE)
    start = series.occurrence(1).start_at
    # The series' snapshot: the host is free (the one-off below is not in it yet).
    stale = decide_book(
        series, EVENT_TYPE, _avail(host), index=1, start=start, now=NOW, uid="m-1", created_by={}
    )
    assert not isinstance(stale, SkipReason)

    # A one-off booking of the host 30 minutes later commits first, through the bookings commit.
    template = stale.result
    one_off = replaced(
        template,
        uid="one-off",
        start_at=start + timedelta(minutes=30),
        end_at=start + timedelta(minutes=75),
        series_id=None,
        series_index=None,
    )
    plan = PlanBuilder()
    plan.put_booking(one_off)
    plan.add_meeting(host, meeting_entry(one_off, one_off.uid, seats=None, created_at=NOW))
    booking_store.commit(plan.build(one_off))

    with pytest.raises(LostRace):
        store.commit_meeting(stale, series, "lease", NOW + LEASE)
    assert booking_store.get(series.organization_id, "m-1") is None
    owners = set(ledger.busy_minutes(host, start.replace(minute=0)).values())
    assert owners == {"one-off"}

    # Adjacent (the next meeting's buffer starts where the one-off ends): no shared minute.
    later = one_off.end_at + timedelta(minutes=5)
    free = decide_book(
        series, EVENT_TYPE, _avail(host), index=2, start=later, now=NOW, uid="m-2", created_by={}
    )
    assert not isinstance(free, SkipReason)
    store.commit_meeting(free, series, "lease", NOW + LEASE)
    assert booking_store.get(series.organization_id, "m-2") is not None
