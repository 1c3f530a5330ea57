"""Generated and mirrored values stay equal to their source."""

from __future__ import annotations

import tomllib

from fortytwo import __version__
from fortytwo.mcp_server import catalogue
from tests.support.aws import ROOT


def test_output_schemas_file_is_current() -> None:
    from fortytwo_local.mcp_schemas import TARGET, render

    assert TARGET.read_text(encoding="utf-8") == render(), "run `python -m fortytwo_local.mcp_schemas`"
    assert set(catalogue.output_schemas()) >= {t.output for t in catalogue.TOOLS}


def test_server_version_is_the_package_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert __version__ == project["version"]
