"""Cold import of each function as the built layer ships it (issue 18, goal 1: ≤ 0.5 s median).

What a Lambda cold start pays before the first request, reproduced here:

1. the layer is built exactly as `sam build` builds it (`make build-CommonLayer` of
   layers/common/Makefile) into a temporary directory, then compiled to bytecode for this
   interpreter (Python 3.12, the template's runtime) in place: `/opt` is read-only on Lambda, so a
   layer without `.pyc` files recompiles every module on every cold start;
2. each function's code is copied out of the repository (no stray `__pycache__` of the tests);
3. a fresh interpreter without site-packages (`-S`) sees only the function's code, the built layer
   and the runtime's boto3/botocore (the venv's copies, which the layer leaves out as the runtime
   does), with the function's environment as the template sets it (tracing as the template's
   default leaves it) and writes no bytecode (the task directory is read-only too);
4. it imports `functions/<group>/app.py` the way the runtime does and reports the wall time.

Each function is imported `runs` times after one discarded warm-up (page cache); the figure is
the median CPU time of the import (user + system of that process: up to 8 sessions share this
2-core machine, so wall time measures the neighbours; on an idle machine the two agree, and the
wall median is recorded beside it). A module loaded from anywhere else than those three places
(or the standard library) fails the run: the measurement would not be what ships.

    python -m bench.cold_import [--runs N]     # prints JSON; exit 1 when over budget
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LAYER_DIR = ROOT / "layers" / "common"
BUDGET_MS = 500.0
DEFAULT_RUNS = 5
TIMEOUT_S = 120
# What the Lambda Python runtime ships and the layer leaves out (RUNTIME_PROVIDED in the Makefile).
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")

# json/time/importlib are imported before the clock starts: the runtime's bootstrap has them already.
_CHILD = """
import importlib.util, json, sys, time
code_dir, module_file, *shipped = sys.argv[1:]
sys.path[:0] = [code_dir, *shipped]  # /var/task, then /opt/python, then the runtime's packages
started, cpu_started = time.perf_counter(), time.process_time()
spec = importlib.util.spec_from_file_location("app", module_file)
module = importlib.util.module_from_spec(spec)
sys.modules["app"] = module
spec.loader.exec_module(module)
elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
allowed = (code_dir, *shipped, sys.base_prefix)
files = [getattr(m, "__file__", None) for m in list(sys.modules.values())]
elsewhere = sorted({f for f in files if f and not f.startswith(allowed)})
print(json.dumps({
    "seconds": elapsed, "cpu_seconds": cpu, "modules": len(sys.modules), "elsewhere": elsewhere,
    "xray_sdk": "aws_xray_sdk.core" in sys.modules,
}))
"""


def build_layer(target: Path) -> Path:
    """The layer as `sam build` makes it, compiled to bytecode; returns its `python/` directory."""
    proc = subprocess.run(
        ["make", "--no-print-directory", "-C", str(LAYER_DIR), "build-CommonLayer"],
        env={**os.environ, "ARTIFACTS_DIR": str(target), "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"layer build failed:\n{(proc.stdout + proc.stderr)[-2000:]}")
    python_dir = target / "python"
    if not compileall.compile_dir(str(python_dir), quiet=1, workers=0):
        raise RuntimeError("layer bytecode compilation failed")
    return python_dir


def runtime_packages(target: Path) -> Path:
    """A directory holding (links to) the boto3 stack this interpreter has, as /var/runtime does."""
    target.mkdir(parents=True)
    for name in RUNTIME_PROVIDED:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise RuntimeError(f"the bench needs {name} installed (the Lambda runtime ships it)")
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (target / source.name).symlink_to(source)
    return target


def _functions() -> list[tuple[str, Path, dict[str, str]]]:
    """(logical id, module file, the function's own environment variables) from the template."""
    from fortytwo_local.devstack.template import load_template

    template = load_template(ROOT / "template.yaml")
    found = []
    for fn in template.functions.values():
        own = {k: v for k, v in fn.environment.items() if isinstance(v, str)}
        found.append((fn.logical_id, fn.module_file, own))
    return found


def _tracing_disabled_default() -> str:
    """POWERTOOLS_TRACE_DISABLED as the template's parameter defaults resolve it."""
    from tests.support import aws

    template = aws.load_template()
    default = template["Parameters"].get("SdkTracing", {}).get("Default")
    return "false" if default == "true" else "true"


def _environment(own: dict[str, str], code_dir: Path) -> dict[str, str]:
    """Test values for the settings every function validates (nothing calls AWS at import), the
    variables Lambda itself sets (so Powertools believes it runs there), and the function's own."""
    from tests.support import aws

    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(aws.ENV)
    env.update(own)
    env.update(
        LAMBDA_TASK_ROOT=str(code_dir),
        AWS_LAMBDA_FUNCTION_NAME="bench",
        AWS_EXECUTION_ENV="AWS_Lambda_python3.12",
        POWERTOOLS_TRACE_DISABLED=_tracing_disabled_default(),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def _import_once(
    code_dir: Path, module_file: Path, shipped: list[Path], env: dict[str, str]
) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-S", "-c", _CHILD, str(code_dir), str(module_file), *map(str, shipped)],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"cold import of {module_file} failed:\n{proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    if result["elsewhere"]:
        raise RuntimeError(f"{module_file} loaded modules from outside what ships: {result['elsewhere'][:5]}")
    return result


def measure(
    code_dir: Path, module_file: Path, shipped: list[Path], env: dict[str, str], runs: int
) -> dict[str, Any]:
    first = _import_once(code_dir, module_file, shipped, env)  # warm-up (page cache)
    samples = [_import_once(code_dir, module_file, shipped, env) for _ in range(runs)]
    cpu = [s["cpu_seconds"] for s in samples]
    wall = [s["seconds"] for s in samples]
    median_ms = statistics.median(cpu) * 1000
    return {
        "import_ms": round(median_ms, 1),
        "import_ms_range": [round(min(cpu) * 1000, 1), round(max(cpu) * 1000, 1)],
        "wall_ms": round(statistics.median(wall) * 1000, 1),
        "modules_loaded": first["modules"],
        "xray_sdk_imported": first["xray_sdk"],
        "within_budget": median_ms <= BUDGET_MS,
    }


def run(runs: int = DEFAULT_RUNS) -> dict[str, Any]:
    if sys.version_info[:2] != (3, 12):
        raise RuntimeError("the layer's bytecode must be compiled by Python 3.12 (the template's runtime)")
    functions: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="42min-cold-import-") as scratch:
        work = Path(scratch)
        shipped = [build_layer(work / "layer"), runtime_packages(work / "runtime")]
        for logical_id, module_file, own in _functions():
            code_dir = work / "task" / logical_id
            shutil.copytree(module_file.parent, code_dir, ignore=shutil.ignore_patterns("__pycache__"))
            module = code_dir / module_file.name
            env = _environment(own, code_dir)
            functions[logical_id] = {"module": str(module_file.relative_to(ROOT))} | measure(
                code_dir, module, shipped, env, runs
            )
    slowest = max(f["import_ms"] for f in functions.values())
    return {
        "how": "built layer + bytecode, only layer/function/runtime boto3 on the path, fresh process",
        "runs": runs,
        "statistic": "median",
        "budget_ms": BUDGET_MS,
        "slowest_ms": slowest,
        "functions": functions,
        "within_budget": all(f["within_budget"] for f in functions.values()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Cold import of each function as the built layer ships it.")
    parser.add_argument(
        "--runs", type=int, default=DEFAULT_RUNS, help=f"measurements per module (default {DEFAULT_RUNS})"
    )
    result = run(parser.parse_args(argv).runs)
    print(json.dumps(result, indent=2))
    return 0 if result["within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main())
