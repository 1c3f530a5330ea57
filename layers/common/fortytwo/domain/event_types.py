"""Event types (20-scheduling §2.5–2.9, §3.4): the document fields, their validation, identifiers.

Pure: documents in, normalised stored fields or path-precise errors out. The entity, its changes
and its REST views are in `event_type_entity.py`.

A *document* is a seed `event_types[]` entry or an admin FILE (60-operations §4) without `key`,
`owner` and `team`. Errors name the offending path relative to the document (`locations[0].value`,
`questions[1].options[2]`); loaders prefix their own path (`event_types[3].`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeGuard
from urllib.parse import urlsplit

from fortytwo.domain.ids import normalize_uuid
from fortytwo.domain.scheduling import EventTypeRules, SchedulingType

OwnerKind = Literal["user", "team"]

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
QUESTION_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
PHONE_RE = re.compile(r"^\+[1-9][0-9]{6,14}$")
_PHONE_NOISE = re.compile(r"[ \-.()]")
# C0 controls and DEL never belong in a one-line title (they also keep the title sort key sane).
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")

MAX_SLUG = 127
# `GET /v1/event-types` sorts (§3.3), the first is the default.
LIST_SORTS = ("created_at_desc", "created_at_asc", "title_asc")
MAX_TITLE = 255
MAX_DESCRIPTION = 5000
MAX_LOCATIONS = 10
MAX_QUESTIONS = 30
MAX_OPTIONS = 50
DEFAULT_GROUP_SEATS = 10
DEFAULT_COLOR = "#7c3aed"

SCHEDULING_TYPES: tuple[str, ...] = ("individual", "group", "collective")
LOCATION_TYPES: tuple[str, ...] = (
    "google_meet",
    "microsoft_teams",
    "video",
    "phone",
    "in_person",
    "link",
    "ask_invitee",
)
QUESTION_TYPES: tuple[str, ...] = (
    "text",
    "textarea",
    "email",
    "phone",
    "number",
    "select",
    "multiselect",
    "checkbox",
    "radio",
)
CHOICE_TYPES = frozenset({"select", "multiselect", "radio"})

# The stored fields a document may set, in the order of §2.5 (also the order of `to_document`).
DOCUMENT_FIELDS: tuple[str, ...] = (
    "slug",
    "title",
    "description",
    "duration_minutes",
    "slot_increment_minutes",
    "scheduling_type",
    "seats",
    "active",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "minimum_notice_minutes",
    "future_limit_days",
    "max_bookings_per_day",
    "max_bookings_per_week",
    "max_bookings_per_month",
    "requires_confirmation",
    "allow_reschedule",
    "allow_cancel",
    "allow_series",
    "color",
    "locations",
    "questions",
    "schedule_id",
)

DEFAULTS: dict[str, Any] = {
    "description": None,
    "duration_minutes": 30,
    "slot_increment_minutes": None,
    "scheduling_type": "individual",
    "seats": None,
    "active": True,
    "buffer_before_minutes": 0,
    "buffer_after_minutes": 0,
    "minimum_notice_minutes": 240,
    "future_limit_days": 60,
    "max_bookings_per_day": None,
    "max_bookings_per_week": None,
    "max_bookings_per_month": None,
    "requires_confirmation": False,
    "allow_reschedule": True,
    "allow_cancel": True,
    "allow_series": True,  # false for group (`series_default`)
    "color": DEFAULT_COLOR,
    "locations": [],
    "questions": [],
    "schedule_id": None,
}

# name → (minimum, maximum, nullable)
_INTEGERS: dict[str, tuple[int, int, bool]] = {
    "duration_minutes": (1, 720, False),
    "slot_increment_minutes": (1, 720, True),
    "buffer_before_minutes": (0, 240, False),
    "buffer_after_minutes": (0, 240, False),
    "minimum_notice_minutes": (0, 10080, False),
    "future_limit_days": (1, 365, False),
    "max_bookings_per_day": (1, 10000, True),
    "max_bookings_per_week": (1, 10000, True),
    "max_bookings_per_month": (1, 10000, True),
}
_BOOLEANS = ("active", "requires_confirmation", "allow_reschedule", "allow_cancel", "allow_series")


class EventTypeDocumentError(ValueError):
    """The document is invalid. `errors` holds `(path, message)` in document order; `path`/`message`
    are the first one."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        self.path, self.message = errors[0]
        super().__init__(f"{self.path}: {self.message}" if self.path else self.message)


def is_valid_slug(value: object) -> bool:
    return isinstance(value, str) and 1 <= len(value) <= MAX_SLUG and bool(SLUG_RE.match(value))


def title_key(title: str) -> str:
    """The `title_asc` sort value: the title after Unicode case folding (§3.3)."""
    return title.casefold()


def minimum_notice_hours(minutes: int) -> int:
    return math.ceil(minutes / 60)


# --------------------------------------------------------------------------- validation


class _Errors:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.items.append((path, message))


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(
    value: Any, path: str, errors: _Errors, *, max_len: int, min_len: int = 1, nullable: bool = False
) -> str | None:
    if value is None:
        if not nullable:
            errors.add(path, "is required")
        return None
    if not isinstance(value, str):
        errors.add(path, "must be a string")
        return None
    if not min_len <= len(value) <= max_len:
        errors.add(path, f"must be {min_len}-{max_len} characters")
        return None
    return value


def is_https_url(value: str) -> bool:
    """An absolute `https://` URL with a host and no whitespace or control characters."""
    if any(c.isspace() or ord(c) < 0x20 for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and value.lower().startswith("https://")


def is_international_phone(value: str) -> bool:
    """§2.7: without spaces, `-`, `.`, `(` and `)` it matches `^\\+[1-9][0-9]{6,14}$`."""
    return bool(PHONE_RE.match(_PHONE_NOISE.sub("", value.strip())))


def _null_value(kind: str, raw: str | None, vpath: str, errors: _Errors) -> str | None:
    if raw is not None:
        errors.add(vpath, f"must be null for {kind}")
    return None


def _video_value(kind: str, raw: str | None, vpath: str, errors: _Errors) -> str | None:
    if raw is not None and not is_https_url(raw):
        errors.add(vpath, "must be an https:// URL or null")
    return raw


def _link_value(kind: str, raw: str | None, vpath: str, errors: _Errors) -> str | None:
    if raw is None or not is_https_url(raw):
        errors.add(vpath, "must be an https:// URL")
    return raw


def _phone_value(kind: str, raw: str | None, vpath: str, errors: _Errors) -> str | None:
    if raw is None or not is_international_phone(raw):
        errors.add(vpath, "must be an international phone number such as +442071234567")
    return raw.strip() if raw is not None else None


def _address_value(kind: str, raw: str | None, vpath: str, errors: _Errors) -> str | None:
    if raw is None or not 1 <= len(raw.strip()) <= 1000:
        errors.add(vpath, "must be an address of 1-1000 characters")
    return raw


# The `value` rule of each location type: (type, raw value, path, errors) -> the value to store.
_LOCATION_VALUES: dict[str, Callable[[str, str | None, str, _Errors], str | None]] = {
    "google_meet": _null_value,
    "microsoft_teams": _null_value,
    "ask_invitee": _null_value,
    "video": _video_value,
    "link": _link_value,
    "phone": _phone_value,
    "in_person": _address_value,
}


def _location(value: Any, path: str, errors: _Errors) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        errors.add(path, "must be an object { type, label, value }")
        return None
    for key in value:
        if key not in ("type", "label", "value"):
            errors.add(f"{path}.{key}", "is not a known field")
    kind = value.get("type")
    if kind not in LOCATION_TYPES:
        errors.add(f"{path}.type", "must be one of " + ", ".join(LOCATION_TYPES))
        kind = None
    label = _text(value.get("label"), f"{path}.label", errors, max_len=255)
    raw = value.get("value")
    vpath = f"{path}.value"
    if raw is not None and not isinstance(raw, str):
        errors.add(vpath, "must be a string or null")
        return None
    if raw is not None and len(raw) > 2000:
        errors.add(vpath, "must be at most 2000 characters")
        return None
    clean = None
    if kind is not None and kind in _LOCATION_VALUES:
        clean = _LOCATION_VALUES[kind](kind, raw, vpath, errors)
    if kind is None or label is None:
        return None
    return {"type": kind, "label": label, "value": clean}


def _question_key(value: Mapping[str, Any], path: str, errors: _Errors) -> str | None:
    key = value.get("key")
    if not isinstance(key, str) or not QUESTION_KEY_RE.match(key):
        errors.add(f"{path}.key", "must match ^[a-z][a-z0-9_]{0,39}$")
        return None
    if "id" in value and value["id"] != f"q_{key}":
        errors.add(f"{path}.id", f"must be q_{key} (the id is always q_ + key)")
    return key


def _question_options(kind: str | None, options: Any, path: str, errors: _Errors) -> list[str] | None:
    if kind not in CHOICE_TYPES:
        if kind is not None and options is not None:
            errors.add(f"{path}.options", f"must be null for {kind}")
        return None
    if not isinstance(options, list) or not 1 <= len(options) <= MAX_OPTIONS:
        errors.add(f"{path}.options", f"must list 1-{MAX_OPTIONS} options for {kind}")
        return None
    clean_options: list[str] = []
    for index, option in enumerate(options):
        opath = f"{path}.options[{index}]"
        if not isinstance(option, str) or not 1 <= len(option) <= 255:
            errors.add(opath, "must be a string of 1-255 characters")
        elif option in clean_options:
            errors.add(opath, "is listed twice")
        else:
            clean_options.append(option)
    return clean_options


def _question(value: Any, path: str, errors: _Errors) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        errors.add(path, "must be an object { key, label, type, required, options }")
        return None
    for key in value:
        if key not in ("id", "key", "label", "type", "required", "options"):
            errors.add(f"{path}.{key}", "is not a known field")
    key = _question_key(value, path, errors)
    label = _text(value.get("label"), f"{path}.label", errors, max_len=255)
    kind = value.get("type")
    if kind not in QUESTION_TYPES:
        errors.add(f"{path}.type", "must be one of " + ", ".join(QUESTION_TYPES))
        kind = None
    required = value.get("required", False)
    if required is None:
        required = False
    if not isinstance(required, bool):
        errors.add(f"{path}.required", "must be true or false")
    clean_options = _question_options(kind, value.get("options"), path, errors)
    if key is None or label is None or kind is None:
        return None
    return {
        "id": f"q_{key}",
        "key": key,
        "label": label,
        "type": kind,
        "required": bool(required),
        "options": clean_options,
    }


def _list_of(value: Any, name: str, max_items: int, parse: Any, errors: _Errors) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors.add(name, "must be a list")
        return []
    if len(value) > max_items:
        errors.add(name, f"at most {max_items} entries")
        return []
    parsed = [parse(item, f"{name}[{index}]", errors) for index, item in enumerate(value)]
    return [item for item in parsed if item is not None]


def _in_document_order(errors: list[tuple[str, str]], document: Mapping[str, Any]) -> list[tuple[str, str]]:
    order = {str(key): position for position, key in enumerate(document)}

    def position(error: tuple[str, str]) -> int:
        head = re.split(r"[.\[]", error[0], maxsplit=1)[0]
        return order.get(head, len(order))

    return sorted(errors, key=position)


def _merged_document(document: Mapping[str, Any], base: Mapping[str, Any] | None) -> dict[str, Any]:
    """The document over `base` (or the defaults), with `seats` defaulted for a new or changed kind."""
    merged: dict[str, Any] = (
        dict(DEFAULTS) if base is None else {k: base.get(k, DEFAULTS.get(k)) for k in DOCUMENT_FIELDS}
    )
    given = {k: document[k] for k in DOCUMENT_FIELDS if k in document}
    merged.update(given)
    kind_changed = (
        base is not None
        and "scheduling_type" in given
        and given["scheduling_type"] != base.get("scheduling_type")
    )
    if "seats" not in given and (base is None or kind_changed):
        merged["seats"] = DEFAULT_GROUP_SEATS if merged.get("scheduling_type") == "group" else None
    # A group event type takes no series, so its default is false; a record written before the field
    # existed (no `allow_series`) takes its kind's default too.
    if "allow_series" not in given and (
        base is None or kind_changed or "allow_series" not in base or merged.get("scheduling_type") == "group"
    ):
        merged["allow_series"] = series_default(merged.get("scheduling_type"))
    return merged


def series_default(scheduling_type: Any) -> bool:
    """`allow_series` when a document leaves it out (35-series §13.4): true except for group."""
    return bool(scheduling_type != "group")


def _slug_field(slug: Any, errors: _Errors) -> Any:
    if slug is None:
        errors.add("slug", "is required")
    elif not is_valid_slug(slug):
        errors.add("slug", "must be 1-127 characters matching ^[a-z0-9]+(-[a-z0-9]+)*$ (lower case)")
    return slug


def _title_field(value: Any, errors: _Errors) -> str | None:
    title = _text(value, "title", errors, max_len=MAX_TITLE)
    if title is not None and _CONTROL_RE.search(title):
        errors.add("title", "must not contain control characters")
    return title


def _integer_fields(merged: Mapping[str, Any], out: dict[str, Any], errors: _Errors) -> None:
    for name, (low, high, nullable) in _INTEGERS.items():
        value = merged.get(name)
        if value is None and nullable:
            out[name] = None
        elif not _is_int(value) or not low <= value <= high:
            errors.add(name, f"must be an integer {low}-{high}" + (" or null" if nullable else ""))
        else:
            out[name] = value


def _scheduling_type_field(kind: Any, owner_kind: OwnerKind, errors: _Errors) -> Any:
    if kind not in SCHEDULING_TYPES:
        errors.add("scheduling_type", "must be individual, group or collective")
    elif kind == "individual" and owner_kind != "user":
        errors.add("scheduling_type", "individual event types are owned by a user, not a team")
    elif kind == "collective" and owner_kind != "team":
        errors.add("scheduling_type", "collective (round robin) event types are owned by a team")
    return kind


def _seats_field(seats: Any, kind: Any, errors: _Errors) -> Any:
    if kind == "group":
        if not _is_int(seats) or not 2 <= seats <= 9999:
            errors.add("seats", "must be an integer 2-9999 for group event types")
        return seats
    if seats is not None and kind in SCHEDULING_TYPES:
        errors.add("seats", "must be null unless scheduling_type is group")
    return None


def _boolean_fields(merged: Mapping[str, Any], out: dict[str, Any], errors: _Errors) -> None:
    for name in _BOOLEANS:
        value = merged.get(name)
        if not isinstance(value, bool):
            errors.add(name, "must be true or false")
        out[name] = value


def _allow_series_field(allow_series: Any, kind: Any, errors: _Errors) -> None:
    """35-series §13.4: a group session belongs to many registrations, so group takes no series."""
    if kind == "group" and allow_series is True:
        errors.add("allow_series", "must be false for group event types")


def _color_field(color: Any, errors: _Errors) -> Any:
    if not isinstance(color, str) or not COLOR_RE.match(color):
        errors.add("color", "must be #rrggbb")
        return color
    return color.lower()


def _questions_field(value: Any, errors: _Errors) -> list[dict[str, Any]]:
    questions = _list_of(value, "questions", MAX_QUESTIONS, _question, errors)
    keys: set[str] = set()
    labels: set[str] = set()
    for index, question in enumerate(questions):
        if question["key"] in keys:
            errors.add(f"questions[{index}].key", "is used by another question")
        if question["label"] in labels:
            errors.add(f"questions[{index}].label", "is used by another question")
        keys.add(question["key"])
        labels.add(question["label"])
    return questions


def _schedule_id_field(
    schedule_id: Any, owner_kind: OwnerKind, owner_schedule_ids: frozenset[str], errors: _Errors
) -> Any:
    if schedule_id is None:
        return None
    normalized = normalize_uuid(schedule_id) if isinstance(schedule_id, str) else None
    if owner_kind != "user":
        errors.add("schedule_id", "only user-owned event types take a schedule_id")
    elif normalized is None or normalized not in owner_schedule_ids:
        errors.add("schedule_id", "must be one of the owner's schedules")
    return normalized


def parse_event_type_document(
    document: Any,
    *,
    owner_kind: OwnerKind,
    base: Mapping[str, Any] | None = None,
    owner_schedule_ids: frozenset[str] = frozenset(),
    extra_fields: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Validate a document and return every field of `DOCUMENT_FIELDS`, normalised.

    `base` (update): the current fields; fields the document leaves out keep their value, and an
    explicit `null` resets a nullable field. When the update changes `scheduling_type` without
    giving `seats`, `seats` takes the new kind's default. `owner_schedule_ids`: the schedules a
    user owner may name in `schedule_id`. `extra_fields` are tolerated and ignored (seed `key`,
    `owner`, `team`). Raises `EventTypeDocumentError`.
    """
    if not isinstance(document, Mapping):
        raise EventTypeDocumentError([("", "must be an object")])
    errors = _Errors()
    for key in document:
        if key not in DOCUMENT_FIELDS and key not in extra_fields:
            errors.add(str(key), "is not a known field")
    merged = _merged_document(document, base)

    # Checked in this order: errors of one field keep it (they are then sorted by document order).
    out: dict[str, Any] = {}
    out["slug"] = _slug_field(merged.get("slug"), errors)
    out["title"] = _title_field(merged.get("title"), errors)
    out["description"] = _text(
        merged.get("description"), "description", errors, max_len=MAX_DESCRIPTION, min_len=0, nullable=True
    )
    _integer_fields(merged, out, errors)
    kind = _scheduling_type_field(merged.get("scheduling_type"), owner_kind, errors)
    out["scheduling_type"] = kind
    out["seats"] = _seats_field(merged.get("seats"), kind, errors)
    _boolean_fields(merged, out, errors)
    _allow_series_field(merged.get("allow_series"), kind, errors)
    out["color"] = _color_field(merged.get("color"), errors)
    out["locations"] = _list_of(merged.get("locations"), "locations", MAX_LOCATIONS, _location, errors)
    out["questions"] = _questions_field(merged.get("questions"), errors)
    out["schedule_id"] = _schedule_id_field(merged.get("schedule_id"), owner_kind, owner_schedule_ids, errors)

    if errors.items:
        raise EventTypeDocumentError(_in_document_order(errors.items, document))
    return out


def rules_of(record: Mapping[str, Any], timezone: str | None) -> EventTypeRules:
    """The slot engine's view of a stored event type record; `timezone` is its exposed `timezone`.

    Takes the stored record because `store/availability.load_inputs` still passes one.
    """
    return EventTypeRules(
        id=record["id"],
        duration_minutes=record["duration_minutes"],
        scheduling_type=SchedulingType(record["scheduling_type"]),
        team_owned=record.get("owner_team_id") is not None,
        active=record["active"],
        slot_increment_minutes=record.get("slot_increment_minutes"),
        buffer_before_minutes=record["buffer_before_minutes"],
        buffer_after_minutes=record["buffer_after_minutes"],
        minimum_notice_minutes=record["minimum_notice_minutes"],
        future_limit_days=record["future_limit_days"],
        max_bookings_per_day=record.get("max_bookings_per_day"),
        max_bookings_per_week=record.get("max_bookings_per_week"),
        max_bookings_per_month=record.get("max_bookings_per_month"),
        seats=record.get("seats"),
        timezone=timezone,
    )


# --------------------------------------------------------------------------- identifiers


@dataclass(frozen=True, slots=True)
class ByUsernameSlug:
    username: str
    slug: str


IdentifierKind = Literal["id", "username_slug", "bare_slug", "malformed"]


def classify_identifier(decoded: str) -> tuple[IdentifierKind, str | ByUsernameSlug | None]:
    """§3.4 rules 1–4 on the percent-decoded identifier."""
    as_uuid = normalize_uuid(decoded)
    if as_uuid is not None:
        return "id", as_uuid
    if decoded.count("/") == 1:
        username, slug = decoded.split("/")
        if username and slug:
            return "username_slug", ByUsernameSlug(username.lower(), slug.lower())
        return "malformed", None
    if "/" not in decoded and decoded:
        return "bare_slug", None
    return "malformed", None
