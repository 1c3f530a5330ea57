"""MetaFunction: GET /v1/_ping, GET /v1/me, and the `$default` route (the contract's 404/405)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from fortytwo.http.app import create_app, unmatched_response
from fortytwo.http.body import raw_body
from fortytwo.http.guard import count_anonymous, require
from fortytwo.http.lambda_entry import make_handler
from fortytwo.http.responses import ok
from fortytwo.services import accounts

app = create_app("42min meta")


@app.get("/v1/_ping", operation_id="ping")
async def ping(request: Request) -> Response:
    auth = await require(request, None)
    data: dict[str, object] = {
        "ok": True,
        "auth_type": auth.auth_type,
        "account_id": auth.account_id,
        "scopes": list(auth.scopes),
    }
    if auth.client_id is not None:
        data["client_id"] = auth.client_id
    return ok(data)


@app.get("/v1/me", operation_id="getMe")
async def me(request: Request) -> Response:
    auth = await require(request, "user:read")
    return ok(accounts.me(auth))


_OPENAPI = Path(__file__).with_name("openapi.json")


@lru_cache(maxsize=1)
def _openapi_bytes() -> bytes:
    return _OPENAPI.read_bytes()


@app.get("/openapi.json", operation_id="getOpenApiDocument")
async def openapi_document(request: Request) -> Response:
    """(extension) The merged OpenAPI document, shipped with this function (a copy of docs/openapi.json)."""
    count_anonymous(request)
    await raw_body(request)
    return Response(
        _openapi_bytes(), media_type="application/json", headers={"Cache-Control": "public, max-age=300"}
    )


@app.api_route(
    "/{path:path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
    include_in_schema=False,
)
async def default_route(request: Request) -> Response:
    """API Gateway sends every unmatched method/path here: anonymous bucket first, then 404/405
    (or 308 to the canonical path of another function's route)."""
    count_anonymous(request)
    return unmatched_response(request)


handler = make_handler(app)
