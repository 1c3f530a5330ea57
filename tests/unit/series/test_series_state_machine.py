"""Rule-based properties of the series lifecycle (35-series §2.2, §2.3, §10): any sequence of
actions, time passing, busy calendars and single-booking cancels keeps the invariants."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from fortytwo.domain.series.errors import SeriesRuleError
from fortytwo.domain.series.model import OccurrenceState, SeriesStatus, current_occurrences
from fortytwo.domain.series.record import from_record, to_record

from .series_sim import ADA, HostRef, Sim, utc

BOB = HostRef("019d48b3-cc50-7238-b924-56de3eb13b91", "bob", "bob@example.org")
START = utc("2026-05-18T08:00:00Z")


class SeriesMachine(RuleBasedStateMachine):
    @initialize(
        weekdays=st.sets(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), min_size=1),
        count=st.integers(1, 12),
        tz=st.sampled_from(["Europe/London", "America/New_York", "Australia/Sydney"]),
        busy_days=st.sets(st.integers(0, 40), max_size=8),
    )
    def create(self, weekdays: set[str], count: int, tz: str, busy_days: set[int]) -> None:
        self.sim = Sim(now=START)
        self.sim.hosts[BOB.user_id] = BOB
        self.sim.create(
            {
                "event_type_id": "019d48ea-2e00-7f28-9fb1-7c2390c192cf",
                "host_user_id": ADA.user_id,
                "attendee": {"email": "bob@example.com"},
                "frequency": "weekly",
                "weekdays": sorted(weekdays),
                "time": "09:00",
                "timezone": tz,
                "starts_on": "2026-05-20",
                "count": count,
            }
        )
        assert self.sim.series is not None
        for o in self.sim.series.occurrences:
            if (o.start_at - START).days in busy_days:
                self.sim.busy.setdefault(BOB.user_id, set()).add(o.start_at)
        self.status = SeriesStatus.ACTIVE  # the independent model of §2.2
        self.version = 1
        self.ever_ended = False

    def _series(self):  # type: ignore[no-untyped-def]
        assert self.sim.series is not None
        return self.sim.series

    def _expect_refused_when_ended(self, action) -> bool:  # type: ignore[no-untyped-def]
        if self.status is SeriesStatus.ENDED:
            try:
                action()
            except SeriesRuleError as error:
                assert error.code == "series_ended"
                return True
            raise AssertionError("an ended series accepted a write")
        return False

    @rule(hours=st.integers(1, 24 * 10))
    def time_passes(self, hours: int) -> None:
        self.sim.now += timedelta(hours=hours)

    @rule(host=st.sampled_from([ADA.user_id, BOB.user_id]), weeks=st.integers(0, 60))
    def host_goes_away(self, host: str, weeks: int) -> None:
        self.sim.away_until[host] = self.sim.now + timedelta(weeks=weeks)

    @rule()
    def pause(self) -> None:
        if self._expect_refused_when_ended(self.sim.pause):
            return
        before = self.status
        finished = self.sim.pause()
        self.status = SeriesStatus.PAUSED
        assert finished.changed == (before is SeriesStatus.ACTIVE)
        self.version += finished.changed

    @rule()
    def resume(self) -> None:
        if self._expect_refused_when_ended(self.sim.resume):
            return
        before = self.status
        finished = self.sim.resume()
        if before is SeriesStatus.PAUSED:
            self.status = SeriesStatus.ACTIVE if finished.result["owed"] == 0 else SeriesStatus.PAUSED
        else:
            assert finished.result == {"created": 0, "owed": 0, "skipped": []}
        assert len(finished.result["skipped"]) + finished.result["created"] <= 42
        self.version += finished.changed

    @rule()
    def end(self) -> None:
        finished = self.sim.end()
        assert finished.changed == (self.status is not SeriesStatus.ENDED)
        self.version += finished.changed
        self.status = SeriesStatus.ENDED
        self.ever_ended = True

    @rule(host=st.sampled_from([ADA.user_id, BOB.user_id]))
    def change_host(self, host: str) -> None:
        if self._expect_refused_when_ended(lambda: self.sim.change_host(host)):
            return
        previous = self._series().host_user_id
        finished = self.sim.change_host(host)
        completed = finished.result["stopped_by"] is None
        assert finished.changed == (completed and host != previous)
        if completed:
            assert self._series().host_user_id == host
            for o in current_occurrences(self._series(), self.sim.meetings):
                if o.state is OccurrenceState.BOOKED and o.start_at > self.sim.now and o.booking_uid:
                    assert self.sim.meetings[o.booking_uid].host_user_id == host
        else:
            assert self._series().host_user_id == previous
        self.version += finished.changed

    @rule(
        time=st.sampled_from(["08:30", "09:00", "13:15"]),
        days=st.sets(st.sampled_from(["mon", "wed", "sat"]), min_size=1),
    )
    def patch(self, time: str, days: set[str]) -> None:
        body = {"time": time, "weekdays": sorted(days)}
        if self._expect_refused_when_ended(lambda: self.sim.patch(body)):
            return
        before = {o.index: o for o in current_occurrences(self._series(), self.sim.meetings)}
        now = self.sim.now
        plan = self.sim.patch(body)
        self.version += plan.changed
        for o in current_occurrences(self._series(), self.sim.meetings):
            old = before[o.index]
            if old.start_at <= now:  # not to come: untouched
                assert (o.start_at, o.state, o.booking_uid) == (old.start_at, old.state, old.booking_uid)
        released = {r.booking_uid for r in plan.releases}
        for old in before.values():
            if old.booking_uid in released:  # only meetings whose start changes are rebooked
                new = self._series().occurrence(old.index)
                assert new.start_at != old.start_at

    @rule(data=st.data())
    def cancel_a_meeting_through_bookings(self, data: st.DataObject) -> None:
        active = sorted(uid for uid, m in self.sim.meetings.items() if m.active and m.start_at > self.sim.now)
        if active:
            uid = data.draw(st.sampled_from(active))
            self.sim.meetings[uid] = replace(self.sim.meetings[uid], active=False)

    @invariant()
    def holds(self) -> None:
        series = self._series()
        occurrences = current_occurrences(series, self.sim.meetings)
        assert len(occurrences) == series.count
        assert [o.index for o in occurrences] == list(range(1, series.count + 1))
        assert series.status is self.status
        assert series.version == self.version
        assert series.owed == sum(o.state is OccurrenceState.HELD for o in occurrences)
        assert not series.pending  # every operation finished its meetings
        if series.status is SeriesStatus.ACTIVE:
            assert series.owed == 0
        if series.status is SeriesStatus.ENDED:
            assert all(o.state not in (OccurrenceState.HELD, OccurrenceState.PENDING) for o in occurrences)
            assert series.ended_at is not None
        # A booked occurrence has an active meeting; no host holds two meetings at once.
        starts = set()
        for o in occurrences:
            if o.state is OccurrenceState.BOOKED:
                assert o.booking_uid is not None and self.sim.meetings[o.booking_uid].active
        for m in self.sim.meetings.values():
            if m.active:
                assert (m.host_user_id, m.start_at) not in starts
                starts.add((m.host_user_id, m.start_at))
        view = self.sim.view()
        assert view["owed"] == series.owed
        stored = json.loads(json.dumps(to_record(series)))  # what the store keeps reads back the same
        assert from_record(stored) == series
        assert view["occurrences_remaining"] >= series.owed


SeriesMachine.TestCase.settings = settings(
    max_examples=150, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestSeriesMachine = SeriesMachine.TestCase
