"""The request frame every API function shares (`http/app._Pipeline`, plain ASGI): request id,
finishing headers and the contract's 500 for anything a route leaves unhandled."""

from __future__ import annotations

from starlette.responses import Response
from starlette.testclient import TestClient

from fortytwo.contract.errors import NotFound
from fortytwo.http.app import create_app
from fortytwo.http.responses import ok

app = create_app("frame test")


@app.get("/boom")
async def boom() -> Response:
    raise RuntimeError("a bug")


@app.get("/missing")
async def missing() -> Response:
    raise NotFound()


@app.get("/empty")
async def empty() -> Response:
    return Response(status_code=204, media_type="application/json")


@app.get("/cached")
async def cached() -> Response:
    return ok({"x": 1}, headers={"Cache-Control": "public, max-age=60", "X-Request-Id": "req_theirs"})


client = TestClient(app, raise_server_exceptions=False)


def test_an_unhandled_error_is_the_contracts_500_with_the_request_id() -> None:
    r = client.get("/boom")
    assert r.status_code == 500
    body = r.json()["error"]
    assert body["code"] == "internal_error"
    assert body["request_id"] == r.headers["x-request-id"] and body["request_id"].startswith("req_")
    assert r.headers["cache-control"] == "no-store"


def test_contract_errors_keep_their_status_and_get_the_frame_headers() -> None:
    r = client.get("/missing")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert r.headers["x-request-id"] == r.json()["error"]["request_id"]
    assert r.headers["cache-control"] == "no-store"


def test_a_204_has_no_content_type_and_still_its_request_id() -> None:
    r = client.get("/empty")
    assert r.status_code == 204
    assert "content-type" not in r.headers
    assert r.headers["x-request-id"].startswith("req_")


def test_headers_a_response_sets_itself_are_kept_once() -> None:
    r = client.get("/cached")
    assert r.headers["cache-control"] == "public, max-age=60"
    assert r.headers.get_list("x-request-id") == ["req_theirs"]
    assert r.headers.get_list("cache-control") == ["public, max-age=60"]


def test_each_request_gets_its_own_id() -> None:
    first, second = client.get("/cached?a"), client.get("/missing")
    assert first.json()["meta"]["request_id"] != second.json()["error"]["request_id"]
