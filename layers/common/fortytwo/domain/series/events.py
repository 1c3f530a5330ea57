"""The `series.*` webhook events (35-series §12.2, extension) and their `data`.

`data.series` is the `GET /v1/series/{uid}` object just after the change, in snake_case. The
event is written by the final transaction of the operation, after its booking events; replays,
no-ops and errors emit nothing. Adding these names to the subscription catalogue (40-webhooks
§4.2, §6.1) is part of the service work (§13.6).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fortytwo.domain.series.actions import Finished
from fortytwo.domain.series.model import HostRef
from fortytwo.domain.webhooks.events import CATALOGUE

# REST name -> delivery name, in §12.2 order (the webhook catalogue holds them).
SERIES_EVENTS: dict[str, str] = {rest: dot for rest, dot in CATALOGUE.items() if dot.startswith("series.")}


def created(series_view: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    return "series.created", {"series": dict(series_view)}


def updated(series_view: Mapping[str, Any], changed_fields: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """`changed_fields`: the writable fields present in the body, sorted."""
    return "series.updated", {"series": dict(series_view), "changed_fields": sorted(changed_fields)}


def paused(series_view: Mapping[str, Any], finished: Finished) -> tuple[str, dict[str, Any]]:
    return "series.paused", {
        "series": dict(series_view),
        "held": finished.result["held"],
        "owed": finished.result["owed"],
    }


def resumed(series_view: Mapping[str, Any], finished: Finished) -> tuple[str, dict[str, Any]]:
    result = finished.result
    return "series.resumed", {
        "series": dict(series_view),
        "created": result["created"],
        "owed": result["owed"],
        "skipped": list(result["skipped"]),
    }


def ended(series_view: Mapping[str, Any], finished: Finished) -> tuple[str, dict[str, Any]]:
    return "series.ended", {"series": dict(series_view), "canceled": finished.result["canceled"]}


def host_changed(
    series_view: Mapping[str, Any], finished: Finished, previous_host: HostRef
) -> tuple[str, dict[str, Any]]:
    return "series.host_changed", {
        "series": dict(series_view),
        "previous_host": previous_host.to_api(),
        "moved": finished.result["moved"],
        "unchanged": finished.result["unchanged"],
    }


def action_result(finished: Finished, series_view: Mapping[str, Any]) -> dict[str, Any]:
    """The action result of §10.1: only the fields of this action, then `series`."""
    return {**finished.result, "series": dict(series_view)}
