"""The devstack reaches moto and botocore internals through one adapter, written for one moto."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fortytwo_local.devstack import moto_internals
from fortytwo_local.devstack.emulator import Emulator
from fortytwo_local.devstack.template import load_template

DEVSTACK = Path(moto_internals.__file__).parent
FIXTURE = Path(__file__).parent / "fixture" / "template.yaml"
_INTERNAL_IMPORT = re.compile(
    r"^\s*(from|import)\s+(moto\b|botocore\.(handlers|awsrequest|endpoint|httpsession|hooks))", re.M
)


def test_the_installed_moto_is_the_release_the_adapter_was_written_for() -> None:
    # Fails on any other moto: upgrade by re-reading the pinned sources, then the pins.
    assert moto_internals.installed_moto_version() == moto_internals.MOTO_VERSION
    moto_internals.require_pinned_moto()


def test_another_moto_version_is_refused_with_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(moto_internals, "installed_moto_version", lambda: "5.3.0")
    with pytest.raises(moto_internals.MotoMismatchError) as caught:
        moto_internals.require_pinned_moto()
    message = str(caught.value)
    assert f"moto=={moto_internals.MOTO_VERSION}" in message and "5.3.0" in message


def test_changed_moto_sources_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(moto_internals._PINNED_SOURCES, "moto.sqs.models:Message.__init__", "f" * 16)
    with pytest.raises(moto_internals.MotoMismatchError, match="Message.__init__"):
        moto_internals.require_pinned_moto()


def test_the_stack_does_not_start_on_another_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(moto_internals, "installed_moto_version", lambda: "5.1.0")
    emulator = Emulator(load_template(FIXTURE))
    with pytest.raises(moto_internals.MotoMismatchError, match="needs moto=="):
        emulator.start()
    assert emulator.endpoint_url == ""


def test_only_the_adapter_imports_moto_or_patches_botocore() -> None:
    offenders = [
        path.name
        for path in DEVSTACK.glob("*.py")
        if path.name != "moto_internals.py" and _INTERNAL_IMPORT.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert not (DEVSTACK / "aws_transport.py").exists()
