"""The seed document shared by integration and end-to-end tests (tests/e2e/seed.yaml)."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from tests.support.aws import ROOT

SEED_FILE = ROOT / "tests" / "e2e" / "seed.yaml"


@cache
def _raw() -> str:
    return SEED_FILE.read_text()


def e2e_seed() -> dict[str, Any]:
    """A fresh copy each call (usernames are unique system-wide, so seed once per isolated table)."""
    return yaml.safe_load(_raw())
