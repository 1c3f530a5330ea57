"""WebhooksFunction: `/v1/webhooks…` (40-webhooks §5) and synchronous test deliveries (§7.12).

Every route works inside the caller's sandbox (organization + owner key of the credential); a
subscription of any other sandbox answers exactly like a missing one. Checks run in the
contract's order: the shared ones (auth, rate limit, scope, body, query) in the guard and the
body helpers, then path id → load → URL destination → duplicate URL → limit → apply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from fastapi import Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from fortytwo.adapters import webhook_http
from fortytwo.config import get_settings
from fortytwo.contract.errors import (
    DuplicateUrl,
    InvalidQueryParam,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
    WebhookLimitReached,
    WebhookUrlForbidden,
)
from fortytwo.domain import clock
from fortytwo.domain.auth import AuthContext
from fortytwo.domain.ids import normalize_uuid, uuid7
from fortytwo.domain.timefmt import TimestampError, format_ts, parse_ts
from fortytwo.domain.webhooks.delivery_state import LOG_RETENTION, record_for_test_delivery
from fortytwo.domain.webhooks.envelope import OutboundRequest, build_test_delivery, epoch_ms
from fortytwo.domain.webhooks.errors import FieldError
from fortytwo.domain.webhooks.signature import generate_secret
from fortytwo.domain.webhooks.url_policy import WebhookUrl, forbidden_host_message
from fortytwo.domain.webhooks.validation import validate_create, validate_patch
from fortytwo.http.app import create_app
from fortytwo.http.body import json_body
from fortytwo.http.cursor import CursorCodec
from fortytwo.http.guard import bearer
from fortytwo.http.lambda_entry import make_handler
from fortytwo.http.query import QueryReader
from fortytwo.http.responses import no_content, ok, page
from fortytwo.observability import logger
from fortytwo.store import deliveries
from fortytwo.store import webhooks as store
from fortytwo.store.pepper import get_pepper

DELIVERIES_ROUTE = "/v1/webhooks/{id}/deliveries"
DELIVERIES_SORT = "-created_at"

Sender = Callable[..., webhook_http.SendResult]


@dataclass
class Dependencies:
    """What tests replace (40-webhooks §8.9): the clock, the DNS resolver and the HTTP sender."""

    now: Callable[[], datetime] = clock.now
    resolver: webhook_http.Resolver = webhook_http.system_resolver
    send: Sender = field(default=webhook_http.send)


deps = Dependencies()
app = create_app("42min webhooks")


def _not_found() -> NotFound:
    return NotFound("No such webhook")


def _field_errors(errors: list[FieldError]) -> ValidationFailed:
    return ValidationFailed([e.to_api() for e in errors])


def _load(auth: AuthContext, raw_id: str) -> store.Subscription:
    """Checks 1 and 2 of §5: a UUID in any case, then the subscription within the sandbox."""
    webhook_id = normalize_uuid(raw_id)
    if webhook_id is None:
        raise _not_found()
    sub = store.get_in_sandbox(webhook_id, auth.account_id, auth.sandbox_owner)
    if sub is None:
        raise _not_found()
    return sub


def _visible_to(auth: AuthContext) -> Callable[[store.Subscription], bool]:
    return lambda sub: sub.in_sandbox(auth.account_id, auth.sandbox_owner)


async def _check_destination(url: WebhookUrl) -> None:
    """Check 3: the literal IP, or every address the name resolves to (up to 2 s of DNS)."""
    forbidden = await run_in_threadpool(
        webhook_http.check_destination,
        url,
        allow_insecure=get_settings().allow_insecure_webhooks,
        resolver=deps.resolver,
    )
    if forbidden is not None:
        logger.info("webhook url refused", extra={"host": url.host, "address": forbidden})
        raise WebhookUrlForbidden(forbidden_host_message(url.host))


@app.get("/v1/webhooks", operation_id="listWebhooks")
async def list_webhooks(auth: AuthContext = Depends(bearer("webhooks:read"))) -> Response:
    subs = store.list_sandbox(auth.account_id, auth.sandbox_owner)
    return ok([store.public_view(s) for s in subs])


@app.post("/v1/webhooks", operation_id="createWebhook")
async def create_webhook(request: Request, auth: AuthContext = Depends(bearer("webhooks:write"))) -> Response:
    body = await json_body(request)
    parsed = validate_create(body, allow_insecure=get_settings().allow_insecure_webhooks)
    if isinstance(parsed, list):
        raise _field_errors(parsed)
    await _check_destination(parsed.url)
    now = deps.now()
    try:
        sub = store.create(
            webhook_id=uuid7(epoch_ms(now)),
            org_id=auth.account_id,
            owner_key=auth.sandbox_owner,
            url=parsed.url.url,
            events=parsed.events,
            description=parsed.description,
            secret=generate_secret(),
            now=now,
        )
    except store.DuplicateUrlError as exc:
        raise DuplicateUrl(exc.webhook_id) from None
    except store.LimitReachedError:
        raise WebhookLimitReached(store.MAX_PER_SANDBOX) from None
    except store.WriteContention:
        raise ServiceUnavailable() from None
    logger.info("webhook created", extra={"webhook_id": sub.id, "events": list(sub.events)})
    return ok(store.public_view(sub, secret=True), 201)


@app.get("/v1/webhooks/{webhook_id}", operation_id="getWebhook")
async def get_webhook(webhook_id: str, auth: AuthContext = Depends(bearer("webhooks:read"))) -> Response:
    return ok(store.public_view(_load(auth, webhook_id)))


@app.patch("/v1/webhooks/{webhook_id}", operation_id="updateWebhook")
async def update_webhook(
    webhook_id: str, request: Request, auth: AuthContext = Depends(bearer("webhooks:write"))
) -> Response:
    # The body is judged before the id (00-conventions §5.3: body checks precede endpoint checks).
    body = await json_body(request)
    parsed = validate_patch(body, allow_insecure=get_settings().allow_insecure_webhooks)
    if isinstance(parsed, list):
        raise _field_errors(parsed)
    sub = _load(auth, webhook_id)
    if parsed.url is not None:
        # Resolved again even when the URL is unchanged (§4.3): DNS may have moved.
        await _check_destination(parsed.url)
    try:
        updated = store.update(sub, parsed, deps.now(), still_visible=_visible_to(auth))
    except store.SubscriptionMissing:
        raise _not_found() from None
    except store.DuplicateUrlError as exc:
        raise DuplicateUrl(exc.webhook_id) from None
    except store.WriteContention:
        raise ServiceUnavailable() from None
    logger.info("webhook updated", extra={"webhook_id": updated.id, "status": updated.status})
    return ok(store.public_view(updated))


@app.delete("/v1/webhooks/{webhook_id}", operation_id="deleteWebhook")
async def delete_webhook(webhook_id: str, auth: AuthContext = Depends(bearer("webhooks:write"))) -> Response:
    sub = _load(auth, webhook_id)
    try:
        deleted = store.delete(sub)
    except store.WriteContention:
        raise ServiceUnavailable() from None
    # A concurrent DELETE that won still answers 204 here (§5.5 step 3).
    logger.info("webhook deleted", extra={"webhook_id": sub.id, "raced": not deleted})
    return no_content()


@app.post("/v1/webhooks/{webhook_id}/rotate-secret", operation_id="rotateWebhookSecret")
async def rotate_secret(webhook_id: str, auth: AuthContext = Depends(bearer("webhooks:write"))) -> Response:
    sub = _load(auth, webhook_id)
    try:
        rotated = store.rotate_secret(sub, generate_secret(), deps.now(), still_visible=_visible_to(auth))
    except store.SubscriptionMissing:
        raise _not_found() from None
    except store.WriteContention:
        raise ServiceUnavailable() from None
    logger.info("webhook secret rotated", extra={"webhook_id": rotated.id})
    return ok(store.public_view(rotated, secret=True))


def _send(request: OutboundRequest) -> webhook_http.SendResult:
    return deps.send(request, allow_insecure=get_settings().allow_insecure_webhooks, resolver=deps.resolver)


@app.post("/v1/webhooks/{webhook_id}/test", operation_id="testWebhook")
async def test_webhook(webhook_id: str, auth: AuthContext = Depends(bearer("webhooks:write"))) -> Response:
    """§7.12: one signed attempt now, same signer/resolver/sender as real deliveries, no retry,
    no effect on status, counter or `last_delivery_*`; only the log row is written."""
    sub = _load(auth, webhook_id)
    started = deps.now()
    delivery = build_test_delivery(events=sub.events, url=sub.url, secret=sub.secret, now=started)
    result = await run_in_threadpool(_send, delivery.request)
    record = record_for_test_delivery(started, result.outcome())
    deliveries.put_attempt(sub.id, delivery.delivery_id, delivery.rest_event, record)
    logger.info(
        "webhook test delivery",
        extra={
            "webhook_id": sub.id,
            "delivery_id": delivery.delivery_id,
            "status_code": record.status_code,
            "error": None if record.error is None else str(record.error),
            "duration_ms": record.duration_ms,
        },
    )
    return ok(record.to_api(delivery.delivery_id, delivery.rest_event))


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
async def list_deliveries(
    webhook_id: str, request: Request, auth: AuthContext = Depends(bearer("webhooks:read"))
) -> Response:
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
    codec = CursorCodec(get_pepper())
    after = _after(codec, cursor, binding) if cursor is not None else None
    sub = _load(auth, webhook_id)
    items = deliveries.list_attempts(
        sub.id, not_before=deps.now() - LOG_RETENTION, limit=limit + 1, after=after
    )
    rows = [deliveries.record_from_item(i) for i in items]
    data = [record.to_api(did, event) for did, event, record in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        did, _, last = rows[limit - 1]
        next_cursor = codec.encode(binding, format_ts(last.created_at), f"{did}:{last.attempt}")
    return page(data, next_cursor)


handler = make_handler(app)
