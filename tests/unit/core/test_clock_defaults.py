"""Defaults that hold a clock must read `clock.now` when called, not when imported.

A frozen test clock installed while such a module is first imported used to stay in it for the
rest of the process (CI failure: webhook tests saw another module's 2026-05-18 clock).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fortytwo.domain import clock

MOMENT = datetime(2001, 2, 3, 4, 5, tzinfo=UTC)


def test_outbound_default_clock_follows_a_replaced_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    from fortytwo.services.webhooks import Outbound

    monkeypatch.setattr(clock, "now", lambda: MOMENT)
    assert Outbound().now() == MOMENT


def test_fanout_default_clock_follows_a_replaced_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support import aws

    fanout = aws.function_module("webhook_fanout")
    monkeypatch.setattr(clock, "now", lambda: MOMENT)
    assert fanout.Dependencies().now() == MOMENT
