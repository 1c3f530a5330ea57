"""Every sample event in events/ drives its function's real handler (the files also work with sam local)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support import aws
from tests.support.seed_docs import e2e_seed

EVENTS = aws.ROOT / "events"
# file → (function group, expected status)
HTTP_EVENTS: dict[str, tuple[str, int]] = {
    "meta_ping.json": ("meta", 200),
    "meta_me.json": ("meta", 200),
    "meta_default_405.json": ("meta", 405),
    "event_types_list.json": ("event_types", 200),
    "slots_list.json": ("slots", 200),
    "bookings_list.json": ("bookings", 200),
    "webhooks_list.json": ("webhooks", 200),
    "oauth_discovery.json": ("oauth", 200),
}


def _load(name: str, substitutions: dict[str, str]) -> dict[str, Any]:
    text = (EVENTS / name).read_text()
    for key, value in substitutions.items():
        text = text.replace("{{" + key + "}}", value)
    return json.loads(text)


def test_every_http_event_file_is_covered():
    files = {p.name for p in EVENTS.glob("*.json")}
    http_files = {name for name in files if json.loads((EVENTS / name).read_text()).get("version") == "2.0"}
    assert http_files == set(HTTP_EVENTS)


@pytest.mark.parametrize("name", sorted(HTTP_EVENTS))
def test_http_sample_event(moto_env, name):
    from fortytwo_local.seed import apply_seed

    result = apply_seed(e2e_seed())
    group, expected = HTTP_EVENTS[name]
    event = _load(
        name,
        {"TOKEN": result["pats"]["full"]["token"], "EVENT_TYPE_ID": result["event_types"].get("intro", "")},
    )
    response = aws.function_module(group).handler(event, aws.LambdaContext())
    assert response["statusCode"] == expected, response.get("body")
    assert response["headers"]["x-request-id"].startswith("req_")


def test_event_files_are_valid_json(tmp_path: Path):
    for path in EVENTS.glob("*.json"):
        json.loads(path.read_text())
