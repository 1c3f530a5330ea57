"""The OpenAPI 3.1 document, generated from the contract: operations from `operations.OPERATIONS`,
schemas from the pydantic models, error responses from the error catalogue.

Pure: the caller passes the scope wording for the OAuth scheme (domain/scopes.py owns it), so the
contract imports nothing of ours outside `contract/`. `42min openapi` (local/fortytwo_local/openapi.py)
checks the table against the FastAPI apps and writes docs/openapi.json.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from copy import deepcopy
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from fortytwo.contract import envelope, errors, operations, webhook_events
from fortytwo.contract.operations import (
    ERROR_RESPONSES,
    FORM,
    HEADERS,
    HTML,
    JSON,
    PARAMETERS,
    STANDARD_HEADERS,
    Operation,
    Param,
    Success,
)
from fortytwo.contract.webhooks import WebhookEventDotName, WebhookEventName

Schema = dict[str, Any]
DEFAULT_SERVER = "https://api.42min.us"
REF = "#/components/schemas/{model}"
EXAMPLE_REQUEST_ID = "req_01KS2D7YVP548EBYR087GSHM8K"
METHOD_ORDER = ("get", "post", "patch", "delete")

# Models listed beside those the operations name: the envelopes and the outbound payloads.
EXTRA_MODELS: tuple[type[BaseModel], ...] = (
    envelope.Meta,
    envelope.PageMeta,
    envelope.Error,
    envelope.OAuthError,
    webhook_events.WebhookEnvelope,
    webhook_events.WebhookBooking,
    webhook_events.BookingWebhookEnvelope,
    webhook_events.EventTypeWebhookEnvelope,
    webhook_events.RoutingWebhookEnvelope,
    webhook_events.SeriesWebhookEnvelope,
    webhook_events.TestWebhookEnvelope,
)
WEBHOOK_BODIES: dict[str, tuple[str, type[BaseModel]]] = {
    "booking": ("BookingWebhook", webhook_events.BookingWebhookEnvelope),
    "event_type": ("EventTypeWebhook", webhook_events.EventTypeWebhookEnvelope),
    "routing": ("RoutingWebhook", webhook_events.RoutingWebhookEnvelope),
    "series": ("SeriesWebhook", webhook_events.SeriesWebhookEnvelope),
}
DELIVERY_HEADERS: list[Schema] = [
    {
        "name": "X-42min-Webhook-Signature",
        "in": "header",
        "required": True,
        "schema": {"type": "string", "pattern": "^t=[0-9]+,v1=[0-9a-f]{64}$"},
        "description": '`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`; parse by key, '
        "reject |now − t| > 300 s.",
    },
    {
        "name": "X-42min-Webhook-Event",
        "in": "header",
        "required": True,
        "schema": {"$ref": "#/components/schemas/WebhookEventDotName"},
    },
    {
        "name": "X-42min-Webhook-Id",
        "in": "header",
        "required": True,
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,128}$"},
        "description": "The delivery id, the same on every attempt: deduplicate on it.",
    },
    {
        "name": "X-42min-Webhook-Attempt",
        "in": "header",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    },
]


class _Schemas(GenerateJsonSchema):
    """Pydantic's JSON Schema without a `title` on every property (the names say it), and without the
    `null` default of an `omitted` member (absent, never null: the default is not a value)."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def default_schema(self, schema: Any) -> Schema:
        generated: Schema = super().default_schema(schema)
        if generated.get("default", 0) is None and not _allows_null(generated):
            del generated["default"]
        return generated


def _allows_null(schema: Schema) -> bool:
    kinds = schema.get("type")
    if kinds == "null" or (isinstance(kinds, list) and "null" in kinds):
        return True
    return any(_allows_null(part) for part in schema.get("anyOf", []))


def _ref(kind: str, name: str) -> Schema:
    return {"$ref": f"#/components/{kind}/{name}"}


def _model_ref(model: type[BaseModel]) -> Schema:
    return _ref("schemas", model.__name__)


def _models() -> list[type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for op in operations.OPERATIONS:
        for model in (op.body, *(s.model for s in op.success)):
            if model is not None:
                found.setdefault(model.__name__, model)
    for model in EXTRA_MODELS:
        found.setdefault(model.__name__, model)
    return list(found.values())


def component_schemas() -> dict[str, Schema]:
    """Every model (and the details shapes of the catalogue) as `components.schemas`."""
    models = _models()
    _, top = models_json_schema(
        [(model, "validation") for model in models], ref_template=REF, schema_generator=_Schemas
    )
    schemas: dict[str, Schema] = dict(top.get("$defs", {}))
    for shape in _details_shapes():
        generated = TypeAdapter(shape).json_schema(ref_template=REF, schema_generator=_Schemas)
        schemas.update(generated.pop("$defs", {}))
        schemas[shape.__name__] = generated
    for enum in (WebhookEventName, WebhookEventDotName):  # named even where no model uses them
        schemas.setdefault(enum.__name__, TypeAdapter(enum).json_schema(schema_generator=_Schemas))
    return dict(sorted(schemas.items()))


def _details_shapes() -> list[type]:
    seen: dict[str, type] = {}
    for spec in errors.CATALOGUE.values():
        if spec.surface == "rest" and spec.details is not errors.NoDetails:
            seen.setdefault(spec.details.__name__, spec.details)
    return list(seen.values())


# --- error responses ------------------------------------------------------------------------------


def _details_text(spec: errors.ErrorSpec) -> str:
    if spec.details is errors.NoDetails:
        return ""
    return f" (`details`: {spec.details.__name__})"


def _error_example(spec: errors.ErrorSpec) -> Schema:
    return {
        "error": {
            "code": spec.code,
            "message": spec.message,
            "details": dict(spec.example),
            "request_id": EXAMPLE_REQUEST_ID,
        }
    }


def _codes_text(codes: Iterable[str]) -> str:
    parts = []
    for code in codes:
        spec = errors.CATALOGUE[code]
        parts.append(f"`{spec.code}`{_details_text(spec)}: {spec.when}")
    return "\n".join(f"- {part}" for part in parts)


def _error_response(name: str, status: int, codes: tuple[str, ...]) -> Schema:
    extra = sorted({h for code in codes for h in errors.CATALOGUE[code].headers})
    return {
        "description": f"Error codes answered with {status}:\n{_codes_text(codes)}",
        "headers": _headers((), extra),
        "content": {
            JSON: {
                "schema": _ref("schemas", "Error"),
                "examples": {
                    errors.CATALOGUE[code].code: {"value": _error_example(errors.CATALOGUE[code])}
                    for code in codes
                },
            }
        },
    }


def _component_for(status: int, codes: set[str]) -> str:
    candidates = [
        (len(held), name)
        for name, (held_status, held) in ERROR_RESPONSES.items()
        if held_status == status and codes <= set(held)
    ]
    if not candidates:
        raise ValueError(f"no error response component holds {sorted(codes)} ({status})")
    return min(candidates)[1]


def _error_responses(op: Operation) -> dict[str, Schema]:
    by_status: dict[int, list[str]] = {}
    for code in op.errors:
        by_status.setdefault(errors.CATALOGUE[code].status, []).append(code)
    responses: dict[str, Schema] = {}
    for status, codes in by_status.items():
        name = _component_for(status, set(codes))
        # A Reference Object may carry its own description (3.1): the codes of THIS operation.
        responses[str(status)] = {
            **_ref("responses", name),
            "description": ", ".join(f"`{errors.CATALOGUE[c].code}`" for c in codes),
        }
    for status in op.oauth_errors:
        responses[str(status)] = _ref("responses", "OAuthError")
    for status in op.pages:
        responses[str(status)] = _ref("responses", "AuthorizePage")
    if op.redirect is not None:
        responses[str(op.redirect)] = _ref("responses", "AuthorizeRedirect")
    return responses


def _oauth_error_response() -> Schema:
    lines = [
        f"- `{spec.error}` ({', '.join(map(str, spec.statuses))}; {', '.join(spec.endpoints)}): {spec.when}"
        for spec in errors.OAUTH_CATALOGUE.values()
        if spec.statuses and set(spec.endpoints) - {"authorize"}
    ]
    return {
        "description": "RFC 6749 error body (no envelope, no `request_id` member); "
        '`WWW-Authenticate: Basic realm="42min"` on `invalid_client` when Basic was used:\n'
        + "\n".join(lines),
        "headers": _headers((), ["WWW-Authenticate"]),
        "content": {
            JSON: {
                "schema": _ref("schemas", "OAuthError"),
                "example": {
                    "error": "invalid_grant",
                    "error_description": "The authorization code is invalid, expired or already used.",
                },
            }
        },
    }


def _page_responses() -> dict[str, Schema]:
    page_errors = ", ".join(
        f"`{spec.error}`" for spec in errors.OAUTH_CATALOGUE.values() if "authorize" in spec.endpoints
    )
    return {
        "AuthorizePage": {
            "description": "An HTML page (`text/html; charset=utf-8`): sign-in, consent, or the error page "
            f'`<main id="oauth-error" data-error="…">` ({page_errors}). Never framed, never cached.',
            "headers": _headers((), ()),
            "content": {HTML: {"schema": {"type": "string"}}},
        },
        "AuthorizeRedirect": {
            "description": "Back to the client's `redirect_uri` with `code` (or `error`, "
            "`error_description`), `state` and `iss`; or, after sign-in and switch-account, to the GET "
            "authorize URL.",
            "headers": _headers((), ("Location",)),
        },
    }


def component_responses() -> dict[str, Schema]:
    responses = {
        name: _error_response(name, status, codes) for name, (status, codes) in ERROR_RESPONSES.items()
    }
    responses["OAuthError"] = _oauth_error_response()
    responses.update(_page_responses())
    return responses


# --- operations -----------------------------------------------------------------------------------


def _headers(own: Iterable[str], extra: Iterable[str]) -> Schema:
    return {name: _ref("headers", name) for name in (*STANDARD_HEADERS, *own, *extra)}


def _success(success: Success) -> Schema:
    response: Schema = {"description": success.description, "headers": _headers(success.headers, ())}
    if success.shape == "none":
        return response
    if success.shape == "open":
        response["content"] = {JSON: {"schema": {"type": "object", "additionalProperties": True}}}
        return response
    assert success.model is not None
    data = _model_ref(success.model)
    example = success.example
    if success.shape == "raw":
        schema = data
    else:
        if success.shape in ("list", "page"):
            data = {"type": "array", "items": data}
        meta = "PageMeta" if success.shape == "page" else "Meta"
        schema = {
            "type": "object",
            "properties": {"data": data, "meta": _ref("schemas", meta)},
            "required": ["data", "meta"],
        }
        if example is not None:
            example = {"data": example, "meta": {"request_id": "req_01KS2D7WEJKJC1YBFDX34EQ70H"}}
    content: Schema = {"schema": schema}
    if example is not None:
        content["example"] = example
    response["content"] = {JSON: content}
    return response


def _parameter(param: Param) -> Schema:
    if param.ref:
        return _ref("parameters", param.ref)
    out: Schema = {"name": param.name, "in": param.where, "description": param.description}
    if param.required:
        out["required"] = True
    out["schema"] = deepcopy(param.schema)
    out.update(deepcopy(param.extra))
    return out


def _security(scope: str) -> list[Schema]:
    if scope == "public":
        return []
    if scope == "client":
        return [{"clientSecretBasic": []}, {}]
    scopes = [scope] if scope else []
    return [{"oauth2": scopes}, {"personalAccessToken": scopes}]


def operation(op: Operation) -> Schema:
    out: Schema = {"tags": [op.tag], "operationId": op.operation_id, "summary": op.summary}
    if op.description:
        out["description"] = op.description
    if op.parameters:
        out["parameters"] = [_parameter(p) for p in op.parameters]
    if op.body is not None:
        out["requestBody"] = {
            "required": op.body_required,
            "content": {op.body_media: {"schema": _model_ref(op.body)}},
        }
    responses: dict[str, Schema] = {}
    for success in op.success:
        responses[str(success.status)] = (
            _ref("responses", "AuthorizePage") if success.shape == "html" else _success(success)
        )
    responses.update(_error_responses(op))
    out["responses"] = dict(sorted(responses.items()))
    out["security"] = _security(op.scope)
    if op.scope not in ("", "public", "client"):
        out["x-required-scope"] = op.scope
    return out


def _outbound_webhooks() -> Schema:
    hooks: Schema = {}
    for dot, rest in zip(WebhookEventDotName, WebhookEventName, strict=True):
        camel = "".join(part.capitalize() for part in re.split(r"[._]", dot.value))
        body = WEBHOOK_BODIES[dot.value.split(".")[0]][0]
        hooks[dot.value] = {
            "post": {
                "operationId": f"on{camel}",
                "summary": f"`{dot.value}` delivered to a subscription that lists `{rest.value}`",
                "parameters": deepcopy(DELIVERY_HEADERS),
                "requestBody": _ref("requestBodies", body),
                "responses": {
                    "2XX": {
                        "description": "Acknowledged; no retry. Answer within 10 s. `410` pauses the "
                        "subscription; anything else is retried."
                    }
                },
            }
        }
    return hooks


def _security_schemes(server: str, scopes: Mapping[str, str]) -> Schema:
    return {
        "oauth2": {
            "type": "oauth2",
            "description": "OAuth 2.1 authorization code with PKCE (S256 only), for applications acting "
            f"for a user. Discovery: `{server}/.well-known/oauth-authorization-server`. Access tokens "
            "(`42min_at_…`) are sent as `Authorization: Bearer …`; refresh tokens need `offline_access`.",
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": f"{server}/v1/oauth/authorize",
                    "tokenUrl": f"{server}/v1/oauth/token",
                    "refreshUrl": f"{server}/v1/oauth/token",
                    "scopes": dict(scopes),
                }
            },
        },
        "personalAccessToken": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "42min_pat_<lookup>_<secret>",
            "description": "A personal access token (`42min admin pat create`), sent as `Authorization: "
            "Bearer …`. Carries scopes exactly like an OAuth access token.",
        },
        "clientSecretBasic": {
            "type": "http",
            "scheme": "basic",
            "description": "OAuth client authentication `client_secret_basic`. `client_secret_post` (form "
            "fields) and `none` (public clients, `client_id` field only) are accepted instead.",
        },
    }


def document(scopes: Mapping[str, str], server: str = DEFAULT_SERVER) -> dict[str, Any]:
    """The whole API as one OpenAPI 3.1 document (deterministic for a given contract).

    `scopes`: every known scope with its consent wording, for the OAuth security scheme.
    """
    paths: dict[str, dict[str, Schema]] = {}
    for op in operations.OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "42min API",
            "version": "1.0.0",
            "summary": "Scheduling, availability, bookings and webhooks.",
            "description": 'Every success on `/v1/*` (outside `/v1/oauth/*`) is `{"data": …, "meta": '
            '{"request_id": …}}`; every error is `{"error": {code, message, details, request_id}}`. Every '
            "response carries `X-Request-Id` and the `X-RateLimit-*` headers. Unknown routes answer 404, "
            "unknown methods 405 with `Allow`. Ignore unknown fields: new fields, enum values and error "
            "codes ship without notice. Operations marked (extension) are this implementation's additions.",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": server}],
        "security": [{"oauth2": []}, {"personalAccessToken": []}],
        "tags": list(deepcopy(operations.TAGS)),
        "paths": {
            path: dict(sorted(item.items(), key=lambda kv: METHOD_ORDER.index(kv[0])))
            for path, item in sorted(paths.items())
        },
        "webhooks": _outbound_webhooks(),
        "components": {
            "securitySchemes": _security_schemes(server, scopes),
            "parameters": deepcopy(PARAMETERS),
            "headers": deepcopy(HEADERS),
            "responses": component_responses(),
            "requestBodies": {
                name: {"required": True, "content": {JSON: {"schema": _model_ref(model)}}}
                for name, model in WEBHOOK_BODIES.values()
            },
            "schemas": component_schemas(),
        },
    }


__all__ = ["DEFAULT_SERVER", "FORM", "document", "operation"]
