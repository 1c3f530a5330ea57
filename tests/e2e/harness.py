"""Runs `42min dev` as a subprocess for end-to-end tests.

    with Stack("--seed", "tests/e2e/seed.yaml") as stack:
        httpx.get(f"{stack.base_url}/v1/_ping", headers=...)
        stack.cli("admin", "pat", "list", "--org", "Acme", "--json")

The stack always gets `--port 0` (a free port) and `--no-demo` (unless `demo=True`); its data dir is a fresh
temporary folder unless one is given (pass the same one again to test persistence, or use
`restart()`). stdout and stderr go to files next to the data dir (`.out`, `.err`): read them
with `output()` / `errors()` when a test needs the stack's logs.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
ENTRY = [sys.executable, "-m", "fortytwo_local.cli"]

_READY = re.compile(r"^READY (http://\S+)\s*$", re.MULTILINE)
_SEED_RESULT = re.compile(r"^SEED_RESULT (\{.*\})\s*$", re.MULTILINE)


class StackError(RuntimeError):
    """The stack did not start (the message carries the tail of its output)."""


class Stack:
    def __init__(
        self,
        *extra_args: str,
        data_dir: str | Path | None = None,
        env: dict[str, str] | None = None,
        ready_timeout: float = READY_TIMEOUT_S,
        demo: bool = False,
    ) -> None:
        self.extra_args = [str(a) for a in extra_args]
        self.demo = demo  # True: the demo organization, as `make run` starts it
        self.data_dir = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix="42min-e2e-")) / "data"
        self.env = env or {}
        self.ready_timeout = ready_timeout
        self.base_url = ""
        self.seed_result: dict[str, Any] | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._starts = 0
        self._last_returncode: int | None = None
        atexit.register(self._kill)

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Stack:
        if self.process is not None:
            raise StackError("already started")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._starts += 1
        self.out_path = self.data_dir.parent / f"{self.data_dir.name}.{self._starts}.out"
        self.err_path = self.data_dir.parent / f"{self.data_dir.name}.{self._starts}.err"
        command = [
            *ENTRY,
            "--data-dir",
            str(self.data_dir),
            "dev",
            "--port",
            "0",
            *([] if self.demo else ["--no-demo"]),
            *self.extra_args,
        ]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.process = subprocess.Popen(
                command, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=_repo_root()
            )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.ready_timeout
        while True:
            output = self.output()
            ready = _READY.search(output)
            if ready:
                self.base_url = ready.group(1)
                seed = _SEED_RESULT.search(output)
                self.seed_result = json.loads(seed.group(1)) if seed else None
                return
            if self.process.poll() is not None:
                self._last_returncode = self.process.returncode
                self.process = None
                raise StackError(
                    f"42min dev exited with {self._last_returncode} before READY:\n{self._tail()}"
                )
            if time.monotonic() > deadline:
                self._kill()
                raise StackError(f"42min dev not ready after {self.ready_timeout:.0f}s:\n{self._tail()}")
            time.sleep(0.05)

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> int | None:
        """Ctrl-C, as a user would; kill if it does not stop in time. Returns the exit status."""
        process = self.process
        if process is None:
            return self._last_returncode
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._last_returncode = process.returncode
        self.process = None
        return process.returncode

    def kill(self) -> None:
        """SIGKILL, as a crash would: no shutdown code runs."""
        process = self.process
        if process is not None:
            process.send_signal(signal.SIGKILL)
            process.wait()
            self._last_returncode = process.returncode
            self.process = None

    def restart(self, *extra_args: str) -> Stack:
        """Stop and start again on the same data dir (optionally with other extra args)."""
        self.stop()
        if extra_args:
            self.extra_args = [str(a) for a in extra_args]
        return self.start()

    def _kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Stack:
        return self.start() if self.process is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- using it ----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def dev_info(self) -> dict[str, Any]:
        """The stack's dev.json: base_url, endpoint_url, region, table_name, delivery_queue_url…"""
        return json.loads((self.data_dir / "dev.json").read_text(encoding="utf-8"))

    def cli(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None, timeout: float = 120.0
    ) -> subprocess.CompletedProcess[str]:
        """`42min --data-dir <this stack's dir> <args>`: talks to this stack through its dev.json."""
        return subprocess.run(
            [*ENTRY, "--data-dir", str(self.data_dir), *map(str, args)],
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=_repo_root(),
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, **{"timeout": 30.0, **kwargs})

    def pat(self, key: str | None = None) -> str:
        """The token of a PAT from the seed result (the first one when no key is given)."""
        pats = (self.seed_result or {}).get("pats") or {}
        if not pats:
            raise StackError("the seed result has no PATs")
        return pats[key]["token"] if key else next(iter(pats.values()))["token"]

    def output(self) -> str:
        return _read(getattr(self, "out_path", None))

    def errors(self) -> str:
        return _read(getattr(self, "err_path", None))

    def _tail(self, lines: int = 60) -> str:
        text = self.output().splitlines()[-lines // 2 :] + self.errors().splitlines()[-lines:]
        return "\n".join(text)


def _read(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[2]
