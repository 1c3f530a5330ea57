"""`make bench`: run every benchmark in its own process and commit-ready results to bench/results.json.

Each module exposes `run() -> dict`. Timings are only comparable within one run on one machine;
the results carry the machine they were measured on.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from bench.goals import print_goals
from bench.harness import machine

BENCHES = (
    "bench.bench_meta",
    "bench.cold_import",
    "bench.warm_cpu",
    "bench.bench_slots",
    "bench.bench_slots_api",
    "bench.bench_bookings",
    "bench.bench_contention",
    "bench.bench_webhooks",
    "bench.bench_series",
)
RESULTS = Path(__file__).with_name("results.json")


def main(names: list[str]) -> int:
    selected = [b for b in BENCHES if not names or b.rsplit(".", 1)[-1] in names or b in names]
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["machine"] = machine()
    failed = []
    for name in selected:
        if not (Path(__file__).parent / f"{name.rsplit('.', 1)[-1]}.py").exists():
            continue
        started = time.time()
        code = f"import json,{name} as m; print('BENCH_RESULT ' + json.dumps(m.run()))"
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=1800)
        line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH_RESULT ")), None)
        if proc.returncode != 0 or line is None:
            failed.append(name)
            print(f"{name}: FAILED\n{proc.stderr[-2000:]}", file=sys.stderr)
            continue
        results[name.rsplit(".", 1)[-1]] = json.loads(line.removeprefix("BENCH_RESULT "))
        print(f"{name}: done in {time.time() - started:.1f}s")
    results["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"wrote {RESULTS}")
    within = print_goals(results)
    return 1 if failed or not within else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
