"""What the store persists of a series (35-series §2.4): every fact, serialised as JSON-like
values; the lease and the idempotency key belong to the store, not to this record."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from fortytwo.domain.series.model import (
    Occurrence,
    OccurrenceState,
    PendingAction,
    Series,
    SeriesAttendee,
    SeriesStatus,
    SkipReason,
)
from fortytwo.domain.series.pattern import Frequency, Pattern
from fortytwo.domain.timefmt import format_ts, parse_ts


def _occurrence_record(o: Occurrence) -> dict[str, Any]:
    return {
        "index": o.index,
        "date": o.date.isoformat(),
        "start_at": format_ts(o.start_at),
        "state": str(o.state),
        "booking_uid": o.booking_uid,
        "reason": None if o.reason is None else str(o.reason),
        "action": None if o.action is None else str(o.action),
    }


def to_record(series: Series) -> dict[str, Any]:
    pattern, attendee = series.pattern, series.attendee
    return {
        "uid": series.uid,
        "organization_id": series.organization_id,
        "version": series.version,
        "event_type_id": series.event_type_id,
        "host_user_id": series.host_user_id,
        "attendee": {
            "email": attendee.email,
            "name": attendee.name,
            "phone": attendee.phone,
            "first_name": attendee.first_name,
            "last_name": attendee.last_name,
        },
        "frequency": str(pattern.frequency),
        "weekdays": list(pattern.weekdays),
        "interval_weeks": pattern.interval_weeks,
        "time": pattern.time,
        "timezone": pattern.timezone,
        "starts_on": series.starts_on.isoformat(),
        "count": series.count,
        "status": str(series.status),
        "location_url": series.location_url,
        "notify_invitee": series.notify_invitee,
        "source": series.source,
        "metadata": dict(series.metadata),
        "responses": dict(series.responses),
        "occurrences": [_occurrence_record(o) for o in series.occurrences],
        "created_at": format_ts(series.created_at),
        "updated_at": format_ts(series.updated_at),
        "ended_at": None if series.ended_at is None else format_ts(series.ended_at),
        "created_by": dict(series.created_by),
    }


def _occurrence(data: Mapping[str, Any]) -> Occurrence:
    return Occurrence(
        index=int(data["index"]),
        date=date.fromisoformat(data["date"]),
        start_at=parse_ts(data["start_at"]),
        state=OccurrenceState(data["state"]),
        booking_uid=data.get("booking_uid"),
        reason=SkipReason(data["reason"]) if data.get("reason") else None,
        action=PendingAction(data["action"]) if data.get("action") else None,
    )


def from_record(data: Mapping[str, Any]) -> Series:
    attendee = data["attendee"]
    interval = data.get("interval_weeks")
    return Series(
        uid=data["uid"],
        organization_id=data["organization_id"],
        version=int(data["version"]),
        event_type_id=data["event_type_id"],
        host_user_id=data["host_user_id"],
        attendee=SeriesAttendee(
            email=attendee["email"],
            name=attendee["name"],
            phone=attendee.get("phone"),
            first_name=attendee.get("first_name"),
            last_name=attendee.get("last_name"),
        ),
        pattern=Pattern(
            Frequency(data["frequency"]),
            tuple(data["weekdays"]),
            None if interval is None else int(interval),
            data["time"],
            data["timezone"],
        ),
        starts_on=date.fromisoformat(data["starts_on"]),
        count=int(data["count"]),
        status=SeriesStatus(data["status"]),
        location_url=data.get("location_url"),
        notify_invitee=bool(data["notify_invitee"]),
        metadata=dict(data.get("metadata") or {}),
        responses=dict(data.get("responses") or {}),
        occurrences=tuple(_occurrence(o) for o in data["occurrences"]),
        created_at=parse_ts(data["created_at"]),
        updated_at=parse_ts(data["updated_at"]),
        ended_at=parse_ts(data["ended_at"]) if data.get("ended_at") else None,
        source=data.get("source") or "api",
        created_by=dict(data.get("created_by") or {}),
    )
