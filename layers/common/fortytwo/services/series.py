"""The series use cases (35-series §6–§11): create, get, list, PATCH, pause, resume, end, host.

Every write loads the series, asks the pure rules of `domain/series` (status, If-Match, the plans of
`actions`), takes the series lease (§11.2), finishes what an interrupted operation left `pending`
(§11.3), then runs its meeting effects one transaction each (`_Run`: each meeting's `BookingPlan`
comes from `domain/series/meeting_plans`, the same effects as a single booking write) and ends
with the final write (`store/series.finish`: record, lease released, series event, idempotency
completion). Failures leave as the contract's errors.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fortytwo.contract import errors
from fortytwo.domain.bookings.errors import BookingRuleError
from fortytwo.domain.ids import normalize_uuid, uuid7
from fortytwo.domain.series import actions, events, meeting_plans
from fortytwo.domain.series import create as creation
from fortytwo.domain.series.model import (
    EventTypeRef,
    HostRef,
    MeetingFacts,
    OccurrenceState,
    Series,
    SeriesStatus,
    SkipReason,
    to_rest,
)
from fortytwo.domain.series.requests import (
    CreateSeriesRequest,
    PatchSeriesRequest,
    SeriesListQuery,
    check_starts_on,
)
from fortytwo.domain.series.status import series_ended
from fortytwo.domain.timefmt import to_ms
from fortytwo.domain.webhooks.envelope import OutboxEvent, new_outbox_event, series_event_data
from fortytwo.observability import count_metric
from fortytwo.services.bookings import resolve_event_type
from fortytwo.services.bookings_errors import contract_errors
from fortytwo.services.idempotency import Completer, SeriesCompleter
from fortytwo.services.retry import MAX_ATTEMPTS, pause
from fortytwo.store import bookings as booking_store
from fortytwo.store import series as store
from fortytwo.store.idempotency import StaleAttempt
from fortytwo.store.transactions import LostRace

LEASE = timedelta(seconds=30)  # the SeriesFunction timeout (template.yaml), at most 30 s (§11.2)
DEFAULT_TIMEZONE = "UTC"  # a host without a profile timezone


@dataclass(frozen=True, slots=True)
class SeriesResult:
    """What a series write answers: `data` (the series or the action result) and the version
    of the series for `ETag`."""

    data: dict[str, Any]
    version: int


Finish = Completer[SeriesResult] | None
CreateFinish = SeriesCompleter[SeriesResult] | None


# --------------------------------------------------------------------------- errors


@contextmanager
def _errors() -> Iterator[None]:
    """The booking rules' mapping, plus the lease's own outcomes."""
    try:
        with contract_errors():
            yield
    except (store.LeaseBusy, store.LeaseLost) as exc:
        raise errors.SeriesOperationInProgress() from exc
    except StaleAttempt as exc:  # another attempt with the same key took the reservation over
        raise errors.IdempotencyInProgress() from exc


def _not_found() -> BookingRuleError:
    return BookingRuleError("series_not_found", "Series not found.")


def _existing(org_id: str, uid: str) -> Series:
    found = store.get(org_id, uid) if normalize_uuid(uid) is not None else None
    if found is None:
        raise _not_found()
    return found


# --------------------------------------------------------------------------- views


def _view(series: Series, now: datetime, *, detail: bool = True) -> dict[str, Any]:
    return _views([series], now, detail=detail)[0]


def _views(many: Sequence[Series], now: datetime, *, detail: bool) -> list[dict[str, Any]]:
    event_types, users = store.view_facts(many)
    meetings = store.meetings(many)
    return [_rest(s, event_types, users, meetings, now, detail) for s in many]


def _rest(
    series: Series,
    event_types: Mapping[str, Mapping[str, Any]],
    users: Mapping[str, Mapping[str, Any]],
    meetings: Mapping[str, MeetingFacts],
    now: datetime,
    detail: bool,
) -> dict[str, Any]:
    record = event_types.get(series.event_type_id) or {}
    user = users.get(series.host_user_id) or {}
    return to_rest(
        series,
        event_type=EventTypeRef(series.event_type_id, record.get("slug", ""), record.get("title", "")),
        host=HostRef(series.host_user_id, user.get("username"), user.get("email")),
        meetings=meetings,
        now=now,
        detail=detail,
    )


def _host_ref(series: Series) -> HostRef:
    user = store.user_item(series.organization_id, series.host_user_id) or {}
    return HostRef(series.host_user_id, user.get("username"), user.get("email"))


# --------------------------------------------------------------------------- reads


def get(org_id: str, uid: str, now: datetime) -> SeriesResult:
    with _errors():
        series = _existing(org_id, uid)
        return SeriesResult(_view(series, now), series.version)


def list_page(query: SeriesListQuery, now: datetime) -> tuple[list[dict[str, Any]], list[Series], bool]:
    """(list items, their series for the cursor, whether more exist)."""
    with _errors():
        found, more = store.list_page(query)
        return _views(found, now, detail=False), found, more


# --------------------------------------------------------------------------- one write under the lease


@dataclass
class _Run:
    """A series write holding the lease: the record as committed so far, and the meeting effects."""

    series: Series
    token: str
    now: datetime
    created_by: Mapping[str, str]
    loaded: booking_store.LoadedEventType | None = None

    @property
    def expires(self) -> datetime:
        return self.now + LEASE

    def commit(self, plan: Any, after: Series) -> None:
        store.commit_meeting(plan, after, self.token, self.expires)
        self.series = after

    def event_type_for(self, host_user_id: str) -> booking_store.LoadedEventType | None:
        record = store.event_type_record(self.series.organization_id, self.series.event_type_id)
        user = store.user_item(self.series.organization_id, host_user_id)
        if record is None or user is None:
            return None
        return store.series_loaded_event_type(record, user)

    def book(
        self,
        index: int,
        start: datetime,
        booked: Callable[[str], Series],
        skipped: Callable[[SkipReason], Series],
    ) -> str | SkipReason:
        """Check and book one occurrence; lost races re-read and re-check (3 attempts), after which
        the date counts as taken (§11.4)."""
        if self.loaded is None:
            self.loaded = self.event_type_for(self.series.host_user_id)
        loaded = self.loaded
        outcome: str | SkipReason | LostRace = SkipReason.HOST_UNAVAILABLE  # event type or host gone
        for number in range(MAX_ATTEMPTS if loaded is not None else 0):
            assert loaded is not None
            outcome = self._book_once(loaded, index, start, booked)
            if not isinstance(outcome, LostRace):
                break
            if number + 1 < MAX_ATTEMPTS:
                pause()
        if isinstance(outcome, LostRace):  # unresolved contention: the date counts as taken
            outcome = SkipReason.LIMIT_REACHED if "counter" in outcome.kinds else SkipReason.HOST_BUSY
        if isinstance(outcome, SkipReason):
            self.commit(None, skipped(outcome))
        return outcome

    def _book_once(
        self,
        loaded: booking_store.LoadedEventType,
        index: int,
        start: datetime,
        booked: Callable[[str], Series],
    ) -> str | SkipReason | LostRace:
        avail = booking_store.load_availability(loaded, now=self.now, start=start)
        uid = uuid7(to_ms(self.now))
        outcome = meeting_plans.decide_book(
            self.series,
            loaded.event_type,
            avail,
            index=index,
            start=start,
            now=self.now,
            uid=uid,
            created_by=self.created_by,
        )
        if isinstance(outcome, SkipReason):
            return outcome
        try:
            self.commit(outcome, booked(uid))
        except LostRace as race:
            return race
        return uid

    def cancel(self, effect: actions.CancelMeeting) -> bool:
        """Cancel one meeting (its occurrence becomes `effect.then`); False when it was no longer
        active (canceled through `/v1/bookings` meanwhile: the occurrence reads canceled)."""
        for _ in range(MAX_ATTEMPTS):
            meeting = store.current_booking(self.series.organization_id, effect.booking_uid)
            if meeting is None or not meeting.active:
                gone = effect.then is OccurrenceState.PENDING
                self.commit(
                    None,
                    actions.canceled(self.series, effect)
                    if gone
                    else actions.meeting_gone(self.series, effect.index),
                )
                return False
            plan = meeting_plans.decide_cancel(
                meeting, booking_store.write_facts(meeting), reason=effect.reason, now=self.now
            )
            try:
                self.commit(plan, actions.canceled(self.series, effect))
                return True
            except LostRace:
                pause()
        raise BookingRuleError(
            "service_unavailable", "The series meetings could not be changed; retry shortly."
        )

    def relink(self, effect: actions.UpdateMeetingLocation) -> None:
        for _ in range(MAX_ATTEMPTS):
            meeting = store.current_booking(self.series.organization_id, effect.booking_uid)
            if meeting is None or not meeting.active or meeting.start_at <= self.now:
                return
            plan = meeting_plans.decide_location(
                meeting, booking_store.write_facts(meeting), url=effect.url, now=self.now
            )
            try:
                self.commit(plan, self.series)
                return
            except LostRace:
                pause()
        raise BookingRuleError(
            "service_unavailable", "The series meetings could not be changed; retry shortly."
        )

    def move(self, effect: actions.MoveMeetingHost, new_host: str) -> SkipReason | None:
        """Move one meeting to `new_host` in place; the reason when it is not free there."""
        loaded = self.event_type_for(new_host)
        if loaded is None:
            return SkipReason.HOST_UNAVAILABLE
        for _ in range(MAX_ATTEMPTS):
            meeting = store.current_booking(self.series.organization_id, effect.booking_uid)
            if meeting is None or not meeting.active:
                return None  # nothing left to move
            avail = booking_store.load_availability(
                loaded, now=self.now, start=meeting.start_at, exclude_key=meeting.uid
            )
            facts = booking_store.write_facts(meeting)
            outcome = meeting_plans.decide_move(
                meeting, loaded.event_type, avail, facts, new_host=avail.host_snapshot(new_host), now=self.now
            )
            if isinstance(outcome, SkipReason):
                return outcome
            try:
                self.commit(outcome, self.series)
                return None
            except LostRace:
                pause()
        return SkipReason.HOST_BUSY

    def _booked(self, index: int, booking_uid: str) -> Series:
        return actions.booked(self.series, index, booking_uid)

    def _skipped(self, index: int, reason: SkipReason) -> Series:
        return actions.skipped(self.series, index, reason)

    def finish_pending(self) -> None:
        """§11.3: what an interrupted operation left pending, before anything else."""
        for effect in actions.plan_finish_pending(self.series):
            if isinstance(effect, actions.CancelMeeting):
                self.cancel(effect)
            elif isinstance(effect, actions.BookMeeting):
                index = effect.index
                self.book(
                    index,
                    effect.start_at,
                    functools.partial(self._booked, index),
                    functools.partial(self._skipped, index),
                )

    def finish(
        self, final: Series, events_: tuple[OutboxEvent, ...], result: SeriesResult, done: Finish
    ) -> SeriesResult:
        store.finish(final, self.token, events_, done.completion(result) if done is not None else None)
        if done is not None:
            done.committed()
        self.series = final
        return result


def _event(name: str, series: Series, data: Mapping[str, Any], now: datetime) -> OutboxEvent:
    return new_outbox_event(name, series.organization_id, now, series_event_data(name, data))


def _lease(series: Series, read_version: int, now: datetime, created_by: Mapping[str, str]) -> _Run:
    """Transaction (a): take the lease (409 `series_operation_in_progress` while another holds it)."""
    token = secrets.token_hex(16)
    store.take_lease(series, read_version, token, now + LEASE, now)
    run = _Run(series, token, now, created_by)
    run.finish_pending()
    return run


def _finished(
    run: _Run,
    finished: actions.Finished,
    event: Callable[[dict[str, Any]], tuple[str, dict[str, Any]]] | None,
    done: Finish,
) -> SeriesResult:
    view = _view(finished.series, run.now)
    emitted: tuple[OutboxEvent, ...] = ()
    if finished.changed and event is not None:
        name, data = event(view)
        emitted = (_event(name, finished.series, data, run.now),)
    return run.finish(
        finished.series,
        emitted,
        SeriesResult(events.action_result(finished, view), finished.series.version),
        done,
    )


# --------------------------------------------------------------------------- create (§6)


def create(
    *,
    org_id: str,
    request: CreateSeriesRequest,
    now: datetime,
    uid: str,
    created_by: Mapping[str, str],
    finish: CreateFinish = None,
) -> SeriesResult:
    """Steps 6–13: the rule checks, then the record (a), every occurrence in index order (b), the
    final write (c). A retry that took over the expired reservation of a create that had written
    its series continues that series instead (§11.1)."""
    with _errors():
        continued = finish.continued_series_uid if finish is not None else None
        existing = store.get(org_id, continued) if continued is not None else None
        if existing is not None:
            return _created(_lease(existing, existing.version, now, created_by), finish)
        loaded = resolve_event_type(org_id, request)
        creation.check_event_type_usable(loaded.event_type if loaded is not None else None)
        assert loaded is not None
        creation.check_takes_series(loaded.event_type)
        user = store.user_item(org_id, request.host_user_id)
        creation.check_host_eligible(user.get("organization_id") if user else None, org_id, False)
        assert user is not None
        pattern = request.pattern(user.get("timezone") or DEFAULT_TIMEZONE)
        check_starts_on(request.starts_on, pattern.timezone, now)
        creation.check_attendee_addresses(request)
        responses = creation.check_answer_types(loaded.event_type.questions, request.responses)
        series = creation.new_series(
            uid=uid,
            organization_id=org_id,
            event_type_id=loaded.event_type.id,
            request=request,
            pattern=pattern,
            responses=responses,
            now=now,
            created_by=created_by,
        )
        token = secrets.token_hex(16)
        store.create(series, token, now + LEASE, finish.series_mark(uid) if finish is not None else None)
        run = _Run(series, token, now, created_by, store.series_loaded_event_type(loaded.record, user))
        run.finish_pending()
        return _created(run, finish)


def _created(run: _Run, finish: CreateFinish) -> SeriesResult:
    """Transaction (c) of create, once every occurrence is booked or skipped."""
    view = _view(run.series, run.now)
    name, data = events.created(view)
    event = _event(name, run.series, data, run.now)
    result = run.finish(run.series, (event,), SeriesResult(view, run.series.version), finish)
    count_metric("SeriesCreated")
    return result


# --------------------------------------------------------------------------- PATCH (§9)


def patch(
    *,
    org_id: str,
    uid: str,
    request: PatchSeriesRequest,
    expected: int | str,
    now: datetime,
    created_by: Mapping[str, str],
) -> SeriesResult:
    """Steps 7–14."""
    with _errors():
        series = _existing(org_id, uid)
        actions.check_patch_target(series, "*" if expected == "*" else int(expected))
        if store.lease_of(org_id, uid, now):
            raise store.LeaseBusy()
        plan = actions.plan_patch(series, request, meetings=store.meetings([series]), now=now)
        if not plan.changed:
            return SeriesResult(_view(series, now), series.version)
        if plan.needs_bookable_event_type:
            creation.check_event_type_usable(_bookable(series))
        try:
            run = _lease(plan.series, series.version, now, created_by)
        except store.LeaseBusy:
            current = store.get(org_id, uid)
            if current is not None and current.version != series.version:
                raise BookingRuleError(
                    "version_conflict",
                    "The If-Match version does not match the current version",
                    {"current_version": current.version},
                ) from None
            raise
        for effect in plan.location_updates:
            run.relink(effect)
        view = _view(run.series, now)
        name, data = events.updated(view, plan.changed_fields)
        return run.finish(
            run.series, (_event(name, run.series, data, now),), SeriesResult(view, run.series.version), None
        )


def _bookable(series: Series) -> Any:
    record = store.event_type_record(series.organization_id, series.event_type_id)
    return booking_store.bookable(record, None) if record is not None else None


# --------------------------------------------------------------------------- pause, resume, end (§10.2–10.4)


PlanOf = Callable[..., actions.ActionPlan]
EventOf = Callable[[dict[str, Any], actions.Finished], tuple[str, dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class _CancelSteps:
    """What pause and end differ in: the plan, the no-op result, the finish (series, canceled
    meetings, now) and the event."""

    plan_of: PlanOf
    noop_of: Callable[[Series], actions.Finished]
    finish_of: Callable[[Series, int, datetime], actions.Finished]
    event_of: EventOf


_PAUSE = _CancelSteps(
    actions.plan_pause,
    actions.pause_noop,
    lambda series, held, now: actions.finish_pause(series, held=held, now=now),
    events.paused,
)
_END = _CancelSteps(
    actions.plan_end,
    actions.end_noop,
    lambda series, canceled, now: actions.finish_end(series, canceled_count=canceled, now=now),
    events.ended,
)


def _cancel_to_come(
    org_id: str, uid: str, now: datetime, created_by: Mapping[str, str], steps: _CancelSteps, done: Finish
) -> SeriesResult:
    """Pause and end (§10.2, §10.4): the repeat is a no-op; otherwise cancel every to-come meeting
    under the lease, then the final write."""
    plan_of, noop_of, event_of = steps.plan_of, steps.noop_of, steps.event_of
    series = _existing(org_id, uid)
    if plan_of(series, meetings=store.meetings([series]), now=now).noop:
        return _noop(noop_of(series), now)
    run = _lease(series, series.version, now, created_by)
    plan = plan_of(run.series, meetings=store.meetings([run.series]), now=now)
    count = sum(
        1 for effect in plan.effects if isinstance(effect, actions.CancelMeeting) and run.cancel(effect)
    )
    finished = steps.finish_of(run.series, count, now)
    return _finished(run, finished, lambda view: event_of(view, finished), done)


def pause_series(*, org_id: str, uid: str, now: datetime, created_by: Mapping[str, str]) -> SeriesResult:
    with _errors():
        return _cancel_to_come(org_id, uid, now, created_by, _PAUSE, None)


def resume(
    *, org_id: str, uid: str, now: datetime, created_by: Mapping[str, str], finish: Finish = None
) -> SeriesResult:
    with _errors():
        series = _existing(org_id, uid)
        walk = actions.plan_resume(series, meetings=store.meetings([series]), now=now)
        if walk is None:
            return _noop(actions.resume_noop(series), now)
        if store.lease_of(org_id, uid, now):  # step 7 before step 8, which must not strand a lease
            raise store.LeaseBusy()
        if series.owed:
            creation.check_event_type_usable(_bookable(series))
        run = _lease(series, series.version, now, created_by)
        walk = actions.plan_resume(run.series, meetings=store.meetings([run.series]), now=now)
        assert walk is not None
        while not walk.done:
            effect = walk.next_effect()
            assert effect is not None
            outcome = run.book(
                effect.index,
                effect.start_at,
                functools.partial(_walk_booked, walk, effect),
                lambda reason: run.series,  # a skipped candidate changes no occurrence
            )
            walk = walk.record(effect, outcome)
        finished = actions.finish_resume(walk, previous_status=SeriesStatus.PAUSED, now=now)
        return _finished(run, finished, lambda view: events.resumed(view, finished), finish)


def _walk_booked(walk: actions.ResumeWalk, effect: actions.BookMeeting, booking_uid: str) -> Series:
    return walk.record(effect, booking_uid).series


def end(
    *, org_id: str, uid: str, now: datetime, created_by: Mapping[str, str], finish: Finish = None
) -> SeriesResult:
    with _errors():
        return _cancel_to_come(org_id, uid, now, created_by, _END, finish)


def _noop(finished: actions.Finished, now: datetime) -> SeriesResult:
    view = _view(finished.series, now)
    return SeriesResult(events.action_result(finished, view), finished.series.version)


# --------------------------------------------------------------------------- change of host (§10.5)


def change_host(
    *, org_id: str, uid: str, host_user_id: str, now: datetime, created_by: Mapping[str, str]
) -> SeriesResult:
    with _errors():
        series = _existing(org_id, uid)
        if series.status is SeriesStatus.ENDED:
            raise series_ended()
        user = store.user_item(org_id, host_user_id)
        creation.check_host_eligible(user.get("organization_id") if user else None, org_id, False)
        previous = _host_ref(series)
        run = _lease(series, series.version, now, created_by)
        move = actions.plan_host_change(
            run.series, host_user_id, meetings=store.meetings([run.series]), now=now
        )
        while not move.done:
            effect = move.next_effect()
            assert effect is not None
            move = move.record(run.move(effect, host_user_id))
        finished = actions.finish_host_change(move, now=now)
        return _finished(run, finished, lambda view: events.host_changed(view, finished, previous), None)
