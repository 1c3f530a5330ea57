"""Rule failures of the series domain, named by the contract's error codes (35-series §14)."""

from __future__ import annotations

from fortytwo.domain.bookings.errors import BookingRuleError


class SeriesRuleError(BookingRuleError):
    """A series rule refused the request; mapped to its API error exactly as booking rule errors."""
