"""Worked examples of 40-webhooks §7.2, shared by the webhook tests."""

from __future__ import annotations

SECRET = "whsec_OnJy_V6TRdRWicAK7HLpq5-MY5lJ4P4e7R2xE-NVGts"

TEST_BODY = (
    b'{"id":"evt_019e44a1-9260-706c-9eb1-c66e79f74d60","event":"booking.created",'
    b'"createdAt":"2026-05-20T09:05:00.000Z","apiVersion":"2026-04-01","data":{"test":true}}'
)
TEST_T = 1779267900
TEST_V1 = "a9646dbcea31928f5cf97458b8bbf3c9d0086e2049cffa0e68ef854d706cd30d"
TEST_SHA256 = "4c5e91636c4e9f8e1d3a3f6d12f5723aa011d77e495315b2f803804714fcf293"

BOOKING_BODY = (
    '{"id":"evt_019e44d3-ed00-7246-817a-f708207473b7","event":"booking.created",'
    '"createdAt":"2026-05-20T10:00:00.000Z","apiVersion":"2026-04-01","data":{"booking":'
    '{"id":"019e44d3-ed00-727c-a84a-2d4f781b9a43","eventTypeId":"019c233b-1300-7521-a102-dd7063e8540e",'
    '"eventTypeName":"Intro call","startTime":"2026-05-27T14:00:00.000Z",'
    '"endTime":"2026-05-27T14:30:00.000Z",'
    '"timezone":"Europe/Lisbon","status":"confirmed","inviteeName":"Ana Gestión",'
    '"inviteeEmail":"ana@example.com","inviteePhone":null,"guests":[{"email":"carol@example.com","name":""}],'
    '"answers":{"Company":"Gestión Lda"},"answersById":{"q_company":"Gestión Lda"},"routingFormAnswers":null,'
    '"urlParams":{"utm_source":"newsletter"},"location":"video","meetLink":null,"cancelledAt":null,'
    '"cancelledReason":null,"noShowAt":null,"noShowReason":null,"rescheduledAt":null,'
    '"reschedule_generation":0,"hostUser":{"id":"019bb13c-a3e0-79dc-8748-967121bade02","firstName":"Ada",'
    '"lastName":"Lovelace","email":"ada@example.com"},"organizationId":"019bb138-1000-76a7-b2ed-66ffdcc99396"}}}'
).encode()
BOOKING_T = 1779271201
BOOKING_V1 = "7c9cfffcfbb8b9aa0f24998a97819bfe48f10fde45cc0150c1d9da47578e50dd"
BOOKING_SHA256 = "dee83c075643be23346b9cb5bd45f44a0532c35b9189b4b6485bc0060c6796da"
