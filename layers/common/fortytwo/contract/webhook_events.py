"""The payloads POSTed to subscribers (40-webhooks §6): compact UTF-8 JSON, camelCase members."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from fortytwo.contract.event_types import EventTypeDetail
from fortytwo.contract.examples import examples
from fortytwo.contract.series import (
    SeriesCreatedData,
    SeriesEndedData,
    SeriesHostChangedData,
    SeriesPausedData,
    SeriesResumedData,
    SeriesUpdatedData,
)
from fortytwo.contract.types import ContractModel, Email, Instant, JsonObject, Uuid, omitted
from fortytwo.contract.webhooks import WebhookEventDotName

API_VERSION = "2026-04-01"
ChangedField = Literal["attendee_name", "metadata", "responses", "host", "location"]


class WebhookEnvelope(ContractModel):
    """Verify `X-42min-Webhook-Signature` over the raw bytes before parsing."""

    id: str = Field(
        pattern="^evt_", description="Event id `evt_…` (the same for every delivery of the event)."
    )
    event: WebhookEventDotName
    createdAt: Instant
    apiVersion: Literal["2026-04-01"]
    data: JsonObject


class WebhookGuest(ContractModel):
    email: Email
    name: str


class WebhookHostUser(ContractModel):
    id: str | None
    firstName: str | None
    lastName: str | None
    email: str | None


class WebhookBooking(ContractModel):
    id: Uuid
    eventTypeId: Uuid
    eventTypeName: str | None
    startTime: Instant
    endTime: Instant
    timezone: str
    status: str
    inviteeName: str
    inviteeEmail: Email
    inviteePhone: str | None
    guests: list[WebhookGuest]
    answers: JsonObject
    answersById: JsonObject
    routingFormAnswers: JsonObject | None
    urlParams: JsonObject
    location: str | None
    meetLink: str | None
    cancelledAt: Instant | None
    cancelledReason: str | None
    noShowAt: Instant | None
    noShowReason: str | None
    rescheduledAt: Instant | None
    reschedule_generation: int = Field(ge=0)
    hostUser: WebhookHostUser | None
    organizationId: Uuid
    # 35-series §12.1: snake_case even here, present only on meetings of a series.
    series_id: Uuid = omitted("Meetings of a recurring series only.")
    series_index: int = omitted("Meetings of a recurring series only.", ge=1, le=42)


class PreviousBooking(ContractModel):
    startTime: Instant
    endTime: Instant
    timezone: str


class BookingEventData(ContractModel):
    booking: WebhookBooking
    previousBooking: PreviousBooking = omitted("`booking.rescheduled` only.")
    changed_fields: list[ChangedField] = omitted("`booking.updated` only.")


class BookingWebhookEnvelope(WebhookEnvelope):
    data: BookingEventData  # type: ignore[assignment]


class EventTypeEventData(ContractModel):
    event_type: EventTypeDetail


class EventTypeWebhookEnvelope(WebhookEnvelope):
    data: EventTypeEventData  # type: ignore[assignment]


class RoutingResponse(ContractModel):
    id: Uuid
    routingFormId: Uuid
    formName: str | None = None
    answers: JsonObject = Field(default_factory=dict)
    destinationType: str = ""
    destinationValue: str | None = None
    organizationId: Uuid


class RoutingEventData(ContractModel):
    response: RoutingResponse


class RoutingWebhookEnvelope(WebhookEnvelope):
    """Reserved: nothing emits it yet; a test delivery can use the name."""

    data: RoutingEventData  # type: ignore[assignment]


class SeriesWebhookEnvelope(WebhookEnvelope):
    """`series.*` (35-series §12.2, extension): `data.series` is the `GET /v1/series/{uid}` object."""

    data: (  # type: ignore[assignment]
        SeriesCreatedData
        | SeriesUpdatedData
        | SeriesPausedData
        | SeriesResumedData
        | SeriesEndedData
        | SeriesHostChangedData
    )


class TestEventData(ContractModel):
    __test__ = False  # not a pytest class
    test: Literal[True]


class TestWebhookEnvelope(WebhookEnvelope):
    """A test delivery: `event` is the dot form of the subscription's first event."""

    __test__ = False  # not a pytest class

    model_config = examples(
        {
            "id": "evt_019e44a1-9260-706c-9eb1-c66e79f74d60",
            "event": "booking.created",
            "createdAt": "2026-05-20T09:05:00.000Z",
            "apiVersion": "2026-04-01",
            "data": {"test": True},
        }
    )

    data: TestEventData  # type: ignore[assignment]
