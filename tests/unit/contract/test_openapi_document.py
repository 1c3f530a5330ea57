"""The OpenAPI document generated from the contract: valid OpenAPI 3.1, built from the models (its
examples validate against them), and its declared operations are exactly what the code serves."""

from __future__ import annotations

import inspect
import re
from functools import cache
from typing import Any

import pytest
from openapi_spec_validator import validate

from fortytwo.contract import openapi
from fortytwo.contract.errors import CATALOGUE
from fortytwo.contract.operations import OPERATIONS
from fortytwo.contract.types import ContractModel
from tests.unit.contract.conformance import exact


@cache
def document() -> dict[str, Any]:
    return openapi.document({"bookings:read": "Read bookings"})


def models() -> list[type[ContractModel]]:
    found: set[type[ContractModel]] = set()
    pending = list(ContractModel.__subclasses__())
    while pending:
        model = pending.pop()
        if model not in found and "[" not in model.__name__:
            found.add(model)
            pending.extend(model.__subclasses__())
    return sorted(found, key=lambda m: m.__name__)


def test_document_is_valid_openapi_31() -> None:
    validate(document())
    assert document()["openapi"] == "3.1.0"


def test_every_model_is_a_component_schema() -> None:
    schemas = document()["components"]["schemas"]
    for model in models():
        if model.__pydantic_generic_metadata__["parameters"]:  # Envelope[T], Page[T]: inlined per use
            continue
        if model.__module__.startswith("fortytwo.contract"):
            assert model.__name__ in schemas, model.__name__


@pytest.mark.parametrize("model", models(), ids=lambda m: m.__name__)
def test_model_examples_validate_against_their_model(model: type[ContractModel]) -> None:
    extra = model.model_config.get("json_schema_extra")
    for example in (extra or {}).get("examples", []) if isinstance(extra, dict) else []:
        model.model_validate(example)


def test_operation_examples_are_exact_instances_of_their_models() -> None:
    for op in OPERATIONS:
        for success in op.success:
            if success.example is None:
                continue
            assert success.model is not None, op.operation_id
            items = success.example if success.shape in ("list", "page") else [success.example]
            for item in items:
                exact(success.model, item)


def test_each_operation_documents_its_catalogued_errors() -> None:
    paths = document()["paths"]
    for op in OPERATIONS:
        responses = paths[op.path][op.method.lower()]["responses"]
        for code in op.errors:
            described = responses[str(CATALOGUE[code].status)]
            assert f"`{CATALOGUE[code].code}`" in described["description"], (op.operation_id, code)


def test_declared_operations_are_what_the_handlers_serve() -> None:
    from fortytwo_local.openapi import check_declared_operations

    check_declared_operations()


def _handler_scopes() -> dict[tuple[str, str], str | None]:
    """(METHOD, contract path) → the scope the handler's bearer guard demands (None: no guard)."""
    from fastapi.routing import APIRoute

    from fortytwo_local.devstack.template import load_template
    from fortytwo_local.openapi import TEMPLATE, _contract_path, _load_app, _shape

    found: dict[tuple[str, str], str | None] = {}
    for fn in load_template(TEMPLATE).functions.values():
        served = {(r.method, _shape(r.path)): _contract_path(r.path) for r in fn.http_routes if r.path}
        if not served:
            continue
        for route in _load_app(fn.code_dir.name, fn.module_file).routes:
            if not isinstance(route, APIRoute) or not route.include_in_schema:
                continue
            scope: str | None = None
            for dependency in route.dependant.dependencies:
                call = dependency.call
                names = getattr(getattr(call, "__code__", None), "co_freevars", ())
                if "scope" in names:
                    cell = call.__closure__[names.index("scope")]  # type: ignore[union-attr]
                    scope = cell.cell_contents or ""
            if scope is None:  # a handler that calls its guard itself: `require(request, scope)`
                source = inspect.getsource(route.endpoint)
                call_site = re.search(r"\brequire\(request, (\w+|\"[^\"]*\")", source) or re.search(
                    r"\bbearer\((\w+|\"[^\"]*\")\)", source
                )
                if call_site:
                    arg = call_site.group(1)
                    if arg == "None":
                        scope = ""  # any valid credential
                    else:
                        scope = arg.strip('"') if arg.startswith('"') else route.endpoint.__globals__[arg]
                elif "front.authenticate(request)" in inspect.getsource(route.endpoint):
                    scope = ""  # /mcp: any valid credential; each tool checks its own scope (50-mcp §4.6)
            for method in route.methods or ():
                found[(method, served[(method, _shape(route.path))])] = scope
    return found


def test_declared_scopes_are_the_handlers_scopes() -> None:
    scopes = _handler_scopes()
    for op in OPERATIONS:
        path = "/v1/event-types/{idOrSlug}" if op.path == "/v1/event-types/{username}/{slug}" else op.path
        guarded = scopes[(op.method, path)]
        if op.scope in ("public", "client"):
            assert guarded is None, op.operation_id
        else:
            assert guarded == op.scope, (op.operation_id, guarded, op.scope)
