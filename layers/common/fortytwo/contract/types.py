"""Shared field types of the contract models (00-conventions §7) and their base class.

Instants and ids are strings with the output pattern, not `datetime`/`UUID`: a model then
validates exactly what the API writes, and `model_dump` gives the same JSON back.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
# Ids in requests compare case-insensitively (00-conventions §7): any case in, lower case out.
INPUT_UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
INSTANT_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"

Uuid = Annotated[str, Field(pattern=UUID_PATTERN, json_schema_extra={"format": "uuid"})]
InputUuid = Annotated[
    str, Field(pattern=INPUT_UUID_PATTERN, json_schema_extra={"format": "uuid"}), AfterValidator(str.lower)
]
LocalDate = Annotated[str, Field(pattern=DATE_PATTERN, json_schema_extra={"format": "date"})]
LocalTime = Annotated[str, Field(pattern=TIME_PATTERN, description="HH:MM, 24-hour clock.")]
Instant = Annotated[
    str,
    Field(
        pattern=INSTANT_PATTERN,
        json_schema_extra={"format": "date-time", "examples": ["2026-05-20T10:00:00.000Z"]},
    ),
]
InputInstant = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Email = Annotated[str, Field(json_schema_extra={"format": "email"})]
Url = Annotated[str, Field(json_schema_extra={"format": "uri"})]
JsonObject = dict[str, Any]


def omitted(description: str | None = None, **kw: Any) -> Any:
    """A member that is absent (never `null`) when it has no value: "present only when …" (§4.1).

    Its schema is the member's type, not required; the generator drops the `null` default."""
    return Field(default=None, description=description, **kw)


class ContractModel(BaseModel):
    """Base of every contract model. Unknown members are ignored (00-conventions §9)."""

    # The schema is built at first use: a cold start builds only the models its request needs.
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)


class NullIsAbsent(BaseModel):
    """Mixin of the create bodies: a member sent as `null` is "not given" (30-bookings §5.1,
    35-series §6.1), in nested create objects too; a required member sent as `null` is missing.
    (Not a `ContractModel`: it names no schema of its own.)"""

    @model_validator(mode="before")
    @classmethod
    def _null_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {name: value for name, value in data.items() if value is not None}
        return data


def max_length(model: type[BaseModel], name: str) -> int:
    """The `max_length` `model` declares for member `name`: the ordered checks read their limits
    here, so a limit is stated once."""
    for item in model.model_fields[name].metadata:
        limit = getattr(item, "max_length", None)
        if limit is not None:
            return int(limit)
    raise LookupError(f"{model.__name__}.{name} declares no max_length")


def bounds(model: type[BaseModel], name: str) -> tuple[int, int]:
    """The inclusive range (`ge`, `le`) `model` declares for the integer member `name`."""
    low = high = None
    for item in model.model_fields[name].metadata:
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    if low is None or high is None:
        raise LookupError(f"{model.__name__}.{name} declares no range")
    return int(low), int(high)
