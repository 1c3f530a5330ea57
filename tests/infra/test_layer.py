"""The shared layer's requirements match pyproject's runtime dependencies and cover what the deployed
code imports: what runs in Lambda is what the tests ran against."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support import aws

LAYER = aws.ROOT / "layers" / "common"
# boto3 and its dependencies ship with the Lambda Python runtime (pyproject lists boto3 for local use).
RUNTIME_PROVIDED = "boto3"
# Needed as data, never imported: zoneinfo reads it when the OS has no zone database (Lambda's).
DATA_ONLY = {"tzdata"}


def layer_requirements() -> list[Requirement]:
    lines = (LAYER / "requirements.txt").read_text().splitlines()
    return [Requirement(line) for line in (ln.split("#")[0].strip() for ln in lines) if line]


def project_requirements() -> dict[str, Requirement]:
    project = tomllib.loads((aws.ROOT / "pyproject.toml").read_text())["project"]
    return {canonicalize_name(r.name): r for r in map(Requirement, project["dependencies"])}


def closure(roots: Iterable[Requirement]) -> set[str]:
    """Distribution names of `roots` and everything they install (extras honoured), per installed metadata."""
    seen: set[str] = set()
    pending = [(canonicalize_name(r.name), set(r.extras)) for r in roots]
    while pending:
        name, extras = pending.pop()
        if name in seen and not extras:
            continue
        seen.add(name)
        for raw in metadata.requires(name) or []:
            dep = Requirement(raw)
            environments = [{"extra": e} for e in extras] or [{"extra": ""}]
            if dep.marker is None or any(dep.marker.evaluate(env) for env in environments):
                pending.append((canonicalize_name(dep.name), set(dep.extras)))
    return seen


def deployed_sources() -> list[Path]:
    return sorted((LAYER / "fortytwo").rglob("*.py")) + sorted((aws.ROOT / "functions").glob("*/*.py"))


def imported_top_levels(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@cache
def imported_distributions() -> dict[str, set[str]]:
    """Third-party distribution → the deployed files that import it."""
    owners = metadata.packages_distributions()
    found: dict[str, set[str]] = {}
    for path in deployed_sources():
        for module in imported_top_levels(path) - set(sys.stdlib_module_names) - {"fortytwo", "__future__"}:
            assert module in owners, (
                f"{path.relative_to(aws.ROOT)} imports {module!r}, which nothing installs"
            )
            for dist in owners[module]:
                found.setdefault(canonicalize_name(dist), set()).add(str(path.relative_to(aws.ROOT)))
    return found


def test_layer_requirements_are_pyprojects_runtime_dependencies() -> None:
    project = project_requirements()
    for requirement in layer_requirements():
        name = canonicalize_name(requirement.name)
        assert name in project, f"{requirement} is in the layer but not in pyproject.toml"
        mirrored = project[name]
        assert (mirrored.extras, mirrored.specifier) == (requirement.extras, requirement.specifier), (
            f"layer pins {requirement}, pyproject {mirrored}"
        )


def test_layer_does_not_ship_what_lambda_provides() -> None:
    provided = closure([Requirement(RUNTIME_PROVIDED)])
    names = {canonicalize_name(r.name) for r in layer_requirements()}
    assert not names & provided


def test_every_import_of_deployed_code_is_installed_in_lambda() -> None:
    available = closure(layer_requirements()) | closure([Requirement(RUNTIME_PROVIDED)])
    missing = {dist: files for dist, files in imported_distributions().items() if dist not in available}
    assert not missing, f"imported by deployed code but neither in the layer nor the runtime: {missing}"


def test_every_layer_requirement_is_used() -> None:
    used = set(imported_distributions()) | DATA_ONLY
    unused = {canonicalize_name(r.name) for r in layer_requirements()} - used
    assert not unused, f"layer requirements nothing deployed imports: {sorted(unused)}"


def test_runtime_dependencies_of_pyproject_are_in_the_layer() -> None:
    """pyproject dependencies that deployed code imports must be in the layer (boto3 excepted)."""
    layer = {canonicalize_name(r.name) for r in layer_requirements()}
    imported = set(imported_distributions())
    project = set(project_requirements())
    assert (project & imported) - layer <= closure([Requirement(RUNTIME_PROVIDED)])


def _dry_run(
    tmp_path: Path, template: Path, python: str = sys.executable
) -> subprocess.CompletedProcess[str]:
    """`make -n build-CommonLayer` as SAM runs it (from a scratch copy, so only the Makefile's own
    location leads to the template), printing the commands instead of running them."""
    return subprocess.run(
        [
            "make",
            "-n",
            "--makefile",
            str(LAYER / "Makefile"),
            "build-CommonLayer",
            f"ARTIFACTS_DIR={tmp_path / 'artifacts'}",
            f"TEMPLATE={template}",
            f"PYTHON={python}",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(("architecture", "platform"), [("x86_64", "x86_64"), ("arm64", "aarch64")])
def test_layer_build_follows_the_template_and_ships_bytecode(
    tmp_path: Path, architecture: str, platform: str
) -> None:
    """Issue 17 §2: wheels for the template's `Architectures`, Python 3.12's markers and bytecode
    compiled into the layer (Lambda's /opt is read-only), used without a source mtime check."""
    declared = aws.load_template()["Globals"]["Function"]["Architectures"]
    assert declared == ["x86_64"]
    text = aws.TEMPLATE.read_text().replace("Architectures: [x86_64]", f"Architectures: [{architecture}]")
    template = tmp_path / "template.yaml"
    template.write_text(text)
    proc = _dry_run(tmp_path, template)
    assert proc.returncode == 0, proc.stderr
    commands = proc.stdout
    assert f"--platform manylinux2014_{platform}" in commands
    assert "--python-version 3.12" in commands and "--no-compile" in commands
    compile_line = next(line for line in commands.splitlines() if "compileall" in line)
    assert "--invalidation-mode unchecked-hash" in compile_line
    assert commands.index("compileall") > commands.index("__pycache__")  # nothing removes the bytecode
    # The real template's value is what a build without TEMPLATE= reads.
    default = subprocess.run(
        ["make", "-n", "build-CommonLayer", f"ARTIFACTS_DIR={tmp_path / 'a'}", f"PYTHON={sys.executable}"],
        cwd=LAYER,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "--platform manylinux2014_x86_64" in default.stdout, default.stderr


def test_layer_build_refuses_another_python_or_architecture(tmp_path: Path) -> None:
    not_312 = tmp_path / "python3.11"
    not_312.write_text("#!/bin/sh\nexec /usr/bin/env python3 -c 'import sys; sys.exit(1)'\n")
    not_312.chmod(0o755)
    proc = subprocess.run(
        ["make", "--makefile", str(LAYER / "Makefile"), "check-python", f"PYTHON={not_312}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0 and "needs Python 3.12" in proc.stderr
    template = tmp_path / "template.yaml"
    template.write_text(aws.TEMPLATE.read_text().replace("Architectures: [x86_64]", "Architectures: [mips]"))
    proc = subprocess.run(
        ["make", "--makefile", str(LAYER / "Makefile"), "check-platform", f"TEMPLATE={template}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0 and "unknown Architectures 'mips'" in proc.stderr
