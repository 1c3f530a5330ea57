"""cfn-lint, `sam validate --lint` and `sam build` (no Docker, python3.12 from the venv).

They run on one xdist worker, one after the other: each is CPU-heavy and the machine has two cores.
`sam build` installs the layer's requirements, so it needs the package index, as `make install` does.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench import deploy_check
from tests.support import aws

pytestmark = pytest.mark.xdist_group("sam")


@pytest.mark.slow
def test_cfn_lint_is_clean() -> None:
    from cfnlint.api import ManualArgs, lint_file

    matches = lint_file(aws.TEMPLATE, config=ManualArgs(regions=["us-east-1"]))
    assert [str(m) for m in matches] == []


@pytest.mark.slow
def test_sam_validate_lint_is_clean(tmp_path: Path) -> None:
    proc = subprocess.run(
        [*deploy_check.sam_command(), "validate", "--lint", "--template-file", str(aws.TEMPLATE)],
        cwd=tmp_path,
        env=deploy_check.sam_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "is a valid SAM Template" in proc.stdout + proc.stderr


@pytest.mark.slow
def test_sam_build_without_docker(tmp_path: Path) -> None:
    if not (Path(sys.executable).parent / "python3.12").exists():
        pytest.fail("sam build needs python3.12 (the Lambda runtime) in the venv: recreate it with 3.12")
    built = deploy_check.build(tmp_path / "build")
    from fortytwo_local.devstack.cfn_yaml import load_cfn_file

    resources = load_cfn_file(built)["Resources"]
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::Serverless::Function":
            code = tmp_path / "build" / logical_id
            assert (code / "app.py").is_file(), f"{logical_id}: no app.py in the build"
            assert not (code / "fortytwo").exists(), f"{logical_id}: shared code belongs in the layer"
        elif resource["Type"] == "AWS::Serverless::LayerVersion":
            python = tmp_path / "build" / logical_id / "python"
            for package in ("fortytwo", "fastapi", "mangum", "aws_lambda_powertools", "pydantic_core"):
                assert (python / package).is_dir(), f"the layer lacks {package}"
            # pydantic-core must be the manylinux build for the Lambda runtime, not a local one.
            assert list(python.glob("pydantic_core/_pydantic_core.cpython-312-x86_64-linux-gnu.so"))
            # Bytecode ships in the layer (/opt is read-only), for 3.12, checked by hash only.
            for source in (python / "fortytwo").rglob("*.py"):
                compiled = source.parent / "__pycache__" / f"{source.stem}.cpython-312.pyc"
                assert compiled.is_file(), f"no bytecode for {source}"
                flags = int.from_bytes(compiled.read_bytes()[4:8], "little")
                assert flags == 0b01, f"{compiled}: not an unchecked-hash pyc"
    # Each function ships only its own code (`make deploy-check` also reports the layer's budget).
    for artifact in deploy_check.report(tmp_path / "build")["artifacts"]:
        if artifact["kind"] == "function":
            assert artifact["within_budget"], artifact
