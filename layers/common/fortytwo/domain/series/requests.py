"""Schema steps of the series writes (35-series §3.1, §6.1, §9.1–9.3, §10.5).

Each parser walks the body in its own key order, so `validation_error` lists every violation in
body order, with paths such as `weekdays[1]`, `attendee.email`, `metadata.crm_id`; required fields
that are absent follow, in documented order. On create, `null` means "not given". Unknown fields
are ignored (an `until` field too: a series always ends by count).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from fortytwo.domain.bookings import fields as f
from fortytwo.domain.bookings.errors import ErrorCollector, FieldErrors
from fortytwo.domain.event_types import is_https_url
from fortytwo.domain.series.errors import SeriesRuleError
from fortytwo.domain.series.pattern import (
    MAX_COUNT,
    MAX_INTERVAL_WEEKS,
    MIN_COUNT,
    MIN_INTERVAL_WEEKS,
    TIME_RE,
    WEEKDAYS,
    Frequency,
    Pattern,
    local_date,
    normalize_weekdays,
    parse_local_date,
)

EMAIL_MAX = 254
LOCATION_URL_MAX = 2000
STARTS_ON_MAX_DAYS_AHEAD = 365
WRITABLE_FIELDS: tuple[str, ...] = (
    "frequency",
    "weekdays",
    "interval_weeks",
    "time",
    "timezone",
    "location_url",
    "notify_invitee",
)
PATTERN_FIELDS: tuple[str, ...] = ("frequency", "weekdays", "interval_weeks", "time", "timezone")
IMMUTABLE_FIELDS: tuple[str, ...] = (
    "uid",
    "version",
    "status",
    "event_type_id",
    "event_type",
    "username",
    "event_slug",
    "host_user_id",
    "host",
    "attendee",
    "starts_on",
    "count",
    "metadata",
    "responses",
)
_FREQUENCIES = tuple(str(x) for x in Frequency)


@dataclass(frozen=True, slots=True)
class SeriesAttendeeInput:
    email: str
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class CreateSeriesRequest:
    host_user_id: str
    attendee: SeriesAttendeeInput
    frequency: Frequency
    weekdays: tuple[str, ...]
    interval_weeks: int | None
    time: str
    starts_on: date
    count: int
    timezone: str | None = None  # None: the host's profile timezone
    event_type_id: str | None = None
    username: str | None = None
    event_slug: str | None = None
    location_url: str | None = None
    notify_invitee: bool = True
    metadata: dict[str, Any] = field(default_factory=dict)
    responses: dict[str, Any] = field(default_factory=dict)

    def pattern(self, default_timezone: str) -> Pattern:
        return Pattern(
            self.frequency, self.weekdays, self.interval_weeks, self.time, self.timezone or default_timezone
        )


@dataclass(frozen=True, slots=True)
class PatchSeriesRequest:
    """The writable fields present in the body (`given` keeps JSON null as None) and the
    immutable names present, both in body order."""

    given: dict[str, Any]
    immutable_present: tuple[str, ...] = ()

    @property
    def changed_fields(self) -> tuple[str, ...]:
        """The writable fields present, sorted (`series.updated` `changed_fields`, §12.2)."""
        return tuple(sorted(self.given))


def _walk(
    body: Mapping[str, Any], handlers: Mapping[str, Callable[[str, Any], None]], *, skip_null: bool
) -> None:
    for name, value in body.items():
        handler = handlers.get(name)
        if handler is None or (skip_null and value is None):
            continue
        handler(name, value)


def _integer(errors: ErrorCollector, path: str, value: Any, low: int, high: int) -> int | None:
    # A JSON integer: booleans and floats (even 3.0) are refused.
    if type(value) is not int or not low <= value <= high:
        errors.add(path, f"must be an integer from {low} to {high}")
        return None
    return value


def _frequency(errors: ErrorCollector, path: str, value: Any) -> Frequency | None:
    if value not in _FREQUENCIES:
        errors.add(path, "must be one of " + ", ".join(_FREQUENCIES))
        return None
    return Frequency(value)


def _weekday_items(errors: ErrorCollector, path: str, value: Any) -> tuple[str, ...] | None:
    """An array of weekday names (checked item by item); None after reporting a problem."""
    if not isinstance(value, list):
        errors.add(path, "must be an array of weekday names (mon … sun)")
        return None
    ok = True
    for i, item in enumerate(value):
        if item not in WEEKDAYS:
            errors.add(f"{path}[{i}]", "must be one of " + ", ".join(WEEKDAYS))
            ok = False
    return normalize_weekdays(value) if ok else None


def _time(errors: ErrorCollector, path: str, value: Any) -> str | None:
    if not isinstance(value, str) or not TIME_RE.match(value):
        errors.add(path, "must be HH:MM on a 24-hour clock, such as 14:30")
        return None
    return value


def _starts_on(errors: ErrorCollector, path: str, value: Any) -> date | None:
    parsed = parse_local_date(value) if isinstance(value, str) else None
    if parsed is None:
        errors.add(path, "must be a calendar date YYYY-MM-DD")
    return parsed


def is_location_url(value: str) -> bool:
    """An absolute `https://` URL of at most 2000 characters without userinfo (§6.1)."""
    if len(value) > LOCATION_URL_MAX or not is_https_url(value):
        return False
    parts = urlsplit(value)
    return "@" not in parts.netloc


def _location_url(errors: ErrorCollector, path: str, value: Any) -> str | None:
    if not isinstance(value, str) or not is_location_url(value):
        errors.add(path, f"must be an absolute https:// URL of at most {LOCATION_URL_MAX} characters")
        return None
    return value


def _attendee(errors: ErrorCollector, value: Any) -> SeriesAttendeeInput | None:
    if not isinstance(value, dict):
        errors.add("attendee", "must be an object")
        return None
    got: dict[str, Any] = {}

    def string(limit: int) -> Callable[[str, Any], None]:
        def handle(name: str, item: Any) -> None:
            got[name] = f.text(errors, f"attendee.{name}", item, max_len=limit)

        return handle

    # `timezone` and `sms_opt_in` are ignored: meetings use the series timezone, no texts are sent.
    _walk(
        value,
        {
            "email": string(EMAIL_MAX),
            "name": string(255),
            "first_name": string(127),
            "last_name": string(127),
            "phone": string(64),
        },
        skip_null=True,
    )
    if value.get("email") is None:
        errors.add("attendee.email", "Required")
    if errors:
        return None
    return SeriesAttendeeInput(
        email=got["email"],
        name=got.get("name"),
        first_name=got.get("first_name"),
        last_name=got.get("last_name"),
        phone=got.get("phone"),
    )


class _CreateReader:
    """The field handlers of `POST /v1/series` step 4, one method per body member."""

    def __init__(self, body: Mapping[str, Any], errors: ErrorCollector) -> None:
        self.errors = errors
        self.got: dict[str, Any] = {}
        self.has_id = body.get("event_type_id") is not None
        self.monthly = body.get("frequency") == Frequency.MONTHLY_SAME_DAY

    def handlers(self) -> dict[str, Callable[[str, Any], None]]:
        return {
            "event_type_id": self.uuid,
            "username": self.slug_part,
            "event_slug": self.slug_part,
            "host_user_id": self.uuid,
            "attendee": self.attendee,
            "frequency": self.frequency,
            "weekdays": self.weekdays,
            "interval_weeks": self.interval_weeks,
            "time": self.time,
            "timezone": self.timezone,
            "starts_on": self.starts_on,
            "count": self.count,
            "location_url": self.location_url,
            "notify_invitee": self.notify_invitee,
            "metadata": self.metadata,
            "responses": self.responses,
        }

    def uuid(self, name: str, value: Any) -> None:
        self.got[name] = f.uuid(self.errors, name, value)

    def slug_part(self, name: str, value: Any) -> None:
        if not self.has_id:  # with an event_type_id the other form is ignored entirely
            text = f.text(self.errors, name, value, max_len=127)
            self.got[name] = text.lower() if text is not None else None

    def attendee(self, name: str, value: Any) -> None:
        self.got[name] = _attendee(self.errors, value)

    def frequency(self, name: str, value: Any) -> None:
        self.got[name] = _frequency(self.errors, name, value)

    def weekdays(self, name: str, value: Any) -> None:
        if self.monthly:
            if value != []:
                self.errors.add(name, "must be absent or empty for a monthly_same_day series")
            return
        days = _weekday_items(self.errors, name, value)
        if days is not None and not days:
            self.errors.add(name, "must name 1 to 7 weekdays")
        self.got[name] = days

    def interval_weeks(self, name: str, value: Any) -> None:
        if self.monthly:
            if type(value) is not int or value != 1:
                self.errors.add(name, "must be absent or 1 for a monthly_same_day series")
            return
        self.got[name] = _integer(self.errors, name, value, MIN_INTERVAL_WEEKS, MAX_INTERVAL_WEEKS)

    def time(self, name: str, value: Any) -> None:
        self.got[name] = _time(self.errors, name, value)

    def timezone(self, name: str, value: Any) -> None:
        self.got[name] = f.timezone(self.errors, name, value)

    def starts_on(self, name: str, value: Any) -> None:
        self.got[name] = _starts_on(self.errors, name, value)

    def count(self, name: str, value: Any) -> None:
        self.got[name] = _integer(self.errors, name, value, MIN_COUNT, MAX_COUNT)

    def location_url(self, name: str, value: Any) -> None:
        self.got[name] = _location_url(self.errors, name, value)

    def notify_invitee(self, name: str, value: Any) -> None:
        self.got[name] = f.boolean(self.errors, name, value)

    def metadata(self, name: str, value: Any) -> None:
        self.got[name] = f.metadata(self.errors, name, value)

    def responses(self, name: str, value: Any) -> None:
        if not isinstance(value, dict):
            self.errors.add(name, "must be an object")
        else:
            self.got[name] = dict(value)


def _require_create_fields(body: Mapping[str, Any], errors: ErrorCollector) -> None:
    """Absent required fields, in documented order (§6.1)."""
    if body.get("event_type_id") is None:
        has_username = body.get("username") is not None
        has_slug = body.get("event_slug") is not None
        if not has_username and not has_slug:
            errors.add("event_type_id", "Required (or username and event_slug)")
        elif not has_slug:
            errors.add("event_slug", "Required with username")
        elif not has_username:
            errors.add("username", "Required with event_slug")
    for name in ("host_user_id", "attendee", "frequency"):
        if body.get(name) is None:
            errors.add(name, "Required")
    if body.get("frequency") == Frequency.WEEKLY and body.get("weekdays") is None:
        errors.add("weekdays", "Required for a weekly series")
    for name in ("time", "starts_on", "count"):
        if body.get(name) is None:
            errors.add(name, "Required")


def parse_create(body: Mapping[str, Any]) -> CreateSeriesRequest:
    """`POST /v1/series` step 4; raises FieldErrors."""
    errors = ErrorCollector()
    reader = _CreateReader(body, errors)
    _walk(body, reader.handlers(), skip_null=True)
    _require_create_fields(body, errors)
    errors.raise_if_any()
    got = reader.got
    weekly = got["frequency"] is Frequency.WEEKLY
    return CreateSeriesRequest(
        host_user_id=got["host_user_id"],
        attendee=got["attendee"],
        frequency=got["frequency"],
        weekdays=got["weekdays"] if weekly else (),
        interval_weeks=(got.get("interval_weeks") or 1) if weekly else None,
        time=got["time"],
        starts_on=got["starts_on"],
        count=got["count"],
        timezone=got.get("timezone"),
        event_type_id=got.get("event_type_id"),
        username=got.get("username"),
        event_slug=got.get("event_slug"),
        location_url=got.get("location_url"),
        notify_invitee=True if got.get("notify_invitee") is None else got["notify_invitee"],
        metadata=got.get("metadata") or {},
        responses=got.get("responses") or {},
    )


def parse_patch(body: Mapping[str, Any]) -> PatchSeriesRequest:
    """`PATCH /v1/series/{uid}` step 4: the schema of the writable fields present.

    `weekdays` and `interval_weeks` may be null (their monthly spellings, and "keep" on a weekly
    pattern); `location_url: null` is refused (removing the link is not offered); other fields
    sent as null are type errors. Whether the pattern is valid as a whole is step 11
    (`effective_pattern`), after the series is loaded.
    """
    errors = ErrorCollector()
    given: dict[str, Any] = {}

    def frequency(name: str, value: Any) -> None:
        given[name] = _frequency(errors, name, value)

    def weekdays(name: str, value: Any) -> None:
        given[name] = None if value is None else _weekday_items(errors, name, value)

    def interval_weeks(name: str, value: Any) -> None:
        given[name] = (
            None if value is None else _integer(errors, name, value, MIN_INTERVAL_WEEKS, MAX_INTERVAL_WEEKS)
        )

    def time(name: str, value: Any) -> None:
        given[name] = _time(errors, name, value)

    def timezone(name: str, value: Any) -> None:
        given[name] = f.timezone(errors, name, value)

    def location_url(name: str, value: Any) -> None:
        if value is None:
            errors.add(name, "cannot be removed; send an https:// URL to replace it")
        else:
            given[name] = _location_url(errors, name, value)

    def notify_invitee(name: str, value: Any) -> None:
        given[name] = f.boolean(errors, name, value)

    _walk(
        body,
        {
            "frequency": frequency,
            "weekdays": weekdays,
            "interval_weeks": interval_weeks,
            "time": time,
            "timezone": timezone,
            "location_url": location_url,
            "notify_invitee": notify_invitee,
        },
        skip_null=False,
    )
    errors.raise_if_any()
    return PatchSeriesRequest(
        given={name: given[name] for name in body if name in WRITABLE_FIELDS},
        immutable_present=tuple(name for name in body if name in IMMUTABLE_FIELDS),
    )


def check_patch_shape(request: PatchSeriesRequest) -> None:
    """Steps 5–6: immutable names → 422 field_immutable (body order); nothing writable → 400."""
    if request.immutable_present:
        raise SeriesRuleError(
            "field_immutable",
            "These fields cannot be changed with PATCH: " + ", ".join(request.immutable_present),
            {"fields": list(request.immutable_present)},
        )
    if not request.given:
        raise FieldErrors([{"field": "", "message": "nothing to update"}])


def effective_pattern(stored: Pattern, request: PatchSeriesRequest) -> Pattern:
    """Step 11: the stored pattern with the given fields applied, valid as a whole (§9.1).

    Switching to monthly clears `weekdays` and `interval_weeks` (a non-empty list or an interval
    other than 1 in that body is refused); switching to weekly needs `weekdays` when the stored
    list is empty, and `interval_weeks` defaults to 1.
    """
    given = request.given
    frequency = given.get("frequency") or stored.frequency
    errors = ErrorCollector()
    if frequency is Frequency.MONTHLY_SAME_DAY:
        if given.get("weekdays"):
            errors.add("weekdays", "must be absent or empty for a monthly_same_day series")
        if given.get("interval_weeks") not in (None, 1):
            errors.add("interval_weeks", "must be absent or 1 for a monthly_same_day series")
        weekdays: tuple[str, ...] = ()
        interval: int | None = None
    else:
        weekdays = given["weekdays"] if given.get("weekdays") is not None else stored.weekdays
        if not weekdays:
            errors.add("weekdays", "must name 1 to 7 weekdays for a weekly series")
        interval = given.get("interval_weeks") or stored.interval_weeks or 1
    errors.raise_if_any()
    return Pattern(
        frequency=frequency,
        weekdays=weekdays,
        interval_weeks=interval,
        time=given.get("time") or stored.time,
        timezone=given.get("timezone") or stored.timezone,
    )


def parse_host(body: Mapping[str, Any]) -> str:
    """`POST /v1/series/{uid}/host` step 2: `{ "host_user_id": "<uuid>" }`, lower-cased."""
    errors = ErrorCollector()
    value = body.get("host_user_id")
    user_id = None if value is None else f.uuid(errors, "host_user_id", value)
    if value is None:
        errors.add("host_user_id", "Required")
    errors.raise_if_any()
    assert user_id is not None  # raise_if_any raised otherwise
    return user_id


def check_starts_on(starts_on: date, timezone: str, now: datetime) -> None:
    """Create step 10: from today to today + 365 days, today in the series timezone (§3.1)."""
    today = local_date(now, timezone)
    if not today <= starts_on <= today + timedelta(days=STARTS_ON_MAX_DAYS_AHEAD):
        raise SeriesRuleError(
            "starts_on_out_of_range",
            f"starts_on must be between {today.isoformat()} and "
            f"{(today + timedelta(days=STARTS_ON_MAX_DAYS_AHEAD)).isoformat()} in the series timezone.",
        )
