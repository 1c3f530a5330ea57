"""The `42min` command's surface (60-operations §2): every command and option explains itself,
expected failures are one line on stderr (no traceback), a busy port is reported at once, and
`make run` takes a port."""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fortytwo.domain.scopes import KNOWN_SCOPES
from fortytwo_local.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[3]


def _subcommands(
    parser: argparse.ArgumentParser,
) -> Iterator[tuple[str, argparse.Action, str, argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, child in action.choices.items():
                yield name, action, helps.get(name) or "", child


def _walk(parser: argparse.ArgumentParser, path: str = "42min") -> Iterator[tuple[str, str]]:
    """(where, help text) of every option, positional and subcommand below `parser`."""
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        yield f"{path} {'/'.join(action.option_strings) or action.dest}", action.help or ""
    for name, _, text, child in _subcommands(parser):
        yield f"{path} {name}", text
        yield from _walk(child, f"{path} {name}")


def test_every_command_and_option_has_help() -> None:
    entries = list(_walk(build_parser()))
    assert len(entries) > 100  # the whole tree, admin plugins included
    missing = [where for where, text in entries if not text.strip() or text == argparse.SUPPRESS]
    assert missing == []


def test_the_walk_would_see_a_missing_help() -> None:
    parser = build_parser()
    parser.add_argument("--undocumented")
    assert "42min --undocumented" in [where for where, text in _walk(parser) if not text]


def test_scopes_and_events_list_their_valid_values() -> None:
    texts = dict(_walk(build_parser()))
    for scope, info in KNOWN_SCOPES.items():
        if info.kind in ("live", "alias"):
            assert scope in texts["42min admin pat create --scopes"]
    assert "booking_created" in texts["42min admin webhook create --events"]
    dev = {k: v for k, v in texts.items() if k.startswith("42min dev ")}
    assert {"42min dev --port", "42min dev --seed", "42min dev --rate-limits", "42min dev --no-demo"} <= set(
        dev
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["seed", "/nonexistent/seed.yaml"],
        ["seed", "/nonexistent/seed.yaml", "--json"],
        ["admin", "schedule", "set", "--user", "ada", "/nonexistent/schedule.yaml"],
        ["admin", "event-type", "create", "--user", "ada", "/nonexistent/et.yaml"],
        ["admin", "event-type", "update", "--team", "Sales", "/nonexistent/et.yaml"],
        ["openapi", "--out", "/nonexistent/dir/openapi.json"],
    ],
)
def test_a_missing_file_is_one_clear_line(
    argv: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # a running local stack is found through the data dir: point it at an empty one
    assert main(["--data-dir", str(tmp_path), *argv]) == 1
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("42min: "), captured.err
    assert "/nonexistent/" in lines[0] and "No such file or directory" in lines[0]
    assert "Traceback" not in captured.err and captured.out == ""


def _cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers/common"), str(ROOT / "local")])}
    return subprocess.run(
        [sys.executable, "-m", "fortytwo_local.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
    )


def test_a_busy_port_is_reported_at_once(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.monotonic()
        result = _cli("dev", "--data-dir", str(tmp_path), "--port", str(port))
        elapsed = time.monotonic() - started
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"42min: cannot listen on 127.0.0.1:{port}: Address already in use "
        "(is another `42min dev` running? choose one with --port)"
    ]
    assert elapsed < 10, elapsed  # was 5 s and more: the AWS emulation loaded first
    assert not (tmp_path / "dev.json").exists()


def test_a_busy_port_is_found_before_anything_slow_is_imported(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from fortytwo_local.cli import main\n"
        f"assert main(['--data-dir', {str(tmp_path)!r}, 'dev', '--port', sys.argv[1]]) == 1\n"
        "slow = ('moto', 'boto3', 'fortytwo_local.devstack', 'fortytwo.services', 'fortytwo_local.seed')\n"
        "print(sorted(name for name in slow if name in sys.modules))\n"
    )
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT / "layers/common"), str(ROOT / "local")]),
        }
        result = subprocess.run(
            [sys.executable, "-c", probe, str(busy.getsockname()[1])],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_dev_says_what_it_is_doing_before_the_slow_start(tmp_path: Path) -> None:
    """The start-up line comes first; a missing --seed file then fails before the stack starts."""
    result = _cli("dev", "--data-dir", str(tmp_path), "--port", "0", "--seed", str(tmp_path / "missing.yaml"))
    assert result.returncode == 1
    first, *rest = result.stderr.splitlines()
    assert first.startswith("42min dev: starting the local stack on 127.0.0.1:0")
    assert rest == [f"42min: cannot read {tmp_path / 'missing.yaml'}: No such file or directory"]
    assert "Traceback" not in result.stderr


def test_make_run_takes_a_port() -> None:
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", "run", "PORT=9000"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"42min dev --port 9000\b", result.stdout), result.stdout
    default = subprocess.run(
        ["make", "-n", "--no-print-directory", "run"], capture_output=True, text=True, cwd=ROOT
    )
    assert re.search(r"42min dev --port 8042\b", default.stdout), default.stdout
