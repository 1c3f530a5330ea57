"""Schema steps of the series writes (35-series §3.1, §6.1, §9.1–9.3, §10.5).

The bodies are declared once, by the contract's request models (`contract/series.py`); each
parser is that model's ordered check, then the model, then the domain's request. The check walks
the body in its own key order, so `validation_error` lists every violation in body order, with
paths such as `weekdays[1]`, `attendee.email`, `metadata.crm_id`; required fields that are absent
follow, in documented order. On create, `null` means "not given". Unknown fields are ignored (an
`until` field too: a series always ends by count).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from fortytwo.contract.series import ChangeHostBody, CreateSeriesBody, PatchSeriesBody, SeriesAttendeeIn
from fortytwo.contract.types import bounds
from fortytwo.domain.bookings import fields as f
from fortytwo.domain.bookings.errors import ErrorCollector
from fortytwo.domain.bookings.requests import AttendeeInput
from fortytwo.domain.event_types import is_https_url
from fortytwo.domain.series.errors import SeriesRuleError
from fortytwo.domain.series.pattern import (
    TIME_RE,
    WEEKDAYS,
    Frequency,
    Pattern,
    local_date,
    normalize_weekdays,
    parse_local_date,
)

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
# Members of `CreateSeriesBody` the domain request takes as validated.
_AS_GIVEN = {
    "host_user_id",
    "time",
    "count",
    "timezone",
    "event_type_id",
    "username",
    "event_slug",
    "location_url",
    "notify_invitee",
}


@dataclass(frozen=True, slots=True)
class CreateSeriesRequest:
    host_user_id: str
    attendee: AttendeeInput  # its timezone and sms_opt_in stay unset: the series ignores them
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
class SeriesListQuery:
    """`GET /v1/series` after its parameter checks (§8): one keyset page of an organization's
    series. `filters`: statuses, host_user_id, event_type_id, attendee_email (each optional)."""

    org_id: str
    sort_field: str  # created_at | updated_at
    ascending: bool
    limit: int
    after: tuple[str, str] | None = None  # (sort value, uid) of the previous page's last item
    filters: Mapping[str, Any] = field(default_factory=dict)


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


def _integer(low: int, high: int) -> f.Check:
    def check(errors: ErrorCollector, path: str, value: Any) -> None:
        # A JSON integer: booleans and floats (even 3.0) are refused.
        if type(value) is not int or not low <= value <= high:
            errors.add(path, f"must be an integer from {low} to {high}")

    return check


_INTERVAL_WEEKS = _integer(*bounds(CreateSeriesBody, "interval_weeks"))


def _frequency(errors: ErrorCollector, path: str, value: Any) -> None:
    if value not in _FREQUENCIES:
        errors.add(path, "must be one of " + ", ".join(_FREQUENCIES))


def _weekday_items(errors: ErrorCollector, path: str, value: Any) -> bool:
    """An array of weekday names, checked item by item; False after reporting a problem."""
    if not isinstance(value, list):
        errors.add(path, "must be an array of weekday names (mon … sun)")
        return False
    ok = True
    for i, item in enumerate(value):
        if item not in WEEKDAYS:
            errors.add(f"{path}[{i}]", "must be one of " + ", ".join(WEEKDAYS))
            ok = False
    return ok


def _time(errors: ErrorCollector, path: str, value: Any) -> None:
    if not isinstance(value, str) or not TIME_RE.match(value):
        errors.add(path, "must be HH:MM on a 24-hour clock, such as 14:30")


def _starts_on(errors: ErrorCollector, path: str, value: Any) -> None:
    if not isinstance(value, str) or parse_local_date(value) is None:
        errors.add(path, "must be a calendar date YYYY-MM-DD")


def is_location_url(value: str) -> bool:
    """An absolute `https://` URL of at most 2000 characters without userinfo (§6.1)."""
    if len(value) > LOCATION_URL_MAX or not is_https_url(value):
        return False
    parts = urlsplit(value)
    return "@" not in parts.netloc


def _location_url(errors: ErrorCollector, path: str, value: Any) -> None:
    if not isinstance(value, str) or not is_location_url(value):
        errors.add(path, f"must be an absolute https:// URL of at most {LOCATION_URL_MAX} characters")


# `timezone` and `sms_opt_in` are ignored: meetings use the series timezone, no texts are sent.
_ATTENDEE = f.nested(f.texts(SeriesAttendeeIn, f.ATTENDEE_TEXTS), required=("email",))


def _create_checks(body: Mapping[str, Any]) -> dict[str, f.Check]:
    """The member checks of `POST /v1/series` step 4; `weekdays` and `interval_weeks` depend on
    the body's frequency."""
    monthly = body.get("frequency") == Frequency.MONTHLY_SAME_DAY

    def weekdays(errors: ErrorCollector, path: str, value: Any) -> None:
        if monthly:
            if value != []:
                errors.add(path, "must be absent or empty for a monthly_same_day series")
        elif _weekday_items(errors, path, value) and not value:
            errors.add(path, "must name 1 to 7 weekdays")

    def interval_weeks(errors: ErrorCollector, path: str, value: Any) -> None:
        if not monthly:
            _INTERVAL_WEEKS(errors, path, value)
        elif type(value) is not int or value != 1:
            errors.add(path, "must be absent or 1 for a monthly_same_day series")

    checks: dict[str, f.Check] = {
        "event_type_id": f.uuid,
        "host_user_id": f.uuid,
        "attendee": _ATTENDEE,
        "frequency": _frequency,
        "weekdays": weekdays,
        "interval_weeks": interval_weeks,
        "time": _time,
        "timezone": f.timezone,
        "starts_on": _starts_on,
        "count": _integer(*bounds(CreateSeriesBody, "count")),
        "location_url": _location_url,
        "notify_invitee": f.boolean,
        "metadata": f.metadata,
        "responses": f.json_object,
    }
    if body.get("event_type_id") is None:  # with an event_type_id the other form is ignored entirely
        checks.update(f.texts(CreateSeriesBody, ("username", "event_slug")))
    return checks


def check_create(body: Mapping[str, Any]) -> None:
    """`POST /v1/series` step 4, the ordered check before `CreateSeriesBody`: every violation in
    body order, then the absent required members in documented order (§6.1); raises FieldErrors."""
    errors = ErrorCollector()
    f.walk(errors, body, _create_checks(body))
    f.require_event_type(errors, body)
    f.require(errors, body, ("host_user_id", "attendee", "frequency"))
    if body.get("frequency") == Frequency.WEEKLY and body.get("weekdays") is None:
        errors.add("weekdays", "Required for a weekly series")
    f.require(errors, body, ("time", "starts_on", "count"))
    errors.raise_if_any()


def parse_create(body: Mapping[str, Any]) -> CreateSeriesRequest:
    """`POST /v1/series` step 4: the ordered check, then the contract model; raises FieldErrors."""
    check_create(body)
    given = CreateSeriesBody.model_validate(body)
    weekly = Frequency(given.frequency) is Frequency.WEEKLY
    starts_on = parse_local_date(given.starts_on)
    assert starts_on is not None  # check_create accepted it
    return CreateSeriesRequest(
        attendee=AttendeeInput(**given.attendee.model_dump()),
        frequency=Frequency(given.frequency),
        weekdays=normalize_weekdays(tuple(given.weekdays or ())) if weekly else (),
        interval_weeks=(given.interval_weeks or 1) if weekly else None,
        starts_on=starts_on,
        metadata=dict(given.metadata or {}),
        responses=dict(given.responses or {}),
        **given.model_dump(include=_AS_GIVEN),
    )


def _patch_location_url(errors: ErrorCollector, path: str, value: Any) -> None:
    if value is None:
        errors.add(path, "cannot be removed; send an https:// URL to replace it")
    else:
        _location_url(errors, path, value)


_PATCH_CHECKS: dict[str, f.Check] = {
    "frequency": _frequency,
    "weekdays": lambda errors, path, value: value is None or _weekday_items(errors, path, value),
    "interval_weeks": lambda errors, path, value: value is None or _INTERVAL_WEEKS(errors, path, value),
    "time": _time,
    "timezone": f.timezone,
    "location_url": _patch_location_url,
    "notify_invitee": f.boolean,
}


def parse_patch(body: Mapping[str, Any]) -> PatchSeriesRequest:
    """`PATCH /v1/series/{uid}` step 4: the schema of the writable fields present.

    `weekdays` and `interval_weeks` may be null (their monthly spellings, and "keep" on a weekly
    pattern); `location_url: null` is refused (removing the link is not offered); other fields
    sent as null are type errors. Whether the pattern is valid as a whole is step 11
    (`effective_pattern`), after the series is loaded.
    """
    errors = ErrorCollector()
    f.walk(errors, body, _PATCH_CHECKS, skip_null=False)
    errors.raise_if_any()
    given = PatchSeriesBody.model_validate(body)
    values: dict[str, Any] = {
        "frequency": Frequency(given.frequency) if given.frequency is not None else None,
        "weekdays": normalize_weekdays(tuple(given.weekdays)) if given.weekdays is not None else None,
    }
    return PatchSeriesRequest(
        given={name: values.get(name, getattr(given, name)) for name in body if name in WRITABLE_FIELDS},
        immutable_present=tuple(name for name in body if name in IMMUTABLE_FIELDS),
    )


def check_patch_shape(request: PatchSeriesRequest) -> None:
    """Steps 5–6: immutable names → 422 field_immutable (body order); nothing writable → 400."""
    f.check_patch_shape(request.immutable_present, bool(request.given), SeriesRuleError)


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
    f.walk(errors, body, {"host_user_id": f.uuid})
    f.require(errors, body, ("host_user_id",))
    errors.raise_if_any()
    return ChangeHostBody.model_validate(body).host_user_id


def check_starts_on(starts_on: date, timezone: str, now: datetime) -> None:
    """Create step 10: from today to today + 365 days, today in the series timezone (§3.1)."""
    today = local_date(now, timezone)
    if not today <= starts_on <= today + timedelta(days=STARTS_ON_MAX_DAYS_AHEAD):
        raise SeriesRuleError(
            "starts_on_out_of_range",
            f"starts_on must be between {today.isoformat()} and "
            f"{(today + timedelta(days=STARTS_ON_MAX_DAYS_AHEAD)).isoformat()} in the series timezone.",
        )
