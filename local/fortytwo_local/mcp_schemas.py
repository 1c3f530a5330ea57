"""The MCP tools' output schemas (50-mcp §5.2), generated from the contract's components (the same
`components.schemas` as the OpenAPI document: one source for every schema).

`python -m fortytwo_local.mcp_schemas` rewrites `fortytwo/mcp_server/output_schemas.json`, which the
MCP function ships; tests/unit/mcp keeps the file equal to this output. Each schema is the
component, with examples dropped and the components it references inlined under local `$defs`.
"""

from __future__ import annotations

import json
import re
import sys
from copy import deepcopy
from pathlib import Path
from typing import Any

from fortytwo.contract.openapi import component_schemas

TARGET = Path(__file__).resolve().parents[2] / "layers/common/fortytwo/mcp_server/output_schemas.json"
SINGLE = ("Me", "EventTypeDetail", "SlotList", "SlotCheck", "Booking")
LISTS = {"event_types": "EventType", "bookings": "Booking"}
_REF = re.compile(r"^#/components/schemas/(.+)$")

Schema = dict[str, Any]


def _strip(value: Any, refs: set[str]) -> Any:
    """A copy without `examples`, with component refs pointing at local `$defs` (collected in refs)."""
    if isinstance(value, dict):
        out: Schema = {}
        for key, item in value.items():
            if key in ("examples", "example"):
                continue
            if key == "$ref" and isinstance(item, str) and (match := _REF.match(item)):
                refs.add(match.group(1))
                out[key] = f"#/$defs/{match.group(1)}"
            else:
                out[key] = _strip(item, refs)
        return out
    if isinstance(value, list):
        return [_strip(item, refs) for item in value]
    return value


def _with_defs(schema: Schema, components: dict[str, Schema]) -> Schema:
    refs: set[str] = set()
    root = _strip(deepcopy(schema), refs)
    defs: dict[str, Schema] = {}
    pending = sorted(refs)
    while pending:
        name = pending.pop()
        if name in defs:
            continue
        found: set[str] = set()
        defs[name] = _strip(deepcopy(components[name]), found)
        pending.extend(sorted(found - set(defs)))
    if defs:
        root["$defs"] = dict(sorted(defs.items()))
    # MCP requires an object output schema; a composed component (allOf) says so at its root.
    return {"type": "object", **root}


def output_schemas() -> dict[str, Schema]:
    components = component_schemas()
    out = {name: _with_defs(components[name], components) for name in SINGLE}
    for key, item in LISTS.items():
        out[key] = _with_defs(
            {
                "type": "object",
                "properties": {
                    key: {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
                    "next_cursor": {"type": ["string", "null"]},
                    "has_more": {"type": "boolean"},
                },
                "required": [key, "next_cursor", "has_more"],
            },
            components,
        )
    return out


def render() -> str:
    return json.dumps(output_schemas(), indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> int:
    TARGET.write_text(render(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
