"""The ordered checks of the booking and series request bodies (00-conventions §3.2, §7): the
walk in body order, the field checks with the contract's messages, the required members and the
PATCH shape."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from fortytwo.contract.types import max_length
from fortytwo.domain import storable
from fortytwo.domain.bookings.errors import BookingRuleError, ErrorCollector, FieldErrors
from fortytwo.domain.ids import normalize_uuid
from fortytwo.domain.scheduling.zones import is_valid_timezone
from fortytwo.domain.timefmt import NaiveTimestamp, TimestampError, parse_ts

METADATA_MAX_KEYS = 50
METADATA_MAX_KEY_LENGTH = 40
METADATA_MAX_VALUE_LENGTH = 500
TIMEZONE_MAX_LENGTH = 64
ATTENDEE_TEXTS: tuple[str, ...] = ("email", "name", "first_name", "last_name", "phone")

Check = Callable[[ErrorCollector, str, Any], object]
"""One member's check: (errors, its path, its value); it reports what is wrong at that path."""


def walk(
    errors: ErrorCollector,
    body: Mapping[str, Any],
    checks: Mapping[str, Check],
    *,
    skip_null: bool = True,
    prefix: str = "",
) -> None:
    """Run the check of every member `checks` names, in body order (`validation_error` lists the
    violations so); `skip_null`: a member sent as `null` is "not given" (create bodies)."""
    for name, value in body.items():
        check = checks.get(name)
        if check is not None and not (skip_null and value is None):
            check(errors, prefix + name, value)


def require(
    errors: ErrorCollector, body: Mapping[str, Any], names: Iterable[str], *, prefix: str = ""
) -> None:
    """Absent (or `null`) required members, in the order given (the documented order)."""
    for name in names:
        if body.get(name) is None:
            errors.add(prefix + name, "Required")


def texts(model: type[BaseModel], names: Iterable[str]) -> dict[str, Check]:
    """Checks of string members within the `max_length` that `model` declares for each."""

    def declared(limit: int) -> Check:
        return lambda errors, path, value: text(errors, path, value, max_len=limit)

    return {name: declared(max_length(model, name)) for name in names}


def json_object(errors: ErrorCollector, path: str, value: Any) -> None:
    if not isinstance(value, dict):
        errors.add(path, "must be an object")


def nested(checks: Mapping[str, Check], required: tuple[str, ...]) -> Check:
    """A member that is an object: its own members checked in its key order (paths `name.member`),
    then its absent required members."""

    def check(errors: ErrorCollector, path: str, value: Any) -> None:
        if not isinstance(value, dict):
            errors.add(path, "must be an object")
            return
        walk(errors, value, checks, prefix=f"{path}.")
        require(errors, value, required, prefix=f"{path}.")

    return check


def require_event_type(errors: ErrorCollector, body: Mapping[str, Any]) -> None:
    """A create body names its event type by `event_type_id`, or `username` with `event_slug`."""
    if body.get("event_type_id") is not None:
        return
    has_username = body.get("username") is not None
    has_slug = body.get("event_slug") is not None
    if not has_username and not has_slug:
        errors.add("event_type_id", "Required (or username and event_slug)")
    elif not has_slug:
        errors.add("event_slug", "Required with username")
    elif not has_username:
        errors.add("username", "Required with event_slug")


def check_patch_shape(
    immutable_present: tuple[str, ...], has_writable_field: bool, rule_error: type[BookingRuleError]
) -> None:
    """A PATCH body after its schema and the idempotency record: immutable names (body order) →
    422 `field_immutable`; nothing writable → 400 "nothing to update"."""
    if immutable_present:
        raise rule_error(
            "field_immutable",
            "These fields cannot be changed with PATCH: " + ", ".join(immutable_present),
            {"fields": list(immutable_present)},
        )
    if not has_writable_field:
        raise FieldErrors([{"field": "", "message": "nothing to update"}])


def compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def text(errors: ErrorCollector, path: str, value: Any, *, max_len: int) -> str | None:
    """A string of at most `max_len` code points, or None after reporting the problem."""
    if not isinstance(value, str):
        errors.add(path, "must be a string")
        return None
    if len(value) > max_len:
        errors.add(path, f"must be at most {max_len} characters")
        return None
    return value


def uuid(errors: ErrorCollector, path: str, value: Any) -> str | None:
    normalized = normalize_uuid(value) if isinstance(value, str) else None
    if normalized is None:
        errors.add(path, "must be a UUID")
    return normalized


def naive_zone(body: dict[str, Any]) -> str | None:
    """The zone a naive date-time of this body is read in (00-conventions §7.2): its top-level
    `timezone`, else UTC; None when that `timezone` is invalid (its own error reports it)."""
    name = body.get("timezone")
    if name is None:
        return "UTC"
    return name if is_valid_timezone(name) else None


def instant(errors: ErrorCollector, path: str, value: Any, *, zone: str | None) -> datetime | None:
    """An instant; a naive date-time is wall-clock time in `zone` (see `naive_zone`)."""
    if not isinstance(value, str):
        errors.add(path, "must be an RFC 3339 date-time with a UTC offset")
        return None
    try:
        return parse_ts(value, naive_zone=zone)
    except NaiveTimestamp:
        return None  # well-formed, but the request's timezone is invalid: that field's error says so
    except TimestampError:
        errors.add(path, "must be an RFC 3339 date-time with a UTC offset")
        return None


def timezone(errors: ErrorCollector, path: str, value: Any) -> str | None:
    name = text(errors, path, value, max_len=TIMEZONE_MAX_LENGTH)
    if name is None:
        return None
    if not is_valid_timezone(name):
        errors.add(path, "must be a valid IANA time zone name")
        return None
    return name


def boolean(errors: ErrorCollector, path: str, value: Any) -> bool | None:
    if not isinstance(value, bool):
        errors.add(path, "must be a boolean")
        return None
    return value


def metadata_entry_problem(key: str, value: Any) -> str | None:
    """Why one `metadata` entry breaks the limits, or None."""
    if not 1 <= len(key) <= METADATA_MAX_KEY_LENGTH:
        return f"keys must be 1-{METADATA_MAX_KEY_LENGTH} characters"
    if isinstance(value, str):
        if len(value) > METADATA_MAX_VALUE_LENGTH:
            return f"must be at most {METADATA_MAX_VALUE_LENGTH} characters"
    elif len(compact_json(value)) > METADATA_MAX_VALUE_LENGTH:
        return f"must serialize to at most {METADATA_MAX_VALUE_LENGTH} characters"
    # Numbers and nesting the table could not store as given (a failed write used to answer 503).
    return storable.value_problem(value)


def metadata(errors: ErrorCollector, path: str, value: Any) -> dict[str, Any] | None:
    """An object within the metadata limits: key count at `path`, entries at `path.<key>`."""
    if not isinstance(value, dict):
        errors.add(path, "must be an object")
        return None
    ok = True
    if len(value) > METADATA_MAX_KEYS:
        errors.add(path, f"must have at most {METADATA_MAX_KEYS} keys")
        ok = False
    for key, entry in value.items():
        problem = metadata_entry_problem(key, entry)
        if problem is not None:
            errors.add(f"{path}.{key}", problem)
            ok = False
    return dict(value) if ok else None
