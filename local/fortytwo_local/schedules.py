"""Schedule documents for seed files and `admin schedule set`: the domain parser with CLI error paths."""

from __future__ import annotations

from typing import Any

from fortytwo.domain.scheduling.schedule_parse import (
    ScheduleDocumentError,
    parse_schedule_document,
    schedule_to_document,
)
from fortytwo_local.provisioning import ProvisioningError


def validate_schedule_document(doc: Any, path: str) -> dict[str, Any]:
    """The normalised document (ranges sorted, all fields present) or a path-precise error."""
    try:
        parsed = parse_schedule_document(doc)
    except ScheduleDocumentError as exc:
        raise ProvisioningError(f"{path}.{exc.path}" if exc.path else path, exc.message) from exc
    return schedule_to_document(parsed.schedule, parsed.out_of_office)
