"""Paths as API Gateway HTTP APIs hand them over (decoded `rawPath`), and runs of slashes
(00-conventions §1), through the real handlers. docs/decisions.md: "Decoded paths"."""

from __future__ import annotations

import pytest

from fortytwo.http import routes
from fortytwo_local.seed import apply_seed, demo_seed

UID = "019daa5e-4cba-7627-af4f-895564b7a99e"


@pytest.fixture
def token(moto_env) -> str:
    return str(apply_seed(demo_seed())["pats"]["demo"]["token"])


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_double_slashes_reaching_the_default_route_are_served_or_redirected(invoke, token):
    # API Gateway's matcher may not collapse slashes: then `$default` (MetaFunction) gets them.
    me = invoke("meta", "GET", "//v1//me", headers=_auth(token))
    assert me.status == 200 and me.json()["data"]["user"]["username"] == "ada"
    moved = invoke("meta", "POST", "//v1/bookings", query="x=1&y=%20", headers=_auth(token))
    assert moved.status == 308 and moved.headers["location"] == "/v1/bookings?x=1&y=%20"
    assert moved.text == "" and moved.headers["cache-control"] == "no-store"
    assert "x-ratelimit-limit" in moved.headers  # counted like any unmatched route (anonymous)
    wrong_method = invoke("meta", "DELETE", "//v1/me")
    assert wrong_method.status == 405 and wrong_method.headers["allow"] == "GET"
    for path in ("/v1/me/", "//v1/me/", "//v1/nope"):
        r = invoke("meta", "GET", path)
        assert r.status == 404 and r.json()["error"]["code"] == "not_found", path


def test_double_slashes_routed_to_the_owning_function_are_served(invoke, token):
    r = invoke("bookings", "GET", "//v1//bookings", route_key="GET /v1/bookings", headers=_auth(token))
    assert r.status == 200 and isinstance(r.json()["data"], list)


def test_an_encoded_slash_is_a_slash(invoke, token):
    # `GET /v1/bookings/<uid>%2Fcancel` arrives as `/v1/bookings/<uid>/cancel`: API Gateway finds
    # no GET route there and hands it to `$default`, which names the route's method.
    r = invoke("meta", "GET", f"/v1/bookings/{UID}%2Fcancel", headers=_auth(token))
    assert r.status == 405 and r.headers["allow"] == "POST"
    assert r.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("suffix", ["%0A", "%0D%0A", "%20", "%00"])
def test_control_characters_in_a_uid_are_the_resources_404(invoke, token, suffix):
    r = invoke(
        "bookings",
        "GET",
        f"/v1/bookings/{UID}{suffix}",
        route_key="GET /v1/bookings/{uid}",
        headers=_auth(token),
    )
    assert r.status == 404 and r.json()["error"]["code"] == "booking_not_found", suffix


def test_route_table_matches_the_whole_decoded_path():
    assert routes.allowed_methods(f"/v1/bookings/{UID}\n") == ["GET", "PATCH"]
    assert routes.allowed_methods("/v1/me\n") == []
    assert routes.canonical_path("//v1///me/") == "/v1/me/"
