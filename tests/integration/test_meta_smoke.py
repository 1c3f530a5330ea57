from __future__ import annotations

from fortytwo_local.seed import apply_seed, demo_seed


def test_ping_and_me(invoke):
    result = apply_seed(demo_seed())
    token = result["pats"]["demo"]["token"]
    r = invoke("meta", "GET", "/v1/_ping", headers={"Authorization": f"Bearer {token}"})
    assert r.status == 200, r.text
    print(r.headers, r.text)
    r = invoke("meta", "GET", "/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status == 200, r.text
    print(r.text)
    r = invoke("meta", "DELETE", "/v1/bookings/abc")
    print(r.status, r.headers, r.text)
    assert r.status == 405
