"""The demo organization `42min dev` creates on first start is a valid, complete seed."""

from __future__ import annotations

from fortytwo_local.seed import apply_seed, demo_seed


def test_demo_seed_creates_users_team_event_types_and_an_all_scope_pat(invoke):
    result = apply_seed(demo_seed())
    assert set(result["users"]) == {"ada", "grace"} and set(result["teams"]) == {"Sales"}
    assert set(result["event_types"]) == {"intro", "demo"}
    token = result["pats"]["demo"]["token"]
    listed = invoke("event_types", "GET", "/v1/event-types", headers={"Authorization": f"Bearer {token}"})
    assert listed.status == 200 and len(listed.json()["data"]) == 2
