"""Every command of the README and docs/ runs, in order, against a fresh local stack started as
`make run` starts it (demo organization included), from a folder laid out like the checkout.

Runnable blocks are the ```bash and ```python fences. Shell variables and functions carry from one
bash block to the next within a document, Python blocks of a document share one namespace, and
the environment the bash blocks export is the Python blocks' environment. A block preceded by
`<!-- docs-test: skip: <reason> -->` does not run (it needs an AWS account, or it is the very
command that starts the stack); `<!-- docs-test: needs CODE … -->` makes the test do what the
user's browser does in the OAuth flow first: open the authorization URL the previous Python block
printed, sign in as the demo user and approve, and hand the `code` of the redirect to the block.

A block succeeds when it exits 0 (bash: `set -eu`), every `curl` got an answer, and no
answer is 4xx/5xx unless the block's comments name that status (`# 405 with Allow: GET`).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from harness import Stack, _repo_root
from oauth_support import UserAgent

ROOT = _repo_root()
DOCUMENTS = ("README.md", "docs/integrating.md", "docs/deploy.md", "docs/runbook.md", "docs/architecture.md")
DOCUMENTED_BASE = "http://127.0.0.1:8042"
_FENCE = re.compile(
    r"(?:^[ \t]*<!-- docs-test: (?P<marker>[^\n]*?) -->\n)?"
    r"^(?P<indent>[ \t]*)```(?P<lang>[a-z]*)\n(?P<body>.*?)^[ \t]*```$",
    re.M | re.S,
)
_STATUS = re.compile(r"^HTTP (\d{3}) (\S+)$", re.M)
PRELUDE = r"""
set -eu  # no pipefail: `curl … | head` closes the pipe early, as in any shell
# Every curl reports its status on stderr, so the test sees each answer.
curl() { command curl -w '%{stderr}HTTP %{http_code} %{url_effective}\n' "$@"; }
[ -f "$DOCS_STATE" ] && source "$DOCS_STATE"
__vars_before=" $(compgen -v | tr '\n' ' ') "
"""
EPILOGUE = r"""
{
  for __v in $(compgen -v); do
    case "$__vars_before" in *" $__v "*) continue;; esac
    case "$__v" in __*|BASH_*|FUNCNAME|PIPESTATUS) continue;; esac
    declare -p "$__v" 2>/dev/null \
      | sed -e 's/^declare -- /declare -g /' -e 's/^declare -\([a-zA-Z]*\) /declare -g\1 /'
  done
  declare -f
} >> "$DOCS_STATE"
env -0 > "$DOCS_ENV"
"""


@dataclass(frozen=True)
class Block:
    document: str
    line: int
    lang: str
    body: str
    marker: str

    @property
    def where(self) -> str:
        return f"{self.document}:{self.line}"


def blocks(document: str) -> list[Block]:
    text = (ROOT / document).read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        indent = match.group("indent")
        body = "".join(
            line[len(indent) :] if line.startswith(indent) else line
            for line in match.group("body").splitlines(True)
        )
        line = text.count("\n", 0, match.start("indent")) + 1
        found.append(Block(document, line, match.group("lang"), body, match.group("marker") or ""))
    return found


def runnable(block: Block) -> bool:
    return block.lang in ("bash", "python") and not block.marker.startswith("skip")


def test_the_extraction_sees_every_block_and_every_skip_has_a_reason() -> None:
    every = [b for d in DOCUMENTS for b in blocks(d)]
    for document in DOCUMENTS:
        fences = (ROOT / document).read_text(encoding="utf-8").count("```")
        assert fences == 2 * len(blocks(document)), document
    assert sum(runnable(b) for b in every) >= 15
    for block in every:
        if block.marker.startswith("skip"):
            assert re.match(r"skip: \S.{10,}", block.marker), block.where
        else:
            assert block.marker in ("",) or block.marker.startswith("needs CODE"), block.where


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder that looks like the checkout after `make install`: the repository's files, and a
    `.venv/bin` whose `42min` and `python` are this test run's."""
    home = tmp_path_factory.mktemp("newcomer")
    for name in ("README.md", "docs", "tests", "template.yaml", "Makefile"):
        (home / name).symlink_to(ROOT / name)
    bin_dir = home / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(sys.executable)
    entry = bin_dir / "42min"
    entry.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m fortytwo_local.cli "$@"\n')
    entry.chmod(0o755)
    return home


@pytest.fixture(scope="module")
def demo_stack(workspace: Path) -> Any:
    started = Stack(data_dir=workspace / ".42min", demo=True).start()
    try:
        yield started
    finally:
        started.stop()


class Session:
    """One document's shell state, Python namespace and environment."""

    def __init__(self, workspace: Path, stack: Stack, document: str) -> None:
        self.workspace = workspace
        self.stack = stack
        slug = document.replace("/", "_")
        self.state = workspace / f".docs-state-{slug}.sh"
        self.env_file = workspace / f".docs-env-{slug}"
        self.env = {
            **os.environ,
            "PATH": f"{workspace / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "layers/common"), str(ROOT / "local"), str(ROOT)]),
            "DOCS_STATE": str(self.state),
            "DOCS_ENV": str(self.env_file),
        }
        for name in ("AWS_ENDPOINT_URL", "FORTYTWO_TABLE_NAME", "FORTYTWO_DATA_DIR"):
            self.env.pop(name, None)
        self.namespace: dict[str, Any] = {"__name__": "__docs__"}
        self.printed = ""

    def run(self, block: Block) -> str:
        body = block.body.replace(DOCUMENTED_BASE, self.stack.base_url)
        if block.marker.startswith("needs CODE"):
            self._sign_in()
        if block.lang == "bash":
            return self._bash(block, body)
        return self._python(block, body)

    def _bash(self, block: Block, body: str) -> str:
        result = subprocess.run(
            ["bash", "-c", PRELUDE + body + "\n" + EPILOGUE],
            capture_output=True,
            text=True,
            cwd=self.workspace,
            env=self.env,
            timeout=300,
        )
        report = (
            f"{block.where} failed ({result.returncode}):\n{body}\n"
            f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-3000:]}"
        )
        assert result.returncode == 0, report
        allowed = {int(code) for code in re.findall(r"#[^\n]*?\b([45]\d\d)\b", body)}
        for status, url in _STATUS.findall(result.stderr):
            assert status != "000", f"no answer from {url}\n{report}"
            assert int(status) < 400 or int(status) in allowed, f"{status} from {url}\n{report}"
        self._load_env()
        return result.stdout

    def _load_env(self) -> None:
        if self.env_file.exists():
            pairs = self.env_file.read_bytes().split(b"\0")
            exported = dict(p.decode().split("=", 1) for p in pairs if b"=" in p)
            self.env.update({k: v for k, v in exported.items() if not k.startswith(("BASH_FUNC_", "__"))})

    def _python(self, block: Block, body: str) -> str:
        out = io.StringIO()
        saved = dict(os.environ)
        os.environ.update({k: v for k, v in self.env.items() if not k.startswith("BASH_FUNC_")})
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(body, block.where, "exec"), self.namespace)  # noqa: S102 - the docs' own code
        finally:
            os.environ.clear()
            os.environ.update(saved)
        self.printed = out.getvalue()
        # What a reader would paste into the shell (`export VERIFIER=…`) carries to the next blocks.
        for name, value in re.findall(r"^export (\w+)=(\S+)$", self.printed, re.M):
            self.env[name] = value
        return self.printed

    def _sign_in(self) -> None:
        urls = re.findall(r"^(http\S+/v1/oauth/authorize\?\S+)$", self.printed, re.M)
        assert urls, f"no authorization URL printed before the token exchange:\n{self.printed}"
        with UserAgent(self.stack.base_url) as browser:
            location = browser.authorize(urls[-1])
        params = dict(parse_qsl(urlsplit(location).query))
        assert "code" in params, location
        self.env["CODE"] = params["code"]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_command_of_the_document_runs(document: str, workspace: Path, demo_stack: Stack) -> None:
    session = Session(workspace, demo_stack, document)
    ran = 0
    for block in blocks(document):
        if runnable(block):
            output = session.run(block)
            ran += 1
            if block.marker.startswith("needs CODE"):
                assert '"access_token"' in output, output  # the OAuth flow went all the way
    assert ran > 0 or document == "docs/architecture.md"
