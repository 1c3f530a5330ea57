"""The merged OpenAPI 3.1 document of the whole API (`42min openapi`, committed as docs/openapi.json).

The document is generated from the contract (`fortytwo.contract.openapi`: the declared operations,
the pydantic models and the error catalogue). This module only checks the declaration against the
code: every route of every API function's FastAPI app (`create_app` hides the document from HTTP)
is mapped to the template.yaml route that serves it, and must be a declared operation with the
same operationId; every declared operation must be served.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

from fortytwo.contract.openapi import DEFAULT_SERVER, document
from fortytwo.contract.operations import GREEDY_ALIASES, OPERATIONS
from fortytwo.domain.scopes import ALIASES, KNOWN_SCOPES

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"

Schema = dict[str, Any]


class OpenApiError(RuntimeError):
    """The code and the declared operations disagree (an undeclared route, a missing handler…)."""


def scope_wording() -> dict[str, str]:
    """Every known scope in 10-auth §5.1 order with its consent wording (aliases say what they grant)."""
    return {
        name: info.wording or f"Alias, expanded when granted to: {', '.join(ALIASES[name])}"
        for name, info in KNOWN_SCOPES.items()
    }


_GREEDY = re.compile(r"\{([^}/]+?)(?:\+|:path)\}")
_PARAM = re.compile(r"\{([^}/:+]+)(?::[^}]*)?\}")


def _shape(path: str) -> str:
    return _PARAM.sub("{}", _GREEDY.sub("{+}", path))


def _contract_path(template_path: str) -> str:
    return template_path.replace("+}", "}")


def _load_app(group: str, module_file: Path) -> Any:
    if not module_file.exists():
        raise OpenApiError(f"{module_file.relative_to(ROOT)} does not exist, but template.yaml routes to it")
    name = f"fortytwo_openapi_{group}"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, module_file)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses resolve annotations through sys.modules
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
    return module.app


def code_operations() -> list[tuple[str, str, Schema]]:
    """(METHOD, contract path, FastAPI's operation) for every route the template serves, from the code."""
    from fastapi.routing import APIRoute

    from fortytwo_local.devstack.template import load_template

    template = load_template(TEMPLATE)
    found = []
    for fn in template.functions.values():
        routes = {(r.method, _shape(r.path)): r.path for r in fn.http_routes if r.path is not None}
        if not routes:
            continue
        app = _load_app(fn.code_dir.name, fn.module_file)
        generated = app.openapi()["paths"]
        # app.routes keeps `{x:path}` (greedy), which the generated document drops.
        for route in app.routes:
            if not isinstance(route, APIRoute):
                continue
            for method in sorted(route.methods or ()):
                key = (method, _shape(route.path))
                if key not in routes:
                    if not route.include_in_schema:
                        continue  # the `$default` catch-all
                    raise OpenApiError(
                        f"{fn.logical_id}: {method} {route.path} is not routed by template.yaml"
                    )
                path = routes.pop(key)
                if route.include_in_schema:  # web pages (Admin Center) are routed, not documented
                    found.append((method, _contract_path(path), generated[route.path_format][method.lower()]))
        if routes:
            raise OpenApiError(f"{fn.logical_id}: no handler for {sorted(routes.values())}")
    return found


def check_declared_operations() -> None:
    """Raise OpenApiError unless the served routes and the declared operations are the same set."""
    declared = {(op.method, op.path): op.operation_id for op in OPERATIONS}
    served: set[tuple[str, str]] = set()
    for method, path, generated in code_operations():
        documented = GREEDY_ALIASES.get((method, path), (path,))
        for alias in documented:
            if (method, alias) not in declared:
                raise OpenApiError(f"{method} {alias} is served but not declared in contract/operations.py")
            served.add((method, alias))
        code_id = generated.get("operationId", "")
        # FastAPI invents ids with underscores when a handler names none; a named one must agree.
        if "_" not in code_id and code_id != declared[(method, path)]:
            raise OpenApiError(
                f"{method} {path}: handler operationId {code_id!r} != {declared[(method, path)]!r}"
            )
    missing = sorted(set(declared) - served)
    if missing:
        raise OpenApiError(f"declared but not served: {missing}")


def merged_openapi(server: str = DEFAULT_SERVER) -> dict[str, Any]:
    """The whole API as one OpenAPI 3.1 document, after checking the declaration against the code."""
    check_declared_operations()
    return document(scope_wording(), server)
