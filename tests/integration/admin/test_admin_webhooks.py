"""The Webhooks tab (55-admin-center §5, §6): every subscription of the organization, its actions,
the deliveries log and Redeliver, with the real fan-out and delivery worker (pipeline fixture) and a
loopback receiver that verifies each signature."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.integration.admin.conftest import Browser, hidden_fields, shown_secret, unique_org
from tests.integration.webhooks.conftest import Pipeline, emit_event
from tests.integration.webhooks.receiver import Receiver


@pytest.fixture
def admin_deps(functions: Any, monkeypatch: pytest.MonkeyPatch, resolver: dict[str, list[str]]) -> None:
    from tests.support import aws

    admin = aws.function_module("admin")
    monkeypatch.setattr(admin, "deps", functions.webhooks.deps)


@pytest.fixture
def setup(moto_env: None, invoke: Any, receiver: Receiver, admin_deps: None) -> dict[str, Any]:
    from tests.integration.webhooks.conftest import Api

    org = unique_org()
    from fortytwo.services import accounts, pats

    user = accounts.find_user(f"{org['prefix']}ada")
    _, token = pats.create_for_user(user, "integration", "webhooks:read,webhooks:write", None)
    api = Api(invoke, token)
    hook = api.created(receiver.url("/hook"), ["booking_created"])
    receiver.secrets["/hook"] = [hook["signing_secret"]]
    browser = Browser()
    browser.sign_in(f"{org['prefix']}ada")
    return {"org": org, "api": api, "hook": hook, "browser": browser}


def test_the_tab_lists_every_sandbox_with_its_label(setup: dict[str, Any]) -> None:
    page = setup["browser"].get("/360/api?tab=webhooks")
    assert page.status == 200
    assert "PAT integration" in page.text and setup["hook"]["url"] in page.text
    assert setup["hook"]["signing_secret"] not in page.text
    assert "pat:" not in page.text  # the owner key itself never shows


def test_pause_resume_rotate_test_and_delete(setup: dict[str, Any], receiver: Receiver) -> None:
    browser, hook, api = setup["browser"], setup["hook"], setup["api"]
    base = f"/360/api/webhooks/{hook['id']}"
    page = browser.get("/360/api?tab=webhooks")
    paused = browser.submit(page, f"{base}/pause")
    assert "paused." in paused.text and api.get(hook["id"]).json()["data"]["status"] == "paused"
    resumed = browser.submit(paused, f"{base}/resume")
    assert "resumed." in resumed.text and api.get(hook["id"]).json()["data"]["status"] == "active"
    rotated = browser.submit(resumed, f"{base}/rotate-secret")
    secret = shown_secret(rotated.text)
    assert secret.startswith("whsec_") and secret != hook["signing_secret"]
    receiver.secrets["/hook"] = [secret]
    tested = browser.submit(rotated, f"{base}/test")
    assert "Test event sent" in tested.text and "status 204" in tested.text
    (got,) = receiver.on("/hook")
    assert got.verify_error is None
    confirm = browser.get(f"/360/api?tab=webhooks&webhook={hook['id']}&panel=delete")
    browser.submit(confirm, f"{base}/delete")
    assert api.get(hook["id"]).status == 404


def test_a_failed_delivery_is_redelivered_from_the_tab(
    setup: dict[str, Any], receiver: Receiver, pipeline: Pipeline
) -> None:
    browser, hook = setup["browser"], setup["hook"]
    receiver.statuses["/hook"] = 500
    event = emit_event(setup["org"]["organization_id"])
    pipeline.run()
    (failed_id,) = {r.delivery_id for r in receiver.on("/hook")}
    receiver.statuses["/hook"] = 204

    page = browser.get(f"/360/api?tab=webhooks&webhook={hook['id']}")
    assert page.text.count("Redeliver</button>") == 6  # one per attempt row
    action = f"/360/api/webhooks/{hook['id']}/deliveries/{failed_id}/redeliver"
    key = dict(hidden_fields(page.text, action))["idempotency_key"]
    done = browser.submit(page, action)
    assert "scheduled." in done.text
    again = browser.request("POST", action, form=hidden_fields(page.text, action))  # a double submit
    assert again.status == 303
    assert "already scheduled" in browser.follow(again).text
    assert key

    pipeline.drain()
    last = receiver.on("/hook")[-1]
    assert last.answered == 204 and last.verify_error is None and last.body == event.body
    assert last.delivery_id != failed_id
    assert len({r.delivery_id for r in receiver.on("/hook")}) == 2  # redelivered once
    log = browser.get(f"/360/api?tab=webhooks&webhook={hook['id']}")
    assert f"repeats <code>{failed_id}</code>" in log.text


def test_deliveries_are_paged_by_20(setup: dict[str, Any], pipeline: Pipeline) -> None:
    browser, hook = setup["browser"], setup["hook"]
    for _ in range(23):
        emit_event(setup["org"]["organization_id"])
    pipeline.run()
    first = browser.get(f"/360/api?tab=webhooks&webhook={hook['id']}")
    assert first.text.count("Redeliver</button>") == 20
    link = re.search(
        r'href="(/360/api\?tab=webhooks&amp;webhook=[^"]+&amp;after=[^"#]+)#deliveries"', first.text
    )
    assert link
    second = browser.get(link.group(1).replace("&amp;", "&"))
    assert second.text.count("Redeliver</button>") == 3
    assert "Next deliveries" not in second.text


def test_redeliver_refusals_are_announced(
    setup: dict[str, Any], receiver: Receiver, pipeline: Pipeline
) -> None:
    browser, hook, api = setup["browser"], setup["hook"], setup["api"]
    emit_event(setup["org"]["organization_id"])
    pipeline.run()
    (delivery_id,) = {r.delivery_id for r in receiver.on("/hook")}
    page = browser.get(f"/360/api?tab=webhooks&webhook={hook['id']}")
    api.patch(hook["id"], {"status": "paused"})
    refused = browser.submit(page, f"/360/api/webhooks/{hook['id']}/deliveries/{delivery_id}/redeliver")
    assert "Not redelivered: This webhook is paused" in refused.text
    assert 'role="status"' in refused.text
