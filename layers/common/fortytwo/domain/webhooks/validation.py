"""Field validation of `POST /v1/webhooks` and `PATCH /v1/webhooks/{id}` bodies (40-webhooks §4.2).

Only the `400 validation_error` checks live here (the body already parsed to a JSON object).
The destination check (422) and the duplicate check (409) come later, in the endpoint order
of §5. Errors come out in body order; missing required fields follow, in field order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fortytwo.domain.webhooks.errors import FieldError
from fortytwo.domain.webhooks.events import validate_events
from fortytwo.domain.webhooks.health import STATUSES, Status
from fortytwo.domain.webhooks.url_policy import UrlSyntaxError, WebhookUrl, parse_webhook_url

MAX_DESCRIPTION_LENGTH = 255


@dataclass(frozen=True, slots=True)
class CreateInput:
    url: WebhookUrl
    events: tuple[str, ...]
    description: str | None


@dataclass(frozen=True, slots=True)
class PatchInput:
    """Absent fields are None, except `description`, whose presence is `description_set`
    because `null` is a legal value there."""

    url: WebhookUrl | None = None
    events: tuple[str, ...] | None = None
    description_set: bool = False
    description: str | None = None
    status: Status | None = None


def _url(value: object, allow_insecure: bool) -> tuple[WebhookUrl | None, list[FieldError]]:
    if value is None:
        return None, [FieldError("url", "must be a string, not null")]
    try:
        return parse_webhook_url(value, allow_insecure=allow_insecure), []
    except UrlSyntaxError as exc:
        return None, [FieldError("url", exc.message)]


def _description(value: object) -> tuple[str | None, list[FieldError]]:
    if value is None:
        return None, []
    if not isinstance(value, str):
        return None, [FieldError("description", "must be a string or null")]
    if len(value) > MAX_DESCRIPTION_LENGTH:  # Python counts code points, as the contract does
        return None, [FieldError("description", f"must be at most {MAX_DESCRIPTION_LENGTH} characters")]
    return (value or None), []  # "" is stored as null


def _status(value: object) -> tuple[Status | None, list[FieldError]]:
    if isinstance(value, str) and value in STATUSES:
        return value, []
    return None, [FieldError("status", "must be 'active' or 'paused'")]


def validate_create(
    body: Mapping[str, Any], *, allow_insecure: bool = False
) -> CreateInput | list[FieldError]:
    """A `CreateInput`, or the `details.fields` list. `status` and unknown fields are ignored."""
    errors: list[FieldError] = []
    url: WebhookUrl | None = None
    events: tuple[str, ...] | None = None
    description: str | None = None
    for key, value in body.items():
        if key == "url":
            url, errs = _url(value, allow_insecure)
        elif key == "events":
            events, errs = validate_events(value)
        elif key == "description":
            description, errs = _description(value)
        else:
            continue
        errors.extend(errs)
    if "url" not in body:
        errors.append(FieldError("url", "is required"))
    if "events" not in body:
        errors.append(FieldError("events", "is required"))
    if errors:
        return errors
    assert url is not None and events is not None
    return CreateInput(url, events, description)


def validate_patch(body: Mapping[str, Any], *, allow_insecure: bool = False) -> PatchInput | list[FieldError]:
    """A `PatchInput` (`{}` is a valid no-op), or the `details.fields` list."""
    errors: list[FieldError] = []
    fields: dict[str, Any] = {}
    for key, value in body.items():
        if key == "url":
            fields["url"], errs = _url(value, allow_insecure)
        elif key == "events":
            fields["events"], errs = validate_events(value)
        elif key == "description":
            fields["description"], errs = _description(value)
            fields["description_set"] = True
        elif key == "status":
            fields["status"], errs = _status(value)
        else:
            continue
        errors.extend(errs)
    if errors:
        return errors
    return PatchInput(**fields)
