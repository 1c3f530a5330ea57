"""A test conductor: runs the pure series plans against an in-memory calendar the way the
service will (meeting by meeting), so the chapter's examples can be replayed end to end."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from fortytwo.domain.series import actions, create
from fortytwo.domain.series.model import (
    EventTypeRef,
    HostRef,
    MeetingFacts,
    OccurrenceState,
    Series,
    SkipReason,
    current_occurrences,
    to_rest,
)
from fortytwo.domain.series.requests import parse_create, parse_patch

SERIES_UID = "019e3a19-5800-7c41-8a55-3f1d2b9e6a10"
ORG = "org-1"
ET = EventTypeRef("019d48ea-2e00-7f28-9fb1-7c2390c192cf", "intro-call", "Intro call")
ADA = HostRef("019d48b3-cc50-7238-b924-56de3eb13b90", "ada", "ada@example.com")
DURATION = timedelta(minutes=30)

Checker = Callable[[str, datetime], SkipReason | None]  # (host user id, start) -> reason or free


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@dataclass
class Sim:
    now: datetime
    busy: dict[str, set[datetime]] = field(default_factory=dict)  # host -> starts held by others
    away_until: dict[str, datetime] = field(default_factory=dict)  # host -> out of office until
    meetings: dict[str, MeetingFacts] = field(default_factory=dict)
    series: Series | None = None
    canceled_reasons: dict[str, str] = field(default_factory=dict)
    counter: int = 0
    hosts: dict[str, HostRef] = field(default_factory=lambda: {ADA.user_id: ADA})

    # -- the calendar --------------------------------------------------------------------------

    def check(self, host: str, start: datetime, exclude: str | None = None) -> SkipReason | None:
        if start <= self.now:
            return SkipReason.IN_PAST
        if start < self.away_until.get(host, self.now):
            return SkipReason.HOST_UNAVAILABLE
        if start in self.busy.get(host, set()):
            return SkipReason.HOST_BUSY
        for m in self.meetings.values():
            if m.uid != exclude and m.active and m.host_user_id == host and m.start_at == start:
                return SkipReason.HOST_BUSY
        return None

    def _new_uid(self) -> str:
        self.counter += 1
        return f"booking-{self.counter}"

    def _book(self, effect: actions.BookMeeting) -> None:
        assert self.series is not None
        reason = self.check(self.series.host_user_id, effect.start_at)
        if reason is None:
            uid = self._new_uid()
            self.meetings[uid] = MeetingFacts(
                uid, True, effect.start_at, effect.start_at + DURATION, self.series.host_user_id
            )
            self.series = actions.booked(self.series, effect.index, uid)
        else:
            self.series = actions.skipped(self.series, effect.index, reason)

    def _cancel(self, effect: actions.CancelMeeting) -> bool:
        assert self.series is not None
        meeting = self.meetings[effect.booking_uid]
        if not meeting.active:
            self.series = actions.meeting_gone(self.series, effect.index)
            return False
        self.meetings[effect.booking_uid] = replace(meeting, active=False)
        self.canceled_reasons[effect.booking_uid] = effect.reason
        self.series = actions.canceled(self.series, effect)
        return True

    def view(self, detail: bool = True) -> dict:
        assert self.series is not None
        host = self.hosts[self.series.host_user_id]
        return to_rest(
            self.series, event_type=ET, host=host, meetings=self.meetings, now=self.now, detail=detail
        )

    # -- operations ---------------------------------------------------------------------------

    def create(self, body: dict) -> dict:
        request = parse_create(body)
        self.series = create.new_series(
            uid=SERIES_UID,
            organization_id=ORG,
            event_type_id=ET.id,
            request=request,
            pattern=request.pattern("UTC"),
            responses={},
            now=self.now,
            created_by={},
        )
        for effect in create.plan_create(self.series):
            self._book(effect)
        return self.view()

    def patch(self, body: dict) -> actions.PatchPlan:
        assert self.series is not None
        plan = actions.plan_patch(self.series, parse_patch(body), meetings=self.meetings, now=self.now)
        if plan.changed:
            self.series = plan.series
            for release in plan.releases:
                self._cancel(release)
            for book in plan.books:
                self._book(book)
            for update in plan.location_updates:
                assert self.meetings[update.booking_uid].active
        return plan

    def pause(self) -> actions.Finished:
        assert self.series is not None
        plan = actions.plan_pause(self.series, meetings=self.meetings, now=self.now)
        if plan.noop:
            return actions.pause_noop(plan.series)
        self.series = plan.series
        held = sum(self._cancel(e) for e in plan.effects if isinstance(e, actions.CancelMeeting))
        finished = actions.finish_pause(self.series, held=held, now=self.now)
        self.series = finished.series
        return finished

    def resume(self) -> actions.Finished:
        assert self.series is not None
        previous = self.series.status
        walk = actions.plan_resume(self.series, meetings=self.meetings, now=self.now)
        if walk is None:
            return actions.resume_noop(self.series)
        while (effect := walk.next_effect()) is not None:
            reason = self.check(walk.series.host_user_id, effect.start_at)
            if reason is None:
                uid = self._new_uid()
                self.meetings[uid] = MeetingFacts(
                    uid, True, effect.start_at, effect.start_at + DURATION, walk.series.host_user_id
                )
                walk = walk.record(effect, uid)
            else:
                walk = walk.record(effect, reason)
        finished = actions.finish_resume(walk, previous_status=previous, now=self.now)
        self.series = finished.series
        return finished

    def end(self) -> actions.Finished:
        assert self.series is not None
        plan = actions.plan_end(self.series, meetings=self.meetings, now=self.now)
        if plan.noop:
            return actions.end_noop(plan.series)
        self.series = plan.series
        canceled = sum(self._cancel(e) for e in plan.effects if isinstance(e, actions.CancelMeeting))
        finished = actions.finish_end(self.series, canceled_count=canceled, now=self.now)
        self.series = finished.series
        return finished

    def change_host(self, new_host: str) -> actions.Finished:
        assert self.series is not None
        move = actions.plan_host_change(self.series, new_host, meetings=self.meetings, now=self.now)
        while (effect := move.next_effect()) is not None:
            reason = self.check(new_host, effect.start_at, exclude=effect.booking_uid)
            if reason is None:
                self.meetings[effect.booking_uid] = replace(
                    self.meetings[effect.booking_uid], host_user_id=new_host
                )
            move = move.record(reason)
        finished = actions.finish_host_change(move, now=self.now)
        self.series = finished.series
        return finished

    def states(self) -> list[str]:
        assert self.series is not None
        return [str(o.state) for o in current_occurrences(self.series, self.meetings)]


def local_day(text: str) -> date:
    return date.fromisoformat(text)


__all__ = ["ADA", "ET", "OccurrenceState", "Sim", "utc"]
