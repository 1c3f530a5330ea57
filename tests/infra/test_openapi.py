"""The merged OpenAPI document: generated from the code, committed, well-formed, scoped as 10-auth §5.5
says, and a superset of 42min's published document (its prose-free copy, tests/data/reference-openapi.json).

The contract marks no route of the published document out of scope (the routing-form webhook is
reserved, and documented as such), so the superset check covers all of it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.support import aws

COMMITTED = aws.ROOT / "docs" / "openapi.json"
REFERENCE = aws.ROOT / "tests" / "data" / "reference-openapi.json"
AUTH_SCOPES = aws.ROOT / "tests" / "data" / "auth-scopes.json"  # the 10-auth §5.5 table
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
REGENERATE = "regenerate it with `.venv/bin/42min openapi --out docs/openapi.json`"


@cache
def merged() -> dict[str, Any]:
    from fortytwo_local.openapi import merged_openapi

    return merged_openapi()


@cache
def reference() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(REFERENCE.read_text())
    return document


def resolve(doc: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    for path, item in doc.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                yield path, method, item, item[method]


def parameters(doc: dict[str, Any], item: dict[str, Any], op: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (p["name"], p["in"])
        for p in (resolve(doc, raw) for raw in [*item.get("parameters", []), *op.get("parameters", [])])
    }


def fields(
    doc: dict[str, Any], schema: Any, prefix: str = "", seen: frozenset[str] = frozenset()
) -> set[str]:
    """Dotted property paths (`user.id`, `hosts.[].user_id`) and enum values (`status=active`) of a schema."""
    if not isinstance(schema, dict):
        return set()
    if "$ref" in schema:
        if schema["$ref"] in seen:
            return set()
        return fields(doc, resolve(doc, schema), prefix, seen | {schema["$ref"]})
    found: set[str] = {f"{prefix}={value}" for value in schema.get("enum", [])}
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key, []):
            found |= fields(doc, part, prefix, seen)
    for name, sub in schema.get("properties", {}).items():
        found.add(prefix + name)
        found |= fields(doc, sub, f"{prefix}{name}.", seen)
    if "items" in schema:
        found |= fields(doc, schema["items"], f"{prefix}[].", seen)
    return found


def body_fields(doc: dict[str, Any], holder: Any) -> dict[str, set[str]]:
    """Media type → fields of a response or request body."""
    holder = resolve(doc, holder)
    return {media: fields(doc, content.get("schema")) for media, content in holder.get("content", {}).items()}


# --- generated from the code and committed --------------------------------------------------------


def test_committed_document_matches_the_code() -> None:
    assert COMMITTED.exists(), f"docs/openapi.json is missing: {REGENERATE}"
    assert json.loads(COMMITTED.read_text()) == merged(), f"docs/openapi.json is stale: {REGENERATE}"


def test_cli_writes_the_committed_bytes(tmp_path: Path) -> None:
    from fortytwo_local.cli import main

    out = tmp_path / "openapi.json"
    assert main(["openapi", "--out", str(out)]) == 0
    assert out.read_text() == COMMITTED.read_text(), (
        f"docs/openapi.json is not the CLI's output: {REGENERATE}"
    )


def test_every_routed_operation_is_in_the_document() -> None:
    from fortytwo.http.routes import ROUTES

    documented = {(m.upper(), p) for p, m, _, _ in operations(merged())}
    for route in ROUTES:
        if route.path.startswith("/360/"):
            continue  # Admin Center's web pages (55-admin-center) are not API operations
        assert (route.method, route.path.replace("+}", "}")) in documented, route


# --- well-formed ---------------------------------------------------------------------------------


def all_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from all_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from all_refs(value)


def test_every_reference_resolves() -> None:
    doc = merged()
    for target in set(all_refs(doc)):
        assert target.startswith("#/components/"), target
        resolve(doc, {"$ref": target})


def test_operation_ids_are_unique() -> None:
    ids = [op["operationId"] for _, _, _, op in operations(merged())]
    ids += [op["operationId"] for item in merged()["webhooks"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_path_parameters_are_declared() -> None:
    doc = merged()
    for path, method, item, op in operations(doc):
        in_path = set(re.findall(r"\{([^}]+)\}", path))
        declared = {name for name, where in parameters(doc, item, op) if where == "path"}
        assert declared == in_path, f"{method.upper()} {path}: declared {declared}, template {in_path}"


def test_security_names_known_schemes_and_scopes() -> None:
    doc = merged()
    schemes = doc["components"]["securitySchemes"]
    scopes = set(schemes["oauth2"]["flows"]["authorizationCode"]["scopes"])
    for path, method, _, op in operations(doc):
        for requirement in op["security"]:
            for scheme, needed in requirement.items():
                assert scheme in schemes, f"{method} {path}: {scheme}"
                assert set(needed) <= scopes, f"{method} {path}: {needed}"


def test_every_operation_documents_its_errors_and_headers() -> None:
    doc = merged()
    for path, method, _, op in operations(doc):
        statuses = set(op["responses"])
        assert any(s.startswith("2") or s.startswith("3") for s in statuses), f"{method} {path}"
        assert {"429", "500"} <= statuses, f"{method} {path}: every request is counted and may fail"
        for status, response in op["responses"].items():
            headers = resolve(doc, response).get("headers", {})
            assert "X-Request-Id" in headers, f"{method} {path} {status}"


# --- scopes per 10-auth §5.5 ---------------------------------------------------------------------


def contract_scopes() -> dict[tuple[str, str], tuple[str, str | None]]:
    """(METHOD, path) → (operationId, scope or None) from the §5.5 table."""
    table = {
        (row["method"], row["path"]): (row["operationId"], row["scope"])
        for row in json.loads(AUTH_SCOPES.read_text())
    }
    assert len(table) >= 20, "tests/data/auth-scopes.json lost rows of the §5.5 table"
    return table


def test_operations_and_scopes_follow_the_contract() -> None:
    doc = merged()
    for (method, path), (operation_id, scope) in contract_scopes().items():
        op = doc["paths"][path][method.lower()]
        if path != "/v1/event-types/{username}/{slug}":  # same operation; OpenAPI needs a distinct id
            assert op["operationId"] == operation_id, f"{method} {path}"
        expected = [scope] if scope else []
        assert op["security"] == [{"oauth2": expected}, {"personalAccessToken": expected}], f"{method} {path}"


def test_handlers_use_the_contracts_operation_ids() -> None:
    from fortytwo_local.openapi import code_operations

    contract = {key: operation_id for key, (operation_id, _) in contract_scopes().items()}
    for method, path, generated in code_operations():
        if (method, path) in contract:
            assert generated.get("operationId") == contract[(method, path)], f"{method} {path}"


# --- superset of the published document -----------------------------------------------------------


def test_paths_methods_and_parameters_are_a_superset_of_the_reference() -> None:
    ref, ours = reference(), merged()
    for path, method, item, op in operations(ref):
        assert path in ours["paths"] and method in ours["paths"][path], f"missing {method.upper()} {path}"
        mine_item = ours["paths"][path]
        mine = mine_item[method]
        missing = parameters(ref, item, op) - parameters(ours, mine_item, mine)
        assert not missing, f"{method.upper()} {path}: parameters {sorted(missing)}"


def test_responses_and_bodies_are_a_superset_of_the_reference() -> None:
    ref, ours = reference(), merged()
    for path, method, _, op in operations(ref):
        mine = ours["paths"][path][method]
        where = f"{method.upper()} {path}"
        assert set(op["responses"]) <= set(mine["responses"]), f"{where}: statuses"
        for status, response in op["responses"].items():
            theirs, own = body_fields(ref, response), body_fields(ours, mine["responses"][status])
            for media, needed in theirs.items():
                assert media in own, f"{where} {status}: {media}"
                assert needed <= own[media], f"{where} {status}: {sorted(needed - own[media])}"
            headers = set(resolve(ref, response).get("headers", {}))
            assert headers <= set(resolve(ours, mine["responses"][status]).get("headers", {})), (
                f"{where} {status}"
            )
        if "requestBody" in op:
            assert "requestBody" in mine, f"{where}: request body"
            theirs, own = body_fields(ref, op["requestBody"]), body_fields(ours, mine["requestBody"])
            for media, needed in theirs.items():
                assert needed <= own.get(media, set()), (
                    f"{where} body: {sorted(needed - own.get(media, set()))}"
                )
        for requirement in op.get("security", []):
            for scheme, scopes in requirement.items():
                assert {scheme: scopes} in mine["security"], f"{where}: security {requirement}"


def test_components_are_a_superset_of_the_reference() -> None:
    ref, ours = reference(), merged()
    for kind, entries in ref["components"].items():
        missing = set(entries) - set(ours["components"].get(kind, {}))
        assert not missing, f"components.{kind}: {sorted(missing)}"
    for name, schema in ref["components"]["schemas"].items():
        needed, own = fields(ref, schema), fields(ours, ours["components"]["schemas"][name])
        assert needed <= own, f"schema {name}: {sorted(needed - own)}"
    flows = ("securitySchemes", "oauth2", "flows", "authorizationCode", "scopes")
    theirs_scopes, own_scopes = ref["components"], ours["components"]
    for key in flows:
        theirs_scopes, own_scopes = theirs_scopes[key], own_scopes[key]
    assert set(theirs_scopes) <= set(own_scopes)


def test_outbound_webhooks_are_a_superset_of_the_reference() -> None:
    ref, ours = reference(), merged()
    assert set(ref.get("webhooks", {})) <= set(ours["webhooks"])
    for name, item in ref.get("webhooks", {}).items():
        theirs = body_fields(ref, item["post"]["requestBody"])
        own = body_fields(ours, ours["webhooks"][name]["post"]["requestBody"])
        for media, needed in theirs.items():
            assert needed <= own[media], f"webhook {name}: {sorted(needed - own[media])}"


def test_document_validates_against_the_openapi_31_schema() -> None:
    validator = pytest.importorskip("openapi_spec_validator", reason="openapi-spec-validator not installed")
    validator.validate(merged())


def test_meta_function_serves_the_committed_document() -> None:
    """GET /openapi.json (extension): MetaFunction ships a copy (its package cannot reach docs/)."""
    served = aws.ROOT / "functions" / "meta" / "openapi.json"
    assert served.read_bytes() == COMMITTED.read_bytes(), (
        "functions/meta/openapi.json differs from docs/openapi.json: copy it after regenerating"
    )
