"""WebhooksFunction: `/v1/webhooks…` (40-webhooks §5) and synchronous test deliveries (§7.12).

Each route: the guard (auth, rate limit, scope) → parse (body, query, cursor) → ONE service
call in the caller's sandbox (`services/webhooks`, `services/deliveries`) → render. The rules
and their order live in the services.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from fortytwo.contract.errors import InvalidQueryParam
from fortytwo.domain.auth import AuthContext
from fortytwo.domain.ids import normalize_uuid
from fortytwo.domain.timefmt import TimestampError, format_ts, parse_ts
from fortytwo.http.app import create_app
from fortytwo.http.body import json_body
from fortytwo.http.cursor import CursorCodec
from fortytwo.http.guard import request_state, require
from fortytwo.http.idempotency import idempotent, required_key
from fortytwo.http.lambda_entry import make_handler
from fortytwo.http.path_params import path_param
from fortytwo.http.query import QueryReader
from fortytwo.http.responses import dumps, no_content, ok, page
from fortytwo.observability import logger
from fortytwo.services import cursors, deliveries, redelivery, webhooks
from fortytwo.services.idempotency import Reply
from fortytwo.services.webhooks import Sandbox

DELIVERIES_ROUTE = "/v1/webhooks/{id}/deliveries"
REDELIVER_ROUTE = "/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver"
DELIVERIES_SORT = "-created_at"

# What tests replace (40-webhooks §8.9): the clock, the DNS resolver and the HTTP sender.
Dependencies = webhooks.Outbound
deps = Dependencies()
app = create_app("42min webhooks")


def _sandbox(auth: AuthContext) -> Sandbox:
    return Sandbox(auth.account_id, auth.sandbox_owner)


@app.get("/v1/webhooks", operation_id="listWebhooks")
async def list_webhooks(request: Request) -> Response:
    auth = await require(request, "webhooks:read")
    subs = await run_in_threadpool(webhooks.list_webhooks, _sandbox(auth))
    return ok([s.to_api() for s in subs])


@app.post("/v1/webhooks", operation_id="createWebhook")
async def create_webhook(request: Request) -> Response:
    auth = await require(request, "webhooks:write")
    body = await json_body(request)
    sub = await run_in_threadpool(webhooks.create_webhook, _sandbox(auth), body, deps)
    logger.info("webhook created", extra={"webhook_id": sub.id, "events": list(sub.events)})
    return ok(sub.to_api(secret=True), 201)


@app.get("/v1/webhooks/{webhook_id}", operation_id="getWebhook")
async def get_webhook(request: Request) -> Response:
    auth = await require(request, "webhooks:read")
    webhook_id = path_param(request, "webhook_id")
    sub = await run_in_threadpool(webhooks.get_webhook, webhook_id, _sandbox(auth))
    return ok(sub.to_api())


@app.patch("/v1/webhooks/{webhook_id}", operation_id="updateWebhook")
async def update_webhook(request: Request) -> Response:
    auth = await require(request, "webhooks:write")
    webhook_id = path_param(request, "webhook_id")
    body = await json_body(request)
    sub = await run_in_threadpool(webhooks.update_webhook, webhook_id, _sandbox(auth), body, deps)
    logger.info("webhook updated", extra={"webhook_id": sub.id, "status": sub.status})
    return ok(sub.to_api())


@app.delete("/v1/webhooks/{webhook_id}", operation_id="deleteWebhook")
async def delete_webhook(request: Request) -> Response:
    auth = await require(request, "webhooks:write")
    webhook_id = path_param(request, "webhook_id")
    deleted = await run_in_threadpool(webhooks.delete_webhook, webhook_id, _sandbox(auth))
    logger.info("webhook deleted", extra={"webhook_id": deleted.subscription.id, "raced": deleted.raced})
    return no_content()


@app.post("/v1/webhooks/{webhook_id}/rotate-secret", operation_id="rotateWebhookSecret")
async def rotate_secret(request: Request) -> Response:
    auth = await require(request, "webhooks:write")
    webhook_id = path_param(request, "webhook_id")
    sub = await run_in_threadpool(webhooks.rotate_secret, webhook_id, _sandbox(auth), deps)
    logger.info("webhook secret rotated", extra={"webhook_id": sub.id})
    return ok(sub.to_api(secret=True))


@app.post("/v1/webhooks/{webhook_id}/test", operation_id="testWebhook")
async def test_webhook(request: Request) -> Response:
    auth = await require(request, "webhooks:write")
    webhook_id = path_param(request, "webhook_id")
    logged = await run_in_threadpool(webhooks.test_webhook, webhook_id, _sandbox(auth), deps)
    record = logged.record
    logger.info(
        "webhook test delivery",
        extra={
            "webhook_id": normalize_uuid(webhook_id),
            "delivery_id": logged.delivery_id,
            "status_code": record.status_code,
            "error": None if record.error is None else str(record.error),
            "duration_ms": record.duration_ms,
        },
    )
    return ok(logged.to_api())


def _after(codec: CursorCodec, cursor: str, binding: str) -> tuple[str, str, int]:
    """The keyset position of a deliveries cursor: (created_at, delivery id, attempt)."""
    sort_value, last_id = codec.decode(cursor, binding)
    delivery_id, sep, attempt = last_id.rpartition(":")
    try:
        if not isinstance(sort_value, str) or not sep or not attempt.isdigit():
            raise ValueError("position")
        created_at = format_ts(parse_ts(sort_value))
    except (ValueError, TimestampError):
        raise InvalidQueryParam("cursor", "cursor is invalid for this request") from None
    return created_at, delivery_id, int(attempt)


@app.get("/v1/webhooks/{webhook_id}/deliveries", operation_id="listWebhookDeliveries")
async def list_deliveries(request: Request) -> Response:
    auth = await require(request, "webhooks:read")
    webhook_id = path_param(request, "webhook_id")
    query = QueryReader.of(request)
    limit = query.limit()
    cursor = query.single("cursor")
    # Bound to this subscription: the id as the API names it (lower case) when it is a UUID.
    binding = CursorCodec.binding(
        DELIVERIES_ROUTE,
        {"id": normalize_uuid(webhook_id) or webhook_id},
        DELIVERIES_SORT,
        {},
        account=auth.account_id,
    )
    codec = CursorCodec(cursors.signing_key())
    after = _after(codec, cursor, binding) if cursor is not None else None
    rows = await run_in_threadpool(
        lambda: deliveries.list_deliveries(
            webhook_id, _sandbox(auth), now=deps.now(), limit=limit + 1, after=after
        )
    )
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = codec.encode(
            binding, format_ts(last.record.created_at), f"{last.delivery_id}:{last.record.attempt}"
        )
    return page([row.to_api() for row in rows[:limit]], next_cursor)


@app.post(
    "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", operation_id="redeliverWebhookDelivery"
)
async def redeliver(request: Request) -> Response:
    """55-admin-center §6: a new delivery of the same event; the body is ignored (the fingerprint
    takes it as empty)."""
    auth = await require(request, "webhooks:write")
    webhook_id = path_param(request, "webhook_id")
    delivery_id = path_param(request, "delivery_id")
    key = required_key(request)
    request_id = request_state(request).request_id
    now = deps.now()

    def render(done: redelivery.Redelivered) -> Reply:
        body = dumps({"data": done.to_api(), "meta": {"request_id": request_id}}).decode("utf-8")
        return Reply(202, body, request_id)

    return await run_in_threadpool(
        lambda: idempotent(
            request,
            auth,
            key=key,
            method="POST",
            route=REDELIVER_ROUTE,
            path_params={"id": normalize_uuid(webhook_id) or webhook_id, "delivery_id": delivery_id},
            body={},
            now=now,
            render=render,
            write=lambda finish: redelivery.redeliver(
                webhook_id, delivery_id, _sandbox(auth), now=now, finish=finish
            ),
        )
    )


handler = make_handler(app)
