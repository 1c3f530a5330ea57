"""The operator and integrator docs stay true: their `42min` commands parse, their AWS CLI
operations exist, every alarm's runbook link lands on a section, and the webhook verifier they
teach accepts the contract's signature vector (40-webhooks §7.2) and nothing else."""

from __future__ import annotations

import re
import shlex
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import aws

DOCS = aws.ROOT / "docs"
GUIDES = ("architecture.md", "deploy.md", "runbook.md", "integrating.md")
ENV_ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")


def guide(name: str) -> str:
    return (DOCS / name).read_text()


def code_blocks(text: str, language: str) -> list[str]:
    return [textwrap.dedent(b) for b in re.findall(rf"```{language}\n(.*?)```", text, re.S)]


def command_lines(text: str) -> Iterator[tuple[str, bool]]:
    """(command, is_inline): lines of bash blocks (continuations joined), then inline code spans."""
    for block in code_blocks(text, "bash"):
        for line in block.replace("\\\n", " ").splitlines():
            yield line, False
    for span in re.findall(r"`([^`\n]+)`", text):
        yield span, True


def invocations(text: str, program: str) -> Iterator[tuple[list[str], bool]]:
    """argv of every `program …` command, environment assignments and shell tails stripped."""
    for line, inline in command_lines(text):
        for part in re.split(r"&&|\||;|\$\(|\)", line.split("#")[0]):
            try:
                words = shlex.split(part)
            except ValueError:
                continue
            while words and ENV_ASSIGNMENT.match(words[0]):
                words = words[1:]
            if words[:2] == ["command", program]:
                words = words[1:]
            if words and words[0] == program:
                yield words, inline


def test_guides_exist_and_architecture_has_a_diagram() -> None:
    for name in GUIDES:
        assert (DOCS / name).stat().st_size > 2000, name
    assert "```mermaid" in guide("architecture.md")


@pytest.mark.parametrize("name", GUIDES)
def test_42min_commands_parse(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Commands in code blocks parse completely; prose mentions (`42min admin pat create`) only need
    to name an existing subcommand."""
    from fortytwo_local.cli import build_parser

    parser = build_parser()
    for argv, inline in invocations(guide(name), "42min"):
        if len(argv) == 1 or (inline and "…" in argv):
            continue
        try:
            parser.parse_args(argv[1:])
        except SystemExit:
            error = capsys.readouterr().err
            if inline and "the following arguments are required" in error:
                continue
            pytest.fail(f"{name}: `{shlex.join(argv)}` is not a valid 42min command:\n{error}")


@pytest.mark.parametrize("name", GUIDES)
def test_aws_cli_operations_exist(name: str) -> None:
    import botocore.session
    from botocore import xform_name

    session = botocore.session.get_session()
    for argv, _ in invocations(guide(name), "aws"):
        words = [w for w in argv[1:] if not w.startswith("-")]
        if argv[1:2] == ["--endpoint-url"]:
            words = [w for w in argv[3:] if not w.startswith("-")]
        if len(words) < 2 or words[0] == "configure" or words[:2] == ["logs", "start-query"]:
            continue
        service, operation = words[0], words[1]
        model = session.get_service_model(service)
        operations = {xform_name(op, "-") for op in model.operation_names}
        assert operation in operations, f"{name}: aws {service} {operation} does not exist"


def test_alarm_descriptions_link_to_runbook_sections(template: dict[str, Any]) -> None:
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", heading.lower()).replace(" ", "-")
        for heading in re.findall(r"^#+ (.+)$", guide("runbook.md"), re.M)
    }
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::CloudWatch::Alarm":
            continue
        links = re.findall(r"docs/runbook\.md#([a-z0-9-]+)", resource["Properties"]["AlarmDescription"])
        assert links, f"{logical_id}: no runbook link"
        assert set(links) <= anchors, f"{logical_id}: {links}"


def doc_verifier() -> Any:
    block = next(b for b in code_blocks(guide("integrating.md"), "python") if "def verify(" in b)
    namespace: dict[str, Any] = {}
    exec(compile(block, "integrating.md", "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["verify"]


def test_doc_verifier_accepts_the_contract_vector_and_nothing_else() -> None:
    verify = doc_verifier()
    secret = "whsec_OnJy_V6TRdRWicAK7HLpq5-MY5lJ4P4e7R2xE-NVGts"
    body = (
        b'{"id":"evt_019e44a1-9260-706c-9eb1-c66e79f74d60","event":"booking.created",'
        b'"createdAt":"2026-05-20T09:05:00.000Z","apiVersion":"2026-04-01","data":{"test":true}}'
    )
    header = "t=1779267900,v1=a9646dbcea31928f5cf97458b8bbf3c9d0086e2049cffa0e68ef854d706cd30d"
    assert verify(secret, header, body, now=1779267900 + 299)
    assert verify(
        secret,
        "v1=a9646dbcea31928f5cf97458b8bbf3c9d0086e2049cffa0e68ef854d706cd30d,t=1779267900",
        body,
        now=1779267900,
    )
    assert not verify(secret, header, body, now=1779267900 + 301)
    assert not verify(secret, header, body.replace(b"true", b"false"), now=1779267900)
    assert not verify(secret + "x", header, body, now=1779267900)
    assert not verify(
        secret,
        "t=1779267901,v1=a9646dbcea31928f5cf97458b8bbf3c9d0086e2049cffa0e68ef854d706cd30d",
        body,
        now=1779267900,
    )
    assert not verify(secret, "v1=a9646dbcea31928f5cf97458b8bbf3c9d0086e2049cffa0e68ef854d706cd30d", body)
