"""Field errors in the shape of `details.fields` (00-conventions §5.2)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    """One `{ "field": …, "message": … }` entry of a `400 validation_error`."""

    field: str
    message: str

    def to_api(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}
