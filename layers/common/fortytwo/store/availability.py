"""Everything the slot engine needs for one event type, in 1 + H DynamoDB calls after the event type.

1. the event type item (GetItem, done by the caller: `event_types.get`);
2. ONE BatchGetItem: every host's user record (out of office, account-wide limits), the schedule
   each host uses and each host's default schedule (account-wide limit periods);
3. ONE Query per host on its busy ledger (`store/ledger.py`) over the UTC days that can matter:
   the window ± one day (a meeting plus both sides' buffers is shorter than a day), widened to the
   whole limit periods touching the window when caps exist, and for team-owned event types to
   everything from the start of the current UTC month on (round robin ranks hosts by the meetings
   created this month, which can start anywhere after it).

Booking create/reschedule call `load_inputs(..., consistent=True)` to evaluate a start with the same
data the listing used (20-scheduling §4.4).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fortytwo.domain import event_types as rules_of_event_types
from fortytwo.domain.bookings.model import HostSnapshot
from fortytwo.domain.scheduling import (
    EventTypeRules,
    ExistingBooking,
    Host,
    MeetingLimits,
    OutOfOffice,
    PeriodKind,
    Schedule,
    ScheduleDocumentError,
    parse_schedule_document,
    period_bounds,
)
from fortytwo.store import dynamo, keys, ledger

_MARGIN = timedelta(days=1)
_MS = timedelta(milliseconds=1)
_NEVER_AVAILABLE = Schedule(timezone="UTC")


@dataclass(frozen=True, slots=True)
class SlotInputs:
    """The pure engine's inputs for one event type, plus the ledger entries they came from."""

    record: Mapping[str, Any]
    rules: EventTypeRules
    hosts: tuple[Host, ...]
    bookings: tuple[ExistingBooking, ...]
    entries_by_host: Mapping[str, tuple[ledger.LedgerEntry, ...]]
    ledger_first_day: date
    ledger_last_day: date | None
    # the hosts' user facts from the same BatchGetItem (booking writes snapshot the chosen host)
    host_users: Mapping[str, HostSnapshot] = field(default_factory=dict)


def _schedule(item: Mapping[str, Any] | None) -> Schedule | None:
    if item is None:
        return None
    document = {k: item[k] for k in ("name", "timezone", "weekly", "overrides") if k in item}
    try:
        return parse_schedule_document(document).schedule
    except ScheduleDocumentError:
        return None  # a corrupt schedule offers nothing rather than failing every request


def _out_of_office(user: Mapping[str, Any]) -> tuple[OutOfOffice, ...]:
    entries = []
    for entry in user.get("out_of_office") or []:
        try:
            entries.append(OutOfOffice(date.fromisoformat(entry["from"]), date.fromisoformat(entry["to"])))
        except (KeyError, TypeError, ValueError):
            continue
    return tuple(entries)


def _limits(user: Mapping[str, Any]) -> MeetingLimits:
    limits = user.get("limits") or {}
    return MeetingLimits(limits.get("per_day"), limits.get("per_week"), limits.get("per_month"))


def host_snapshot(user_id: str, user: Mapping[str, Any] | None) -> HostSnapshot:
    """The booking's view of a host's user item (None: the user is gone)."""
    if user is None:
        return HostSnapshot(user_id, None, None)
    return HostSnapshot(
        user_id, user.get("username"), user.get("email"), user.get("first_name"), user.get("last_name")
    )


def load_hosts(record: Mapping[str, Any], *, consistent: bool = False) -> tuple[tuple[Host, ...], str | None]:
    """(hosts in `hosts[]` order, the event type's exposed timezone) with one BatchGetItem."""
    hosts, timezone, _ = _load_hosts(record, consistent=consistent)
    return hosts, timezone


def _load_hosts(
    record: Mapping[str, Any], *, consistent: bool
) -> tuple[tuple[Host, ...], str | None, dict[str, HostSnapshot]]:
    """(hosts in `hosts[]` order, the event type's exposed timezone, their users) with one BatchGetItem.

    A host whose user or schedule is gone stays in the list with no hours at all, so the engine
    still sees exactly the owner (user-owned) and simply offers nothing for that host.
    """
    org_id = record["organization_id"]
    refs = record.get("host_refs") or []
    wanted = []
    for ref in refs:
        wanted += [
            keys.user(org_id, ref["user_id"]),
            keys.schedule(org_id, ref["schedule_id"]),
            keys.schedule(org_id, ref["default_schedule_id"]),
        ]
    found = dynamo.batch_get(wanted, consistent=consistent) if wanted else []
    users = {i["id"]: i for i in found if i.get("type") == "user"}
    schedules = {i["id"]: i for i in found if i.get("type") == "schedule"}
    hosts = []
    for ref in refs:
        user = users.get(ref["user_id"])
        schedule = _schedule(schedules.get(ref["schedule_id"]))
        if user is None or schedule is None:
            hosts.append(Host(ref["user_id"], _NEVER_AVAILABLE))
            continue
        default = schedules.get(ref["default_schedule_id"])
        hosts.append(
            Host(
                user_id=ref["user_id"],
                schedule=schedule,
                out_of_office=_out_of_office(user),
                limits=_limits(user),
                default_schedule_timezone=default.get("timezone") if default else None,
            )
        )
    timezone = None
    if record.get("owner_user_id") and refs:
        used = schedules.get(refs[0]["schedule_id"])
        timezone = used.get("timezone") if used else None
    snapshots = {user_id: host_snapshot(user_id, user) for user_id, user in users.items()}
    return tuple(hosts), timezone, snapshots


def _utc_day(instant: datetime) -> date:
    return instant.astimezone(UTC).date()


_KINDS = ((PeriodKind.DAY, "per_day"), (PeriodKind.WEEK, "per_week"), (PeriodKind.MONTH, "per_month"))


def ledger_days(
    rules: EventTypeRules,
    hosts: tuple[Host, ...],
    *,
    now: datetime,
    window_start: datetime,
    window_end: datetime,
) -> tuple[date, date | None]:
    """The UTC ledger days to read for a window: `(first, last)`, `last` None meaning open-ended.

    No start before `now` or from `now + future_limit_days` on is ever offered, so the window is
    clamped to that horizon first: a window far in the past never reads the host's whole history,
    and one at the end of the calendar (9999-12-31) never computes dates past it.
    """
    horizon = now + timedelta(days=rules.future_limit_days)
    window_start = min(max(window_start, now), horizon)
    window_end = min(max(window_end, window_start + _MS), horizon + _MS)
    first = _utc_day(window_start - _MARGIN)
    last: date | None = _utc_day(window_end + _MARGIN)
    caps: list[tuple[PeriodKind, str]] = [
        (kind, rules.limits_timezone) for kind, name in _KINDS if getattr(rules.limits, name) is not None
    ]
    for host in hosts:
        caps += [
            (kind, host.limits_timezone) for kind, name in _KINDS if getattr(host.limits, name) is not None
        ]
    for kind, timezone in set(caps):
        period_start, _ = period_bounds(kind, window_start, timezone)
        _, period_end = period_bounds(kind, max(window_start, window_end - _MS), timezone)
        first = min(first, _utc_day(period_start))
        last = max(last, _utc_day(period_end)) if last is not None else None
    if rules.team_owned:
        first = min(first, _utc_day(now).replace(day=1))
        last = None
    return first, last


def load_inputs(
    record: Mapping[str, Any],
    *,
    now: datetime,
    window_start: datetime,
    window_end: datetime,
    consistent: bool = False,
    exclude_key: str | None = None,
    release_seat_of: str | None = None,
) -> SlotInputs:
    """Hosts, rules and every ledger entry the engine needs for `[window_start, window_end)`.

    `exclude_key` / `release_seat_of`: the booking being rescheduled (see `ledger.existing_bookings`).
    """
    hosts, timezone, users = _load_hosts(record, consistent=consistent)
    rules = rules_of_event_types.rules_of(record, timezone)
    first, last = ledger_days(rules, hosts, now=now, window_start=window_start, window_end=window_end)
    bookings: list[ExistingBooking] = []
    entries_by_host: dict[str, tuple[ledger.LedgerEntry, ...]] = {}
    for host in hosts:
        entries = tuple(ledger.read_entries(host.user_id, first, last, consistent=consistent))
        entries_by_host[host.user_id] = entries
        bookings += ledger.existing_bookings(
            host.user_id, entries, exclude_key=exclude_key, release_seat_of=release_seat_of
        )
    return SlotInputs(record, rules, hosts, tuple(bookings), entries_by_host, first, last, users)
