"""The lock files hold every dependency at one version: the dev lock satisfies pyproject, and the layer
lock ships exactly the versions the tests run against, without what the Lambda runtime provides."""

from __future__ import annotations

import re
import tomllib
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.infra.test_layer import RUNTIME_PROVIDED, closure
from tests.support import aws

LAYER = aws.ROOT / "layers" / "common"
LAMBDA = {
    "python_version": "3.12",
    "python_full_version": "3.12.0",
    "sys_platform": "linux",
    "platform_system": "Linux",
}
PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*==[^\s\\]+(?: ; [^\\]+)?)", re.M)


def locked(path: str) -> dict[str, str]:
    """Distribution → pinned version of a lock file (uv's `requirements.txt` output with hashes), as
    installed on Lambda's Python 3.12 on Linux (the dev lock forks a few pins by platform or version)."""
    pins = {}
    for line in PINNED.findall((aws.ROOT / path).read_text()):
        requirement = Requirement(line.strip())
        if requirement.marker is None or requirement.marker.evaluate(LAMBDA):
            (spec,) = requirement.specifier
            pins[canonicalize_name(requirement.name)] = spec.version
    return pins


def requirements(entries: list[str]) -> list[Requirement]:
    return [Requirement(entry) for entry in entries]


def project() -> dict[str, Any]:
    return tomllib.loads((aws.ROOT / "pyproject.toml").read_text())["project"]


def test_every_pin_carries_hashes() -> None:
    for path in ("requirements-dev.lock", "layers/common/requirements.lock"):
        blocks = re.split(r"\n(?=[A-Za-z0-9])", (aws.ROOT / path).read_text())
        pins = [block for block in blocks if PINNED.match(block)]
        assert pins, path
        for block in pins:
            assert "--hash=sha256:" in block, f"{path}: {block.splitlines()[0]} has no hash"


def test_dev_lock_satisfies_every_project_requirement() -> None:
    pins = locked("requirements-dev.lock")
    wanted = requirements(project()["dependencies"]) + requirements(project()["optional-dependencies"]["dev"])
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in requirements-dev.lock: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"requirements-dev.lock pins {name}=={pins[name]}, pyproject wants {requirement}: run `make lock`"
        )


def test_moto_is_pinned_exactly() -> None:
    """The local stack reaches into moto's internals: another moto version is another local stack."""
    (moto,) = [r for r in requirements(project()["dependencies"]) if r.name == "moto"]
    (spec,) = moto.specifier
    assert spec.operator == "==", moto
    assert locked("requirements-dev.lock")["moto"] == spec.version


def test_layer_lock_ships_the_tested_versions() -> None:
    dev, layer = locked("requirements-dev.lock"), locked("layers/common/requirements.lock")
    differing = {
        name: (version, dev.get(name)) for name, version in layer.items() if dev.get(name) != version
    }
    assert not differing, f"layer lock vs dev lock (layer, dev): {differing}: run `make lock`"


def test_layer_lock_covers_its_requirements_without_the_runtimes_packages() -> None:
    layer = locked("layers/common/requirements.lock")
    lines = (LAYER / "requirements.txt").read_text().splitlines()
    for requirement in requirements([ln.split("#")[0].strip() for ln in lines if ln.split("#")[0].strip()]):
        name = canonicalize_name(requirement.name)
        assert name in layer and requirement.specifier.contains(layer[name]), (
            f"{requirement}: run `make lock`"
        )
    shadowed = closure([Requirement(RUNTIME_PROVIDED)]) & set(layer)
    assert not shadowed, f"the Lambda runtime provides {sorted(shadowed)}; the layer must not shadow them"
