"""`POST /v1/webhooks/{id}/deliveries/{delivery_id}/redeliver` (55-admin-center §6) through the real
WebhooksFunction handler, with the fan-out and the delivery worker driven by the pipeline fixture
and a loopback receiver that verifies every signature independently."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from tests.integration.webhooks.conftest import Api, Pipeline, emit_event
from tests.integration.webhooks.receiver import Receiver

pytestmark = pytest.mark.usefixtures("resolver")


def _hook(api: Any, receiver: Receiver, path: str, key: str = "full") -> dict[str, Any]:
    hook = api(key).created(receiver.url(path), ["booking_created"])
    receiver.secrets[path] = [hook["signing_secret"]]
    return hook


def _redeliver(client: Api, webhook_id: str, delivery_id: str, key: str | None = None) -> Any:
    headers = {} if key == "" else {"Idempotency-Key": key or secrets.token_hex(8)}
    return client.call(
        "POST", f"/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", headers=headers
    )


def _failed_delivery(api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline) -> tuple:
    hook = _hook(api, receiver, "/down")
    receiver.statuses["/down"] = 500
    event = emit_event(seeded["organization_id"])
    pipeline.run()
    (first_id,) = {r.delivery_id for r in receiver.on("/down")}
    return hook, event, first_id


def test_a_failed_delivery_is_delivered_again_with_the_same_event(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline
) -> None:
    hook, event, first_id = _failed_delivery(api, seeded, receiver, pipeline)
    assert len(receiver.on("/down")) == 6  # exhausted
    receiver.statuses["/down"] = 204

    response = _redeliver(api(), hook["id"], first_id)
    assert response.status == 202, response.text
    data = response.json()["data"]
    assert data["id"].startswith("whd_") and data["id"] != first_id
    assert data["event"] == "booking_created" and data["status"] == "scheduled"
    assert data["redelivery_of"] == first_id
    assert data["created_at"] == data["next_retry_at"]

    pipeline.drain()
    last = receiver.on("/down")[-1]
    assert last.delivery_id == data["id"] and last.attempt == 1 and last.answered == 204
    assert last.verify_error is None
    assert last.body == event.body  # same evt_ id, same bytes

    rows = api().deliveries(hook["id"], limit="100").json()["data"]
    assert rows[0]["id"] == data["id"] and rows[0]["redelivery_of"] == first_id
    assert rows[0]["status_code"] == 204
    assert all(r["redelivery_of"] is None for r in rows[1:])
    assert {r["id"] for r in rows[1:]} == {first_id}


def test_a_redelivery_of_a_redelivery_names_the_one_it_repeats(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline
) -> None:
    hook, _, first_id = _failed_delivery(api, seeded, receiver, pipeline)
    second = _redeliver(api(), hook["id"], first_id).json()["data"]["id"]
    pipeline.drain()  # fails all six attempts again
    third = _redeliver(api(), hook["id"], second)
    assert third.status == 202, third.text
    assert third.json()["data"]["redelivery_of"] == second
    # The original can be repeated again too, once nothing of the event is pending.
    pipeline.drain()
    again = _redeliver(api(), hook["id"], first_id)
    assert again.status == 202 and again.json()["data"]["redelivery_of"] == first_id


def test_checks_in_order(api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline) -> None:
    hook, _, first_id = _failed_delivery(api, seeded, receiver, pipeline)
    other = _hook(api, receiver, "/other")
    missing = "whd_019e44d3-ed00-7922-8ef3-c29ca6a652e6"

    def code(webhook_id: str, delivery_id: str, client: Api | None = None) -> tuple[int, str]:
        response = _redeliver(client or api(), webhook_id, delivery_id)
        return response.status, response.json()["error"]["code"]

    # 1: the subscription in the caller's sandbox
    assert code("019e449c-fe80-783c-af56-4652466de486", first_id) == (404, "not_found")
    assert code(hook["id"], first_id, api("other")) == (404, "not_found")  # another sandbox
    assert code("not-a-uuid", first_id) == (404, "not_found")
    # 2: the delivery belongs to that subscription
    assert code(hook["id"], missing) == (404, "not_found")
    assert code(hook["id"], "nonsense") == (404, "not_found")
    assert code(other["id"], first_id) == (404, "not_found")
    # 3: active (a paused subscription refuses even an existing delivery; 2 comes first)
    assert api().patch(hook["id"], {"status": "paused"}).status == 200
    assert code(hook["id"], missing) == (404, "not_found")
    assert code(hook["id"], first_id) == (409, "webhook_paused")
    assert api().patch(hook["id"], {"status": "active"}).status == 200
    # 4: nothing of the same event pending for the subscription
    assert _redeliver(api(), hook["id"], first_id.upper().replace("WHD_", "whd_")).status == 202
    assert code(hook["id"], first_id) == (409, "delivery_pending")


def test_a_delivery_still_retrying_cannot_be_redelivered(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline
) -> None:
    hook = _hook(api, receiver, "/flaky")
    receiver.statuses["/flaky"] = 503
    emit_event(seeded["organization_id"])
    pipeline.fan_out()
    pipeline.step()  # attempt 1 failed; attempt 2 is scheduled
    (delivery_id,) = {r.delivery_id for r in receiver.on("/flaky")}
    response = _redeliver(api(), hook["id"], delivery_id)
    assert response.status == 409 and response.json()["error"]["code"] == "delivery_pending"


def test_idempotency_key_required_replayed_and_bound_to_the_delivery(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline
) -> None:
    hook, _, first_id = _failed_delivery(api, seeded, receiver, pipeline)
    missing = _redeliver(api(), hook["id"], first_id, key="")
    assert missing.status == 400 and missing.json()["error"]["code"] == "missing_idempotency_key"

    first = _redeliver(api(), hook["id"], first_id, key="k-1")
    replay = _redeliver(api(), hook["id"], first_id, key="k-1")
    assert first.status == replay.status == 202
    assert replay.text == first.text  # byte for byte, original request id included
    assert replay.headers.get("idempotent-replayed") == "true"
    assert "idempotent-replayed" not in first.headers

    elsewhere = _redeliver(api(), hook["id"], "whd_019e44d3-ed00-7922-8ef3-c29ca6a652e6", key="k-1")
    assert elsewhere.status == 409 and elsewhere.json()["error"]["code"] == "idempotency_key_conflict"
    pipeline.drain()
    assert len({r.delivery_id for r in receiver.on("/down")}) == 2  # one redelivery, not two


def test_a_test_delivery_can_be_redelivered(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline
) -> None:
    hook = _hook(api, receiver, "/test")
    receiver.statuses["/test"] = 500
    tested = api().test(hook["id"]).json()["data"]
    assert tested["status_code"] == 500 and tested["redelivery_of"] is None
    receiver.statuses["/test"] = 200
    response = _redeliver(api(), hook["id"], tested["id"])
    assert response.status == 202, response.text
    pipeline.drain()
    first, again = receiver.on("/test")
    assert again.delivery_id == response.json()["data"]["id"] and again.verify_error is None
    assert again.json()["id"] == first.json()["id"] and again.body == first.body


def test_scope_is_webhooks_write(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline
) -> None:
    hook, _, first_id = _failed_delivery(api, seeded, receiver, pipeline)
    response = _redeliver(api("read"), hook["id"], first_id)
    assert (
        response.status == 403 and response.json()["error"]["details"]["required_scope"] == "webhooks:write"
    )


def test_exhausting_a_redelivery_counts_toward_auto_pause(
    api: Any, seeded: dict[str, Any], receiver: Receiver, pipeline: Pipeline
) -> None:
    from fortytwo.store import webhooks as store

    hook, _, first_id = _failed_delivery(api, seeded, receiver, pipeline)
    assert _redeliver(api(), hook["id"], first_id).status == 202
    pipeline.drain()
    sub = store.get(hook["id"])
    assert sub is not None and sub.health.failures == 2
