"""Host assignment (30-bookings §5.5, §7): which of the hosts the slot engine found free takes the booking.

`candidates` is `Evaluation.candidate_host_ids` (best-ranked first). For a user-owned event type it
is just the owner; for a group start with a session it is just the session's host.
"""

from __future__ import annotations

from collections.abc import Sequence


def choose_host(candidates: Sequence[str], *, keep: str | None = None) -> str:
    """The best-ranked free host, or `keep` (the original host of a reschedule) when it is free.

    Round robin keeps the original host when free at the new start; a group registration that opens
    a new session prefers its original host the same way. The ranking of `/v1/slots` is only
    advisory: at commit time the best-ranked host that is free *now* wins.
    """
    if not candidates:
        raise ValueError("no free host")
    if keep is not None and keep in candidates:
        return keep
    return candidates[0]
