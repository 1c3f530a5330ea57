"""Shared field types of the contract models (00-conventions §7) and their base class.

Instants and ids are strings with the output pattern, not `datetime`/`UUID`: a model then
validates exactly what the API writes, and `model_dump` gives the same JSON back.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
INSTANT_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"

Uuid = Annotated[str, Field(pattern=UUID_PATTERN, json_schema_extra={"format": "uuid"})]
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

    model_config = ConfigDict(extra="ignore", frozen=True)
