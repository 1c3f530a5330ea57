"""Cold import time of each function module against the import of its third-party dependencies alone.

For every function of template.yaml, in fresh interpreters (as a Lambda cold start is):

1. import `functions/<group>/app.py` the way the runtime does, with the function's environment,
   and record the wall time and which third-party modules (anything under site-packages) it loaded;
2. import exactly those third-party modules, in the same order, and nothing of ours.

Each is measured `runs` times after one discarded warm-up (bytecode caches, page cache); the
medians are compared. Budget: our own code may add at most half again on top of its dependencies
(ratio ≤ 1.5): module-level work belongs in the first request, not in the import.

    python -m bench.cold_import [--runs N]     # prints JSON; exit 1 when over budget
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BUDGET_RATIO = 1.5
DEFAULT_RUNS = 5
TIMEOUT_S = 120

# Both children import json/time/importlib first, outside the timed region, so neither pays for them.
_FUNCTION_CHILD = """
import importlib.util, json, sys, sysconfig, time
code_dir, module_file = sys.argv[1], sys.argv[2]
sys.path.insert(0, code_dir)  # /var/task comes first on Lambda
started = time.perf_counter()
spec = importlib.util.spec_from_file_location("app", module_file)
module = importlib.util.module_from_spec(spec)
sys.modules["app"] = module
spec.loader.exec_module(module)
elapsed = time.perf_counter() - started
roots = tuple({sysconfig.get_paths()[k] for k in ("purelib", "platlib")})
third_party = [
    name for name, mod in list(sys.modules.items())
    if (getattr(mod, "__file__", None) or "").startswith(roots)
]
print(json.dumps({"seconds": elapsed, "third_party": third_party}))
"""

_DEPENDENCIES_CHILD = """
import importlib, json, sys, time
names = json.loads(sys.stdin.read())
failed = 0
started = time.perf_counter()
for name in names:
    try:
        importlib.import_module(name)
    except Exception:
        failed += 1
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "failed": failed}))
"""


def _functions() -> list[tuple[str, Path, dict[str, str]]]:
    """(logical id, module file, the function's own environment variables) from the template."""
    from fortytwo_local.devstack.template import load_template

    template = load_template(ROOT / "template.yaml")
    found = []
    for fn in template.functions.values():
        own = {k: v for k, v in fn.environment.items() if isinstance(v, str)}
        found.append((fn.logical_id, fn.module_file, own))
    return found


def _environment(own: dict[str, str]) -> dict[str, str]:
    """The settings every function validates, with test values (nothing is called at import),
    no tracing daemon, and the function's own variables (POWERTOOLS_SERVICE_NAME)."""
    from tests.support import aws

    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FORTYTWO_", "POWERTOOLS_"))}
    env.update(aws.ENV)
    env.update(own)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT / "layers" / "common"), env.get("PYTHONPATH")])
    )
    return env


def _run(code: str, args: list[str], env: dict[str, str], stdin: str = "") -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"cold import child failed ({' '.join(args)}):\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(module_file: Path, env: dict[str, str], runs: int) -> dict[str, Any]:
    args = [str(module_file.parent), str(module_file)]
    first = _run(_FUNCTION_CHILD, args, env)  # warm-up; also tells which modules are third-party
    names = first["third_party"]
    _run(_DEPENDENCIES_CHILD, [], env, json.dumps(names))
    own_s, deps_s, failed = [], [], 0
    for _ in range(runs):
        own_s.append(_run(_FUNCTION_CHILD, args, env)["seconds"])
        deps = _run(_DEPENDENCIES_CHILD, [], env, json.dumps(names))
        deps_s.append(deps["seconds"])
        failed = max(failed, deps["failed"])
    own_ms, deps_ms = statistics.median(own_s) * 1000, statistics.median(deps_s) * 1000
    ratio = own_ms / deps_ms if deps_ms else float("inf")
    return {
        "module": str(module_file.relative_to(ROOT)),
        "import_ms": round(own_ms, 1),
        "third_party_ms": round(deps_ms, 1),
        "ratio": round(ratio, 2),
        "within_budget": ratio <= BUDGET_RATIO,
        "third_party_modules": len(names),
        "third_party_import_failures": failed,
        "import_ms_range": [round(min(own_s) * 1000, 1), round(max(own_s) * 1000, 1)],
    }


def run(runs: int = DEFAULT_RUNS) -> dict[str, Any]:
    functions = {}
    for logical_id, module_file, own in _functions():
        if not module_file.exists():
            functions[logical_id] = {
                "module": str(module_file.relative_to(ROOT)),
                "error": "module missing",
                "within_budget": False,
            }
            continue
        functions[logical_id] = measure(module_file, _environment(own), runs)
    return {
        "runs": runs,
        "statistic": "median",
        "budget_ratio": BUDGET_RATIO,
        "functions": functions,
        "within_budget": all(f["within_budget"] for f in functions.values()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Cold import time of each function vs its third-party dependencies."
    )
    parser.add_argument(
        "--runs", type=int, default=DEFAULT_RUNS, help=f"measurements per module (default {DEFAULT_RUNS})"
    )
    result = run(parser.parse_args(argv).runs)
    print(json.dumps(result, indent=2))
    return 0 if result["within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main())
