"""`make deploy-check`: build the stack with `sam build` (no Docker) and check what would be uploaded.

Prints, for each function and the layer, the unzipped size and the size of the zip `sam deploy`
would upload, and exits non-zero when a budget is exceeded:

- the shared layer ≤ 30 MB unzipped (Lambda's limit is 250 MB for a function and all its layers,
  but cold starts and deploys grow with it);
- each function's own code ≤ 1 MB unzipped (everything shared belongs in the layer).

    python -m bench.deploy_check [--build-dir DIR] [--json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template.yaml"
MB = 1024 * 1024
LAYER_BUDGET = 30 * MB
FUNCTION_BUDGET = 1 * MB
BUILD_TIMEOUT_S = 900


class BuildError(RuntimeError):
    """`sam build` failed; the message carries the end of its output."""


@dataclass(frozen=True)
class Artifact:
    logical_id: str
    kind: str  # "function" or "layer"
    unzipped_bytes: int
    zipped_bytes: int
    budget_bytes: int

    @property
    def within_budget(self) -> bool:
        return self.unzipped_bytes <= self.budget_bytes


def sam_env() -> dict[str, str]:
    """No telemetry or version check, no AWS profile or credentials (a build must never reach an
    account), a region for the template's pseudo parameters, and this interpreter's bin directory
    first so `python3.12` is the project's (sam build needs the runtime's version on PATH)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SAM_"))}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        SAM_CLI_TELEMETRY="0",
        SAM_CLI_DISABLE_VERSION_CHECK="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
    )
    return env


def sam_command() -> list[str]:
    sam = Path(sys.executable).parent / "sam"
    return [str(sam)] if sam.exists() else [sys.executable, "-m", "samcli"]


def build(build_dir: Path, template: Path = TEMPLATE) -> Path:
    """`sam build` into `build_dir` from scratch (no build cache, no container); returns the built
    template. Only the layer's requirements need the package index."""
    command = [
        *sam_command(),
        "build",
        "--template-file",
        str(template),
        "--build-dir",
        str(build_dir),
        "--base-dir",
        str(template.parent),
        "--no-cached",
    ]
    proc = subprocess.run(
        command,
        cwd=template.parent,
        env=sam_env(),
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    built = build_dir / "template.yaml"
    if proc.returncode != 0 or not built.exists():
        output = (proc.stdout + proc.stderr)[-4000:]
        raise BuildError(f"sam build exited {proc.returncode}:\n{output}")
    return built


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file() and not p.is_symlink())


def unzipped_size(directory: Path) -> int:
    return sum(p.stat().st_size for p in _files(directory))


def zipped_size(directory: Path) -> int:
    """Size of the deployment zip (deflate, as `sam package` uploads it), built in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in _files(directory):
            archive.write(path, path.relative_to(directory).as_posix())
    return buffer.tell()


def largest_entries(directory: Path, count: int = 8) -> list[tuple[str, int]]:
    """The biggest top-level packages of a built layer (what to trim when it is over budget)."""
    root = directory / "python" if (directory / "python").is_dir() else directory
    sizes = [(p.name, unzipped_size(p) if p.is_dir() else p.stat().st_size) for p in root.iterdir()]
    return sorted(sizes, key=lambda item: item[1], reverse=True)[:count]


def artifacts(build_dir: Path) -> list[Artifact]:
    from fortytwo_local.devstack.cfn_yaml import load_cfn_file

    resources = load_cfn_file(build_dir / "template.yaml")["Resources"]
    found = []
    for logical_id, resource in resources.items():
        kind = {"AWS::Serverless::Function": "function", "AWS::Serverless::LayerVersion": "layer"}.get(
            resource["Type"]
        )
        if kind is None:
            continue
        directory = build_dir / logical_id
        if not directory.is_dir():
            # sam build only warns when a CodeUri folder is missing; such a stack cannot deploy.
            raise BuildError(f"sam build produced nothing for {logical_id}: is its CodeUri folder missing?")
        found.append(
            Artifact(
                logical_id=logical_id,
                kind=kind,
                unzipped_bytes=unzipped_size(directory),
                zipped_bytes=zipped_size(directory),
                budget_bytes=LAYER_BUDGET if kind == "layer" else FUNCTION_BUDGET,
            )
        )
    return sorted(found, key=lambda a: (a.kind != "layer", a.logical_id))


def report(build_dir: Path) -> dict[str, Any]:
    found = artifacts(build_dir)
    layers = [a for a in found if a.kind == "layer"]
    return {
        "artifacts": [asdict(a) | {"within_budget": a.within_budget} for a in found],
        "layer_largest_entries": {
            a.logical_id: dict(largest_entries(build_dir / a.logical_id)) for a in layers
        },
        "within_budget": all(a.within_budget for a in found),
    }


def _size(size: int) -> str:
    return f"{size / MB:7.2f} MB" if size >= MB // 10 else f"{size / 1024:7.1f} KB"


def print_table(result: dict[str, Any]) -> None:
    print(f"{'artifact':<28} {'kind':<9} {'unzipped':>10} {'zipped':>10} {'budget':>10}  verdict")
    for a in result["artifacts"]:
        verdict = "ok" if a["within_budget"] else "OVER BUDGET"
        print(
            f"{a['logical_id']:<28} {a['kind']:<9} {_size(a['unzipped_bytes'])} {_size(a['zipped_bytes'])} "
            f"{_size(a['budget_bytes'])}  {verdict}"
        )
    for layer, entries in result["layer_largest_entries"].items():
        print(f"\nlargest entries of {layer}:")
        for name, size in entries.items():
            print(f"  {name:<40} {_size(size)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, help="keep the build here (default: a temporary directory)")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON document")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="42min-deploy-check-") as scratch:
        build_dir = (args.build_dir or Path(scratch) / "build").resolve()
        try:
            build(build_dir)
            result = report(build_dir)
        except (BuildError, subprocess.TimeoutExpired) as exc:
            print(f"deploy-check: {exc}", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    if not result["within_budget"]:
        print("\ndeploy-check: over budget (layer ≤ 30 MB unzipped, function code ≤ 1 MB)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
