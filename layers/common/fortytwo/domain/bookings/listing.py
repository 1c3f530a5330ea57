"""`GET /v1/bookings` (30-bookings §3): the normalised query and the sort orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fortytwo.domain.bookings.model import STATUSES, Booking
from fortytwo.domain.timefmt import format_ts

SORTS: dict[str, tuple[str, bool]] = {  # sort → (sort field, ascending)
    "start_at_desc": ("start_at", False),
    "start_at_asc": ("start_at", True),
    "created_at_desc": ("created_at", False),
    "created_at_asc": ("created_at", True),
    "updated_at_asc": ("updated_at", True),
    "updated_at_desc": ("updated_at", False),
}


# Other spellings the `status` filter accepts (30-bookings §3): 42min's n8n node suggests
# `confirmed,cancelled`.
STATUS_ALIASES: dict[str, str] = {"cancelled": "canceled"}


def status_filter_value(item: str) -> str | None:
    """One item of the `status` filter as the stored status, or None when it names none."""
    item = STATUS_ALIASES.get(item, item)
    return item if item in STATUSES else None


@dataclass(frozen=True)
class ListQuery:
    """Normalised filters of `GET /v1/bookings` (30-bookings §3); every filter combines with AND."""

    org_id: str
    sort: str = "start_at_desc"
    limit: int = 20
    after: tuple[str, str] | None = None  # (sort value, uid) of the previous page's last item
    statuses: tuple[str, ...] | None = None
    exclude_canceled: bool = False
    event_type_id: str | None = None
    series_id: str | None = None  # meetings of one recurring series (35-series §5.3)
    host_ids: tuple[str, ...] | None = None
    attendee_email: str | None = None
    start_from: datetime | None = None
    start_to: datetime | None = None
    updated_since: datetime | None = None


def sort_value(booking: Booking, sort: str) -> str:
    field_name, _ = SORTS[sort]
    return format_ts(getattr(booking, field_name))
