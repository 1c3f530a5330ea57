"""A second real MCP client: the MCP Inspector's CLI mode (npm `@modelcontextprotocol/inspector`)
lists and calls tools against the local stack with a PAT (issue 15). Runs when node is present; the
package is installed once per machine into a cache directory (npm registry)."""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

VERSION = "2.12.0"
CACHE = Path(tempfile.gettempdir()) / f"42min-mcp-inspector-{VERSION}"
LAUNCHER = (
    CACHE
    / "node_modules"
    / "@modelcontextprotocol"
    / "inspector"
    / "clients"
    / "launcher"
    / "build"
    / "index.js"
)
TIMEOUT_S = 120


def inspector() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node is not installed: the MCP Inspector needs it")
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not LAUNCHER.exists():
            done = subprocess.run(
                ["npm", "install", "--no-audit", "--no-fund", f"@modelcontextprotocol/inspector@{VERSION}"],
                cwd=CACHE,
                capture_output=True,
                text=True,
                timeout=600,
                stdin=subprocess.DEVNULL,
            )
            assert done.returncode == 0, done.stdout + done.stderr
    return LAUNCHER


def run_cli(url: str, token: str, *args: str) -> Any:
    done = subprocess.run(
        ["node", str(inspector()), "--cli", url, "--transport", "http",
         "--header", f"Authorization: Bearer {token}", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def test_inspector_lists_and_calls_tools(stack: Any) -> None:
    url, pat = f"{stack.base_url}/mcp", stack.pat("full")
    listed = run_cli(url, pat, "--method", "tools/list")
    names = sorted(t["name"] for t in listed["tools"])
    assert {"get_me", "list_bookings", "create_booking"} <= set(names) and names == sorted(names)
    me = run_cli(url, pat, "--method", "tools/call", "--tool-name", "get_me")
    with httpx.Client(timeout=30) as http:
        rest = http.get(f"{stack.base_url}/v1/me", headers={"Authorization": f"Bearer {pat}"}).json()["data"]
    assert me["structuredContent"] == rest and me.get("isError") is False
    page = run_cli(
        url, pat, "--method", "tools/call", "--tool-name", "list_bookings", "--tool-arg", "limit=2"
    )
    assert set(page["structuredContent"]) == {"bookings", "next_cursor", "has_more"}
    # The event type and slot tools: the Inspector checks each result against its outputSchema.
    detail = run_cli(
        url, pat, "--method", "tools/call", "--tool-name", "get_event_type",
        "--tool-arg", "event_type=ada/intro-call",
    )  # fmt: skip
    assert detail.get("isError") is False and detail["structuredContent"]["slug"] == "intro-call"
    start = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT00:00:00Z")
    slots = run_cli(
        url, pat, "--method", "tools/call", "--tool-name", "find_available_slots",
        "--tool-arg", "event_type=ada/intro-call", "--tool-arg", f"start={start}",
    )  # fmt: skip
    assert (
        slots.get("isError") is False
        and slots["structuredContent"]["event_type_id"] == detail["structuredContent"]["id"]
    )
    # Not called here: a tool error. The Inspector validates `structuredContent` against the
    # `outputSchema` even on `isError` results, which 50-mcp §7.2 decides not to follow
    # (docs/decisions.md, "MCP tool errors and outputSchema").
