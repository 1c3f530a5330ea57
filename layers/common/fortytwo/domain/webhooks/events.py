"""The event catalogue (40-webhooks §6.1) and validation of a subscription's `events` list (§4.2).

The REST API speaks underscore names (`booking_created`); the delivery body and the
`X-42min-Webhook-Event` header speak dot names (`booking.created`). The mapping is explicit
because it is not a plain character swap for every name (`routing.form_submitted`).
"""

from __future__ import annotations

from collections.abc import Sequence

from fortytwo.domain.webhooks.errors import FieldError

# REST name -> delivery name, in catalogue order.
CATALOGUE: dict[str, str] = {
    "booking_created": "booking.created",
    "booking_updated": "booking.updated",
    "booking_canceled": "booking.canceled",
    "booking_rescheduled": "booking.rescheduled",
    "booking_no_show": "booking.no_show",
    "event_type_updated": "event_type.updated",
    "event_type_deleted": "event_type.deleted",
    "routing_form_submitted": "routing.form_submitted",
    # 35-series §12.2 (extension): the six series events, after the eight of §6.1.
    "series_created": "series.created",
    "series_updated": "series.updated",
    "series_paused": "series.paused",
    "series_resumed": "series.resumed",
    "series_ended": "series.ended",
    "series_host_changed": "series.host_changed",
}
REST_NAMES: tuple[str, ...] = tuple(CATALOGUE)
DELIVERY_NAMES: tuple[str, ...] = tuple(CATALOGUE.values())
_REST_BY_DELIVERY: dict[str, str] = {dot: rest for rest, dot in CATALOGUE.items()}

# Events whose `data` carries a `booking` (§6.3) or an `event_type` (§6.4).
BOOKING_EVENTS: frozenset[str] = frozenset(
    {"booking.created", "booking.updated", "booking.canceled", "booking.rescheduled", "booking.no_show"}
)
EVENT_TYPE_EVENTS: frozenset[str] = frozenset({"event_type.updated", "event_type.deleted"})
SERIES_EVENTS: frozenset[str] = frozenset(name for name in DELIVERY_NAMES if name.startswith("series."))

MAX_EVENTS = len(CATALOGUE)


class UnknownEventError(ValueError):
    """A name that is not in the catalogue."""


def delivery_name(rest_name: str) -> str:
    """`booking_created` -> `booking.created`."""
    try:
        return CATALOGUE[rest_name]
    except KeyError:
        raise UnknownEventError(rest_name) from None


def rest_name(delivery_name_: str) -> str:
    """`booking.created` -> `booking_created`."""
    try:
        return _REST_BY_DELIVERY[delivery_name_]
    except KeyError:
        raise UnknownEventError(delivery_name_) from None


def is_rest_name(value: object) -> bool:
    return isinstance(value, str) and value in CATALOGUE


def _suggestion(name: str) -> str | None:
    """The underscore name a caller most likely meant, for dot names and case slips."""
    lowered = name.strip().lower()
    if lowered in _REST_BY_DELIVERY:
        return _REST_BY_DELIVERY[lowered]
    if lowered in CATALOGUE:
        return lowered
    swapped = lowered.replace(".", "_").replace("-", "_")
    return swapped if swapped in CATALOGUE else None


def unknown_event_message(name: str) -> str:
    hint = _suggestion(name)
    if hint is not None:
        return f"Unknown event '{name}'. Use the underscore name '{hint}'."
    return f"Unknown event '{name}'. Valid events: {', '.join(REST_NAMES)}."


def validate_events(value: object, field: str = "events") -> tuple[tuple[str, ...] | None, list[FieldError]]:
    """Validate a request's `events` value.

    Returns `(names, [])` with duplicates removed (first occurrence kept, submitted order), or
    `(None, errors)` with one error for the whole field or one per bad item (`events[2]`).
    """
    if value is None:
        return None, [FieldError(field, "must be an array of event names, not null")]
    if not isinstance(value, list):
        return None, [FieldError(field, "must be an array of event names")]
    if not value:
        return None, [FieldError(field, "must contain at least one event")]
    errors: list[FieldError] = []
    seen: dict[str, None] = {}
    for index, item in enumerate(value):
        path = f"{field}[{index}]"
        if not isinstance(item, str):
            errors.append(FieldError(path, "must be a string"))
        elif item not in CATALOGUE:
            errors.append(FieldError(path, unknown_event_message(item)))
        else:
            seen.setdefault(item, None)
    if errors:
        return None, errors
    return tuple(seen), []


def subscribed(events: Sequence[str], delivery_name_: str) -> bool:
    """Whether a subscription's (underscore) `events` list covers a (dot-named) event."""
    rest = _REST_BY_DELIVERY.get(delivery_name_)
    return rest is not None and rest in events
