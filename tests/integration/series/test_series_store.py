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
