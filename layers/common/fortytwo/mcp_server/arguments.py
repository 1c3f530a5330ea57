"""Tool arguments against their `inputSchema` (50-mcp §5.2): every violation, in argument order, as
the REST `validation_error` field list (§7.3), with argument paths (`attendee.email`, `guests[1]`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # no stubs in the lock
from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped]

from fortytwo.contract.errors import ValidationFailed
from fortytwo.mcp_server.catalogue import ToolSpec

Field = dict[str, str]


_VALIDATORS: dict[str, Draft202012Validator] = {}


def _validator(spec: ToolSpec) -> Draft202012Validator:
    """Built once per container and tool."""
    if spec.name not in _VALIDATORS:
        _VALIDATORS[spec.name] = Draft202012Validator(spec.input_schema)
    return _VALIDATORS[spec.name]


def path_text(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else ("." if text else "") + str(part)
    return text


def _join(base: str, name: str) -> str:
    return f"{base}.{name}" if base else name


def _fields(error: ValidationError) -> list[Field]:
    """One error of the validator as field entries: a missing or unknown member names that member."""
    base = path_text(error.absolute_path)
    instance = error.instance
    if error.validator == "required" and isinstance(instance, Mapping):
        return [
            {"field": _join(base, n), "message": "Required"}
            for n in error.validator_value
            if n not in instance
        ]
    if error.validator == "additionalProperties" and isinstance(instance, Mapping):
        known = error.schema.get("properties", {})
        return [{"field": _join(base, n), "message": "Unknown argument"} for n in instance if n not in known]
    return [{"field": base, "message": error.message}]


def _order(arguments: Mapping[str, Any], field: Field, schema_order: list[str]) -> tuple[int, int]:
    top = field["field"].split(".", 1)[0].split("[", 1)[0]
    given = list(arguments)
    if top in given:
        return (0, given.index(top))
    return (1, schema_order.index(top) if top in schema_order else len(schema_order))


def check(spec: ToolSpec, arguments: Mapping[str, Any]) -> None:
    """Raise ValidationFailed listing every schema violation (arguments given first, in their order;
    missing required arguments after them, in schema order)."""
    seen: set[str] = set()
    found: list[Field] = []
    for error in _validator(spec).iter_errors(dict(arguments)):
        for field in _fields(error):
            if field["field"] not in seen:
                seen.add(field["field"])
                found.append(field)
    if found:
        schema_order = list(spec.input_schema.get("properties", {}))
        found.sort(key=lambda f: _order(arguments, f, schema_order))
        raise ValidationFailed(found, "The tool arguments are invalid")
