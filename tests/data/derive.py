"""Derive the prose-free test data in this folder from the contract's published documents.

    python tests/data/derive.py REFERENCE_OPENAPI_YAML AUTH_SPEC_MD

REFERENCE_OPENAPI_YAML is 42min's published OpenAPI document, AUTH_SPEC_MD the contract's chapter
10-auth. Tests never run this: they read only the JSON it writes, so a clone tests with nothing beside it.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
# Annotation keywords: prose or samples that no test reads and no validator checks.
PROSE = {"description", "summary", "example", "examples", "externalDocs", "title"}
# Maps whose keys are names chosen by the document (a property may well be called `description`).
NAMED = {
    "properties",
    "paths",
    "webhooks",
    "schemas",
    "parameters",
    "responses",
    "headers",
    "content",
    "requestBodies",
    "securitySchemes",
    "flows",
    "patternProperties",
    "$defs",
    "variables",
}
SCOPE_ROW = re.compile(r"^\| `(GET|POST|PATCH|DELETE)` \| `(/v1/[^`]+)` \| `(\w+)` \| (.+?) \|$", re.M)


def strip(node: Any, named: bool = False) -> Any:
    """`node` without annotation keywords; the keys of a name map are kept whatever they are."""
    if isinstance(node, list):
        return [strip(value) for value in node]
    if not isinstance(node, dict):
        return node
    return {
        key: strip(value, key in NAMED and not named)
        for key, value in node.items()
        if named or key not in PROSE
    }


def reference_schemas(document: dict[str, Any]) -> dict[str, Any]:
    """The parts the tests compare against: paths, webhooks and components, prose removed."""
    kept = {key: document[key] for key in ("openapi", "paths", "webhooks", "components")}
    stripped = strip(kept)
    stripped["info"] = {"version": document["info"]["version"]}
    flows = stripped["components"]["securitySchemes"]["oauth2"]["flows"]["authorizationCode"]
    flows["scopes"] = dict.fromkeys(flows["scopes"], "")  # the scope names are data, their blurbs prose
    return stripped


def auth_scopes(chapter: str) -> list[dict[str, str | None]]:
    """The 10-auth §5.5 table: each operation's method, path, operationId and scope (None: any credential)."""
    rows = []
    for method, path, operation_id, scope in SCOPE_ROW.findall(chapter):
        named_scope = re.match(r"`([a-z_:]+)`", scope)
        rows.append(
            {
                "method": method,
                "path": path,
                "operationId": operation_id,
                "scope": named_scope.group(1) if named_scope else None,
            }
        )
    return rows


def write(name: str, data: Any) -> None:
    (HERE / name).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def main(reference: str, auth_chapter: str) -> None:
    write("reference-openapi.json", reference_schemas(yaml.safe_load(Path(reference).read_text())))
    write("auth-scopes.json", auth_scopes(Path(auth_chapter).read_text()))


if __name__ == "__main__":
    main(*sys.argv[1:])
