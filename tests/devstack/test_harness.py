"""`42min dev` as a subprocess through the e2e harness, on the fixture template: READY line,
dev.json, Ctrl-C → clean exit with the state saved (restoring is covered in-process)."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from harness import Stack  # noqa: E402

FIXTURE = Path(__file__).parent / "fixture" / "template.yaml"


def test_subprocess_lifecycle(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    stack = Stack("--allow-insecure-webhooks", data_dir=data_dir, env={"FORTYTWO_TEMPLATE": str(FIXTURE)})
    with stack:
        assert stack.base_url.startswith("http://127.0.0.1:") and stack.seed_result is None
        assert stack.output().rstrip().splitlines()[-1] == f"READY {stack.base_url}"
        info = stack.dev_info
        assert info["base_url"] == stack.base_url and stack.process is not None
        assert info["pid"] == stack.process.pid and info["table_name"] == "fixture-test"
        event = httpx.get(f"{stack.base_url}/v1/items/x", timeout=30).json()["event"]
        assert event["routeKey"] == "GET /v1/items/{id}"
        created = httpx.post(f"{stack.base_url}/v1/items", json={"pk": "p", "sk": "s"}, timeout=30)
        assert created.status_code == 201
    assert stack.stop() == 0
    assert not (data_dir / "dev.json").exists()
    assert (data_dir / "state.json").exists() and (data_dir / "pepper").exists()
    assert "Traceback" not in stack.errors()
