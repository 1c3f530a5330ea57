"""What each series write does to the meetings (35-series §9.4, §10, §11.3), as pure plans.

A series write is many transactions (§11.4): (a) the series record and lease, (b) one meeting
transaction per effect below, each with its occurrence update, (c) a final write. The functions
here decide (a), list the effects of (b) in processing order, turn each meeting outcome into the
occurrence update its transaction writes, and compute (c) with the action result.

Every plan starts from the occurrences as their meetings now stand (`current_occurrences`), so a
meeting canceled or rescheduled through `/v1/bookings` is acted on in its current state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from itertools import islice
from typing import Any, Literal

from fortytwo.domain.series.errors import SeriesRuleError
from fortytwo.domain.series.model import (
    MeetingFacts,
    Occurrence,
    OccurrenceState,
    PendingAction,
    Series,
    SeriesStatus,
    SkipReason,
    by_start,
    current_occurrences,
)
from fortytwo.domain.series.pattern import Pattern, PlannedDate, future_dates, local_date
from fortytwo.domain.series.requests import PatchSeriesRequest, effective_pattern
from fortytwo.domain.series.status import Operation, check_not_ended, next_status
from fortytwo.domain.timefmt import format_ts

REASON_PATTERN_CHANGED = "Series pattern changed"
REASON_PAUSED = "Series paused"
REASON_ENDED = "Series ended"
MAX_RESUME_CANDIDATES = 42  # §10.3: one resume examines at most 42 dates


# --- Meeting effects (transactions of phase b) --------------------------------------------------


@dataclass(frozen=True, slots=True)
class BookMeeting:
    """Check the occurrence at `start_at` (`check_occurrence`, §4.1); free: the booking-create
    transaction with `series_index = index`, else the occurrence becomes skipped."""

    index: int
    start_at: datetime


@dataclass(frozen=True, slots=True)
class CancelMeeting:
    """Cancel meeting `booking_uid` (30-bookings cancel transaction, `booking.canceled`) with
    `reason`; the occurrence becomes `then` (held, canceled, or pending book for a release)."""

    index: int
    booking_uid: str
    reason: str
    then: OccurrenceState


@dataclass(frozen=True, slots=True)
class UpdateMeetingLocation:
    """In-place `location` update of meeting `booking_uid` (`booking.updated`, ["location"])."""

    index: int
    booking_uid: str
    url: str


@dataclass(frozen=True, slots=True)
class MoveMeetingHost:
    """Check the new host at `start_at` with X = this meeting; free: move it in place."""

    index: int
    booking_uid: str
    start_at: datetime


MeetingEffect = BookMeeting | CancelMeeting | UpdateMeetingLocation | MoveMeetingHost


# --- Occurrence updates (written by each meeting transaction) ------------------------------------


def booked(series: Series, index: int, booking_uid: str) -> Series:
    o = series.occurrence(index)
    return series.with_occurrence(
        replace(o, state=OccurrenceState.BOOKED, booking_uid=booking_uid, reason=None, action=None)
    )


def skipped(series: Series, index: int, reason: SkipReason) -> Series:
    o = series.occurrence(index)
    return series.with_occurrence(
        replace(o, state=OccurrenceState.SKIPPED, booking_uid=None, reason=reason, action=None)
    )


def canceled(series: Series, effect: CancelMeeting) -> Series:
    """The meeting of `effect` was canceled by this operation."""
    o = series.occurrence(effect.index)
    if effect.then is OccurrenceState.PENDING:  # a release: the new date is booked next
        return series.with_occurrence(replace(o, state=OccurrenceState.PENDING, action=PendingAction.BOOK))
    return series.with_occurrence(replace(o, state=effect.then, booking_uid=effect.booking_uid, action=None))


def meeting_gone(series: Series, index: int) -> Series:
    """The meeting was canceled through `/v1/bookings` meanwhile: the occurrence reads canceled
    and is never rebooked (§11.4, §5.4)."""
    o = series.occurrence(index)
    return series.with_occurrence(replace(o, state=OccurrenceState.CANCELED, reason=None, action=None))


def _synced(series: Series, meetings: Mapping[str, MeetingFacts]) -> Series:
    return series.evolve(occurrences=current_occurrences(series, meetings))


# --- Interrupted operations (§11.3) --------------------------------------------------------------


def plan_finish_pending(series: Series) -> tuple[MeetingEffect, ...]:
    """What the pending occurrences still need, before anything else: releases first, then
    books, each in (`start_at`, `index`) order."""
    pending = by_start(series.pending)
    releases = [
        CancelMeeting(o.index, o.booking_uid, REASON_PATTERN_CHANGED, OccurrenceState.PENDING)
        for o in pending
        if o.action is PendingAction.RELEASE and o.booking_uid is not None
    ]
    books = [BookMeeting(o.index, o.start_at) for o in pending]
    return (*releases, *books)


# --- PATCH (§9.4) --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PatchPlan:
    """`series` is the record of transaction (a): the new fields, `version` +1 when anything
    changed, the occurrences to release or book marked pending. When `changed` is false nothing
    is written and the current series is answered (no version bump, no event)."""

    series: Series
    changed: bool
    pattern_changed: bool
    changed_fields: tuple[str, ...]
    releases: tuple[CancelMeeting, ...] = ()
    books: tuple[BookMeeting, ...] = ()
    location_updates: tuple[UpdateMeetingLocation, ...] = ()

    @property
    def needs_bookable_event_type(self) -> bool:
        """Step 13 applies: the pattern changes on an active series."""
        return self.pattern_changed and self.series.status is SeriesStatus.ACTIVE


def check_patch_target(series: Series, expected: int | Literal["*"]) -> None:
    """Steps 8–9: not ended, then `If-Match` equals `version` (skipped for `*`)."""
    check_not_ended(series.status)
    if expected != "*" and expected != series.version:
        raise SeriesRuleError(
            "version_conflict",
            "The If-Match version does not match the current version",
            {"current_version": series.version},
        )


def _pairing(
    occurrences: Sequence[Occurrence], pattern: Pattern, starts_on: date, now: datetime
) -> list[tuple[Occurrence, PlannedDate]]:
    """T paired with P (§9.4 step 1)."""
    to_come = [o for o in occurrences if o.start_at > now and o.state is not OccurrenceState.CANCELED]
    canceled_dates = frozenset(
        o.date for o in occurrences if o.start_at > now and o.state is OccurrenceState.CANCELED
    )
    targets = by_start(to_come)
    dates = list(islice(future_dates(pattern, starts_on, now, excluding=canceled_dates), len(targets)))
    return list(zip(targets, dates, strict=True))


def plan_patch(
    series: Series, request: PatchSeriesRequest, *, meetings: Mapping[str, MeetingFacts], now: datetime
) -> PatchPlan:
    """Steps 11–12 and the plan of step 14. Raises FieldErrors (effective pattern) or
    `location_url_not_set`."""
    check_not_ended(series.status)  # step 8 (the caller also checks it before If-Match)
    pattern = effective_pattern(series.pattern, request)
    new_url = request.given.get("location_url")
    if new_url is not None and series.location_url is None:
        raise SeriesRuleError(
            "location_url_not_set", "This series has no location_url; one cannot be added later."
        )
    notify = request.given.get("notify_invitee")
    pattern_changed = pattern != series.pattern
    url_changed = new_url is not None and new_url != series.location_url
    notify_changed = notify is not None and notify != series.notify_invitee
    if not (pattern_changed or url_changed or notify_changed):
        return PatchPlan(series, False, False, request.changed_fields)

    current = _synced(series, meetings)
    record = current.bumped(
        now,
        pattern=pattern,
        location_url=new_url if url_changed else series.location_url,
        notify_invitee=notify if notify_changed else series.notify_invitee,
    )
    releases: list[CancelMeeting] = []
    books: list[BookMeeting] = []
    released: set[int] = set()
    if pattern_changed and series.status is SeriesStatus.ACTIVE:
        for occurrence, planned in _pairing(current.occurrences, pattern, series.starts_on, now):
            moved = replace(occurrence, date=planned.date, start_at=planned.start_at)
            if occurrence.state is OccurrenceState.BOOKED:
                if planned.start_at == occurrence.start_at:
                    record = record.with_occurrence(moved)  # kept as it is (its date may read anew)
                    continue
                assert occurrence.booking_uid is not None
                releases.append(
                    CancelMeeting(
                        occurrence.index,
                        occurrence.booking_uid,
                        REASON_PATTERN_CHANGED,
                        OccurrenceState.PENDING,
                    )
                )
                released.add(occurrence.index)
                record = record.with_occurrence(
                    replace(moved, state=OccurrenceState.PENDING, action=PendingAction.RELEASE, reason=None)
                )
                books.append(BookMeeting(occurrence.index, planned.start_at))
            elif occurrence.state in (OccurrenceState.SKIPPED, OccurrenceState.PENDING):
                record = record.with_occurrence(
                    replace(
                        moved,
                        state=OccurrenceState.PENDING,
                        action=PendingAction.BOOK,
                        reason=None,
                        booking_uid=None,
                    )
                )
                books.append(BookMeeting(occurrence.index, planned.start_at))
    updates: list[UpdateMeetingLocation] = []
    if url_changed:
        assert new_url is not None
        updates = [
            UpdateMeetingLocation(o.index, o.booking_uid, new_url)
            for o in by_start(current.occurrences)
            if o.state is OccurrenceState.BOOKED
            and o.start_at > now
            and o.index not in released
            and o.booking_uid is not None
        ]
    # Kept meetings whose instant is unchanged read their date in the (possibly new) timezone.
    record = record.evolve(
        occurrences=tuple(
            replace(o, date=local_date(o.start_at, pattern.timezone))
            if o.state is OccurrenceState.BOOKED and o.start_at > now
            else o
            for o in record.occurrences
        )
    )
    return PatchPlan(
        series=record,
        changed=True,
        pattern_changed=pattern_changed,
        changed_fields=request.changed_fields,
        releases=tuple(releases),
        books=tuple(books),
        location_updates=tuple(updates),
    )


# --- Pause (§10.2) -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActionPlan:
    """`noop`: answer 200 with `result` and change nothing (the repeat of §2.2); otherwise take
    the lease and run `effects` in order, then the matching `finish_*`."""

    series: Series
    noop: bool
    effects: tuple[MeetingEffect, ...] = ()


def _to_come_booked(series: Series, now: datetime) -> list[Occurrence]:
    return by_start([o for o in series.occurrences if o.state is OccurrenceState.BOOKED and o.start_at > now])


def _cancel_to_come(series: Series, now: datetime, reason: str, becomes: OccurrenceState) -> ActionPlan:
    """Cancel every to-come booked meeting; its occurrence `becomes` held (pause) or canceled (end)."""
    effects = tuple(
        CancelMeeting(o.index, o.booking_uid, reason, becomes)
        for o in _to_come_booked(series, now)
        if o.booking_uid is not None
    )
    return ActionPlan(series, False, effects)


def plan_pause(series: Series, *, meetings: Mapping[str, MeetingFacts], now: datetime) -> ActionPlan:
    """Steps 3–6: ended → 409; paused → no-op; else cancel every to-come booked meeting (held)."""
    check_not_ended(series.status)
    current = _synced(series, meetings)
    if series.status is SeriesStatus.PAUSED:
        return ActionPlan(current, True)
    return _cancel_to_come(current, now, REASON_PAUSED, OccurrenceState.HELD)


@dataclass(frozen=True, slots=True)
class Finished:
    """Transaction (c): the final series record, whether it changed (version bump and event),
    and the action result fields (§10.1) except `series`."""

    series: Series
    changed: bool
    result: dict[str, Any]


def finish_pause(series: Series, *, held: int, now: datetime) -> Finished:
    record = series.bumped(now, status=next_status(series.status, Operation.PAUSE))
    return Finished(record, True, {"held": held, "owed": record.owed})


def pause_noop(series: Series) -> Finished:
    return Finished(series, False, {"held": 0, "owed": series.owed})


# --- Resume (§10.3) ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResumeWalk:
    """The walk over candidate dates, one step at a time: `next_effect` names the booking to try
    (the lowest held index at the next candidate), `record` takes its outcome."""

    series: Series
    candidates: tuple[PlannedDate, ...]  # in date order, at most 42
    position: int = 0
    created: int = 0
    skipped: tuple[dict[str, str], ...] = ()

    @property
    def done(self) -> bool:
        return self.series.owed == 0 or self.position >= len(self.candidates)

    def next_effect(self) -> BookMeeting | None:
        if self.done:
            return None
        held = min(o.index for o in self.series.occurrences if o.state is OccurrenceState.HELD)
        return BookMeeting(held, self.candidates[self.position].start_at)

    def record(self, effect: BookMeeting, outcome: str | SkipReason) -> ResumeWalk:
        """`outcome`: the uid of the booked replacement, or the reason the candidate was not free."""
        planned = self.candidates[self.position]
        if isinstance(outcome, SkipReason):
            entry = {
                "date": planned.date.isoformat(),
                "start_at": format_ts(planned.start_at),
                "reason": str(outcome),
            }
            return replace(self, position=self.position + 1, skipped=(*self.skipped, entry))
        o = self.series.occurrence(effect.index)
        moved = replace(
            o, date=planned.date, start_at=planned.start_at, state=OccurrenceState.BOOKED, booking_uid=outcome
        )
        return replace(
            self,
            series=self.series.with_occurrence(moved),
            position=self.position + 1,
            created=self.created + 1,
        )


def resume_candidates(series: Series, now: datetime) -> tuple[PlannedDate, ...]:
    """Pattern dates from `starts_on` whose start is after `now`, except the local dates of
    to-come occurrences that are booked, skipped or canceled; at most 42."""
    used = frozenset(
        o.date
        for o in series.occurrences
        if o.start_at > now
        and o.state in (OccurrenceState.BOOKED, OccurrenceState.SKIPPED, OccurrenceState.CANCELED)
    )
    dates = future_dates(series.pattern, series.starts_on, now, excluding=used)
    return tuple(islice(dates, MAX_RESUME_CANDIDATES))


def plan_resume(series: Series, *, meetings: Mapping[str, MeetingFacts], now: datetime) -> ResumeWalk | None:
    """Steps 5–6: ended → 409; active → None (the no-op); else the walk (empty when nothing is owed)."""
    check_not_ended(series.status)
    if series.status is SeriesStatus.ACTIVE:
        return None
    current = _synced(series, meetings)
    candidates = resume_candidates(current, now) if current.owed else ()
    return ResumeWalk(current, candidates)


def finish_resume(walk: ResumeWalk, *, previous_status: SeriesStatus, now: datetime) -> Finished:
    series = walk.series
    status = next_status(previous_status, Operation.RESUME, owed_after=series.owed)
    changed = walk.created > 0 or status != previous_status
    record = series.bumped(now, status=status) if changed else series
    return Finished(
        record, changed, {"created": walk.created, "owed": record.owed, "skipped": list(walk.skipped)}
    )


def resume_noop(series: Series) -> Finished:
    return Finished(series, False, {"created": 0, "owed": 0, "skipped": []})


# --- End (§10.4) ---------------------------------------------------------------------------------


def plan_end(series: Series, *, meetings: Mapping[str, MeetingFacts], now: datetime) -> ActionPlan:
    """Step 5: ended → no-op; step 7: cancel every to-come booked meeting (canceled)."""
    current = _synced(series, meetings)
    if series.status is SeriesStatus.ENDED:
        return ActionPlan(current, True)
    return _cancel_to_come(current, now, REASON_ENDED, OccurrenceState.CANCELED)


def finish_end(series: Series, *, canceled_count: int, now: datetime) -> Finished:
    """Held and pending occurrences become canceled; status ended, `ended_at`, `owed` 0."""
    occurrences = tuple(
        replace(o, state=OccurrenceState.CANCELED, action=None)
        if o.state in (OccurrenceState.HELD, OccurrenceState.PENDING)
        else o
        for o in series.occurrences
    )
    record = series.bumped(
        now, status=next_status(series.status, Operation.END), ended_at=now, occurrences=occurrences
    )
    return Finished(record, True, {"canceled": canceled_count})


def end_noop(series: Series) -> Finished:
    return Finished(series, False, {"canceled": 0})


# --- Change of host (§10.5) ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HostMove:
    """The to-come booked meetings in (`start_at`, `index`) order; those already hosted by the
    new host are `unchanged`, the others are moved one by one until the first that is not free."""

    series: Series
    new_host_user_id: str
    queue: tuple[Occurrence, ...]  # meetings still to check, in order
    moved: int = 0
    unchanged: int = 0
    stopped_by: SkipReason | None = None
    stopped_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.stopped_by is not None or not self.queue

    @property
    def completed(self) -> bool:
        return self.stopped_by is None and not self.queue

    def next_effect(self) -> MoveMeetingHost | None:
        if self.done:
            return None
        o = self.queue[0]
        assert o.booking_uid is not None
        return MoveMeetingHost(o.index, o.booking_uid, o.start_at)

    def record(self, reason: SkipReason | None) -> HostMove:
        """The outcome of `next_effect`: None when moved, else the reason that stops the move."""
        head, rest = self.queue[0], self.queue[1:]
        if reason is None:
            return replace(self, queue=rest, moved=self.moved + 1)
        return replace(self, stopped_by=reason, stopped_at=head.start_at)


def plan_host_change(
    series: Series,
    new_host_user_id: str,
    *,
    meetings: Mapping[str, MeetingFacts],
    now: datetime,
) -> HostMove:
    """Step 4 (ended → 409) and the order of the move; meetings already with the new host count
    as unchanged up front (they need no check)."""
    check_not_ended(series.status)
    current = _synced(series, meetings)
    queue: list[Occurrence] = []
    unchanged = 0
    for o in _to_come_booked(current, now):
        meeting = meetings.get(o.booking_uid or "")
        host = meeting.host_user_id if meeting is not None else current.host_user_id
        if host == new_host_user_id:
            unchanged += 1
        else:
            queue.append(o)
    return HostMove(current, new_host_user_id, tuple(queue), unchanged=unchanged)


def run_host_move(move: HostMove, results: Sequence[SkipReason | None]) -> HostMove:
    """Fold the per-meeting check results (in order) into the move; results after a stop are
    never asked for, so extra ones are ignored."""
    for reason in results:
        if move.done:
            break
        move = move.record(reason)
    return move


def finish_host_change(move: HostMove, *, now: datetime) -> Finished:
    """Completed with a different host: the series host changes (`version` +1, event). Stopped:
    the series is unchanged (meetings moved so far stay moved; the call can be repeated)."""
    series = move.series
    changed = move.completed and move.new_host_user_id != series.host_user_id
    record = series.bumped(now, host_user_id=move.new_host_user_id) if changed else series
    return Finished(
        record,
        changed,
        {
            "moved": move.moved,
            "unchanged": move.unchanged,
            "stopped_by": str(move.stopped_by) if move.stopped_by is not None else None,
            "stopped_at": format_ts(move.stopped_at) if move.stopped_at is not None else None,
        },
    )
