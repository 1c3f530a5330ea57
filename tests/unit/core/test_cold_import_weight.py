"""What a cold start must not import (issue 18, goal 1; the timing itself is bench/cold_import.py).

Each check imports a function module in a fresh interpreter, with the environment the template
gives it by default (SDK tracing off), and lists the heavy modules it loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import aws

ROOT = Path(__file__).resolve().parents[3]
HEAVY = (
    "aws_xray_sdk.core",  # only with SdkTracing=true
    "boto3",  # loaded by the first client a request builds
    "botocore.config",
    "aws_lambda_powertools.utilities.idempotency",  # only when a booking write runs
    "pydantic.v1",  # FastAPI's check of declared route parameters
)

_CHILD = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(json.dumps([name for name in json.loads(sys.argv[2]) if name in sys.modules]))
"""


def _loaded(group: str, tracing: bool = False) -> list[str]:
    env = {**os.environ, **aws.ENV, "LAMBDA_TASK_ROOT": str(ROOT / "functions" / group)}
    env["POWERTOOLS_TRACE_DISABLED"] = "false" if tracing else "true"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "layers" / "common"), env.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(ROOT / "functions" / group / "app.py"), json.dumps(HEAVY)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found: list[str] = json.loads(proc.stdout.strip().splitlines()[-1])
    return found


@pytest.mark.parametrize(
    "group", ["meta", "bookings", "series", "webhooks", "slots", "event_types", "oauth", "mcp", "admin"]
)
def test_api_functions_import_none_of_the_heavy_modules(group: str) -> None:
    assert _loaded(group) == []


def test_sdk_tracing_on_builds_the_tracer_and_its_sdk() -> None:
    assert "aws_xray_sdk.core" in _loaded("meta", tracing=True)
