"""`42min admin booking no-show UID [--reason R]` (30-bookings §2.2, 40-webhooks §6.1).

Marks an active booking that has started as a no-show: `no_show_at` = now, `no_show_reason`,
`version` + 1, and `booking.no_show` in the same transaction. The status does not change and the
time stays occupied. An already marked booking is left unchanged and emits nothing.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def cmd_no_show(args: argparse.Namespace) -> int:
    from fortytwo.domain import clock
    from fortytwo.domain.bookings.errors import BookingRuleError
    from fortytwo.domain.bookings.model import to_rest
    from fortytwo.domain.ids import normalize_uuid
    from fortytwo.services import bookings
    from fortytwo_local.cli import CliError, _backend, emit

    _backend(args)
    uid = normalize_uuid(args.uid)
    if uid is None:
        raise CliError(f"no booking {args.uid!r}")
    try:
        booking, changed = bookings.mark_no_show(uid, args.reason, clock.now())
    except BookingRuleError as exc:
        raise CliError(
            exc.message if exc.code != "booking_not_found" else f"no booking {args.uid!r}"
        ) from exc
    summary = (
        f"marked booking {uid} as a no-show (version {booking.version})"
        if changed
        else f"booking {uid} was already marked as a no-show; nothing changed"
    )
    emit(args, {"changed": changed, "booking": to_rest(booking)}, summary)
    return 0


def register(admin: Any, command: Callable[..., None]) -> None:
    group = admin.add_parser("booking", help="bookings").add_subparsers(dest="action", required=True)
    no_show = group.add_parser("no-show", help="mark a booking that has started as a no-show")
    no_show.add_argument("uid", help="the booking's uid")
    no_show.add_argument("--reason", help="stored as no_show_reason")
    command(no_show, cmd_no_show)
