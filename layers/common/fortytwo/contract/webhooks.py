"""Webhook subscriptions and their delivery history (40-webhooks §3, §5)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from fortytwo.contract.examples import examples
from fortytwo.contract.types import ContractModel, Instant, Url, Uuid, omitted


class WebhookEventName(StrEnum):
    """Names as the REST API takes and returns them (underscore form)."""

    BOOKING_CREATED = "booking_created"
    BOOKING_UPDATED = "booking_updated"
    BOOKING_CANCELED = "booking_canceled"
    BOOKING_RESCHEDULED = "booking_rescheduled"
    BOOKING_NO_SHOW = "booking_no_show"
    EVENT_TYPE_UPDATED = "event_type_updated"
    EVENT_TYPE_DELETED = "event_type_deleted"
    ROUTING_FORM_SUBMITTED = "routing_form_submitted"
    # 35-series §12.2 (extension)
    SERIES_CREATED = "series_created"
    SERIES_UPDATED = "series_updated"
    SERIES_PAUSED = "series_paused"
    SERIES_RESUMED = "series_resumed"
    SERIES_ENDED = "series_ended"
    SERIES_HOST_CHANGED = "series_host_changed"


class WebhookEventDotName(StrEnum):
    """Names on outbound deliveries (payload `event`, `X-42min-Webhook-Event`)."""

    BOOKING_CREATED = "booking.created"
    BOOKING_UPDATED = "booking.updated"
    BOOKING_CANCELED = "booking.canceled"
    BOOKING_RESCHEDULED = "booking.rescheduled"
    BOOKING_NO_SHOW = "booking.no_show"
    EVENT_TYPE_UPDATED = "event_type.updated"
    EVENT_TYPE_DELETED = "event_type.deleted"
    ROUTING_FORM_SUBMITTED = "routing.form_submitted"
    SERIES_CREATED = "series.created"
    SERIES_UPDATED = "series.updated"
    SERIES_PAUSED = "series.paused"
    SERIES_RESUMED = "series.resumed"
    SERIES_ENDED = "series.ended"
    SERIES_HOST_CHANGED = "series.host_changed"


WebhookStatus = Literal["active", "paused"]
PausedReason = Literal["consecutive_failures", "endpoint_gone"]
SIGNING_SECRET_PATTERN = "^whsec_[A-Za-z0-9_-]{43}$"

WEBHOOK_EXAMPLE: dict[str, Any] = {
    "id": "019e449c-fe80-783c-af56-4652466de486",
    "url": "https://hooks.example.com/42min",
    "events": ["booking_created", "booking_updated", "booking_canceled", "booking_rescheduled"],
    "status": "active",
    "description": "CRM sync (production)",
    "paused_reason": None,
    "last_delivery_at": "2026-05-20T11:05:00.889Z",
    "last_delivery_ok": True,
    "created_at": "2026-05-20T09:00:00.000Z",
    "updated_at": "2026-05-20T09:03:00.000Z",
}
WEBHOOK_WITH_SECRET_EXAMPLE: dict[str, Any] = {
    **WEBHOOK_EXAMPLE,
    "last_delivery_at": None,
    "last_delivery_ok": None,
    "signing_secret": "whsec_q3KD0sZ7Hk1l9yQm2b8JYzqVQeG5J8kzq1mX0aW3xYE",
}
DELIVERY_EXAMPLE: dict[str, Any] = {
    "id": "whd_019e450a-db80-770f-802a-3486c6a355a0",
    "event": "booking_updated",
    "attempt": 2,
    "status_code": None,
    "error": "timeout",
    "delivered_at": None,
    "created_at": "2026-05-20T11:01:00.901Z",
    "duration_ms": 10000,
    "next_retry_at": "2026-05-20T11:05:00.734Z",
    "redelivery_of": None,
}
REDELIVERY_EXAMPLE: dict[str, Any] = {
    "id": "whd_019e4510-4b20-7c55-9a1e-0f2b7d2f4c11",
    "event": "booking_updated",
    "status": "scheduled",
    "redelivery_of": "whd_019e450a-db80-770f-802a-3486c6a355a0",
    "created_at": "2026-05-20T11:07:00.000Z",
    "next_retry_at": "2026-05-20T11:07:00.000Z",
}


class Webhook(ContractModel):
    model_config = examples(WEBHOOK_EXAMPLE)

    id: Uuid
    url: Url
    events: list[WebhookEventName] = Field(min_length=1)
    status: WebhookStatus
    description: str | None = Field(max_length=255)
    paused_reason: PausedReason | None = Field(
        description="Set only when the system paused it; more values may appear."
    )
    last_delivery_at: Instant | None
    last_delivery_ok: bool | None
    created_at: Instant
    updated_at: Instant


class WebhookWithSecret(Webhook):
    model_config = examples(WEBHOOK_WITH_SECRET_EXAMPLE)

    signing_secret: str = Field(
        pattern=SIGNING_SECRET_PATTERN,
        description="Shown only on create and rotate; the HMAC key, used whole.",
    )


class CreateWebhookRequest(ContractModel):
    model_config = examples(
        {
            "url": "https://hooks.example.com/42min",
            "events": ["booking_created", "booking_canceled"],
            "description": "CRM sync",
        }
    )

    url: Url = Field(max_length=2000, description="Absolute https URL resolving to public addresses.")
    events: list[WebhookEventName] = Field(min_length=1, description="Duplicates are dropped.")
    description: str | None = Field(default=None, max_length=255, description='`""` is stored as null.')


class UpdateWebhookRequest(ContractModel):
    """Absent fields stay; `{}` is a valid no-op that resets the failure counter; `status: active`
    resumes."""

    model_config = examples({"status": "active"})

    # Absent means "keep"; `null` is refused except for `description`.
    url: Url = omitted(max_length=2000)
    events: list[WebhookEventName] = omitted("Replaces the list.", min_length=1)
    description: str | None = Field(default=None, max_length=255)
    status: WebhookStatus = omitted()


class WebhookDelivery(ContractModel):
    model_config = examples(DELIVERY_EXAMPLE)

    id: str = Field(pattern="^whd_", description="Delivery id `whd_…` (the X-42min-Webhook-Id).")
    event: WebhookEventName
    attempt: int = Field(ge=1)
    status_code: int | None
    error: str | None = Field(
        description="`endpoint_gone`, `redirect_not_followed`, `http_error`, `timeout`, `dns_failure`, "
        "`forbidden_address`, `connection_failed`, `tls_failure`, …"
    )
    delivered_at: Instant | None
    created_at: Instant
    duration_ms: int
    next_retry_at: Instant | None
    redelivery_of: str | None = Field(
        pattern="^whd_", description="(extension) The delivery this one repeats (a redelivery), else null."
    )


class WebhookRedelivery(ContractModel):
    """The new delivery a redelivery scheduled (55-admin-center §6)."""

    model_config = examples(REDELIVERY_EXAMPLE)

    id: str = Field(pattern="^whd_", description="The new delivery's id `whd_…`.")
    event: WebhookEventName
    status: Literal["scheduled"]
    redelivery_of: str = Field(pattern="^whd_", description="The delivery it repeats.")
    created_at: Instant
    next_retry_at: Instant = Field(description="When attempt 1 is due.")
